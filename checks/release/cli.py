"""`python -m checks.release DEST --lessons 1-6 [--solutions 1-3 | --with-solutions] [--github OWNER/REPO]`

Exit codes: 0 written, 2 a usage error (bad lessons, a refused combination, a folder that is not a
release), as argparse does.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import write_release
from .plan import PlanError, make_plan


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m checks.release",
        description="Write a class release: the chosen blank lessons, the course's packages, requirements, "
                    "binder/ and a learner README, without the answers of lessons whose solutions are not "
                    "released. Push DEST as the class's repository.")
    p.add_argument("dest", type=Path, metavar="DEST", help="a new or empty folder, or an earlier release to update")
    p.add_argument("--lessons", required=True, metavar="LESSONS",
                   help="lessons to hand out: numbers and ranges, e.g. 1-6 or 1,3,5-6")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--with-solutions", action="store_true",
                       help="also release the solutions of every lesson in --lessons")
    which.add_argument("--solutions", metavar="LESSONS",
                       help="release the solutions of these lessons only (a part of --lessons), e.g. 1-3")
    p.add_argument("--github", metavar="OWNER/REPO",
                   help="the class repository's GitHub path, for the README's Binder badge and clone line "
                        "(a re-run keeps the earlier release's; else the README says OWNER/REPO)")
    return p


def main(argv: list | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        plan = make_plan(args.lessons, args.solutions, args.with_solutions)
        written = write_release(plan, args.dest, args.github)
    except PlanError as error:
        p.error(str(error))  # exits 2, after the usage line
    lessons = ", ".join(str(n) for n in plan.lessons)
    solutions = ", ".join(str(n) for n in plan.solutions) or "none"
    print(f"Wrote a class release to {args.dest}: lessons {lessons}; solutions released: {solutions} "
          f"({len(written)} files).")
    print("Push that folder as the class's repository (its README tells learners how to start).")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
