"""Write a shipped generator's card: pretrained/<name>/{metrics.json, samples.png, class_history.png, card.json,
README.md}, from its weights and training log (copied from a run folder with --run).

pretrained/<name>/card.json must exist with the hand-written parts: title, about (what the model is), story
(what happened in training, what fixed it or what is still wrong), goals ({"fid", "recall", "coverage_dc"}),
training.command (the exact command) and training.machine. This script measures and fills in the rest: the metrics
(`python -m gan_core eval --run pretrained/<name> --json --n 2000 --seed 1`), the wall time and steps from
metrics.csv, the kept step from generator.safetensors, and the verdict, a sentence made from the numbers and the
goals (so it never rounds a weakness away).

    python scripts/ship_generator.py --name mnist-dcgan --run /tmp/runs/dcgan
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.generator_card import card_table, class_names_of, verdict  # noqa: E402
from gan_core.pictures import share_heatmap  # noqa: E402
from gan_core.runs import atomic_write  # noqa: E402
from gan_core.sampling import evaluate_run, sample_run, write_samples  # noqa: E402

EVAL_N, EVAL_SEED = 2000, 1
FROM_RUN = ("config.json", "generator.safetensors", "metrics.csv")


def write_class_history(folder: Path, title: str, log: Path | None = None) -> bool:
    h = pd.read_csv(log or folder / "metrics.csv")
    cols = [f"share_{c}" for c in range(10)]
    if not set(cols) <= set(h.columns):
        return False
    e = h.dropna(subset=cols)
    from PIL import Image

    picture = share_heatmap(e[cols].to_numpy(dtype=float).T, e["step"].to_numpy(), title)
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="PNG")
    atomic_write(folder / "class_history.png", buf.getvalue())
    return True


def training_facts(folder: Path, card: dict) -> dict:
    from safetensors import safe_open

    h = pd.read_csv(folder / "metrics.csv")
    with safe_open(str(folder / "generator.safetensors"), "pt") as f:
        meta = f.metadata() or {}
    t = dict(card.get("training", {}))
    t["wall_time_s"] = round(float(h["wall_time"].dropna().iloc[-1]), 1)
    t["steps"] = int(h["step"].iloc[-1])
    t["kept_step"] = int(meta["step"]) if "kept" in meta else None
    return t


def readme(name: str, card: dict, m: dict) -> str:
    t = card["training"]
    kept = (f"; the generator of step {t['kept_step']:,} is kept (the evaluation with the lowest FID on "
            f"1,000 samples)" if t.get("kept_step") else "")
    table = ("| FID | IS | precision | recall | density | coverage (D/C) | mean confidence | class KL |\n"
             "|---|---|---|---|---|---|---|---|\n"
             f"| {m['fid']:.2f} | {m['is']:.2f} | {m['precision']:.3f} | {m['recall']:.3f} | {m['density']:.3f} "
             f"| {m['coverage_dc']:.3f} | {m['mean_confidence']:.3f} | {m['class_kl']:.4f} |")
    history = ("\n## The classes over training\n\nThe share of the samples (1,000 per evaluation) that the evaluation "
               "classifier gives each class, at every evaluation of the run (darker = more; the darkest cells hold half "
               "of the samples or more):\n\n![class histogram over training](class_history.png)\n"
               if (PRETRAINED / name / "class_history.png").is_file() else "")
    return f"""# {card['title']}

**{card['verdict']}**

{card['about']}

Samples (the picture below is what `python -m gan_core sample --run pretrained/{name} --n 64 --seed 0 --out {name}-samples.png` draws):

![64 samples](samples.png)

## The card

Measured with `python -m gan_core eval --run pretrained/{name} --json --n {EVAL_N} --seed {EVAL_SEED}` ({EVAL_N:,} samples
against the held-out real images; its output is `metrics.json`, which the tests recompute from the weights). A
class counts as covered when at least {m['min_share']:.0%} of the samples are labelled with it; the two labellers
are the evaluation classifier and a pixel-space {m['knn_k']}-nearest-neighbour vote against the held-out real
images, which uses no learned features (gan_core/evaluation/knn_check.py).

{card_table(card, m, class_names_of(PRETRAINED / name))}

{table}

FID uses the evaluation classifier's 128-d features, not Inception-v3's, so it compares with the other models of
this project (BENCHMARKS.md scores real images the same way), not with published FIDs.

## Training

{t['steps']:,} steps in {t['wall_time_s']:.0f} s ({t['wall_time_s'] / 60:.1f} min; the last `wall_time` of
metrics.csv, evaluations included) on {t['machine']}{kept}. The exact command:

```bash
{t['command']}
```
{history}
## What happened

{card['story']}
"""


PRETRAINED = ROOT / "pretrained"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--name", required=True, help="pretrained/<name> (must hold card.json)")
    p.add_argument("--run", type=Path, default=None, help="run folder to copy config.json, weights and metrics.csv from")
    p.add_argument("--history-from", type=Path, default=None,
                   help="metrics.csv to draw class_history.png from (default: the folder's own)")
    p.add_argument("--history-title", default=None, help="title of class_history.png")
    args = p.parse_args()
    torch.set_num_threads(1)
    folder = PRETRAINED / args.name
    card = json.loads((folder / "card.json").read_text())
    if args.run is not None:
        for f in FROM_RUN:
            shutil.copyfile(args.run / f, folder / f)
    m = evaluate_run(folder, EVAL_N, EVAL_SEED)
    m = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in m.items()}
    atomic_write(folder / "metrics.json", json.dumps(m, indent=2))
    write_samples(sample_run(folder, 64, 0), folder / "samples.png", replace_kept=True)  # the card's own picture
    write_class_history(folder, args.history_title or f"pretrained/{args.name}: share of the samples per class "
                        "over training", args.history_from)
    card["training"] = training_facts(folder, card)
    card["verdict"] = verdict(m, card.get("goals", {}), names=class_names_of(folder))
    atomic_write(folder / "card.json", json.dumps(card, indent=2))
    atomic_write(folder / "README.md", readme(args.name, card, m))
    print(card["verdict"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
