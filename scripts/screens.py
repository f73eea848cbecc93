"""Screenshots of every page at a projector's size (1400 x 900) for docs/screens/ and the README.

    python scripts/screens.py [--out docs/screens]

Starts `streamlit run` on a free loopback port, drives Debian's chromium (Playwright) through the pages as a
lesson would (ring8 trained for a few seconds, a drawing, the latent explorer on an image and a 2D generator,
the arena, About, the Applications pages) and saves one PNG per view, in 256 colours to stay small.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dashboard.local_server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, stop_server, wait_healthy  # noqa: E402


def save(page, out: Path, name: str) -> None:
    png = page.screenshot()
    # 256 colours chosen for this picture (octree: small areas of a colour, such as a legend's swatch, keep theirs)
    img = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    img.save(out / f"{name}.png", optimize=True)
    print(f"{out / name}.png", flush=True)


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    time.sleep(2.5)


def walk(page, port: int, out: Path) -> None:
    base = f"http://127.0.0.1:{port}"
    page.goto(f"{base}/?data=draw", timeout=120_000)
    canvas = page.locator(".gan-draw canvas").first
    canvas.wait_for(timeout=120_000)
    box = canvas.bounding_box()
    for fx, fy in ((0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7), (0.5, 0.5)):  # five clicks: five blobs
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        time.sleep(1.0)
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5, steps=20)
    page.mouse.up()
    time.sleep(5.0)
    save(page, out, "train-draw")

    page.goto(f"{base}/", timeout=120_000)
    page.get_by_role("button", name="Train", exact=True).click(timeout=120_000)
    time.sleep(20)
    save(page, out, "train-2d")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Resume", exact=True).wait_for()
    page.get_by_text("Slow motion", exact=True).click()
    time.sleep(1.0)
    page.get_by_role("button", name="Next sub-step").click()
    time.sleep(3.0)
    save(page, out, "train-slow-motion")
    page.get_by_text("Slow motion", exact=True).click()
    time.sleep(1.0)

    page.get_by_role("link", name="Latent explorer").click()
    page.get_by_role("slider").first.wait_for(timeout=60_000)
    choose(page, "Generator", "grid25-classroom")
    slider = page.get_by_role("slider").first
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
        time.sleep(0.3)
    time.sleep(1.5)
    save(page, out, "latent-2d")
    choose(page, "Generator", "mnist-dcgan")
    time.sleep(1.5)
    save(page, out, "latent-images")
    page.get_by_text("Principal directions", exact=True).click()
    page.get_by_text("direction 1 ", exact=False).first.wait_for(timeout=60_000)
    time.sleep(1.5)
    save(page, out, "latent-directions")

    page.get_by_role("link", name="Mode-collapse arena").click()
    page.get_by_role("button", name="Start the arena").wait_for(timeout=60_000)
    time.sleep(1.0)
    save(page, out, "arena")
    page.get_by_text("Show the shipped arena").click()
    page.get_by_text("vanilla: its samples at the end").scroll_into_view_if_needed(timeout=60_000)
    time.sleep(2.0)
    save(page, out, "arena-shipped-ring8")
    page.get_by_text("Show the shipped arena").click()  # folded again: the data choice is at the top of a short page
    page.get_by_text("vanilla: its samples at the end").wait_for(state="detached", timeout=30_000)
    page.mouse.wheel(0, -5000)
    choose(page, "Data", "grid25 (5 x 5 Gaussians)")
    page.get_by_text("Show the shipped arena").click()
    page.get_by_text("ns: its samples at the end").scroll_into_view_if_needed(timeout=60_000)
    time.sleep(2.0)
    save(page, out, "arena-shipped-grid25")
    page.get_by_role("link", name="About").click()
    page.get_by_text("Watch a").first.wait_for()
    time.sleep(0.5)
    save(page, out, "about")
    page.get_by_text("Applications", exact=True).click()
    names = page.get_by_role("menuitem").all_inner_texts()
    page.keyboard.press("Escape")
    for i, name in enumerate(names):
        page.get_by_text("Applications", exact=True).click()
        page.get_by_role("menuitem").nth(i).click()
        time.sleep(4.0)
        save(page, out, name.split("\n")[-1].strip().lower().replace(" ", "-"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_server(port, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port, proc, timeout=120)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(60_000)
                walk(page, port, args.out)
            finally:
                browser.close()
    finally:
        stop_server(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
