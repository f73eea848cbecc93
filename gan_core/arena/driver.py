"""Runs an arena's plan on a pool of worker processes (fresh interpreters, one thread each) and streams their
events back as they come; a run's numbers depend only on its config and seed, never on which worker ran it."""
from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Iterator

from gan_core.arena.plan import MAX_WORKERS, ArenaEvent, plan_runs, work_items
from gan_core.arena.worker import train_item
from gan_core.checks import check_int
from gan_core.config import TrainConfig

BACKENDS = ("local", "ray")
_Q = None
_STOP = None


def _init_worker(q, stop) -> None:
    global _Q, _STOP
    import torch

    torch.set_num_threads(1)
    _Q, _STOP = q, stop


def _run_item(indices: list[int], config_dicts: list[dict], device: str) -> None:
    """Train one work item (a run, or a seed batch) in this worker process; messages go on the shared queue."""
    stop = _STOP
    train_item(indices, config_dicts, device, _Q.put, lambda: stop is not None and stop.is_set())


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
              stop: threading.Event | None = None, device: str = "cpu", backend: str = "local",
              address: str | None = None, batch_seeds: bool = False) -> Iterator[ArenaEvent]:
    """Train every variant on every seed with the same budget and yield ArenaEvents as they come.

    data: a 2D mixture (ring8, ring8-pacgan, grid25, two-gaussians); variants: names such as 'vanilla',
    'unrolled-5', 'pacgan-4', 'wgan-gp', 'hinge+sn'; seeds: a count (seeds 0..n-1) or a list; steps: training
    iterations of every run; eval_every: log the mode metrics every N steps (0: only at the end); base_config:
    everything else (architecture, batch, optimiser; default `reference_config()`, the Unrolled-GAN setup); workers: processes (default
    os.cpu_count(), never more than the runs), each on one thread; stop: set it to cancel the pending runs and
    stop the running ones within a step (the iterator then ends). All input is checked before anything starts:
    a bad value raises ValueError saying what is allowed. backend: "local" (the process pool, default) or "ray"
    (one Ray task per run, `ray_driver.py`; address: the Ray cluster to join, default RAY_ADDRESS or a new
    local Ray; workers is then the cluster's business). batch_seeds: train the seeds of each variant that
    allows it as one batched model in one worker (`training/seed_batch.py`; the same per-seed streams, numbers
    equal to separate runs' up to float32 rounding).
    """
    configs = plan_runs(data, variants, seeds, steps, eval_every, base_config)
    if workers is None:
        workers = os.cpu_count() or 1
    check_int("workers", workers, 1, MAX_WORKERS)
    from gan_core.device import resolve_device

    resolve_device(device)
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r} is not known; choose one of {', '.join(BACKENDS)}")
    if backend == "ray":
        from gan_core.arena.ray_driver import drive_ray, import_ray

        import_ray()  # ImportError with what to do, before anything starts
        return drive_ray(data, configs, work_items(configs, batch_seeds), stop, device, address)
    items = work_items(configs, batch_seeds)
    return _drive(data, configs, items, min(workers, len(items)), stop, device)


def _drive(data: str, configs: list[TrainConfig], items: list[list[int]], workers: int,
           stop: threading.Event | None, device: str) -> Iterator[ArenaEvent]:
    total = len(configs)
    ctx = _context()
    q = ctx.Queue()
    mp_stop = ctx.Event()
    finished: set[int] = set()
    futures: dict[tuple, Future] = {}
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(q, mp_stop))
    stopped = False
    try:
        for item in items:  # slowest first (work_items' order)
            futures[tuple(item)] = executor.submit(_run_item, item, [configs[i].to_dict() for i in item], device)
        while len(finished) < total:
            if stop is not None and stop.is_set():
                stopped = True
                break
            try:
                kind, i, step, metrics, pts, wall, msg = q.get(timeout=0.1)
            except queue_mod.Empty:
                # A worker that died (killed, out of memory) never posts its end: report it from its future.
                for item, fut in futures.items():
                    if fut.done() and fut.exception() is not None:
                        for i in item:
                            if i in finished:
                                continue
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
