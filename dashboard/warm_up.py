"""The heavy libraries, loaded once per server process in a background thread after the first page is drawn.

Importing torch costs about 2 s of CPU on a 2-core laptop, pandas and plotly's validators about 0.5 s more. The
Train page does not need them to draw its sidebar, title and controls (gan_core.config and gan_core.variants
import no torch), so they load here once the first page has been drawn, and the page builds its run once they are
in (`bench/startup.py` measures from `streamlit run` to the Train button enabled).

Only third-party modules are imported here, never gan_core or dashboard modules: two threads importing the same
project modules in different orders could each wait for a module the other is importing. The page thread that
needs torch before this thread has finished simply waits for the import to end.
"""
from __future__ import annotations

import gc
import sys
import threading
import time

# Seconds the loading waits after start(): the page that started it has just queued its elements, and importing torch
# holds the interpreter for long stretches (its C extension's set-up) and a core, so the server would send them late
# and the browser would draw them late. Measured with bench/startup.py on an idle 2-core laptop: 0.3 s gave the
# Train button in a median 3.5 s, 1.0 s in 2.6-3.0 s (the charts come at about 7 s either way).
SEND_FIRST = 1.0

_lock = threading.Lock()
_thread: threading.Thread | None = None
_done = threading.Event()


def start() -> None:
    """Start loading, once per process (later calls do nothing). Torch's thread count is process-wide: the
    training pool runs one training per core, each on max(1, cores // pool size) threads."""
    global _thread
    with _lock:
        if _thread is None:
            from dashboard.training.pool import default_pool, torch_threads_for

            n = torch_threads_for(default_pool())
            _thread = threading.Thread(target=_load, args=(n,), name="warm-up", daemon=True)
            _thread.start()


def ready() -> bool:
    """True once everything is loaded: building a run then costs no import."""
    return _done.is_set()


def wait(timeout: float | None = None) -> bool:
    return _done.wait(timeout)


def _load(torch_threads: int) -> None:
    try:
        time.sleep(SEND_FIRST)
        # Training threads take the GIL back after every small torch op; a shorter switch interval keeps the
        # pages' drawing (same process) from making them wait 5 ms each time.
        sys.setswitchinterval(0.001)
        import torch

        torch.set_num_threads(torch_threads)
        import pandas  # noqa: F401  - the charts' tables
        import plotly.graph_objects as go

        go.Figure(dict(data=[dict(type=t) for t in ("scatter", "heatmap", "bar")]))  # plotly's validators
        _freeze()
    finally:
        _done.set()  # the pages may build their runs now
    # torch._dynamo is not loaded here: the trainer's optimisers never import it (gan_core/training/optim.py), and
    # a thread still importing it when the process ends (a server stopped in its first seconds) aborts the process.


def _freeze() -> None:
    # Every rerun (once a second per training page) makes enough objects to trigger a full collection, which
    # walks every object torch, pandas and plotly created at import: ~150 ms of CPU per rerun. gc.freeze()
    # moves those long-lived objects out of the collector's sight (measured: a polling page used 0.47 CPU
    # cores of server time at two redraws a second, 0.06 after). Garbage made later is collected as usual.
    gc.collect()
    gc.freeze()
