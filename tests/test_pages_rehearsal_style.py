"""What the projector rehearsal found on the Style transfer page, through AppTest: a paused run stays under its own
pair, the 2D metrics read in the legend's order, and the arrow plots keep the app's colours. (Its findings on the
latent explorer's style views are tested in tests/test_style_views.py.)"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest


ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "router.py")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class _PausedMoons:
    """A session's runner whose 2D run (moons -> circles) is paused at step 1,995; `start` only records the config."""

    owner_key = ""  # (the browser's key to the run, parking.py: none here)

    def __init__(self):
        from dashboard.training.cycle_runner import CycleSnapshot

        pts = np.zeros((4, 2), np.float32)
        self.snap = CycleSnapshot(status="paused", step=1995, steps=2000, pair="moons:circles",
                                  evals={"step": [1950], "cycle_ab": [0.012], "cycle_ba": [0.015]},
                                  panel={k: pts for k in ("a", "ab", "aba", "b", "ba", "bab")})
        self.started = []

    def snapshot(self):
        return self.snap

    def start(self, config, device="cpu"):
        self.started.append(config)

    def set_weights(self, *weights):
        pass


def _open_style_page(monkeypatch, runner):
    from streamlit.testing.v1 import AppTest

    import dashboard.resources

    monkeypatch.setattr(dashboard.resources, "session_cycle_runner", lambda: runner)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/style_transfer.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _live_keys(at) -> list[str]:
    return [el.proto.id for el in at.get("bidi_component") if el.proto.component_name == "gan_live_plot"]


def _buttons(at) -> list[str]:
    return [b.key for b in at.button]


def test_a_paused_run_stays_under_its_own_pair(monkeypatch):
    runner = _PausedMoons()
    at = _open_style_page(monkeypatch, runner)
    assert at.selectbox(key="st_pair").value == "moons:circles"  # the page opens on the run's pair
    assert _metrics(at)["Step"] == "1,995 / 2,000" and "st_resume" in _buttons(at)
    assert any(k.endswith("st_arrows_ab") for k in _live_keys(at))

    at.selectbox(key="st_pair").set_value("mnist:digits8").run()
    assert not at.exception
    assert "st_resume" not in _buttons(at), "Resume would continue the moons run under the digits pair"
    assert _metrics(at)["Step"] == "0" and "Cycle error B->A->B" not in _metrics(at)
    assert not any(k.endswith(("st_arrows_ab", "st_arrows_ba")) for k in _live_keys(at))
    said = [i.value for i in at.info]
    assert any("The paused run is on 2D: moons -> circles" in s and "choose that pair to resume it" in s
               for s in said), said
    assert not at.slider(key="st_lcls").disabled  # the class term is for this pair's Train, not the paused run

    at.button(key="st_train").click().run()  # Train starts this pair (replacing the moons run only now)
    assert [c.pair for c in runner.started] == ["mnist:digits8"]

    at.selectbox(key="st_pair").set_value("moons:circles").run()
    assert "st_resume" in _buttons(at) and _metrics(at)["Step"] == "1,995 / 2,000"


def test_the_2d_metrics_read_in_the_order_of_the_chart_legend(monkeypatch):
    at = _open_style_page(monkeypatch, _PausedMoons())
    labels = [m.label for m in at.metric]
    spec = next(json.loads(json.loads(el.proto.json)["spec"]) for el in at.get("bidi_component")
                if el.proto.id.endswith("st_progress"))
    legend = [t["name"] for t in spec["data"]]
    assert legend == ["cycle error A->B->A", "cycle error B->A->B"]
    assert labels.index("Cycle error A->B->A") < labels.index("Cycle error B->A->B")


def test_the_arrow_plots_keep_the_app_colours():
    from dashboard import charts, cycle_charts

    pts = np.zeros((4, 2), np.float32)
    fig = cycle_charts.arrows_2d({k: pts for k in ("a", "ab", "aba", "b")})
    colour = {t.name: t.marker.color for t in fig.data if t.mode == "markers"}
    assert colour["target domain"] == charts.REAL and colour["translations"] == charts.FAKE


def test_the_arrow_plots_draw_the_source_above_the_translations():
    """In the rehearsal the source moons, light grey under the translations and the arrows, could not be made out
    where the two shapes overlap; they are drawn above them now, dark, with the way back's crosses on top."""
    from dashboard import cycle_charts

    pts = np.zeros((4, 2), np.float32)
    names = [t.name for t in cycle_charts.arrows_2d({k: pts for k in ("a", "ab", "aba", "b")}).data]
    assert names.index("source domain") > max(names.index(n) for n in ("translations", "point -> translation",
                                                                        "translation -> way back"))
    assert names[-1] == "back in the source domain"


def test_the_progress_chart_s_directions_are_not_red_and_green():
    """The cycle errors were red against green, which a colour-blind pupil cannot tell apart."""
    from dashboard import charts, cycle_charts

    evals = {"step": [50, 100], "cycle_ab": [0.1, 0.2], "cycle_ba": [0.3, 0.1], "class_ab": [0.9, 0.9],
             "class_ba": [0.8, 0.9]}
    fig = cycle_charts.progress(evals, is_image=True)
    assert len(fig.data) == 4
    colours = {t.line.color for t in fig.data}
    assert colours == {"#E69F00", "#56B4E9"} and not colours & {charts.FAKE, charts.G_COLOUR, "#d62728", "#2ca02c"}



def test_a_paused_run_offers_resume_as_the_main_button(monkeypatch):
    """Rehearsal: with a run paused, Train (which replaces the run) was the dark main button and Resume a plain one;
    a teacher who meant to go on pressed Train."""
    at = _open_style_page(monkeypatch, _PausedMoons())
    assert at.button(key="st_resume").proto.type == "primary"
    assert at.button(key="st_train").proto.type == "secondary"
    at.selectbox(key="st_pair").set_value("mnist:digits8").run()  # another pair: Train is the main one again
    assert at.button(key="st_train").proto.type == "primary"


def test_the_shipped_translators_pictures_are_sent_inline(monkeypatch):
    """Rehearsal: moving the held-out slider quickly asked for /media/*.jpg files a newer rerun had already dropped
    (404, "Image source error" in the console). The pictures travel inside the page now, as the Train page's do."""
    at = _open_style_page(monkeypatch, _PausedMoons())
    at.selectbox(key="st_shipped").set_value("cyclegan-mnist-digits8").run()
    urls = [i.url for img in at.get("image") for i in img.proto.imgs]
    assert len(urls) == 3 and all(u.startswith("data:image/png;base64,") for u in urls), [u[:40] for u in urls]


def test_the_shipped_2d_translator_shows_both_ways_in_half_widths(monkeypatch):
    """Rehearsal: at the page's full width the equal-aspect chart ran from -8 to 8 and the shapes filled a quarter of
    it. Now A -> B and B -> A sit side by side, as on the live tab."""
    at = _open_style_page(monkeypatch, _PausedMoons())
    at.selectbox(key="st_shipped").set_value("cyclegan-moons-circles").run()
    assert not at.exception
    keys = _live_keys(at)
    assert any(k.endswith("st_shipped_2d") for k in keys) and any(k.endswith("st_shipped_2d_back") for k in keys)
