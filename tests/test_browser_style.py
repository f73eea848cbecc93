"""The Style transfer page in a real browser: press Train on a 2D pair; the step and the cycle error move, and the
translations (points sent from A to B, with their arrows) appear. Skipped only when chromium or Playwright is
missing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import CHROMIUM, CHROMIUM_ARGS as ARGS, free_port, start_server, stop_server, wait_healthy  # noqa: E402
from tests.test_browser import NEEDS_BROWSER, metric_value, sync_playwright, wait_until  # noqa: E402


pytestmark = NEEDS_BROWSER
SHOTS = ROOT / "artifacts" / "screenshots"


def translated_points(page) -> int:
    """How many translated points the A -> B chart holds, as the browser's Plotly has them."""
    return page.evaluate("""() => { const gd = document.querySelector('.st-key-st_arrows_ab .js-plotly-plot');
        const t = gd && gd._fullData && gd._fullData.find(d => d.name === 'translations');  // decoded arrays
        return t && t.x ? t.x.length : 0; }""")


def test_train_a_2d_pair_in_the_browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start_server(port, stderr=subprocess.PIPE)
    try:
        wait_healthy(port, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(20_000)
                page.goto(f"http://127.0.0.1:{port}/style-transfer", timeout=30_000)
                train = page.get_by_role("button", name="Train", exact=True)
                train.wait_for(timeout=30_000)
                assert metric_value(page, "Cycle error A->B->A") == "-"
                train.click()
                step = lambda: int(metric_value(page, "Step").split("/")[0].replace(",", ""))  # noqa: E731
                assert wait_until(lambda: step() > 5, 40), "the step count did not grow"
                assert wait_until(lambda: translated_points(page) == 300, 30), "no translations were drawn"
                assert wait_until(lambda: metric_value(page, "Cycle error A->B->A").endswith("%"), 90), \
                    "the cycle error was never measured"
                page.screenshot(path=str(SHOTS / "style_transfer.png"), full_page=True)
                page.get_by_role("button", name="Pause", exact=True).click()
                assert page.locator('[data-testid="stException"]').count() == 0
            finally:
                browser.close()
    finally:
        stop_server(proc)
