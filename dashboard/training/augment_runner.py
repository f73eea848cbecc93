"""The augmentation study's runner: gan_core.augmentation.run_study in a background thread, one training slot of
the shared pool; the page polls snapshots (rows so far, the running cell, the conditional GAN's samples). No
Streamlit here.
"""
from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field, replace

import numpy as np

from dashboard.training.pool import TrainingPool, default_pool
from gan_core.augmentation import StudyConfig, plan_cells, run_study
from gan_core.augmentation.report import TITLES
from gan_core.augmentation.split import load_study_data


@dataclass(frozen=True)
class AugmentSnapshot:
    status: str = "idle"                 # idle | queued | running | done | stopped | error
    config: StudyConfig | None = None
    rows: tuple[dict, ...] = ()          # finished cells (results.csv rows)
    cell: str = ""                       # the running cell, in words
    fraction: float = 0.0                # of the whole study, counting the running cell's share
    done_cells: int = 0
    total_cells: int = 0
    samples: dict = field(default_factory=dict)  # N -> (real uint8 (K*8, 28, 28), conditional GAN's, same shape)
    message: str = ""
    started: float = 0.0
    elapsed: float = 0.0


_RUNNERS: "weakref.WeakSet" = weakref.WeakSet()


def live_augment_runners() -> list:
    """Every study runner of this process not yet closed (one per session that opened the page)."""
    return [r for r in list(_RUNNERS) if not r.closed]


class AugmentRunner:
    def __init__(self, pool: TrainingPool | None = None):
        _RUNNERS.add(self)
        self.pool = pool or default_pool()
        self._lock = threading.Lock()
        self._snap = AugmentSnapshot()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ticket = object()
        self._closed = False

    def start(self, config: StudyConfig) -> None:
        """Start `config` in the background (it was validated when it was built)."""
        if self.running:
            raise RuntimeError("a study is already running; stop it first")
        data = load_study_data(config.data, config.data_dir)  # DatasetUnavailable says what to install, now
        total = len(plan_cells(config, len(data.train_y) // data.n_classes))
        self._stop = threading.Event()
        self._ticket = object()
        self._set(AugmentSnapshot(status="queued", config=config, total_cells=total, started=time.monotonic()))
        self._thread = threading.Thread(target=self._run, args=(config, data), name="gan-augment", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def closed(self) -> bool:
        return self._closed

    def stop(self) -> None:
        self._stop.set()
        self.pool.cancel(self._ticket)

    def close(self) -> None:
        self._closed = True
        self.stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def snapshot(self) -> AugmentSnapshot:
        return self._snap

    def _set(self, snap: AugmentSnapshot) -> None:
        with self._lock:
            self._snap = snap

    def _update(self, **changes) -> None:
        with self._lock:
            self._snap = replace(self._snap, **changes)

    def _run(self, config: StudyConfig, data) -> None:
        from gan_core.augmentation.report import real_grid
        from gan_core.augmentation.split import labeled_split

        rows: list[dict] = []
        samples: dict = {}
        last = [0.0]

        def on_event(e) -> None:
            now = time.monotonic()
            where = (f"{TITLES.get(e.cell.arm, e.cell.arm)}, N = {e.cell.n}, seed {e.cell.seed}"  # the chart's words
                     if e.cell and e.kind == "progress" else "")
            if e.kind == "done":
                rows.append(e.row)
                if e.samples is not None and e.cell.n not in samples:  # the first seed's, as in the report
                    split = labeled_split(data.train_y, e.cell.n, e.cell.seed)
                    real = real_grid(data.train_x[split.labeled], data.train_y[split.labeled], data.n_classes)
                    samples[e.cell.n] = (real, e.samples)
            elif now - last[0] < 0.3:
                return  # progress is pushed at most ~3 times a second
            last[0] = now
            frac = (e.done_cells + (e.fraction if e.kind == "progress" else 0.0)) / max(e.total_cells, 1)
            self._update(rows=tuple(rows), samples=dict(samples), cell=where, fraction=frac, done_cells=e.done_cells,
                         elapsed=now - self._snap.started)

        try:
            if not self.pool.acquire(self._ticket, self._stop.is_set):
                self._update(status="stopped", message="Stopped before it started.")
                return
            self._update(status="running", started=time.monotonic())
            run_study(config, None, on_event=on_event, should_stop=self._stop.is_set, data=data)
            self._update(rows=tuple(rows), samples=dict(samples), cell="", elapsed=time.monotonic() - self._snap.started,
                         status="stopped" if self._stop.is_set() else "done",
                         fraction=len(rows) / max(self._snap.total_cells, 1))
        except Exception as err:  # reported on the page, never raised into Streamlit
            self._update(status="error", message=f"{type(err).__name__}: {err}")
        finally:
            self.pool.release(self._ticket)
            self.pool.cancel(self._ticket)


def shipped_samples(folder, n: int) -> np.ndarray | None:
    """The shipped study's picture for N (real labeled images beside the conditional GAN's), or None."""
    from pathlib import Path

    path = Path(folder) / f"cgan-N{n}.png"
    if not path.is_file():
        return None
    from PIL import Image

    return np.asarray(Image.open(path).convert("L"))
