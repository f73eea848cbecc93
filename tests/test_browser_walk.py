"""A lesson rehearsed in a real browser at a projector's size (1400 x 900): every page walked, as a teacher would.

One `streamlit run` on loopback and one headless chromium (Debian's, driven by Playwright). Over the whole walk:
no request leaves the app's own host (the app works offline), no console error (no stale /media/ picture, no
failed favicon), and on every page no metric value and no button label is cut off (its text fits its box). On
the way: a single click on the "Draw your own" canvas adds a point; the main 2D chart sits above the fold and
stays where it is when slow motion is turned on. Skipped only when chromium or Playwright is missing.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import CHROMIUM, CHROMIUM_ARGS as ARGS, free_port, start_server, stop_server, wait_healthy  # noqa: E402

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
    pytest.mark.skipif(sync_playwright is None, reason="Playwright for Python is not installed (pip install playwright)"),
]

VIEWPORT = {"width": 1400, "height": 900}

# Texts that do not fit their box: metric values and labels, button labels, pills. Streamlit cuts them with an
# ellipsis (text-overflow) or hides the rest (overflow), so the element's scroll width exceeds its client width.
CUT_OFF = """() => {
  const sel = ['[data-testid="stMetricValue"] *', '[data-testid="stMetricValue"]', '[data-testid="stMetricLabel"] *',
               '[data-testid="stButton"] button *', '[data-testid="stDownloadButton"] button *',
               '[data-testid="stBaseButton-pills"] *', '[data-testid="stBaseButton-pillsActive"] *'];
  const out = [];
  for (const el of document.querySelectorAll(sel.join(','))) {
    if (!el.clientWidth || !el.textContent.trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1) out.push(el.textContent.trim() + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
  }
  return out;
}"""


def wait_until(cond, timeout: float, every: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if cond():
                return True
        except Exception:  # the page is mid-redraw
            pass
        time.sleep(every)
    return False


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has=page.locator('[data-testid="stMetricLabel"]',
                                                                  has_text=re.compile(f"^{re.escape(label)}$")))
    return box.locator('[data-testid="stMetricValue"]').first.inner_text(timeout=10_000)


def step_count(page) -> int:
    return int(metric_value(page, "Step").replace(",", ""))


class Walk:
    """What the browser saw during the walk: requests to other hosts, console errors, cut-off texts."""

    def __init__(self, page, port: int):
        self.page, self.host = page, f"127.0.0.1:{port}"
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.cut: dict[str, list[str]] = {}
        page.on("request", self._request)
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{m.text} at {m.location.get('url', '')}"))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status} for {r.url}"))

    def _request(self, request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != self.host:
            self.foreign.append(request.url)

    def check_texts(self, where: str) -> None:
        cut = self.page.evaluate(CUT_OFF)
        if cut:
            self.cut[where] = cut


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    assert wait_until(lambda: box.input_value() == option, 10), f"{label} did not become {option}"


def main_chart_box(page) -> dict:
    return page.locator(".st-key-view2d").bounding_box(timeout=20_000)


def test_a_lesson_in_the_browser():
    port = free_port()
    proc = start_server(port, stderr=subprocess.PIPE)
    try:
        wait_healthy(port, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                page = browser.new_page(viewport=VIEWPORT)
                page.set_default_timeout(30_000)
                walk = Walk(page, port)
                _train_2d(page, port, walk)
                _draw_your_own(page, port, walk)
                _latent_explorer(page, port, walk)
                _other_pages(page, walk)
                assert page.locator('[data-testid="stException"]').count() == 0
            finally:
                browser.close()
    finally:
        stop_server(proc)
    assert not walk.foreign, f"requests left the app's host: {sorted(set(walk.foreign))}"
    assert not walk.errors, f"console errors during the walk: {walk.errors}"
    assert not walk.cut, f"texts cut off: {walk.cut}"


def _train_2d(page, port: int, walk: Walk) -> None:
    """Train on ring8: the numbers fit their boxes, the main chart is above the fold and does not move when slow
    motion is turned on."""
    page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
    train = page.get_by_role("button", name="Train", exact=True)
    train.wait_for(timeout=60_000)
    train.click()
    assert wait_until(lambda: step_count(page) > 200, 40), "training did not advance"
    page.locator(".st-key-view2d .js-plotly-plot").wait_for()
    time.sleep(1.5)  # one more redraw with the mode metrics
    walk.check_texts("Train live, training")
    box = main_chart_box(page)
    assert box["y"] + box["height"] <= VIEWPORT["height"], f"the main chart ends at {box['y'] + box['height']:.0f} px"
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Resume", exact=True).wait_for()
    top = main_chart_box(page)["y"]
    page.get_by_text("Slow motion", exact=True).click()
    page.get_by_text("seconds per sub-step").wait_for()
    time.sleep(0.5)
    assert abs(main_chart_box(page)["y"] - top) <= 2, "turning slow motion on moved the main chart"
    walk.check_texts("Train live, slow motion")
    page.get_by_text("Slow motion", exact=True).click()


def _draw_your_own(page, port: int, walk: Walk) -> None:
    """One click on the canvas adds one point."""
    page.goto(f"http://127.0.0.1:{port}/?data=draw", timeout=60_000)
    canvas = page.locator(".gan-draw canvas").first
    canvas.wait_for(timeout=30_000)
    expander = page.get_by_text(re.compile(r"^Your data: \d+ points? drawn$"))
    assert expander.inner_text().startswith("Your data: 0 ")
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)
    assert wait_until(lambda: page.get_by_text("Your data: 1 point drawn").count() == 1, 20), \
        "a single click on the canvas added no point"
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6)
    assert wait_until(lambda: page.get_by_text("Your data: 2 points drawn").count() == 1, 20), \
        "a second click on the canvas added no point"
    walk.check_texts("Train live, draw your own")


def _latent_explorer(page, port: int, walk: Walk) -> None:
    """Sliders moved quickly on an image generator (each move a new picture), then the principal directions."""
    page.get_by_role("link", name="Latent explorer").click()
    page.get_by_role("slider").first.wait_for(timeout=30_000)
    choose(page, "Generator", "mnist-dcgan")
    slider = page.get_by_role("slider").first
    page.locator('[data-testid="stImage"] img').first.wait_for()
    slider.focus()
    for _ in range(12):
        page.keyboard.press("ArrowRight")
        time.sleep(0.05)
    time.sleep(1.5)
    walk.check_texts("Latent explorer, sliders")
    page.get_by_text("Principal directions", exact=True).click()
    page.get_by_text(re.compile(r"^direction 1 ")).wait_for(timeout=60_000)
    walk.check_texts("Latent explorer, principal directions")


def _other_pages(page, walk: Walk) -> None:
    page.get_by_role("link", name="Mode-collapse arena").click()
    page.get_by_role("button", name="Start the arena").wait_for(timeout=30_000)
    walk.check_texts("Mode-collapse arena")
    page.get_by_role("link", name="About").click()
    page.get_by_text("Watch a").first.wait_for()
    walk.check_texts("About")
    page.get_by_text("Applications", exact=True).click()  # a section of the top bar: its pages in a menu
    page.get_by_role("menuitem", name="Style transfer").click()
    page.get_by_role("heading", name="Style transfer").first.wait_for(timeout=30_000)
    time.sleep(1.0)
    walk.check_texts("Style transfer")
