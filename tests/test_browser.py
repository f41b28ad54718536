"""Every lesson and solution, opened and run in JupyterLab in a real browser (Debian's Chromium).

One JupyterLab server in a temporary copy of the repository (notebooks autosave, so the real
tree is never opened) and one page, reused for every notebook. For each notebook: Run All Cells
from the Run menu, no error output, widgets rendered where the notebook has any, the first
slider moved changes what its cell shows, and a screenshot in artifacts/screenshots/.
"""

import importlib.util
import json
import os
import shutil

import nbformat
import pytest

from tests.browser_util import (
    ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, VIEWPORT, LabSession, copy_repo, course_notebooks,
    isolated_env, jupyter_lab,
)

NOTEBOOKS = course_notebooks()
SCREENSHOTS = ARTIFACTS / "screenshots"
SUMMARY = {}  # what each notebook showed, written to artifacts/browser_widgets.json

pytestmark = pytest.mark.xdist_group("browser")  # one server and browser under --dist loadgroup


def _missing_browser():
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -r requirements-test.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium); Playwright's own browsers are not used"
    return None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    reason = _missing_browser()
    if reason and os.environ.get("CI"):
        # .ci/run installs Chromium: in CI a skip would hide a broken install step.
        pytest.fail(f"CI must run the browser tests, but {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("browser")
    root = copy_repo(tmp / "repo")
    (root / "scratch").mkdir()  # for the self-test's throwaway notebook
    env = isolated_env(tmp)  # the progress file, Jupyter settings and runtime stay in tmp
    ARTIFACTS.mkdir(exist_ok=True)
    with jupyter_lab(root, env, ARTIFACTS / "jupyter-lab-browser-test.log") as (base_url, token):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                session = LabSession(browser.new_page(viewport=VIEWPORT), base_url, token)
                session.root = root
                yield session
            finally:
                browser.close()


def check_notebook(lab, path, screenshot):
    """Run `path` in the page and assert what a learner would see; return the run's report."""
    try:
        report = lab.run(path)
        assert report["page_errors"] == [], f"{path}: error output in the page:\n" + "\n".join(report["page_errors"])
        assert report["saved_errors"] == [], f"{path}: cells raised: {report['saved_errors']}"
        widgets = report["widgets"]
        if report["widget_views"]:
            assert not widgets["failed"], f"{path}: a widget failed to display"
            assert widgets["rendered"] >= report["widget_views"], f"{path}: {widgets} for {report['widget_views']}"
        if widgets["sliders"]:  # one slider per interactive notebook: the first
            before, after = lab.move_slider()
            assert after["readout"] != before["readout"], f"{path}: the slider did not move"
            assert after["shown"] != before["shown"], f"{path}: moving the slider changed nothing shown"
        lab.screenshot(screenshot)
        return report
    finally:
        lab.shut_down_kernels()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, notebook):
    folder, name = notebook.split("/")
    stem = name.removesuffix(".ipynb")
    screenshot = SCREENSHOTS / f"{folder}_{stem}.png"
    report = check_notebook(lab, notebook, screenshot)
    assert screenshot.stat().st_size > 10_000
    SUMMARY[notebook] = {"widget_outputs": report["widget_views"], **report["widgets"]}
    (ARTIFACTS / "browser_widgets.json").write_text(json.dumps(SUMMARY, indent=1))


# ---------------------------------------------------------------- the test tests itself

THROWAWAY = [
    nbformat.v4.new_code_cell(
        "import ipywidgets as widgets\n"
        "slider = widgets.IntSlider(value=3, min=1, max=10, description='n')\n"
        "label = widgets.Label()\n"
        "def update(change=None):\n"
        "    label.value = f'n squared is {slider.value ** 2}'\n"
        "slider.observe(update, names='value')\n"
        "update()\n"
        "widgets.VBox([slider, label])"
    ),
    nbformat.v4.new_code_cell("import sys, warnings\nprint('just stderr', file=sys.stderr)\nwarnings.warn('a warning')"),
    nbformat.v4.new_code_cell("1 / 0"),
]


def test_the_browser_check_sees_errors_widgets_and_slider_changes(lab):
    """A notebook with a slider and a failing cell: the error must be caught, the slider must work."""
    notebook = nbformat.v4.new_notebook(
        cells=THROWAWAY,
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(notebook, lab.root / "scratch" / "throwaway.ipynb")
    screenshot = SCREENSHOTS / "selftest_throwaway.png"
    try:
        report = lab.run("scratch/throwaway.ipynb")
    finally:
        lab.shut_down_kernels()
    assert report["saved_errors"] == ["ZeroDivisionError: division by zero"]
    assert len(report["page_errors"]) == 1 and "ZeroDivisionError" in report["page_errors"][0]  # not the stderr
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        check_notebook(lab, "scratch/throwaway.ipynb", screenshot)

    notebook.cells = THROWAWAY[:2]  # without the failing cell: passes, and the stderr cell is no error
    nbformat.write(notebook, lab.root / "scratch" / "throwaway.ipynb")
    report = check_notebook(lab, "scratch/throwaway.ipynb", screenshot)
    assert report["widget_views"] == 1 and report["widgets"]["rendered"] == 1 and report["widgets"]["sliders"] == 1
    assert screenshot.stat().st_size > 10_000
    shutil.rmtree(lab.root / "scratch")
