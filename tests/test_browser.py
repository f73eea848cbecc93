"""The app in a real browser: Debian's chromium driven by Playwright against `streamlit run` on loopback.

Presses Train and watches the step count and the loss chart move, pauses, moves a latent slider with
the keyboard and sees the picture change, opens the arena. Screenshots of every page go to
artifacts/screenshots/ (not committed). Skipped only when chromium or Playwright is missing.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
sys.path.insert(0, str(ROOT))
from dashboard.local_server import (CHROMIUM, CHROMIUM_ARGS as ARGS, free_port, metric_value, start_server,  # noqa: E402
                                    stop_server, wait_healthy)

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

# Every real-browser test module skips for the same two reasons (and only those): `pytestmark = NEEDS_BROWSER`.
NEEDS_BROWSER = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
    pytest.mark.skipif(sync_playwright is None, reason="Playwright for Python is not installed (pip install playwright)"),
]
pytestmark = NEEDS_BROWSER



def step_count(page) -> int:
    return int(metric_value(page, "Step").replace(",", ""))


def wait_until(cond, timeout: float, every: float = 0.3) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if cond():
                return True
        except Exception:  # the page is mid-redraw
            pass
        time.sleep(every)
    return False


def loss_trace(page) -> str:
    """The drawn path of the loss chart's first curve (changes whenever new steps are plotted)."""
    return page.locator(".st-key-c_loss path.js-line").first.get_attribute("d", timeout=5_000) or ""


@contextmanager
def served_app():
    """`streamlit run` on a free loopback port and a headless chromium; both stopped on the way out."""
    port = free_port()
    proc = start_server(port, stderr=subprocess.PIPE)
    try:
        wait_healthy(port, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                yield port, browser
            finally:
                browser.close()
    finally:
        stop_server(proc)


def where_z_lands(page) -> str:
    """The latent explorer's star (the chart's last trace) as the browser's Plotly holds it."""
    return page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot');
        const t = gd && gd.data && gd.data[gd.data.length - 1];
        return t ? JSON.stringify([t.x, t.y]) : ''; }""")


def test_the_app_in_a_browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with served_app() as (port, browser):
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(20_000)
        page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
        train = page.get_by_role("button", name="Train", exact=True)
        train.wait_for(timeout=60_000)  # a fresh server's first page: slow on a busy machine (load 30 on 2 cores)
        assert step_count(page) == 0

        # Train: the step count grows and the loss chart changes.
        train.click()
        assert wait_until(lambda: step_count(page) > 30, 30), "the step count did not grow"
        page.locator(".st-key-c_loss path.js-line").first.wait_for()
        page.evaluate("() => { document.querySelector('.st-key-c_loss .js-plotly-plot').dataset.kept = 'yes'; }")
        first = loss_trace(page)
        assert wait_until(lambda: loss_trace(page) != first, 15), "the loss chart did not change"
        # ... in place: the same chart redrawn (Plotly.react keeps a zoom), not a new one built every second
        assert page.locator(".st-key-c_loss .js-plotly-plot[data-kept='yes']").count() == 1
        page.screenshot(path=str(SHOTS / "train.png"), full_page=True)

        # Pause: the count holds.
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Resume", exact=True).wait_for()
        held = step_count(page)
        time.sleep(1.5)
        assert step_count(page) == held

        # Latent explorer: a slider moved with the keyboard changes the picture.
        page.get_by_role("link", name="Latent explorer").click()
        slider = page.get_by_role("slider").first
        slider.wait_for(timeout=30_000)
        chart = page.locator(".js-plotly-plot").first
        chart.wait_for()
        time.sleep(1.0)
        before = where_z_lands(page)
        slider.focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        # the chart is redrawn in place with the star moved (a pixel comparison would miss a move inside a tight
        # mode: a trained generator sends nearby z to nearly the same point)
        assert wait_until(lambda: where_z_lands(page) != before, 15), "the picture did not change"
        time.sleep(0.5)
        page.screenshot(path=str(SHOTS / "latent.png"), full_page=True)

        # The arena and the about page open.
        page.get_by_role("link", name="Mode-collapse arena").click()
        page.get_by_role("button", name="Start the arena").wait_for(timeout=30_000)
        page.screenshot(path=str(SHOTS / "arena.png"), full_page=True)
        page.get_by_role("link", name="About").click()
        page.get_by_text("Watch a").first.wait_for()
        page.screenshot(path=str(SHOTS / "about.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0


def view_trace(page, kind: str) -> str:
    """The main 2D view as the browser's Plotly holds it: D's map (the heatmap's values) or the fakes' x."""
    return page.evaluate("""(kind) => { const gd = document.querySelector('.st-key-view2d .js-plotly-plot');
        const t = gd && gd.data && gd.data.find((t) => kind === 'heatmap' ? t.type === 'heatmap' : t.name === 'fake');
        return t ? JSON.stringify(kind === 'heatmap' ? t.z : t.x) : ''; }""", kind)


def test_steps_show_on_their_click_and_a_shared_link_hands_over_no_run():
    """Step D redraws D's map, Step G moves the fakes, each on its own click (while paused nothing else redraws).
    After training, the address holds settings only; a student opening it gets a fresh page, while the teacher's
    own browser, reopened after the tab closed, is offered the run back."""
    with served_app() as (port, browser):
        teacher = browser.new_context(viewport={"width": 1400, "height": 900})
        page = teacher.new_page()
        page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
        assert wait_until(lambda: view_trace(page, "heatmap") != "", 30), "D's map was not drawn"
        d_map, fakes = view_trace(page, "heatmap"), view_trace(page, "fake")
        page.get_by_role("button", name="Step D").click()
        assert wait_until(lambda: view_trace(page, "heatmap") != d_map, 15), "Step D did not redraw D's map"
        assert view_trace(page, "fake") == fakes and step_count(page) == 0
        page.get_by_role("button", name=re.compile("^Step G")).click()
        assert wait_until(lambda: view_trace(page, "fake") != fakes, 15), "Step G did not move the fakes"
        assert wait_until(lambda: step_count(page) == 1, 5)

        page.get_by_role("button", name=re.compile("^(Train|Resume)$")).first.click(timeout=30_000)
        page.get_by_role("button", name="Pause").first.wait_for(timeout=30_000)
        time.sleep(2)
        page.get_by_role("button", name="Pause").first.click(timeout=30_000)
        page.get_by_role("button", name="Resume").first.wait_for(timeout=30_000)
        link = page.url
        assert "run=" not in link and not re.search(r"=(&|$)", link), link  # settings only, no empty value
        page.close()  # the session ends: its thread stops and its run is parked
        time.sleep(3)

        student = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        student.goto(link, timeout=60_000)
        student.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
        time.sleep(1)
        assert student.get_by_role("button", name="Reattach to it").count() == 0
        assert step_count(student) == 0

        page = teacher.new_page()
        page.goto(link, timeout=60_000)
        page.get_by_role("button", name="Reattach to it").click(timeout=60_000)
        page.get_by_role("button", name="Resume").first.wait_for(timeout=30_000)
        assert step_count(page) > 1
