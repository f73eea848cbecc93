"""Typed run configuration: data, model, variant and optimisation, validated on construction.

A `TrainConfig` is everything needed to rebuild a run; it is saved as `config.json` beside the
weights and round-trips through JSON exactly (`TrainConfig.from_dict(json.loads(json.dumps(c.to_dict()))) == c`).
Every bad value raises `ValueError` naming the field, the value and what is allowed. Each field
carries a one-line `help` (used by the CLI's `--help` and the dashboard's tooltips).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from gan_core.checks import check_bool, check_choice, check_distinct_points, check_float, check_int
from gan_core.variants import Recipe, resolve_recipe

DataName = Literal[
    "two-gaussians", "ring8", "ring8-pacgan", "grid25", "spiral", "moons", "circles", "points",
    "mnist", "mnist-full", "fashion-mnist", "stacked-mnist", "digits8",
]
ModelKind = Literal["mlp", "dcgan", "style"]
Activation = Literal["relu", "leaky_relu", "tanh"]
NoiseDist = Literal["normal", "uniform"]
InitScheme = Literal["default", "orthogonal"]
OptimizerName = Literal["adam", "rmsprop", "sgd"]
Precision = Literal["float32", "bfloat16", "auto"]

DATA_2D: tuple[str, ...] = ("two-gaussians", "ring8", "ring8-pacgan", "grid25", "spiral", "moons", "circles", "points")
DATA_IMAGES: tuple[str, ...] = ("mnist", "mnist-full", "fashion-mnist", "stacked-mnist", "digits8")

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 1024


def _help(text: str, default: Any = dataclasses.MISSING, factory: Any = dataclasses.MISSING):
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata={"help": text})
    return field(default=default, metadata={"help": text})


@dataclass
class DataConfig:
    name: DataName = _help("which data to learn (2D mixtures and shapes, or image sets)", "ring8")
    points: list | None = _help("the user's own 2D points, as [[x, y], ...] (for name='points')", None)
    data_dir: str | None = _help("folder with MNIST / Fashion-MNIST IDX files (image data only)", None)

    def __post_init__(self) -> None:
        check_choice("data.name", self.name, get_args(DataName))
        if self.name == "points":
            if not self.points:
                raise ValueError("data.name='points' needs data.points: give a CSV of x,y points (--points FILE.csv) or draw some")
            try:
                pts = [[float(v) for v in p] for p in self.points]
            except (TypeError, ValueError):
                raise ValueError("data.points must be a list of [x, y] number pairs") from None
            if any(len(p) != 2 for p in pts):
                raise ValueError("data.points must be pairs [x, y]")
            if any(not (math.isfinite(a) and math.isfinite(b)) for a, b in pts):
                raise ValueError("data.points holds a NaN or infinite value; remove it and try again")
            check_distinct_points("data.points", pts)
            self.points = pts
        elif self.points is not None:
            raise ValueError(f"data.points is only used with data.name='points', not {self.name!r}")

    @property
    def is_image(self) -> bool:
        return self.name in DATA_IMAGES


@dataclass
class ModelConfig:
    kind: ModelKind = _help("network family: mlp (any data), dcgan (28x28 images) or style (a style-based generator "
                            "for 28x28 images: mapping network, styles per layer, optional progressive growing)", "mlp")
    # The classroom defaults: a deeper, narrower G than the Unrolled-GAN setup (preset unrolled-2d: G 2x128,
    # z 256) makes the sharp jumps between modes that >= 95% high-quality samples need (BENCHMARKS.md,
    # "The `classroom` recipe").
    g_hidden: tuple[int, ...] = _help("generator hidden layer widths, e.g. 64,64,64,64 (0-6 layers, 1-1024 units)",
                                      (64, 64, 64, 64))
    d_hidden: tuple[int, ...] = _help("discriminator hidden layer widths (0-6 layers, 1-1024 units)", (128, 128))
    activation: Activation = _help("hidden-layer activation of the MLPs", "tanh")
    z_dim: int = _help("noise (latent) dimension, 1-1024", 64)
    noise: NoiseDist = _help("noise distribution: normal N(0, I) or uniform U(-1, 1)", "normal")
    conditional: bool = _help("feed the class label to G and D (image data with labels)", False)
    width: int = _help("base channel count of the convolutional networks (dcgan, style), 4-256", 64)
    d_width: int = _help("dcgan only: D's base channel count, 0 = the same as width (the Unrolled GAN paper weakens "
                         "D to 1/4 or 1/2 of G's width on Stacked MNIST), 0 or 4-256", 0)
    d_batch_norm: bool = _help("dcgan only: batch norm after D's second convolution, real and fake normalised as "
                               "separate batches, as in the DCGAN reference code (a known way for a plain DCGAN to "
                               "drop modes on Stacked MNIST)", False)
    g_cond_bn: bool = _help("dcgan, conditional only: G's batch norms take their scale and shift from the label "
                            "(conditional batch norm, de Vries et al. 2017), so the label reaches every layer, not "
                            "only the input", False)
    g_refine: bool = _help("dcgan only: a deeper G: a 3x3 convolution after the 14x14 upsampling, and the last "
                           "upsampling to w/2 channels followed by a 3x3 convolution to the image", False)
    init: InitScheme = _help("weight initialisation: default (PyTorch's U(+-1/sqrt(fan_in)) for MLPs, N(0, 0.02) for "
                             "DCGAN) or orthogonal (the Unrolled GAN paper's 2D networks), biases 0", "default")
    init_gain: float = _help("scale of the orthogonal initialisation (0.8 in the Unrolled GAN paper), 0.01-10", 1.0)
    d_input_scale: float = _help("D multiplies its input by this before its first layer (the Unrolled GAN paper: 1/4, "
                                 "bringing the ring of radius 2 to about [-1, 1]), 0.001-1000", 1.0)
    # PacGAN's 2D networks (Lin et al. 2018): G with batch norm, D of maxout units.
    g_batch_norm: bool = _help("mlp only: batch normalisation after each hidden layer of G, before its activation "
                               "(PacGAN's 2D generator)", False)
    d_maxout: int = _help("mlp only: D's hidden layers are maxout units, the maximum of this many linear pieces "
                          "(Goodfellow et al. 2013; PacGAN's 2D discriminator: 5); 0 = the activation, or 2-10", 0)
    # The style family (models/style.py); ignored by the others.
    mapping_layers: int = _help("style only: layers of the mapping network z -> w, 1-8", 4)
    style_mixing: float = _help("style only: probability that a training batch mixes two w's at a random "
                                "crossover layer (style-mixing regularisation), 0-1", 0.9)
    grow: bool = _help("style only: progressive growing: start at the lowest resolution and fade each higher one "
                       "in (schedule: grow_steps)", False)
    grow_steps: int = _help("style only, with grow: steps at the lowest resolution, then for each higher one "
                            "grow_steps of fade-in (alpha 0 -> 1) and grow_steps stable, 1-1,000,000", 1000)

    def __post_init__(self) -> None:
        check_choice("model.kind", self.kind, get_args(ModelKind))
        for name in ("g_hidden", "d_hidden"):
            value = getattr(self, name)
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"model.{name}={value!r} must be a list of layer widths, e.g. [128, 128]")
            setattr(self, name, tuple(value))
        for name, hidden in (("model.g_hidden", self.g_hidden), ("model.d_hidden", self.d_hidden)):
            if len(hidden) > MAX_HIDDEN_LAYERS:
                raise ValueError(f"{name} has {len(hidden)} layers; at most {MAX_HIDDEN_LAYERS} hidden layers are allowed")
            for i, units in enumerate(hidden):
                check_int(f"{name}[{i}]", units, 1, MAX_UNITS)
        check_choice("model.activation", self.activation, get_args(Activation))
        check_int("model.z_dim", self.z_dim, 1, 1024)
        check_choice("model.noise", self.noise, get_args(NoiseDist))
        check_bool("model.conditional", self.conditional)
        check_int("model.width", self.width, 4, 256)
        if self.d_width != 0 and not (isinstance(self.d_width, int) and 4 <= self.d_width <= 256):
            raise ValueError(f"model.d_width={self.d_width!r} is out of range; it must be 0 (the same as width) or an "
                             "integer between 4 and 256")
        check_bool("model.d_batch_norm", self.d_batch_norm)
        if self.d_batch_norm and self.kind != "dcgan":
            raise ValueError(f"model.d_batch_norm belongs to the dcgan discriminator; model.kind={self.kind!r} has its "
                             "own layers (leave it at false)")
        check_bool("model.g_cond_bn", self.g_cond_bn)
        check_bool("model.g_refine", self.g_refine)
        if (self.g_cond_bn or self.g_refine) and self.kind != "dcgan":
            raise ValueError(f"model.g_cond_bn and model.g_refine belong to the dcgan generator; model.kind="
                             f"{self.kind!r} has its own layers (leave them at false)")
        if self.g_cond_bn and not self.conditional:
            raise ValueError("model.g_cond_bn=true needs a label to condition on; set model.conditional=true "
                             "(the cgan preset) or leave g_cond_bn at false")
        check_choice("model.init", self.init, get_args(InitScheme))
        check_float("model.init_gain", self.init_gain, 0.01, 10.0)
        check_float("model.d_input_scale", self.d_input_scale, 0.001, 1000.0)
        check_bool("model.g_batch_norm", self.g_batch_norm)
        if self.d_maxout != 0 and not (isinstance(self.d_maxout, int) and not isinstance(self.d_maxout, bool)
                                       and 2 <= self.d_maxout <= 10):
            raise ValueError(f"model.d_maxout={self.d_maxout!r} is out of range; it must be 0 (no maxout) or an "
                             "integer between 2 and 10 (pieces per unit)")
        if self.kind != "mlp" and (self.g_batch_norm or self.d_maxout):
            raise ValueError(f"model.g_batch_norm and model.d_maxout belong to the mlp networks; model.kind="
                             f"{self.kind!r} has its own layers (leave them at false and 0)")
        check_int("model.mapping_layers", self.mapping_layers, 1, 8)
        check_float("model.style_mixing", self.style_mixing, 0.0, 1.0)
        check_bool("model.grow", self.grow)
        check_int("model.grow_steps", self.grow_steps, 1, 1_000_000)
        if self.kind == "style":
            if self.conditional:
                raise ValueError("model.kind='style' is unconditional; set model.conditional=false (or use dcgan)")
            if self.init != "default":
                raise ValueError("model.kind='style' initialises its own way (equalised learning rate: N(0, 1) "
                                 "weights); leave model.init at 'default'")
        elif self.grow:
            raise ValueError(f"model.grow=true needs model.kind='style', not {self.kind!r}")


@dataclass
class OptimConfig:
    optimizer: OptimizerName = _help("optimiser for both networks: adam, rmsprop or sgd", "adam")
    lr_g: float = _help("generator learning rate (> 0; above ~0.01 most runs diverge)", 1e-3)
    lr_d: float = _help("discriminator learning rate (> 0)", 1e-4)
    beta1_g: float = _help("generator Adam beta1 / SGD momentum / RMSprop momentum, in [0, 1)", 0.5)
    beta2_g: float = _help("generator Adam beta2 / RMSprop alpha, in [0, 1)", 0.999)
    beta1_d: float = _help("discriminator Adam beta1 / SGD momentum / RMSprop momentum, in [0, 1)", 0.5)
    beta2_d: float = _help("discriminator Adam beta2 / RMSprop alpha, in [0, 1)", 0.999)
    batch_size: int = _help("samples per batch, 1-8192", 512)
    lr_decay: float = _help("linear learning-rate decay: both rates end at (1 - lr_decay) of their start at the last "
                            "step, 0-0.999 (0 = constant)", 0.0)
    batch_growth: int = _help("from half the step budget on, batches are this many times larger, 1-8 (1 = constant)", 1)
    pack_batch: bool = _help("with PacGAN's packing (pacgan-m) the batch counts D's inputs: m x batch_size samples of "
                             "each kind per step, as PacGAN's protocol; off, batch_size samples (batch_size / m inputs)",
                             False)

    def __post_init__(self) -> None:
        check_choice("optim.optimizer", self.optimizer, get_args(OptimizerName))
        # Learning rates above 1 are allowed on purpose (a class can watch a run diverge); only
        # non-positive or non-finite ones are refused.
        check_float("optim.lr_g", self.lr_g, 0.0, None, lo_open=True)
        check_float("optim.lr_d", self.lr_d, 0.0, None, lo_open=True)
        for name in ("beta1_g", "beta2_g", "beta1_d", "beta2_d"):
            value = getattr(self, name)
            check_float(f"optim.{name}", value, 0.0, 1.0)
            if value >= 1.0:
                raise ValueError(f"optim.{name}={value} is out of range; it must be at least 0 and below 1")
        check_int("optim.batch_size", self.batch_size, 1, 8192)
        check_float("optim.lr_decay", self.lr_decay, 0.0, 0.999)
        check_int("optim.batch_growth", self.batch_growth, 1, 8)
        check_bool("optim.pack_batch", self.pack_batch)


@dataclass
class TrainConfig:
    data: DataConfig = _help("the data", factory=DataConfig)
    model: ModelConfig = _help("the networks", factory=ModelConfig)
    optim: OptimConfig = _help("the optimisation", factory=OptimConfig)
    variant: str = _help("GAN variant: objective + stabilisers, e.g. ns, wgan-gp, unrolled-5, pacgan-2+hinge", "ns")
    variant_options: dict = _help("overrides of the variant's settings, e.g. {'gp_lambda': 5}", factory=dict)
    steps: int = _help("training iterations (one iteration = n_critic D steps + one G step)", 3000)
    seed: int = _help("random seed: the same seed and config give the same numbers", 0)
    log_every: int = _help("write a metrics.csv row every N steps", 10)
    eval_every: int = _help("compute the mode / image metrics every N steps (0 = only at the end)", 500)
    eval_samples: int = _help("generated samples used by the metrics", 2500)
    eval_samples_during: int = _help("image data: generated samples of the evaluations before the last, at most "
                                     "eval_samples (the last evaluation, and every one with keep_best, uses "
                                     "eval_samples; metrics.csv's eval_samples column says which)", 1000)
    precision: Precision = _help("matrix precision: float32, bfloat16 (mixed, weights stay float32) or auto "
                                 "(bfloat16 where the processor computes it natively)", "float32")
    keep_best: bool = _help("keep the generator (its EMA copy, if the variant has one) of the evaluation with the "
                            "lowest FID and save that one, not the last (image data; needs eval_every)", False)

    def __post_init__(self) -> None:
        if isinstance(self.data, dict):
            self.data = DataConfig(**_known("data", DataConfig, self.data))
        if isinstance(self.model, dict):
            self.model = ModelConfig(**_known("model", ModelConfig, self.model))
        if isinstance(self.optim, dict):
            self.optim = OptimConfig(**_known("optim", OptimConfig, self.optim))
        for name, cls in (("data", DataConfig), ("model", ModelConfig), ("optim", OptimConfig)):
            if not isinstance(getattr(self, name), cls):
                raise ValueError(f"{name} must be a JSON object with the fields {', '.join(field_help(cls))}")
        if not isinstance(self.variant, str) or not self.variant:
            raise ValueError(f"variant={self.variant!r} must be a variant name such as 'ns' or 'wgan-gp'")
        if not isinstance(self.variant_options, dict):
            raise ValueError("variant_options must be a mapping of setting name to value")
        check_int("steps", self.steps, 0, 10_000_000)
        check_int("seed", self.seed, 0, 2**31 - 1)
        check_int("log_every", self.log_every, 1, 1_000_000)
        check_int("eval_every", self.eval_every, 0, 10_000_000)
        check_int("eval_samples", self.eval_samples, 10, 100_000)
        check_int("eval_samples_during", self.eval_samples_during, 10, 100_000)
        check_choice("precision", self.precision, get_args(Precision))
        check_bool("keep_best", self.keep_best)
        if self.keep_best and not self.data.is_image:
            raise ValueError(f"keep_best=true keeps the lowest FID, which only image data has; {self.data.name!r} is 2D")
        if self.model.kind == "dcgan" and not self.data.is_image:
            raise ValueError(f"model.kind='dcgan' needs image data; {self.data.name!r} is 2D: use model.kind='mlp'")
        if self.model.kind == "style" and not self.data.is_image:
            raise ValueError(f"model.kind='style' needs image data; {self.data.name!r} is 2D: use model.kind='mlp'")
        if self.model.conditional and not self.data.is_image:
            raise ValueError(f"model.conditional=true needs labelled image data; {self.data.name!r} has no labels")
        # The variant is resolved once, here: this validates its name, its options and its fit with the rest.
        self._recipe = resolve_recipe(self.variant, self.variant_options, self.optim.batch_size, self.model.conditional,
                                      self.optim.pack_batch)
        if self._recipe.diffaug and not self.data.is_image:
            raise ValueError(f"variant {self.variant!r}: diffaug shifts and cuts images; {self.data.name!r} is 2D, "
                             "so drop '+diffaug'")
        if self.model.kind == "style" and self._recipe.spectral_norm:
            raise ValueError(f"variant {self.variant!r}: spectral normalisation does not combine with the style "
                             "model's equalised learning rate; drop '+sn'")

    @property
    def recipe(self) -> Recipe:
        """The variant's resolved settings (a copy: a trainer may change its own between steps)."""
        return dataclasses.replace(self._recipe)

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["model"]["g_hidden"] = list(self.model.g_hidden)
        out["model"]["d_hidden"] = list(self.model.d_hidden)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        if not isinstance(d, dict):
            raise ValueError("a config must be a JSON object with keys data, model, optim, variant, ...")
        return cls(**_known("config", cls, upgrade_legacy(d)))

    def replace(self, **changes: Any) -> "TrainConfig":
        """A copy with top-level fields changed (nested dicts are merged into their section)."""
        d = self.to_dict()
        for key, value in changes.items():
            if key in ("data", "model", "optim") and isinstance(value, dict):
                d[key].update(value)
            else:
                d[key] = value
        return TrainConfig.from_dict(d)


def _known(section: str, cls: type, d: dict) -> dict:
    if any(not isinstance(k, str) for k in d):
        raise ValueError(f"{section} has a non-text field name")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise ValueError(f"{section} has unknown field(s) {', '.join(unknown)}; known fields: {', '.join(sorted(names))}")
    return dict(d)


def field_help(cls: type) -> dict[str, str]:
    """{field name: one-line help} for a config dataclass."""
    return {f.name: f.metadata.get("help", "") for f in dataclasses.fields(cls)}


def upgrade_legacy(d: dict) -> dict:
    """A config.json written before learning rates, their schedule and D's step count each had one home, in
    today's form (the same training). Then a variant could impose optimisation settings: the `classroom` recipe
    (now the preset of that name) its rates, decay and batch growth, `wgan` its 5 D steps over `optim.n_critic`."""
    optim, options = d.get("optim", {}), d.get("variant_options", {})
    if not isinstance(optim, dict) or not isinstance(options, dict) or "n_critic" not in optim:
        return d  # today's form (every earlier config.json has optim.n_critic), or reported by TrainConfig
    d = {**d, "optim": dict(optim), "variant_options": dict(options)}
    optim, options = d["optim"], d["variant_options"]
    variant = d.get("variant")
    if isinstance(variant, str) and "classroom" in variant.split("+"):
        d["variant"] = "+".join(["ns", "pacgan-2", "ema"] + [p for p in variant.split("+") if p != "classroom"])
        optim.update(lr_g=0.002, lr_d=0.002, lr_decay=0.99, batch_growth=2)
        options.setdefault("ema", 0.99)
    if "clip" in options:  # WGAN's weight-clipping bound, named weight_clip since gradient clipping came
        options["weight_clip"] = options.pop("clip")
    for key in ("lr_g", "lr_d", "lr_decay", "batch_growth"):
        if key in options:
            optim[key] = options.pop(key)
    n_critic = optim.pop("n_critic")
    imposed = isinstance(variant, str) and any(p in ("wgan", "wgan-gp") for p in variant.split("+"))
    if n_critic != 1 and not imposed:
        options.setdefault("n_critic", n_critic)
    return d
