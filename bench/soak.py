"""Soak: one training left running (as the Train page runs it) keeps its memory flat.

    python bench/soak.py [--minutes 30] [--rate 60] [--write]

A TrainingRunner trains the app's default experiment (ring8, classroom variant) with a step budget
large enough never to finish, capped at --rate steps/s; a loop reads a snapshot twice a second as the
page does. The process's resident memory is sampled every 30 s; the first and last samples are
reported with the history length kept, and the result is written to bench/results/soak.md.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.training.pool import TrainingPool
from dashboard.training.runner import TrainingRunner  # noqa: E402
from gan_core.training.presets import preset_config  # noqa: E402


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=30.0, help="how long to run")
    p.add_argument("--rate", type=float, default=60.0, help="steps per second cap (0: as fast as it goes)")
    p.add_argument("--write", action="store_true", help="write bench/results/soak.md")
    a = p.parse_args()
    torch.set_num_threads(1)
    cfg = preset_config("classroom", {"data": {"name": "ring8"}, "steps": 10_000_000, "eval_every": 500})
    runner = TrainingRunner(cfg, pool=TrainingPool(1), idle_timeout=10 * 3600)
    if a.rate > 0:
        runner.set_speed(a.rate)
    runner.start()
    samples = []
    t0 = time.monotonic()
    next_sample = t0
    try:
        while time.monotonic() - t0 < a.minutes * 60:
            snap = runner.snapshot()
            if time.monotonic() >= next_sample:
                samples.append((time.monotonic() - t0, snap.step, rss_mb(), len(snap.history), len(runner.trainer.rows)))
                print(f"{samples[-1][0]:7.0f} s  step {snap.step:>8}  RSS {samples[-1][2]:7.1f} MB  "
                      f"history {samples[-1][3]}  trainer rows {samples[-1][4]}  status {snap.status}", flush=True)
                next_sample += 30
            time.sleep(0.5)
    finally:
        runner.close()
    first, last = samples[1] if len(samples) > 1 else samples[0], samples[-1]
    peak = max(s[2] for s in samples[1:] or samples)
    lines = ["## Soak: one training left running", "",
             f"Command: `python bench/soak.py --minutes {a.minutes:g} --rate {a.rate:g}` (ring8, classroom, a snapshot "
             f"read twice a second as the Train page does)", "",
             "| | elapsed | step | RSS | history points | trainer rows |", "|---|---|---|---|---|---|",
             f"| start (after 30 s) | {first[0]:.0f} s | {first[1]:,} | {first[2]:.1f} MB | {first[3]} | {first[4]} |",
             f"| end | {last[0]:.0f} s | {last[1]:,} | {last[2]:.1f} MB | {last[3]} | {last[4]} |", "",
             f"Memory change start to end: **{last[2] - first[2]:+.1f} MB** (peak {peak:.1f} MB) over {last[1] - first[1]:,} steps.", ""]
    print("\n".join(lines))
    if a.write:
        (ROOT / "bench" / "results" / "soak.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
