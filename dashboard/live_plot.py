"""Live Plotly charts that update in place.

`st.plotly_chart` gives every figure an identity computed from its content, and the browser mounts a new
chart whenever that identity changes: on the Train page, five complete `Plotly.newPlot` a second while
training (about a fifth of a core of the browser's time on this machine), and a zoom or a hover
lost at every redraw. `live_chart` mounts one small component per chart, with a fixed key, that hands each
new figure to `Plotly.react`, which redraws only what changed and keeps the user's zoom (`uirevision`).

Plotly's JavaScript comes from the installed `plotly` package, served by Streamlit's static file
serving (`server.enableStaticServing`, `dashboard/static/`, copied there once; no network). Where that copy
cannot be made (a read-only install), the charts fall back to `st.plotly_chart`.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import plotly
from plotly.io.json import to_json_plotly
import streamlit as st

STATIC = Path(__file__).resolve().parent / "static"
ASSET = f"plotly-{plotly.__version__}.min.js"
# Looks of st.plotly_chart's Streamlit theme, for charts drawn by Plotly.react directly.
TEMPLATE = dict(layout=dict(
    font=dict(family='"Source Sans", "Source Sans Pro", sans-serif', color="#1f2933"),
    paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", colorway=["#0072B2", "#D55E00", "#009E73", "#CC79A7"],
    xaxis=dict(gridcolor="#e6eaf1", linecolor="#d5dae5", zerolinecolor="#d5dae5", automargin=True),
    yaxis=dict(gridcolor="#e6eaf1", linecolor="#d5dae5", zerolinecolor="#d5dae5", automargin=True),
    title=dict(x=0.0, xanchor="left", xref="paper", font=dict(weight=600)),
    modebar=dict(bgcolor="rgba(255,255,255,0.8)", color="#7f7f7f", activecolor="#1f2933"),
    hoverlabel=dict(font=dict(family='"Source Sans", sans-serif'))))

_HTML = '<div class="gan-live-plot" style="width:100%"></div>'
_JS = """
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__ganPlotlyLoading) {
    // fetched as text and run from a blob typed text/javascript: a server that labels .js files text/plain
    // (with nosniff) cannot stop it
    window.__ganPlotlyLoading = fetch(src).then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status + " for " + src);
      return r.text();
    }).then((code) => new Promise((resolve, reject) => {
      const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
      const s = document.createElement("script");
      s.src = url;
      s.onload = () => { URL.revokeObjectURL(url); resolve(window.Plotly); };
      s.onerror = () => reject(new Error("could not run " + src));
      document.head.appendChild(s);
    })).catch((err) => { window.__ganPlotlyLoading = null; throw err; });
  }
  return window.__ganPlotlyLoading;
}

export default function ({ parentElement, data }) {
  const el = parentElement.querySelector(".gan-live-plot");
  const spec = JSON.parse(data.spec);
  el.style.height = data.height + "px";
  el.__ganPending = spec;           // only the newest figure is drawn when several arrive at once
  loadPlotly(new URL(data.src, document.baseURI).href).then((Plotly) => {
    if (el.__ganPending !== spec) return;
    el.__ganPending = null;
    return Plotly.react(el, spec.data, spec.layout, data.config);
  }).catch((err) => { el.textContent = "This chart could not be drawn: " + err.message; });
  // Called on unmount, and also for an update that a newer one replaced: only a chart that has left the
  // page is taken down, never the one that is showing the newest figure.
  return () => setTimeout(() => { if (!el.isConnected && window.Plotly) window.Plotly.purge(el); }, 0);
}
"""

_component = None
_ready: bool | None = None  # None: not known yet; False: the copy failed once (a read-only install stays so)


def asset_ready() -> bool:
    """Plotly's JavaScript is in dashboard/static/ (copied from the plotly package on first use)."""
    global _ready
    target = STATIC / ASSET
    if _ready is not None:
        return _ready
    if target.is_file():
        _ready = True
        return True
    source = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    tmp = STATIC / f".{ASSET}.{os.getpid()}.{threading.get_ident()}.tmp"  # one per writer
    try:
        STATIC.mkdir(exist_ok=True)
        shutil.copyfile(source, tmp)
        tmp.replace(target)  # atomic: a browser never gets half a file, whichever session copies first
        _ready = True
        return True
    except OSError:
        tmp.unlink(missing_ok=True)
        _ready = False
        return False


def _renderer():
    global _component
    if _component is None:
        _component = st.components.v2.component("gan_live_plot", html=_HTML, js=_JS, isolate_styles=False)
    return _component


def live_chart(fig, key: str, height: int | None = None, config: dict | None = None, revision: str = "") -> None:
    """Draw `fig` (a plotly Figure) under a fixed `key`; later calls with the same key update it in place.
    A user's zoom is kept while `revision` stays the same (pass the run's id: a new run starts unzoomed)."""
    config = {"displayModeBar": False, "responsive": True, **(config or {})}
    if not asset_ready() or not st.get_option("server.enableStaticServing"):
        st.plotly_chart(fig, key=key, config=config)
        return
    spec = fig.to_plotly_json()  # plain dicts, built and checked by charts.py: no second validation here
    layout = {k: v for k, v in spec["layout"].items() if k != "height"}
    layout.update(template=TEMPLATE, autosize=True)  # as a plain dict: a validated template costs ~10 ms a chart
    if revision:
        layout["uirevision"] = revision
    h = int(height or fig.layout.height or 400)
    base = (st.get_option("server.baseUrlPath") or "").strip("/")  # the app's own prefix, as its other routes
    src = f"/{base}/app/static/{ASSET}" if base else f"/app/static/{ASSET}"
    _renderer()(key=key, data={"spec": to_json_plotly({"data": spec["data"], "layout": layout}), "height": h,
                               "config": config, "src": src}, height=h)
