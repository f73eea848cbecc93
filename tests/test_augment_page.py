"""The Augmentation page: AppTest runs a tiny study through it (bars with error bars, the paragraph made from the
numbers, the conditional GAN's samples beside the real digits), and a real browser presses Run and sees the chart."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import CHROMIUM, CHROMIUM_ARGS as ARGS, free_port, start_server, stop_server, wait_healthy  # noqa: E402

APP = str(ROOT / "dashboard" / "router.py")
SHOTS = ROOT / "artifacts" / "screenshots"
PAGE = "app_pages/augmentation.py"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _bars(at) -> dict | None:
    for el in at.get("bidi_component"):
        if el.proto.component_name == "gan_live_plot" and el.proto.id.endswith("aug_bars"):
            return json.loads(json.loads(el.proto.json)["spec"])
    for chart in at.get("plotly_chart"):  # without the static script, live_chart falls back to st.plotly_chart
        return json.loads(chart.proto.spec)
    return None


def _picture(url: str):
    import base64
    import io

    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def _runner():
    from dashboard.training.augment_runner import live_augment_runners

    return live_augment_runners()


def test_a_tiny_study_on_the_page(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from gan_core.augmentation import conclusions, summarise

    before = set(map(id, _runner()))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE).run()
    assert not at.exception and any(t.value == "Do GANs help when labels are few?" for t in at.title)
    at.multiselect(key="aug_n").set_value([1])
    at.multiselect(key="aug_arms").set_value(["real", "cgan"])
    at.number_input(key="aug_seeds").set_value(2)
    at.number_input(key="aug_steps").set_value(10)
    at.number_input(key="aug_gan_steps").set_value(10)
    at.button[0].click().run()  # the form's Run
    mine = [r for r in _runner() if id(r) not in before]
    try:
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert mine, "the page started no study"
        end = time.monotonic() + 120
        while mine[0].snapshot().status in ("queued", "running") and time.monotonic() < end:
            time.sleep(0.5)
        at.run()
        snap = mine[0].snapshot()
        assert snap.status == "done" and len(snap.rows) == 4, snap.message
        spec = _bars(at)
        bars = {t["name"]: t for t in spec["data"]}
        assert set(bars) == {"Real only", "Conditional GAN samples"}
        for t in bars.values():  # two seeds: a mean and a standard error per bar
            assert len(t["y"]) == 1 and len(t["error_y"]["array"]) == 1 and 0 <= t["y"][0] <= 100
        paragraph = next(m.value for m in at.markdown if m.value.startswith("**What the numbers say.**"))
        assert paragraph.split("\n\n", 1)[1] == "\n".join(f"- {c}" for c in conclusions(summarise(list(snap.rows))))
        assert "scored best" in paragraph and "error bars" in paragraph
        captions = [c for img in at.get("image") for c in img.captions]
        assert captions == ["left: real, labeled; right: conditional GAN (a row per class)"], captions
        # N = 1: one column of real digits beside the GAN's 8, in one picture so that each class's row stays level
        # (the real grid drew 7 empty columns; two pictures side by side were drawn at different scales)
        from gan_core.pictures import image_grid

        one, eight = (image_grid(np.zeros((10 * k, 28, 28), np.uint8), cols=k) for k in (1, 8))
        picture = _picture(at.get("image")[0].proto.imgs[0].url)
        assert picture.size == (2 * (one.shape[1] + 12 + eight.shape[1]), 2 * eight.shape[0])
    finally:
        for r in mine:
            r.close()


try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
@pytest.mark.skipif(sync_playwright is None, reason="Playwright for Python is not installed (pip install playwright)")
def test_press_run_in_a_browser_and_the_chart_appears():
    port = free_port()
    proc = start_server(port, stderr=subprocess.PIPE)
    try:
        wait_healthy(port, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(30_000)
                errors, foreign = [], []
                page.on("console", lambda m: m.type == "error" and errors.append(m.text))
                page.on("response", lambda r: r.status >= 400 and errors.append(f"HTTP {r.status} for {r.url}"))
                page.on("request", lambda r: urlsplit(r.url).scheme not in ("data", "blob", "about")
                        and urlsplit(r.url).netloc != f"127.0.0.1:{port}" and foreign.append(r.url))
                page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
                page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
                page.get_by_text("Applications", exact=True).click()  # the top menu's section
                page.get_by_role("menuitem", name="Augmentation").click()
                run = page.get_by_role("button", name="Run", exact=True)
                run.wait_for()
                for label, value in (("Seeds", "1"), ("Classifier steps", "10"), ("GAN steps", "10")):
                    box = page.get_by_label(label, exact=True)
                    box.fill(value)
                    box.press("Tab")
                run.click()
                page.get_by_text("cells finished").first.wait_for(timeout=30_000)
                # the first finished cell draws its bar (a Plotly bar trace in the live chart)
                page.locator(".st-key-aug_bars .js-plotly-plot g.trace.bars path").first.wait_for(timeout=90_000)
                page.get_by_text("What the numbers say.").first.wait_for()
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "augmentation.png"), full_page=True)
                page.get_by_role("button", name="Stop", exact=True).click()
                assert page.locator('[data-testid="stException"]').count() == 0
                assert not errors and not foreign, (errors, foreign)
            finally:
                browser.close()
    finally:
        stop_server(proc)


def test_the_page_opens_on_the_shipped_study():
    """Before any run the page shows the shipped study (bench/results/augment-mnist): every arm's bars for every N,
    the reference, the paragraph made from those numbers and the conditional GAN's samples per N; nothing trains."""
    from streamlit.testing.v1 import AppTest

    from gan_core.augmentation import conclusions, read_results, summarise

    shipped = ROOT / "bench" / "results" / "augment-mnist"
    rows = read_results(shipped)
    seeds = len({r["seed"] for r in rows})
    assert seeds >= 3 and len(rows) == 13 * seeds, "the shipped study: 3 N x 4 arms and the all-labels reference per seed"
    before = set(map(id, _runner()))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any(h.value == f"The shipped study: MNIST, {seeds} seeds" for h in at.subheader)
    bars = {t["name"]: t for t in _bars(at)["data"]}
    assert set(bars) == {"Real only", "Classic augmentation", "Conditional GAN samples", "Semi-supervised GAN",
                         "All labels (reference)"}
    assert all(t["x"] == ["N = 1", "N = 10", "N = 100"] for name, t in bars.items() if name != "All labels (reference)")
    paragraph = next(m.value for m in at.markdown if m.value.startswith("**What the numbers say.**"))
    said = conclusions(summarise(rows))  # a bullet each: N = 1, 10, 100 and the all-labels reference
    assert len(said) == 4 and paragraph.split("\n\n", 1)[1] == "\n".join(f"- {c}" for c in said)
    assert "python -m gan_core augment" in " ".join(c.value for c in at.caption)
    assert len(at.get("image")) == 3  # N = 1, 10, 100: real beside generated
    assert all(r.snapshot().status == "idle" for r in _runner() if id(r) not in before)


ONE_SEED = [{"data": "mnist", "arm": arm, "N": 10, "seed": 0, "labels": 100, "accuracy": acc, "wall_time": 1.0}
            for arm, acc in (("real", 0.809), ("cgan", 0.776))]


class _FinishedStudy:
    """A session's runner whose study of one seed has finished (nothing trains)."""

    def __init__(self, rows: list[dict], seeds: tuple = (0,), status: str = "done"):
        from dashboard.training.augment_runner import AugmentSnapshot
        from gan_core.augmentation import Budget, StudyConfig

        config = StudyConfig(labels_per_class=(10,), seeds=seeds, arms=("real", "cgan"), budget=Budget(steps=10, gan_steps=10))
        self.snap = AugmentSnapshot(status=status, config=config, rows=tuple(rows), fraction=1.0, done_cells=len(rows),
                                    total_cells=len(rows) * len(seeds))

    def snapshot(self):
        return self.snap

    def stop(self) -> None:
        pass


def test_one_seed_has_no_plus_minus_in_the_summary():
    """One seed gives no standard error: the paragraph, summary.md's table and the charts' titles give no '±'."""
    from gan_core.augmentation import StudyConfig, conclusions, summarise
    from gan_core.augmentation.report import spread, summary_markdown

    stats = summarise(ONE_SEED)
    words = " ".join(conclusions(stats))
    assert "real images only scored best (80.9%), 3.3 points above adding conditional-GAN samples (77.6%)" in words
    assert "±" not in words and "from a single seed, so with no error bars" in words
    md = summary_markdown(StudyConfig(labels_per_class=(10,), seeds=(0,), arms=("real", "cgan")), ONE_SEED)
    assert "±" not in md and "| Real only | 80.9 | 1 |" in md and "one seed (0), so no error bars" in md
    assert spread(stats) == "one seed"
    from dashboard.charts import augment_bars

    hovers = [list(cell) for trace in augment_bars(stats).data for cell in trace.customdata]
    assert ["80.9%", "one seed"] in hovers and not any("±" in text for cell in hovers for text in cell)
    two = ONE_SEED + [{**r, "seed": 1} for r in ONE_SEED]
    assert spread(summarise(two)) == "mean ± s.e. over seeds" and "(80.9% ± 0.0)" in " ".join(conclusions(summarise(two)))


def test_a_finished_study_of_one_seed_on_the_page_and_the_way_back(monkeypatch):
    """The page's words for one seed carry no '±'; after a study, a button brings the shipped study back, and
    another the study just run."""
    from streamlit.testing.v1 import AppTest

    import dashboard.resources

    monkeypatch.setattr(dashboard.resources, "session_augment", lambda: _FinishedStudy(ONE_SEED))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE).run()
    assert not at.exception
    paragraph = next(m.value for m in at.markdown if m.value.startswith("**What the numbers say.**"))
    assert "scored best (80.9%)" in paragraph and "±" not in paragraph
    assert _bars(at)["layout"]["title"]["text"] == "Held-out accuracy (one seed)"
    assert any("One seed: no error bars." in c.value for c in at.caption)
    assert not any(h.value.startswith("The shipped study") for h in at.subheader)
    said = [p.proto.text for p in at.get("progress")]  # rehearsal: a finished study said "10 s so far (done)"
    assert len(said) == 1 and "s in all (done)" in said[0] and "so far" not in said[0], said
    at.button(key="aug_back").click().run()
    assert not at.exception
    assert any(h.value.startswith("The shipped study: MNIST") for h in at.subheader)
    at.button(key="aug_mine").click().run()
    assert not at.exception
    assert not any(h.value.startswith("The shipped study") for h in at.subheader)
    assert any("scored best (80.9%)" in m.value for m in at.markdown)


def test_a_study_stopped_after_one_of_two_seeds_says_one_seed_under_its_chart(monkeypatch):
    """Two seeds asked for, one finished before Stop: the caption agrees with the chart's title (no error bars)."""
    from streamlit.testing.v1 import AppTest

    import dashboard.resources

    monkeypatch.setattr(dashboard.resources, "session_augment",
                        lambda: _FinishedStudy(ONE_SEED, seeds=(0, 1), status="stopped"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert _bars(at)["layout"]["title"]["text"] == "Held-out accuracy (one seed)"
    assert any("One seed: no error bars." in c.value for c in at.caption)
    assert not any("Error bars" in c.value for c in at.caption)



def test_the_progress_line_names_the_arm_as_the_chart_does(monkeypatch):
    """'now Semi-supervised GAN, N = 10, seed 0', not the arm's code name 'sgan'."""
    import time
    from types import SimpleNamespace

    from dashboard.training import augment_runner
    from gan_core.augmentation import StudyConfig

    def fake_study(config, out, on_event, should_stop, data):
        cell = SimpleNamespace(arm="sgan", n=10, seed=0)
        on_event(SimpleNamespace(kind="progress", cell=cell, fraction=0.5, done_cells=0, total_cells=2))
        while not should_stop():
            time.sleep(0.01)

    monkeypatch.setattr(augment_runner, "run_study", fake_study)
    runner = augment_runner.AugmentRunner()
    try:
        runner.start(StudyConfig(labels_per_class=(10,), seeds=(0,), arms=("real", "sgan")))
        deadline = time.monotonic() + 30
        while not runner.snapshot().cell and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runner.snapshot().cell == "Semi-supervised GAN, N = 10, seed 0"
    finally:
        runner.close()


def test_a_study_with_no_finished_cell_draws_no_numbers_along_its_empty_axis():
    """Browser rehearsal: a study running, or stopped before its first cell, showed an empty chart whose x axis read
    -0.5 ... 3.5, numbers that mean nothing there; the note "no finished cell yet" says it instead."""
    from dashboard.charts import augment_bars

    fig = augment_bars([])
    assert fig.layout.xaxis.showticklabels is False
    assert any("no finished cell yet" in a.text for a in fig.layout.annotations)
