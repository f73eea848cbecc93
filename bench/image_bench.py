"""Image GANs: the shipped generators' metrics beside a real-data reference, and the trainer's speed
on the tutorial MLP GAN and the DCGAN against plain tutorial-style loops, side by side.

    python bench/image_bench.py [--steps 300] [--rounds 3] [--threads 1,2] [--write]

(a) Every generator in pretrained/ is scored exactly as its card (`evaluate_run(folder, n=2000, seed=1)`:
    2,000 samples against the held-out real images). The reference row of each data set scores 2,000
    real *training* images the same way, i.e. what a generator that reproduced the training data
    would get (mnist: against the 1,000 held-out digits; fashion-mnist: against the first 2,500
    test images, as the evaluator does).
(b) Steps/s of gan_core's Trainer (presets tutorial-mlp and dcgan, no evaluation) and of a plain
    loop (`plain_loops.plain_gan_loop`: BCE, D on real then on fake.detach(), G on D(fake), .item()
    logging) with the same networks, batch 64, Adam 2e-4, on the same uint8 training images. Rounds
    alternate plain / ours so that machine noise hits both alike; medians are reported as seconds
    per 1,000 steps. Ratio = plain time / our time (above 1: ours is faster).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gan_core import DataConfig, Trainer  # noqa: E402
from gan_core.data.images import load_images  # noqa: E402
from gan_core.data.pixels import to_unit  # noqa: E402
from gan_core.evaluation.evaluator import ImageEvaluator  # noqa: E402
from gan_core.training.presets import preset_config  # noqa: E402
from gan_core.sampling import evaluate_run  # noqa: E402
from plain_loops import plain_gan_loop, tutorial_mlp_models  # noqa: E402

GENERATORS = ["mnist-tutorial-mlp", "mnist-dcgan", "mnist-cgan", "fashion-dcgan"]
EVAL_N, EVAL_SEED = 2000, 1
COLUMNS = ["fid", "is", "coverage", "precision", "recall", "density", "coverage_dc", "mean_confidence"]
OUT = ROOT / "bench" / "results" / "images.md"


# --------------------------------------------------------------------------- (a) metrics table

def reference_metrics(data: str) -> dict:
    """2,000 real training images scored like a generator's 2,000 samples."""
    train, _ = load_images(data, "train", download=False)
    pick = np.random.default_rng(EVAL_SEED).choice(len(train), EVAL_N, replace=False)
    return {"samples": EVAL_N, **ImageEvaluator(DataConfig(data))(to_unit(train[pick]))}


def metrics_table() -> list[str]:
    rows = []
    for data, label in (("mnist", "real: 2,000 MNIST training digits vs the 1,000 held-out"),
                        ("fashion-mnist", "real: 2,000 Fashion-MNIST training images vs 2,500 test images")):
        rows.append((label, data, reference_metrics(data), None))
        for name in GENERATORS:
            folder = ROOT / "pretrained" / name
            if not (folder / "generator.safetensors").is_file():
                continue
            if json.loads((folder / "config.json").read_text())["data"]["name"] != data:
                continue
            wall = float(pd.read_csv(folder / "metrics.csv")["wall_time"].iloc[-1])
            rows.append((f"`pretrained/{name}`", data, evaluate_run(folder, n=EVAL_N, seed=EVAL_SEED), wall))
    lines = ["| generator | data | FID | IS | classes | precision | recall | density | coverage (D/C) | mean conf. | training wall time |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, data, m, wall in rows:
        wall_txt = "-" if wall is None else f"{wall / 60:.1f} min"
        lines.append(f"| {label} | {data} | {m['fid']:.2f} | {m['is']:.2f} | {m['coverage']}/10 | {m['precision']:.3f} | "
                     f"{m['recall']:.3f} | {m['density']:.3f} | {m['coverage_dc']:.3f} | {m['mean_confidence']:.3f} | {wall_txt} |")
        print(lines[-1], flush=True)
    return lines


# --------------------------------------------------------------------------- (b) speed

def dcgan_plain_models(z_dim: int = 100, w: int = 32):
    """The DCGAN of gan_core.models (width 32) written as a tutorial would, D ending in a Sigmoid for BCELoss."""

    class Reshape(nn.Module):
        def forward(self, x):
            return x.view(x.shape[0], 2 * w, 7, 7)

    G = nn.Sequential(
        nn.Linear(z_dim, 2 * w * 7 * 7, bias=False), nn.BatchNorm1d(2 * w * 7 * 7), nn.ReLU(), Reshape(),
        nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
        nn.ConvTranspose2d(w, 1, 4, 2, 1), nn.Tanh(),
    )
    D = nn.Sequential(
        nn.Conv2d(1, w, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(w, 2 * w, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(2 * w * 7 * 7, 1), nn.Sigmoid(),
    )
    for m in list(G.modules()) + list(D.modules()):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
    return G, D


def real_batches(flat: bool, batch: int = 64):
    """Epoch-wise shuffled batches of the bundled training digits in [-1, 1] (a DataLoader with shuffle=True)."""
    images, _ = load_images("mnist", "train")
    x = to_unit(images)  # (9000, 1, 28, 28) float in [-1, 1], converted once
    if flat:
        x = x.flatten(1)
    state = {"order": torch.randperm(len(x)), "pos": 0}

    def next_real():
        if state["pos"] + batch > len(x):
            state["order"], state["pos"] = torch.randperm(len(x)), 0
        idx = state["order"][state["pos"]:state["pos"] + batch]
        state["pos"] += batch
        return x[idx]

    return next_real


def plain_seconds(model: str, steps: int) -> float:
    torch.manual_seed(0)
    G, D = tutorial_mlp_models() if model == "tutorial-mlp" else dcgan_plain_models()
    next_real = real_batches(flat=model == "tutorial-mlp")
    plain_gan_loop(G, D, next_real, 100, 2, 2e-4, 2e-4)  # warm-up outside the clock
    return plain_gan_loop(G, D, next_real, 100, steps, 2e-4, 2e-4, log=[])


def our_seconds(model: str, steps: int) -> float:
    cfg = preset_config(model, {"steps": 10_000_000, "eval_every": 0, "seed": 0})
    t = Trainer(cfg, "cpu")
    t.step()
    t.step()  # warm-up outside the clock, like the plain loop's
    t0 = time.perf_counter()
    for _ in range(steps):
        t.step()
    return time.perf_counter() - t0


def speed_table(steps: int, rounds: int, threads: list[int]) -> list[str]:
    lines = ["| model | threads | plain loop: s / 1,000 steps | gan_core Trainer: s / 1,000 steps | ratio plain / ours | rounds (plain; ours, s / 1,000 steps) |",
             "|---|---|---|---|---|---|"]
    for n in threads:
        torch.set_num_threads(n)
        for model in ("tutorial-mlp", "dcgan"):
            times = {"plain": [], "ours": []}
            for _ in range(rounds):
                times["plain"].append(1000 * plain_seconds(model, steps) / steps)
                times["ours"].append(1000 * our_seconds(model, steps) / steps)
            med = {k: statistics.median(v) for k, v in times.items()}
            ratio = med["plain"] / med["ours"]
            rounds_txt = f"{', '.join(f'{v:.1f}' for v in times['plain'])}; {', '.join(f'{v:.1f}' for v in times['ours'])}"
            lines.append(f"| {model} | {n} | {med['plain']:.1f} | {med['ours']:.1f} | **{ratio:.2f}x** | {rounds_txt} |")
            print(lines[-1], flush=True)
    torch.set_num_threads(1)
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=300, help="iterations per timed measurement")
    p.add_argument("--rounds", type=int, default=3, help="alternating plain / ours rounds per setting")
    p.add_argument("--threads", default="1,2", help="comma-separated torch thread counts to time")
    p.add_argument("--skip-metrics", action="store_true", help="only the speed part")
    p.add_argument("--write", action="store_true", help=f"write the result to {OUT.relative_to(ROOT)}")
    a = p.parse_args()
    threads = [int(t) for t in a.threads.split(",")]
    torch.set_num_threads(1)
    started = time.perf_counter()
    command = shlex.join(["python", "bench/image_bench.py", *sys.argv[1:]])
    machine = f"{os.cpu_count()}-core {platform.machine()} CPU, torch {torch.__version__}"
    text = ["# Image GANs: shipped generators and training speed", "",
            f"Command: `{command}`", f"Machine: {machine}", ""]
    if not a.skip_metrics:
        text += ["## Metrics of the shipped generators (2,000 samples, seed 1, as in each card)", "",
                 "Classifier features (pretrained/*-classifier), so the numbers compare with each other, not with "
                 "published Inception FIDs. The `real` rows score 2,000 real training images in place of a "
                 "generator's samples: the best a generator can hope for with this evaluator. Training wall time "
                 "is the last `wall_time` of the folder's metrics.csv (one torch thread, evaluations included).", ""]
        text += metrics_table() + [""]
    text += [f"## Time per 1,000 training steps (batch 64; median of {a.rounds} alternating rounds of {a.steps} steps)", "",
             "Both loops train the same networks on the same 9,000 bundled training digits (held in memory as one "
             "float tensor for the plain loop). Ratio above 1: the Trainer is faster. The machine's 2 cores are shared "
             "with other work, so the 2-thread rows are noisy.", ""]
    text += speed_table(a.steps, a.rounds, threads)
    text += ["", f"Bench wall time: {time.perf_counter() - started:.0f} s.", ""]
    out = "\n".join(text)
    print(out)
    if a.write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(out)


if __name__ == "__main__":
    main()
