"""The arena runner: drives gan_core.arena.run_arena in a background thread; the page polls snapshots.

It takes its workers from the same TrainingPool as the Train page (first one slot, waiting in the queue
if needed, then any other free ones up to one per run), so a class never runs more trainings at once
than the machine has cores. No Streamlit here.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.training.pool import TrainingPool, default_pool
from gan_core.arena import plan_runs, reference_config, run_arena
from gan_core.arena.verdict import first_seed
from gan_core.data.images import class_names


@dataclass(frozen=True)
class ArenaSnapshot:
    status: str = "idle"                      # idle | queued | running | done | stopped | error
    data: str = ""
    variants: tuple[str, ...] = ()
    evals: pd.DataFrame = field(default_factory=pd.DataFrame)   # variant, seed, step, modes, hq, kl, wall_time
    samples: dict = field(default_factory=dict)  # variant -> latest evaluated (N, 2) points or (32, H, W[, C]) images (first seed)
    finals: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per finished run
    done_runs: int = 0
    total_runs: int = 0
    workers: int = 0
    queue_position: int | None = None
    message: str = ""
    errors: tuple[str, ...] = ()
    started: float = 0.0
    elapsed: float = 0.0


class ArenaRunner:
    def __init__(self, pool: TrainingPool | None = None):
        self.pool = pool or default_pool()
        self._lock = threading.Lock()
        self._snap = ArenaSnapshot()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tickets: list[object] = []
        self._waiting = object()
        self._closed = False

    def start(self, data: str, variants: list[str], seeds: int, steps: int, eval_every: int = 250,
              preset: str | None = None) -> None:
        """Check the plan (ValueError on bad input) and start it in the background. preset: the networks and
        optimiser every run shares (default: gan_core.arena.reference_config's for the data)."""
        if self.running:
            raise RuntimeError("an arena is already running; stop it first")
        base = reference_config(data, preset)
        configs = plan_runs(data, variants, seeds, steps, eval_every, base)  # validates everything up front
        if data == "fashion-mnist":  # not bundled: say where to get it now, not once per run
            from gan_core.data.images import load_idx_dataset

            load_idx_dataset("fashion-mnist", "test")  # DatasetUnavailable (a ValueError) explains what to install
        self._stop = threading.Event()
        self._set(ArenaSnapshot(status="queued", data=data, variants=tuple(variants), total_runs=len(configs),
                                started=time.monotonic()))
        self._thread = threading.Thread(target=self._run, args=(data, list(variants), seeds, steps, eval_every,
                                                                len(configs), base), name="gan-arena", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self.pool.cancel(self._waiting)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True
        self.stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def snapshot(self) -> ArenaSnapshot:
        snap = self._snap
        if snap.status == "queued":
            from dataclasses import replace

            snap = replace(snap, queue_position=self.pool.position(self._waiting))
        return snap

    def _set(self, snap: ArenaSnapshot) -> None:
        with self._lock:
            self._snap = snap

    def _update(self, **changes) -> None:
        from dataclasses import replace

        with self._lock:
            self._snap = replace(self._snap, **changes)

    def _run(self, data: str, variants: list[str], seeds: int, steps: int, eval_every: int, total: int,
             base) -> None:
        tickets: list[object] = []
        try:
            if not self.pool.acquire(self._waiting, self._stop.is_set):
                self._update(status="stopped", message="Stopped before it started.")
                return
            tickets.append(self._waiting)
            while len(tickets) < min(total, self.pool.slots):
                extra = object()
                if not self.pool.try_acquire(extra):
                    break
                tickets.append(extra)
            self._update(status="running", workers=len(tickets), started=time.monotonic())
            evals: list[dict] = []
            finals: list[dict] = []
            samples: dict = {}
            errors: list[str] = []
            first_seed: dict[str, int] = {}
            last_push = 0.0
            for ev in run_arena(data, variants, seeds, steps, eval_every=eval_every, base_config=base, workers=len(tickets),
                                          stop=self._stop):
                if ev.kind == "eval":
                    evals.append({"variant": ev.variant, "seed": ev.seed, "step": ev.step, **_scalars(ev.metrics),
                                  "wall_time": ev.wall_time})
                    # the lowest seed's, as the verdict's `first_seed` reads (the first to report may be another)
                    if ev.samples is not None and ev.seed <= first_seed.setdefault(ev.variant, ev.seed):
                        first_seed[ev.variant] = ev.seed
                        samples[ev.variant] = ev.samples  # all of them: the verdict counts modes on them
                elif ev.kind == "done":
                    finals.append({"variant": ev.variant, "seed": ev.seed, "step": ev.step, **_scalars(ev.metrics),
                                   "wall_time": ev.wall_time})
                else:
                    errors.append(f"{ev.variant} (seed {ev.seed}): {ev.message or 'failed'}")
                now = time.monotonic()
                if now - last_push > 0.3 or ev.kind != "eval":
                    self._update(evals=pd.DataFrame(evals), samples=dict(samples), finals=pd.DataFrame(finals),
                                 done_runs=ev.done_runs, errors=tuple(errors), elapsed=now - self._snap.started)
                    last_push = now
            self._update(evals=pd.DataFrame(evals), samples=dict(samples), finals=pd.DataFrame(finals),
                         errors=tuple(errors), elapsed=time.monotonic() - self._snap.started,
                         status="stopped" if self._stop.is_set() else "done")
        except Exception as err:  # reported on the page, never raised into Streamlit
            self._update(status="error", message=f"{type(err).__name__}: {err}")
        finally:
            for t in tickets:
                self.pool.release(t)
            self.pool.cancel(self._waiting)


def _scalars(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if np.isscalar(v)}


# ----------------------------------------------------------------------------- the verdict in words

def ranking(finals: pd.DataFrame) -> pd.DataFrame:
    """Variants ranked by modes covered (more is better), then reverse KL (lower), then % HQ (higher)."""
    if finals.empty:
        return finals
    g = finals.groupby("variant").agg(modes=("modes", "mean"), hq=("hq", "mean"), kl=("kl", "mean"),
                                      runs=("seed", "count"), seconds=("wall_time", "mean")).reset_index()
    g = g.sort_values(["modes", "kl", "hq"], ascending=[False, True, False]).reset_index(drop=True)
    g.insert(0, "rank", np.arange(1, len(g) + 1))
    g["hq"] = (100 * g["hq"]).round(1)
    # whole seconds, as the score tables: "4" beside "3.3" read as two kinds of number; the page writes them in the
    # reader's locale, 1,234
    g["seconds"] = g["seconds"].round(0)
    return g


# Modes of the image data in the arena: the classes the evaluation classifier tells apart.
IMAGE_MODES = {"mnist": 10, "fashion-mnist": 10, "stacked-mnist": 1000}


def explain_images(variant: str, finals: pd.DataFrame, data: str) -> str:
    """One plain sentence on an image variant's final runs: classes found, how evenly, how confidently."""
    rows = finals[finals["variant"] == variant] if not finals.empty else finals
    rows = rows.dropna(subset=["modes"]) if not rows.empty else rows
    if rows.empty:
        return f"{variant}: no finished run to look at."
    k = IMAGE_MODES.get(data, 10)
    counts = [int(round(m)) for m in rows["modes"]]
    kl = float(rows["kl"].mean())
    several = len(counts) > 1
    mean = "mean " if several else ""  # KL and confidence are means over the runs
    kl_text = f"{mean}KL {kl:.2f}"
    what = "digit triples" if data == "stacked-mnist" else "classes"
    one = "digit triple" if data == "stacked-mnist" else "class"
    lo, hi = min(counts), max(counts)
    produced = f"{lo:,}" if lo == hi else f"{lo:,}-{hi:,}"
    # several runs: the count of each, not a fractional mean ("9.333 of the 10 classes")
    runs = f" ({' / '.join(f'{c:,}' for c in counts)} in its {len(counts)} runs)" if several else ""
    text = f"**{variant}** produced {produced} of the {k:,} {what}{runs}"
    collapsed = sum(c <= max(1, k // 3) for c in counts)
    if lo >= k:
        text += (f", {'evenly' if kl < 0.1 else 'unevenly'} ({mean}KL of the class shares to "
                 f"uniform {kl:.2f}; 0 is even)")
    elif collapsed == len(counts):
        text += f": most of its pictures fall into a few {what}; that is mode collapse ({kl_text})"
    elif collapsed:
        text += (f"; in {collapsed} of its {len(counts)} runs most of its pictures fall into a few {what}: that is "
                 f"mode collapse ({kl_text})")
    elif lo == hi:
        missing = k - lo  # in words where it is one: "1 never appeared" reads as the digit 1
        gone = f"one {one}" if missing == 1 else f"the other {missing:,}"
        text += f"; {gone} never appeared among its samples ({kl_text})"
    else:
        short = sum(c < k for c in counts)
        text += (f"; in {short} of its {len(counts)} runs at least one {one} never appeared among its samples "
                 f"({kl_text})")
    hq = rows["hq"].mean() if "hq" in rows else float("nan")
    if np.isfinite(hq):
        text += f"; the classifier is {hq:.0%} sure of its pictures on average."
    else:
        text += "."
    return text


def top_classes(evals: pd.DataFrame, variant: str, data: str) -> str:
    """' Most of its samples (seed S, last evaluation): 1 (45%), 7 (30%).' from the class shares of `variant`'s lowest
    seed in `evals` (pass one seed's rows for that seed), or '' when there are none."""
    e = first_seed(evals, variant)
    cols = [f"share_{i}" for i in range(10)]
    if e.empty or not set(cols) <= set(e.columns):
        return ""
    last = e.sort_values("step")[cols].dropna().tail(1)
    if last.empty:
        return ""
    shares = last.to_numpy()[0]
    names = class_names(data, 10)
    top = [i for i in shares.argsort()[::-1][:3] if shares[i] >= 0.1]
    seed = str(int(e["seed"].min()))
    said = (" Most of its samples (seed " + seed + ", last evaluation): "
            + ", ".join(f"{names[i]} ({shares[i]:.0%})" for i in top) + ".") if top else ""
    missing = [names[i] for i in range(10) if shares[i] <= 0]  # the class(es) "never appeared" leaves unnamed
    if 0 < len(missing) <= 3:
        said += f" No sample {'there' if top else f'of seed {seed}'} was classified as {' or '.join(map(str, missing))}."
    return said
