"""A class release: the learner edition of the course that an instructor hands out.

    python -m checks.release DEST --lessons 1-6                 # week by week: lessons 1 to 6, no solutions
    python -m checks.release DEST --lessons 1-8 --solutions 1-6 # later: lessons 1-8, solutions of 1-6
    python -m checks.release DEST --lessons 1-9 --with-solutions

writes DEST as a repository to push for the class: the chosen blank lessons, the course's packages
(checks without its instructor-only grade/ and release/, backprop_tools), pyproject.toml,
requirements.txt, binder/ and a learner README. Nothing in it shows the graded answer of a lesson whose
solutions are not released (see plan.py for the rule on worked classes). Instructor-only: this package is
not part of a release.

Modules: plan.py (which lessons and solutions, and which combinations are refused), build.py (writing
DEST), learner_readme.py (the README a class reads), cli.py (the command).
"""
