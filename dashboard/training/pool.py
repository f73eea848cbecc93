"""Who may train, and at what priority: the process-wide pool of training slots and the threads' niceness.

At most one training per CPU core runs at once (the Train page's runners and the arena's workers share the
pool; the others wait in FIFO order). Torch's thread count is process-wide, so each training gets
max(1, cores // slots) threads. Once several sessions share the server (a class), training threads lower
their own priority so that every click and slider answers first.
"""
from __future__ import annotations

import os
import threading
import time
import weakref
from typing import Callable

TRAINING_NICE = 10          # training threads of a shared server run at this OS niceness: a click never waits behind them
NICE_CHECK_EVERY = 1.0      # seconds between two looks at whether other sessions share the server
SHARED_IF_POLLED_WITHIN = 5.0  # another session counts as present if it trains, waits to, or read its page this recently
LIVE = ("running", "queued")  # a run's statuses while it holds a slot or waits in line for one
REACHED_TARGET = "Reached the target"  # how a run that stopped at its target begins its message (the page reads it)


class TrainingPool:
    """At most `slots` trainings run at once, process-wide; the others wait in FIFO order."""

    def __init__(self, slots: int | None = None):
        self.slots = max(1, int(slots or os.cpu_count() or 1))
        self._cond = threading.Condition()
        self._queue: list[object] = []
        self._active: set[object] = set()

    def acquire(self, ticket: object, cancelled: Callable[[], bool] = lambda: False, timeout: float | None = None) -> bool:
        """Wait for a slot (first come, first served). False if cancelled or timed out (the ticket leaves the queue)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if ticket in self._active:
                return True
            if ticket not in self._queue:
                self._queue.append(ticket)
            while True:
                if cancelled() or (deadline is not None and time.monotonic() > deadline):
                    self._remove(ticket)
                    return False
                if self._queue and self._queue[0] is ticket and len(self._active) < self.slots:
                    self._queue.pop(0)
                    self._active.add(ticket)
                    self._cond.notify_all()
                    return True
                self._cond.wait(0.05)

    def try_acquire(self, ticket: object) -> bool:
        """A slot now, if one is free and nobody is waiting; never queues."""
        with self._cond:
            if ticket in self._active:
                return True
            if not self._queue and len(self._active) < self.slots:
                self._active.add(ticket)
                return True
            return False

    def release(self, ticket: object) -> None:
        with self._cond:
            self._active.discard(ticket)
            self._remove(ticket)
            self._cond.notify_all()

    def cancel(self, ticket: object) -> None:
        """Leave the queue (a slot already held is kept: `release` gives it back)."""
        with self._cond:
            self._remove(ticket)
            self._cond.notify_all()

    def _remove(self, ticket: object) -> None:
        if ticket in self._queue:
            self._queue.remove(ticket)

    def position(self, ticket: object) -> int | None:
        """1 for the next in line; None when not waiting."""
        with self._cond:
            return self._queue.index(ticket) + 1 if ticket in self._queue else None

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._active)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)


_DEFAULT_POOL: TrainingPool | None = None
_POOL_LOCK = threading.Lock()


def default_pool() -> TrainingPool:
    """The process-wide pool: one training per CPU core."""
    global _DEFAULT_POOL
    with _POOL_LOCK:
        if _DEFAULT_POOL is None:
            _DEFAULT_POOL = TrainingPool(os.cpu_count() or 1)
        return _DEFAULT_POOL


def torch_threads_for(pool: TrainingPool) -> int:
    """Threads per training so that a full pool does not oversubscribe the cores (torch's setting is process-wide)."""
    return max(1, (os.cpu_count() or 1) // pool.slots)


def lower_thread_priority(niceness: int = TRAINING_NICE) -> bool:
    """Give the calling thread a lower CPU priority (Linux: per-thread niceness). Training then only uses what
    the interactive work (page reruns, the server's own threads) leaves, so a class full of training
    runs still gets its slider answers at once. Returns False where the OS does not allow it."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(niceness, os.getpriority(os.PRIO_PROCESS, tid)))
        return True
    except (AttributeError, OSError):
        return False


# ----------------------------------------------------------------------------- the sessions sharing the server
_LIVE_RUNNERS: "weakref.WeakSet" = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()  # a WeakSet must not grow while another thread iterates over it


def register(runner) -> None:
    """Count a training runner (one per session that opened the Train page) among the server's sessions."""
    with _LIVE_LOCK:
        _LIVE_RUNNERS.add(runner)


def live_runners() -> list:
    """Every runner of this process not yet closed (sessions that opened the Train page)."""
    with _LIVE_LOCK:
        runners = list(_LIVE_RUNNERS)
    return [r for r in runners if not r.closed]


def others_present(me) -> bool:
    """Another session trains, waits to, or read its page within SHARED_IF_POLLED_WITHIN seconds."""
    now = time.monotonic()
    return any(r is not me and (r.busy or now - r.last_poll < SHARED_IF_POLLED_WITHIN) for r in live_runners())
