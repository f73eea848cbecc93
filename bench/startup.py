"""Start-up: from `streamlit run` to the first page interactive (the Train button enabled), in a fresh browser.

    python bench/startup.py [--rounds 5]

Each round starts a new server on a free loopback port and opens the app in a new headless chromium page (no cache
from an earlier round), then times, from the moment the server process is started:
  healthy      the server answers /_stcore/health
  title        the Train page's title is shown (the page script has started drawing)
  interactive  the Train button is enabled: a click trains
  charts       the live charts are drawn (Plotly's script loaded and run)
and the CPU seconds the server process used until `interactive` (a figure that does not depend on what else the
machine is doing, unlike the wall times). Prints a line per round and the medians.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, stop_server, wait_healthy  # noqa: E402

HZ = 100  # clock ticks per second of /proc/<pid>/stat (os.sysconf("SC_CLK_TCK") on Linux)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def one_round(p) -> dict[str, float]:
    port = free_port()
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    t0 = time.monotonic()
    proc = start_server(port)
    out = {}
    try:
        wait_healthy(port, proc, timeout=120)
        out["healthy"] = time.monotonic() - t0
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
        page.get_by_role("heading", name="Train live").wait_for(timeout=120_000)
        out["title"] = time.monotonic() - t0
        train = page.get_by_role("button", name="Train", exact=True)
        while not (train.count() and train.is_enabled()):
            time.sleep(0.02)
            if time.monotonic() - t0 > 120:
                raise TimeoutError("the Train button was not enabled within 120 s")
        out["interactive"] = time.monotonic() - t0
        out["server_cpu"] = cpu_seconds(proc.pid)
        page.locator(".st-key-c_loss .js-plotly-plot").wait_for(timeout=120_000)
        out["charts"] = time.monotonic() - t0
    finally:
        stop_server(proc)
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rounds = []
    with sync_playwright() as p:
        for i in range(args.rounds):
            r = one_round(p)
            rounds.append(r)
            print(f"round {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in r.items()), flush=True)
    keys = rounds[0].keys()
    print("median: " + ", ".join(f"{k} {statistics.median(r[k] for r in rounds):.2f} s" for k in keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
