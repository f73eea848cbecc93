"""Direct links to a page (/latent, or a reload there) open it with no failed request (dashboard/direct_links.py).

Streamlit's client, opened on a page's own address, first asks for its server under that address and logs two 404s
in the console; the server now redirects a page's address to the root with the page named in the query, and the
router opens it. The redirect rule and the middleware are tested without a server, the router in AppTest, and the
whole path in Chromium (skipped without it, as the other browser tests).
"""
from __future__ import annotations

import asyncio
import re

import pytest

from dashboard.direct_links import PARAM, DirectLinks, redirect_target
from dashboard.page_index import SECTIONS, URL_PATHS
from tests.test_browser import NEEDS_BROWSER, served_app


def test_every_page_but_the_first_has_an_address_and_the_first_has_none():
    specs = [p for group in SECTIONS.values() for p in group]
    assert specs[0].url_path == "" and specs[0].file == "train.py"
    assert URL_PATHS == tuple(p.url_path for p in specs[1:]) and len(set(URL_PATHS)) == len(URL_PATHS)
    assert "latent" in URL_PATHS and "arena" in URL_PATHS


@pytest.mark.parametrize("path, query, base, expected", [
    ("/latent", "", "", "/?page=latent"),
    ("/latent/", "", "", "/?page=latent"),  # a trailing slash, which Streamlit itself cannot serve
    ("/style-transfer", "x=1", "", "/?page=style-transfer&x=1"),
    ("/gan/arena", "", "/gan", "/gan/?page=arena"),  # served behind a proxy at a sub-path (server.baseUrlPath)
])
def test_a_page_address_is_sent_to_the_root_with_the_page_named(path, query, base, expected):
    assert redirect_target(path, query, base) == expected


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/latent/_stcore/health", "/media/abc.png",
                                  "/app/static/plotly.min.js", "/latentx", "/nosuchpage", "/arena"])
def test_anything_else_goes_to_streamlit_untouched(path):
    base = "/gan" if path == "/arena" else ""  # /arena outside the app's sub-path is not the app's page
    assert redirect_target(path, "", base) is None


def test_the_middleware_redirects_a_page_and_hands_on_everything_else():
    def run(scope):
        sent, reached = [], []

        async def inner(scope, receive, send):
            reached.append(scope["path"])

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        asyncio.run(DirectLinks(inner)(scope, receive, send))
        return sent, reached

    page = {"type": "http", "method": "GET", "path": "/latent", "query_string": b"", "headers": []}
    sent, reached = run(page)
    assert reached == [] and sent[0]["status"] == 307
    assert (b"location", b"/?page=latent") in sent[0]["headers"]
    for scope in (dict(page, path="/_stcore/health"), dict(page, method="POST"),
                  {"type": "websocket", "path": "/latent", "query_string": b"", "headers": []}):
        sent, reached = run(scope)
        assert sent == [] and reached == [scope["path"]]


@pytest.mark.parametrize("name, title", [("latent", "Latent explorer"), ("nosuchpage", "Train live")])
def test_the_router_opens_the_page_a_link_names_once(fresh_app, name, title):
    at = fresh_app
    at.query_params[PARAM] = name  # an unknown name shows the first page
    at.run()
    assert not at.exception
    assert [t.value for t in at.title][:1] == [title]
    assert PARAM not in at.query_params  # opened once: the name does not stay in the address


def _needs_browser(test):
    for mark in NEEDS_BROWSER:  # the same two reasons to skip as every browser test, for this test alone
        test = mark(test)
    return test


@_needs_browser
def test_a_direct_link_and_a_reload_open_the_page_without_a_failed_request():
    with served_app() as (port, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors, failed = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        for path, heading in (("latent", "Latent explorer"), ("arena", "Mode-collapse arena")):
            page.goto(f"http://localhost:{port}/{path}")
            page.get_by_role("heading", name=heading, level=1).wait_for(timeout=60_000)
            page.wait_for_function(f"() => location.pathname === '/{path}'", timeout=10_000)  # the page's address again
        page.reload()  # a reload on a page's address: the same way in
        page.get_by_role("heading", name="Mode-collapse arena", level=1).wait_for(timeout=60_000)
        page.get_by_role("link", name="About").first.click()  # links within the app still work
        page.wait_for_function("() => location.pathname === '/about'", timeout=30_000)
        page.wait_for_timeout(1_000)
        assert not re.search(r"\?page=", page.url)
        assert failed == [] and errors == [], (failed, errors)
