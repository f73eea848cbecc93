"""GAN Classroom's server: `streamlit run dashboard/streamlit_app.py` from the repository root.

Streamlit serves the router (dashboard/router.py, run for every session) through an `st.App`, which lets the server
answer a page's own address with a redirect first (dashboard/direct_links.py): a direct link such as /latent then
opens without failed requests. Every `--server.*` option and .streamlit/config.toml apply as with a plain script.
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `import dashboard` when the server imports this file
    sys.path.insert(0, str(ROOT))

from dashboard.direct_links import DirectLinks  # noqa: E402

app = st.App("router.py", middleware=[Middleware(DirectLinks)])
