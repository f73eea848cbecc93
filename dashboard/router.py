"""GAN Classroom: the router, the script the server runs for every session (dashboard/streamlit_app.py).

One navigation (st.navigation + st.Page), the pages in dashboard/app_pages/ as dashboard/page_index.py lists them.
(Not `pages/`: Streamlit treats a `pages/` folder beside the main script as the old automatic multipage app, and the
first visitor of a fresh server arriving on a direct link such as /arena would get that page without this router.)
Torch's thread count is process-wide, so it is set once, by the warm-up (dashboard/warm_up.py), which loads torch
after the first page is drawn.
"""
from __future__ import annotations

import importlib.machinery
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `import gan_core` / `import dashboard` when started as a script
    sys.path.insert(0, str(ROOT))

# Streamlit runs this script as the module __main__ with a __file__: a worker process that multiprocessing starts
# (the arena's) would run it again to rebuild __main__, printing "missing ScriptRunContext" warnings in the
# teacher's terminal and slowing every worker's start. A spec named __main__ tells multiprocessing there is
# nothing to rebuild (multiprocessing.spawn._fixup_main_from_name skips it). That is not enough alone: every
# fragment rerun installs a fresh __main__ module with this file's path and no spec, so a worker started meanwhile
# still runs this file, as "__mp_main__". There it stops at the guard below, before importing Streamlit.
__spec__ = importlib.machinery.ModuleSpec("__main__", None)


def main() -> None:
    """The router: the page chosen, drawn; then the warm-up (torch) starts."""
    import streamlit as st

    from dashboard import direct_links, page_index, warm_up

    # The favicon is an SVG file that Streamlit sends inline (a data URI): a material icon here would make every
    # page load fetch it from an external font host, which fails offline.
    icon = Path(__file__).resolve().parent / "static" / "favicon.svg"
    st.set_page_config(layout="wide", page_title="GAN Classroom", page_icon=str(icon))

    folder = Path(__file__).resolve().parent / "app_pages"
    pages = {section: [st.Page(folder / p.file, title=p.title, icon=p.icon, url_path=p.url_path or None,
                               default=not p.url_path) for p in specs]
             for section, specs in page_index.SECTIONS.items()}
    # On a projector (1400 x 900) every row counts: less space around the page, a smaller title and metric values,
    # so the Train page's main chart fits above the fold (tests/test_browser_walk.py measures it).
    st.html("<style>[data-testid='stMainBlockContainer']{padding:3.2rem 1.5rem 2rem 1.5rem}"
            "h1{font-size:2.1rem !important;padding:0.2rem 0 0.4rem 0 !important}"
            "[data-testid='stMetricValue']{font-size:1.9rem}</style>")
    nav = st.navigation(pages, position="top")
    direct_links.open_requested_page({p.url_path: p for group in pages.values() for p in group}, nav)
    nav.run()
    warm_up.start()  # after the page is drawn: its messages reach the browser before the imports take the CPU


if __name__ != "__mp_main__":  # a multiprocessing worker rebuilding __main__ (see above): no app there
    main()
