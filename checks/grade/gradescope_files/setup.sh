#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu; the bundle is
# unpacked in /autograder/source). It installs a Python of 3.11 or newer (what the course's pins need),
# a virtual environment in /autograder/venv with the course's pinned requirements and the course's own
# package (requirements.txt ends with `-e .`), and bubblewrap for the grading sandbox where it is used.
set -euo pipefail
cd /autograder/source

PYTHON=""
for candidate in python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
done
if [ -z "$PYTHON" ]; then
    apt-get update
    apt-get install -y --no-install-recommends python3.11
    PYTHON=python3.11
fi
apt-get install -y --no-install-recommends "$PYTHON-venv"
apt-get install -y --no-install-recommends bubblewrap || echo "bubblewrap not installed: Gradescope's container is the wall"

"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --no-cache-dir -r requirements.txt
chmod +x /autograder/source/run_autograder
