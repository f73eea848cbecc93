"""Train a CycleGAN with the CLI, time it, and write its pretrained/ folder with a card.

    python bench/cyclegan_ship.py --name cyclegan-mnist-digits8 -- --data mnist:digits8 --steps 2000 --seed 0

Everything after `--` goes to `python -m gan_core train --preset cyclegan` (run with one torch thread). The
folder keeps config.json, G.safetensors, F.safetensors, metrics.csv (the training log), metrics.json (the
output of `python -m gan_core eval --run pretrained/NAME --json`: every held-out sample), samples.png and
README.md. The wall time and the process's CPU time are both recorded: the machine's two cores are shared with
other work, so the wall time is an upper bound and the CPU time is what one core spent.
"""
from __future__ import annotations

import argparse
import json
import resource
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core.cycle_runs import load_translators  # noqa: E402
from gan_core.data.pixels import to_uint8  # noqa: E402
from gan_core.models.cyclegan import translate_with  # noqa: E402
from gan_core.pictures import image_grid, scatter_png  # noqa: E402
from gan_core.cycle_runs import evaluate_folder  # noqa: E402

KEEP = ("config.json", "G.safetensors", "F.safetensors", "metrics.csv")


def picture(folder: Path) -> np.ndarray:
    """Images: rows of 10 held-out inputs of A, G(a), F(G(a)), then B, F(b), G(F(b)). 2D: A, G(A), B side by side."""
    G, F, cfg = load_translators(folder)
    if cfg.is_image:
        from gan_core.data.images import load_images
        from gan_core.data.pixels import to_unit

        rows = []
        for name, there, back in ((cfg.data_a.name, G, F), (cfg.data_b.name, F, G)):
            x, y = load_images(name, "test")
            pick = np.array([np.flatnonzero(y == d)[0] for d in range(10)])  # one of each digit / class
            xa = to_unit(x[pick])
            xb = translate_with(there, xa)
            rows += [x[pick], to_uint8(xb), to_uint8(translate_with(back, xb))]
        return image_grid(np.concatenate(rows), cols=10)
    import torch

    from gan_core.data.points import Data2D

    g = torch.Generator().manual_seed(0)
    a = Data2D(cfg.data_a.name).sample(1000, g)
    b = Data2D(cfg.data_b.name).sample(1000, g)
    panels = [scatter_png(p, 300) for p in (a.numpy(), translate_with(G, a).numpy(), b.numpy())]
    return np.concatenate(panels, axis=1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--name", required=True)
    p.add_argument("train_args", nargs=argparse.REMAINDER)
    args = p.parse_args()
    extra = [a for a in args.train_args if a != "--"]
    out = ROOT / "pretrained" / args.name
    run = Path("/tmp") / f"ship-{args.name}"
    shutil.rmtree(run, ignore_errors=True)
    command = ["python", "-m", "gan_core", "train", "--preset", "cyclegan", *extra, "--threads", "1", "--quiet",
               "--out", str(run)]
    started, cpu0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, check=True, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin",
                                                      "PYTHONPATH": str(ROOT), "HOME": str(Path.home())},
                   executable=sys.executable)
    wall = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in KEEP:
        shutil.copy(run / name, out / name)
    metrics = evaluate_folder(out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    Image.fromarray(picture(out)).save(out / "samples.png")
    timing = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
              "command": shlex.join(["OMP_NUM_THREADS=1", *command[:-2], "--out", f"/tmp/ship-{args.name}"])}
    (run / "timing.json").write_text(json.dumps(timing, indent=2))
    print(json.dumps({**timing, **metrics}, indent=2))


if __name__ == "__main__":
    main()
