"""Typed configuration of a CycleGAN run: two domains, four networks, the cycle and identity weights.

A `CycleConfig` sits beside `TrainConfig` rather than extending it: a CycleGAN has no noise, no variant and no
single generator, so most of TrainConfig's fields would mean nothing here. What both share has one home each:
a domain is a `config.DataConfig`, the optimiser (rates, betas, batch, linear decay) is a `config.OptimConfig`.
The settings only CycleGAN has (`lambda_cycle`, `lambda_identity`, `lambda_class`, `pool_size`) live here, and the
networks in `CycleModelConfig`. The config is saved as `config.json` with `"family": "cyclegan"`, so a folder says which kind
of run it holds, and round-trips exactly (`CycleConfig.from_dict(c.to_dict()) == c`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, get_args

from gan_core.checks import check_choice, check_float, check_int
from gan_core.config import MAX_HIDDEN_LAYERS, MAX_UNITS, Activation, DataConfig, OptimConfig, _help, _known, field_help

FAMILY = "cyclegan"
CycleNet = Literal["mlp", "resnet"]
Translator = Literal["resnet", "warp"]
# Image sets a CycleGAN can translate between: one grey channel, 28 x 28.
CYCLE_IMAGES: tuple[str, ...] = ("mnist", "mnist-full", "fashion-mnist", "digits8")
# Image sets whose labels name the same things (the digits 0-9): the class term may ask a translation between two
# of them to keep its source's label.
DIGIT_SETS: tuple[str, ...] = ("mnist", "mnist-full", "digits8")
N_DIGITS = 10


def shares_digit_labels(pair: str) -> bool:
    """Whether both sides of an `A:B` pair are digit sets: their labels name the same things (the class term)."""
    return all(side in DIGIT_SETS for side in pair.split(":"))


@dataclass
class CycleModelConfig:
    kind: CycleNet = _help("networks: mlp (2D points) or resnet (28x28 images: the paper's ResNet G, PatchGAN D)", "mlp")
    g_hidden: tuple[int, ...] = _help("MLP translators' hidden layer widths (mlp only)", (128, 128, 128))
    d_hidden: tuple[int, ...] = _help("MLP discriminators' hidden layer widths (mlp only)", (128, 128))
    activation: Activation = _help("MLP hidden-layer activation (mlp only)", "leaky_relu")
    width: int = _help("channels of the first convolution of G and D (resnet only; the paper: 64), 4-128", 16)
    n_blocks: int = _help("residual blocks at the lowest resolution of G (resnet only; the paper: 6 or 9), 0-9", 3)
    d_layers: int = _help("strided layers of the PatchGAN D (resnet only): 2 = local patches, 3 = nearly the whole "
                          "28x28 image (the paper: 3 on 256x256), 1-3", 2)
    translator: Translator = _help("image translators (resnet only): resnet = the paper's ResNet; warp = a spatial "
                                   "transformer (one learnt affine map per image) before it, for domains that frame "
                                   "their images differently (mnist:digits8)", "resnet")

    def __post_init__(self) -> None:
        check_choice("model.kind", self.kind, get_args(CycleNet))
        for name in ("g_hidden", "d_hidden"):
            value = getattr(self, name)
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"model.{name}={value!r} must be a list of layer widths, e.g. [128, 128]")
            value = tuple(value)
            if not 1 <= len(value) <= MAX_HIDDEN_LAYERS:
                raise ValueError(f"model.{name} has {len(value)} layers; give 1 to {MAX_HIDDEN_LAYERS} hidden layers")
            for i, units in enumerate(value):
                check_int(f"model.{name}[{i}]", units, 1, MAX_UNITS)
            setattr(self, name, value)
        check_choice("model.activation", self.activation, get_args(Activation))
        check_int("model.width", self.width, 4, 128)
        check_int("model.n_blocks", self.n_blocks, 0, 9)
        check_int("model.d_layers", self.d_layers, 1, 3)
        check_choice("model.translator", self.translator, get_args(Translator))
        if self.kind == "mlp" and self.translator != "resnet":
            raise ValueError(f"model.translator={self.translator!r} is for image translators; 2D points use MLPs "
                             "(leave translator out)")


def _cycle_optim() -> OptimConfig:
    # The paper's optimiser: Adam 2e-4, betas (0.5, 0.999), batch 1 (here larger: batch 1 is slow on a CPU).
    return OptimConfig(lr_g=2e-4, lr_d=2e-4, beta1_g=0.5, beta2_g=0.999, beta1_d=0.5, beta2_d=0.999, batch_size=64)


@dataclass
class CycleConfig:
    data_a: DataConfig = _help("domain A (G: A -> B, F: B -> A)", factory=lambda: DataConfig(name="moons"))
    data_b: DataConfig = _help("domain B", factory=lambda: DataConfig(name="circles"))
    model: CycleModelConfig = _help("the four networks", factory=CycleModelConfig)
    optim: OptimConfig = _help("the optimisation (G and F share one Adam, D_A and D_B another)", factory=_cycle_optim)
    lambda_cycle: float = _help("weight of the L1 cycle loss |F(G(a)) - a| + |G(F(b)) - b| (the paper: 10), 0-1000", 10.0)
    lambda_identity: float = _help("weight of the identity loss |G(b) - b| + |F(a) - a|, as a fraction of "
                                   "lambda_cycle (the paper: 0.5 for photo<->painting, 0 elsewhere), 0-10", 0.0)
    lambda_class: float = _help("weight of the class term (0 = off, CycleGAN as published): each discriminator also "
                                "learns to name the digit of its real images, and each translator is asked that its "
                                "translations be named as their source's digit; uses both domains' labels, so only "
                                "for two digit sets (mnist:digits8), 0-100", 0.0)
    pool_size: int = _help("generated samples kept for the discriminators (the paper: 50; 0 = the newest only), 0-1000", 50)
    steps: int = _help("training iterations (one iteration = one G+F update, then one D_A+D_B update)", 3000)
    seed: int = _help("random seed: the same seed and config give the same numbers", 0)
    log_every: int = _help("write a metrics.csv row every N steps", 10)
    eval_every: int = _help("compute the translation metrics every N steps (0 = only at the end)", 500)
    eval_samples: int = _help("held-out samples translated by the metrics", 1000)

    def __post_init__(self) -> None:
        for name, cls in (("data_a", DataConfig), ("data_b", DataConfig), ("model", CycleModelConfig),
                          ("optim", OptimConfig)):
            value = getattr(self, name)
            if isinstance(value, dict):
                value = cls(**_known(name, cls, value))
                setattr(self, name, value)
            if not isinstance(value, cls):
                raise ValueError(f"{name} must be a JSON object with the fields {', '.join(field_help(cls))}")
        a, b = self.data_a, self.data_b
        if a.is_image != b.is_image:
            raise ValueError(f"data {a.name}:{b.name} pairs images with 2D points; translate images to images or points "
                             "to points")
        for side in (a, b):
            if side.is_image and side.name not in CYCLE_IMAGES:
                raise ValueError(f"{side.name!r} cannot be a CycleGAN domain; image domains: {', '.join(CYCLE_IMAGES)}")
        want = "resnet" if a.is_image else "mlp"
        if self.model.kind != want:
            raise ValueError(f"model.kind={self.model.kind!r} does not fit {'images' if a.is_image else '2D points'}; "
                             f"use model.kind={want!r}")
        check_float("lambda_cycle", self.lambda_cycle, 0.0, 1000.0)
        check_float("lambda_identity", self.lambda_identity, 0.0, 10.0)
        check_float("lambda_class", self.lambda_class, 0.0, 100.0)
        if self.lambda_class > 0 and not shares_digit_labels(self.pair):
            raise ValueError(f"lambda_class={self.lambda_class} asks each translation to keep its source's label, "
                             f"which needs two digit sets ({', '.join(DIGIT_SETS)}); {self.pair} has "
                             f"{'no labels' if not a.is_image else 'labels that name different things'}: "
                             "set lambda_class=0")
        check_int("pool_size", self.pool_size, 0, 1000)
        check_int("steps", self.steps, 0, 10_000_000)
        check_int("seed", self.seed, 0, 2**31 - 1)
        check_int("log_every", self.log_every, 1, 1_000_000)
        check_int("eval_every", self.eval_every, 0, 10_000_000)
        check_int("eval_samples", self.eval_samples, 10, 100_000)

    @property
    def is_image(self) -> bool:
        return self.data_a.is_image

    @property
    def n_classes(self) -> int:
        """Classes the critics name: 10 with the class term on, else 0 (no class head)."""
        return N_DIGITS if self.lambda_class > 0 else 0

    @property
    def pair(self) -> str:
        return f"{self.data_a.name}:{self.data_b.name}"

    def to_dict(self) -> dict:
        out = {"family": FAMILY, **dataclasses.asdict(self)}
        out["model"]["g_hidden"] = list(self.model.g_hidden)
        out["model"]["d_hidden"] = list(self.model.d_hidden)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "CycleConfig":
        if not isinstance(d, dict):
            raise ValueError("a CycleGAN config must be a JSON object with keys data_a, data_b, model, optim, ...")
        d = dict(d)
        family = d.pop("family", FAMILY)
        if family != FAMILY:
            raise ValueError(f"config family {family!r} is not a CycleGAN's ({FAMILY!r})")
        return cls(**_known("config", cls, d))

    def replace(self, **changes: Any) -> "CycleConfig":
        """A copy with top-level fields changed (dicts for data_a, data_b, model, optim are merged into them)."""
        d = self.to_dict()
        for key, value in changes.items():
            if key in ("data_a", "data_b", "model", "optim") and isinstance(value, dict):
                d[key].update(value)
            else:
                d[key] = value
        return CycleConfig.from_dict(d)


def is_cycle_config(d: Any) -> bool:
    """Whether a config.json's contents describe a CycleGAN run."""
    return isinstance(d, dict) and d.get("family") == FAMILY


def parse_pair(text: str, points_a: list | None = None, points_b: list | None = None) -> tuple[DataConfig, DataConfig]:
    """'moons:circles' -> (DataConfig A, DataConfig B); 'points' on either side takes that side's points."""
    if not isinstance(text, str) or text.count(":") != 1:
        raise ValueError(f"--data {text!r} must name two domains as A:B, e.g. moons:circles or mnist:digits8")
    a, b = (part.strip() for part in text.split(":"))
    return (DataConfig(name=a, points=points_a if a == "points" else None),
            DataConfig(name=b, points=points_b if b == "points" else None))


# Named starting points (merged over the defaults, then over by explicit options), one per kind of pair.
# Images (measured on mnist:digits8, seed 0, 1,000 steps, one CPU thread; BENCHMARKS.md "CycleGAN"): the paper's
# identity weight 0.5 (its photo <-> painting choice) lowered the class kept both ways (44% / 63% against 55% / 76%
# with 0), so it stays 0; a PatchGAN with 3 strided layers (patches that see the whole 28 x 28 frame, as the
# paper's 3 layers do on 256 x 256) is needed: with 2 the class kept fell to 13% / 21%; width 12 with 2 residual
# blocks kept as much as width 16 / 3 blocks or width 24 / 4 blocks (within the 4 points two seeds differ by) at
# half to a quarter of the time per step, and batch 8 as much as batch 16 per second of training.
CYCLE_PRESETS: dict[str, dict] = {
    "2d": {"model": {"kind": "mlp"}, "optim": {"lr_g": 1e-3, "lr_d": 1e-3, "batch_size": 256},
           "steps": 3000, "eval_every": 500, "eval_samples": 2000},
    "images": {"model": {"kind": "resnet", "width": 12, "n_blocks": 2, "d_layers": 3},
               "optim": {"batch_size": 8, "lr_decay": 0.99}, "lambda_cycle": 10.0, "lambda_identity": 0.0,
               "steps": 3000, "eval_every": 500, "eval_samples": 360},
}
