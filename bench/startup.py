"""Start-up: from `streamlit run` to the first page interactive (the Train button enabled), in a fresh browser.

    python bench/startup.py [--rounds 5] [--no-floor] [--warm]

Each round starts a new server on a free loopback port and opens the app in a new headless chromium page (no cache
from an earlier round), then times, from the moment the server process is started:
  healthy      the server answers /_stcore/health
  title        the Train page's title is shown (the page script has started drawing)
  interactive  the Train button is enabled: a click trains
  charts       the live charts are drawn (Plotly's script loaded and run)
and the CPU seconds the server process used until `interactive` (a figure that does not depend on what else the
machine is doing, unlike the wall times). Prints a line per round and the medians.

Each round also times the floor, side by side: a bare Streamlit page with the same title, a sidebar of the same
kinds of widgets and the same row of controls, and nothing else (no torch, no project code). What the app takes
beyond it is the app's own start-up; the floor itself is Streamlit's server and the browser drawing its widgets.

With `--warm` the browser is the one a teacher has used before: each contender keeps one browser profile and one port
for all its rounds, visited once before the first timed round, so Streamlit's scripts come from the browser's cache
(and its compiled-code cache) as they do on a second lesson. The server is still started fresh each round.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, stop_server, wait_healthy  # noqa: E402

HZ = 100  # clock ticks per second of /proc/<pid>/stat (os.sysconf("SC_CLK_TCK") on Linux)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


FLOOR = """
import streamlit as st
with st.sidebar:
    st.header("Experiment")
    st.selectbox("Data", ["ring8", "grid25"])
    st.number_input("Seed", 0, 10)
    st.select_slider("G learning rate", [1e-4, 2e-4, 1e-3])
    st.checkbox("Stop when every mode is covered")
st.title("Train live")
c = st.columns([1, 1, 1, 1, 1.2, 2.2, 1.8], vertical_alignment="bottom")
for i, label in enumerate(["Train", "Reset", "Step D", "Step G", "Step both"]):
    c[i].button(label, type="primary" if i == 0 else "secondary", width="stretch")
c[5].select_slider("Speed (steps/s)", ["1", "10", "max"], value="max")
with c[6]:
    st.toggle("Slow motion")
    st.button("Next sub-step", width="stretch")
"""


def one_round(p, app: str | None = None, profile: str | None = None, port: int | None = None) -> dict[str, float]:
    """Times of one start in a fresh browser: the app's, or (with `app`, a script path) another page's. With
    `profile` (a folder) the browser keeps its cache there between rounds; give the same `port` each time."""
    port = port or free_port()
    if profile:
        browser = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                        headless=True, viewport={"width": 1400, "height": 900})
    else:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    t0 = time.monotonic()
    proc = start_server(port) if app is None else start_server(port, app=app)
    out = {}
    try:
        wait_healthy(port, proc, timeout=120)
        out["healthy"] = time.monotonic() - t0
        page = browser.new_page() if profile else browser.new_page(viewport={"width": 1400, "height": 900})
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
        if app is not None:
            return out
        page.locator(".st-key-c_loss .js-plotly-plot").wait_for(timeout=120_000)
        out["charts"] = time.monotonic() - t0
    finally:
        stop_server(proc)
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-floor", action="store_true", help="time the app only")
    ap.add_argument("--warm", action="store_true",
                    help="a browser that has opened the page before: one profile and port per contender, one visit "
                         "before the timed rounds")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rounds: dict[str, list] = {"app": [], "floor": []}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        floor = Path(tmp) / "floor.py"
        floor.write_text(FLOOR)
        names = ["app"] if args.no_floor else ["app", "floor"]
        warm = {name: {"profile": str(Path(tmp) / f"profile-{name}"), "port": free_port()} for name in names} \
            if args.warm else {name: {} for name in names}
        for name in names if args.warm else []:  # the visit that fills the browser's caches
            one_round(p, None if name == "app" else str(floor), **warm[name])
        for i in range(args.rounds):
            for name in names:
                r = one_round(p, None if name == "app" else str(floor), **warm[name])
                rounds[name].append(r)
                print(f"round {i + 1} {name}: " + ", ".join(f"{k} {v:.2f} s" for k, v in r.items()), flush=True)
    for name, rs in rounds.items():
        if rs:
            print(f"median {name}: " + ", ".join(f"{k} {statistics.median(r[k] for r in rs):.2f} s" for k in rs[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
