"""The grader's progress bar (tqdm), as `checks.grade.pool` and `checks.grade.cluster` drive it."""
import io

from checks.grade.pool import ProgressBar


def test_each_step_counts_a_notebook_and_shows_its_name_and_status():
    out = io.StringIO()
    bar = ProgressBar(3, stream=out)
    for name in ("a.ipynb: graded", "b.ipynb: timeout", "c.ipynb: error: invalid JSON"):
        bar.step(name)
    frames = out.getvalue()
    last = frames.rsplit("\r", 1)[-1]
    assert bar.n == 3 and frames.endswith("\n")          # closed after the last notebook
    assert "3/3" in last and "c.ipynb: error: invalid JSON" in last
    assert "notebook" in last                            # the unit counted


def test_a_quiet_run_writes_nothing():
    out = io.StringIO()
    bar = ProgressBar(2, enabled=False, stream=out)
    bar.step("a.ipynb: graded")
    bar.step("b.ipynb: graded")
    assert out.getvalue() == ""
