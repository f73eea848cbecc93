"""DCGAN against PacDCGAN on Stacked MNIST (1,000 modes) within a fixed CPU budget per run.

    python bench/stacked_mnist.py [--minutes 20] [--variants ns,ns+pacgan-2] [--samples 26000] [--every STEPS] [--write]
    python bench/stacked_mnist.py --set model.d_width=8 --set model.noise='"uniform"'   # D at 1/4 of G's width

Each variant trains the `dcgan` preset on `stacked-mnist` (three bundled MNIST digits as the channels of one
image) in its own process on one thread, side by side (one per core), until `--minutes` of training time are
spent; then `--samples` generated images are labelled channel by channel by the evaluation classifier
(`pretrained/mnist-classifier`), and the modes hit (of 1,000) and KL(p_gen || uniform) are reported next to
the published rows of the protocol. `--set SECTION.FIELD=JSON` changes the shared setup, e.g. the Unrolled GAN
paper's weakened discriminator (`model.d_width`: D's channels, 1/4 or 1/2 of G's width 32) or PacGAN's uniform noise.
With --write: bench/results/stacked-mnist[-TAG].md and a sample grid per variant in bench/results/stacked-mnist[-TAG]/.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PACGAN_BUDGET = "100,000 (50 epochs of 128,000 images, batch 64)"
PUBLISHED = [("DCGAN (VEEGAN's run)", "not in the protocol notes", "99", "3.40"),
             ("Unrolled GAN", "not in the protocol notes", "48.7", "4.32"),
             ("VEEGAN", "not in the protocol notes", "150", "2.95"),
             ("DCGAN (PacGAN's run)", PACGAN_BUDGET, "78.9", "4.50"), ("PacDCGAN2", PACGAN_BUDGET, "1000", "0.06")]


def one(variant: str, minutes: float, samples: int, seed: int, out_dir: str | None, sets: dict | None = None,
        every: int = 0) -> dict:
    import torch

    from config_sets import apply_sets

    torch.set_num_threads(1)
    from gan_core import Trainer
    from gan_core.training.presets import preset_config

    over = {"data": {"name": "stacked-mnist"}, "variant": variant, "steps": 10_000_000, "seed": seed, "eval_every": 0,
            "eval_samples": samples, "log_every": 100}
    cfg = preset_config("dcgan", apply_sets(over, sets or {}))
    t = Trainer(cfg, "cpu")
    budget, spent, trajectory = 60.0 * minutes, 0.0, []
    while spent < budget:
        t0 = time.perf_counter()
        for _ in range(100):
            t.step()
        spent += time.perf_counter() - t0
        if every and t.step_count % every == 0:  # the count along the way (its time is not training time)
            m = t.evaluate()
            trajectory.append((t.step_count, int(m["modes"]), float(m["kl"])))
            print(f"{variant} seed {seed} step {t.step_count}: {int(m['modes'])} modes, KL {float(m['kl']):.2f}",
                  flush=True)
    m = t.evaluate()
    if out_dir:
        from PIL import Image

        from gan_core.data.pixels import to_uint8
        from gan_core.pictures import image_grid

        imgs = to_uint8(t.sample(64, seed=1))
        grid = image_grid(imgs, cols=8)
        Image.fromarray(grid).resize((grid.shape[1] * 2, grid.shape[0] * 2), Image.NEAREST).save(
            Path(out_dir) / f"{variant.replace('+', '_')}.png")
    return {"variant": variant, "steps": t.step_count, "seconds": spent, "modes": int(m["modes"]), "kl": float(m["kl"]),
            "trajectory": trajectory}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=20.0, help="training minutes per run (checks excluded)")
    p.add_argument("--variants", default="ns,ns+pacgan-2")
    p.add_argument("--samples", type=int, default=26000, help="generated images scored (the protocol: 26,000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=JSON",
                   help="change the shared setup, e.g. --set model.d_width=8")
    p.add_argument("--every", type=int, default=0, metavar="STEPS",
                   help="also count the modes every STEPS iterations (a multiple of 100), to see when modes drop")
    p.add_argument("--tag", default="", help="with --write: the results' name suffix (stacked-mnist-TAG)")
    p.add_argument("--write", action="store_true")
    a = p.parse_args(argv)
    if a.every < 0 or a.every % 100:
        p.error(f"--every {a.every}: the modes can be counted only between chunks of 100 iterations; give a multiple "
                "of 100 (or 0 for the end only)")
    from config_sets import parse_sets

    sets = parse_sets(a.set, p.error)
    variants = [v.strip() for v in a.variants.split(",") if v.strip()]
    stem = "stacked-mnist" + (f"-{a.tag}" if a.tag else "")
    out_dir = ROOT / "bench" / "results" / stem
    if a.write:
        out_dir.mkdir(parents=True, exist_ok=True)
    with mp.get_context("spawn").Pool(len(variants)) as pool:
        rows = pool.starmap(one, [(v, a.minutes, a.samples, a.seed, str(out_dir) if a.write else None, sets,
                                   a.every) for v in variants])
    cmd = "python bench/stacked_mnist.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = ["## Stacked MNIST: DCGAN against PacDCGAN in a fixed CPU budget", "",
             f"Command: `{cmd.strip()}` ({platform.machine()}; the runs side by side, one process and one thread "
             f"each; {a.minutes:g} minutes of training per run; {a.samples:,} samples scored, seed {a.seed}"
             + (f"; setup changed: {', '.join(f'{sec}.{name}={v}' for (sec, name), v in sets.items())}" if sets else "") + ").", "",
             "| model | iterations in the budget | modes (of 1,000) | KL to uniform |", "|---|---|---|---|"]
    names = {"ns": "DCGAN (ours, ns)", "ns+pacgan-2": "PacDCGAN2 (ours)", "ns+pacgan-3": "PacDCGAN3 (ours)",
             "ns+pacgan-4": "PacDCGAN4 (ours)"}
    for r in rows:
        lines.append(f"| {names.get(r['variant'], r['variant'])} | {r['steps']:,} ({r['seconds'] / 60:.1f} min) | "
                     f"{r['modes']} | {r['kl']:.2f} |")
    for name, budget, modes, kl in PUBLISHED:
        lines.append(f"| {name}, published | {budget} | {modes} | {kl} |")
    if any(r["trajectory"] for r in rows):
        lines += ["", "Modes (KL to uniform) along the way:", "",
                  "| iteration | " + " | ".join(names.get(r["variant"], r["variant"]) for r in rows) + " |",
                  "|---" * (len(rows) + 1) + "|"]
        by_step = {}
        for i, r in enumerate(rows):
            for step, modes, kl in r["trajectory"]:
                by_step.setdefault(step, [""] * len(rows))[i] = f"{modes} ({kl:.2f})"
        lines += [f"| {step:,} | " + " | ".join(cells) + " |" for step, cells in sorted(by_step.items())]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.write:
        (ROOT / "bench" / "results" / f"{stem}.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
