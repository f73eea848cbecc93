"""The Train page around the step budget, a reattached run and drawn data, through AppTest (no browser).

Found in a browser rehearsal: Continue after the budget trained two steps and stopped (the sidebar's budget pulled
the run back); steps taken by hand past the budget offered "Resume", which trained one step; a reattached run
showed "-" for its losses; the canvas stayed on top of a training run on drawn points; and a worker process of
the arena ran the app's script again.
"""
import os
import subprocess
import sys

import pytest

from tests.test_dashboard import APP, ROOT, metric, until

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def app(fresh_app):
    return fresh_app


def step_of(at) -> int:
    return int(metric(at, "Step").replace(",", ""))


def finished(at) -> bool:
    """The run stands at its budget: the first button offers to continue."""
    return any(b.key == "btn_train" and b.label == "Continue" for b in at.button)


def _state(at) -> str:
    """What the page shows, for a failure's message."""
    return (f"step {metric(at, 'Step')}, buttons {[(b.key, b.label) for b in at.button][:2]}, "
            f"said {[m.value for m in [*at.info, *at.warning, *at.success]]}")


def test_continue_after_the_budget_trains_on_and_the_sidebar_says_the_new_budget(app):
    app.run()
    app.number_input(key="w_steps").set_value(40).run()
    app.button(key="btn_train").click().run()
    assert until(app, lambda: finished(app) and step_of(app) == 40, timeout=60)
    app.button(key="btn_train").click().run()
    assert not app.exception
    assert app.number_input(key="w_steps").value == 1040  # the budget grew by 1,000 (half of 40 is less)
    assert app.query_params["steps"] in ("1040", ["1040"])  # the link says it too
    # It trains on to the new budget, not two steps and back to "Continue" at 42.
    assert until(app, lambda: step_of(app) > 100, timeout=60), metric(app, "Step")
    assert until(app, lambda: finished(app) and step_of(app) == 1040, timeout=90), metric(app, "Step")


def test_steps_by_hand_past_the_budget_offer_continue_not_resume(app):
    app.run()
    app.number_input(key="w_steps").set_value(20).run()
    app.button(key="btn_train").click().run()
    assert until(app, lambda: finished(app) and step_of(app) == 20, timeout=60), _state(app)
    app.button(key="btn_step_both").click().run()
    assert until(app, lambda: step_of(app) == 21, timeout=10)
    assert app.button(key="btn_train").label == "Continue"
    assert not any("Reached the step budget" in w.value for w in [*app.warning, *app.info, *app.success]), \
        "the finished run's message stays after a step by hand"
    app.button(key="btn_train").click().run()
    assert app.number_input(key="w_steps").value == 1020
    assert until(app, lambda: step_of(app) > 60, timeout=60), metric(app, "Step")


def test_a_reattached_run_shows_its_last_losses(app, monkeypatch):
    """A run parked when its tab closed and taken back after a reload shows its last losses, not "-"."""
    from dashboard import run_keys
    from dashboard.training.parking import park
    from dashboard.training.pool import live_runners
    from dashboard.training.runner import TrainingRunner

    app.run()
    app.button(key="btn_train").click().run()
    assert until(app, lambda: step_of(app) > 200, timeout=60)
    app.button(key="btn_pause").click().run()
    runner = next(r for r in live_runners() if isinstance(r, TrainingRunner) and r.trainer is not None
                  and r.trainer.step_count > 200)
    steps = runner.trainer.step_count
    runner.close()  # what closing the tab does (resources._close): the thread stops, the trainer is parked
    park(runner)
    monkeypatch.setattr(run_keys, "remembered", lambda: [runner.owner_key])  # the browser's cookie
    app.run()  # the page again: this session's closed runner is replaced by a fresh one, which offers the run back
    assert step_of(app) == 0
    app.button(key="btn_reattach").click().run()
    assert not app.exception
    assert step_of(app) == steps
    assert metric(app, "D loss") != "-" and metric(app, "G loss") != "-"
    assert float(metric(app, "D loss")) > 0


def test_the_loss_boxes_fall_back_to_the_logged_history():
    """A snapshot without a step of this session (a run taken back) but with a logged history: its last losses."""
    import pandas as pd

    from dashboard.train_views import _last_losses
    from dashboard.training.snapshot import HISTORY_COLUMNS, Snapshot

    history = pd.DataFrame([(10, 1.25, 0.75, 0, 0, 0, 0), (20, 1.5, 0.5, 0, 0, 0, 0)], columns=HISTORY_COLUMNS)
    assert _last_losses(Snapshot(history=history)) == (1.5, 0.5)
    assert _last_losses(Snapshot()) == (None, None)


def test_training_on_drawn_points_folds_the_canvas_below_the_charts(app):
    app.run()
    app.selectbox(key="w_data").set_value("draw").run()
    app.session_state["drawn"] = [100, 400, 800, 1200]
    app.run()
    app.button(key="btn_reset").click().run()
    top = [e for e in app.expander if e.label.startswith("Your data")]
    assert len(top) == 1 and top[0].proto.expanded  # before the first step: open at the top
    app.button(key="btn_train").click().run()
    assert not app.exception
    folded = [e for e in app.expander if e.label.startswith("Your data")]
    assert len(folded) == 1 and not folded[0].proto.expanded, "the canvas stays open on top of a training run"


def test_a_worker_process_rebuilding_main_does_not_run_the_app():
    """multiprocessing runs the main script again as __mp_main__ when a worker starts while a fragment rerun has
    put a spec-less __main__ in place: the app must do nothing there (no Streamlit import, no warnings)."""
    code = (f"import runpy, sys; runpy.run_path({APP!r}, run_name='__mp_main__'); "
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    assert "ScriptRunContext" not in out.stderr and "streamlit run" not in out.stderr, out.stderr


def test_continue_after_the_stop_target_unticks_it_and_trains_on(app):
    """Rehearsal: Continue after "Reached the target" trained to the next evaluation and stopped again, the target
    being still met; the box had to be found and unticked. Continue now unticks it (a note says so) and goes on."""
    app.run()
    app.checkbox(key="w_stop_target").check().run()
    app.slider(key="w_hq_target").set_value(0).run()  # any sample counts: ring8's modes are soon all covered
    app.button(key="btn_train").click().run()
    said = lambda: [m.value for m in [*app.info, *app.warning, *app.success]]  # noqa: E731
    assert until(app, lambda: any("Reached the target" in v for v in said()), timeout=90), _state(app)
    stopped_at = step_of(app)
    assert app.button(key="btn_train").label == "Continue"
    app.button(key="btn_train").click().run()
    assert not app.exception
    assert app.checkbox(key="w_stop_target").value is False
    assert any("now off" in t.proto.body for t in app.get("toast")), "no note says the target was turned off"
    assert until(app, lambda: step_of(app) > stopped_at + 1500, timeout=90), (stopped_at, _state(app))


def test_step_both_says_what_it_did_as_step_d_and_step_g_do(app):
    """Rehearsal: Step D and Step G each said their sub-step; Step both showed no note at all."""
    app.run()
    app.button(key="btn_step_both").click().run()
    assert until(app, lambda: step_of(app) == 1, timeout=10)
    app.run()
    said = [m.value for m in app.markdown]
    assert any(v.startswith("#### Both steps: update D, then G") for v in said), said
