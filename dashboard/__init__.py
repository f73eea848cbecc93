"""GAN Classroom's Streamlit dashboard: `streamlit_app.py` serves `router.py`, the router; `app_pages/` the pages.

Beside the pages: the modules that draw parts of a page with Streamlit (the Train page's sidebar and live views,
the drawing canvas, the in-place charts, the explorer's style views and cards, the browser's run keys, the cached
resources), and the ones that never touch it (`charts.py` and `cycle_charts.py` build Plotly figures, `settings.py`
turns settings into configs, `training/` trains behind the pages). ARCHITECTURE.md has the map.
"""
