"""GAN Classroom: the router. `streamlit run dashboard/streamlit_app.py` from the repository root.

One navigation (st.navigation + st.Page), the pages in dashboard/app_pages/. (Not `pages/`: Streamlit
treats a `pages/` folder beside the main script as the old automatic multipage app, and the first visitor
of a fresh server arriving on a direct link such as /arena would get that page without this router.) Torch's thread count is
process-wide, so it is set here once: the training pool runs one training per core, each on
max(1, cores // pool size) threads.
"""
from __future__ import annotations

import gc
import importlib.machinery
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `import gan_core` / `import dashboard` when started as a script
    sys.path.insert(0, str(ROOT))

# Streamlit runs this script as the module __main__ with a __file__: a worker process that multiprocessing starts
# (the arena's) would run it again to rebuild __main__, printing "missing ScriptRunContext" warnings in the
# teacher's terminal and slowing every worker's start. A spec named __main__ tells multiprocessing there is
# nothing to rebuild (multiprocessing.spawn._fixup_main_from_name skips it).
__spec__ = importlib.machinery.ModuleSpec("__main__", None)

import streamlit as st  # noqa: E402
import torch  # noqa: E402

from dashboard.training.pool import default_pool, torch_threads_for  # noqa: E402


@st.cache_resource(show_spinner=False)
def _warm_up() -> int:
    """Once per server process: torch's thread count, and the garbage collector told to skip what is loaded.

    Every rerun (once a second per training page) makes enough objects to trigger a full collection,
    which walks every object torch, pandas and plotly created at import: ~150 ms of CPU per rerun.
    gc.freeze() moves those long-lived objects out of the collector's sight (measured: a polling page
    used 0.47 CPU cores of server time at two redraws a second, 0.06 after). Garbage made later is collected as usual.
    """
    # Training threads take the GIL back after every small torch op; a shorter switch interval keeps
    # the page's drawing (same process) from making them wait 5 ms each time.
    sys.setswitchinterval(0.001)
    n = torch_threads_for(default_pool())
    torch.set_num_threads(n)
    import pandas  # noqa: F401  - the pages' heavy imports, loaded before freezing
    import plotly.graph_objects as go

    import dashboard.charts  # noqa: F401
    import gan_core.latent  # noqa: F401

    go.Figure(dict(data=[dict(type=t) for t in ("scatter", "heatmap", "bar")]))  # load plotly's validators
    gc.collect()
    gc.freeze()
    return n


_warm_up()
# The favicon is an SVG file that Streamlit sends inline (a data URI): a material icon here would make every
# page load fetch it from an external font host, which fails offline.
ICON = Path(__file__).resolve().parent / "static" / "favicon.svg"
st.set_page_config(layout="wide", page_title="GAN Classroom", page_icon=str(ICON))

PAGES = Path(__file__).resolve().parent / "app_pages"
pages = {
    "": [
        st.Page(PAGES / "train.py", title="Train live", icon=":material/play_circle:", default=True),
        st.Page(PAGES / "latent.py", title="Latent explorer", icon=":material/tune:", url_path="latent"),
        st.Page(PAGES / "arena.py", title="Mode-collapse arena", icon=":material/leaderboard:", url_path="arena"),
        st.Page(PAGES / "about.py", title="About", icon=":material/info:", url_path="about"),
    ],
    "Applications": [
        st.Page(PAGES / "style_transfer.py", title="Style transfer", icon=":material/swap_horiz:",
                url_path="style-transfer"),
        st.Page(PAGES / "augmentation.py", title="Augmentation", icon=":material/dataset:", url_path="augmentation"),
    ],
}
# On a projector (1400 x 900) every row counts: less space around the page, a smaller title and metric values, so the
# Train page's main chart fits above the fold (tests/test_browser_walk.py measures it).
st.html("<style>[data-testid='stMainBlockContainer']{padding:3.2rem 1.5rem 2rem 1.5rem}"
        "h1{font-size:2.1rem !important;padding:0.2rem 0 0.4rem 0 !important}"
        "[data-testid='stMetricValue']{font-size:1.9rem}</style>")
st.navigation(pages, position="top").run()


@st.cache_resource(show_spinner=False)
def _warm_up_optimiser() -> threading.Thread:
    """Once per server process, after the first page is drawn: build a throwaway optimiser in the background.
    The first torch optimiser of a process imports torch._dynamo (about a second); paid here, it is not paid
    before the first page appears (Trainer builds its optimisers on first use) nor when Train is first pressed."""
    thread = threading.Thread(target=lambda: torch.optim.Adam([torch.zeros(1, requires_grad=True)]),
                              name="warm-up-optimiser", daemon=True)
    thread.start()
    return thread


_warm_up_optimiser()
