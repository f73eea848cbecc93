"""Does the arena use the machine? Its wall time against the sum of the same runs done one after another.

First every (variant, seed) run is trained alone, one after another, in this process on one thread
(`Trainer.train`, timed from construction to the last step). Then the same runs go through
`run_arena(..., workers=W)` and its wall time is taken from the call to the last event. A ratio
arena / sum near 1 / W means the workers are kept busy; the target for W = 2 is <= 0.6.

The arena's worker processes are started once per Python process (a fork server that has imported
torch); that start-up is measured separately with a tiny warm-up arena and reported, not counted.
A lower bound of the ratio is max(1 / W, longest single run / sum): no scheduling beats the longest run.

    python bench/arena_parallel.py                      # 6 variants x 2 seeds on ring8, 1,000 steps, 2 workers
    python bench/arena_parallel.py --seeds 1 --steps 2000 --no-append
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core import TrainConfig, Trainer  # noqa: E402
from gan_core.arena import plan_runs, run_arena  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "arena.md"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="ring8", help="2D mixture (default ring8)")
    p.add_argument("--variants", default="vanilla,ns,lsgan,hinge,pacgan-2,wgan-gp", help="comma-separated variants")
    p.add_argument("--seeds", type=int, default=2, help="seeds per variant (default 2)")
    p.add_argument("--steps", type=int, default=1000, help="steps per run (default 1000)")
    p.add_argument("--workers", type=int, default=2, help="arena worker processes (default 2)")
    p.add_argument("--eval-every", type=int, default=500, help="arena metric logging interval (default 500)")
    p.add_argument("--no-append", action="store_true", help=f"do not append the result to {RESULTS.relative_to(ROOT)}")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    variants = [v.strip() for v in args.variants.split(",")]
    base = TrainConfig()
    configs = plan_runs(args.data, variants, args.seeds, args.steps, args.eval_every, base)

    print(f"{len(configs)} runs ({len(variants)} variants x {args.seeds} seeds) on {args.data}, {args.steps} steps, "
          f"batch {base.optim.batch_size}; {os.cpu_count()} CPU cores", flush=True)
    singles: dict[tuple, float] = {}
    for cfg in configs:
        t = time.perf_counter()
        Trainer(cfg, "cpu").train()
        singles[(cfg.variant, cfg.seed)] = time.perf_counter() - t
        print(f"  alone: {cfg.variant:<10} seed {cfg.seed}  {singles[(cfg.variant, cfg.seed)]:6.1f} s", flush=True)
    total = sum(singles.values())

    t = time.perf_counter()
    tiny = base.replace(model={"g_hidden": [8], "d_hidden": [8], "z_dim": 2}, optim={"batch_size": 16})
    for _ in run_arena(args.data, ["ns"], list(range(args.workers)), 2, 0, tiny, workers=args.workers):
        pass
    startup = time.perf_counter() - t

    t = time.perf_counter()
    done = [e for e in run_arena(args.data, variants, args.seeds, args.steps, args.eval_every, base,
                                 workers=args.workers) if e.kind == "done"]
    arena = time.perf_counter() - t
    if len(done) != len(configs):
        print(f"only {len(done)}/{len(configs)} arena runs finished", file=sys.stderr)
        return 1
    ratio = arena / total
    bound = max(1.0 / args.workers, max(singles.values()) / total)
    print(f"sum of the runs alone: {total:.1f} s; arena with {args.workers} workers: {arena:.1f} s; "
          f"ratio {ratio:.2f} (target <= 0.6; lower bound {bound:.2f}); "
          f"worker start-up, once per process: {startup:.1f} s")

    if not args.no_append:
        cmd = "python bench/arena_parallel.py " + " ".join(argv if argv is not None else sys.argv[1:])
        per_variant = ", ".join(f"{v} {sum(s for (vv, _), s in singles.items() if vv == v):.1f} s" for v in variants)
        block = (f"\n### Parallel arena run {datetime.date.today().isoformat()}\n\n"
                 f"`{cmd.strip()}` on a {os.cpu_count()}-core {platform.machine()} CPU (other work was running on the "
                 f"machine; one thread per run): {len(configs)} runs ({', '.join(variants)}; {args.seeds} seed(s)) on "
                 f"{args.data} at {args.steps} steps, batch {base.optim.batch_size}.\n\n"
                 f"| sum of the runs alone | arena, {args.workers} workers | ratio | lower bound | worker start-up (once) |\n"
                 f"|---|---|---|---|---|\n"
                 f"| {total:.1f} s | {arena:.1f} s | **{ratio:.2f}** | {bound:.2f} | {startup:.1f} s |\n\n"
                 f"Alone, per variant (all seeds): {per_variant}.\n")
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a") as fh:
            fh.write(block)
        print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
