"""What a user takes home from a run: its folder as a zip, and a GIF timelapse of its pictures."""
from __future__ import annotations

import io
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

import numpy as np

from gan_core import Trainer
from gan_core.runs import save_run


def run_zip(trainer: Trainer, lock: threading.RLock, runs_dir: str | Path = "runs") -> bytes:
    """config.json, the weights (safetensors) and metrics.csv as an in-memory zip of a folder gan-run/.
    Only the saving holds `lock` (the training waits for it, a few milliseconds), not the zipping."""
    Path(runs_dir).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="download-", dir=runs_dir))
    try:
        with lock:
            save_run(trainer, tmp, checkpoint=False)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(tmp.iterdir()):
                zf.write(f, f"gan-run/{f.name}")
        return buf.getvalue()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def timelapse_gif(frames: list, bounds: tuple[float, float, float, float], real: np.ndarray | None,
                  size: int = 360, ms_per_frame: int = 120) -> bytes | None:
    """An animated GIF of `frames` (None when there is none)."""
    from dashboard.pictures import frames_to_gif

    if not frames:
        return None
    return frames_to_gif(frames, bounds, real, size=size, ms_per_frame=ms_per_frame)
