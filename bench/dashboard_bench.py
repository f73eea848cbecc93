"""The dashboard's costs, measured in a real browser (Debian's chromium via Playwright) on loopback.

    python bench/dashboard_bench.py [--window 15] [--rounds 3] [--slider-moves 15] [--sessions 10] [--write]

(a) Training throughput: steps/s of the default run (ring8, variant classroom, the default network:
    G 4 x 64, D 2 x 128) with the Train page open and redrawing once a second, against the same Trainer
    stepping headless in a fresh process for the same window right before (--rounds of them; the page is
    paused meanwhile). Both are read after a 3 s warm-up; the ratio is the median round's.
(b) Latent slider: from the key press that moves z[0] (the thumb is focused, ArrowRight) to the new
    chart redrawn (Plotly's `plotly_afterplot` event on it). Median and p90.
(c) Start-up: from `streamlit run` to the Train button being clickable in a fresh page.
(d) Server memory (VmRSS of the streamlit process) with 1 and with N open Train pages (each a session).

The browser runs on the same machine as the server here, so (a) is a worst case: in a classroom the
pages are drawn on the pupils' machines. --write stores the table in bench/results/dashboard.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = os.environ.get("BENCH_APP", "dashboard/streamlit_app.py")
sys.path.insert(0, str(ROOT))
from dashboard.local_server import CHROMIUM, CHROMIUM_ARGS as ARGS, free_port, metric_value, stop_server, wait_healthy  # noqa: E402,F401
from dashboard.local_server import start_server as _start  # noqa: E402


def start_server(port: int) -> subprocess.Popen:
    return _start(port, APP)

RESULTS = ROOT / "bench" / "results" / "dashboard.md"


# ----------------------------------------------------------------------------- helpers (also used by load.py)

def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


def open_train(browser, port: int, timeout: float = 60.0, query: str = ""):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(f"http://127.0.0.1:{port}/{query}", timeout=timeout * 1000)
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=timeout * 1000)
    return page


def step_count(page) -> int:
    return int(metric_value(page, "Step", timeout=30_000).replace(",", ""))


WATCH_JS = """() => {
  const el = document.querySelector('.js-plotly-plot');
  window.__changed = null;
  // Plotly's own "drawn" event: a redraw in place that moves the star by less than a pixel still counts
  const done = () => { if (window.__changed === null) { window.__changed = performance.now(); } };
  el.on('plotly_afterplot', done);
  window.__obs = { disconnect: () => el.removeListener('plotly_afterplot', done) };
  return performance.now();
}"""


def slider_latency(page, timeout_ms: int = 15_000) -> float | None:
    """ms from an ArrowRight on the z[0] thumb to Plotly's next `plotly_afterplot` on the chart (the new picture
    drawn); None if it was not drawn in time."""
    try:
        page.get_by_role("slider").first.focus()  # outside the timed part: a rerun may have moved the focus
        t0 = page.evaluate(WATCH_JS)
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => window.__changed !== null", timeout=timeout_ms)
    except Exception:  # playwright's TimeoutError: counted as a miss, not a crash of the whole benchmark
        page.evaluate("() => window.__obs && window.__obs.disconnect()")
        return None
    t1 = page.evaluate("() => { window.__obs.disconnect(); return window.__changed; }")
    return t1 - t0


def open_latent(page) -> None:
    page.get_by_role("link", name="Latent explorer").click()
    slider = page.get_by_role("slider").first
    slider.wait_for(timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for()
    time.sleep(1.0)
    slider.focus()


# ----------------------------------------------------------------------------- (a) headless reference

HEADLESS = """
import sys, time, torch
sys.path.insert(0, {root!r})
torch.set_num_threads(1)
from gan_core import TrainConfig, Trainer
from dashboard.settings import DEFAULTS, build_config
t = Trainer(build_config(dict(DEFAULTS)).replace(steps=10_000_000))
end = time.monotonic() + 3
while time.monotonic() < end:
    t.step()
s0, t0 = t.step_count, time.monotonic()
while time.monotonic() - t0 < {window}:
    t.step()
print((t.step_count - s0) / (time.monotonic() - t0))
"""


RUNNER = """
import sys, time, torch
sys.path.insert(0, {root!r})
from dashboard.training.pool import default_pool, torch_threads_for
from dashboard.training.runner import TrainingRunner
from dashboard.settings import DEFAULTS, build_config
torch.set_num_threads(torch_threads_for(default_pool()))
r = TrainingRunner(build_config(dict(DEFAULTS)).replace(steps=10_000_000))
r.start()
time.sleep(3)
s0, t0 = r.snapshot().step, time.monotonic()
while time.monotonic() - t0 < {window}:
    time.sleep(1.0)
    r.snapshot()  # as the page does once a second
print((r.snapshot().step - s0) / (time.monotonic() - t0))
r.close()
"""


def _steps_per_s(script: str, window: float) -> float:
    """Run one of the scripts above in a fresh interpreter; it prints its steps/s last."""
    out = subprocess.run([sys.executable, "-c", script.format(root=str(ROOT), window=window)], cwd=ROOT,
                         capture_output=True, text=True, timeout=window + 120, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def runner_rate(window: float) -> float:
    """The page's training thread (TrainingRunner: pictures every 0.9 s, history, its priority rule) with no
    page open."""
    return _steps_per_s(RUNNER, window)


HZ = os.sysconf("SC_CLK_TCK")


def _stat_seconds(stat: Path) -> float:
    """User + system CPU seconds from a /proc .../stat file; 0 if it is gone."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / HZ
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_seconds(pids) -> float:
    """User + system CPU seconds of these processes so far."""
    return sum(_stat_seconds(Path(f"/proc/{pid}/stat")) for pid in pids)


def chromium_pids() -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if b"chromium" in (d / "cmdline").read_bytes():
                    out.append(int(d.name))
            except OSError:
                pass
    return out


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each thread of a process so far."""
    return {int(t.name): _stat_seconds(t / "stat") for t in Path(f"/proc/{pid}/task").iterdir()}


def headless_rate(window: float) -> float:
    return _steps_per_s(HEADLESS, window)


def startup_warm_browser(p, rounds: int = 3) -> list[float]:
    """`streamlit run` -> Train button visible, with a browser profile that has loaded the app before (its
    static files and compiled scripts cached, as on a teacher's laptop): one visit to warm the profile, then
    `rounds` fresh servers on the same port, each timed from its start."""
    import tempfile

    port, times = free_port(), []
    with tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=ARGS, headless=True,
                                                   viewport={"width": 1600, "height": 1000})
        try:
            for i in range(rounds + 1):
                t0 = time.monotonic()
                proc = start_server(port)
                try:
                    wait_healthy(port, proc)
                    page = ctx.new_page()
                    page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
                    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
                    if i:  # the first visit only warms the profile
                        times.append(time.monotonic() - t0)
                    page.close()
                finally:
                    stop_server(proc)
        finally:
            ctx.close()
    return times


def page_rate(page, window: float, server_pid: int | None = None) -> tuple[float, float, float]:
    """(steps/s, chromium cores, cores of the busiest server thread, i.e. the training thread) over `window`."""
    page.get_by_role("button", name=re.compile("^(Train|Resume)$")).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    time.sleep(3.0)
    pids = chromium_pids()
    c0, th0 = cpu_seconds(pids), thread_cpu(server_pid) if server_pid else {}
    s0, t0 = step_count(page), time.monotonic()
    time.sleep(window)
    s1, t1 = step_count(page), time.monotonic()
    c1, th1 = cpu_seconds(pids), thread_cpu(server_pid) if server_pid else {}
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Resume", exact=True).wait_for()
    busiest = max((th1[k] - th0.get(k, 0.0) for k in th1), default=0.0)
    return (s1 - s0) / (t1 - t0), (c1 - c0) / (t1 - t0), busiest / (t1 - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--window", type=float, default=15.0, help="seconds over which steps/s are measured")
    ap.add_argument("--slider-moves", type=int, default=15)
    ap.add_argument("--sessions", type=int, default=10, help="open Train pages for the memory figure")
    ap.add_argument("--rounds", type=int, default=3,
                    help="page-open windows, each right after a headless window of the same length (the ratio is "
                         "the median of the rounds' ratios)")
    ap.add_argument("--write", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    results: dict[str, str] = {}
    port = free_port()
    with sync_playwright() as p:
        browser = launch(p)
        t_start = time.monotonic()
        proc = start_server(port)
        try:
            wait_healthy(port, proc)
            page = open_train(browser, port, query="?steps=1000000")  # no run ends inside the window
            startup = time.monotonic() - t_start
            print(f"start-up to interactive: {startup:.1f} s", flush=True)
            mem1 = rss_mb(proc.pid)
            rounds = []  # (headless, live, chromium cores, training-thread cores); the page is paused in between
            for i in range(max(1, args.rounds)):
                ref = headless_rate(args.window)  # the server idle, the page paused
                live_i, chrome_i, train_i = page_rate(page, args.window, proc.pid)
                rounds.append((ref, live_i, chrome_i, train_i))
                print(f"round {i + 1}: headless {ref:.1f}, with the Train page open {live_i:.1f} steps/s "
                      f"({live_i / ref:.0%}; chromium {chrome_i:.2f} cores, training thread {train_i:.2f} cores)",
                      flush=True)
            ratios = [r[1] / r[0] for r in rounds]
            mid = sorted(range(len(rounds)), key=lambda i: ratios[i])[len(rounds) // 2]  # the median round
            _, live, chrome_cores, train_cores = rounds[mid]
            open_latent(page)
            moves = [slider_latency(page) for _ in range(args.slider_moves)]
            lat = [m for m in moves if m is not None]
            misses = len(moves) - len(lat)
            med, p90 = (statistics.median(lat), sorted(lat)[int(0.9 * (len(lat) - 1))]) if lat else (float("nan"),) * 2
            print(f"slider to picture: median {med:.0f} ms, p90 {p90:.0f} ms ({misses} moves without a new "
                  f"picture within 15 s)", flush=True)
            pages = [open_train(browser, port) for _ in range(args.sessions - 1)]
            time.sleep(2.0)
            memn = rss_mb(proc.pid)
            print(f"server memory: {mem1:.0f} MB with 1 session, {memn:.0f} MB with {args.sessions}", flush=True)
            for pg in pages:
                pg.close()
        finally:
            stop_server(proc)
            browser.close()
        warm = startup_warm_browser(p)
        print(f"start-up with a warmed browser profile: {', '.join(f'{w:.1f}' for w in warm)} s", flush=True)
    headless = rounds[mid][0]
    runner_ref = headless_rate(args.window)  # the machine is shared: the no-page figure gets its own reference
    runner = runner_rate(args.window)
    print(f"training thread with no page open: {runner:.1f} steps/s ({runner / runner_ref:.0%} of headless "
          f"{runner_ref:.1f})", flush=True)
    print(f"live / headless, median of {len(rounds)} rounds: {ratios[mid]:.0%} "
          f"({', '.join(f'{x:.0%}' for x in ratios)})", flush=True)
    results = {
        "headless": f"{headless:.1f}", "live": f"{live:.1f}", "ratio": f"{ratios[mid]:.0%}",
        "rounds": "; ".join(f"{h:.1f} / {lv:.1f} = {lv / h:.0%}" for h, lv, _, _ in rounds),
        "runner_ref": f"{runner_ref:.1f}",
        "runner": f"{runner:.1f}", "runner_ratio": f"{runner / runner_ref:.0%}", "chrome": f"{chrome_cores:.2f}",
        "train_cores": f"{train_cores:.2f}",
        "median": f"{med:.0f}", "p90": f"{p90:.0f}", "startup": f"{startup:.1f}",
        "warm": ", ".join(f"{w:.1f}" for w in warm), "warm_median": f"{statistics.median(warm):.1f}", "mem1": f"{mem1:.0f}",
        "memn": f"{memn:.0f}", "n": str(args.sessions), "moves": str(args.slider_moves), "misses": str(misses), "window": f"{args.window:g}",
    }
    if args.write:
        write(results, argv)
    return 0


def write(r: dict, argv: list[str] | None) -> None:
    cmd = "python bench/dashboard_bench.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    text = f"""# Dashboard benchmarks

Command: `{cmd.strip()}` (server and headless chromium on the same machine; {platform.machine()},
{os.cpu_count()} cores shared with other work, Python {platform.python_version()}).

| measure | result | goal |
|---|---|---|
| training steps/s, ring8 / classroom, headless Trainer (the median round) | {r['headless']} | |
| training steps/s with the Train page open (redrawn once a second), the median round | {r['live']} ({r['ratio']} of headless) | >= 90% |
| ... every round: headless / page open | {r['rounds']} | |
| ... meanwhile (the median round): chromium's CPU / the training thread's CPU | {r['chrome']} cores / {r['train_cores']} cores | |
| training steps/s in the app's training thread, no page open | {r['runner']} ({r['runner_ratio']} of headless {r['runner_ref']}) | |
| latent slider key press -> the chart redrawn (Plotly's afterplot), median / p90 of {r['moves']} moves ({r['misses']} without a picture in 15 s) | {r['median']} ms / {r['p90']} ms | median <= 200 ms |
| `streamlit run` -> Train page interactive, fresh browser profile | {r['startup']} s | |
| `streamlit run` -> Train page interactive, browser that has seen the app (3 restarts) | median {r['warm_median']} s ({r['warm']}) | < 5 s |
| server memory (RSS), 1 session | {r['mem1']} MB | |
| server memory (RSS), {r['n']} sessions (Train pages open, idle) | {r['memn']} MB | |

Steps/s are read from the page's step counter over {r['window']} s after a 3 s warm-up; the headless
figure is the same configuration stepping in a fresh process for the same time, measured right before
each page window (the page paused meanwhile), because the machine is shared and its speed drifts. The browser draws on
the same two cores here, so the live figure is a worst case for a classroom, where each pupil's browser
draws on their own machine.
"""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
