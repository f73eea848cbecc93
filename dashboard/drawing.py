"""The "Draw your own" canvas: a click adds a point, a drag paints a stroke of points.

A small component (st.components.v2) drawn on an HTML canvas: the grid of places a point can go fills the
whole square, a click snaps to the nearest place and shows the point at once, and the canvas sends the
places it added to Python (a trigger value), which keeps the drawing in st.session_state as indices into
`settings.candidate_grid()`. (A Plotly scatter with point selection ignored single clicks: a click without a
drag never reached Streamlit as a selection.) Colours: the app's legend, the drawn points are real data (blue).
"""
from __future__ import annotations

import streamlit as st

from dashboard.charts import NEUTRAL, REAL

_HTML = '<div class="gan-draw" style="width:100%;display:flex;justify-content:center">' \
        '<canvas style="touch-action:none;cursor:crosshair;border:1px solid #d5dae5;border-radius:6px"></canvas></div>'
_JS = """
export default function ({ parentElement, data, setTriggerValue }) {
  const canvas = parentElement.querySelector(".gan-draw canvas");
  const n = data.n, lo = data.lo, hi = data.hi, size = data.size, pad = 28;
  const chosen = new Set(data.chosen);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = size * ratio; canvas.height = size * ratio;
  canvas.style.width = size + "px"; canvas.style.height = size + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const step = (size - 2 * pad) / (n - 1);
  const px = (i) => pad + (i % n) * step;                    // column -> x pixel
  const py = (i) => size - pad - Math.floor(i / n) * step;   // row -> y pixel (y grows upwards)
  function dot(i, on) {
    ctx.beginPath();
    ctx.arc(px(i), py(i), on ? Math.max(3, step * 0.42) : Math.max(1.2, step * 0.14), 0, 2 * Math.PI);
    ctx.fillStyle = on ? data.real : data.neutral;
    ctx.fill();
  }
  function draw() {
    ctx.clearRect(0, 0, size, size);
    ctx.font = "12px sans-serif"; ctx.fillStyle = "#555"; ctx.textAlign = "center";
    for (let v = Math.ceil(lo); v <= Math.floor(hi); v++) {   // axis labels every unit
      const k = (v - lo) / (hi - lo) * (n - 1);
      ctx.fillText(String(v), pad + k * step, size - 8);
      ctx.fillText(String(v), 12, size - pad - k * step + 4);
    }
    for (let i = 0; i < n * n; i++) dot(i, false);
    for (const i of chosen) dot(i, true);
  }
  function nearest(ev) {
    const r = canvas.getBoundingClientRect();
    const c = Math.round((ev.clientX - r.left - pad) / step), row = Math.round((size - pad - (ev.clientY - r.top)) / step);
    if (c < 0 || c >= n || row < 0 || row >= n) return -1;
    return row * n + c;
  }
  // The stroke in progress lives on the canvas itself: a redraw from Python arriving mid-stroke (this function
  // called again with new data) keeps it, and the points it painted are drawn again.
  if (canvas.__stroke) for (const i of canvas.__stroke) chosen.add(i);
  canvas.onpointerdown = (ev) => { canvas.__stroke = []; canvas.setPointerCapture(ev.pointerId); add(ev); };
  canvas.onpointermove = (ev) => { if (canvas.__stroke) add(ev); };
  canvas.onpointerup = () => {
    const added = canvas.__stroke;
    canvas.__stroke = null;
    if (added && added.length) setTriggerValue("added", { ids: added, at: Date.now() });
  };
  function add(ev) {
    const i = nearest(ev);
    if (i >= 0 && !chosen.has(i)) { chosen.add(i); canvas.__stroke.push(i); dot(i, true); }
  }
  draw();
}
"""

_component = None


def _canvas():
    global _component
    if _component is None:
        _component = st.components.v2.component("gan_draw_canvas", html=_HTML, js=_JS, isolate_styles=False)
    return _component


def added_points(key: str) -> list[int]:
    """The grid places the canvas under `key` sent in this run (a click or a stroke), [] when none."""
    value = st.session_state.get(key)
    added = value.get("added") if hasattr(value, "get") else getattr(value, "added", None)
    return list(added["ids"]) if added else []


def drawing_canvas(key: str, chosen: list[int], n: int, lo: float, hi: float, size: int = 440, on_add=None) -> None:
    """The canvas for an n x n grid over [lo, hi]^2 with the places `chosen` drawn; `on_add` runs (before the
    script) when the user adds places: read them with `added_points(key)`."""
    _canvas()(key=key, data={"n": n, "lo": lo, "hi": hi, "size": size, "chosen": list(map(int, chosen)),
                             "real": REAL, "neutral": NEUTRAL}, height=size + 4, on_added_change=on_add or (lambda: None))
