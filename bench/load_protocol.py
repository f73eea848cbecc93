"""A class without browsers: sessions that speak Streamlit's own websocket protocol to one local server.

    python bench/load_protocol.py [--sessions 10,30,60,100] [--trainers 6] [--duration 30] [--think 2] [--port P]
                                  [--write]

What the server does for a class, apart from drawing it: in a classroom each pupil's browser renders on the pupil's
own machine, so here every session opens the app as a browser does (a websocket to /_stcore/stream, protobuf
messages) and nothing is rendered. For each number of sessions a fresh server is started on a loopback port, then:
  - `--trainers` sessions press Train on the default run and rerun the live views whenever the server asks
    (`auto_rerun`, as the browser's timer does: once a second while training);
  - the others open the Latent explorer on the first shipped generator and move z[0] every `--think` seconds
    (jittered), one value after another, as a pupil would.
Reported per level: slider latency p50 / p95 (from sending the new value to the rerun's `script_finished`: the
server's whole answer, the picture included), live-view refreshes per second per training session, the training
steps/s of all runs together (from the pages' Step metrics; the pool trains one run per core, the others wait
their turn) and how many runs advanced, the server's memory per session (its growth from after one pupil has
loaded torch and a generator, divided by the sessions), and errors (an exception on a page, a
closed connection, an answer slower than 30 s). `bench/load.py` measures the same class with real browsers, whose
drawing shares this machine's cores. Only 127.0.0.1 is used; at most 200 sessions and 120 s per level.
"""
from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import free_port, start_server, stop_server, wait_healthy  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from dashboard_bench import rss_mb  # noqa: E402

ANSWER_TIMEOUT = 30.0   # seconds: a slower answer counts as an error
FINISHED, FRAGMENT_FINISHED = 0, 3  # ForwardMsg.script_finished values (ScriptFinishedStatus)


class Session(threading.Thread):
    """One pupil: a websocket, the widget ids the server sent, and the measurements of what it asked for."""

    def __init__(self, port: int, trainer: bool, think: float, stop: threading.Event, seed: int):
        super().__init__(daemon=True)
        self.port, self.trainer, self.think, self.stop = port, trainer, think, stop
        self.rng = random.Random(seed)
        self.pages: dict[str, str] = {}
        self.widgets: dict[str, str] = {}   # the key a page gave a widget -> its id
        self.fragments: dict[str, float] = {}  # fragment id -> seconds between reruns the server asked for
        self.run_fragments: dict[str, float] = {}  # the same, asked for by the run of the page under way
        self.steps: list[tuple[float, int]] = []  # (time, the Step metric) while training
        self.latencies: list[float] = []
        self.refreshes: list[float] = []  # times of finished live-view reruns
        self.errors: list[str] = []
        self.phase = "open"
        self.page = ""
        self.pending: tuple[float, str] | None = None  # (sent at, what) of the rerun the session waits for
        self.next_move = 0.0
        self.next_fragment: dict[str, float] = {}
        self.slider_value = 0.0

    # ---------------------------------------------------------------- protocol
    def _send(self, ws, what: str, widgets=(), fragment: str = "") -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page
        if fragment:
            msg.rerun_script.fragment_id = fragment
            msg.rerun_script.is_auto_rerun = True
        for w in widgets:
            msg.rerun_script.widget_states.widgets.append(w)
        ws.send(msg.SerializeToString())
        self.pending = (time.monotonic(), what)

    def _widget(self, key: str, **value):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState(id=self.widgets[key])
        for field, v in value.items():
            if field == "double_array_value":
                state.double_array_value.data.extend(v)
            else:
                setattr(state, field, v)
        return state

    def _receive(self, raw: bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        fm = ForwardMsg()
        fm.ParseFromString(raw)
        kind = fm.WhichOneof("type")
        if kind == "new_session":
            self.run_fragments: dict[str, float] = {}
        elif kind == "navigation":
            self.pages = {p.page_name: p.page_script_hash for p in fm.navigation.app_pages}
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            sub = getattr(el, el.WhichOneof("type"))
            wid = getattr(sub, "id", "")
            if wid:
                self.widgets[wid.rsplit("-", 1)[-1]] = wid
            if el.WhichOneof("type") == "exception":
                self.errors.append(f"exception: {el.exception.message[:120]}")
            elif el.WhichOneof("type") == "metric" and el.metric.label == "Step" and self.phase == "training":
                self.steps.append((time.monotonic(), int(el.metric.body.replace(",", "") or 0)))
        elif kind == "auto_rerun":
            self.fragments[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
            self.run_fragments[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            self.fragments.clear()
        elif kind == "script_finished":
            if fm.script_finished == FINISHED:  # a whole run of the page: its timers are the ones it asked for
                self.fragments = dict(self.run_fragments)
            self._finished(fm.script_finished)

    def _finished(self, status: int) -> None:
        if self.pending is None or status not in (FINISHED, FRAGMENT_FINISHED):
            return
        sent, what = self.pending
        now = time.monotonic()
        if what == "move" and status == FINISHED:
            self.latencies.append(now - sent)
        elif what == "live" and status == FRAGMENT_FINISHED:
            self.refreshes.append(now)
        self.pending = None

    # ---------------------------------------------------------------- what the pupil does
    def _act(self, ws) -> None:
        now = time.monotonic()
        if self.pending is not None:
            if now - self.pending[0] > ANSWER_TIMEOUT:
                self.errors.append(f"no answer to {self.pending[1]} within {ANSWER_TIMEOUT:.0f} s")
                self.pending = None
            return
        if self.phase == "open" and self.pages:
            if self.trainer and "btn_train" in self.widgets and not self.fragments:
                self._send(ws, "train", [self._widget("btn_train", trigger_value=True)])
                self.phase = "training"
            elif not self.trainer:
                self.page = self.pages["Latent explorer"]
                self.widgets.clear()
                self._send(ws, "latent")
                self.phase = "latent"
        elif self.phase == "latent":
            key = next((k for k in self.widgets if k.endswith("_z0")), None)
            if key is not None and now >= self.next_move:
                self.slider_value = 0.5 if self.slider_value <= 0 else -0.5
                self._send(ws, "move", [self._widget(key, double_array_value=[self.slider_value])])
                self.next_move = now + self.think * self.rng.uniform(0.5, 1.5)
        for fid, interval in list(self.fragments.items()):  # the live views' timer, as in the browser
            if now >= self.next_fragment.get(fid, 0.0):
                self.next_fragment[fid] = now + interval
                self._send(ws, "live" if self.phase == "training" else "wait", fragment=fid)
                return

    def run(self) -> None:
        from websockets.sync.client import connect

        url, origin = f"ws://127.0.0.1:{self.port}/_stcore/stream", f"http://127.0.0.1:{self.port}"
        try:
            # Each pupil's browser has its own cookies: a proxy that keeps a browser on one replica by its
            # Streamlit cookie (deploy/README.md) spreads these sessions as it would spread the browsers.
            cookie = {"Cookie": f"_streamlit_xsrf=pupil-{self.rng.getrandbits(64):016x}"}
            with connect(url, subprotocols=["streamlit"], origin=origin, max_size=None, open_timeout=60,
                         additional_headers=cookie) as ws:
                self._send(ws, "open")
                while not self.stop.is_set():
                    try:
                        self._receive(ws.recv(timeout=0.05))
                    except TimeoutError:
                        pass
                    self._act(ws)
        except Exception as err:  # a closed connection or a refused one is a measured error, not a crash
            if not self.stop.is_set():
                self.errors.append(f"{type(err).__name__}: {err}"[:160])


def _warm_up(port: int) -> None:
    """One pupil opens the explorer and moves a slider twice, then leaves."""
    stop = threading.Event()
    s = Session(port, False, 0.1, stop, 0)
    s.start()
    end = time.monotonic() + 120
    while len(s.latencies) < 2 and time.monotonic() < end and s.is_alive():
        time.sleep(0.1)
    stop.set()
    s.join(5)


def one_level(n: int, trainers: int, duration: float, think: float, seed: int, port: int | None = None) -> dict:
    """One class of `n` sessions against a fresh server, or against the app already served at 127.0.0.1:`port`
    (several replicas behind a proxy: the memory is then not measured)."""
    proc = None
    if port is None:
        port = free_port()
        proc = start_server(port)
    try:
        if proc is not None:
            wait_healthy(port, proc, timeout=120)
        _warm_up(port)  # torch and the shipped generator loaded: the memory counted below is the sessions' own
        rss0 = rss_mb(proc.pid) if proc is not None else float("nan")
        stop = threading.Event()
        sessions = [Session(port, i < trainers, think, stop, seed * 1000 + i) for i in range(n)]
        for s in sessions:
            s.start()
            time.sleep(0.05)  # a class arrives within seconds, not within one millisecond
        t_ready = time.monotonic() + 120
        while time.monotonic() < t_ready and not all(s.phase != "open" for s in sessions):
            time.sleep(0.2)
        time.sleep(3.0)  # the trainings start and the first pictures are drawn
        for s in sessions:  # measure from here on
            s.latencies.clear()
            s.refreshes.clear()
        t0 = time.monotonic()
        time.sleep(duration)
        t1 = time.monotonic()
        rss1 = rss_mb(proc.pid) if proc is not None else float("nan")
        stop.set()
        for s in sessions:
            s.join(5)
    finally:
        if proc is not None:
            stop_server(proc)
    lat = sorted(x for s in sessions if not s.trainer for x in s.latencies)
    train = [s for s in sessions if s.trainer]
    refresh = [sum(t0 <= t <= t1 for t in s.refreshes) / (t1 - t0) for s in train]
    rates = []
    for s in train:
        pts = [(t, v) for t, v in s.steps if t0 <= t <= t1]
        if len(pts) >= 2 and pts[-1][0] > pts[0][0]:
            rates.append((pts[-1][1] - pts[0][1]) / (pts[-1][0] - pts[0][0]))
    errors = [e for s in sessions for e in s.errors]
    return {"sessions": n, "trainers": len(train), "moves": len(lat),
            "p50_ms": 1000 * statistics.median(lat) if lat else float("nan"),
            "p95_ms": 1000 * lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan"),
            "refresh_per_s": statistics.mean(refresh) if refresh else float("nan"),
            "steps_per_s": sum(rates), "advancing": sum(r > 0 for r in rates),
            "mb_per_session": (rss1 - rss0) / n, "rss_mb": rss1, "rss0_mb": rss0, "errors": len(errors), "first_error": errors[:1]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", default="10,30,60,100", help="comma-separated numbers of sessions, one level each")
    ap.add_argument("--trainers", type=int, default=6, help="sessions that train (the first ones of each level)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds measured per level (at most 120)")
    ap.add_argument("--think", type=float, default=2.0, help="mean seconds between two slider moves of one pupil")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--port", type=int, default=None,
                    help="drive the app already served at 127.0.0.1:PORT (e.g. replicas behind a proxy) instead of "
                         "starting a server per level")
    ap.add_argument("--write", action="store_true", help="write bench/results/load-protocol.md")
    a = ap.parse_args(argv)
    levels = [max(1, min(int(x), 200)) for x in a.sessions.split(",") if x.strip()]
    duration = max(5.0, min(a.duration, 120.0))
    cmd = "python bench/load_protocol.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [f"Command: `{cmd.strip()}` ({platform.machine()}, {__import__('os').cpu_count()} cores; "
             f"{duration:g} s measured per level; a slider move every {a.think:g} s per pupil, jittered)", "",
             "| sessions | training (advancing) | slider moves | slider p50 | slider p95 | live refreshes/s per trainer | "
             "training steps/s, all runs | server MB per session | server RSS (before the class) | errors |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    for n in levels:
        r = one_level(n, min(a.trainers, n), duration, a.think, a.seed, a.port)
        row = (f"| {r['sessions']} | {r['trainers']} ({r['advancing']}) | {r['moves']} | {r['p50_ms']:.0f} ms | "
               f"{r['p95_ms']:.0f} ms | {r['refresh_per_s']:.2f} | {r['steps_per_s']:.1f} | {r['mb_per_session']:.1f} | "
               f"{r['rss_mb']:.0f} MB ({r['rss0_mb']:.0f} MB) | {r['errors']} |")
        lines.append(row)
        print(row + (f"  first error: {r['first_error'][0]}" if r["first_error"] else ""), flush=True)
    if a.write:
        out = ROOT / "bench" / "results" / "load-protocol.md"
        out.write_text("\n".join(lines) + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
