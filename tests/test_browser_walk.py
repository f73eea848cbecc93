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


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import (CHROMIUM, CHROMIUM_ARGS as ARGS, free_port, metric_value, start_server,  # noqa: E402
                                    stop_server, wait_healthy)
from tests.test_browser import NEEDS_BROWSER, sync_playwright  # noqa: E402


pytestmark = NEEDS_BROWSER

VIEWPORT = {"width": 1400, "height": 900}

# Texts that do not fit their box: metric values and labels, button labels, pills, the chosen options of a
# multiselect. Streamlit cuts them with an ellipsis (text-overflow) or hides the rest (overflow, a fade over the
# last options), so the element's scroll width exceeds its client width.
CUT_OFF = """() => {
  const sel = ['[data-testid="stMetricValue"] *', '[data-testid="stMetricValue"]', '[data-testid="stMetricLabel"] *',
               '[data-testid="stButton"] button *', '[data-testid="stDownloadButton"] button *',
               '[data-testid="stBaseButton-pills"] *', '[data-testid="stBaseButton-pillsActive"] *',
               '[data-testid="stMultiSelectTagsContainer"]'];
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


def star(page) -> str:
    """The latent explorer's star (its chart's last trace) as the browser's Plotly holds it."""
    return page.evaluate("""() => { const gd = document.querySelector('.st-key-lat_scatter .js-plotly-plot');
        const t = gd && gd.data && gd.data[gd.data.length - 1];
        return t ? JSON.stringify([t.x, t.y]) : ''; }""")


def _latent_2d(page, walk: Walk) -> float:
    """A 2D generator: a slider move redraws the star quickly, with the path it would take; Randomise moves it."""
    choose(page, "Generator", "grid25-classroom")
    page.locator(".st-key-lat_scatter .js-plotly-plot").wait_for()
    assert wait_until(lambda: star(page) != "", 20)
    slider = page.get_by_role("slider").first
    times = []
    # From end to end: a 2D generator maps a whole neighbourhood of z to nearly one point of a cluster (its tanh
    # units saturate), so a step of 0.01 may not move G(z) at all; the slider's two ends land in other clusters.
    for key in ("End", "Home", "End"):
        before = star(page)
        slider.focus()
        t0 = time.monotonic()
        page.keyboard.press(key)
        assert wait_until(lambda: star(page) != before, 10, every=0.02), "a slider move did not move the star"
        times.append(time.monotonic() - t0)
    paths = page.evaluate("""() => document.querySelector('.st-key-lat_scatter .js-plotly-plot').data
        .map(t => t.name).filter(n => n && n.startsWith('z[0] from'))""")
    assert paths, "no path is drawn for the slider that moved"
    before = star(page)
    page.get_by_role("button", name="Randomise").click()
    assert wait_until(lambda: star(page) != before, 10), "Randomise did not move the star"
    walk.check_texts("Latent explorer, 2D generator")
    return sorted(times)[1]


def _latent_explorer(page, port: int, walk: Walk) -> None:
    """A 2D generator's sliders, then sliders moved quickly on an image generator (each move a new picture), then
    the principal directions."""
    page.get_by_role("link", name="Latent explorer").click()
    page.get_by_role("slider").first.wait_for(timeout=30_000)
    median = _latent_2d(page, walk)
    print(f"2D latent explorer: slider -> star redrawn in {median * 1000:.0f} ms (median of 3)")
    assert median < 1.5, f"the 2D latent explorer took {median:.2f} s to answer a slider"
    choose(page, "Generator", "mnist-dcgan")
    slider = page.get_by_role("slider").first
    picture = page.locator('[data-testid="stImage"] img:visible').first  # the card's own picture is folded away
    picture.wait_for()
    top = picture.bounding_box()["y"] + page.evaluate("window.scrollY")
    assert top < 900, f"the generator's picture starts at {top:.0f} px, below a projector's first screen"
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
    names = page.get_by_role("menuitem").all_inner_texts()
    page.keyboard.press("Escape")
    for i, name in enumerate(names):
        before = page.locator("h1").first.inner_text()
        page.get_by_text("Applications", exact=True).click()
        page.get_by_role("menuitem").nth(i).click()
        assert wait_until(lambda: page.locator("h1").first.inner_text() != before, 30), f"the {name} page did not open"
        time.sleep(1.0)
        walk.check_texts(name)
    assert names, "the Applications menu lists no page"
