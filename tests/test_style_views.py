"""The latent explorer's style views (dashboard/style_views.py) through Streamlit's AppTest, on a small style model
written to a temporary pretrained/ folder; and the mixing grid's layout, computed by hand."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from dashboard.training.pool import live_runners
from gan_core.config import TrainConfig
from gan_core.runs import save_run
from gan_core.style_tools import mixing_grid
from gan_core.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "router.py")
NAME = "test-style-views"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def trainer() -> Trainer:
    cfg = TrainConfig.from_dict({
        "data": {"name": "mnist"}, "model": {"kind": "style", "z_dim": 16, "width": 8, "mapping_layers": 2},
        "optim": {"batch_size": 8}, "variant": "ns", "steps": 2, "eval_every": 0, "eval_samples": 10})
    t = Trainer(cfg)
    t.train()
    with torch.no_grad():
        for conv in t.G.convs:
            conv.noise.strength.fill_(0.3)
    return t


def test_mixing_grid_layout(trainer):
    g = trainer.G.eval()
    zb, zs = torch.randn(2, 16), torch.randn(3, 16)
    grid = mixing_grid(g, zb, zs, g.level_layers("coarse"))
    cell = 28 + 2  # image_grid's pad
    assert grid.shape == (2 + 3 * cell, 2 + 4 * cell)  # 1 + 2 rows, 1 + 3 columns
    assert grid[2:30, 2:30].max() == 0  # the corner is empty
    from gan_core.data.pixels import to_uint8

    with torch.no_grad():
        mixed = g.synthesis(g.mix(g.broadcast(g.map(zb[1:2])), g.broadcast(g.map(zs[2:3])), g.level_layers("coarse")))
    r, c = 2 + 2 * cell, 2 + 3 * cell  # base 1 is grid row 2, source 2 is grid column 3
    assert np.array_equal(grid[r:r + 28, c:c + 28], to_uint8(mixed)[0])


@pytest.fixture
def app(tmp_path, monkeypatch, trainer):
    import dashboard.resources as resources
    from streamlit.testing.v1 import AppTest

    save_run(trainer, tmp_path / NAME, checkpoint=False)
    monkeypatch.setattr(resources, "PRETRAINED", tmp_path)
    before = set(map(id, live_runners()))
    at = AppTest.from_file(APP, default_timeout=60)
    yield at
    for r in live_runners():
        if id(r) not in before:
            r.close()


def _images(at) -> list[str]:
    return [i.proto.imgs[0].url for i in at.get("image")]


def test_style_views_in_the_latent_explorer(app):
    app.run()
    app.switch_page("app_pages/latent.py").run()
    app.selectbox(key="lat_source").set_value(NAME).run()
    assert not app.exception
    views = app.segmented_control(key="lat_view")
    for view in ("Style mixing", "Truncation", "Noise", "W vs Z"):
        assert view in views.options
    prefix = f"lat_{NAME}_"
    views.set_value("Style mixing").run()
    assert not app.exception
    coarse = _images(app)
    assert len(coarse) == 1 and "the 7x7 styles (rows 0, 1 of w+)" in app.get("image")[0].proto.imgs[0].caption
    assert "(pose, which digit)" in " ".join(c.value for c in app.caption)
    app.segmented_control(key=prefix + "mx_levels").set_value(["fine"]).run()
    assert not app.exception and _images(app) != coarse
    assert "the 28x28 styles (rows 4, 5 of w+)" in app.get("image")[0].proto.imgs[0].caption
    app.radio(key=prefix + "mx_how").set_value("layer range").run()
    app.slider(key=prefix + "mx_range").set_value((0, 5)).run()
    assert not app.exception and "the 7x7, 14x14, 28x28 styles (rows 0, 1, 2, 3, 4, 5 of w+)" in app.get("image")[0].proto.imgs[0].caption
    for view in ("Truncation", "Noise", "W vs Z", "Principal directions"):
        app.segmented_control(key="lat_view").set_value(view).run()
        assert not app.exception, view
    app.segmented_control(key="lat_view").set_value("Noise").run()
    first = _images(app)
    app.button(key=prefix + "nz_btn").click().run()
    assert not app.exception and _images(app) != first  # fresh noise, same w


def test_the_truncation_curve_is_a_plotly_chart(app):
    """The rehearsal's console showed Vega-Lite warning of an infinite extent while the curve mounted."""
    app.run()
    app.switch_page("app_pages/latent.py").run()
    app.selectbox(key="lat_source").set_value(NAME).run()
    app.segmented_control(key="lat_view").set_value("Truncation").run()
    assert not app.exception
    assert not app.get("vega_lite_chart"), "Vega-Lite warns of an infinite extent while it mounts"
    charts = [el.proto.id for el in app.get("bidi_component")] + [c.proto.id for c in app.get("plotly_chart")]
    assert any(k.endswith("tr_spread") for k in charts), charts


@pytest.mark.parametrize("source, said", [
    (NAME, "The other 8 dimensions come from the seed (or the inverted image)."),
    ("ring8-classroom", "The other 56 dimensions come from the seed."),  # no "Invert a real image" view for 2D
])
def test_the_sliders_offer_the_inverted_image_only_where_inversion_is(app, tmp_path, source, said):
    (tmp_path / "ring8-classroom").symlink_to(ROOT / "pretrained" / "ring8-classroom", target_is_directory=True)
    app.run()
    app.switch_page("app_pages/latent.py").run()
    app.selectbox(key="lat_source").set_value(source).run()
    assert not app.exception
    views = app.segmented_control(key="lat_view").options
    assert ("Invert a real image" in views) == ("inverted" in said)
    captions = [c.value for c in app.caption if "dimensions come from" in c.value]
    assert captions == [said]


def test_train_page_settings_carry_growing_and_the_caption_follows_the_schedule():
    from dashboard import settings
    from dashboard.style_views import growth_caption

    s = settings.preset_settings("style-grow", "mnist")
    assert s["net"] == "style" and s["grow"] is True and s["grow_steps"] == 400
    cfg = settings.build_config(s)
    assert cfg.model.kind == "style" and cfg.model.grow and cfg.model.grow_steps == 400
    assert settings.from_query(settings.to_query(s))[0]["grow"] is True
    assert growth_caption(cfg, 100).startswith("Progressive growing: G and D at **7x7** pixels, stable")
    assert "**14x14** pixels, fading in with alpha 0.50" in growth_caption(cfg, 600)
    assert "**28x28** pixels, stable; fully grown" in growth_caption(cfg, 2000)
    assert growth_caption(settings.build_config({**s, "grow": False}), 100) is None
    assert growth_caption(settings.build_config(settings.preset_settings("dcgan", "mnist")), 100) is None


def test_the_mixing_caption_speaks_of_garments_for_fashion():
    """fashion-style's mixing caption spoke of "which digit" and "stroke" beside a grid of clothes."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/latent.py").run()
    at.selectbox(key="lat_source").set_value("fashion-style").run()
    at.segmented_control(key="lat_view").set_value("Style mixing").run()
    assert not at.exception
    said = " ".join(c.value for c in at.caption)
    assert "which garment" in said and "digit" not in said and "stroke" not in said
    captions = [i.caption for img in at.get("image") for i in img.proto.imgs]
    assert any("the 7x7 styles (rows 0, 1 of w+) from the sources" in c for c in captions), captions
