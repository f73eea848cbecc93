"""A saved generator's metrics with its batch-norm statistics as saved, and recomputed from its own outputs.

    python bench/standing_stats.py --run runs/NAME [--batches 200] [--batch-size 128] [--n 2000] [--seed 1]

The moving average of G (the `ema` stabiliser) copies the training G's batch-norm statistics; with a long average
(ema=0.9999) they no longer fit the averaged weights. This recomputes them the way the option `ema_bn` does during
training (gan_core.stabilisers.standing_statistics, BigGAN's standing statistics) on a copy of the run folder, and
scores both copies as the cards are scored (`python -m gan_core eval --run DIR --json --n 2000 --seed 1`). The run
folder itself is not changed.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYS = ("fid", "recall", "coverage_dc", "precision", "classifier_largest_share", "knn_largest_share", "knn_largest_class")


def recomputed_copy(run: Path, out: Path, batches: int, batch_size: int, seed: int) -> None:
    import torch
    from safetensors.torch import save_file

    from gan_core.latent import sample_noise
    from gan_core.runs import load_generator
    from gan_core.stabilisers import standing_statistics

    shutil.copytree(run, out)
    g, cfg, _, n_classes = load_generator(run)
    gen = torch.Generator().manual_seed(seed)

    def draw():
        z = sample_noise(batch_size, cfg.model.z_dim, cfg.model.noise, gen, "cpu")
        y = torch.randint(0, n_classes, (batch_size,), generator=gen) if cfg.model.conditional else None
        return z, y

    with torch.inference_mode():
        if not standing_statistics(g, draw, batches):
            raise SystemExit(f"{run}: its generator has no batch norm; nothing to recompute")
    save_file({k: v.contiguous() for k, v in g.state_dict().items()}, str(out / "generator.safetensors"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--batches", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1, help="the evaluation's seed (the cards use 1)")
    args = p.parse_args()
    import torch

    torch.set_num_threads(1)
    from gan_core.sampling import evaluate_run

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "run"
        recomputed_copy(args.run, copy, args.batches, args.batch_size, seed=12345)
        rows = {"as saved": evaluate_run(args.run, args.n, args.seed),
                f"recomputed ({args.batches} x {args.batch_size})": evaluate_run(copy, args.n, args.seed)}
    print("| statistics | " + " | ".join(KEYS) + " |")
    print("|---|" + "---|" * len(KEYS))
    for name, m in rows.items():
        cells = [f"{m[k]:.4g}" if isinstance(m[k], float) else str(m[k]) for k in KEYS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(json.dumps({k: {key: v[key] for key in KEYS} for k, v in rows.items()}))


if __name__ == "__main__":
    main()
