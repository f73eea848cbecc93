"""The app's pages: file, title, icon and address of each, in the order of the navigation.

The router (dashboard/router.py) builds its `st.Page`s from this table, and the server's direct links
(dashboard/direct_links.py) know a page's address from it, so a page added here is reachable both ways.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    file: str       # in dashboard/app_pages/
    title: str
    icon: str
    url_path: str   # "" for the first page, the app's root


SECTIONS: dict[str, tuple[PageSpec, ...]] = {
    "": (
        PageSpec("train.py", "Train live", ":material/play_circle:", ""),
        PageSpec("latent.py", "Latent explorer", ":material/tune:", "latent"),
        PageSpec("arena.py", "Mode-collapse arena", ":material/leaderboard:", "arena"),
        PageSpec("about.py", "About", ":material/info:", "about"),
    ),
    "Applications": (
        PageSpec("style_transfer.py", "Style transfer", ":material/swap_horiz:", "style-transfer"),
        PageSpec("augmentation.py", "Augmentation", ":material/dataset:", "augmentation"),
    ),
}

# The addresses of the pages other than the first (/latent, /arena, ...).
URL_PATHS: tuple[str, ...] = tuple(p.url_path for group in SECTIONS.values() for p in group if p.url_path)
