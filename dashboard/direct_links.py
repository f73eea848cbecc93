"""Direct links to a page (http://host:8501/latent, or a reload there), opened without a failed request.

Streamlit's browser client, opened on a page's own address, first looks for its server under that address
(/latent/_stcore/health and /latent/_stcore/host-config: two 404s in the browser's console) and only then at the
root (streamlit issue 7074). So the server answers a page's address with a redirect to the root that names the page
in the query (/?page=latent, `DirectLinks`), and the router opens that page (`open_requested_page`), whose address
the browser then shows again. Links within the app never leave the page, so they never meet the redirect.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from dashboard.page_index import URL_PATHS

PARAM = "page"  # the query key that carries the page asked for (the Train page's settings ignore it)


def _base_path() -> str:
    """'' or '/prefix': Streamlit's server.baseUrlPath, where the app is served behind a proxy at a sub-path."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


@lru_cache(maxsize=4)
def _page_address(base: str) -> re.Pattern:
    """A page's own address under `base` (compiled once: the middleware sees every request, assets included)."""
    return re.compile(re.escape(base) + r"/(" + "|".join(map(re.escape, URL_PATHS)) + r")/?")


def redirect_target(path: str, query: str, base: str = "") -> str | None:
    """Where a request for `path` is sent instead, or None when it is not a page's own address."""
    m = _page_address(base).fullmatch(path)
    if m is None:
        return None
    return f"{base}/?{PARAM}={quote(m.group(1))}" + (f"&{query}" if query else "")


class DirectLinks:
    """ASGI middleware (dashboard/streamlit_app.py): a GET of a page's address becomes a redirect to the root."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            target = redirect_target(scope["path"], scope.get("query_string", b"").decode("latin-1"), _base_path())
            if target is not None:
                from starlette.responses import RedirectResponse

                await RedirectResponse(target, status_code=307)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def open_requested_page(pages_by_url: dict[str, Any], current: Any) -> None:
    """In the router, after st.navigation: the page a direct link asked for (?page=...) is opened, once; the rest
    of the query goes with it. An unknown name is dropped, and the first page shows."""
    import streamlit as st

    wanted = st.query_params.get(PARAM)
    if wanted is None:
        return
    rest = {k: v for k, v in st.query_params.to_dict().items() if k != PARAM}
    del st.query_params[PARAM]
    target = pages_by_url.get(wanted)
    if target is not None and target is not current:
        st.switch_page(target, query_params=rest or None)
