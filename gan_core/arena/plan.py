"""The arena's plan: which data it can score, the shared setup, one validated config per (variant, seed), and
the events a run sends back while it trains."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from gan_core.checks import check_int
from gan_core.config import TrainConfig
from gan_core.data.points import MIXTURES
from gan_core.variants import parse_variant

RESULT_COLUMNS = ("data", "variant", "seed", "steps", "modes", "hq", "kl", "wall_time")
ARENA_DATA: tuple[str, ...] = tuple(MIXTURES)  # data with known centres, so modes can be counted
# Image data: the evaluation classifier counts the modes (MNIST / Fashion-MNIST: the 10 classes found among the
# samples; Stacked MNIST: the digit triples, of 1,000). % HQ becomes the classifier's mean confidence and the
# reverse KL the KL of the class histogram to uniform.
IMAGE_ARENA_DATA: tuple[str, ...] = ("mnist", "fashion-mnist", "stacked-mnist")
STACKED_SAMPLES = 26_000  # the protocol's sample count for Stacked MNIST
MAX_WORKERS = 64


@dataclass
class ArenaEvent:
    """One message of an arena run.

    kind: "eval" (metrics at a logged step), "done" (the run finished; metrics are its final ones)
    or "error" (the run failed; `message` says why). `samples` holds the generated points the
    metrics were computed on ((N, 2) float32), or None. `wall_time` is the run's own training time
    so far in seconds; `done_runs` / `total_runs` count finished (done or failed) runs of the arena.
    """

    kind: str
    variant: str
    seed: int
    step: int
    metrics: dict
    samples: np.ndarray | None
    wall_time: float
    done_runs: int
    total_runs: int
    data: str = ""
    message: str = ""

    def row(self) -> dict:
        """The results.csv row of a "done" event."""
        return {"data": self.data, "variant": self.variant, "seed": self.seed, "steps": self.step,
                "modes": self.metrics.get("modes"), "hq": self.metrics.get("hq"), "kl": self.metrics.get("kl"),
                "wall_time": self.wall_time}


def _seed_list(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, bool):
        raise ValueError(f"seeds={seeds!r} must be a number of seeds or a list of seeds")
    if isinstance(seeds, int):
        check_int("seeds", seeds, 1, 1000)
        return list(range(seeds))
    try:
        out = list(seeds)
    except TypeError:
        raise ValueError(f"seeds={seeds!r} must be a number of seeds or a list of seeds") from None
    if not out:
        raise ValueError("seeds is empty; give a number of seeds (e.g. 5), a list (0,2,4) or a rising range (0-4)")
    for s in out:
        check_int("seed", s, 0, 2**31 - 1)
    if len(set(out)) != len(out):
        raise ValueError(f"seeds {out} repeat a seed; each seed may appear once")
    return out


def _variant_list(variants: str | Iterable[str]) -> list[str]:
    if isinstance(variants, str):
        variants = [v for v in variants.split(",")]
    out = [v.strip() for v in variants]
    if not out or any(not v for v in out):
        raise ValueError("variants must name at least one variant, e.g. ['vanilla', 'unrolled-5', 'pacgan-4', 'wgan-gp'] "
                         "(an empty name was given)")
    if len(set(out)) != len(out):
        raise ValueError(f"variants {out} name a variant twice; each variant may appear once")
    for v in out:
        parse_variant(v)  # unknown names and bad combinations: ValueError listing the valid variants
    return out


def reference_config(data: str = "ring8", preset: str | None = None) -> TrainConfig:
    """The setup every arena run shares unless told otherwise: `preset` (any name of training/presets.py), else
    for 2D mixtures `collapse-ttur`, in which the plain GANs collapse onto a few modes (mostly with sharp samples)
    within 12,000 steps and `ns+r1` / `ns+sn` keep all eight (`collapse-metz2016`, the Unrolled GAN paper's published 2D setup, shows loose hopping instead;
    the earlier tables of BENCHMARKS.md used `unrolled-2d`, the paper's notebook networks with tanh), and for image data the `dcgan` preset (PacGAN's Stacked MNIST network but for normal noise),
    scored on 26,000 samples for Stacked MNIST. Only the network, optimiser and batch of the preset are kept: the
    arena sets the data, variant, seed and budget of each run."""
    from gan_core.training.presets import preset_config

    name = preset or ("dcgan" if data in IMAGE_ARENA_DATA else "collapse-ttur")
    extra = {"eval_samples": STACKED_SAMPLES} if data == "stacked-mnist" else {}
    return preset_config(name, {"data": {"name": data}, **extra})


def arena_metrics(metrics: dict, data: str) -> dict:
    """The arena's modes / hq / kl of a run's metrics (image data: classes found, mean confidence, class KL),
    with the other scalar metrics kept beside them."""
    out = {k: v for k, v in metrics.items() if np.isscalar(v)}
    if data in IMAGE_ARENA_DATA:
        out["modes"] = metrics.get("modes", metrics.get("coverage"))
        out["hq"] = metrics.get("mean_confidence", float("nan"))
        out["kl"] = metrics.get("kl", metrics.get("class_kl"))
    return out


def plan_runs(data: str, variants: str | Iterable[str], seeds: int | Iterable[int], steps: int, eval_every: int = 500,
              base_config: TrainConfig | None = None) -> list[TrainConfig]:
    """The validated configs of an arena, one per (variant, seed); raises ValueError on any bad input."""
    if data not in ARENA_DATA + IMAGE_ARENA_DATA:
        raise ValueError(f"data={data!r} cannot be used in the arena: it needs known modes to count (a mixture with "
                         f"known centres, or images the evaluation classifier labels); choose one of "
                         f"{', '.join(ARENA_DATA + IMAGE_ARENA_DATA)}")
    names = _variant_list(variants)
    seed_list = _seed_list(seeds)
    check_int("steps", steps, 1, 10_000_000)
    check_int("eval_every", eval_every, 0, 10_000_000)
    base = base_config if base_config is not None else reference_config(data)
    if not isinstance(base, TrainConfig):
        raise ValueError("base_config must be a TrainConfig")
    if data in ARENA_DATA and base.model.kind != "mlp":
        raise ValueError(f"the arena trains 2D data; base_config.model.kind must be 'mlp', not {base.model.kind!r}")
    configs = []
    for seed in seed_list:
        for name in names:
            try:
                configs.append(base.replace(data={"name": data, "points": None, "data_dir": None}, variant=name,
                                            seed=seed, steps=steps, eval_every=eval_every))
            except ValueError as e:
                raise ValueError(f"variant {name!r}: {e}") from None
    return configs


def _cost(config: TrainConfig) -> float:
    """A rough relative cost per step, to start the slow runs first (keeps the workers busy to the end)."""
    r = config.recipe
    d_step = 1.0 + 1.5 * bool(r.gp_lambda or r.r1_gamma) + 0.5 * r.spectral_norm
    return r.n_critic * d_step + 1.0 + 1.8 * r.unroll


def work_items(configs: list[TrainConfig], batch_seeds: bool = False) -> list[list[int]]:
    """The plan's configs grouped into work items (lists of indices), slowest first. One run each; with
    batch_seeds, every seed of a variant that can be batched (`training.seed_batch.batchable`) in one item,
    trained as one batched model: numbers as separate runs' up to float32 rounding (not bit for bit)."""
    groups: dict[str, list[int]] = {}
    items: list[list[int]] = []
    if batch_seeds:
        from gan_core.training.seed_batch import batchable

        for i, c in enumerate(configs):
            if batchable(c):  # a reason it cannot be batched: a run of its own
                items.append([i])
            else:
                groups.setdefault(c.variant, []).append(i)
    else:
        items = [[i] for i in range(len(configs))]
    items += list(groups.values())
    return sorted(items, key=lambda item: (-sum(_cost(configs[i]) for i in item), item[0]))
