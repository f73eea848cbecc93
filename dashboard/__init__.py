"""GAN Classroom's Streamlit dashboard: `streamlit_app.py` is the router, `app_pages/` the pages.

The modules beside the pages hold what the pages share and never call Streamlit themselves, except
`widgets.py` (page building blocks) and `resources.py` (cached resources and per-session objects).
"""
