"""A CycleGAN run on the Style transfer page survives a reload: parked when its session ends, taken back by the
same browser, paused where it stopped, with its series and settings. (Before, a reload lost it.)"""
import time

import pytest

from dashboard.training import parking
from dashboard.training.cycle_runner import CycleRunner
from dashboard.training.pool import TrainingPool, live_runners
from tests.test_style_page import metric, page  # noqa: F401  (page: the Style transfer page, its runners closed after)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _tiny_2d():
    from gan_core.cycle_config import CycleConfig

    return CycleConfig.from_dict({"data_a": {"name": "moons"}, "data_b": {"name": "circles"}, "model": {"kind": "mlp"},
                                  "steps": 400, "eval_every": 20, "eval_samples": 200, "log_every": 5})


def _until(cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def test_a_closed_cycle_run_is_parked_for_its_own_page_only():
    first = CycleRunner(pool=TrainingPool(1))
    first.start(_tiny_2d())
    assert _until(lambda: first.snapshot().step >= 40, 60)
    first.pause()
    first.close()  # what closing the tab does (resources._close parks it next)
    snap = first.snapshot()
    key, run_id = first.owner_key, first.run_id
    assert len(key) >= 20 and run_id and run_id not in key
    parking.park(first)
    assert parking.parked(key) is None and parking.claim(key) is None  # the Train page does not see it
    found = parking.parked(key, "cycle")
    assert found.step == snap.step and found.run_id == run_id and found.config.pair == "moons:circles"
    second = CycleRunner(pool=TrainingPool(1))
    claimed = parking.claim(key, "cycle")
    second.adopt(claimed.trainer, claimed.run_id, claimed.keepsake)
    back = second.snapshot()
    assert back.status == "paused" and back.step == snap.step and back.pair == "moons:circles"
    assert back.losses == snap.losses and back.evals == snap.evals and len(back.evals["step"]) >= 2
    assert set(back.panel) == {"a", "ab", "aba", "b", "ba", "bab"}
    assert second.owner_key not in ("", key) and second.run_id == run_id
    assert parking.claim(key, "cycle") is None  # one session gets it
    second.resume()  # and it trains on from there
    assert _until(lambda: second.snapshot().step > snap.step + 5, 60)
    second.close()


def test_the_page_offers_the_run_back_after_a_reload(page, monkeypatch):
    import streamlit.elements.lib.policies as policies

    from dashboard import run_keys

    page.selectbox(key="st_pair").set_value("moons:circles").run()
    page.number_input(key="st_steps_False").set_value(3000).run()
    page.slider(key="st_lc").set_value(4.5).run()
    page.button(key="st_train").click().run()
    runner = next(r for r in live_runners() if isinstance(r, CycleRunner) and r.trainer is not None)
    assert _until(lambda: runner.snapshot().step >= 60, 60)
    page.button(key="st_pause").click().run()
    assert _until(lambda: runner.snapshot().status == "paused", 10)
    steps = runner.snapshot().step
    runner.close()
    parking.park(runner)
    monkeypatch.setattr(run_keys, "remembered", lambda: [runner.owner_key])  # the browser's cookie
    page.run()
    page.selectbox(key="st_pair").set_value("ring8:grid25").run()  # a reload keeps no widget; the pair is restored
    page.slider(key="st_lc").set_value(10.0).run()
    assert metric(page, "Step") == "0"  # a fresh runner: the closed one was replaced
    offers = [i.value for i in page.info if "Reattach" not in i.value and "kept, paused" in i.value]
    assert offers and f"step {steps:,} of 3,000" in offers[0] and "moons -> circles" in offers[0], offers
    warned = []  # Streamlit's "created with a default value but also had its value set via the Session State API"
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)  # (said once per process otherwise)
    monkeypatch.setattr(policies._LOGGER, "warning", lambda msg, *args, **kw: warned.append(msg % args))
    page.button(key="st_reattach").click().run()
    assert not page.exception
    assert not warned, warned  # the settings come back through the state alone, no widget has a default of its own
    assert not page.sidebar.children  # the browser's key is handed over without opening an empty sidebar
    assert metric(page, "Step") == f"{steps:,} / 3,000" and metric(page, "Status") == "paused"
    assert page.selectbox(key="st_pair").value == "moons:circles"
    assert page.slider(key="st_lc").value == 4.5 and page.number_input(key="st_steps_False").value == 3000
    assert not [i for i in page.info if "kept, paused" in i.value]  # the offer is gone
    page.button(key="st_resume").click().run()
    mine = next(r for r in live_runners() if isinstance(r, CycleRunner) and r is not runner and r.trainer is not None)
    assert _until(lambda: mine.snapshot().step > steps + 5, 60)
    mine.pause()
