"""Grade a folder of submitted lesson notebooks: `python -m checks.grade PATH... --out grades.csv`.

The learner's code and the judgement never share a process. Each submission is copied to a
temporary folder and run in a fresh, memory-capped kernel (`execute`); the lesson's graded checks
then run here, in the grader, on proxies (`remote`) that send plain arrays and numbers to the kernel,
call the learner's object there, and bring plain arrays back (`wire`). Nothing the notebook prints,
stores or patches can change a verdict.

Modules, one idea each:
    discover   which files to grade, named relative to the folder graded
    recognise  each one's lesson: metadata, file name, else the lesson's own lines in its cells
    students   whose it is, from the names LMS downloads give (Canvas, Moodle, Blackboard, Gradescope)
    kernel     starting a kernel with limits (memory, environment, working folder)
    execute    running the copied notebook's cells (nbclient), and what went wrong
    cpu_time   the cells' limits in the kernel's CPU time, watched from the grader, with wall-clock backstops
    agent      the kernel-side half of the proxies (sent to the kernel as source)
    wire       plain values to and from files the kernel exchanges with the grader
    remote     the connection to the kernel: one request at a time, with a time limit
    proxies    stand-ins for the learner's functions, classes and objects, and their errors
    judge      running every graded check of a lesson on the proxies
    grade_one  one submission, start to finish: a Grade
    pool       many submissions in parallel, with a progress bar
    cluster    the same on a Dask cluster (--scheduler): submissions and grades travel as bytes
    report     the CSV, written atomically with the umask's mode
    feedback   one markdown file per submission, as the learner would have seen each check
    batch      a batch of submissions: the CSV, the class report, feedback files and the run summary
    cli        the command line
"""
from __future__ import annotations

__all__ = ["grade_paths", "main"]


def grade_paths(*args, **kwargs):
    """See `checks.grade.batch.grade_paths`."""
    from .batch import grade_paths as run

    return run(*args, **kwargs)


def main(argv=None) -> int:
    from .cli import main as run

    return run(argv)
