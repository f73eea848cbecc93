"""The latent explorer's views for a style model (gan_core/models/style.py): style mixing, truncation,
stochastic variation, and W against Z. The latent page adds them with `views_for` and draws one with `show`;
the math lives in gan_core/style_tools.py, this module only draws.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch

from dashboard import charts
from dashboard.live_plot import live_chart
from dashboard.pictures import upscale
from gan_core import style_tools
from gan_core.data.pixels import to_uint8
from gan_core.latent import seeded_noise
from gan_core.models.style import LEVELS, StyleGenerator, grow_schedule, resolutions
from gan_core.pictures import image_grid

VIEWS = ["Style mixing", "Truncation", "Noise", "W vs Z"]
PSI_HELP = "truncation: w' = w_avg + psi (w - w_avg); 1 = none, 0 = the average image for every z"
# The mixing grid's largest size in pixels (height, width), upscaled 2 to 4 times: beside its controls, below the
# page's title, generator and view rows, it ends above the fold of a 1400 x 900 projector.
MIXING_SIZE = (460, 800)


def views_for(G: torch.nn.Module, views: list[str]) -> list[str]:
    """The latent page's views, with the style views added when G is a style model."""
    return [*views, *VIEWS] if isinstance(G, StyleGenerator) else views


def show(view: str, G: torch.nn.Module, prefix: str, data: str = "mnist") -> None:
    """Draw `view` if it is one of the style views (anything else is the latent page's own); `data` is what G
    learnt (the captions speak of digits or of garments)."""
    if view == "Style mixing" and isinstance(G, StyleGenerator):
        mixing_view(G, prefix, data)
    elif view in VIEWS and isinstance(G, StyleGenerator):
        {"Truncation": truncation_view, "Noise": noise_view, "W vs Z": w_vs_z_view}[view](G, prefix)


# What the coarse and the fine styles set, in the words of each data set (the middle ones lie between).
STYLE_WORDS = {"fashion-mnist": ("pose, which garment", "edges, texture")}
DIGIT_WORDS = ("pose, which digit", "stroke, texture")


def rows_said(G: StyleGenerator, layers: list[int]) -> str:
    """The rows of w+ a mix takes, in words: "the 7x7 and 28x28 styles (rows 0, 1, 4, 5 of w+)"."""
    sizes = sorted({G.res[j // 2] for j in layers})
    named = " and ".join(f"{r}x{r}" for r in sizes) if len(sizes) < 3 else ", ".join(f"{r}x{r}" for r in sizes)
    return f"the {named} styles (row{'s' if len(layers) > 1 else ''} {', '.join(map(str, layers))} of w+)"


def growth_caption(config, step: int) -> str | None:
    """The Train page's line for a growing style run: the resolution it trains at and the fade-in's alpha."""
    if config is None or config.model.kind != "style" or not config.model.grow:
        return None
    from gan_core.runs import data_shape

    res = resolutions(data_shape(config)[0][-1])
    stage, alpha = grow_schedule(step, len(res), config.model.grow_steps)
    fading = f"fading in with alpha {alpha:.2f} (the {res[stage - 1]}x{res[stage - 1]} picture, upsampled, gives way)" \
        if alpha < 1 else "stable"
    grown = "fully grown" if stage == len(res) - 1 and alpha == 1 else f"grows every {config.model.grow_steps:,} steps"
    return f"Progressive growing: G and D at **{res[stage]}x{res[stage]}** pixels, {fading}; {grown}."


def _z(G: StyleGenerator, n: int, seed: int) -> torch.Tensor:
    return seeded_noise(n, G.z_dim, "normal", seed)


def mixing_view(G: StyleGenerator, prefix: str, data: str = "mnist") -> None:
    """The controls in a column beside the grid: on a 900-pixel projector both are on screen at once."""
    left, right = st.columns([1, 1.6])
    with left:
        c = st.columns(2)
        n_src = c[0].slider("Sources", 2, 6, 4, key=prefix + "mx_ns")
        n_base = c[1].slider("Bases", 2, 6, 4, key=prefix + "mx_nb")
        c = st.columns(2)
        seed = c[0].number_input("Seed", 0, 2**31 - 1, 0, key=prefix + "mx_seed")
        psi = c[1].slider("psi", 0.0, 1.2, 1.0, 0.05, key=prefix + "mx_psi", help=PSI_HELP)
        how = st.radio("From the source", ["levels", "layer range"], horizontal=True, key=prefix + "mx_how")
        if how == "levels":
            levels = st.segmented_control("Levels", list(LEVELS), selection_mode="multi", default=["coarse"],
                                          key=prefix + "mx_levels") or []
            layers = style_tools.layers_of(G, list(levels))
        else:
            lo, hi = st.slider("Rows of w+ from the source", 0, G.n_ws - 1, (0, 1), key=prefix + "mx_range",
                               help=f"w+ has {G.n_ws} rows: two per resolution, {', '.join(map(str, G.res))}")
            layers = list(range(lo, hi + 1))
        coarse, fine = STYLE_WORDS.get(data, DIGIT_WORDS)
        st.caption("Style mixing (StyleGAN, figure 3): each picture inside the grid takes some of its styles from the "
                   f"source above it and all the others from the base on its left. Coarse styles act at 7x7 ({coarse}), "
                   f"middle at 14x14, fine at 28x28 ({fine}). w+ is the list of styles, one row per layer of G.")
    z_src, z_base = _z(G, n_src, int(seed)), _z(G, n_base, int(seed) + 1)
    grid = style_tools.mixing_grid(G, z_base, z_src, layers, psi)
    k = max(2, min(4, MIXING_SIZE[0] // grid.shape[0], MIXING_SIZE[1] // grid.shape[1]))
    took = rows_said(G, layers) if layers else "no styles"
    right.image(upscale(grid, k), caption=f"{took} from the sources (top row); the rest from the bases (left column)",
                width=grid.shape[1] * k)


@st.cache_data(show_spinner=False, max_entries=8)
def _spread_curve(key: str, _G: StyleGenerator) -> pd.DataFrame:
    psis = [round(0.1 * i, 1) for i in range(13)]
    return pd.DataFrame({"psi": psis, "pixel spread across z": style_tools.truncation_spread(_G, psis, n=200)})


def truncation_view(G: StyleGenerator, prefix: str) -> None:
    st.caption("The truncation trick: pulling w towards the average w trades variety for typical, cleaner "
               "pictures. At psi = 0 every z gives the same, average picture.")
    c = st.columns([2, 1])
    psi = c[0].slider("psi", 0.0, 1.2, 0.7, 0.05, key=prefix + "tr_psi", help=PSI_HELP)
    seed = c[1].number_input("Seed", 0, 2**31 - 1, 0, key=prefix + "tr_seed")
    with torch.inference_mode():
        imgs = to_uint8(G(_z(G, 16, int(seed)), psi=psi))
    left, right = st.columns([1.25, 1])  # the curve beside the pictures: its dotted psi moves with the slider
    left.image(upscale(image_grid(imgs, cols=8), 3), caption=f"16 latents at psi {psi:.2f}")
    with right:
        live_chart(spread_chart(_spread_curve(f"{prefix}{id(G)}", G), psi), key=prefix + "tr_spread")
        st.caption("Pixel spread: the standard deviation of each pixel over 200 latents, averaged over the pixels.")


def spread_chart(curve: pd.DataFrame, psi: float, height: int = 240) -> go.Figure:
    """The pixel spread against psi, the slider's psi marked. Plotly, as the app's other charts: Vega-Lite warned
    of an infinite extent in the browser while it mounted the chart before its data."""
    traces = [dict(type="scatter", x=curve["psi"], y=curve["pixel spread across z"], mode="lines+markers",
                   name="pixel spread across z", line=dict(width=3, color=charts.G_COLOUR), marker=dict(size=8))]
    mark = dict(type="line", x0=psi, x1=psi, yref="paper", y0=0, y1=1, line=dict(color=charts.MODE, dash="dot"))
    return charts._figure(traces, f"Pixel spread across z (dotted: psi {psi:.2f})", height, show_legend=False,
                          shapes=[mark], xaxis=dict(title=dict(text="psi")),
                          yaxis=dict(title=dict(text="spread"), rangemode="tozero"))


def noise_view(G: StyleGenerator, prefix: str) -> None:
    st.caption("Stochastic variation (StyleGAN, figure 4): the same w with fresh per-layer noise. What changes is "
               "the detail the noise is allowed to set; the right picture is the standard deviation over 16 draws.")
    c = st.columns([1, 1, 2])
    seed = c[0].number_input("Seed of z", 0, 2**31 - 1, 0, key=prefix + "nz_seed")
    key = prefix + "nz_draw"
    if c[1].button("Resample noise", key=prefix + "nz_btn"):
        st.session_state[key] = st.session_state.get(key, 0) + 1
    draw = st.session_state.get(key, 0)
    imgs, std = style_tools.noise_variation(G, _z(G, 1, int(seed)), k=16, seed=draw)
    left, right = st.columns([2, 1])
    left.image(upscale(image_grid(to_uint8(imgs[:8]), cols=4), 3), caption=f"the same w, noise draw {draw}")
    right.image(upscale(style_tools.std_picture(std), 6), caption=f"std over 16 noise draws (max {float(std.max()):.3f})")


def w_vs_z_view(G: StyleGenerator, prefix: str) -> None:
    st.caption("The mapping network bends the Gaussian Z into W, where the factors of the pictures are less "
               "tangled. A straight line in W usually changes the picture more evenly than one in Z: a shorter path "
               "length (the sum of the mean squared pixel changes between neighbouring pictures).")
    c = st.columns([1, 1, 1, 1])
    a = c[0].number_input("Seed A", 0, 2**31 - 1, 1, key=prefix + "wz_a")
    b = c[1].number_input("Seed B", 0, 2**31 - 1, 2, key=prefix + "wz_b")
    steps = c[2].slider("Steps", 3, 12, 8, key=prefix + "wz_steps")
    psi = c[3].slider("psi", 0.0, 1.2, 1.0, 0.05, key=prefix + "wz_psi", help=PSI_HELP)
    z0, z1 = _z(G, 1, int(a))[0], _z(G, 1, int(b))[0]
    along_z, along_w = style_tools.interpolate_wz(G, z0, z1, int(steps), psi)
    left, right = st.columns(2)
    left.image(upscale(image_grid(to_uint8(along_z), cols=int(steps)), 2),
               caption=f"linear in Z: path length {style_tools.path_length(along_z):.3f}")
    right.image(upscale(image_grid(to_uint8(along_w), cols=int(steps)), 2),
                caption=f"linear in W: path length {style_tools.path_length(along_w):.3f}")
    with torch.no_grad():
        w = G.map(z0[None], psi)[0]
        spread = G.map(_z(G, 256, 0)).std(dim=0)
    sliders, picture = st.columns([3, 1])  # the picture beside its sliders, above the fold
    with sliders:
        st.markdown("**Sliders in W**: move the first coordinates of w itself (the Sliders view moves z), each in "
                    "units of that coordinate's spread.")
        cols = st.columns(4)
    offset = torch.zeros_like(w)
    for i in range(min(8, w.numel())):
        offset[i] = cols[i % 4].slider(f"w[{i}] + ", -3.0, 3.0, 0.0, 0.1, key=prefix + f"wz_w{i}") * float(spread[i])
    w = w + offset
    with torch.no_grad():
        img = to_uint8(G.synthesis(G.broadcast(w[None])))[0]
    picture.image(upscale(img, 7), caption="synthesis(w)", width=196)  # with its caption above the fold
