"""Every lesson and solution, opened and run in JupyterLab in a real browser (Debian's Chromium).

One JupyterLab server in a temporary copy of the repository (notebooks autosave, so the real
tree is never opened) and one page, reused for every notebook. For each notebook: Run All Cells
from the Run menu, no error output, widgets rendered where the notebook has any, and a
screenshot in artifacts/screenshots/. Accessibility: Tab reaches every control of every
explorer, each with a name holding its visible label; the arrow keys move a slider and change
the readout (a polite live region), the picture and its alt text; and axe-core finds no
violation in the outputs, in JupyterLab Light and again in JupyterLab Dark (counts in artifacts/axe.json). Chromium's profile, cache and config
stay under artifacts/, never in the home directory.
"""

import importlib.util
import json
import os
import shutil

import nbformat
import pytest

from tests import a11y_util
from tests.a11y_util import describe, explorer_count, keyboard_tour, run_axe
from tests.browser_util import (
    ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DARK_THEME, LIGHT_THEME, VIEWPORT, LabSession, copy_repo,
    course_notebooks, isolated_env, jupyter_lab,
)

NOTEBOOKS = course_notebooks()
SCREENSHOTS = ARTIFACTS / "screenshots"
SUMMARY = {}  # what each notebook showed, written to artifacts/browser_widgets.json
AXE_SUMMARY = {}  # violations per rule and notebook, written to artifacts/axe.json

pytestmark = pytest.mark.xdist_group("browser")  # one server and browser under --dist loadgroup


def _missing_browser():
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -r requirements-test.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium); Playwright's own browsers are not used"
    if a11y_util.axe_core_script() is None and shutil.which("npm"):
        a11y_util.install()   # what .ci/run does, so a local run checks accessibility too
    if a11y_util.axe_core_script() is None:
        return (f"axe-core {a11y_util.AXE_CORE_VERSION} is not installed and npm is missing "
                "(apt-get install npm; python -m tests.a11y_util --install)")
    return None


def _browser_env(folder):
    """Chromium's environment: its profile, cache and config under `folder`, not in the home."""
    env = dict(os.environ)
    env.update(HOME=str(folder), XDG_CONFIG_HOME=str(folder / "config"),
               XDG_CACHE_HOME=str(folder / "cache"), XDG_DATA_HOME=str(folder / "data"))
    return env


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
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                 env=_browser_env(ARTIFACTS / "chromium-home"))
            try:
                def new_page():
                    return browser.new_page(viewport=VIEWPORT)

                session = LabSession(new_page(), base_url, token, new_page=new_page)
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
        report["explorers"] = explorer_count(lab.page)
        for index in range(report["explorers"]):
            check_explorer_by_keyboard(lab.page, path, index)
        if widgets["sliders"] and not report["explorers"]:  # other sliders: the first, moved
            before, after = lab.move_slider()
            assert after["readout"] != before["readout"], f"{path}: the slider did not move"
            assert after["shown"] != before["shown"], f"{path}: moving the slider changed nothing shown"
        axe = run_axe(lab.page)
        report["axe"] = {v["id"]: len(v["nodes"]) for v in axe["violations"]}
        with lab.theme(DARK_THEME):   # the same outputs, read in the dark theme
            dark = run_axe(lab.page)
        report["axe_dark"] = {v["id"]: len(v["nodes"]) for v in dark["violations"]}
        assert dark["outputs"] == axe["outputs"] > 0
        for theme, found in ((LIGHT_THEME, axe), (DARK_THEME, dark)):
            assert not found["violations"], (f"{path}: axe-core {a11y_util.AXE_CORE_VERSION} found accessibility "
                                             f"violations in the outputs in {theme}:\n" + describe(found["violations"]))
        lab.screenshot(screenshot)
        return report
    finally:
        lab.shut_down_kernels()


def check_explorer_by_keyboard(page, path, index):
    """Explorer `index`: every control reached by Tab with a name, a slider moved by the arrow keys."""
    where = f"{path}, explorer {index + 1}"
    tour = keyboard_tour(page, index)
    stops, before, after = tour["focus_stops"], tour["before"], tour["after"]
    sliders = [stop for stop in stops if stop["role"] == "slider"]
    assert stops and stops[0]["role"] == "slider", f"{where}: Tab does not reach the first slider: {stops}"
    assert len(sliders) == len(before["sliders"]), f"{where}: Tab skips sliders: {stops}"
    for stop in stops:
        assert stop["name"], f"{where}: a control without an accessible name: {stop}"
    for slider in sliders:   # WCAG "label in name": the name holds the visible label
        assert slider["visible_label"] in slider["name"], f"{where}: {slider}"
    assert all(box["role"] == "textbox" and box["name"] for box in before["number_boxes"]), before
    assert before["live"] == "polite", f"{where}: the readout is not a polite live region"
    assert after["sliders"][0]["value"] != before["sliders"][0]["value"], f"{where}: the arrow keys did not move it"
    assert after["readout"] != before["readout"], f"{where}: the readout did not change"
    assert after["src"] != before["src"], f"{where}: the picture did not change"
    assert after["alt"] != before["alt"] and after["alt"], f"{where}: the alt text did not follow the picture"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, notebook):
    folder, name = notebook.split("/")
    stem = name.removesuffix(".ipynb")
    screenshot = SCREENSHOTS / f"{folder}_{stem}.png"
    report = check_notebook(lab, notebook, screenshot)
    assert screenshot.stat().st_size > 10_000
    SUMMARY[notebook] = {"widget_outputs": report["widget_views"], "explorers": report["explorers"],
                         **report["widgets"]}
    (ARTIFACTS / "browser_widgets.json").write_text(json.dumps(SUMMARY, indent=1))
    AXE_SUMMARY[notebook] = {"light": report["axe"], "dark": report["axe_dark"]}
    (ARTIFACTS / "axe.json").write_text(json.dumps(AXE_SUMMARY, indent=1))


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
# What axe must catch: a PNG output, which JupyterLab shows without alt text (and the slider
# above has no accessible name).
NO_ALT = nbformat.v4.new_code_cell(
    "import io\nfrom PIL import Image as PilImage\nfrom IPython.display import Image\n"
    "buffer = io.BytesIO()\nPilImage.new('RGB', (40, 20), 'navy').save(buffer, 'png')\n"
    "Image(buffer.getvalue())"
)
# Text that reads in Light (5.0:1 on white) but not in Dark (3.7:1 on #111111): only the dark pass catches it.
DARK_ONLY = nbformat.v4.new_code_cell(
    "from IPython.display import HTML\nHTML('<b style=\"color: #1a7f37\">✔ Correct: in a fixed green</b>')")
# A course explorer beside the stderr cell: passes every check, the keyboard ones included.
EXPLORER = nbformat.v4.new_code_cell("from backprop_tools import relu_explorer\nrelu_explorer()")


def test_the_browser_check_sees_errors_widgets_slider_changes_and_accessibility(lab):
    """A failing cell, an unnamed slider and an image without alt must be caught; an explorer passes."""
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

    notebook.cells = THROWAWAY[:2] + [NO_ALT]  # no error now, but a bare slider and a bare image
    nbformat.write(notebook, lab.root / "scratch" / "throwaway.ipynb")
    with pytest.raises(AssertionError, match="axe-core") as caught:
        check_notebook(lab, "scratch/throwaway.ipynb", screenshot)
    message = str(caught.value)
    assert "aria-input-field-name" in message and "image-alt" in message, message

    notebook.cells = [DARK_ONLY]
    nbformat.write(notebook, lab.root / "scratch" / "throwaway.ipynb")
    with pytest.raises(AssertionError, match="in JupyterLab Dark") as caught:
        check_notebook(lab, "scratch/throwaway.ipynb", screenshot)
    assert "color-contrast" in str(caught.value) and "in JupyterLab Light" not in str(caught.value)

    notebook.cells = [EXPLORER, THROWAWAY[1]]  # the stderr cell is no error; the explorer passes
    nbformat.write(notebook, lab.root / "scratch" / "throwaway.ipynb")
    report = check_notebook(lab, "scratch/throwaway.ipynb", screenshot)
    assert report["widget_views"] == 1 and report["widgets"]["rendered"] == 1 and report["widgets"]["sliders"] == 2
    assert report["explorers"] == 1 and report["axe"] == {} and report["axe_dark"] == {}
    assert screenshot.stat().st_size > 10_000
    shutil.rmtree(lab.root / "scratch")
