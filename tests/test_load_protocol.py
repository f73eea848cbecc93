"""bench/load_protocol.py drives a real server through Streamlit's own protocol: a short class of two pupils.

One trains (the live views rerun at the server's request and the Step metric moves), the other moves a latent
slider (each move answered). Loopback only; about 20 s. Streamlit's websocket client library (`websockets`) comes
with Streamlit.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def test_two_pupils_without_a_browser():
    from load_protocol import one_level

    r = one_level(2, 1, duration=6.0, think=0.5, seed=0)
    assert r["errors"] == 0, r["first_error"]
    assert r["moves"] >= 3, r
    assert r["p95_ms"] < 30_000
    assert r["refresh_per_s"] > 0.2, r
    assert r["steps_per_s"] > 0 and r["advancing"] == 1, r
