"""Helpers for the tests that run the course as a learner would: a throwaway copy of the
repository, the notebooks to open, a free port, and a JupyterLab server to open them in."""

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
LIGHT_THEME, DARK_THEME = "JupyterLab Light", "JupyterLab Dark"

# Never copied: version control, caches, and what test runs leave behind.
_IGNORED = shutil.ignore_patterns(
    ".git", "artifacts", "__pycache__", ".ipynb_checkpoints", "*.egg-info", ".venv", ".pytest_cache"
)


def copy_repo(destination):
    """Copy the working tree (what a fresh clone plus local edits would hold) to `destination`.

    Notebooks autosave when opened in JupyterLab, so tests open the copy, never the real tree.
    """
    shutil.copytree(ROOT, destination, ignore=_IGNORED)
    return Path(destination)


def course_notebooks(root=ROOT):
    """Every lesson and solution notebook, as paths relative to `root` ("lessons/01_....ipynb")."""
    root = Path(root)
    return [p.relative_to(root).as_posix() for folder in ("lessons", "solutions")
            for p in sorted((root / folder).glob("*.ipynb"))]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(root, env, log_path, timeout=120):
    """Run ``jupyter lab`` on 127.0.0.1 in `root`; yield ``(base_url, token)``; stop it after.

    `env` is the server's environment (and so its kernels'); its output goes to `log_path`.
    """
    token, port = secrets.token_hex(16), free_port()
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}", f"--port={port}",
        "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
        # A fresh profile: no "what's new" or news pop-ups that could cover the page.
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            _wait_until_up(server, f"{base_url}/api/status?token={token}", timeout, log_path)
            yield base_url, token
        finally:
            stop(server)


def stop(process, timeout=20):
    """Terminate a server process; kill it if it has not ended after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_up(server, url, timeout, log_path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {server.returncode}; see {log_path}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not answer within {timeout} s; see {log_path}")


def isolated_env(tmp_dir, **extra):
    """The environment for a server or venv run: progress, Jupyter data and config kept in `tmp_dir`."""
    tmp_dir = Path(tmp_dir)
    env = dict(os.environ)
    for key in ("PYTHONPATH", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "BACKPROP_PROGRESS", "BACKPROP_STRICT"):
        env.pop(key, None)
    env.update(
        BACKPROP_PROGRESS_FILE=str(tmp_dir / "progress" / "progress.json"),
        JUPYTER_CONFIG_DIR=str(tmp_dir / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp_dir / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(tmp_dir / "jupyter-runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_dir / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_dir / "lab-workspaces"),
        JUPYTER_PREFER_ENV_PATH="1",  # the environment's own kernel, not one from ~/.local
        MPLCONFIGDIR=str(tmp_dir / "matplotlib"),
        IPYTHONDIR=str(tmp_dir / "ipython"),  # the kernels' history database
        # JupyterLab runs `npm prefix --global` when it starts; npm would log into ~/.npm.
        npm_config_cache=str(tmp_dir / "npm-cache"),
    )
    env.update(extra)
    _write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    return env


# JupyterLab settings for a quiet, predictable page: no news prompt (it would cover the
# screenshot), every cell kept in the page (no windowing) so all outputs can be inspected, and
# no blank space past the last cell (a full-notebook screenshot would grow with the window).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "scrollPastEnd": False},
}


def _write_lab_settings(settings_dir):
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


# ---------------------------------------------------------------- driving JupyterLab in Chromium

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}

# JavaScript run in the page. The visible notebook is the panel that is not hidden.
_PANEL = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
_KERNEL_IDLE = """() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
    .some(e => /\\| Idle$/.test(e.textContent.trim()))"""
# Run All marks every queued cell [*] at once; done = none left, the first code cell numbered
# (outputs were cleared first, so a number means this run), and the kernel idle.
_RUN_FINISHED = f"""() => {{
    const panel = {_PANEL};
    if (!panel) return false;
    const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
        .map(e => e.textContent);
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    return prompts.length > 0 && !prompts.some(p => p.includes('*')) && /\\d/.test(prompts[0])
        && indicator && indicator.dataset.status === 'idle';
}}"""
# Error outputs and stderr streams render alike (both application/vnd.jupyter.stderr);
# an error is told apart by its traceback, or by a last line like "SyntaxError: ...".
_ERROR_OUTPUTS = f"""() => Array.from({_PANEL}.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    .map(e => e.textContent)
    .filter(t => /Traceback \\(most recent call last\\)/.test(t)
                 || /^\\s*(\\w+\\.)*\\w*(Error|Exception|Interrupt)\\b/m.test(t.trim().split('\\n').pop()))"""
# Top-level outputs that hold a rendered widget, and any widget that failed to render.
_WIDGETS = f"""() => {{
    const outputs = Array.from({_PANEL}.querySelectorAll(
        '.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output'));
    const text = outputs.map(e => e.textContent).join('\\n');
    return {{
        rendered: outputs.filter(e => e.matches('.jupyter-widgets') || e.querySelector('.jupyter-widgets')).length,
        sliders: {_PANEL}.querySelectorAll('.widget-slider .noUi-handle').length,
        failed: /Error displaying widget|Loading widget\\.\\.\\./.test(text),
    }};
}}"""
# What the first slider's cell shows, without the slider itself (its own readout would
# change trivially): text, image sources (matplotlib redraws give new blob/data URLs), SVG.
_SLIDER_VIEW = f"""() => {{
    const slider = {_PANEL}.querySelector('.widget-slider');
    const area = slider.closest('.jp-Cell').querySelector('.jp-Cell-outputArea');
    const copy = area.cloneNode(true);
    copy.querySelectorAll('.widget-slider').forEach(e => e.remove());
    return {{
        readout: (slider.querySelector('.widget-readout') || slider).textContent,
        shown: [copy.textContent,
                ...Array.from(area.querySelectorAll('img')).map(i => i.src),
                ...Array.from(copy.querySelectorAll('svg')).map(s => s.outerHTML)],
    }};
}}"""
_SCROLLER = f"({_PANEL}.querySelector('.jp-WindowedPanel-outer') || {_PANEL})"
_NOTEBOOK_HEIGHT = f"() => {_SCROLLER}.scrollHeight + window.innerHeight - {_SCROLLER}.clientHeight"
_SCROLL_TO_TOP = f"() => {{ {_SCROLLER}.scrollTop = 0; }}"


class LabSession:
    """One Chromium page on one JupyterLab server, reused for notebook after notebook.

    ``run(path)`` opens a notebook, runs all its cells from the Run menu and returns a dict:
    ``page_errors`` (error outputs seen in the page), ``saved_errors`` (error outputs in the
    notebook as saved, "ename: evalue"), ``widget_views`` (widget outputs saved), ``widgets``
    (what `_WIDGETS` found in the page). ``move_slider()`` then moves the first slider and
    returns ``(before, after)`` views; ``screenshot(path)`` saves the whole notebook.
    """

    def __init__(self, page, base_url, token, run_timeout=600, new_page=None):
        self.page, self.base_url, self.token, self.new_page = page, base_url, token, new_page
        self.run_timeout_ms = run_timeout * 1000

    def run(self, path):
        if self.new_page is not None:
            # A fresh page for each notebook: one renderer reused for notebook after notebook grows until
            # it crashes ("Target crashed"), and then every later notebook fails with it.
            self.page.close()
            self.page = self.new_page()
        page = self.page
        page.set_viewport_size(VIEWPORT)
        page.goto(f"{self.base_url}/lab/tree/{path}?token={self.token}&reset")  # reset: no old tabs
        page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=120_000)
        if page.locator(".jp-Dialog").count():  # a notebook without a kernelspec asks for one
            page.click(".jp-Dialog .jp-mod-accept")
        page.wait_for_function(_KERNEL_IDLE, timeout=120_000)
        if page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").count():
            page.click(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")  # room for the notebook
        self._menu("Edit", "Clear Outputs of All Cells")
        self._menu("Run", "Run All Cells")
        page.wait_for_function(_RUN_FINISHED, timeout=self.run_timeout_ms, polling=200)
        page_errors = page.evaluate(_ERROR_OUTPUTS)
        saved = self._save_and_read(path)
        outputs = [o for cell in saved["cells"] for o in cell.get("outputs", [])]
        return {
            "page_errors": page_errors,
            "saved_errors": [f"{o['ename']}: {o['evalue']}" for o in outputs if o["output_type"] == "error"],
            "widget_views": sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs),
            "widgets": page.evaluate(_WIDGETS),
        }

    def move_slider(self, presses=3, timeout=15):
        """Move the first slider with the keyboard; wait for what its cell shows to change."""
        page = self.page
        before = page.evaluate(_SLIDER_VIEW)
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .widget-slider .noUi-handle").first.click()
        for key in ("ArrowRight", "ArrowLeft"):  # left only if the slider started at its maximum
            for _ in range(presses):
                page.keyboard.press(key)
            if page.evaluate(_SLIDER_VIEW)["readout"] != before["readout"]:
                break
        deadline = time.monotonic() + timeout
        after = page.evaluate(_SLIDER_VIEW)
        while after["shown"] == before["shown"] and time.monotonic() < deadline:
            page.wait_for_timeout(100)  # the kernel answers the slider asynchronously
            after = page.evaluate(_SLIDER_VIEW)
        return before, after

    def screenshot(self, path):
        """The whole notebook: the window is made as tall as the notebook, then put back."""
        page = self.page
        for _ in range(3):  # outputs may reflow at the new size: measure again until it fits
            height = min(max(page.evaluate(_NOTEBOOK_HEIGHT), VIEWPORT["height"]), 16_000)
            if height == page.viewport_size["height"]:
                break
            page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
            page.wait_for_timeout(300)  # a layout pass at the new size
        page.evaluate(_SCROLL_TO_TOP)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(VIEWPORT)

    @contextlib.contextmanager
    def theme(self, name):
        """Switch JupyterLab's theme from the Settings menu (the setting
        `@jupyterlab/apputils-extension:themes`), live, without reloading the page; back to Light after."""
        self._set_theme(name)
        try:
            yield
        finally:
            self._set_theme(LIGHT_THEME)

    def _set_theme(self, name):
        if self.page.evaluate("() => document.body.dataset.jpThemeName") == name:
            return
        self.page.click('.lm-MenuBar-itemLabel:text-is("Settings")')
        self.page.click('.lm-Menu-itemLabel:text-is("Theme")')
        self.page.click(f'.lm-Menu-itemLabel:text-is("{name}")')
        self.page.wait_for_function("(name) => document.body.dataset.jpThemeName === name && "
                                    "document.body.dataset.jpThemeLight === String(name === 'JupyterLab Light')",
                                    arg=name, timeout=60_000)
        self.page.wait_for_timeout(500)  # the theme's stylesheet applied to every output

    def shut_down_kernels(self):
        for session in self._api("GET", "/api/sessions"):
            self._api("DELETE", f"/api/sessions/{session['id']}")

    def _menu(self, menu, item):
        self.page.click(f'.lm-MenuBar-itemLabel:text-is("{menu}")')
        self.page.click(f'.lm-Menu-itemLabel:text-is("{item}")')

    def _save_and_read(self, path):
        self.page.keyboard.press("Control+s")
        self.page.wait_for_selector(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)", timeout=60_000)
        return self._api("GET", f"/api/contents/{path}?content=1")["content"]

    def _api(self, method, url):
        request = urllib.request.Request(self.base_url + url, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        return json.loads(body) if body else None
