"""A small classroom on loopback: N browser sessions against one local server, bounded in time and count.

    python bench/load.py [--sessions 6] [--trainers 2] [--duration 40] [--write]

`--trainers` sessions press Train on the default run (ring8, classroom) and keep their Train page open
(redrawn once a second); the other sessions open the Latent explorer on a shipped image generator
(or their own run when none is shipped) and move z[0] with the keyboard, one session after another,
for `--duration` seconds. Reported: slider latency percentiles (key press -> new picture), each
training's steps/s and queue state, the server's memory, and errors (exceptions shown on a page,
timeouts). Only 127.0.0.1 is used; at most 30 sessions and 180 s.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dashboard_bench import (RESULTS, free_port, launch, open_train, rss_mb, start_server,  # noqa: E402
                             step_count, stop_server, wait_healthy)

IMG = '[data-testid="stImage"] img'


def latency(page) -> float:
    """ms from ArrowRight on the focused slider to the picture (an image, or the first chart) changing."""
    if page.locator(IMG).count():
        old = page.locator(IMG).first.get_attribute("src")
        t0 = page.evaluate("() => performance.now()")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"old => {{ const i = document.querySelector('{IMG}'); return i && i.src !== old; }}",
                               arg=old, timeout=15_000)
        return page.evaluate("() => performance.now()") - t0
    from dashboard_bench import slider_latency

    ms = slider_latency(page)
    if ms is None:
        raise TimeoutError("no new picture within 15 s")
    return ms


def open_sliders(page) -> None:
    page.get_by_role("link", name="Latent explorer").click()
    page.get_by_role("slider").first.wait_for(timeout=60_000)
    time.sleep(1.0)
    page.get_by_role("slider").first.focus()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=6)
    ap.add_argument("--trainers", type=int, default=2)
    ap.add_argument("--duration", type=float, default=40.0)
    ap.add_argument("--write", action="store_true", help=f"append the results to {RESULTS.name}")
    args = ap.parse_args(argv)
    n = max(1, min(args.sessions, 30))
    trainers = max(0, min(args.trainers, n))
    duration = max(5.0, min(args.duration, 180.0))
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    lat: list[float] = []
    port = free_port()
    with sync_playwright() as p:
        browser = launch(p)
        proc = start_server(port)
        try:
            wait_healthy(port, proc)
            mem_base = rss_mb(proc.pid)
            # trainers get a step budget that outlasts the test (the default 5,000 steps end within ~20 s)
            pages = [open_train(browser, port, query="?steps=1000000" if i < trainers else "") for i in range(n)]
            mem_open = rss_mb(proc.pid)
            train_pages, slider_pages = pages[:trainers], pages[trainers:]
            for pg in train_pages:
                pg.get_by_role("button", name="Train", exact=True).click()
            for pg in slider_pages:
                open_sliders(pg)
            time.sleep(2.0)
            starts = [(step_count(pg), time.monotonic()) for pg in train_pages]
            end = time.monotonic() + duration
            while time.monotonic() < end and slider_pages:
                for pg in slider_pages:
                    try:
                        pg.bring_to_front()
                        pg.get_by_role("slider").first.focus()
                        lat.append(latency(pg))
                    except Exception as err:  # a timeout is a result here, not a crash of the benchmark
                        errors.append(f"slider: {type(err).__name__}")
                    if time.monotonic() >= end:
                        break
            if not slider_pages:
                time.sleep(duration)
            rates = []
            for pg, (s0, t0) in zip(train_pages, starts):
                pg.bring_to_front()
                time.sleep(0.6)
                rates.append((step_count(pg) - s0) / (time.monotonic() - t0))
            mem_end = rss_mb(proc.pid)
            alive = 0
            for pg in pages:
                try:  # the app is still mounted and not showing Streamlit's "connection lost" box
                    ok = pg.evaluate("() => !!document.querySelector('[data-testid=\"stApp\"]')")
                    lost = pg.get_by_text("Connection error").count()
                    alive += int(ok and not lost)
                    if not ok or lost:
                        errors.append("a session lost its connection")
                except Exception:
                    errors.append("a session stopped answering")
            for pg in pages:
                shown = pg.locator('[data-testid="stException"]').count()
                if shown:
                    errors.append(f"{shown} exception(s) shown on a page")
        finally:
            stop_server(proc)
            browser.close()
    q = sorted(lat)
    pct = (lambda f: q[min(len(q) - 1, int(f * len(q)))]) if q else (lambda f: float("nan"))
    lines = [
        f"sessions {n} ({trainers} training, {n - trainers} moving sliders), {duration:g} s",
        f"slider -> picture: {len(q)} moves, p50 {pct(0.5):.0f} ms, p90 {pct(0.9):.0f} ms, p95 {pct(0.95):.0f} ms, "
        f"max {q[-1] if q else float('nan'):.0f} ms",
        "training steps/s per run: " + ", ".join(f"{r:.1f}" for r in rates) + " (the pool runs one per core; the rest queue)",
        f"server memory: {mem_base:.0f} MB before any session, {mem_open:.0f} MB with the pages open "
        f"({(mem_open - mem_base) / n:.1f} MB per session), {mem_end:.0f} MB at the end",
        f"sessions still answering at the end: {alive} of {n}",
        f"errors: {len(errors)}" + (f" ({'; '.join(sorted(set(errors)))})" if errors else ""),
    ]
    print("\n".join(lines))
    if args.write:
        cmd = "python bench/load.py " + " ".join(argv or sys.argv[1:])
        with RESULTS.open("a") as fh:
            fh.write(f"\n## Load: `{cmd.strip()}`\n\n" + "\n".join(f"- {ln}" for ln in lines) + "\n")
        print(f"appended to {RESULTS}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
