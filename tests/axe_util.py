"""axe-core, the accessibility rules engine, run on a notebook's outputs in the browser test.

axe-core is pinned here and installed from the npm registry into artifacts/npm (git-ignored) by
`python -m tests.axe_util --install`, which .ci/run calls; npm's cache goes under artifacts/ too,
never into the home directory.

    axe_core_script()        path of axe.min.js, or None when it is not installed
    run_axe(page)            the violations axe finds in the visible notebook's output areas
"""

import json
import os
import shutil
import subprocess
import sys
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
        sys.exit("usage: python -m tests.axe_util --install")
