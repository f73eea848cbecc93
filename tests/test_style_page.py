"""The Style transfer page through AppTest: it opens, trains a 2D pair live, moves lambda_cycle during the run."""
import time
from pathlib import Path

import pytest

from dashboard.training.pool import live_runners

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "router.py")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def page():
    from streamlit.testing.v1 import AppTest

    from dashboard.training.cycle_runner import CycleRunner

    before = set(map(id, live_runners()))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/style_transfer.py").run()
    yield at
    for r in live_runners():
        if id(r) not in before and isinstance(r, CycleRunner):
            r.close()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def cycle_runner(at):
    from dashboard.training.cycle_runner import CycleRunner

    return next(r for r in live_runners() if isinstance(r, CycleRunner) and r.trainer is not None)


def test_page_opens_with_the_lesson_and_the_pairs(page):
    assert not page.exception
    assert page.title[0].value == "Style transfer"
    assert metric(page, "Step") == "0"
    assert "lambda_cycle to 0" in page.info[0].value
    assert "2D: moons -> circles" in page.selectbox(key="st_pair").options
    # the shipped translators open at once, in their own tab
    assert "cyclegan-moons-circles" in page.selectbox(key="st_shipped").options


def test_train_a_2d_pair_and_change_lambda_cycle_live(page, monkeypatch):
    from gan_core.training.cycle_trainer import CycleTrainer

    step = CycleTrainer.step

    def unhurried_step(self):  # 100 2D steps can end within one rerun on a fast machine, before the slider moves
        time.sleep(0.04)
        return step(self)

    monkeypatch.setattr(CycleTrainer, "step", unhurried_step)
    page.selectbox(key="st_pair").set_value("moons:circles").run()
    page.number_input(key="st_steps_False").set_value(100).run()
    page.button(key="st_train").click().run()
    runner = cycle_runner(page)
    assert runner.snapshot().panel["a"].shape == (300, 2)  # the fixed held-out panel is there before any step
    page.slider(key="st_lc").set_value(0.0).run()  # live, while the run trains
    assert runner.trainer.lambda_cycle == 0.0
    changed_at = runner.trainer.step_count
    assert changed_at < 100, "the run ended before the slider moved: the live change was not tried"
    end = time.monotonic() + 90
    while time.monotonic() < end and runner.snapshot().status != "finished":
        time.sleep(0.3)
    page.run()
    assert not page.exception
    assert metric(page, "Step") == "100 / 100"
    assert metric(page, "Cycle error A->B->A").endswith("%")  # evaluated at the last step on held-out points
    snap = runner.snapshot()
    assert set(snap.panel) == {"a", "ab", "aba", "b", "ba", "bab"} and snap.panel["ab"].shape == (300, 2)
    assert snap.losses["step"][-1] == 100 and snap.evals["step"] == [50, 100]
    after = [row["lambda_cycle"] for row in runner.trainer.rows if row["step"] > changed_at + 1]
    assert after and set(after) == {0.0}, after  # every step logged after the move trained with the new weight


def test_an_image_pair_trains_with_the_translator_chosen(page, monkeypatch):
    from gan_core.models.cyclegan import ResnetTranslator, WarpTranslator
    from gan_core.training.cycle_trainer import CycleTrainer

    step = CycleTrainer.step
    monkeypatch.setattr(CycleTrainer, "step", lambda self: (time.sleep(0.2), step(self))[1])  # still running below
    page.selectbox(key="st_pair").set_value("mnist:digits8").run()
    assert page.selectbox(key="st_translator").value == "resnet"  # the paper's, by default
    page.selectbox(key="st_translator").set_value("warp").run()
    assert page.slider(key="st_lcls").value == 0.0  # the class term is off by default: CycleGAN as published
    page.slider(key="st_lcls").set_value(20.0).run()
    page.button(key="st_train").click().run()
    assert not page.exception
    runner = cycle_runner(page)
    assert runner.trainer.config.model.translator == "warp" and runner.trainer.config.lambda_class == 20.0
    assert isinstance(runner.trainer.G, WarpTranslator) and isinstance(runner.trainer.G.restyle, ResnetTranslator)
    assert runner.trainer.D_B.classes is not None  # the critics name digits
    assert page.selectbox(key="st_translator").disabled  # not changed under a running model
    assert page.slider(key="st_lcls").disabled
    runner.close()


def test_the_class_slider_is_offered_only_for_two_digit_sets(page):
    page.selectbox(key="st_pair").set_value("moons:circles").run()
    assert "st_lcls" not in [s.key for s in page.slider]
    page.selectbox(key="st_pair").set_value("mnist:fashion-mnist").run()
    assert "st_lcls" not in [s.key for s in page.slider]
    page.selectbox(key="st_pair").set_value("mnist:digits8").run()
    assert "st_lcls" in [s.key for s in page.slider]


def test_class_kept_says_what_it_means_for_the_pair(page):
    """A rehearsal: digits -> clothes showed "Class kept A->B 8.5%" with no word on what keeping a digit's class
    means for a T-shirt (the cycle error had its "?")."""
    def helps():
        return {m.label: m.help for m in page.metric if m.label.startswith("Class kept")}

    page.selectbox(key="st_pair").set_value("mnist:fashion-mnist").run()
    said = helps()
    assert set(said) == {"Class kept A->B", "Class kept B->A"} and all("by chance" in h for h in said.values()), said
    page.selectbox(key="st_pair").set_value("mnist:digits8").run()
    assert all("same digit" in h and "chance" not in h for h in helps().values()), helps()


def test_a_held_out_digit_is_translated_both_ways_by_the_shipped_model(page):
    page.selectbox(key="st_shipped").set_value("cyclegan-mnist-digits8").run()
    assert not page.exception
    captions = [i.caption for img in page.get("image") for i in img.proto.imgs]
    assert any("translated to UCI 8x8 scans (digits8)" in c for c in captions) and any("back to MNIST" in c for c in captions), captions
    assert any("class term (lambda_class = 20)" in c.value for c in page.caption)  # the card's caveat, on the page


def test_a_pair_that_cannot_be_trained_says_why_on_the_page(page, monkeypatch):
    """A missing data set (Fashion-MNIST on a machine without it) is explained where Train was pressed, and stays."""
    import dashboard.training.cycle_runner as cycle_runner_module

    def unavailable(config, device="cpu"):
        raise ValueError("fashion-mnist is not on this machine")

    monkeypatch.setattr(cycle_runner_module, "CycleTrainer", unavailable)
    page.selectbox(key="st_pair").set_value("mnist:fashion-mnist").run()
    page.button(key="st_train").click().run()
    assert not page.exception
    assert any("cannot be trained here" in e.value and "fashion-mnist is not on this machine" in e.value
               for e in page.error), [e.value for e in page.error]


def _live_spec(at, key: str) -> dict:
    import json

    for el in at.get("bidi_component"):
        if el.proto.component_name == "gan_live_plot" and el.proto.id.endswith(key):
            return json.loads(json.loads(el.proto.json)["spec"])
    raise AssertionError(f"no live chart {key}")


class _FinishedPair:
    """A session's runner whose 2D run (moons -> circles) has finished: its last speed was 98.1 steps/s."""

    owner_key = ""  # (the browser's key to the run, parking.py: none here)

    def __init__(self):
        import numpy as np

        from dashboard.training.cycle_runner import CycleSnapshot

        pts = np.zeros((4, 2), np.float32)
        self.snap = CycleSnapshot(status="finished", step=100, steps=100, pair="moons:circles", rate=98.1,
                                  evals={"step": [50, 100], "cycle_ab": [0.12, 0.065], "cycle_ba": [0.2, 0.08]},
                                  panel={k: pts for k in ("a", "ab", "aba", "b", "ba", "bab")})

    def snapshot(self):
        return self.snap


def test_a_finished_2d_run_shows_no_live_speed_and_its_errors_in_one_unit(monkeypatch):
    from streamlit.testing.v1 import AppTest

    import dashboard.resources

    monkeypatch.setattr(dashboard.resources, "session_cycle_runner", _FinishedPair)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/style_transfer.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="st_pair").set_value("moons:circles").run()
    assert metric(at, "Step") == "100 / 100" and metric(at, "Steps / s") == "-"  # no speed once it has finished
    assert metric(at, "Cycle error A->B->A") == "6.5%"
    chart = _live_spec(at, "st_progress")
    y = next(t["y"] for t in chart["data"] if t["name"] == "cycle error A->B->A")
    if isinstance(y, dict):  # plotly sends a numpy array as base64 bytes
        import base64

        import numpy as np

        y = np.frombuffer(base64.b64decode(y["bdata"]), y["dtype"])
    assert y[-1] == pytest.approx(6.5) and chart["layout"]["yaxis"]["ticksuffix"] == "%"  # as the metric says


@pytest.mark.parametrize("pair, said, unsaid", [
    ("moons:circles", "points land anywhere on the other shape", "digit"),
    ("mnist:digits8", "digits turn into other digits (class kept falls)", "arrows"),
    ("mnist:fashion-mnist", "no longer depends on which digit went in", "arrows"),
])
def test_the_lesson_speaks_of_the_pair_chosen(page, pair, said, unsaid):
    page.selectbox(key="st_pair").set_value(pair).run()
    lesson = page.info[0].value
    assert "lambda_cycle to 0" in lesson and said in lesson and unsaid not in lesson


def test_a_held_out_example_says_which_digit_it_is(page):
    from dashboard.resources import held_out_examples

    page.selectbox(key="st_shipped").set_value("cyclegan-mnist-digits8").run()
    page.slider(key="st_idx").set_value(3).run()
    assert not page.exception
    label = int(held_out_examples("mnist", 32)[1][3])
    captions = [i.caption for img in page.get("image") for i in img.proto.imgs]
    assert f"held-out MNIST example 3: a {label}" in captions, captions  # named as the radio names it


def test_the_loss_weights_follow_the_pair_chosen(page, monkeypatch):
    """lambda_cycle set to 0 for the lesson carried over, unseen, into the next pair's Train."""
    from gan_core.training.cycle_trainer import CycleTrainer

    step = CycleTrainer.step
    monkeypatch.setattr(CycleTrainer, "step", lambda self: (time.sleep(0.05), step(self))[1])
    page.selectbox(key="st_pair").set_value("moons:circles").run()
    page.number_input(key="st_steps_False").set_value(1000).run()
    page.button(key="st_train").click().run()
    runner = cycle_runner(page)
    page.slider(key="st_lc").set_value(0.0).run()
    page.button(key="st_pause").click().run()
    end = time.monotonic() + 30
    while time.monotonic() < end and runner.snapshot().status != "paused":
        time.sleep(0.1)
    page.run()
    assert runner.trainer.lambda_cycle == 0.0
    page.selectbox(key="st_pair").set_value("mnist:digits8").run()
    assert not page.exception
    assert page.slider(key="st_lc").value == 10.0  # the paper's weight for a new pair
    page.slider(key="st_lc").set_value(5.0).run()  # ... moved here, it leaves the other pair's run alone
    assert runner.trainer.lambda_cycle == 0.0
    page.selectbox(key="st_pair").set_value("moons:circles").run()
    assert page.slider(key="st_lc").value == 0.0  # back on the run's pair: its own weight
    runner.close()


def test_beside_resume_train_says_it_starts_anew(page, monkeypatch):
    """Rehearsal: with a run paused, "Train" sat beside "Resume" and quietly replaced the paused run."""
    from gan_core.training.cycle_trainer import CycleTrainer

    step = CycleTrainer.step
    monkeypatch.setattr(CycleTrainer, "step", lambda self: (time.sleep(0.05), step(self))[1])
    page.selectbox(key="st_pair").set_value("moons:circles").run()
    assert page.button(key="st_train").label == "Train"
    page.button(key="st_train").click().run()
    page.button(key="st_pause").click().run()
    end = time.monotonic() + 20
    while time.monotonic() < end and cycle_runner(page).snapshot().status != "paused":
        time.sleep(0.2)
    page.run()
    assert not page.exception
    train = page.button(key="st_train")
    assert train.label == "Train anew" and "the paused one" in train.help and "is replaced" in train.help
    assert page.button(key="st_resume").label == "Resume"


@pytest.mark.parametrize("side", ["mnist", "digits8"])
def test_held_out_examples_start_with_the_plainest(side):
    """A class's first held-out example was a scrawled 4: the examples now run from the one the side's classifier reads
    most surely to the hardest, the same 32 digits as before."""
    import numpy as np

    from dashboard.resources import held_out_examples, load_classifier, real_images
    from gan_core.evaluation.image_metrics import classifier_outputs

    pics, labels = held_out_examples(side, 32)
    before, before_labels = real_images(side, 32)
    assert sorted(map(bytes, pics)) == sorted(map(bytes, before))  # the same digits, reordered
    assert sorted(labels.tolist()) == sorted(before_labels.tolist())
    _, probs = classifier_outputs(pics, load_classifier(side))
    sure = probs[np.arange(32), labels]
    assert np.all(np.diff(sure) <= 0) and sure[0] > 0.99, sure
