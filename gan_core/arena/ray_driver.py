"""Runs an arena's plan as Ray tasks (one CPU and one torch thread each), on this machine or on a cluster, and
streams their events back as they come: the same plan, the same events and, for the same seeds, the same
numbers as the local process pool (`driver.py`); only the wall times differ.

Ray is optional (requirements-ray.txt). `ray.init()` starts a Ray on this machine when no address is given
and RAY_ADDRESS is unset; with an address ("auto", "ray://head:10001", or RAY_ADDRESS) it joins that cluster
and ships the engine (this `gan_core` folder) to its workers, which need the same Python packages
(requirements.txt). A Ray already initialised by the caller is used as it is and left running.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Iterator

from gan_core.arena.plan import ArenaEvent
from gan_core.config import TrainConfig

RAY_MISSING = ("the ray backend needs Ray, which is not installed: run `pip install -r requirements-ray.txt` "
               "(or use --backend local)")


def import_ray():
    """The ray module, or ImportError with what to do."""
    try:
        import ray
    except ImportError:
        raise ImportError(RAY_MISSING) from None
    return ray


def _task(indices: list[int], config_dicts: list[dict], device: str, queue) -> None:
    import torch

    from gan_core.arena.worker import train_item

    torch.set_num_threads(1)
    train_item(indices, config_dicts, device, queue.put, lambda: False)  # stopping: ray.cancel ends the task


REACH_TIMEOUT_S = 5.0


def check_reachable(address: str, timeout: float = REACH_TIMEOUT_S) -> None:
    """A cluster's head answers at HOST:PORT (or ray://HOST:PORT) within `timeout` seconds, else a ValueError that
    says so: ray.init itself retries an unreachable head for minutes, printing only its own log lines. "auto" (a
    cluster on this machine, found by Ray) is left to Ray."""
    import socket

    hostport = address.split("://", 1)[-1]
    if address == "auto" or ":" not in hostport:
        return
    host, _, port = hostport.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except (OSError, ValueError) as e:
        raise ValueError(f"cannot reach a Ray cluster at {address!r} ({e}); check --address (or RAY_ADDRESS), start "
                         f"the head with `ray start --head`, or leave --address out to run on this machine "
                         f"(see deploy/README.md)") from None


def _start(ray, address: str | None) -> bool:
    """Join or start Ray; True when this call started it (then the arena shuts it down at the end)."""
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or "local"  # "local": a new Ray, never a stale one found on disk
    runtime_env = None
    if address != "local":  # a cluster's workers do not have this checkout: send them the engine
        runtime_env = {"py_modules": [str(Path(__file__).resolve().parents[1])]}
        check_reachable(address)
    try:
        ray.init(address=address, runtime_env=runtime_env, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    except ConnectionError as e:
        raise ValueError(f"could not join the Ray cluster at {address!r} ({e}); start one with `ray start --head`, "
                         f"or give --address auto on one of its nodes (see deploy/README.md)") from None
    return True


def drive_ray(data: str, configs: list[TrainConfig], items: list[list[int]], stop: threading.Event | None,
              device: str, address: str | None = None) -> Iterator[ArenaEvent]:
    """Yield the ArenaEvents of `configs` trained as Ray tasks, one per work item (`plan.work_items`: a run,
    or a seed batch), slowest first (see the module's docstring)."""
    ray = import_ray()
    from ray.util.queue import Empty, Queue

    started = _start(ray, address)
    total = len(configs)
    queue = Queue()
    task = ray.remote(num_cpus=1, max_retries=0)(_task)
    refs = {task.remote(item, [configs[i].to_dict() for i in item], device, queue): item for item in items}
    finished: set[int] = set()
    try:
        while len(finished) < total:
            if stop is not None and stop.is_set():
                break
            try:
                kind, i, step, metrics, pts, wall, msg = queue.get(timeout=0.1)
            except Empty:
                yield from _failed_tasks(ray, data, configs, refs, finished)
                continue
            if kind == "stopped":
                continue
            c = configs[i]
            if kind in ("done", "error"):
                finished.add(i)
            yield ArenaEvent(kind, c.variant, c.seed, step, dict(metrics), pts, wall, len(finished), total, data, msg)
    finally:
        if len(finished) < total:  # stopped, or the consumer left early
            for ref in refs:
                ray.cancel(ref, force=True)
        else:
            ray.wait(list(refs), num_returns=len(refs), timeout=30)
        try:
            ray.kill(queue.actor)
        except Exception:  # noqa: BLE001 - the queue's actor may already be gone with its Ray
            pass
        if started:
            time.sleep(0.05)
            ray.shutdown()


def _failed_tasks(ray, data: str, configs: list[TrainConfig], refs: dict, finished: set[int]) -> Iterator[ArenaEvent]:
    """Error events for tasks that ended without posting their end (a worker killed, a node lost)."""
    ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=0)
    for ref in ready:
        try:
            ray.get(ref, timeout=0)
        except Exception as e:  # noqa: BLE001 - the task's failure becomes its runs' error events
            for i in refs[ref]:
                if i in finished:
                    continue
                finished.add(i)
                c = configs[i]
                yield ArenaEvent("error", c.variant, c.seed, 0, {}, None, 0.0, len(finished), len(configs), data,
                                 f"the Ray task running this run failed: {type(e).__name__}: {e}")
