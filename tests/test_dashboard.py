"""The dashboard as a user sees it, through Streamlit's AppTest (no browser, no network).

Each test runs the router (dashboard/router.py) in a fresh session. The bad-CSV test drives the
real file uploader (AppTest supports uploads in this Streamlit version).
"""
import json
import time
from pathlib import Path

import pytest
import torch

from dashboard.training.pool import live_runners

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "router.py")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def app(fresh_app):
    """The router in a session of its own run (conftest.fresh_app: no earlier test's runner is handed over)."""
    return fresh_app


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def live_charts(at) -> dict[str, dict]:
    """The Train page's live charts (dashboard/live_plot.py), key -> the Plotly figure handed to the browser."""
    out = {}
    for el in at.get("bidi_component"):
        if el.proto.component_name == "gan_live_plot":
            out[el.proto.id.rsplit("-", 1)[-1]] = json.loads(json.loads(el.proto.json)["spec"])
    return out


def shipped_mnist_generators() -> list[str]:
    """The MNIST generators under pretrained/: the project ships them, so a missing one is a failure."""
    from dashboard.resources import list_pretrained

    shipped = [n for n in list_pretrained() if n.startswith("mnist")]
    assert shipped, "pretrained/ holds no MNIST generator; the app's Latent explorer relies on the shipped ones"
    return shipped


def session_runner(before=()):
    fresh = [r for r in live_runners() if r.trainer is not None and id(r) not in before]
    assert fresh, "the page made no runner"
    return fresh[-1]


def until(at, cond, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        time.sleep(0.4)
        at.run()
        if cond():
            return True
    return False


def test_every_page_loads(app):
    app.run()
    assert not app.exception
    assert metric(app, "Step") == "0"
    charts = live_charts(app)
    assert {"view2d", "c_loss", "c_d", "c_grad", "c_modes"} <= set(charts), set(charts)
    assert charts["c_loss"]["layout"]["title"]["text"] == "Losses"
    for page, title in [("app_pages/latent.py", "Latent explorer"), ("app_pages/arena.py", "Mode-collapse arena"),
                        ("app_pages/about.py", "GAN Classroom"), ("app_pages/train.py", "Train live")]:
        app.switch_page(page).run()
        assert not app.exception, page
        assert any(t.value == title for t in app.title), page


def test_train_advances_and_pause_holds(app):
    """Train: the step count, the losses and the loss curves move; Pause: they hold."""
    app.run()
    assert metric(app, "D loss") == "-" and metric(app, "Steps/s") == "-"  # no speed before a run, not a speed of 0
    app.button(key="btn_train").click().run()
    assert until(app, lambda: int(metric(app, "Step").replace(",", "")) > 10)
    assert not app.exception
    assert float(metric(app, "D loss")) > 0 and float(metric(app, "G loss")) > 0
    assert live_charts(app)["c_loss"]["data"]  # the loss curves are drawn
    app.button(key="btn_pause").click().run()
    held = metric(app, "Step"), metric(app, "D loss"), live_charts(app)["c_loss"]
    time.sleep(0.6)
    app.run()
    assert (metric(app, "Step"), metric(app, "D loss"), live_charts(app)["c_loss"]) == held
    assert app.button(key="btn_train").label == "Resume"
    assert metric(app, "Steps/s") == metric(app, "Examples/s") == "-"  # paused: as the Style transfer page says it


def test_the_mode_marks_count_what_the_modes_metric_counts(app):
    """Rehearsal: grid25 paused at step 3,846 said Modes 20/25 while its map showed 18 rings and 7 crosses: the marks
    came from the few hundred points drawn, the metric from the evaluation. The marks now follow the evaluation."""
    import base64

    import numpy as np

    app.run()
    app.selectbox(key="w_data").set_value("grid25").run()
    app.button(key="btn_reset").click().run()
    app.button(key="btn_train").click().run()
    assert until(app, lambda: any(m.label == "Modes" for m in app.metric), timeout=60)
    app.button(key="btn_pause").click().run()
    assert not app.exception
    covered = int(metric(app, "Modes").split("/")[0])
    marks = {t["name"]: t for t in live_charts(app)["view2d"]["data"] if t.get("name", "").startswith("mode ")}

    def count(trace) -> int:
        x = trace.get("x", [])
        return len(np.frombuffer(base64.b64decode(x["bdata"]), x["dtype"])) if isinstance(x, dict) else len(x)

    assert count(marks["mode covered"]) == covered and count(marks["mode missed"]) == 25 - covered


def _trace(fig: dict, kind: str) -> dict:
    """D's map (the heatmap) or the fakes (markers named fake) of the 2D view."""
    if kind == "heatmap":
        return next(t for t in fig["data"] if t["type"] == "heatmap")
    return next(t for t in fig["data"] if t.get("name") == "fake")


def test_each_step_button_shows_its_own_result_on_the_same_click(app):
    """One click, one run of the page: Step D redraws D's map and leaves the fakes; Step G moves the fakes and
    counts the step; the next sub-step names itself. No second rerun is needed to see any of it."""
    app.run()
    before = live_charts(app)["view2d"]
    app.button(key="btn_step_d").click().run()
    after_d = live_charts(app)["view2d"]
    assert _trace(after_d, "heatmap")["z"] != _trace(before, "heatmap")["z"]
    assert _trace(after_d, "fake")["x"] == _trace(before, "fake")["x"]
    assert metric(app, "Step") == "0"  # half an iteration: the step count waits for G
    assert any("Discriminator step: update D" in m.value for m in app.markdown)
    app.button(key="btn_step_g").click().run()
    after_g = live_charts(app)["view2d"]
    assert metric(app, "Step") == "1" and metric(app, "D loss") != "-"
    assert _trace(after_g, "fake")["x"] != _trace(after_d, "fake")["x"]
    assert any("Generator step: update G" in m.value for m in app.markdown)
    app.toggle(key="w_slow").set_value(True).run()
    app.button(key="btn_sub").click().run()
    assert any("Discriminator step: sample noise" in m.value for m in app.markdown)
    assert not app.exception


def test_a_preset_fills_the_widgets(app):
    """Loading a preset sets every widget it names, and the link follows."""
    from dashboard.settings import preset_settings

    app.run()
    want = preset_settings("unrolled-2d", "ring8")
    assert app.number_input(key="w_z").value != want["z"]
    app.selectbox(key="w_preset").set_value("unrolled-2d").run()
    assert not app.exception
    assert app.number_input(key="w_z").value == want["z"] == 256
    assert app.number_input(key="w_g_layers").value == want["g_layers"]
    assert list(app.multiselect(key="w_stabilisers").value) == list(want["stabilisers"]) == []
    assert app.select_slider(key="w_lr_d").value == want["lr_d"]
    assert app.number_input(key="w_steps").value == want["steps"]
    assert app.query_params["z"] == "256" and app.query_params["stab"] == "none"


def test_the_link_carries_settings_only(app):
    """After a step, the address holds the settings and nothing that names or opens this session's run."""


def test_the_train_page_tells_the_occupancy_in_words_after_an_evaluation(app):
    """The occupancy view's caption is computed from the run's own evaluations (share per mode)."""
    app.run()
    assert any("appears after the first evaluation" in c.value for c in app.caption)
    app.button(key="btn_train").click().run()
    assert until(app, lambda: any(c.value.startswith("So far: this run") for c in app.caption), timeout=120)
    assert not app.exception


def test_step_d_changes_only_d(app):
    before = set(map(id, live_runners()))
    app.run()
    runner = session_runner(before)
    app.number_input(key="w_seed").set_value(7).run()
    app.button(key="btn_step_both").click().run()
    assert metric(app, "Step") == "1"
    params = dict(app.query_params)
    assert params == {"seed": "7"}, params
    assert runner.run_id and runner.owner_key


def test_latent_slider_changes_the_picture(app):
    app.run()
    for _ in range(3):
        app.button(key="btn_step_both").click().run()
    time.sleep(0.3)
    app.switch_page("app_pages/latent.py").run()
    assert not app.exception
    first = live_charts(app)
    slider = next(s for s in app.slider if s.label == "z[0]")
    slider.set_value(2.5).run()
    assert not app.exception
    second = live_charts(app)
    assert first and first.keys() == second.keys()
    assert all(first[k]["data"] != second[k]["data"] for k in first)  # where the point lands moved


def test_bad_csv_upload_shows_an_error(app):
    app.run()
    app.selectbox(key="w_data").set_value("upload").run()
    assert not app.exception
    app.get("file_uploader")[0].upload("points.csv", b"x;y\n1;2\n3;4\n", "text/csv").run()
    assert not app.exception
    assert any("cannot be used" in e.value and "commas" in e.value for e in app.error)
    app.get("file_uploader")[0].upload("points.csv", b"x,y\n0,0\n1,1\n2,0\n", "text/csv").run()
    assert not app.exception
    assert any("3 points loaded" in s.value for s in app.success)


def test_bad_values_in_the_link_fall_back_to_defaults(app):
    app.query_params.update({"lr_g": "banana", "objective": "nope", "z": "4", "data": "grid25"})
    app.run()
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "lr_g" in warnings and "objective" in warnings
    assert app.number_input(key="w_z").value == 4
    assert app.selectbox(key="w_data").value == "grid25"


def test_invalid_setting_is_shown_next_to_it(app):
    app.run()
    app.selectbox(key="w_objective").set_value("wgan").run()
    app.multiselect(key="w_stabilisers").set_value(["sn"]).run()
    assert not app.exception
    assert any("spectral" in e.value for e in app.error)
    assert app.button(key="btn_train").disabled


def test_diffaug_is_offered_for_images_only_and_dropped_when_the_data_becomes_2d(app):
    app.run()
    assert "diffaug" not in app.multiselect(key="w_stabilisers").options  # the default data is 2D
    app.selectbox(key="w_data").set_value("mnist").run()
    assert "diffaug" in app.multiselect(key="w_stabilisers").options
    app.multiselect(key="w_stabilisers").set_value(["ema", "diffaug"]).run()
    assert not app.exception and not app.error
    app.selectbox(key="w_data").set_value("ring8").run()
    assert not app.exception and not app.error
    assert "diffaug" not in app.multiselect(key="w_stabilisers").options
    assert "diffaug" not in app.multiselect(key="w_stabilisers").value


def test_a_link_asking_for_diffaug_on_2d_data_says_it_was_dropped(app):
    app.query_params.update({"data": "ring8", "stab": "ema,diffaug"})
    app.run()
    assert not app.exception and not app.error
    warnings = " ".join(w.value for w in app.warning)
    assert "diffaug dropped" in warnings and "2D" in warnings
    assert list(app.multiselect(key="w_stabilisers").value) == ["ema"]


def test_a_link_asking_for_diffaug_on_images_keeps_it(app):
    app.query_params.update({"data": "mnist", "stab": "ema,diffaug"})
    app.run()
    assert not app.exception
    assert not any("diffaug" in w.value for w in app.warning)
    assert list(app.multiselect(key="w_stabilisers").value) == ["ema", "diffaug"]


def test_mnist_shows_a_grid_of_samples(app):
    app.run()
    app.selectbox(key="w_data").set_value("mnist").run()
    assert not app.exception
    assert app.number_input(key="w_z").value == 100  # the image family's defaults were loaded
    # Before the first step: the classifier's one tall bar over G's grey squares is explained, its sample count named
    assert any(c.value.startswith("Before the first step G draws grey noise") for c in app.caption)
    assert live_charts(app)["c_hist"]["layout"]["title"]["text"].startswith("Which classes the classifier reads in ")
    app.button(key="btn_step_both").click().run()
    time.sleep(1.0)
    app.run()
    assert not app.exception
    assert len(app.get("image")) >= 2  # the fixed-batch samples and the real images
    assert {"c_loss", "c_d", "c_grad", "c_hist", "c_fid"} <= set(live_charts(app))  # curves, class histogram, FID
    assert not any(c.value.startswith("Before the first step") for c in app.caption)


def test_latent_slider_on_a_shipped_image_generator(app):
    shipped = shipped_mnist_generators()
    app.run()
    app.switch_page("app_pages/latent.py").run()
    app.selectbox(key="lat_source").set_value(shipped[0]).run()
    assert not app.exception
    before = [i.proto.imgs[0].url for i in app.get("image")]
    next(s for s in app.slider if s.label == "z[0]").set_value(2.5).run()
    after = [i.proto.imgs[0].url for i in app.get("image")]
    assert not app.exception and before and before != after


def _zip_of_digits(n: int, traversal: bool = False) -> bytes:
    import io
    import zipfile

    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(n):
            img = np.zeros((40, 40), np.uint8)
            img[8:32, 16 + i % 4:22 + i % 4] = 255  # a bar, shifted a little per picture
            png = io.BytesIO()
            Image.fromarray(img).save(png, format="PNG")
            zf.writestr(f"class/digits/{i}.png", png.getvalue())
        if traversal:
            zf.writestr("../../escape.png", png.getvalue())
    return buf.getvalue()


def test_a_shipped_2d_generator_shows_its_modes_sharpness_and_evenness_next_to_it(app):
    """The 2D generators have no class card: the explorer says what their metrics.json (eval --json) says."""
    import json
    from pathlib import Path

    m = json.loads((Path(__file__).resolve().parents[1] / "pretrained" / "grid25-classroom" / "metrics.json").read_text())
    app.switch_page("app_pages/latent.py").run()
    app.selectbox(key="lat_source").set_value("grid25-classroom").run()
    assert not app.exception
    headline = [x.value for x in app.markdown if "modes covered" in x.value]
    assert headline == [f"**On {m['samples']:,} samples: {m['modes']}/25 modes covered, {m['hq']:.1%} of the samples sharp "
                        f"(within 3 sigma of a mode), reverse KL {m['kl']:.3f} (0 when every mode gets the same share).**"]


def _open_inversion(app, source: str) -> str:
    app.run()
    app.switch_page("app_pages/latent.py").run()
    app.selectbox(key="lat_source").set_value(source).run()
    app.segmented_control(key="lat_view").set_value("Invert a real image").run()
    prefix = f"lat_{source}_"
    app.radio(key=prefix + "inv_src").set_value("upload a zip of pictures").run()
    return prefix


def test_a_zip_of_pictures_can_be_inverted_one_by_one(app):
    shipped = shipped_mnist_generators()
    prefix = _open_inversion(app, shipped[0])
    app.file_uploader(key=prefix + "inv_zip").set_value(("class.zip", _zip_of_digits(3), "application/zip")).run()
    assert not app.exception and not app.error
    assert any("3 pictures read" in c.value for c in app.caption)
    pick = app.slider(key=prefix + "inv_zip_idx")
    assert (pick.min, pick.max) == (0, 2)
    pick.set_value(2).run()
    assert any("picture 2: class/digits/2.png" in c.value for c in app.caption)
    app.button(key=prefix + "inv_go").click().run()
    assert not app.exception and any("Pixel error fell" in s.value for s in app.success)


def test_a_zip_that_climbs_out_of_its_folder_is_refused_with_a_message(app):
    shipped = shipped_mnist_generators()
    prefix = _open_inversion(app, shipped[0])
    app.file_uploader(key=prefix + "inv_zip").set_value(("bad.zip", _zip_of_digits(2, traversal=True),
                                                        "application/zip")).run()
    assert not app.exception
    assert any("cannot be used" in e.value and "unsafe name" in e.value for e in app.error)


def test_the_step_budget_follows_the_data_unless_the_user_set_it(app):
    """grid25 needs 24,000 steps with the classroom recipe: a default budget follows the data, a chosen one stays."""
    from dashboard.settings import default_steps

    app.run()
    assert app.number_input(key="w_steps").value == default_steps("ring8") == 5000
    app.selectbox(key="w_data").set_value("grid25").run()
    assert not app.exception and app.number_input(key="w_steps").value == 24_000
    app.selectbox(key="w_data").set_value("ring8").run()
    assert app.number_input(key="w_steps").value == 5000
    app.number_input(key="w_steps").set_value(1234).run()
    app.selectbox(key="w_data").set_value("grid25").run()
    assert app.number_input(key="w_steps").value == 1234



def test_the_stabilisers_follow_the_data_unless_the_user_chose_them(app):
    """On grid25 the classroom preset's D also sees each batch's spread (mbstd); on ring8 it does not. Stabilisers
    left at the default follow the data, chosen ones stay."""
    app.run()
    assert list(app.multiselect(key="w_stabilisers").value) == ["pacgan", "ema"]
    app.selectbox(key="w_data").set_value("grid25").run()
    assert not app.exception and list(app.multiselect(key="w_stabilisers").value) == ["pacgan", "ema", "mbstd"]
    assert any("ns+pacgan-2+ema+mbstd" in e.label for e in app.expander)  # "What is `ns+pacgan-2+ema+mbstd`?"
    app.selectbox(key="w_data").set_value("ring8").run()
    assert list(app.multiselect(key="w_stabilisers").value) == ["pacgan", "ema"]
    app.multiselect(key="w_stabilisers").set_value(["pacgan", "ema", "r1"]).run()
    app.selectbox(key="w_data").set_value("grid25").run()
    assert list(app.multiselect(key="w_stabilisers").value) == ["pacgan", "ema", "r1"]

def test_the_arena_page_runs_variants_on_mnist_and_shows_their_digits(app):
    """Image data in the arena page: the runs train the DCGAN, the page shows each variant's digits, the classes
    found and the verdict in words."""
    app.switch_page("app_pages/arena.py").run()
    app.selectbox(key="ar_data").set_value("mnist").run()
    assert not app.exception
    assert any("evaluation classifier" in m.value for m in app.markdown)
    app.selectbox(key="ar_network").set_value("tutorial-mlp")  # the tutorial's MLP: the network that collapses
    app.multiselect(key="ar_variants_images").set_value(["ns", "pacgan-2"])
    app.number_input(key="ar_steps_images").set_value(10)
    app.number_input(key="ar_every_images").set_value(10)
    app.button[0].click().run()  # the form's "Start the arena"
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert until(app, lambda: any(m.value.startswith("- **") for m in app.markdown), timeout=120)
    assert not app.exception
    ranking = app.dataframe[0].value  # the ranking table
    assert sorted(ranking["variant"]) == ["ns", "pacgan-2"] and ranking["modes"].between(1, 10).all()
    captions = [c for img in app.get("image") for c in img.captions]
    assert len(captions) == 2 and all("/10 classes" in c for c in captions), captions
    verdicts = [m.value for m in app.markdown if m.value.startswith("- **")]
    assert len(verdicts) == 2 and all("of the 10 classes" in v for v in verdicts), verdicts
    assert all("Most of its samples (seed 0, last evaluation): " in v for v in verdicts), verdicts


def test_the_arena_page_says_how_long_grid25_takes_and_where_the_sharp_grid_is(app):
    """grid25's contrast needs a longer wait than ring8's: the page says how long, what it showed, and where the
    sharp full grid is shipped (a generator the Latent explorer lists)."""
    app.switch_page("app_pages/arena.py").run()
    note = lambda: [c.value for c in app.caption if "grid25 the defaults take longer" in c.value]  # noqa: E731
    assert not note()  # ring8, the default data: no such wait
    app.selectbox(key="ar_data").set_value("grid25").run()
    assert not app.exception and len(note()) == 1
    assert "3-5 minutes" in note()[0] and "grid25-classroom" in note()[0]
    from dashboard.resources import list_pretrained

    assert "grid25-classroom" in list_pretrained()


def test_the_arena_page_opens_the_shipped_pacgan_arena_on_grid25_at_once(app):
    """PacGAN's setup takes 8-10 minutes a run: on grid25 the page offers the shipped arena of it, whose numbers are
    those of its results.csv, with each variant's picture, occupancy and story."""
    import pandas as pd

    from dashboard.arena_shipped import shipped_for

    folder, label = shipped_for("grid25")
    assert shipped_for("ring8-pacgan") is None
    app.switch_page("app_pages/arena.py").run()
    app.selectbox(key="ar_data").set_value("grid25").run()
    app.toggle(key="ar_shipped_grid25").set_value(True).run()
    assert not app.exception
    shown = app.dataframe[0].value
    saved = pd.read_csv(folder / "results.csv")
    assert list(shown["variant"]) == list(saved["variant"]) == ["ns", "pacgan-2"]
    assert list(shown["modes (of 25)"]) == list(saved["modes"])
    # the panel's words are the page's (a projector cannot read the picture's own caption line), from results.csv
    shipped_pictures = [c for img in app.get("image") for c in img.captions if ", at the end: " in c]
    assert shipped_pictures == [f"{r.variant}, seed 0, at the end: {r.modes}/25 modes covered, {100 * r.hq:.0f}% of the "
                                f"samples sharp (HQ), reverse KL {r.kl:.2f}. Orange: its samples; blue circles: the "
                                f"true centres." for r in saved.itertuples()]
    stories = [m.value for m in app.markdown if m.value.startswith(("- seed", "**ns", "**pacgan"))]
    assert len(stories) == 2, [m.value[:60] for m in app.markdown]


def test_the_arena_page_opens_the_shipped_ring8_arena_of_its_defaults_seed_by_seed(app, monkeypatch):
    """ring8's default arena (collapse-ttur: vanilla, ns, ns+r1, ns+sn, 12,000 steps) is shipped on 5 seeds: the table
    has every run; the picture, the share per mode and the sentence are those of the seed chosen."""
    import pandas as pd

    from dashboard.arena_shipped import shipped_for
    from gan_core.arena.verdict import explain, occupancy
    from gan_core.data.points import MIXTURES

    import streamlit as st

    folder, label = shipped_for("ring8")
    assert "5 seeds" in label
    app.switch_page("app_pages/arena.py").run()
    heights, dataframe = [], st.dataframe
    monkeypatch.setattr(st, "dataframe", lambda *a, **kw: (heights.append(kw.get("height")), dataframe(*a, **kw))[1])
    app.toggle(key="ar_shipped_ring8").set_value(True).run()
    assert not app.exception
    saved = pd.read_csv(folder / "results.csv")
    shown = app.dataframe[0].value
    assert len(shown) == len(saved) == 20 and list(shown["modes (of 8)"]) == list(saved["modes"])
    # all 20 rows on the page: a box of ten that scrolls hid the last variants on a projector
    assert heights == ["content"]
    assert list(dict.fromkeys(shown["variant"])) == ["vanilla", "ns", "ns+r1", "ns+sn"]
    # the card speaks of held modes and the table counts covered ones: what each means is said under the table
    assert any(c.value.startswith("**modes (of 8)** counts a mode once") and "**held** modes" in c.value
               for c in app.caption)
    curves = pd.read_csv(folder / "curves.csv")
    for seed in (0, 3):
        app.selectbox(key="ar_shipped_seed_ring8").set_value(seed).run()
        assert not app.exception
        captions = [c for img in app.get("image") for c in img.captions if ", at the end: " in c]
        finals = saved[saved["seed"] == seed]
        assert captions == [f"{r.variant}, seed {seed}, at the end: {r.modes}/8 modes covered, {100 * r.hq:.0f}% of the "
                            f"samples sharp (HQ), reverse KL {r.kl:.2f}. Orange: its samples; blue circles: the true "
                            f"centres." for r in finals.itertuples()]
        assert [c.split(",")[0] for c in captions] == ["vanilla", "ns", "ns+r1", "ns+sn"]
        run = curves[(curves["variant"] == "ns") & (curves["seed"] == seed)]
        story = [m.value for m in app.markdown if m.value.startswith("**ns**")]
        assert story == [explain("ns", occupancy(run), MIXTURES["ring8"].centres)]


def test_the_arena_page_opens_the_shipped_tutorial_mlp_arena_on_mnist(app):
    """On MNIST the shipped arena of the tutorial's MLP opens at once: every run in the table, and for the seed chosen
    each variant's samples, its share per class over training and a sentence naming the classes it draws most."""
    import pandas as pd

    from dashboard.arena_shipped import shipped_for

    folder, label = shipped_for("mnist")
    app.switch_page("app_pages/arena.py").run()
    app.selectbox(key="ar_data").set_value("mnist").run()
    app.toggle(key="ar_shipped_mnist").set_value(True).run()
    assert not app.exception
    saved = pd.read_csv(folder / "results.csv")
    shown = app.dataframe[0].value
    assert len(shown) == len(saved) == 9 and list(shown["classes (of 10)"]) == list(saved["modes"])
    curves = pd.read_csv(folder / "curves.csv")
    for seed in (0, 2):
        app.selectbox(key="ar_shipped_seed_mnist").set_value(seed).run()
        assert not app.exception
        captions = [c for img in app.get("image") for c in img.captions if "its samples at the end" in c]
        assert captions == [f"{v}: its samples at the end (seed {seed})" for v in ("ns", "ns+r1+ema", "ns+pacgan-2")]
        last = curves[(curves["variant"] == "ns") & (curves["seed"] == seed)].sort_values("step").iloc[-1]
        share_of_1s = f"1 ({last['share_1']:.0%})"
        story = [m.value for m in app.markdown if m.value.startswith("**ns** produced")]
        assert len(story) == 1 and f"(seed {seed}, last evaluation): {share_of_1s}" in story[0], story


def test_the_arena_page_tells_each_2d_variants_story_from_its_occupancy(app):
    """2D data: after a short arena each variant gets a verdict in words read off its occupancy history (the
    share of samples per mode over training), with the modes named where a student sees them."""
    app.switch_page("app_pages/arena.py").run()
    assert app.selectbox(key="ar_network_2d").value == "collapse-ttur"  # the default networks
    app.selectbox(key="ar_network_2d").set_value("collapse-metz2016")  # the paper's networks run as well
    app.multiselect(key="ar_variants_2d").set_value(["vanilla", "pacgan-2"])
    app.number_input(key="ar_steps_2d").set_value(200)
    app.number_input(key="ar_every_2d").set_value(200)
    app.button[0].click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert until(app, lambda: sum(m.value.startswith("- **") for m in app.markdown) == 2, timeout=180)
    verdicts = [m.value for m in app.markdown if m.value.startswith("- **")]
    words = ("has not learnt the modes yet", "kept all 8 modes", "collapsed", "modes (")
    assert all(any(w in v for w in words) for v in verdicts), verdicts
    assert "deg" not in " ".join(verdicts)  # compass points, not angles


def test_the_image_verdict_names_collapse_and_evenness():
    import pandas as pd

    from dashboard.training.arena_runner import explain_images

    finals = pd.DataFrame([{"variant": "a", "seed": 0, "modes": 10, "hq": 0.8, "kl": 0.02},
                           {"variant": "b", "seed": 0, "modes": 2, "hq": 0.95, "kl": 1.5},
                           {"variant": "c", "seed": 0, "modes": 700, "hq": float("nan"), "kl": 0.6}])
    assert "evenly" in explain_images("a", finals, "mnist") and "80% sure" in explain_images("a", finals, "mnist")
    assert "mode collapse" in explain_images("b", finals, "mnist")
    one_missing = pd.DataFrame([{"variant": "d", "seed": 0, "modes": 9, "hq": 0.87, "kl": 0.69}])
    assert "9 of the 10 classes; one class never appeared" in explain_images("d", one_missing, "mnist")  # not "1": a digit
    c = explain_images("c", finals, "stacked-mnist")
    assert "700 of the 1,000 digit triples" in c and "the other 300 never appeared" in c and "sure" not in c
    assert "no finished run" in explain_images("zzz", finals, "mnist")
    # several runs: each run's count, never a fractional mean ("9.333 of the 10 classes")
    three = pd.DataFrame([{"variant": "e", "seed": s, "modes": m, "hq": 0.9, "kl": 0.3} for s, m in enumerate((9, 10, 9))])
    e = explain_images("e", three, "mnist")
    assert "9-10 of the 10 classes (9 / 10 / 9 in its 3 runs)" in e and "in 2 of its 3 runs at least one class" in e, e
    assert "9.3" not in e and "0.667" not in e and "mean KL 0.30" in e
    full = pd.DataFrame([{"variant": "f", "seed": s, "modes": 10, "hq": 0.9, "kl": 0.05} for s in range(3)])
    assert "produced 10 of the 10 classes (10 / 10 / 10 in its 3 runs), evenly" in explain_images("f", full, "mnist")
    # a collapse in some runs is named, not hidden behind the others' counts
    mixed = pd.DataFrame([{"variant": "g", "seed": s, "modes": m, "hq": 0.9, "kl": 0.9} for s, m in enumerate((2, 2, 10))])
    assert "in 2 of its 3 runs most of its pictures fall into a few classes" in explain_images("g", mixed, "mnist")
    stacked = pd.DataFrame([{"variant": "h", "seed": s, "modes": m, "hq": float("nan"), "kl": 0.4}
                            for s, m in enumerate((998, 1000, 712))])
    assert "712-1,000 of the 1,000 digit triples (998 / 1,000 / 712 in its 3 runs)" in explain_images("h", stacked,
                                                                                                      "stacked-mnist")
    unfinished = pd.DataFrame([{"variant": "i", "seed": 0, "modes": float("nan"), "hq": float("nan"), "kl": float("nan")}])
    assert "no finished run" in explain_images("i", unfinished, "mnist")


def test_a_new_learning_rate_applies_live_without_asking_for_a_reset(app):
    """The classroom recipe's rates come from the sidebar: moving one changes the running trainer's rate and
    does not ask for a new run."""
    before = set(map(id, live_runners()))
    app.run()
    runner = session_runner(before)
    assert runner.trainer.base_lr_g == 0.002  # what the sidebar shows by default
    app.button(key="btn_step_both").click().run()
    assert until(app, lambda: metric(app, "Step") == "1", timeout=10)
    app.select_slider(key="w_lr_g").set_value(0.001).run()
    assert not app.exception
    assert runner.trainer.base_lr_g == 0.001
    assert not any("Press **Reset**" in i.value for i in app.info), [i.value for i in app.info]


def test_the_two_decay_controls_show_one_value(app):
    """Rehearsal: the Live knobs' decay at 0.69 left the sidebar's LR decay at 0.99, and the next change of a
    learning rate in the sidebar sent 0.99 back to the run. The two controls now move together."""
    before = set(map(id, live_runners()))
    app.run()
    runner = session_runner(before)
    app.button(key="btn_step_both").click().run()
    assert until(app, lambda: metric(app, "Step") == "1", timeout=10)
    knob = next(s for s in app.slider if s.key.startswith("knob_lr_decay"))
    assert knob.value == app.select_slider(key="w_lr_decay").value == runner.trainer.lr_decay
    knob.set_value(0.69).run()
    assert not app.exception
    assert runner.trainer.lr_decay == 0.69 and app.select_slider(key="w_lr_decay").value == 0.69
    app.select_slider(key="w_lr_d").set_value(0.001).run()  # another rate moved: the decay stays the knob's
    assert not app.exception and runner.trainer.lr_decay == 0.69 and runner.trainer.base_lr_d == 0.001
    app.select_slider(key="w_lr_decay").set_value(0.9).run()  # and the sidebar moves the knob
    assert runner.trainer.lr_decay == 0.9
    assert next(s for s in app.slider if s.key.startswith("knob_lr_decay")).value == 0.9


def test_after_a_change_that_needs_a_new_run_no_button_steps_the_old_one(app):
    """Changing the objective asks for Reset; until then Train, Step D, Step G, Step both and Next sub-step are
    off, so the class never watches the old variant step under the new one's name."""
    app.run()
    app.button(key="btn_step_both").click().run()
    assert until(app, lambda: metric(app, "Step") == "1", timeout=10)
    app.selectbox(key="w_objective").set_value("hinge").run()
    assert any("Press **Reset**" in i.value for i in app.info), [i.value for i in app.info]
    for key in ("btn_train", "btn_step_d", "btn_step_g", "btn_step_both", "btn_sub"):
        assert app.button(key=key).disabled, key
    assert not app.button(key="btn_reset").disabled
    app.button(key="btn_reset").click().run()
    assert not app.button(key="btn_step_both").disabled


def test_choosing_draw_your_own_beside_a_stepped_run_opens_the_canvas_and_steps_nothing(app):
    """'Draw your own' chosen beside a run on other data that has stepped: the old run cannot be stepped (the class
    would think it is the drawn data), the page says to draw first, and the canvas is open at the top."""
    app.run()
    app.button(key="btn_step_both").click().run()
    assert until(app, lambda: metric(app, "Step") == "1", timeout=10)
    app.selectbox(key="w_data").set_value("draw").run()
    assert not app.exception
    said = [i.value for i in app.info]
    assert sum(v.startswith("Draw your data first") for v in said) == 1, said  # beside the canvas, once
    assert any(v.startswith("The run shown is the previous one: draw your data in the canvas above, then press "
                            "**Reset**") for v in said), said
    assert not any("Press **Reset**" in v for v in said), said
    for key in ("btn_train", "btn_step_d", "btn_step_g", "btn_step_both", "btn_sub", "btn_reset"):
        assert app.button(key=key).disabled, key
    canvas = [e for e in app.expander if e.label.startswith("Your data")]
    assert len(canvas) == 1 and canvas[0].proto.expanded


def test_an_arena_on_missing_fashion_mnist_says_where_to_get_it(monkeypatch, tmp_path):
    """Fashion-MNIST is not bundled: without its files (and offline) the arena refuses to start with the
    data set's own message, instead of failing every run."""
    import gan_core.data.images as image_data
    from dashboard.training.arena_runner import ArenaRunner
    from dashboard.training.pool import TrainingPool

    monkeypatch.setattr(image_data, "idx_search_dirs", lambda name, data_dir=None: [tmp_path])
    monkeypatch.setattr(image_data, "_download_with_torchvision", lambda name: "failed (network disabled in tests)")
    runner = ArenaRunner(TrainingPool(1))
    with pytest.raises(ValueError, match="Fashion-MNIST .* is not available"):
        runner.start("fashion-mnist", ["ns"], 1, 10, 10)
    assert not runner.running and runner.snapshot().status == "idle"


def test_the_server_runs_no_full_garbage_collection_after_each_rerun():
    """Streamlit's default runs gc.collect() after every rerun, the Train page's once-a-second redraw included:
    about 0.1 s holding the interpreter lock in a server with torch loaded, taken from the training thread
    (BENCHMARKS.md, dashboard). The project's config turns it off; Streamlit itself must read it that way."""
    import subprocess
    import sys

    code = ("from streamlit import config; config.get_config_options(force_reparse=True); "
            "print(config.get_option('runner.postScriptGC'), config.get_option('server.fileWatcherType'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["False", "none"], out.stdout + out.stderr


def test_the_live_charts_keep_their_identity_while_their_pictures_change(app):
    """The browser updates a chart in place (Plotly.react) only while its identity holds: a picture that
    changes must not give the chart a new identity (st.plotly_chart's did, and the browser rebuilt all five
    charts every second, losing any zoom)."""
    before_runners = set(map(id, live_runners()))
    app.run()
    runner = session_runner(before_runners)
    ids = sorted(el.proto.id for el in app.get("bidi_component"))
    before = live_charts(app)["view2d"]
    app.button(key="btn_step_both").click().run()
    assert until(app, lambda: runner.snapshot().step >= 1, timeout=20)
    app.run()
    assert not app.exception
    after = live_charts(app)["view2d"]
    assert sorted(el.proto.id for el in app.get("bidi_component")) == ids
    fakes = [[t for t in fig["data"] if t.get("name") == "fake"][0] for fig in (before, after)]
    assert fakes[0]["x"] != fakes[1]["x"], "one step of G should move the fakes"
    # Plotly.react keeps the user's zoom while uirevision holds: the same all along one run
    assert after["layout"]["uirevision"] == before["layout"]["uirevision"] == runner.run_id != ""


def test_a_live_chart_falls_back_to_plotly_chart_without_the_static_script(monkeypatch):
    """Where Plotly's script cannot be put beside the app (a read-only install), the chart is still drawn."""
    from streamlit.testing.v1 import AppTest

    from dashboard import live_plot

    def script():
        import plotly.graph_objects as go

        from dashboard.live_plot import live_chart

        live_chart(go.Figure(dict(data=[dict(type="scatter", x=[0, 1], y=[1, 0])])), key="only")

    monkeypatch.setattr(live_plot, "asset_ready", lambda: False)
    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1 and not at.get("bidi_component")
    monkeypatch.undo()
    at = AppTest.from_function(script, default_timeout=30).run()
    assert len(at.get("bidi_component")) == 1 and not at.get("plotly_chart")


def test_every_live_option_has_a_knob_inside_the_range_the_engine_accepts():
    from dashboard.settings import KNOB_RANGES
    from gan_core.variants import LIVE_OPTIONS, option_range

    from dashboard.settings import KNOB_LABELS

    assert set(KNOB_RANGES) == set(LIVE_OPTIONS) == set(KNOB_LABELS)
    # in words first (a rehearsal met a bare "r1_gamma" beside "D steps per G step"), the option's name after them
    assert all(" " in KNOB_LABELS[n] and (n in KNOB_LABELS[n] or n == "n_critic") for n in KNOB_LABELS)
    for name, (lo, hi) in KNOB_RANGES.items():
        low, high = option_range(name)
        assert low <= lo < hi <= high, name


def test_a_new_run_keeps_its_own_variant_options(app):
    """Switching to wgan-gp builds a run with its critic's 5 D steps; the live knobs of the previous run (1 D step)
    do not write their old values into it."""
    before = set(map(id, live_runners()))
    app.run()
    runner = session_runner(before)
    assert runner.snapshot().recipe.n_critic == 1
    app.selectbox(key="w_objective").set_value("wgan-gp").run()
    app.multiselect(key="w_stabilisers").set_value([]).run()
    assert not app.exception and runner.snapshot().config.variant == "wgan-gp"
    assert runner.snapshot().recipe.n_critic == 5 and runner.snapshot().recipe.gp_lambda == 10.0
    knob = next(s for s in app.slider if s.key.startswith("knob_n_critic"))
    assert knob.value == 5


def test_gradient_clipping_is_a_live_knob_and_the_chart_shows_its_threshold(app):
    """With the `clip` stabiliser the gradient-norm chart draws the norms before clipping and the threshold, and
    moving the live knob changes the running trainer's threshold."""
    before = set(map(id, live_runners()))
    app.run()
    app.multiselect(key="w_stabilisers").set_value(["clip"]).run()
    app.button(key="btn_reset").click().run()
    assert not app.exception
    runner = session_runner(before)
    assert runner.snapshot().recipe.clip_norm == 1.0
    grad = live_charts(app)["c_grad"]
    assert "before clipping" in grad["layout"]["title"]["text"]
    line = next(t for t in grad["data"] if t["name"] == "clip_norm 1")
    assert line["y"] == [1.0, 1.0]
    next(s for s in app.slider if s.key.startswith("knob_clip_norm")).set_value(0.5).run()
    assert not app.exception and runner.snapshot().recipe.clip_norm == 0.5


def test_the_explorer_shows_the_card_beside_the_generator_and_about_tells_the_collapse(app):
    """The exhibit's card in the Latent explorer names both checks' numbers and the command; the About page tells
    the story with the class histogram over training."""
    card = json.loads((ROOT / "pretrained" / "mnist-tutorial-mlp-as-written" / "card.json").read_text())
    metrics = json.loads((ROOT / "pretrained" / "mnist-tutorial-mlp-as-written" / "metrics.json").read_text())
    app.run()
    app.switch_page("app_pages/latent.py").run()
    app.selectbox(key="lat_source").set_value("mnist-tutorial-mlp-as-written").run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert card["verdict"] in text
    assert f"| {metrics['classifier_classes_covered']}/10 | {metrics['knn_classes_covered']}/10 |" in text
    assert any(card["training"]["command"] in c.value for c in app.code)
    app.switch_page("app_pages/about.py").run()
    assert not app.exception
    assert any("Mode collapse, step by step" in m.value for m in app.markdown)


def test_about_fills_the_sidebar_with_links_to_the_lessons_pages(app):
    """The sidebar that Train live fills with its settings stood empty on About; it now links the lesson's pages."""
    app.run()
    app.switch_page("app_pages/about.py").run()
    assert not app.exception
    links = [e for e in app.sidebar if type(e).__name__ == "PageLink" or getattr(e, "type", "") == "page_link"]
    labels = " ".join(str(getattr(e, "label", "") or e.proto.label) for e in links)
    for name in ("Train live", "Latent explorer", "Mode-collapse arena", "Style transfer", "Augmentation"):
        assert name in labels, labels
