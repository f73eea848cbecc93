"""The Train page's settings: defaults, the variant as objective + stabilisers, a TrainConfig from them,
and their round trip through the URL (so a teacher can hand out a link that opens the same experiment).

Pure functions, no Streamlit. URL values are strings; each is parsed and checked on its own, and a bad
one falls back to its default with a warning (never an exception).
"""
from __future__ import annotations

import math
from typing import Any

from gan_core.config import DATA_2D, DATA_IMAGES, MAX_HIDDEN_LAYERS, MAX_UNITS, TrainConfig
from gan_core.training.presets import PRESETS, preset_config
from gan_core.variants import OBJECTIVE_VARIANTS, STABILISER_VARIANTS, parse_variant, variant_parts

# What the Train page offers (points = drawn or uploaded; image sets only when their files are present).
DATA_CHOICES_2D = ("ring8", "grid25", "two-gaussians", "ring8-pacgan", "spiral", "moons", "circles", "draw", "upload")
DATA_CHOICES_IMAGES = ("mnist", "fashion-mnist")
DATA_WITH_MODES = ("ring8", "grid25", "two-gaussians", "ring8-pacgan")  # mixtures: modes to count and cover
DATA_LABELS = {
    "ring8": "Ring of 8 Gaussians", "grid25": "Grid of 25 Gaussians", "two-gaussians": "Two Gaussians",
    "ring8-pacgan": "Small ring of 8 (PacGAN)", "spiral": "Spiral", "moons": "Two moons", "circles": "Two circles",
    "draw": "Draw your own", "upload": "Upload a CSV of points", "mnist": "MNIST digits", "fashion-mnist": "Fashion-MNIST",
}
OBJECTIVES = tuple(OBJECTIVE_VARIANTS)
STABILISERS = ("unrolled", "pacgan", *[n for n in STABILISER_VARIANTS if not n.endswith(("-k", "-m"))])
IMAGE_ONLY_STABILISERS = ("diffaug",)  # it shifts and cuts images: not offered on 2D data


def stabilisers_for(is_image: bool) -> tuple[str, ...]:
    """The stabilisers the Train page offers for image or 2D data."""
    return STABILISERS if is_image else tuple(s for s in STABILISERS if s not in IMAGE_ONLY_STABILISERS)


ACTIVATIONS = ("tanh", "relu", "leaky_relu")
NOISES = ("normal", "uniform")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
INITS = ("default", "orthogonal")
NETWORKS = ("mlp", "dcgan", "style")

def variant_name(objective: str, stabilisers: tuple | list, unroll_k: int = 5, pack_m: int = 2) -> str:
    """e.g. 'ns+pacgan-2+ema' or 'hinge+sn+unrolled-5'."""
    parts = [objective]
    for s in stabilisers:
        parts.append(f"unrolled-{unroll_k}" if s == "unrolled" else f"pacgan-{pack_m}" if s == "pacgan" else s)
    return "+".join(parts)


def split_variant(name: str) -> tuple[str, tuple[str, ...], int, int]:
    """The inverse of variant_name: (objective, stabilisers, unroll_k, pack_m). Raises ValueError (the engine's
    message) for a name the engine refuses."""
    parse_variant(name)
    objective, stabs, k, m = "ns", [], 5, 2
    for _, part, n in variant_parts(name):
        if part in OBJECTIVES:
            objective = part
            continue
        stabs.append(part)
        if part == "unrolled":
            k = n
        elif part == "pacgan":
            m = n
    return objective, tuple(stabs), k, m


# The presets a teacher can load with one click (each fills every setting below; the settings stay editable).
PAGE_PRESETS = {"2d": ("classroom", "collapse-ttur", "collapse-metz2016", "collapse-pacgan2018", "unrolled-2d"),
                "images": ("dcgan", "cgan", "tutorial-mlp", "style-grow")}


def _widths(hidden) -> str:
    """An MLP's hidden widths as the page keeps them: "" when they are all equal (layers x units say it all), else
    "256-512-1024" (a preset's, e.g. the tutorial's, which layers x units cannot say)."""
    return "" if len(set(hidden)) <= 1 else "-".join(str(int(w)) for w in hidden)


def hidden_widths(widths: str, layers: int, units: int) -> list[int]:
    """The hidden widths an MLP gets: a preset's uneven `widths` while the layers and the first width still agree
    with them (the sidebar shows layers and the first width), else `layers` x `units`."""
    if widths:
        kept = [int(w) for w in widths.split("-")]
        if len(kept) == layers and kept[0] == units:
            return kept
    return [units] * layers


def settings_of(cfg: TrainConfig, data: str) -> dict[str, Any]:
    """The page's settings that build `cfg` (the inverse of `build_config`), for the page's data choice `data`."""
    objective, stabs, k, m = split_variant(cfg.variant)
    m_cfg, o = cfg.model, cfg.optim
    return {
        "data": data, "objective": objective, "stabilisers": stabs, "unroll_k": k, "pack_m": m,
        "ema": cfg.recipe.ema or 0.999, "net": m_cfg.kind, "g_layers": len(m_cfg.g_hidden),
        "g_units": m_cfg.g_hidden[0] if m_cfg.g_hidden else 64, "d_layers": len(m_cfg.d_hidden),
        "d_units": m_cfg.d_hidden[0] if m_cfg.d_hidden else 128, "act": m_cfg.activation, "z": m_cfg.z_dim,
        "noise": m_cfg.noise, "width": m_cfg.width, "conditional": m_cfg.conditional, "opt": o.optimizer,
        "init": m_cfg.init, "init_gain": m_cfg.init_gain, "d_scale": m_cfg.d_input_scale,
        "g_bn": m_cfg.g_batch_norm, "d_maxout": m_cfg.d_maxout, "beta1": o.beta1_g, "beta2": o.beta2_g,
        "pack_batch": o.pack_batch,
        "lr_g": o.lr_g, "lr_d": o.lr_d, "batch": o.batch_size, "n_critic": cfg.recipe.n_critic,
        "lr_decay": o.lr_decay, "batch_growth": o.batch_growth, "seed": cfg.seed, "steps": cfg.steps,
        "grow": m_cfg.grow, "grow_steps": m_cfg.grow_steps,
        "g_widths": _widths(m_cfg.g_hidden), "d_widths": _widths(m_cfg.d_hidden),
    }


def preset_settings(name: str, data: str) -> dict[str, Any]:
    """The page's settings of a preset on `data` (its step budget follows the data, see Preset.steps_for)."""
    real = "points" if data in ("draw", "upload") else data
    overrides = {"data": {"name": real, "points": [[0.0, 0.0], [1.0, 1.0]] if real == "points" else None}}
    return settings_of(preset_config(name, overrides), data)


# 2D defaults: the classroom preset (G 4 x 64, D 2 x 128, z 64; ns + pacgan-2 + ema 0.995, + mbstd on grid25; rates
# 0.002, decay 0.99, batch 512). Image defaults: the DCGAN preset (Radford et al. settings at width 32), 3,000 steps.
DEFAULTS_2D: dict[str, Any] = preset_settings("classroom", "ring8")
DEFAULTS_IMAGES: dict[str, Any] = {**preset_settings("dcgan", "mnist"), "steps": 3000}
DEFAULTS = DEFAULTS_2D


def first_sentence(text: str) -> tuple[str, str]:
    """(the first sentence, the rest) of a description; a full stop ends a sentence only before a capital letter, so
    'Metz et al. 2016' or 'Adam 1e-4.' inside parentheses do not."""
    import re

    m = re.match(r"(.+?[.!?])\s+(?=[A-Z])", text, flags=re.S)
    return (m.group(1), text[m.end():]) if m else (text, "")


# The Train page's live knobs: one slider per live variant option (gan_core.variants.LIVE_OPTIONS) over the part
# of the range the engine accepts (variants.option_range) that a class explores; a test checks they lie inside.
KNOB_RANGES = {"gp_lambda": (0.0, 50.0), "r1_gamma": (0.0, 50.0), "weight_clip": (0.001, 0.5), "clip_norm": (0.01, 10.0),
               "instance_noise": (0.0, 1.0), "ms_lambda": (0.0, 10.0), "unroll": (1, 10), "n_critic": (1, 20)}
# Their labels in words, the option's own name after them (as `--option NAME=...` and the variants' help spell it).
KNOB_LABELS = {"gp_lambda": "gradient-penalty weight (gp_lambda)", "r1_gamma": "R1 penalty weight (r1_gamma)",
               "weight_clip": "weight clipping bound (weight_clip)", "clip_norm": "gradient-norm limit (clip_norm)",
               "instance_noise": "instance noise (instance_noise)", "ms_lambda": "mode-seeking weight (ms_lambda)",
               "unroll": "unrolling steps (unroll)", "n_critic": "D steps per G step"}

LIMITS = {
    "g_layers": (0, MAX_HIDDEN_LAYERS), "d_layers": (0, MAX_HIDDEN_LAYERS), "g_units": (1, MAX_UNITS),
    "d_units": (1, MAX_UNITS), "z": (1, 1024), "width": (4, 256), "batch": (2, 8192), "n_critic": (1, 20),
    "seed": (0, 2**31 - 1), "steps": (1, 1_000_000), "unroll_k": (1, 10), "pack_m": (2, 4), "d_maxout": (0, 10),
}
CHOICES = {
    "data": DATA_CHOICES_2D + DATA_CHOICES_IMAGES, "objective": OBJECTIVES, "net": NETWORKS, "act": ACTIVATIONS,
    "noise": NOISES, "opt": OPTIMIZERS, "init": INITS,
}
FLOATS = {"lr_g": (1e-6, 10.0), "lr_d": (1e-6, 10.0), "ema": (0.5, 0.99999), "lr_decay": (0.0, 0.999),
          "init_gain": (0.01, 10.0), "d_scale": (0.001, 1000.0), "beta1": (0.0, 0.99), "beta2": (0.9, 0.9999)}
LIMITS["batch_growth"] = (1, 8)
LIMITS["grow_steps"] = (1, 1_000_000)
BOOLS = ("conditional", "grow", "g_bn", "pack_batch")


def default_steps(data: str) -> int:
    """The default budget on `data`: the classroom preset's (it follows the data: grid25 needs 24,000 steps,
    BENCHMARKS.md "The classroom recipe on grid25"), 3,000 on images."""
    if data in DATA_CHOICES_IMAGES:
        return DEFAULTS_IMAGES["steps"]
    return PRESETS["classroom"].steps("points" if data in ("draw", "upload") else data) or DEFAULTS_2D["steps"]


def variant_n_critic(objective: str) -> int:
    """D steps per G step the objective brings (5 for the Wasserstein critic, else 1)."""
    return parse_variant(objective).n_critic


def default_stabilisers(data: str) -> tuple[str, ...]:
    """The default stabilisers on `data`: the classroom preset's on 2D data (they follow the data: on grid25 D also
    sees each batch's spread, BENCHMARKS.md "Minibatch std on grid25"), the DCGAN preset's on images."""
    if data in DATA_CHOICES_IMAGES:
        return tuple(DEFAULTS_IMAGES["stabilisers"])
    return tuple(preset_settings("classroom", data)["stabilisers"])


def defaults_for(data: str) -> dict[str, Any]:
    return dict(DEFAULTS_IMAGES if data in DATA_CHOICES_IMAGES else DEFAULTS_2D, data=data, steps=default_steps(data),
                stabilisers=default_stabilisers(data))


def build_config(s: dict[str, Any], points: list | None = None) -> TrainConfig:
    """A TrainConfig from page settings. Raises ValueError naming the field (e.g. 'optim.lr_g=...')."""
    data = s["data"]
    name = "points" if data in ("draw", "upload") else data
    if name == "points" and not points:
        raise ValueError(missing_points(data))
    is_image = name in DATA_IMAGES
    mlp_net = not is_image or s["net"] == "mlp"
    variant = variant_name(s["objective"], s["stabilisers"], s["unroll_k"], s["pack_m"])
    d = {
        "data": {"name": name, "points": points if name == "points" else None},
        "model": {"kind": s["net"] if is_image else "mlp",
                  "g_hidden": hidden_widths(s.get("g_widths", ""), s["g_layers"], s["g_units"]),
                  "d_hidden": hidden_widths(s.get("d_widths", ""), s["d_layers"], s["d_units"]),
                  "activation": s["act"], "z_dim": s["z"],
                  "noise": s["noise"], "width": s["width"], "conditional": bool(s["conditional"]) and is_image,
                  "grow": bool(s["grow"]) and is_image and s["net"] == "style", "grow_steps": s["grow_steps"],
                  "init": s["init"], "init_gain": s["init_gain"], "d_input_scale": s["d_scale"],
                  # the MLP's own layers (an image MLP too); a DCGAN or style network has its own
                  "g_batch_norm": bool(s["g_bn"]) and mlp_net, "d_maxout": s["d_maxout"] if mlp_net else 0},
        "optim": {"optimizer": s["opt"], "lr_g": s["lr_g"], "lr_d": s["lr_d"], "batch_size": s["batch"],
                  "lr_decay": s["lr_decay"], "batch_growth": s["batch_growth"],
                  "beta1_g": s["beta1"], "beta1_d": s["beta1"], "beta2_g": s["beta2"], "beta2_d": s["beta2"],
                  "pack_batch": bool(s["pack_batch"])},
        "variant": variant, "variant_options": _variant_options(s), "steps": s["steps"], "seed": s["seed"],
        # The page shows the mode metrics over time: evaluate often on 2D data (a few ms each).
        "eval_every": 100 if name in DATA_2D else 500, "log_every": 10,
        "eval_samples": 2500 if name in DATA_2D else 1000,
    }
    return TrainConfig.from_dict(d)


def _variant_options(s: dict[str, Any]) -> dict[str, Any]:
    """The variant's settings the page sets: D steps per G step, and the EMA's decay when EMA is on."""
    options: dict[str, Any] = {"n_critic": s["n_critic"]}
    if "ema" in s["stabilisers"]:
        options["ema"] = s["ema"]
    return options


def missing_points(data: str, refused: bool = False) -> str:
    """What to do before 'draw' or 'upload' can train (said in the page's words, not as a config field); `refused`:
    a file was uploaded and refused, which is not the same as no file yet."""
    if data == "draw":
        return "Draw your data first: click the canvas to add a point, or drag across it to paint several."
    if refused:
        return ("The file uploaded cannot be used (its message is under the upload box on the left): fix it and "
                "upload it again.")
    return "Upload a CSV file of points first (a column x and a column y, one point per line)."


# The page's name of each setting, for messages: a config error names its field ('optim.lr_g=20 ...'), the page
# says "G learning rate 20 ..." instead.
LABELS = {
    "lr_g": "G learning rate", "lr_d": "D learning rate", "batch": "Batch size", "n_critic": "D steps per G step",
    "lr_decay": "LR decay", "batch_growth": "Batch growth", "ema": "EMA decay", "opt": "Optimiser", "z": "Noise dim",
    "g_units": "G layers and units", "d_units": "D layers and units", "act": "Activation", "noise": "Noise",
    "width": "DCGAN width", "net": "Network family", "data": "Data", "seed": "Seed", "steps": "Step budget",
    "d_maxout": "D maxout pieces", "beta1": "Adam beta1", "beta2": "Adam beta2",
}


def page_message(message: str) -> str:
    """A config error in the page's words: its leading field name ('optim.batch_size=3 must ...', 'model.g_hidden
    has ...') becomes the setting's label ('Batch size 3 must ...'); a message without one is returned as it is."""
    field = field_of(message)
    head = message.split(" ", 1)[0]
    if field == "variant" and not head.startswith(("variant", "'")):
        return message
    name, _, value = head.partition("=")
    if "." not in name and name not in ("seed", "steps", "variant"):
        return message
    label = LABELS.get(field, "The variant" if field == "variant" else field)
    rest = message[len(head):]
    return f"{label} {value.strip(chr(39))}{rest}" if value else f"{label}{rest}"


def field_of(message: str) -> str:
    """Which page setting a config error is about ('optim.lr_g=...' -> 'lr_g'), '' when unknown."""
    head = message.split("=", 1)[0].split(" ", 1)[0].strip("'\"")
    table = {
        "optim.lr_g": "lr_g", "optim.lr_d": "lr_d", "optim.batch_size": "batch", "variant_options.n_critic": "n_critic",
        "optim.lr_decay": "lr_decay", "optim.batch_growth": "batch_growth", "variant_options.ema": "ema",
        "optim.optimizer": "opt", "model.z_dim": "z", "model.g_hidden": "g_units", "model.d_hidden": "d_units",
        "model.init_gain": "init_gain", "model.init": "init", "model.d_input_scale": "d_scale",
        "model.activation": "act", "model.noise": "noise", "model.width": "width", "model.kind": "net",
        "model.grow": "grow", "model.g_batch_norm": "g_bn", "model.d_maxout": "d_maxout", "optim.beta1": "beta1",
        "optim.beta2": "beta2", "optim.pack_batch": "batch",
        "data.points": "data", "data.name": "data", "seed": "seed", "steps": "steps",
    }
    for key, name in table.items():
        if head.startswith(key):
            return name
    return "variant"


# --------------------------------------------------------------------------- URL round trip

NO_STABILISERS = "none"      # stab=none: no stabiliser where the data's defaults have some


def to_query(s: dict[str, Any]) -> dict[str, str]:
    """The settings that differ from their family's defaults, as URL strings."""
    base = defaults_for(s["data"])
    out: dict[str, str] = {}
    for key, value in s.items():
        if isinstance(value, list):
            value = tuple(value)  # a multiselect gives a list, the defaults hold tuples
        if key not in DEFAULTS_2D or (value == base.get(key) and key != "data"):
            continue
        if key == "data" and value == DEFAULTS_2D["data"]:
            continue
        if key == "stabilisers":
            out["stab"] = ",".join(value) or NO_STABILISERS
        elif key == "n_critic" and value == variant_n_critic(s["objective"]):
            continue  # the objective's own count needs no mention
        elif isinstance(value, float):
            out[key] = f"{value:g}"
        else:
            out[key] = str(value)
    return out


def from_query(q: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Settings from URL values: (settings, warnings). Unknown keys are ignored; bad values become defaults."""
    data = q.get("data", DEFAULTS_2D["data"])
    warnings: list[str] = []
    if data not in CHOICES["data"]:
        warnings.append(f"data={data!r} is not a data set this page offers; using {DEFAULTS_2D['data']!r}")
        data = DEFAULTS_2D["data"]
    s = defaults_for(data)
    for key, raw in q.items():
        if key in ("data", "page"):
            continue
        try:
            if key == "stab":
                stabs = () if raw == NO_STABILISERS else tuple(p for p in raw.split(",") if p)
                bad = [p for p in stabs if p not in STABILISERS]
                if bad:
                    raise ValueError(f"unknown stabiliser {bad[0]!r}")
                offered = stabilisers_for(data in DATA_CHOICES_IMAGES)
                image_only = [p for p in stabs if p not in offered]
                if image_only:
                    warnings.append(f"link setting stab={raw!r}: {', '.join(image_only)} dropped, because it changes "
                                    f"images and {data!r} is 2D data")
                    stabs = tuple(p for p in stabs if p not in image_only)
                s["stabilisers"] = stabs
            elif key in ("g_widths", "d_widths"):
                parts = raw.split("-")
                lo, hi = LIMITS["g_units"]
                if not (2 <= len(parts) <= MAX_HIDDEN_LAYERS and all(p.isdecimal() and lo <= int(p) <= hi
                                                                     for p in parts)):
                    raise ValueError(f"must be {MAX_HIDDEN_LAYERS} or fewer widths between {lo:,} and {hi:,} joined by "
                                     "'-', like 256-512-1024")
                s[key] = raw
            elif key in CHOICES:
                if raw not in CHOICES[key]:
                    raise ValueError(f"choose one of {', '.join(CHOICES[key])}")
                s[key] = raw
            elif key in LIMITS:
                lo, hi = LIMITS[key]
                v = int(raw) if raw.strip().lstrip("+-").isdecimal() else None
                if v is None or not lo <= v <= hi:
                    raise ValueError(f"must be a whole number between {lo:,} and {hi:,}")
                s[key] = v
            elif key in FLOATS:
                lo, hi = FLOATS[key]
                try:
                    v = float(raw)
                except ValueError:
                    v = math.nan
                if not (math.isfinite(v) and lo <= v <= hi):
                    raise ValueError(f"must be a number between {lo:g} and {hi:g}")
                s[key] = v
            elif key in BOOLS:
                if raw not in ("True", "False"):
                    raise ValueError("must be True or False")
                s[key] = raw == "True"
        except ValueError as err:
            kept = s.get("stabilisers" if key == "stab" else key)
            shown = (", ".join(kept) or NO_STABILISERS) if isinstance(kept, tuple) else kept
            instead = "layers x units" if key in ("g_widths", "d_widths") else f"the default {shown!r}"
            warnings.append(f"link setting {key}={raw!r} ignored ({err}); using {instead}")
    if "n_critic" not in q:
        s["n_critic"] = variant_n_critic(s["objective"])
    return s, warnings


# --------------------------------------------------------------------------- the user's own points

def read_points_upload(data: bytes) -> tuple[list | None, str | None]:
    """(points as [[x, y], ...], None) or (None, a message saying what to fix) for an uploaded CSV."""
    from gan_core.data.points import parse_points_csv

    try:
        pts = parse_points_csv(data)
    except ValueError as err:
        return None, str(err)
    if len(pts) < 2:
        return None, "the points file has a single point; a GAN needs at least 2 points to learn a distribution"
    return pts.tolist(), None


def candidate_grid(lo: float = -3.0, hi: float = 3.0, n: int = 41):
    """The clickable points of 'draw your own': an n x n grid over [lo, hi]^2, (n*n, 2)."""
    import numpy as np

    t = np.linspace(lo, hi, n)
    xx, yy = np.meshgrid(t, t)
    return np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)
