"""The browser's keys to its own runs: a cookie only this browser sends, never a part of the URL.

When a tab closes, a run that made progress is parked under its owner key (training/parking.py). The Train page
hands the key of its run to the browser (`remember`), which keeps the last KEEP keys in the cookie COOKIE; a page
opened later in the same browser reads them from the request that opened its session (`remembered`) and offers
the parked run back. A link copied from the address bar carries settings only: a student who opens the
teacher's link gets a fresh run, never the teacher's.
"""
from __future__ import annotations

import streamlit as st

from dashboard.training.parking import parked

COOKIE = "gan_run_keys"
KEEP = 4                    # runs of this browser that can be offered back (tabs open side by side, resets)
MAX_AGE = 24 * 3600         # seconds the browser keeps the cookie; the server forgets a parked run much sooner
_JS = """
export default function ({ data }) {
  const prefix = data.name + "=";
  const old = (document.cookie.split("; ").find((c) => c.startsWith(prefix)) || "").slice(prefix.length);
  const keys = [data.key, ...old.split(".").filter((k) => k && k !== data.key)].slice(0, data.keep);
  document.cookie = prefix + keys.join(".") + "; max-age=" + data.max_age + "; path=/; SameSite=Strict";
}
"""
_component = None


def remember(owner_key: str) -> None:
    """Add this run's key to the browser's cookie (drawn nowhere; call it where an empty element does not show)."""
    global _component
    if _component is None:
        _component = st.components.v2.component("gan_run_key", html="<span></span>", js=_JS)
    _component(key="gan_run_key", data={"name": COOKIE, "key": owner_key, "keep": KEEP, "max_age": MAX_AGE},
               height=0)


def remembered() -> list[str]:
    """The keys this browser sent when the session opened, newest first."""
    raw = st.context.cookies.get(COOKIE) or ""
    return [k for k in raw.split(".") if k][:KEEP]


def parked_here(kind: str = "train"):
    """(owner key, parked run) of a run of `kind` this browser had open before its page was closed or reloaded
    (training/parking.py); the key comes from this browser's cookie, never from the URL. ("", None) when none."""
    for key in remembered():
        found = parked(key, kind)
        if found is not None:
            return key, found
    return "", None
