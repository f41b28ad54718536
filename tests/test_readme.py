"""The README's quick start: exactly two commands, and the first one really opens lesson 1.

The second command (the tests) is what `.ci/run` runs; `.ci/run` fails if the README changes it.
"""
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser_util import free_port, isolated_env, stop

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_the_quick_start_has_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install -r requirements.txt && jupyter lab")
    assert commands[1] == "pip install -r requirements-test.txt && python -m pytest"


def test_the_start_command_opens_lesson_1_with_the_repository_as_root(tmp_path):
    start = quick_start_commands()[0].split("&&", 1)[1].split()  # the part after the install
    assert start[:2] == ["jupyter", "lab"]
    assert "--allow-root" in start  # root in a container or cloud shell: JupyterLab refuses to start without it
    port = free_port()
    # The same command, but "opening the browser" prints the URL instead, on a free local port.
    command = [sys.executable, "-m", "jupyter", "lab", *start[2:], "--ServerApp.ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0", "--ServerApp.use_redirect_file=False",
               "--ServerApp.browser=echo OPENED %s"]
    server = subprocess.Popen(command, cwd=ROOT, env=isolated_env(tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        opened, deadline = None, time.monotonic() + 60
        while opened is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line and server.poll() is not None:
                break
            found = re.search(r"OPENED (\S+)", line)
            opened = found.group(1) if found else None
        assert opened, "jupyter lab never opened a browser URL"
        assert re.match(rf"http://127\.0\.0\.1:{port}/lab/tree/lessons/01_chain_rule_one_neuron\.ipynb\?token=\w+$",
                        opened), opened
        token = opened.split("token=")[1]
        # The server's root is the repository, so solutions/ (where the last hints point) is reachable too.
        for path in ("lessons/01_chain_rule_one_neuron.ipynb", "solutions/01_chain_rule_one_neuron.ipynb"):
            url = f"http://127.0.0.1:{port}/api/contents/{path}?content=0&token={token}"
            with urllib.request.urlopen(url, timeout=60) as response:  # a loaded machine answers slowly
                assert response.status == 200
    finally:
        stop(server)
