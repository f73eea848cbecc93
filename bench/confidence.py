"""Seconds of training until the MNIST DCGAN's samples are classified with mean confidence >= 0.9.

    python bench/confidence.py [--presets cgan,dcgan] [--steps 3000] [--check-every 250] [--write]

Each preset trains on the bundled MNIST digits on one thread (`precision auto`: bfloat16 where native), and
every `--check-every` steps 1,000 samples (EMA generator when the variant keeps one) go through the shipped
evaluation classifier (`pretrained/mnist-classifier`); the mean of its top-class probability is the
confidence. Reported: the first step and training seconds (checks excluded) with confidence >= 0.9, and the
confidence reached at the end. With --write: bench/results/confidence.md.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core import Trainer  # noqa: E402
from gan_core.training.presets import preset_config  # noqa: E402

TARGET = 0.9


def measure(name: str, variant: str, steps: int, check_every: int, seed: int = 0) -> dict:
    cfg = preset_config(name, {"data": {"name": "mnist"}, "variant": variant, "steps": steps, "seed": seed,
                               "eval_every": 0, "eval_samples": 1000, "log_every": 50})
    t = Trainer(cfg, "cpu")
    train_s, first, curve = 0.0, None, []
    while t.step_count < steps:
        t0 = time.perf_counter()
        for _ in range(min(check_every, steps - t.step_count)):
            t.step()
        train_s += time.perf_counter() - t0
        conf = float(t.evaluate()["mean_confidence"])
        curve.append((t.step_count, train_s, conf))
        if first is None and conf >= TARGET:
            first = (t.step_count, train_s)
    return {"preset": name, "variant": variant, "first": first, "curve": curve}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--presets", default="cgan,dcgan", help="presets to time (dcgan = unconditional, cgan = conditional)")
    p.add_argument("--variant", default="ns+ema", help="variant of every run (default ns+ema, as the shipped generators)")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--check-every", type=int, default=250)
    p.add_argument("--write", action="store_true")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    lines = ["## Time to a confident MNIST DCGAN", "",
             f"Command: `python bench/confidence.py --presets {a.presets} --variant {a.variant} --steps {a.steps} "
             f"--check-every {a.check_every}` ({platform.machine()}, 1 torch thread, torch {torch.__version__}). "
             "Training seconds exclude the checks (1,000 samples through the evaluation classifier).", "",
             "| preset | variant | first >= 0.9: step / s | confidence at steps (training s) |", "|---|---|---|---|"]
    for name in a.presets.split(","):
        r = measure(name.strip(), a.variant, a.steps, a.check_every)
        first = "not within the budget" if r["first"] is None else f"{r['first'][0]:,} / {r['first'][1]:.0f} s"
        pts = ", ".join(f"{s:,}: {c:.3f} ({sec:.0f} s)" for s, sec, c in r["curve"][1::2] or r["curve"])
        lines.append(f"| {r['preset']} | {r['variant']} | {first} | {pts} |")
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    if a.write:
        (ROOT / "bench" / "results" / "confidence.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
