"""Start-up: the Train page's controls work before torch is loaded (dashboard/warm_up.py).

On a fresh server the page draws its sidebar, title and controls from the settings alone while torch, pandas and
plotly load in the background; a click builds the run. `bench/startup.py` times it in a real browser; these tests
keep the two halves honest: what the controls need imports no torch, and the controls drawn before the warm-up
has finished work (Train trains, Step D steps) and the page completes itself once it has.
"""
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.training.pool import live_runners

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "router.py")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Everything the Train page runs before its controls are on screen: its imports and the settings of every data set.
BEFORE_THE_CONTROLS = """
import sys
import streamlit
from dashboard import run_keys, settings, warm_up
from dashboard.resources import real_images, session_runner
from dashboard.train_sidebar import experiment_sidebar
from dashboard.training.parking import claim, parked
from dashboard.training.pool import LIVE
from gan_core.variants import LIVE_OPTIONS
for data in settings.CHOICES["data"]:
    if data in ("draw", "upload"):
        continue
    s = dict(settings.defaults_for(data), data=data)
    settings.build_config(s, None)
    settings.to_query(s)
print(sorted(m for m in ("torch", "pandas") if m in sys.modules))
"""


def test_what_the_controls_need_imports_neither_torch_nor_pandas():
    out = subprocess.run([sys.executable, "-c", BEFORE_THE_CONTROLS], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr[-2000:]


@pytest.fixture
def cold_app(monkeypatch):
    """The router in a fresh session of a server whose warm-up has not finished yet."""
    from streamlit.testing.v1 import AppTest

    from dashboard import warm_up

    state = {"ready": False}
    monkeypatch.setattr(warm_up, "ready", lambda: state["ready"])
    before = live_runners()
    at = AppTest.from_file(APP, default_timeout=60)
    yield at, state
    for r in live_runners():  # this session's runner (AppTest may hand a session an earlier test's) and new ones
        if r.busy or all(r is not b for b in before):
            r.close()


def _run_made(at) -> bool:
    """Whether the page has made this session's run (train.py keeps that in the session's state)."""
    return bool(at.session_state["run_made"]) if "run_made" in at.session_state else False


def test_the_controls_work_before_the_warm_up_has_finished(cold_app):
    at, state = cold_app
    at.run()
    assert not at.exception
    assert any(t.value == "Train live" for t in at.title)
    train = at.button(key="btn_train")
    assert train.label == "Train" and not train.disabled
    assert not at.button(key="btn_step_d").disabled
    assert any("Loading the networks' libraries" in c.value for c in at.caption)
    assert not _run_made(at), "no run is built before the libraries are in"
    assert not at.metric, "the live views wait for the libraries"

    at.button(key="btn_step_d").click().run()  # the click builds the run and steps D
    assert not at.exception
    assert _run_made(at)
    assert any(m.label == "Step" for m in at.metric), "the run made by the click is drawn at once"
    assert any(el.proto.component_name == "gan_run_key" for el in at.get("bidi_component")), \
        "the browser gets its key to the run made by the click on the same run of the page"

    state["ready"] = True  # the warm-up has finished: the next run draws the whole page
    at.run()
    assert not at.exception
    assert not any("Loading the networks' libraries" in c.value for c in at.caption)
    assert any(m.label == "Step" for m in at.metric)
    assert any("Discriminator step: update D" in m.value for m in at.markdown), "the D step shows its result"


def test_train_pressed_before_the_warm_up_has_finished_trains(cold_app):
    at, _ = cold_app
    at.run()
    at.button(key="btn_train").click().run()
    assert not at.exception
    assert _run_made(at)
    at.run()  # the warm-up is still loading: the page keeps showing this session's run, not a fresh one
    assert not at.exception
    assert any(m.label == "Step" for m in at.metric), "the run made by the click is drawn"
    assert "btn_pause" in [b.key for b in at.button] or at.button(key="btn_train").label == "Continue"
