"""GAN variants: an objective plus stabilisers, on the same architecture and the same optimiser settings.

A variant never changes the networks' layers: it picks the loss (see `objectives.py`) and switches on
stabilisers that act on the training step (penalties, unrolling, packing the discriminator's input,
spectral normalisation of D's weights, ...). Names combine with '+': `hinge+sn`, `pacgan-2+wgan-gp`,
`unrolled-5`. At most one part may pick the objective. Learning rates, their schedule and the batch belong
to the optimisation (`config.OptimConfig`); tuned combinations of all of these are presets
(`training/presets.py`), not variants.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from gan_core.checks import check_bool, check_choice, check_float, check_int

# The losses a variant may pick (their formulas are in objectives.py, keyed by these names; kept here so that
# reading and checking a recipe does not need torch).
OBJECTIVE_NAMES = ("minimax", "ns", "lsgan", "wasserstein", "hinge")


@dataclass
class Recipe:
    """The resolved settings of a variant. Fields may change between steps (the trainer rereads them)."""

    objective: str = "ns"
    unroll: int = 0              # D steps unrolled inside G's update (Metz et al. 2016)
    pack: int = 1                # samples D sees at once (PacGAN, Lin et al. 2018)
    spectral_norm: bool = False  # spectral normalisation of D's layers (Miyato et al. 2018)
    mbstd: bool = False          # minibatch standard deviation feature in D (Karras et al. 2018)
    gp_lambda: float = 0.0       # gradient penalty weight (Gulrajani et al. 2017)
    r1_gamma: float = 0.0        # R1 penalty weight on real data (Mescheder et al. 2018)
    r1_every: int = 1            # lazy R1: the penalty (times r1_every) on every r1_every-th step (StyleGAN2 section 3.1)
    weight_clip: float = 0.0     # weight clipping bound of D (Arjovsky et al. 2017)
    clip_norm: float = 0.0       # gradient clipping: largest norm of D's and G's gradients (Pascanu et al. 2013)
    instance_noise: float = 0.0  # std of Gaussian noise added to D's inputs, annealed to 0 (Sonderby et al. 2017)
    ema: float = 0.0             # decay of an exponential moving average of G's weights (Yazici et al. 2019)
    ema_bn: int = 0              # batches over which the average's batch-norm statistics are recomputed before it
                                 # samples (BigGAN's standing statistics); 0 copies the training G's
    ttur_ratio: float = 1.0      # lr_d / lr_g imposed when > 1 (Heusel et al. 2017); 1 keeps the configured rates
    n_critic: int = 1            # D steps per G step (5 for the Wasserstein critic, Arjovsky et al. 2017)
    diffaug: bool = False        # D sees every image shifted and cut out (DiffAugment, Zhao et al. 2020); images only
    ms_lambda: float = 0.0       # weight of the mode-seeking term in G's loss (MSGAN, Mao et al. 2019)


@dataclass(frozen=True)
class VariantInfo:
    name: str
    settings: dict
    about: str
    reference: str


def _v(name: str, settings: dict, about: str, reference: str) -> VariantInfo:
    return VariantInfo(name, settings, about, reference)


# Objective variants: exactly one of these (or none, meaning "ns") per combination.
OBJECTIVE_VARIANTS: dict[str, VariantInfo] = {
    v.name: v for v in [
        _v("vanilla", {"objective": "minimax"},
           "The original minimax game: D maximises log D(x) + log(1 - D(G(z))) and G minimises the same. "
           "Its generator gradient vanishes when D wins, so early training can stall.",
           "Goodfellow et al. 2014, Generative Adversarial Nets"),
        _v("ns", {"objective": "ns"},
           "Non-saturating GAN: D plays the original game, while G maximises log D(G(z)) instead of minimising "
           "log(1 - D(G(z))), which gives strong gradients when D is confident. "
           "The default objective of most practical GANs.",
           "Goodfellow et al. 2014, section 3"),
        _v("lsgan", {"objective": "lsgan"},
           "Least-squares GAN: D regresses real to 1 and fake to 0, G pushes fakes towards 1. "
           "Penalising distance to the target rather than a log keeps gradients alive for far-off fakes.",
           "Mao et al. 2017, Least Squares Generative Adversarial Networks"),
        _v("wgan", {"objective": "wasserstein", "weight_clip": 0.01, "n_critic": 5},
           "Wasserstein GAN: a critic estimates the earth-mover distance and is kept Lipschitz by clipping its "
           "weights to [-0.01, 0.01]; it trains 5 critic steps per generator step.",
           "Arjovsky et al. 2017, Wasserstein GAN"),
        _v("wgan-gp", {"objective": "wasserstein", "gp_lambda": 10.0, "n_critic": 5},
           "Wasserstein GAN with gradient penalty: instead of clipping, the critic's gradient norm on points between "
           "real and fake is pulled towards 1 (weight 10). It trains 5 critic steps per generator step.",
           "Gulrajani et al. 2017, Improved Training of Wasserstein GANs"),
        _v("hinge", {"objective": "hinge"},
           "Hinge loss: D is penalised only for real scores below 1 and fake scores above -1; G raises D's score on "
           "fakes. Used by SAGAN and BigGAN, usually with spectral normalisation.",
           "Lim & Ye 2017; Miyato et al. 2018"),
    ]
}

# Stabiliser variants: any number of these, combined with at most one objective variant.
STABILISER_VARIANTS: dict[str, VariantInfo] = {
    v.name: v for v in [
        _v("unrolled-k", {"unroll": "k"},
           "Unrolled GAN: G's update looks k discriminator steps ahead, differentiating through them, so G is "
           "punished for moves D would answer by dropping a mode (k = 1..10).",
           "Metz et al. 2016, Unrolled Generative Adversarial Networks"),
        _v("pacgan-m", {"pack": "m"},
           "PacGAN: D judges m samples packed together, so a generator that repeats itself is easy to spot "
           "(m = 2..4). Only D's input layer grows.",
           "Lin et al. 2018, PacGAN: The power of two samples in generative adversarial networks"),
        _v("sn", {"spectral_norm": True},
           "Spectral normalisation: every layer of D is divided by its largest singular value. "
           "That keeps D 1-Lipschitz per layer and its gradients well-behaved.",
           "Miyato et al. 2018, Spectral Normalization for Generative Adversarial Networks"),
        _v("mbstd", {"mbstd": True},
           "Minibatch standard deviation: D gets one extra feature, the average spread of the batch. "
           "A collapsed batch then looks different from a real one.",
           "Karras et al. 2018, Progressive Growing of GANs"),
        _v("r1", {"r1_gamma": 1.0},
           "R1 penalty: D's gradient on real data is penalised (weight gamma/2). "
           "This stops D from overshooting and makes training converge locally. Option r1_every=N computes it "
           "every N-th step only, N times as strong (lazy regularisation, StyleGAN2).",
           "Mescheder et al. 2018, Which Training Methods for GANs do actually Converge?"),
        _v("noise", {"instance_noise": 0.1},
           "Instance noise: Gaussian noise (std 0.1, fading to 0 over the run) is added to both real and fake "
           "inputs of D, so their distributions overlap and D cannot be perfect.",
           "Sonderby et al. 2017, Amortised MAP Inference for Image Super-resolution"),
        _v("ema", {"ema": 0.999},
           "Generator EMA: samples come from a moving average of G's weights (decay 0.999, option ema), which "
           "smooths out the oscillation of the adversarial game. A G with batch norm takes its statistics from "
           "the training G; with a long average (ema=0.9999) they no longer fit the averaged weights, and option "
           "ema_bn=N recomputes them over N fresh batches before the average samples (BigGAN's standing statistics).",
           "Yazici et al. 2019, The Unusual Effectiveness of Averaging in GAN Training"),
        _v("clip", {"clip_norm": 1.0},
           "Gradient clipping: before each update, D's and G's gradients are rescaled so that their total norm is "
           "at most clip_norm (default 1.0; --option clip_norm=0.5). A loss spike then moves the weights no "
           "further than an ordinary step; the gradient-norm chart shows the norms before clipping and the threshold.",
           "Pascanu et al. 2013, On the difficulty of training recurrent neural networks (torch.nn.utils.clip_grad_norm_)"),
        _v("weight-clip", {"weight_clip": 0.01},
           "Weight clipping: after each update every weight of D is clamped to [-0.01, 0.01] (option weight_clip), "
           "the Lipschitz constraint of the original Wasserstein GAN ('wgan' switches it on).",
           "Arjovsky et al. 2017, Wasserstein GAN"),
        _v("diffaug", {"diffaug": True},
           "Differentiable augmentation (images only): D sees every image, real and generated, shifted by up to 1/8 "
           "of its side and with a square of half its side blanked out, in D's and in G's update. D can no longer "
           "learn a small training set by heart, and G learns through the changes without drawing them.",
           "Zhao et al. 2020, Differentiable Augmentation for Data-Efficient GAN Training (policy translation,cutout)"),
        _v("ms", {"ms_lambda": 1.0},
           "Mode seeking: G's loss gets a term that grows when two noise vectors give look-alike outputs, "
           "1 / (mean |G(z1) - G(z2)| / mean |z1 - z2|), over pairs of the batch (with the same label in a "
           "conditional model), weighted by option ms_lambda (default 1.0). It is aimed at a conditional G that draws "
           "the same few pictures for a label whatever the noise.",
           "Mao et al. 2019, Mode Seeking Generative Adversarial Networks for Diverse Image Synthesis"),
        _v("ttur", {"ttur_ratio": 4.0},
           "Two time-scale update rule: D learns 4 times faster than G (lr_d = 4 * lr_g). "
           "With separate rates the game provably converges to a local Nash equilibrium under mild conditions.",
           "Heusel et al. 2017, GANs Trained by a Two Time-Scale Update Rule"),
    ]
}

_PARAM = re.compile(r"^(unrolled|pacgan)-(\d+)$")
_LIMITS = {"unrolled": (1, 10), "pacgan": (2, 4)}


def all_variant_names() -> list[str]:
    return list(OBJECTIVE_VARIANTS) + list(STABILISER_VARIANTS)


def describe(name: str) -> VariantInfo:
    """The explanation of one part of a variant name (`unrolled-5` -> the unrolled-k entry)."""
    match = _PARAM.match(name)
    if match:
        return STABILISER_VARIANTS[f"{match.group(1)}-{'k' if match.group(1) == 'unrolled' else 'm'}"]
    for table in (OBJECTIVE_VARIANTS, STABILISER_VARIANTS):
        if name in table:
            return table[name]
    raise ValueError(_unknown(name))


def _unknown(part: str) -> str:
    return (f"unknown variant {part!r}; valid variants: {', '.join(OBJECTIVE_VARIANTS)}, "
            f"unrolled-1..unrolled-10, pacgan-2..pacgan-4, {', '.join(n for n in STABILISER_VARIANTS if not n.endswith(('-k', '-m')))}; "
            f"combine them with '+', e.g. 'hinge+sn' or 'pacgan-2+wgan-gp'"
            + ("; 'classroom' is a preset now: use --preset classroom" if part == "classroom" else ""))


def parse_variant(name: str) -> Recipe:
    """Turn 'pacgan-2+wgan-gp' into a Recipe, refusing unknown names and combinations that make no sense.

    Every refusal is a ValueError that starts with the name as given (`variant 'wgan+hinge': ...`) and says what
    is allowed instead."""
    try:
        recipe = _parse(name)
        _check_recipe(recipe, name)
        return recipe
    except ValueError as e:
        msg = str(e)
        raise ValueError(msg if msg.startswith(f"variant {name!r}") else f"variant {name!r}: {msg}") from None


def variant_parts(name: str) -> list[tuple[str, str, int | None]]:
    """The grammar of a variant name, unchecked: 'pacgan-2+wgan-gp' -> [('pacgan-2', 'pacgan', 2),
    ('wgan-gp', 'wgan-gp', None)], each part as written (lower case), its name, and its number if it takes one."""
    out = []
    for part in (p.strip().lower() for p in name.split("+")):
        match = _PARAM.match(part)
        out.append((part, match.group(1), int(match.group(2))) if match else (part, part, None))
    return out


def _parse(name: str) -> Recipe:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(_unknown(str(name)))
    settings: dict = {}
    objective_from: str | None = None
    parts = variant_parts(name)
    if len({p for p, _, _ in parts}) != len(parts):
        raise ValueError("it names the same part twice; give each part once")
    for part, family, k in parts:
        if k is not None:
            lo, hi = _LIMITS[family]
            if not lo <= k <= hi:
                raise ValueError(f"{part!r}: {family}-N needs N between {lo} and {hi}")
            key = "unroll" if family == "unrolled" else "pack"
            if key in settings:
                raise ValueError(f"it sets {family} twice; give one {family}-N")
            settings[key] = k
            continue
        if part in OBJECTIVE_VARIANTS:
            if objective_from is not None:
                raise ValueError(f"it combines two objectives ({objective_from!r} and {part!r}); "
                                 f"pick one of {', '.join(OBJECTIVE_VARIANTS)}")
            objective_from = part
            settings.update(OBJECTIVE_VARIANTS[part].settings)
            continue
        if part in STABILISER_VARIANTS and not part.endswith(("-k", "-m")):
            settings.update(STABILISER_VARIANTS[part].settings)
            continue
        raise ValueError(_unknown(part))
    return Recipe(**settings)


def _check_recipe(r: Recipe, name: str) -> None:
    if r.objective not in OBJECTIVE_NAMES:
        raise ValueError(f"objective {r.objective!r} unknown; choose one of {', '.join(OBJECTIVE_NAMES)}")
    if r.weight_clip and r.gp_lambda:
        raise ValueError(f"variant {name!r} uses both weight clipping and a gradient penalty; use wgan or wgan-gp, not both")
    if r.ema_bn and not r.ema:
        raise ValueError("ema_bn recomputes the batch-norm statistics of G's moving average, and this variant keeps "
                         "none: add the 'ema' stabiliser (e.g. --variant ns+ema) or drop ema_bn")
    if r.weight_clip and r.spectral_norm:
        raise ValueError(f"variant {name!r} combines weight clipping with spectral normalisation; both bound D, pick one")
    if r.objective == "wasserstein" and not (r.weight_clip or r.gp_lambda or r.spectral_norm):
        raise ValueError("the Wasserstein objective needs a Lipschitz constraint: use 'wgan', 'wgan-gp' or add '+sn'")


RECIPE_FIELDS = {f.name: f for f in dataclasses.fields(Recipe)}
_OPTION_RANGES = {
    "unroll": (0, 10), "pack": (1, 4), "gp_lambda": (0.0, 1000.0), "r1_gamma": (0.0, 1000.0),
    "weight_clip": (0.0, 10.0), "clip_norm": (0.0, 1000.0), "instance_noise": (0.0, 10.0), "ema": (0.0, 0.99999), "ttur_ratio": (1.0, 100.0),
    "n_critic": (1, 20), "r1_every": (1, 64), "ema_bn": (0, 1000), "ms_lambda": (0.0, 100.0),
}
# Options that may change while a run trains (the others change D's layers or the objective: a new run).
LIVE_OPTIONS = ("gp_lambda", "r1_gamma", "weight_clip", "clip_norm", "instance_noise", "ms_lambda", "unroll", "n_critic")


def option_range(name: str) -> tuple[float, float]:
    """(lowest, highest) value a variant option accepts, both included."""
    return _OPTION_RANGES[name]


def apply_options(recipe: Recipe, options: dict) -> Recipe:
    """A copy of `recipe` with user overrides, each checked against its allowed range."""
    out = dataclasses.replace(recipe)
    for key, value in options.items():
        if key == "clip":
            raise ValueError("variant option 'clip' is ambiguous and no longer used: WGAN's weight-clipping bound is "
                             "'weight_clip' (e.g. weight_clip=0.01); gradient clipping is the 'clip' stabiliser, whose "
                             "largest gradient norm is 'clip_norm' (e.g. clip_norm=0.5)")
        if key not in RECIPE_FIELDS:
            raise ValueError(f"variant option {key!r} unknown; known options: {', '.join(RECIPE_FIELDS)}")
        if key == "objective":
            check_choice("variant_options.objective", value, OBJECTIVE_NAMES)
        elif key in ("spectral_norm", "mbstd", "diffaug"):
            check_bool(f"variant_options.{key}", value)
        elif key in ("unroll", "pack", "n_critic", "r1_every", "ema_bn"):
            check_int(f"variant_options.{key}", value, *_OPTION_RANGES[key])
        else:
            check_float(f"variant_options.{key}", value, *_OPTION_RANGES[key])
        setattr(out, key, value)
    _check_recipe(out, "with options " + repr(options))
    return out


def resolve_recipe(variant: str, options: dict, batch_size: int, conditional: bool, pack_batch: bool = False) -> Recipe:
    """The recipe a run trains with: its variant and overrides, checked against the batch size and the model.
    With `pack_batch` the batch counts D's inputs (pack x batch_size samples are drawn), so any size fits a pack."""
    recipe = apply_options(parse_variant(variant), options)
    given = batch_size  # as the user set it (messages name this one)
    if pack_batch:
        batch_size *= recipe.pack
    if batch_size % recipe.pack:
        raise ValueError(f"optim.batch_size={batch_size} must be a multiple of the pack size {recipe.pack} "
                         f"(variant {variant!r})")
    if recipe.pack > 1 and conditional:
        raise ValueError("packing (pacgan-m) and a conditional model cannot be combined: a pack would mix labels")
    if recipe.ms_lambda > 0 and batch_size // recipe.pack < 2:
        raise ValueError(f"optim.batch_size={given} is too small for mode seeking (ms): it compares pairs of "
                         f"samples, so it needs at least 2 {'packs' if recipe.pack > 1 else 'samples'} per batch")
    if recipe.mbstd and batch_size // recipe.pack < 2:
        raise ValueError(f"optim.batch_size={given} is too small for minibatch std (mbstd): it needs at least 2 "
                         f"{'packs' if recipe.pack > 1 else 'samples'} per batch")
    return recipe
