"""How closely the Latent explorer's inversion finds held-out pictures: one random start against the closest of many.

For each shipped image generator, `gan_core.latent.invert` runs on the first N pictures of its data set's held-out
split (the page's defaults: 200 Adam steps, seed 0), once from a single random latent (`starts=1`, how it began)
and once from the closest of 256 (`starts=256`, the page's). It prints the final pixel error (MSE in [-1, 1]) of
each picture and a summary per generator, with the share of pictures the page calls a close match (<= 0.1).

    python bench/inversion.py --n 10
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from gan_core.data.images import load_images  # noqa: E402
from gan_core.data.pixels import to_unit  # noqa: E402
from gan_core.latent import CLOSE_ENOUGH, invert  # noqa: E402
from gan_core.runs import load_generator  # noqa: E402

GENERATORS = ["mnist-dcgan", "mnist-cgan", "mnist-style", "fashion-dcgan", "fashion-style", "mnist-tutorial-mlp"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10, help="held-out pictures per generator (the first N)")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--generators", default=",".join(GENERATORS))
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"| generator | starts | mean | median | min-max | close (<= {CLOSE_ENOUGH:g}) | seconds per picture |")
    print("|---|---|---|---|---|---|---|")
    for name in args.generators.split(","):
        folder = ROOT / "pretrained" / name
        if not (folder / "generator.safetensors").is_file():
            print(f"| {name} | (not shipped here) |||||")
            continue
        G, config, _, _ = load_generator(folder)
        data = "mnist" if config.data.name in ("mnist", "mnist-full") else config.data.name
        x, y = load_images(data, "test", download=False)
        for starts in (1, 256):
            errors, t0 = [], time.perf_counter()
            for i in range(args.n):
                label = torch.tensor(int(y[i])) if config.model.conditional else None
                _, losses = invert(G, to_unit(x[i:i + 1])[0], steps=args.steps, seed=0, y=label,
                                   z_dim=config.model.z_dim, starts=starts)
                errors.append(losses[-1])
            took = (time.perf_counter() - t0) / args.n
            close = sum(e <= CLOSE_ENOUGH for e in errors)
            print(f"| {name} | {starts} | {statistics.mean(errors):.3f} | {statistics.median(errors):.3f} | "
                  f"{min(errors):.3f}-{max(errors):.3f} | {close}/{len(errors)} | {took:.2f} |", flush=True)


if __name__ == "__main__":
    main()
