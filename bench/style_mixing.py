"""Style mixing and truncation of a trained style model, measured with the evaluation classifier.

    python bench/style_mixing.py --run pretrained/mnist-style [--pairs 500] [--seed 0] [--write]

(a) Levels: for 500 (base, source) pairs drawn as `python -m gan_core mix --n 500 --seed 0` draws them, the share
    of mixed images the evaluation classifier puts in the source's class and in the base's class, for each
    named level taken from the source (coarse, middle, fine).
(b) Crossover: the same for "rows 0..k-1 of w+ from the source" and "rows k..end from the source", for every k,
    which is where the split between coarse and fine means something (the open question: at 28 pixels the
    lowest resolution may carry too little).
(c) Truncation: the pixel spread across z (std over 200 samples, averaged over pixels) for psi 0, 0.1, ..., 1.

The targets: coarse from the source -> source class in >= 80% of pairs; fine from the source -> base
class in >= 90%. With --write, the tables go to bench/results/style-<run name>.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core.evaluation.classifier import default_classifier  # noqa: E402
from gan_core.evaluation.image_metrics import classifier_outputs  # noqa: E402
from gan_core.models.style import LEVELS  # noqa: E402
from gan_core.style_tools import layers_of, load_style, mixing_agreement, truncation_spread  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", required=True)
    p.add_argument("--pairs", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(1)
    g, config = load_style(args.run)
    clf = default_classifier(config.data.name)

    def classify(images):
        return classifier_outputs(images, clf)[1].argmax(1)

    lines = [f"# Style mixing and truncation: `{args.run}`", "",
             f"Command: `python bench/style_mixing.py --run {args.run} --pairs {args.pairs} --seed {args.seed}`", "",
             f"{args.pairs} pairs, the evaluation classifier of {config.data.name}; 'differ': pairs whose base and "
             "source are in different classes (only there can the two shares differ).", "",
             "| from the source | rows of w+ | mixed = source class | mixed = base class | differ |", "|---|---|---|---|---|"]
    sets = [layers_of(g, [level]) for level in LEVELS]
    lows = [list(range(k)) for k in range(1, g.n_ws)]
    highs = [list(range(k, g.n_ws)) for k in range(1, g.n_ws)]
    results = mixing_agreement(g, classify, args.pairs, args.seed, sets + lows + highs)
    for level, r in zip(LEVELS, results):
        lines.append(f"| {level} | {r['layers']} | {r['source_class']:.1%} | {r['base_class']:.1%} | {r['differ']:.1%} |")
    lines += ["", "Crossover at row k:", "", "| k | rows 0..k-1 from the source: = source class | rows k.. from the "
              "source: = base class |", "|---|---|---|"]
    n_low = len(lows)
    for k, low, high in zip(range(1, g.n_ws), results[3:3 + n_low], results[3 + n_low:]):
        lines.append(f"| {k} | {low['source_class']:.1%} | {high['base_class']:.1%} |")
    psis = [round(0.1 * i, 1) for i in range(11)]
    spread = truncation_spread(g, psis, n=200, seed=args.seed)
    lines += ["", "Truncation: pixel spread across z (std over 200 samples, mean over pixels):", "",
              "| psi | " + " | ".join(f"{v:g}" for v in psis) + " |", "|---|" + "---|" * len(psis),
              "| spread | " + " | ".join(f"{v:.3f}" for v in spread) + " |"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        out = ROOT / "bench" / "results" / f"style-{Path(args.run).name}.md"
        out.write_text(text)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
