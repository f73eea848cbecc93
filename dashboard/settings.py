"""The Train page's settings: defaults, the variant as objective + stabilisers, a TrainConfig from them,
and their round trip through the URL (so a teacher can hand out a link that opens the same experiment).

Pure functions, no Streamlit. URL values are strings; each is parsed and checked on its own, and a bad
one falls back to its default with a warning (never an exception).
"""
from __future__ import annotations

import math
from typing import Any

from gan_core.config import DATA_2D, DATA_IMAGES, MAX_HIDDEN_LAYERS, MAX_UNITS, TrainConfig
from gan_core.variants import OBJECTIVE_VARIANTS, RECIPES, STABILISER_VARIANTS

# What the Train page offers (points = drawn or uploaded; image sets only when their files are present).
DATA_CHOICES_2D = ("ring8", "grid25", "two-gaussians", "ring8-pacgan", "spiral", "moons", "circles", "draw", "upload")
DATA_CHOICES_IMAGES = ("mnist", "fashion-mnist")
DATA_LABELS = {
    "ring8": "Ring of 8 Gaussians", "grid25": "Grid of 25 Gaussians", "two-gaussians": "Two Gaussians",
    "ring8-pacgan": "Small ring of 8 (PacGAN)", "spiral": "Spiral", "moons": "Two moons", "circles": "Two circles",
    "draw": "Draw your own", "upload": "Upload a CSV of points", "mnist": "MNIST digits", "fashion-mnist": "Fashion-MNIST",
}
OBJECTIVES = (*RECIPES, *OBJECTIVE_VARIANTS)          # classroom first: the app's default
STABILISERS = ("unrolled", "pacgan", *[n for n in STABILISER_VARIANTS if not n.endswith(("-k", "-m"))])
ACTIVATIONS = ("tanh", "relu", "leaky_relu")
NOISES = ("normal", "uniform")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
NETWORKS = ("mlp", "dcgan")

# 2D defaults: TrainConfig's network (the classroom one: G 4 x 64, D 2 x 128, z 64) with the classroom variant and
# the learning rates that recipe imposes (dashboard and recipe agree, so the sidebar shows what trains).
DEFAULTS_2D: dict[str, Any] = {
    "data": "ring8", "objective": "classroom", "stabilisers": (), "unroll_k": 5, "pack_m": 2,
    "net": "mlp", "g_layers": 4, "g_units": 64, "d_layers": 2, "d_units": 128, "act": "tanh",
    "z": 64, "noise": "normal", "width": 32, "opt": "adam", "lr_g": 2e-3, "lr_d": 2e-3, "batch": 512,
    "n_critic": 1, "seed": 0, "steps": 5000,
}
# Image defaults: the DCGAN preset (Radford et al. settings at width 32).
DEFAULTS_IMAGES: dict[str, Any] = {
    **DEFAULTS_2D, "data": "mnist", "objective": "ns", "net": "dcgan", "act": "leaky_relu", "z": 100,
    "lr_g": 2e-4, "lr_d": 2e-4, "batch": 64, "steps": 3000,
}
DEFAULTS = DEFAULTS_2D

LIMITS = {
    "g_layers": (0, MAX_HIDDEN_LAYERS), "d_layers": (0, MAX_HIDDEN_LAYERS), "g_units": (1, MAX_UNITS),
    "d_units": (1, MAX_UNITS), "z": (1, 1024), "width": (4, 256), "batch": (2, 8192), "n_critic": (1, 20),
    "seed": (0, 2**31 - 1), "steps": (1, 1_000_000), "unroll_k": (1, 10), "pack_m": (2, 4),
}
CHOICES = {
    "data": DATA_CHOICES_2D + DATA_CHOICES_IMAGES, "objective": OBJECTIVES, "net": NETWORKS, "act": ACTIVATIONS,
    "noise": NOISES, "opt": OPTIMIZERS,
}
FLOATS = {"lr_g": (1e-6, 10.0), "lr_d": (1e-6, 10.0)}


# Step budgets that differ from the family default: the classroom recipe needs 24,000 steps on grid25
# (BENCHMARKS.md, "The classroom recipe on grid25"); its learning-rate decay spans the budget.
STEPS_FOR = {"grid25": 24_000}


def default_steps(data: str) -> int:
    return STEPS_FOR.get(data, (DEFAULTS_IMAGES if data in DATA_CHOICES_IMAGES else DEFAULTS_2D)["steps"])


def defaults_for(data: str) -> dict[str, Any]:
    return dict(DEFAULTS_IMAGES if data in DATA_CHOICES_IMAGES else DEFAULTS_2D, data=data, steps=default_steps(data))


def variant_name(objective: str, stabilisers: tuple | list, unroll_k: int = 5, pack_m: int = 2) -> str:
    """'classroom', or e.g. 'hinge+sn+unrolled-5'."""
    parts = [objective]
    for s in stabilisers:
        parts.append(f"unrolled-{unroll_k}" if s == "unrolled" else f"pacgan-{pack_m}" if s == "pacgan" else s)
    return "+".join(parts)


def split_variant(name: str) -> tuple[str, tuple[str, ...], int, int]:
    """The inverse of variant_name: (objective, stabilisers, unroll_k, pack_m). Raises ValueError."""
    objective, stabs, k, m = "ns", [], DEFAULTS["unroll_k"], DEFAULTS["pack_m"]
    seen_objective = False
    for part in [p.strip().lower() for p in name.split("+") if p.strip()]:
        if part in OBJECTIVES:
            if seen_objective:
                raise ValueError(f"variant {name!r} names two objectives")
            objective, seen_objective = part, True
        elif part.startswith("unrolled-") and part[9:].isdigit():
            stabs.append("unrolled")
            k = int(part[9:])
        elif part.startswith("pacgan-") and part[7:].isdigit():
            stabs.append("pacgan")
            m = int(part[7:])
        elif part in STABILISERS:
            stabs.append(part)
        else:
            raise ValueError(f"unknown variant part {part!r}")
    return objective, tuple(stabs), k, m


def build_config(s: dict[str, Any], points: list | None = None) -> TrainConfig:
    """A TrainConfig from page settings. Raises ValueError naming the field (e.g. 'optim.lr_g=...')."""
    data = s["data"]
    name = "points" if data in ("draw", "upload") else data
    if name == "points" and not points:
        raise ValueError("data.points: " + ("draw some points on the canvas first" if data == "draw"
                                            else "upload a CSV of x,y points first"))
    is_image = name in DATA_IMAGES
    variant = variant_name(s["objective"], s["stabilisers"], s["unroll_k"], s["pack_m"])
    d = {
        "data": {"name": name, "points": points if name == "points" else None},
        "model": {"kind": s["net"] if is_image else "mlp", "g_hidden": [s["g_units"]] * s["g_layers"],
                  "d_hidden": [s["d_units"]] * s["d_layers"], "activation": s["act"], "z_dim": s["z"],
                  "noise": s["noise"], "width": s["width"]},
        "optim": {"optimizer": s["opt"], "lr_g": s["lr_g"], "lr_d": s["lr_d"], "batch_size": s["batch"],
                  "n_critic": s["n_critic"]},
        "variant": variant, "variant_options": _page_overrides(variant, s), "steps": s["steps"], "seed": s["seed"],
        # The page shows the mode metrics over time: evaluate often on 2D data (a few ms each).
        "eval_every": 100 if name in DATA_2D else 500, "log_every": 10,
        "eval_samples": 2500 if name in DATA_2D else 1000,
    }
    return TrainConfig.from_dict(d)


def _page_overrides(variant: str, s: dict[str, Any]) -> dict[str, Any]:
    """The page's learning rates as variant options where the variant imposes its own (the classroom recipe's
    0.002 / 0.002): the run then trains at the rates the sidebar shows, never at others behind the user's back.
    (D steps per G step stay the variant's, wgan's 5 say: the live knobs show the count that trains.)"""
    from gan_core.variants import imposed_overrides

    return imposed_overrides(variant, {"lr_g": s["lr_g"], "lr_d": s["lr_d"]})


def field_of(message: str) -> str:
    """Which page setting a config error is about ('optim.lr_g=...' -> 'lr_g'), '' when unknown."""
    head = message.split("=", 1)[0].split(" ", 1)[0].strip("'\"")
    table = {
        "optim.lr_g": "lr_g", "optim.lr_d": "lr_d", "optim.batch_size": "batch", "optim.n_critic": "n_critic",
        "variant_options.lr_g": "lr_g", "variant_options.lr_d": "lr_d",
        "optim.optimizer": "opt", "model.z_dim": "z", "model.g_hidden": "g_units", "model.d_hidden": "d_units",
        "model.activation": "act", "model.noise": "noise", "model.width": "width", "model.kind": "net",
        "data.points": "data", "data.name": "data", "seed": "seed", "steps": "steps",
    }
    for key, name in table.items():
        if head.startswith(key):
            return name
    return "variant"


# --------------------------------------------------------------------------- URL round trip

def to_query(s: dict[str, Any]) -> dict[str, str]:
    """The settings that differ from their family's defaults, as URL strings."""
    base = defaults_for(s["data"])
    out: dict[str, str] = {}
    for key, value in s.items():
        if key not in DEFAULTS_2D or (value == base.get(key) and key != "data"):
            continue
        if key == "data" and value == DEFAULTS_2D["data"]:
            continue
        if key == "stabilisers":
            out["stab"] = ",".join(value)
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
                stabs = tuple(p for p in raw.split(",") if p)
                bad = [p for p in stabs if p not in STABILISERS]
                if bad:
                    raise ValueError(f"unknown stabiliser {bad[0]!r}")
                s["stabilisers"] = stabs
            elif key in CHOICES:
                if raw not in CHOICES[key]:
                    raise ValueError(f"choose one of {', '.join(CHOICES[key])}")
                s[key] = raw
            elif key in LIMITS:
                lo, hi = LIMITS[key]
                v = int(raw)
                if not lo <= v <= hi:
                    raise ValueError(f"must be between {lo} and {hi}")
                s[key] = v
            elif key in FLOATS:
                lo, hi = FLOATS[key]
                v = float(raw)
                if not (math.isfinite(v) and lo <= v <= hi):
                    raise ValueError(f"must be a number between {lo:g} and {hi:g}")
                s[key] = v
        except ValueError as err:
            warnings.append(f"link setting {key}={raw!r} ignored ({err}); using the default {s.get(key)!r}")
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
