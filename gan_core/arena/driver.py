"""Runs an arena's plan on a pool of worker processes (fresh interpreters, one thread each) and streams their
events back as they come; a run's numbers depend only on its config and seed, never on which worker ran it."""
from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Iterator

import numpy as np

from gan_core.arena.plan import MAX_WORKERS, ArenaEvent, _cost, arena_metrics, plan_runs
from gan_core.checks import check_int
from gan_core.config import TrainConfig

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
                    from gan_core.data.pixels import to_uint8

                    pts = to_uint8(trainer.sample(32, seed=config.seed * 7919 + step))
                else:  # the exact points the metrics were computed on (same seed as Trainer.evaluate)
                    pts = trainer.sample(config.eval_samples, seed=config.seed * 7919 + step).cpu().numpy().astype(np.float32)
                q.put(("eval", index, step, last, pts, wall, ""))
        q.put(("done", index, step, last, None, wall, ""))
    except TrainingDiverged as e:
        q.put(("error", index, e.step, last, None, wall, str(e)))
    except Exception as e:  # noqa: BLE001 - reported as an error event, the other runs go on
        q.put(("error", index, step, last, None, wall, f"{type(e).__name__}: {e}"))


def _context():
    """Fresh interpreters for the workers, never a fork of this (possibly multi-threaded) process.

    Where available, a fork server that has already imported the engine starts them, so only the first
    arena of a process pays for importing torch; elsewhere plain "spawn".
    """
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        # torch._dynamo: imported by the first optimiser a process builds (seconds); done once, in the server.
        ctx.set_forkserver_preload(["gan_core.arena.driver", "gan_core.training.trainer", "torch._dynamo"])
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
    from gan_core.device import resolve_device

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
