"""How often the Style transfer page redraws its live view while a 2D CycleGAN trains, in a real browser.

    python bench/style_refresh.py [--seconds 20] [--rounds 2]

Each round starts a server, opens /style-transfer in headless chromium at 1400 x 900, presses Train on the default
2D pair and, once the step count moves, reads the page's Step metric every 20 ms for --seconds: a refresh is a
change of the number shown. Reported: refreshes per second (the target is at least 2), the steps per second the
page shows, and the largest gap between two refreshes. Only 127.0.0.1 is used.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, stop_server, wait_healthy  # noqa: E402

STEP = """() => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(e => e.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === 'Step');
    return m ? m.querySelector('[data-testid="stMetricValue"]').innerText : ''; }"""


def step_of(text: str) -> int:
    head = text.split("/")[0].replace(",", "").strip()
    return int(head) if head.isdigit() else 0


def one_round(p, seconds: float) -> dict:
    port = free_port()
    proc = start_server(port)
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        wait_healthy(port, proc, timeout=120)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/style-transfer", timeout=120_000)
        train = page.get_by_role("button", name="Train", exact=True)
        train.wait_for(timeout=120_000)
        train.click()
        t0 = time.monotonic()
        while step_of(page.evaluate(STEP)) < 1:
            if time.monotonic() - t0 > 120:
                raise TimeoutError("the step count did not move within 120 s")
            time.sleep(0.05)
        changes, last, first_step = [], page.evaluate(STEP), step_of(page.evaluate(STEP))
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            now = page.evaluate(STEP)
            if now != last:
                changes.append(time.monotonic())
                last = now
            time.sleep(0.02)
        elapsed = time.monotonic() - t0
        gaps = [b - a for a, b in zip([t0] + changes, changes + [t0 + elapsed])]
        return {"refreshes_per_s": len(changes) / elapsed, "steps_per_s": (step_of(last) - first_step) / elapsed,
                "largest_gap_s": max(gaps)}
    finally:
        browser.close()
        stop_server(proc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        for i in range(a.rounds):
            r = one_round(p, a.seconds)
            rows.append(r)
            print(f"round {i + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in r.items()), flush=True)
    print("median: " + ", ".join(f"{k} {statistics.median(r[k] for r in rows):.2f}" for k in rows[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
