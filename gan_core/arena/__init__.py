"""The mode-collapse arena: several GAN variants trained side by side and scored by the published protocol.

Every variant is trained on every seed with the same budget: the same base config, data, seed and steps;
only the variant differs. The mode metrics (2D mixtures: captured modes, % high-quality samples, reverse
KL; see `metrics2d.py`) are logged every `eval_every` steps and streamed back as `ArenaEvent`s while the
runs go on, so a dashboard can draw them live and the CLI can show one progress bar.

Runs go to a pool of worker processes (fresh interpreters: "forkserver" or "spawn"), each on one thread: on a small machine
K variants then take about K / workers times one run, not K times. A run's numbers depend only on its
config and seed, never on which worker ran it.

    for event in run_arena("ring8", ["ns", "pacgan-2"], seeds=3, steps=2000):
        print(event.kind, event.variant, event.seed, event.step, event.metrics)
"""
from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue as queue_mod
import statistics
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from gan_core.config import TrainConfig, check_int
from gan_core.data.points import MIXTURES
from gan_core.variants import describe, parse_variant

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


# ----------------------------------------------------------------------------- validation
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
        raise ValueError("seeds is empty; give a number of seeds (e.g. 5) or a list such as [0, 1, 2]")
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


def reference_config(data: str = "ring8") -> TrainConfig:
    """The setup every arena run shares unless told otherwise. 2D mixtures: the Unrolled-GAN / VEEGAN reference
    (preset `unrolled-2d`: G and D 2 x 128 tanh, z 256, Adam 1e-3 / 1e-4, batch 512), so the tables can stand
    beside the papers'; the app's own default network (TrainConfig()) is the classroom one. Image data: the
    `dcgan` preset (PacGAN's Stacked MNIST setup but for normal noise), scored on 26,000 samples for Stacked MNIST."""
    from gan_core.training.presets import preset_config

    if data in IMAGE_ARENA_DATA:
        extra = {"eval_samples": STACKED_SAMPLES} if data == "stacked-mnist" else {}
        return preset_config("dcgan", {"data": {"name": data}, **extra})
    return preset_config("unrolled-2d")


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


# ----------------------------------------------------------------------------- worker side
_Q = None
_STOP = None


def _init_worker(q, stop) -> None:
    global _Q, _STOP
    import torch

    torch.set_num_threads(1)
    _Q, _STOP = q, stop


def _run_one(index: int, config_dict: dict, device: str) -> None:
    """Train one (variant, seed) and post its events on the queue. Never raises for a failed run."""
    from gan_core.training.trainer import Trainer, TrainingDiverged

    q, stop = _Q, _STOP
    step, wall, last = 0, 0.0, {}
    try:
        config = TrainConfig.from_dict(config_dict)
        trainer = Trainer(config, device)
        every = config.eval_every
        while trainer.step_count < config.steps:
            if stop is not None and stop.is_set():
                q.put(("stopped", index, trainer.step_count, {}, None, trainer.elapsed, ""))
                return
            trainer.step()
            step, wall = trainer.step_count, trainer.elapsed
            if (every and step % every == 0) or step == config.steps:
                last = arena_metrics(trainer.last_eval, config.data.name)
                if config.data.is_image:  # a picture of 32 samples for the results folder
                    from gan_core.sampling import to_uint8_images

                    pts = to_uint8_images(trainer.sample(32, seed=config.seed * 7919 + step))
                else:  # the exact points the metrics were computed on (same seed as Trainer.evaluate)
                    pts = trainer.sample(config.eval_samples, seed=config.seed * 7919 + step).cpu().numpy().astype(np.float32)
                q.put(("eval", index, step, last, pts, wall, ""))
        q.put(("done", index, step, last, None, wall, ""))
    except TrainingDiverged as e:
        q.put(("error", index, e.step, last, None, wall, str(e)))
    except Exception as e:  # noqa: BLE001 - reported as an error event, the other runs go on
        q.put(("error", index, step, last, None, wall, f"{type(e).__name__}: {e}"))


# ----------------------------------------------------------------------------- driver
def _context():
    """Fresh interpreters for the workers, never a fork of this (possibly multi-threaded) process.

    Where available, a fork server that has already imported the engine starts them, so only the first
    arena of a process pays for importing torch; elsewhere plain "spawn".
    """
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        # torch._dynamo: imported by the first optimiser a process builds (seconds); done once, in the server.
        ctx.set_forkserver_preload(["gan_core.arena", "gan_core.training.trainer", "torch._dynamo"])
        return ctx
    return mp.get_context("spawn")


def run_arena(data: str, variants: list[str], seeds: int | list[int], steps: int, eval_every: int = 500,
              base_config: TrainConfig | None = None, workers: int | None = None,
              stop: threading.Event | None = None, device: str = "cpu") -> Iterator[ArenaEvent]:
    """Train every variant on every seed with the same budget and yield ArenaEvents as they come.

    data: a 2D mixture (ring8, ring8-pacgan, grid25, two-gaussians); variants: names such as 'vanilla',
    'unrolled-5', 'pacgan-4', 'wgan-gp', 'hinge+sn'; seeds: a count (seeds 0..n-1) or a list; steps: training
    iterations of every run; eval_every: log the mode metrics every N steps (0: only at the end); base_config:
    everything else (architecture, batch, optimiser; default `reference_config()`, the Unrolled-GAN setup); workers: processes (default
    os.cpu_count(), never more than the runs), each on one thread; stop: set it to cancel the pending runs and
    stop the running ones within a step (the iterator then ends). All input is checked before anything starts:
    a bad value raises ValueError saying what is allowed.
    """
    configs = plan_runs(data, variants, seeds, steps, eval_every, base_config)
    if workers is None:
        workers = os.cpu_count() or 1
    check_int("workers", workers, 1, MAX_WORKERS)
    from gan_core.training.trainer import resolve_device

    resolve_device(device)
    return _drive(data, configs, min(workers, len(configs)), stop, device)


def _drive(data: str, configs: list[TrainConfig], workers: int, stop: threading.Event | None,
           device: str) -> Iterator[ArenaEvent]:
    total = len(configs)
    order = sorted(range(total), key=lambda i: -_cost(configs[i]))  # stable: slowest first, then plan order
    ctx = _context()
    q = ctx.Queue()
    mp_stop = ctx.Event()
    finished: set[int] = set()
    futures: dict[int, Future] = {}
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(q, mp_stop))
    stopped = False
    try:
        for i in order:
            futures[i] = executor.submit(_run_one, i, configs[i].to_dict(), device)
        while len(finished) < total:
            if stop is not None and stop.is_set():
                stopped = True
                break
            try:
                kind, i, step, metrics, pts, wall, msg = q.get(timeout=0.1)
            except queue_mod.Empty:
                # A worker that died (killed, out of memory) never posts its end: report it from its future.
                for i, fut in futures.items():
                    if i not in finished and fut.done() and fut.exception() is not None:
                        finished.add(i)
                        c = configs[i]
                        yield ArenaEvent("error", c.variant, c.seed, 0, {}, None, 0.0, len(finished), total, data,
                                         f"the worker running this run failed: {fut.exception()!r}")
                continue
            if kind == "stopped":
                continue
            c = configs[i]
            if kind in ("done", "error"):
                finished.add(i)
            yield ArenaEvent(kind, c.variant, c.seed, step, dict(metrics), pts, wall, len(finished), total, data, msg)
    finally:
        if stopped or len(finished) < total:  # stopped, or the consumer left early
            mp_stop.set()
            for fut in futures.values():
                fut.cancel()
        # Keep emptying the queue while the workers wind down: a worker cannot exit while its unread
        # messages (samples) still fill the pipe.
        closer = threading.Thread(target=executor.shutdown, kwargs={"wait": True, "cancel_futures": True}, daemon=True)
        closer.start()
        while closer.is_alive():
            try:
                q.get(timeout=0.05)
            except queue_mod.Empty:
                pass
            except (OSError, EOFError, ValueError):
                break
        closer.join()
        q.close()
        q.join_thread()


# ----------------------------------------------------------------------------- results
def _rows(events_or_rows: Iterable) -> list[dict]:
    rows: dict[tuple, dict] = {}
    for item in events_or_rows:
        if isinstance(item, ArenaEvent):
            if item.kind != "done":
                continue
            row = item.row()
        else:
            row = {k: item[k] for k in RESULT_COLUMNS}
        rows[(row["variant"], int(row["seed"]))] = row
    return list(rows.values())


def mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error (sample std / sqrt(n)); the error is 0 for a single value."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    return mean, statistics.stdev(values) / math.sqrt(n)


def summarise(rows: list[dict]) -> list[dict]:
    """Per variant (in first-seen order): runs and (mean, s.e.) of modes, % HQ, reverse KL and wall time."""
    out = []
    for variant in dict.fromkeys(r["variant"] for r in rows):
        mine = [r for r in rows if r["variant"] == variant]
        out.append({
            "variant": variant, "runs": len(mine),
            "modes": mean_se([float(r["modes"]) for r in mine]),
            "hq": mean_se([100.0 * float(r["hq"]) for r in mine]),
            "kl": mean_se([float(r["kl"]) for r in mine]),
            "wall_time": mean_se([float(r["wall_time"]) for r in mine]),
        })
    return out


def summary_table(rows: list[dict]) -> str:
    """The markdown table of `summarise(rows)` (mean +- standard error over seeds)."""
    lines = ["| variant | runs | modes | % HQ | reverse KL | wall time (s) |", "|---|---|---|---|---|---|"]
    for s in summarise(rows):
        lines.append(f"| {s['variant']} | {s['runs']} | {s['modes'][0]:.2f} ± {s['modes'][1]:.2f} | "
                     f"{s['hq'][0]:.1f} ± {s['hq'][1]:.1f} | {s['kl'][0]:.3f} ± {s['kl'][1]:.3f} | "
                     f"{s['wall_time'][0]:.1f} ± {s['wall_time'][1]:.1f} |")
    return "\n".join(lines)


def write_results(events_or_rows: Iterable, out_dir: str | Path, title: str | None = None,
                  variants: list[str] | None = None) -> Path:
    """Write results.csv, summary.md and one PNG per variant (its final samples, every seed) into out_dir.

    events_or_rows: ArenaEvents (the "done" ones are used; their samples come from the last "eval" event of
    each run) or dicts with the results.csv columns (then no pictures are drawn). variants: the order of the
    rows (default: the order the runs finished in).
    """
    import pandas as pd

    items = list(events_or_rows)
    rows = _rows(items)
    if not rows:
        raise ValueError("no finished runs to write: the arena was stopped before any run ended, or every run failed")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    order = list(dict.fromkeys([v for v in (variants or []) if v in set(df["variant"])] + [r["variant"] for r in rows]))
    df["_o"] = df["variant"].map(order.index)
    df = df.sort_values(["_o", "seed"], kind="stable").drop(columns="_o")
    df.to_csv(out / "results.csv", index=False)

    datas = sorted(set(df["data"]))
    steps = sorted(set(int(s) for s in df["steps"]))
    seeds = sorted(set(int(s) for s in df["seed"]))
    head = title or f"Arena on {', '.join(datas)}"
    if any(d in IMAGE_ARENA_DATA for d in datas):
        meaning = ("Modes: classes the evaluation classifier finds among the samples (of 10; Stacked MNIST: digit "
                   "triples, of 1,000); % HQ: the classifier's mean confidence; reverse KL: KL(class histogram || "
                   "uniform)")
    else:
        meaning = ("Modes: captured modes (at least one sample within 3 sigma of the centre); % HQ: samples within "
                   "3 sigma of their nearest centre; reverse KL: KL(HQ histogram || uniform)")
    text = (f"# {head}\n\n{', '.join(map(str, steps))} steps per run, seeds {', '.join(map(str, seeds))}; "
            f"mean ± standard error over seeds. {meaning}; "
            f"wall time: seconds of training of one run on one thread.\n\n{summary_table(df.to_dict('records'))}\n")
    failed = [e for e in items if isinstance(e, ArenaEvent) and e.kind == "error"]
    if failed:
        text += "\nFailed runs: " + "; ".join(f"{e.variant} seed {e.seed}: {e.message}" for e in failed) + "\n"
    (out / "summary.md").write_text(text)

    samples: dict[tuple, np.ndarray] = {}
    for e in items:
        if isinstance(e, ArenaEvent) and e.kind == "eval" and e.samples is not None:
            samples[(e.variant, e.seed)] = e.samples
    if samples and len(datas) == 1 and datas[0] in IMAGE_ARENA_DATA:
        from PIL import Image

        from gan_core.sampling import image_grid

        for variant in order:
            grids = [image_grid(samples[(variant, s)], cols=8) for s in seeds if (variant, s) in samples]
            if grids:
                gap = np.zeros((grids[0].shape[0], 8, *grids[0].shape[2:]), np.uint8)
                row = np.concatenate([x for g in grids for x in (g, gap)][:-1], axis=1)
                Image.fromarray(row).save(out / f"{_safe(variant)}.png")  # one 8 x 4 grid per seed, side by side
    if samples and len(datas) == 1 and datas[0] in MIXTURES:
        for variant in order:
            panels = [(s, samples[(variant, s)], df[(df.variant == variant) & (df.seed == s)].iloc[0])
                      for s in seeds if (variant, s) in samples and ((df.variant == variant) & (df.seed == s)).any()]
            if panels:
                draw_panels(panels, datas[0], variant).save(out / f"{_safe(variant)}.png")
    return out


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def draw_panels(panels: list[tuple], data: str, variant: str, size: int = 260):
    """One PIL image, a panel per seed: the generated points (orange) over the true centres (blue circles,
    radius 3 sigma or at least 3 pixels), each captioned with its modes, % HQ and reverse KL."""
    from PIL import Image, ImageDraw

    mix = MIXTURES[data]
    lo, hi = mix.centres.min(0) - 1.0, mix.centres.max(0) + 1.0
    span = float(max(hi - lo))
    mid = (hi + lo) / 2
    top = 34
    img = Image.new("RGB", (size * len(panels), size + top + 18), "white")
    draw = ImageDraw.Draw(img)
    draw.text((6, 4), f"{variant} on {data}: final samples per seed (orange), true centres (blue circles)",
              fill="black")

    def px(p, x0):
        u = (np.asarray(p) - mid) / span + 0.5
        return x0 + u[..., 0] * (size - 1), top + (1 - u[..., 1]) * (size - 1)

    for j, (seed, pts, row) in enumerate(panels):
        x0 = j * size
        draw.rectangle([x0 + 1, top, x0 + size - 2, top + size - 1], outline=(200, 200, 200))
        pts = pts[np.isfinite(pts).all(1)]
        xs, ys = px(pts, x0)
        for x, y in zip(xs, ys):
            if x0 <= x < x0 + size and top <= y < top + size:
                draw.point((float(x), float(y)), fill=(230, 110, 20))
        r = max(3.0, 3 * mix.sigma / span * size)
        cx, cy = px(mix.centres, x0)
        for x, y in zip(cx, cy):
            draw.ellipse([x - r, y - r, x + r, y + r], outline=(30, 80, 200))
        draw.text((x0 + 6, top + size + 2),
                  f"seed {seed}: {int(row['modes'])}/{mix.k} modes, {100 * float(row['hq']):.0f}% HQ, KL {float(row['kl']):.2f}",
                  fill="black")
    return img


__all__ = ["ArenaEvent", "run_arena", "plan_runs", "write_results", "summarise", "summary_table", "mean_se",
           "describe"]
