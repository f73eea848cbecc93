"""A preset loaded on the Train page trains what the preset says (found in a browser rehearsal: style-grow trained
with EMA decay 0.9, the first choice of the slider, instead of its 0.998; tutorial-mlp built G 3 x 256 and D 3 x 1024
instead of the tutorial's 256-512-1024 and 1024-512-256)."""
import pytest

from dashboard import settings
from gan_core.training.presets import preset_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("name", settings.PAGE_PRESETS["images"])
def test_each_image_preset_builds_its_own_network_and_recipe(name):
    built = settings.build_config(settings.preset_settings(name, "mnist"))
    own = preset_config(name, {"data": {"name": "mnist"}})
    assert built.model.g_hidden == own.model.g_hidden and built.model.d_hidden == own.model.d_hidden
    assert built.variant == own.variant and built.recipe.ema == own.recipe.ema


def test_uneven_widths_hold_until_the_layers_or_units_change():
    s = settings.preset_settings("tutorial-mlp", "mnist")
    assert settings.build_config(s).model.g_hidden == (256, 512, 1024)
    assert settings.build_config({**s, "g_units": 300}).model.g_hidden == (300, 300, 300)
    assert settings.build_config({**s, "d_layers": 2}).model.d_hidden == (1024, 1024)
    link = settings.to_query(s)
    assert link["g_widths"] == "256-512-1024" and settings.from_query(link)[0]["d_widths"] == "1024-512-256"
    kept, said = settings.from_query({"data": "mnist", "g_widths": "256-x"})
    assert kept["g_widths"] == "" and "like 256-512-1024" in said[0] and "using layers x units" in said[0]


@pytest.fixture
def app(fresh_app):
    fresh_app.run()
    fresh_app.selectbox(key="w_data").set_value("mnist").run()
    return fresh_app


def test_loading_style_grow_keeps_its_ema_decay(app):
    app.selectbox(key="w_preset").set_value("style-grow").run()
    assert not app.exception
    assert app.select_slider(key="w_ema").value == 0.998


def test_loading_tutorial_mlp_says_its_uneven_widths_beside_the_layers(app):
    app.selectbox(key="w_preset").set_value("tutorial-mlp").run()
    assert not app.exception
    said = [c.value for c in app.sidebar.caption]
    assert any("G is built 256-512-1024" in c for c in said) and any("D is built 1024-512-256" in c for c in said), said
    app.number_input(key="w_g_units").set_value(128).run()
    assert not any("G is built" in c.value for c in app.sidebar.caption)


def test_a_loaded_preset_is_named_and_explained_under_the_box(app):
    """Rehearsal: the box went back to its placeholder and nothing on the page said what had been loaded."""
    app.selectbox(key="w_preset").set_value("cgan").run()
    said = [c.value for c in app.sidebar.caption]
    assert any(c.startswith("Loaded **cgan**:") for c in said), said


def test_a_conditional_generators_samples_stand_one_class_per_column():
    """Rehearsal: the cgan's 64 samples asked for classes 0-9 in turn stood 8 to a row, so the classes ran diagonally
    and a teacher could not point at "the 3s". Ten columns put class k in column k (60 of the 64)."""
    from dashboard.training.snapshot import Record
    from gan_core import Trainer

    t = Trainer(preset_config("cgan", {"data": {"name": "mnist"}, "steps": 2}))
    v = Record(t).views(t)
    assert v.by_class and v.shown == 60 and v.grid.shape[:2] == (6 * 30 + 2, 10 * 30 + 2)  # 28 px, 2 px gaps
    plain = Trainer(preset_config("dcgan", {"data": {"name": "mnist"}, "steps": 2}))
    assert not Record(plain).views(plain).by_class



def test_a_long_preset_description_is_folded_after_its_first_sentence(fresh_app):
    """Rehearsal: collapse-ttur's description took 15 lines of the sidebar and pushed "GAN variant" down."""
    app = fresh_app
    app.run()
    app.selectbox(key="w_preset").set_value("collapse-ttur").run()
    assert not app.exception
    about = settings.PRESETS["collapse-ttur"].about
    first, rest = settings.first_sentence(about)
    assert first.startswith("A sharp mode collapse within two minutes") and len(first) < len(about) and rest
    said = [c.value for c in app.sidebar.caption]
    assert f"Loaded **collapse-ttur**: {first}" in said and rest in said
    assert any(e.label == "More on collapse-ttur" for e in app.sidebar.expander)
    assert settings.first_sentence("Metz et al. 2016 did it. Then more.") == ("Metz et al. 2016 did it.", "Then more.")
