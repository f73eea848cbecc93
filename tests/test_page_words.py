"""What the pages say and show, checked without a browser: colours, messages, class names, pictures.

- Colours: every chart builder draws only with the app's legend (Okabe-Ito colours, plus black and greys), and
  the same thing always gets the same colour (real = blue, fake = vermillion, in every chart).
- Messages: a config error reaches the page in the page's words (the setting's label, no 'optim.lr_g=').
- Pictures go to st.image as data URIs that decode back to the same pixels (nothing to fetch from /media/).
- Words that must stay true: the About page names every page and the arena's data; the arena's intro on images
  claims no network its shipped arena or its form does not use.
"""
from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dashboard import charts, settings
from dashboard.pictures import data_uri
from gan_core.evaluation.probes2d import Views2D
from gan_core.data.images import class_names
from gan_core.data.points import MIXTURES

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def _views(k: int = 8) -> Views2D:
    rng = np.random.default_rng(0)
    g = np.linspace(-2, 2, 5)
    return Views2D(bounds=(-2, 2, -2, 2), real=rng.normal(size=(50, 2)), fake=rng.normal(size=(50, 2)), grid_x=g,
                   grid_y=g, d_map=rng.uniform(size=(5, 5)), d_is_probability=True, manifold=rng.normal(size=(3, 4, 2)),
                   arrow_from=rng.normal(size=(6, 2)), arrow_dir=rng.normal(size=(6, 2)),
                   centres=rng.normal(size=(k, 2)), covered=np.arange(k) % 2 == 0)


def _colours(fig) -> set[str]:
    """Every colour a figure names (hex, rgb/rgba and colour-scale stops), upper-cased hex or 'rgb(r,g,b)'."""
    spec = fig.to_plotly_json()
    spec["layout"].pop("template", None)  # plotly's default look; the app draws with its own (live_plot.TEMPLATE)
    text = json.dumps(spec, default=str)
    found = {m.upper() for m in re.findall(r"#[0-9a-fA-F]{6}\b", text)}
    for r, g, b in re.findall(r"rgba?\((\d+),\s*(\d+),\s*(\d+)", text):
        found.add("#%02X%02X%02X" % (int(r), int(g), int(b)))
    return found


def _allowed(colour: str) -> bool:
    """The legend's colours, a darker shade of G's green (its push ticks), black, white and greys."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return colour in OKABE_ITO or colour == "#006E50" or r == g == b


def test_every_chart_draws_with_the_legend_colours_only():
    history = pd.DataFrame({"step": [1, 2, 3], "d_loss": [1.0, 0.9, 0.8], "g_loss": [0.7, 0.8, 0.9],
                            "d_real": [0.6, 0.5, 0.5], "d_fake": [0.4, 0.5, 0.5], "d_grad": [1, 2, 3], "g_grad": [3, 2, 1]})
    evals = pd.DataFrame({"step": [100, 200], "modes": [3, 8], "hq": [0.2, 0.9]})
    v = _views()
    figures = [charts.view_2d(v, {}), charts.curves(history, {"d_loss": "D loss", "g_loss": "G loss"}, "L", "loss"),
               charts.curves(history, {"d_real": "real", "d_fake": "fake"}, "D", "D", colours=(charts.REAL, charts.FAKE)),
               charts.mode_metrics_chart(evals, 8), charts.class_histogram(np.arange(10)),
               charts.scatter_points(v.fake, "z", highlight=v.fake[:1]), charts.arena_panel(v.fake, v.centres, 0.1, "x")]
    for fig in figures:
        bad = sorted(c for c in _colours(fig) if not _allowed(c))
        assert not bad, f"{fig.layout.title.text!r} uses colours outside the legend: {bad}"


def test_real_and_fake_keep_one_colour_each():
    fig = charts.view_2d(_views(), {})
    by_name = {t.name: t for t in fig.data}
    assert by_name["real"].marker.color == charts.REAL and by_name["fake"].marker.color == charts.FAKE
    scale = [c for _, c in by_name["D"].colorscale]
    assert scale[0] == charts.FAKE and scale[-1] == charts.REAL  # D says fake -> vermillion, real -> blue
    assert charts.class_histogram(np.ones(10)).data[0].marker.color == charts.FAKE  # the generator's samples
    legend = charts.legend_html()
    for name, colour, _ in charts.LEGEND:
        assert legend.count(colour) == 1 and f"<b>{name}</b>" in legend


def test_modes_are_marked_by_shape():
    v = _views(k=6)
    marks = {t.name: t for t in charts.view_2d(v, {}).data if t.name and t.name.startswith("mode")}
    assert len(marks["mode covered"].x) == 3 and len(marks["mode missed"].x) == 3
    assert marks["mode covered"].marker.symbol != marks["mode missed"].marker.symbol


def test_the_real_points_are_drawn_over_the_mode_marks():
    """ring8's clusters are smaller than a cross: drawn over them, the crosses hid the real data at step 0."""
    names = [t.name for t in charts.view_2d(_views(), {}).data]
    assert names.index("real") > names.index("mode missed") and names.index("real") > names.index("mode covered")


@pytest.mark.parametrize("message, expected", [
    ("optim.lr_g=20 is out of range; it must be at least 1e-06 and at most 10", "G learning rate 20 is out of range"),
    ("optim.batch_size=3 must be a multiple of the pack size 2", "Batch size 3 must be a multiple"),
    ("variant_options.n_critic=30 is out of range; it must be between 1 and 20", "D steps per G step 30 is out"),
    ("seed=-1 is out of range; it must be at least 0", "Seed -1 is out of range"),
])
def test_config_errors_are_said_in_the_page_words(message, expected):
    said = settings.page_message(message)
    assert said.startswith(expected)
    assert not re.search(r"\b(optim|model|data|variant_options)\.[a-z_]+", said)


def test_a_refused_upload_is_not_called_a_missing_one():
    """Rehearsal: with a refused CSV uploaded, the note beside the chart still said 'Upload a CSV file of points
    first', while the upload box showed the file's name."""
    said = settings.missing_points("upload", refused=True)
    assert "cannot be used" in said and "upload it again" in said and said != settings.missing_points("upload")


def test_missing_points_are_asked_for_in_plain_words():
    for data in ("draw", "upload"):
        said = settings.missing_points(data)
        assert "data.points" not in said and said[0].isupper()
        with pytest.raises(ValueError, match=re.escape(said)):
            settings.build_config(settings.defaults_for(data), None)


def test_stop_at_full_coverage_is_offered_only_where_modes_exist():
    assert set(settings.DATA_WITH_MODES) == {d for d in settings.DATA_CHOICES_2D if d in MIXTURES}


def test_fashion_classes_have_their_garment_names():
    names = class_names("fashion-mnist")
    assert len(names) == 10 and names[0] == "T-shirt/top" and names[9] == "Ankle boot"
    assert class_names("mnist") == [str(i) for i in range(10)]


def test_pictures_travel_as_data_uris():
    img = (np.arange(28 * 28) % 256).astype(np.uint8).reshape(28, 28)
    uri = data_uri(img)
    assert uri.startswith("data:image/png;base64,")
    back = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    assert np.array_equal(back, img)
    assert data_uri(b"GIF89a...", "image/gif").startswith("data:image/gif;base64,")


def _page(path: str, **widgets):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "router.py"), default_timeout=60)
    at.switch_page(path).run()
    for key, value in widgets.items():
        at.selectbox(key=key).set_value(value).run()
    assert not at.exception
    return at


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_about_page_names_every_page_and_every_arena_data():
    text = " ".join(m.value for m in _page("app_pages/about.py").markdown)
    assert "ring or grid of Gaussians" not in text
    assert all(d in text for d in ("MNIST, Fashion-MNIST and Stacked MNIST", "**Style transfer**", "**Augmentation**"))
    for title in ("Train live", "Latent explorer", "Mode-collapse arena"):
        assert f"**{title}**" in text
    # only the Train page keeps its settings in the address bar: the promise is made for it alone
    assert "On **Train live**, the settings live in the address bar" in text
    assert "Settings live in the address bar" not in text
    # the Train page's data, as its Data menu offers them (Fashion-MNIST was left out)
    train = text.split("**Train live**", 1)[1].split("**", 1)[0]
    assert all(name in train for name in ("2D mixtures", "drawing or CSV", "MNIST digits", "Fashion-MNIST")), train


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_collapse_story_says_what_its_numbers_and_shades_mean():
    """The About page's collapse story used FID, recall, coverage and a k-NN vote unexplained, and its heat map
    said only "darker = more"."""
    at = _page("app_pages/about.py")
    said = " ".join(c.value for c in at.caption)
    for word in ("**FID**", "**Recall**", "**coverage**", "**pixel k-NN vote**"):
        assert word in said
    captions = [i.caption for img in at.get("image") for i in img.proto.imgs]
    assert any("darkest blue = half of the samples or more" in c and "10% each" in c for c in captions), captions


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("data, networks", [("mnist", "the same networks,"), ("fashion-mnist", "the same networks,"),
                                            ("stacked-mnist", "the same DCGAN (the `dcgan` preset")])
def test_the_arena_intro_names_only_the_networks_every_arena_there_gets(data, networks):
    """MNIST's shipped arena is the tutorial's MLP and its form offers the DCGAN too: the intro claims no one network."""
    at = _page("app_pages/arena.py", ar_data=data)
    intro = next(m.value for m in at.markdown if m.value.startswith("Every variant gets"))
    assert networks in intro and (data == "stacked-mnist" or "DCGAN" not in intro)


def test_the_first_evaluation_is_seen_on_its_charts():
    """After the first evaluation the FID chart holds one value: a marker on axes from 0 (a line of one point drew
    nothing on an axis of 499.5-500.5), and the class heatmap's one column is ticked at its step."""
    history = pd.DataFrame({"step": [10, 250, 500], "fid": [np.nan, np.nan, 480.0]})
    fig = charts.curves(history, {"fid": "classifier FID"}, "FID", "FID")
    assert fig.data[0].mode == "lines+markers"
    assert list(fig.layout.xaxis.range) == [0, 550] and fig.layout.yaxis.rangemode == "tozero"
    losses = pd.DataFrame({"step": np.arange(1, 101), "d_loss": np.ones(100)})
    dense = charts.curves(losses, {"d_loss": "D loss"}, "L", "loss")
    assert dense.data[0].mode == "lines" and dense.layout.xaxis.range is None
    # said on every redraw: the live chart keeps its layout (uirevision), so the first range set would stay
    assert dense.layout.xaxis.autorange is True and fig.layout.xaxis.autorange is False
    evals = pd.DataFrame({"step": [500], **{f"share_{i}": [0.1] for i in range(10)}})
    heat = charts.occupancy(evals, labels=[str(i) for i in range(10)])
    assert list(heat.layout.xaxis.tickvals) == [500] and list(heat.layout.xaxis.ticktext) == ["500"]


def test_the_fid_chart_has_a_yardstick_and_no_numbers_on_empty_axes():
    """Before its first value the FID chart printed numbers along empty axes and had nothing to compare a value
    with. The empty chart now has no tick labels on its step axis, and the shipped DCGAN's FID (read from its card)
    stands across it as a labelled dotted line, there before and after the first point."""
    from dashboard.train_views import fid_references

    refs = fid_references("mnist")
    card_fid = json.loads((Path(__file__).resolve().parents[1] / "pretrained/mnist-dcgan/metrics.json").read_text())["fid"]
    assert list(refs.values()) == [card_fid] and f"{card_fid:.1f}" in next(iter(refs))
    assert "fashion-dcgan" in next(iter(fid_references("fashion-mnist"))) and fid_references("digits8") == {}
    # rehearsal: the tutorial MLP trained live was measured against the DCGAN; now against its own shipped recipe
    from dashboard.train_views import network_of
    from gan_core.training.presets import preset_config

    for preset, shipped in (("tutorial-mlp", "mnist-tutorial-mlp"), ("cgan", "mnist-cgan"), ("dcgan", "mnist-dcgan")):
        config = preset_config(preset, {"data": {"name": "mnist"}})
        label, fid = next(iter(fid_references("mnist", network_of(config)).items()))
        card = json.loads((Path(__file__).resolve().parents[1] / f"pretrained/{shipped}/metrics.json").read_text())
        assert label.startswith(f"shipped {shipped}: ") and fid == card["fid"], (preset, label)
    empty = pd.DataFrame({"step": [], "fid": []})
    fig = charts.curves(empty, {"fid": "classifier FID"}, "FID", "FID", references=refs)
    assert fig.layout.xaxis.showticklabels is False
    line = fig.layout.shapes[0]
    assert line.y0 == line.y1 == card_fid and fig.layout.yaxis.range[1] > card_fid
    assert any(a.text == next(iter(refs)) for a in fig.layout.annotations)
    bare = charts.curves(empty, {"fid": "classifier FID"}, "FID", "FID")
    assert bare.layout.xaxis.showticklabels is False and bare.layout.yaxis.showticklabels is False
    later = charts.curves(pd.DataFrame({"step": [500, 1000], "fid": [300.0, 120.0]}), {"fid": "classifier FID"},
                          "FID", "FID", references=refs)
    assert later.layout.xaxis.showticklabels is None and later.layout.shapes[0].y0 == card_fid
    no_evals = pd.DataFrame()  # the other evaluation charts before their first point: no made-up numbers either
    heat = charts.occupancy(no_evals, labels=[str(i) for i in range(10)])
    assert heat.layout.xaxis.showticklabels is False and heat.layout.yaxis.showticklabels is False
    assert charts.mode_metrics_chart(no_evals, 8).layout.xaxis.showticklabels is False


def test_the_latent_paths_start_ring_shows_around_the_star():
    """Browser rehearsal: z's own place is often the path's start, and its 9 px ring hid under the 16 px star, so
    the legend's '(ring)' named nothing to be seen. The ring is now wider than the star."""
    pts = np.zeros((10, 2), np.float32)
    path = np.linspace([0.0, 0.0], [1.0, 1.0], 5)
    fig = charts.scatter_points(pts, "z", highlight=pts[:1], path=path, path_name="z[0] from -3 (ring) to 3")
    ring, star = fig.data[1], fig.data[2]
    assert ring.marker.symbol[0] == "circle-open" and star.marker.symbol == "star"
    assert ring.marker.size[0] > star.marker.size


def test_the_class_histograms_are_drawn_at_twice_their_size_in_a_scalable_font():
    """Rehearsal: the exhibit's class histogram, 386 pixels wide, was stretched across the page, its bitmap letters
    blurred and spaced out ("writte n", "ste p"). Drawn at twice the size, the cells are the same colours."""
    from gan_core.pictures import share_heatmap

    rng = np.random.default_rng(0)
    shares, steps = rng.dirichlet(np.ones(10), size=7).T, np.arange(1, 8) * 500
    one, two = share_heatmap(shares, steps, "title", scale=1), share_heatmap(shares, steps, "title")
    assert two.shape[0] == 2 * one.shape[0] and two.shape[1] >= 2 * one.shape[1] - 16
    for r in range(10):
        for c in range(7):
            assert (one[22 + 20 * r + 10, 28 + 22 * c + 11] == two[44 + 40 * r + 20, 56 + 44 * c + 22]).all()
    root = Path(__file__).resolve().parents[1] / "pretrained"
    drawn = sorted(root.glob("*/class_history.png"))
    assert drawn
    for path in drawn:
        assert Image.open(path).size[1] == 2 * (22 + 10 * 20 + 30), path  # K = 10 classes, title, step labels


@pytest.mark.parametrize("data", ["mnist", "fashion-mnist", "digits8"])
def test_the_real_images_shown_hold_many_classes(data):
    """Rehearsal: the bundled MNIST test digits are sorted by class, and the 32 shown (Train page, Style transfer's
    held-out examples) were all 0s."""
    from dashboard.resources import real_images

    imgs, labels = real_images(data, 32)
    assert imgs.shape == (32, 28, 28) and len(set(labels.tolist())) >= 8, labels
    again = real_images(data, 32)
    assert np.array_equal(again[0], imgs) and np.array_equal(again[1], labels)  # the same 32 every time


def test_the_main_views_title_names_what_is_shown():
    """Rehearsal: with D's map turned off the chart was still titled "D's map, the real and the fake points"."""
    assert charts.view_2d(_views(), {}).layout.title.text == "D's map, the real and the fake points"
    assert charts.view_2d(_views(), {"heatmap": False}).layout.title.text == "The real and the fake points"
    assert charts.view_title({"heatmap": False, "real": False}) == "The fake points"
    assert "mode covered" in charts.legend_html() and "mode" not in charts.legend_html(modes=False)


def test_the_style_losses_and_the_grid_distances_keep_the_legends_colours():
    """Rehearsal: Style transfer's losses drew F (a generator) in violet and D_A in blue (real's colour), and the
    Train page's grid JS / KL curves took D's and G's colours for numbers that are neither."""
    from dashboard import cycle_charts

    n = 5
    series = {"step": list(range(n)), **{k: [1.0] * n for k in cycle_charts.LOSSES}}
    fig = cycle_charts.losses(series)
    colour = {t.name: t.line.color for t in fig.data}
    assert colour["G (A->B) adversarial"] == colour["F (B->A) adversarial"] == charts.G_COLOUR
    assert colour["D_A"] == colour["D_B"] == charts.D_COLOUR
    others = [c for name, c in colour.items() if "adversarial" not in name and not name.startswith("D_")]
    assert charts.G_COLOUR not in others and charts.D_COLOUR not in others and charts.REAL not in others
    bad = sorted(c for c in _colours(fig) if not _allowed(c))
    assert not bad, bad
    history = pd.DataFrame({"step": [1, 2], "grid_js": [0.5, 0.4], "grid_kl": [1.0, 0.8]})
    import inspect

    from dashboard import train_views

    src = inspect.getsource(train_views)
    assert 'colours=(charts.MODE, charts.NEUTRAL)' in src.split('"grid_js": "grid JS"', 1)[1][:300]
    grid = charts.curves(history, {"grid_js": "grid JS", "grid_kl": "grid KL"}, "t", "d",
                         colours=(charts.MODE, charts.NEUTRAL))
    assert {t.line.color for t in grid.data} == {charts.MODE, charts.NEUTRAL}


def test_the_style_pages_empty_charts_have_no_numbers_on_their_axes():
    """Rehearsal: before a run the Losses chart showed made-up axes (loss -1 to 4, steps 0 to 6), and after a switch of
    pair the empty charts kept the last run's (0-930 steps, 0-80%)."""
    from dashboard import cycle_charts

    for fig in (cycle_charts.losses({}), cycle_charts.progress({}, True), cycle_charts.progress({}, False)):
        assert fig.layout.xaxis.showticklabels is False and fig.layout.yaxis.showticklabels is False
    drawn = cycle_charts.losses({"step": [1, 2], "loss_g": [1.0, 0.5]})
    assert drawn.layout.xaxis.showticklabels is not False


def test_arena_variants_that_score_alike_stay_visible_on_top_of_each_other():
    """Two variants holding all 8 modes drew the same line, and the second hid the first."""
    import pandas as pd

    from dashboard.charts import arena_lines

    df = pd.DataFrame([{"variant": v, "seed": s, "step": step, "modes": 8}
                       for v in ("ns", "ns+r1", "ns+sn") for s in (0, 1) for step in (500, 1000)])
    fig = arena_lines(df, "modes", "Modes", "modes", order=["ns", "ns+r1", "ns+sn"])
    assert [t.name for t in fig.data] == ["ns", "ns+r1", "ns+sn"]
    widths = [t.line.width for t in fig.data]
    sizes = [t.marker.size for t in fig.data]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3  # each drawn inside the one below
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 3
    assert len({t.marker.symbol for t in fig.data}) == 3


def test_the_train_pages_story_of_a_finished_run_is_not_so_far():
    """A finished collapse-ttur run still said 'So far:'; and the map's rings are named as such."""
    import pandas as pd

    from dashboard.train_views import _story
    from gan_core.data.points import MIXTURES

    near = [0.45, 0.01, 0.02, 0.0, 0.0, 0.0, 0.01, 0.51]
    sharp = [0.4, 0.004, 0.01, 0.0, 0.0, 0.0, 0.002, 0.5]
    rows = [{"step": step, "hq": 0.9, **{f"near_{i}": near[i] for i in range(8)},
             **{f"share_{i}": sharp[i] for i in range(8)}} for step in (500, 1000, 1500, 2000)]
    evals, centres = pd.DataFrame(rows), MIXTURES["ring8"].centres
    assert _story(evals, centres).startswith("So far: this run")
    end = _story(evals, centres, finished=True)
    assert end.startswith("At the end: this run collapsed") and "(ringed on the map)" in end, end


def test_a_cards_table_writes_its_goals_as_its_headline_does_and_names_garments():
    """A browser rehearsal: 'FID 25.5 misses its goal (<= 19.4)' above '(goal <= 19)'; Fashion's 'class 1'."""
    import json
    import re
    from pathlib import Path

    from dashboard.generator_card import card_table, class_names_of, verdict

    root = Path(__file__).resolve().parents[1] / "pretrained"
    for name in ("mnist-style", "fashion-style", "fashion-dcgan", "mnist-dcgan"):
        card = json.loads((root / name / "card.json").read_text())
        m = json.loads((root / name / "metrics.json").read_text())
        names = class_names_of(root / name)
        head, table = verdict(m, card["goals"], names=names), card_table(card, m, names)
        for key, label in (("fid", "FID"), ("recall", "recall"), ("coverage_dc", "coverage")):
            if key not in card["goals"]:
                continue
            said = re.search(rf"{label} [\d.]+ (?:meets|misses) its goal \((?:<=|>=) ([\d.]+)\)", head).group(1)
            assert re.search(rf"{label} \*\*[\d.]+\*\* \(goal (?:<=|>=) {re.escape(said)}\)", table), (name, label, table)
        if name.startswith("fashion"):
            assert names is not None and re.search(r"\(class \d, [A-Z]", head) and re.search(r"\(class \d, [A-Z]", table)
        else:
            assert names is None and not re.search(r"\(class \d, ", head)


def test_a_class_histograms_last_step_label_is_not_cut_off():
    """A browser rehearsal: mnist-dcgan's histogram ended in '80,00(' at its right edge."""
    from PIL import ImageFont

    from gan_core.pictures import share_heatmap

    steps = np.arange(1, 41) * 2000  # 40 evaluations to 80,000: the last labelled column is the last one
    pic = share_heatmap(np.full((10, 40), 0.1), steps, "t")
    font = ImageFont.load_default(size=22)
    label_left = 56 + 39 * 44
    assert pic.shape[1] >= label_left + font.getlength("80,000"), pic.shape
    assert (pic[-60:, -6:] == 255).all()  # a white margin after the last label's last digit
    root = Path(__file__).resolve().parents[1] / "pretrained"
    for path in sorted(root.glob("*/class_history.png")):
        band = np.asarray(Image.open(path).convert("L"))[-60:, -6:]
        assert (band == 255).all(), path  # no shipped label runs off the edge


def test_the_occupancy_colour_bar_says_its_top_holds_more():
    """A browser rehearsal: the ring8 colour bar stopped at 30 while collapsed modes held 46-50% of the samples."""
    import pandas as pd

    from dashboard.charts import occupancy
    from gan_core.data.points import MIXTURES

    def chart(share0):
        rest = (1 - share0) / 7
        evals = pd.DataFrame([{"step": 500, **{f"near_{i}": share0 if i == 0 else rest for i in range(8)}}])
        return occupancy(evals, MIXTURES["ring8"].centres).data[0]

    heat = chart(0.48)
    assert heat.zmax == pytest.approx(31.25) and list(heat.colorbar.ticktext)[-1] == "31+"
    even = chart(0.125)  # nothing above the top: the bar's own ticks, no "+"
    assert even.colorbar.ticktext is None


def test_an_arena_panel_stays_square_in_a_wide_column():
    """A browser rehearsal: in a wide column the live panel's x axis ran from -8 to 8 beside y from -3 to 3."""
    from dashboard.charts import arena_panel
    from gan_core.data.points import MIXTURES

    ring = MIXTURES["ring8"]
    layout = arena_panel(ring.centres.astype(np.float32), ring.centres, ring.sigma, "t").layout
    assert layout.yaxis.scaleanchor == "x" and layout.xaxis.constrain == "domain" == layout.yaxis.constrain
    assert tuple(layout.xaxis.range) == (-3.0, 3.0) == tuple(layout.yaxis.range)


def test_the_unrolled_2d_preset_says_it_does_not_unroll():
    """A browser rehearsal: a teacher picked unrolled-2d for a demo of the Unrolled GAN and got the plain GAN."""
    from gan_core.training.presets import preset, preset_config

    assert preset_config("unrolled-2d").recipe.unroll == 0
    about = preset("unrolled-2d").about
    assert "without unrolling" in about and "--variant ns+unrolled-5" in about


def test_about_names_the_latent_explorers_views_as_the_page_does():
    """A rehearsal: About said 'walk between two seeds (linear or spherical)' and 'find the latent code', where the
    explorer's views are called Interpolate (lerp / slerp) and Invert a real image."""
    root = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages"
    about, latent = (root / "about.py").read_text(), (root / "latent.py").read_text()
    for view in ("Interpolate", "Principal directions", "Invert a real image"):
        assert f"**{view}**" in " ".join(about.split()) and f'"{view}"' in latent, view  # the page's own name


def test_the_augmentation_arms_keep_the_apps_colours():
    """A rehearsal: classic augmentation was drawn in the green About gives the generator; the page's bars and the
    report's chart.png each had a palette of their own."""
    from dashboard.charts import ARM_COLOURS, D_COLOUR, FAKE, G_COLOUR, REAL
    from gan_core.augmentation.report import COLOURS

    assert {a: "#{:02X}{:02X}{:02X}".format(*rgb) for a, rgb in COLOURS.items()} == ARM_COLOURS
    assert ARM_COLOURS["real"] == REAL and ARM_COLOURS["cgan"] == FAKE  # real images; generated ones
    assert not {G_COLOUR, D_COLOUR} & set(ARM_COLOURS.values())


def test_a_goal_met_beside_a_collapse_says_the_class_counts_outweigh_it():
    """The exhibit of the tutorial's collapse headlined "coverage 0.74 meets its goal" after 6 or 7 classes of 10: a
    teacher read it as a pass. A goal met beside a missed class rule now says what outweighs it; a generator that
    keeps the rule reads as before."""
    from dashboard.generator_card import verdict

    m = {"classifier_classes_covered": 7, "classifier_largest_share": 0.458, "classifier_largest_class": 1,
         "knn_classes_covered": 10, "knn_largest_share": 0.12, "knn_largest_class": 1,
         "fid": 293.9, "recall": 0.41, "coverage_dc": 0.74}
    goals = {"fid": 60, "recall": 0.7, "coverage_dc": 0.7}
    head = verdict(m, goals)
    assert "coverage 0.74 meets its goal (>= 0.7), but the class counts above show the collapse." in head
    assert "recall 0.41 misses its goal (>= 0.7);" in head  # a missed goal needs no such words
    kept = {**m, "classifier_classes_covered": 10, "classifier_largest_share": 0.11}
    assert verdict(kept, goals).endswith("coverage 0.74 meets its goal (>= 0.7).")
