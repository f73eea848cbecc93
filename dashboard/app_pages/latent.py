"""Latent explorer: slide the latent vector of a trained generator and watch the picture change.

Sources: the shipped generators (pretrained/*/generator.safetensors, found at run time) and the one
trained in this session. The math lives in gan_core/latent.py; this page only draws.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from gan_core.uploads import MAX_ZIP_BYTES, MAX_ZIP_IMAGES, parse_image, parse_image_zip
import torch

from dashboard import charts, style_views
from dashboard.generator_card import show_card
from dashboard.live_plot import live_chart
from dashboard.pictures import data_uri, gif_bytes, upscale
from dashboard.resources import PRETRAINED, list_pretrained, load_pretrained, principal_directions, session_runner
from gan_core import latent
from gan_core.data.pixels import to_uint8, to_unit
from gan_core.latent import seeded_noise as noise
from gan_core.pictures import image_grid

N_SLIDERS = 8
SESSION = "This session's run"
ss = st.session_state
runner = session_runner()

st.title("Latent explorer")

# ----------------------------------------------------------------------------- the generator
sources = sorted(list_pretrained(), key=lambda n: (n != "mnist-dcgan", n))  # the clearest one first
snap = runner.snapshot()
if snap.step > 0:
    sources = [SESSION, *sources]
if not sources:
    st.info("No generator yet. Train one on the **Train live** page (a few hundred steps are enough), "
            "or add a shipped one under `pretrained/<name>/`.")
    st.stop()

top = st.columns([2, 3])
source = top[0].selectbox("Generator", sources, key="lat_source",
                          help="shipped generators (pretrained/) and the one you trained in this session")
if source == SESSION:
    cached = ss.get("lat_session_g")
    if cached is None or cached[0] != snap.step:
        ss.lat_session_g = (snap.step, *runner.generator_copy())
    _, G, config, shape, n_classes = ss.lat_session_g
    top[1].caption(f"Trained here: {config.data.name}, variant `{config.variant}`, step {snap.step:,}. "
                   "It refreshes when you come back after more training.")
else:
    try:
        G, config, shape, n_classes = load_pretrained(source)
    except Exception as err:  # a damaged folder is explained, not raised
        st.error(f"Could not load pretrained/{source}: {err}")
        st.stop()
    card = PRETRAINED / source / "README.md"
    first = next((ln.strip("# ").strip() for ln in card.read_text().splitlines() if ln.strip()), "") if card.is_file() else ""
    top[1].caption(f"{first}  \nData {config.data.name}, variant `{config.variant}`, noise {config.model.noise}, "
                   f"z dim {config.model.z_dim}.")
    show_card(PRETRAINED / source)  # classes covered by two checks, FID, recall, coverage, command, time

z_dim, dist = config.model.z_dim, config.model.noise
is_image = len(shape) > 1
conditional = bool(config.model.conditional)
lim = 1.0 if dist == "uniform" else 3.0
prefix = f"lat_{source}_"  # slider keys per generator: switching generators starts fresh


@torch.no_grad()
def render(z: torch.Tensor, label: int | None = None) -> torch.Tensor:
    """G(z) for (N, z_dim) latents (the shared generator is only read)."""
    y = None if not conditional else torch.full((len(z),), int(label or 0), dtype=torch.long)
    return G(z, y)


@st.cache_data(show_spinner=False, max_entries=2)
def held_out(dataset: str):
    """The test split of the generator's data set (never downloaded here)."""
    from gan_core.data.images import load_images

    name = "mnist" if dataset in ("mnist", "mnist-full") else dataset
    return load_images(name, "test", download=False)


@st.cache_data(show_spinner=False, max_entries=16)
def cloud(source_key: str, n: int = 1000) -> np.ndarray:
    """2D generators: where 1,000 random latents land (the backdrop of the sliders' point). `source_key` names the
    generator: pretrained/<name>, or this session's run id and step (the cache is shared by every session)."""
    return render(noise(n, z_dim, dist, 7)).numpy()


SOURCE_KEY = f"run/{runner.run_id}/{snap.step}" if source == SESSION else f"pretrained/{source}"


STILL = 0.02  # a slider's path shorter than this share of the view is said to hardly move G(z) (2D generators)


def on_slider(v: float) -> float:
    """A latent value as a slider can hold it: within +-lim (a Gaussian z, or an inverted one, can go beyond), to
    two decimals."""
    return round(max(-lim, min(lim, float(v))), 2)


def base_z(seed: int) -> torch.Tensor:
    """The z the Sliders view starts from: the one Randomise drew or the inversion found, else the seed's."""
    override = ss.get(prefix + "override")
    if override is not None:
        return override.clone()
    return noise(1, z_dim, dist, seed)[0]


def show(x: torch.Tensor, caption: str = "", width: int = 280) -> None:
    if is_image:
        img = to_uint8(x[:1])[0]
        st.image(data_uri(upscale(img, 10)), caption=caption, width=width)


def show_result(out: torch.Tensor, caption: str, scatter_title: str, key: str, path: np.ndarray | None = None,
                path_name: str = "") -> None:
    """The picture G made (images), or where the point lands among G's samples (2D data), with the path it would
    take (`path`) in a view fixed by the samples."""
    if is_image:
        show(out, caption, width=336)
    else:
        pts = cloud(SOURCE_KEY)
        live_chart(charts.scatter_points(pts, scatter_title, highlight=out.numpy(), bounds=charts.view_bounds(pts),
                                         path=path, path_name=path_name), key=key)


@torch.no_grad()
def sweep(z: torch.Tensor, i: int, n: int = 41) -> np.ndarray:
    """2D generators: where G(z) goes as z[i] alone runs from -lim to lim, (n, 2): the star's path on that slider."""
    zs = z.repeat(n, 1)
    zs[:, i] = torch.linspace(-lim, lim, n)
    return render(zs, label).numpy()


label = None
# A conditional generator's class beside the view selector, on one row: the picture stays above the fold.
view_col, class_col = st.columns([1.15, 1], vertical_alignment="bottom") if conditional else (st.container(), None)
if conditional:
    if prefix + "label_next" in ss:  # an inversion of a labelled picture: its class, before the control is drawn
        ss[prefix + "label"] = ss.pop(prefix + "label_next")
    ss.setdefault(prefix + "label", 0)
    label = class_col.segmented_control("Class (the style z stays fixed)", list(range(n_classes)), key=prefix + "label")

# One view at a time (a tab strip would compute and send every view on every slider move).
VIEWS = style_views.views_for(G, ["Sliders", "Interpolate", "Principal directions",
                                 *(["Invert a real image"] if is_image else []),
                                 *(["Latent map"] if not is_image and z_dim == 2 else [])])
if ss.get("lat_view") not in VIEWS:
    ss.lat_view = "Sliders"
view = view_col.segmented_control("View", VIEWS, key="lat_view", label_visibility="collapsed") or "Sliders"

# ----------------------------------------------------------------------------- sliders
def sliders_view() -> None:
    """A slider move reruns only this fragment: the picture comes back without redrawing the page."""
    k = min(N_SLIDERS, z_dim)
    c_seed, c_rand, c_reset, _ = st.columns([1.2, 1, 1, 3])
    seed = c_seed.number_input("Seed for the other dimensions", 0, 2**31 - 1, 0, key=prefix + "seed",
                               on_change=lambda: ss.pop(prefix + "override", None))
    z0 = base_z(int(seed))
    saved = ss.get(prefix + "saved", {})  # widget values vanish while another view is shown
    for i, v in ss.pop(prefix + "z_next", {}).items():  # an inversion's z, written where the sliders are drawn
        ss[prefix + f"z{i}"] = v
    for i in range(k):
        ss.setdefault(prefix + f"z{i}", saved.get(i, on_slider(z0[i])))

    def _randomise() -> None:
        # a whole new z, not only the sliders' dimensions: with 64 of them, 8 new values barely move a 2D point
        z = noise(1, z_dim, dist, int(np.random.default_rng().integers(2**31)))[0]
        ss[prefix + "override"] = z
        for i in range(k):
            ss[prefix + f"z{i}"] = on_slider(z[i])

    def _reset() -> None:
        ss.pop(prefix + "override", None)  # back to the seed's z, whatever Randomise or the inversion brought
        z = base_z(int(ss[prefix + "seed"]))
        for i in range(k):
            ss[prefix + f"z{i}"] = on_slider(z[i])

    c_rand.button("Randomise", on_click=_randomise, key=prefix + "rand", width="stretch")
    c_reset.button("Reset", on_click=_reset, key=prefix + "reset", width="stretch")
    left, right = st.columns([1.3, 1])
    with left:
        cols = st.columns(2)
        for i in range(k):
            # step 0.01, the values' own precision (on_slider): at 0.05 a slider showed -1.13 and held -1.15
            cols[i % 2].slider(f"z[{i}]", -lim, lim, step=0.01, key=prefix + f"z{i}")
        if z_dim > k:
            inverted = " (or the inverted image)" if "Invert a real image" in VIEWS else ""  # images only
            st.caption(f"The other {z_dim - k} dimensions come from the seed{inverted}.")
    z = base_z(int(seed))  # after the buttons' callbacks: Randomise brings a new z
    z[:k] = torch.tensor([ss[prefix + f"z{i}"] for i in range(k)])
    moved = [i for i in range(k) if saved.get(i) is not None and saved[i] != ss[prefix + f"z{i}"]]
    if len(moved) == 1:
        ss[prefix + "moved"] = moved[0]  # the slider last moved alone: its path is drawn
    m = ss.get(prefix + "moved", 0)
    ss[prefix + "current"] = z
    ss[prefix + "saved"] = {i: ss[prefix + f"z{i}"] for i in range(k)}
    out = render(z[None], label)
    with right:
        path = None if is_image else sweep(z, m)
        show_result(out, "G(z)", f"Where z lands (star) and its path as z[{m}] runs from {-lim:g} to {lim:g}",
                    "lat_scatter", path=path, path_name=f"z[{m}] from {-lim:g} (open circle) to {lim:g} (dot)")
        if path is not None:
            x0, x1, y0, y1 = charts.view_bounds(cloud(SOURCE_KEY))
            reach = float(np.ptp(path, axis=0).max())
            if reach < STILL * max(x1 - x0, y1 - y0):  # the path hides under the star: say why nothing moves
                st.caption(f"z[{m}] hardly moves G(z): its whole path spans {reach:.2g}, under {STILL:.0%} of the "
                           f"view, so it hides under the star. A generator may use some latent dimensions far more "
                           f"than others; try another slider.")


if view == "Sliders":
    st.fragment(sliders_view)()

# ----------------------------------------------------------------------------- interpolation
if view == "Interpolate":
    c = st.columns([1, 1, 1, 1.4])
    seed_a = c[0].number_input("Seed A", 0, 2**31 - 1, 1, key=prefix + "seed_a")
    seed_b = c[1].number_input("Seed B", 0, 2**31 - 1, 2, key=prefix + "seed_b")
    n_steps = c[2].slider("Steps", 3, 16, 8, key=prefix + "n_steps")
    method = c[3].radio("Path", ["slerp", "lerp"], horizontal=True, key=prefix + "method",
                        help="slerp follows the sphere where Gaussian latents live; lerp cuts straight through")
    za, zb = noise(1, z_dim, dist, int(seed_a))[0], noise(1, z_dim, dist, int(seed_b))[0]
    path = latent.interpolate(za, zb, n_steps, method)
    outs = render(path, label)
    st.caption(f"The two latents are {latent.angle_between(za, zb):.0f} degrees apart. Along lerp the norm dips to "
               f"{float(latent.interpolate(za, zb, 3, 'lerp')[1].norm()):.1f} in the middle (ends: {float(za.norm()):.1f}, "
               f"{float(zb.norm()):.1f}); slerp keeps it.")
    if is_image:
        imgs = to_uint8(outs)
        st.image(data_uri(upscale(image_grid(imgs, cols=n_steps), 4)), caption=f"{method} from seed {seed_a} to seed {seed_b}")
        from PIL import Image

        frames = [Image.fromarray(upscale(im, 8)) for im in [*imgs, *imgs[::-1][1:-1]]]
        st.image(data_uri(gif_bytes(frames, 140), "image/gif"), caption="the same walk as an animation", width=224)
    else:
        # The Sliders view's chart and size: one scale on both axes in a view fixed by G's samples (across the whole
        # page the ring was a thin band 22 units wide), in the app's own fonts.
        pts = cloud(SOURCE_KEY)
        words, chart = st.columns([1, 1.3])
        words.markdown(f"Each star is G(z) at one of the {n_steps} latents on the {method} path from seed {seed_a} "
                       f"to seed {seed_b}; the line joins them in order. Orange: G's samples, for where the path "
                       f"runs among them.")
        with chart:
            live_chart(charts.scatter_points(pts, f"{method} path from seed {seed_a} to {seed_b}",
                                             highlight=outs.numpy(), bounds=charts.view_bounds(pts)), key="lat_path")

# ----------------------------------------------------------------------------- principal directions
if view == "Principal directions":
    st.caption("GANSpace's recipe: 2,000 random latents go through G's first layer; PCA finds the axes along "
               "which those activations vary most, and a regression carries each axis back to a latent direction "
               "(then made orthonormal). Start from the Sliders view's z and move along each direction.")

    bar = st.empty()  # a progress bar while the directions are found (once per generator, for every session)
    which = f"run/{runner.run_id}/{snap.step}" if source == SESSION else f"pretrained/{source}"
    dirs, var = principal_directions(which, label if conditional else None, G, z_dim, dist, N_SLIDERS,
                                     progress=lambda f, what: bar.progress(f, text=f"Principal directions: {what}"))
    bar.empty()
    base = ss.get(prefix + "current", base_z(0))
    left, right = st.columns([1.3, 1])
    weights = []
    saved_pc = ss.get(prefix + "saved_pc", {})  # kept while another view is shown, as the z sliders are
    with left:
        cols = st.columns(2)
        for i in range(len(dirs)):
            ss.setdefault(prefix + f"pc{i}", saved_pc.get(i, 0.0))
            weights.append(cols[i % 2].slider(f"direction {i + 1} ({var[i]:.0%} of the variance)", -4.0, 4.0,
                                              step=0.1, key=prefix + f"pc{i}"))
    ss[prefix + "saved_pc"] = dict(enumerate(weights))

    def _zero_directions() -> None:
        for i in range(len(dirs)):
            ss[prefix + f"pc{i}"] = 0.0

    left.button("All directions to 0", on_click=_zero_directions, key=prefix + "pc_zero",
                disabled=not any(weights))
    zd = base + torch.tensor(weights) @ dirs
    out_d = render(zd[None], label)
    with right:
        show_result(out_d, "G(z + sum of w_i d_i)", "Along the principal directions", "lat_dirs")

# ----------------------------------------------------------------------------- inversion
if view == "Invert a real image":
    st.caption("Pick a real picture the generator never trained on (or upload one): Adam moves z, from the closest "
               "of 256 random latents, until G(z) looks like it (mean squared error over the pixels). Then the "
               "Sliders view starts from that z.")
    # The source and its picker on one row, the steps beside the button: the target and G(z found) stay above
    # the fold of a 1400 x 900 projector.
    how_col, pick_col = st.columns([1, 1.3], vertical_alignment="bottom")
    how = how_col.radio("Picture", ["a held-out picture", "upload a PNG", "upload a zip of pictures"], horizontal=True,
                        key=prefix + "inv_src")
    target, target_label = None, None
    if how == "a held-out picture":
        try:
            test_x, test_y = held_out(config.data.name)
            idx = pick_col.slider("Which picture of the held-out set", 0, len(test_x) - 1, 0, key=prefix + "inv_idx")
            target, target_label = test_x[idx], int(test_y[idx])
        except Exception as err:  # a data set whose files are missing is explained, not raised
            st.warning(f"The held-out pictures of {config.data.name} are not available here: {err}")
    elif how == "upload a zip of pictures":
        up = pick_col.file_uploader(f"A zip of pictures, one digit each (PNG, JPEG, BMP or GIF; at most {MAX_ZIP_IMAGES:,} "
                              f"pictures and {MAX_ZIP_BYTES // 2**20} MB; folders inside are fine)", type=["zip"],
                              key=prefix + "inv_zip")
        if up is not None:
            try:
                pics, names = parse_image_zip(up.getvalue())  # traversal, link, bomb and size guards
            except ValueError as err:
                st.error(f"That zip cannot be used: {err}")
            else:
                st.image([data_uri(upscale(p, 2)) for p in pics[:32]], caption=[n.rsplit("/", 1)[-1][:14] for n in names[:32]])
                idx = st.slider("Which picture of the zip", 0, len(pics) - 1, 0, key=prefix + "inv_zip_idx") \
                    if len(pics) > 1 else 0
                target = pics[idx]
                st.caption(f"{len(pics)} pictures read; picture {idx}: {names[idx]}")
    else:
        up = pick_col.file_uploader("A picture of one digit (PNG or JPEG, at most 5 MB and 4096 x 4096 pixels)",
                                    type=["png", "jpg", "jpeg"], key=prefix + "inv_up")
        if up is not None:
            try:
                target = parse_image(up.getvalue())  # size, pixel and bomb guards: gan_core.uploads
            except ValueError as err:
                st.error(f"That picture cannot be used: {err}")
    if target is not None:
        c1, c2, c3 = st.columns([1, 1, 2])
        c1.image(data_uri(upscale(target, 8)), caption="target", width=224)
        steps = c3.slider("Optimisation steps", 50, 600, 200, 50, key=prefix + "inv_steps")
        if c3.button("Find its latent code", type="primary", key=prefix + "inv_go"):
            bar = c3.progress(0.0, text="optimising z...")

            def tick(i: int, mse: float) -> None:
                if i % 10 == 0 or i == steps:
                    bar.progress(i / steps, text=f"step {i}/{steps}: pixel error {mse:.4f}")

            y = None
            if conditional:
                y = torch.tensor(target_label if target_label is not None else int(label or 0))
            z_found, losses = latent.invert(G, to_unit(target[None])[0], steps=steps, seed=0, y=y, z_dim=z_dim,
                                       progress_callback=tick)
            ss[prefix + "override"] = z_found
            # The Sliders view starts from z_found. Its widgets are not on this view, and a value written under a
            # widget's key in a run that does not draw it reaches the server but not the browser (which then shows
            # its own old value, or the minimum): that view writes them itself, in the run that draws them.
            ss[prefix + "z_next"] = {i: on_slider(z_found[i]) for i in range(min(N_SLIDERS, z_dim))}
            drawn_as = None if y is None else int(y)  # G(z found) is drawn with the class it was found for
            ss[prefix + "inv_result"] = (render(z_found[None], drawn_as), losses[0], losses[-1], drawn_as,
                                         target.tobytes())
            if drawn_as is not None and drawn_as != label:
                ss[prefix + "label_next"] = drawn_as  # the class control follows the picture's label
                st.rerun()
        result = ss.get(prefix + "inv_result")
        if result is not None and result[4] == target.tobytes():  # another picture picked since: no old answer
            show_img = to_uint8(result[0])[0]
            c2.image(data_uri(upscale(show_img, 8)), width=224,
                     caption="G(z found)" if result[3] is None else f"G(z found), class {result[3]}")
            said = f"Pixel error fell from {result[1]:.3f} to {result[2]:.3f}."
            if result[2] <= latent.CLOSE_ENOUGH:
                c3.success(f"{said} Open the Sliders view to move from this z.")
            else:  # a z was found, but G does not draw the picture: said so, not announced as a success
                c3.warning(f"{said} That is still far from the picture (a close match ends below "
                           f"{latent.CLOSE_ENOUGH:g}): this generator draws something else here. Try more steps, "
                           "another picture, or another generator. The Sliders view starts from this z all the same.")

# ----------------------------------------------------------------------------- latent map (z_dim 2)
if view == "Latent map":
    st.caption("Click a point of the latent plane (left) to see where G sends it (right).")
    t = np.linspace(-lim, lim, 25, dtype=np.float32)
    zz = np.stack(np.meshgrid(t, t), -1).reshape(-1, 2)
    left, right = st.columns(2)
    with left:
        ev = st.plotly_chart(charts.scatter_points(zz, "Latent plane: click a point", colour=charts.NEUTRAL),
                             key="lat_map", on_select="rerun", selection_mode=("points",))
    picked = [p["point_index"] for p in ev.selection.points] if ev and ev.selection.points else [312]
    zp = torch.from_numpy(zz[picked])
    with right:
        pts = cloud(SOURCE_KEY)
        st.plotly_chart(charts.scatter_points(pts, "... lands here (stars)", highlight=render(zp).numpy()),
                        key="lat_map_out")

# ----------------------------------------------------------------------------- style models (dashboard/style_views.py)
style_views.show(view, G, prefix, config.data.name)
