"""Accessibility checks for the browser test: axe-core on the outputs, and the explorers by keyboard.

axe-core (the accessibility rules engine) is pinned here and installed from the npm registry into
artifacts/npm (git-ignored) by `python -m tests.a11y_util --install`, which .ci/run calls; npm's
cache goes under artifacts/ too, never into the home directory.

    axe_core_script()          path of axe.min.js, or None when it is not installed
    run_axe(page)              the violations axe finds in the visible notebook's output areas
    explorer_count(page)       how many explorers the visible notebook shows
    keyboard_tour(page, k)     Tab through explorer k's controls, then move its first slider with
                               the arrow keys; returns what a screen reader would be given
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
AXE_CORE_VERSION = "4.14.1"
NPM_PREFIX = ARTIFACTS / "npm"
AXE_PACKAGE = NPM_PREFIX / "node_modules" / "axe-core"

# Only what the course itself puts in a notebook: every cell's output area, never JupyterLab's own
# interface (its menus and toolbars are JupyterLab's concern, not the course's).
OUTPUT_AREAS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell-outputArea"

# JupyterLab's html and body are 0 px tall: without this, axe sees every output as clipped and
# reports the colour-contrast rule as "inapplicable" instead of checking it.
FULL_HEIGHT_CSS = "html, body { height: 100% }"

_RUN = """async (selector) => {
    const outputs = Array.from(document.querySelectorAll(selector));
    if (!outputs.length) return {violations: [], outputs: 0};
    const results = await axe.run({include: outputs}, {resultTypes: ['violations']});
    return {
        outputs: outputs.length,
        violations: results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                      summary: n.failureSummary})),
        })),
    };
}"""


def install_command():
    return ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(NPM_PREFIX),
            f"axe-core@{AXE_CORE_VERSION}"]


def npm_env():
    """npm's environment: its cache and logs stay under artifacts/, not in the home directory."""
    env = dict(os.environ)
    env["npm_config_cache"] = str(ARTIFACTS / "npm-cache")
    env["npm_config_update_notifier"] = "false"
    return env


def installed_version():
    """The axe-core version in artifacts/npm, or None."""
    try:
        return json.loads((AXE_PACKAGE / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def install():
    """Install the pinned axe-core with npm (a no-op when that version is already there)."""
    if installed_version() == AXE_CORE_VERSION:
        return
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not installed (apt-get install npm); it installs axe-core")
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(install_command(), check=True, env=npm_env(), cwd=NPM_PREFIX)
    if installed_version() != AXE_CORE_VERSION:
        raise RuntimeError(f"npm did not install axe-core {AXE_CORE_VERSION} into {NPM_PREFIX}")


def axe_core_script():
    """Path of the pinned axe.min.js, or None when that version is not installed."""
    if installed_version() != AXE_CORE_VERSION:
        return None
    return AXE_PACKAGE / "axe.min.js"


def run_axe(page, selector=OUTPUT_AREAS):
    """Run axe on every element `selector` matches; return {"outputs": n, "violations": [...]}.

    Each violation: id, impact, help, nodes (target, html, summary). axe is injected on the
    first call in a page; the height fix is injected before every run (JupyterLab may rebuild).
    """
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_core_script()))
    page.add_style_tag(content=FULL_HEIGHT_CSS)
    return page.evaluate(_RUN, selector)


# ---------------------------------------------------------------- the explorers, by keyboard

_PANEL = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
EXPLORER = ".bp-explorer"   # backprop_tools._accessible.ROOT_CLASS

_EXPLORER_COUNT = f"() => {_PANEL}.querySelectorAll('{EXPLORER}').length"

# Focus lands just before explorer k (its box, made focusable for the test), as if the learner
# had tabbed through the page up to it; the test then presses Tab itself.
_FOCUS_BEFORE = f"""(k) => {{
    const root = {_PANEL}.querySelectorAll('{EXPLORER}')[k];
    root.scrollIntoView();
    root.setAttribute('tabindex', '-1');
    root.focus();
    return document.activeElement === root;
}}"""

# What has the focus, in the terms a screen reader uses, and whether it is inside explorer k.
_FOCUSED = f"""(k) => {{
    const root = {_PANEL}.querySelectorAll('{EXPLORER}')[k];
    const e = document.activeElement;
    return {{
        inside: root.contains(e) && e !== root,
        role: e.getAttribute('role') || e.tagName.toLowerCase(),
        name: e.getAttribute('aria-label') || '',
        visible_label: (e.closest('.widget-slider')?.querySelector('.widget-label')?.textContent) || '',
        value: e.getAttribute('aria-valuetext') || e.textContent,
    }};
}}"""

# Explorer k as a screen reader meets it: its sliders' names and values, the readout's text and
# live-region setting, and the picture's alt text and source.
_EXPLORER_STATE = f"""(k) => {{
    const root = {_PANEL}.querySelectorAll('{EXPLORER}')[k];
    const handles = Array.from(root.querySelectorAll('.noUi-handle'));
    const boxes = Array.from(root.querySelectorAll('.widget-readout'));
    const live = root.querySelector('.bp-readout .widget-html-content');
    const img = root.querySelector('img');
    return {{
        sliders: handles.map(h => ({{
            name: h.getAttribute('aria-label') || '',
            visible_label: h.closest('.widget-slider').querySelector('.widget-label').textContent,
            value: h.getAttribute('aria-valuetext')}})),
        number_boxes: boxes.map(b => ({{role: b.getAttribute('role'), name: b.getAttribute('aria-label') || ''}})),
        readout: live ? live.textContent : null,
        live: live ? live.getAttribute('aria-live') : null,
        alt: img ? img.getAttribute('alt') : null,
        src: img ? img.getAttribute('src') : null,
    }};
}}"""


def explorer_count(page):
    return page.evaluate(_EXPLORER_COUNT)


def explorer_state(page, index):
    return page.evaluate(_EXPLORER_STATE, index)


def keyboard_tour(page, index, presses=3, timeout=20):
    """Reach explorer `index` with Tab, Tab through its controls, move its first slider by keyboard.

    Returns {"focus_stops": [...] every control Tab stopped at inside the explorer, in order,
    "before": state, "after": state} (see _EXPLORER_STATE), after waiting up to `timeout`
    seconds for the kernel to redraw.
    """
    # Wait until the naming script has run (it looks for its explorer for a few seconds).
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = explorer_state(page, index)
        if state["sliders"] and all(s["name"] for s in state["sliders"]):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(_FOCUS_BEFORE, index), "could not put the focus before the explorer"
    stops = []
    for _ in range(40):   # more than any explorer's controls
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED, index)
        if not focused["inside"]:
            break
        stops.append(focused)
    # Back to the first slider, from the keyboard only, then move it.
    assert page.evaluate(_FOCUS_BEFORE, index)
    page.keyboard.press("Tab")
    before = explorer_state(page, index)
    for key in ("ArrowRight", "ArrowLeft"):   # left only if the slider started at its maximum
        for _ in range(presses):
            page.keyboard.press(key)
        if explorer_state(page, index)["sliders"][0]["value"] != before["sliders"][0]["value"]:
            break
    after = explorer_state(page, index)
    deadline = time.monotonic() + timeout
    while (after["alt"] == before["alt"] or after["src"] == before["src"]
           or after["readout"] == before["readout"]) and time.monotonic() < deadline:
        page.wait_for_timeout(100)   # the kernel answers the slider asynchronously
        after = explorer_state(page, index)
    return {"focus_stops": stops, "before": before, "after": after}


def describe(violations):
    """Violations as readable lines, one per element, for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {n['html']}" for n in v["nodes"]]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--install"]:
        install()
        print(f"axe-core {installed_version()} in {AXE_PACKAGE}")
    else:
        sys.exit("usage: python -m tests.a11y_util --install")
