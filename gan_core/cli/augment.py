"""`python -m gan_core augment`: do GANs help when labels are few? The study's cells with one progress bar."""
from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from gan_core.augmentation import ARMS, DEFAULT_ARMS, STUDY_DATA, Budget, StudyConfig, run_study
from gan_core.cli.common import UsageError, add_device_options, check_data_dir

DEFAULTS = Budget()


def _ints(flag: str, text: str, lo: int) -> tuple[int, ...]:
    try:
        values = tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a comma-separated list of whole numbers, e.g. 1,10,100") from None
    if not values or any(v < lo for v in values):
        raise UsageError(f"{flag} {text!r} needs whole numbers of at least {lo}, e.g. 1,10,100")
    return values


def _seeds(text: str) -> tuple[int, ...]:
    """'5' = seeds 0-4, '0,2,4' a list, '3-5' a range."""
    t = text.strip()
    try:
        if "," in t:
            return _ints("--seeds", t, 0)
        if "-" in t[1:]:
            a, b = (int(v) for v in t.split("-", 1))
            if a < 0 or b < a:
                raise ValueError
            return tuple(range(a, b + 1))
        n = int(t)
        if n < 1:
            raise ValueError
        return tuple(range(n))
    except ValueError:
        raise UsageError(f"--seeds {text!r} is not a number of seeds (5), a list (0,2,4) or a range (0-4)") from None


def _arms(text: str) -> tuple[str, ...]:
    names = tuple(t.strip() for t in text.split(",") if t.strip())
    unknown = [n for n in names if n not in ARMS]
    if unknown or not names:
        raise UsageError(f"--arms: {', '.join(unknown) or repr(text)} is not an arm; choose from {', '.join(ARMS)}")
    return names


def register(sub) -> None:
    """Add `augment` to the top-level parser's subcommands."""
    arms = "\n".join(f"  {a.name:<8} {a.about}" for a in ARMS.values())
    a = sub.add_parser(
        "augment", help="do GANs help when labels are few? real, classic augmentation and two GANs compared",
        description="Train the evaluation classifier's network with N labeled images per class, four ways (the arms), "
                    "the same budget for each, over several seeds; score each on the held-out split and write "
                    "results.csv, summary.md (mean ± s.e. and what the numbers say), chart.png and the conditional "
                    "GAN's samples into --out. Rerun into the same folder to resume: finished cells are kept.",
        epilog=f"arms:\n{arms}", formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--data", default="mnist", help=f"{' or '.join(STUDY_DATA)} (default mnist)")
    a.add_argument("--labels-per-class", default="1,10,100", help="N: labeled images per class, a list (default 1,10,100)")
    a.add_argument("--seeds", default="5", help="how many seeds (5 = seeds 0-4), or a list 0,2,4 or range 0-4 (default 5)")
    a.add_argument("--arms", default=",".join(DEFAULT_ARMS), help=f"arms to run (default {','.join(DEFAULT_ARMS)})")
    a.add_argument("--reference", action="store_true",
                   help="also train the same classifier on every training label, once per seed (arm all-labels)")
    a.add_argument("--out", required=True, help="folder for results.csv, summary.md, chart.png and the samples")
    a.add_argument("--steps", type=int, default=DEFAULTS.steps,
                   help=f"classifier optimiser steps of every arm (default {DEFAULTS.steps})")
    a.add_argument("--gan-steps", type=int, default=DEFAULTS.gan_steps,
                   help=f"conditional-GAN training iterations (default {DEFAULTS.gan_steps})")
    a.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size, help=f"images per batch (default {DEFAULTS.batch_size})")
    a.add_argument("--lr", type=float, default=DEFAULTS.lr, help=f"classifier's peak learning rate (default {DEFAULTS.lr})")
    a.add_argument("--synthetic-ratio", type=float, default=DEFAULTS.synthetic_ratio,
                   help=f"conditional-GAN arm: synthetic images per real one in a batch (default {DEFAULTS.synthetic_ratio:g})")
    a.add_argument("--data-dir", default=None, help="folder with the Fashion-MNIST IDX files (default: the usual places)")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    add_device_options(a)
    a.set_defaults(func=run_augment_cli)


def config_from_args(args: argparse.Namespace) -> StudyConfig:
    check_data_dir(args.data_dir, args.data)
    budget = Budget(steps=args.steps, batch_size=args.batch_size, lr=args.lr, gan_steps=args.gan_steps,
                    synthetic_ratio=args.synthetic_ratio)
    return StudyConfig(data=args.data, labels_per_class=_ints("--labels-per-class", args.labels_per_class, 1),
                       seeds=_seeds(args.seeds), arms=_arms(args.arms), reference=args.reference, budget=budget,
                       data_dir=args.data_dir)


def run_augment_cli(args: argparse.Namespace) -> int:
    """Run the missing cells with a progress bar (cells, in fractions), then print the summary."""
    from tqdm import tqdm

    from gan_core.augmentation.split import load_study_data
    from gan_core.device import resolve_device

    config = config_from_args(args)
    device = resolve_device(args.device)
    data = load_study_data(config.data, config.data_dir)
    out = Path(args.out)
    bar = tqdm(total=None, unit="cell", disable=args.quiet, dynamic_ncols=True, desc=f"augment on {config.data}",
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total} cells [{elapsed}<{remaining}]{postfix}")
    shown = [0.0]
    started = time.perf_counter()

    def on_event(e) -> None:
        if bar.total is None:
            bar.total = e.total_cells
        position = e.done_cells + (e.fraction if e.kind == "progress" else 0.0)
        if position > shown[0]:
            bar.update(position - shown[0])
            shown[0] = position
        if e.cell is not None:
            bar.set_postfix_str(f"{e.cell.arm} N={e.cell.n} seed {e.cell.seed}", refresh=False)
        if e.kind == "done":
            tqdm.write(f"{e.cell.arm:<10} N={e.cell.n:<4} seed {e.cell.seed}: accuracy {100 * e.row['accuracy']:.1f}% "
                       f"({e.row['wall_time']:.0f} s)")

    command = "python -m gan_core augment " + " ".join(shlex.quote(a) for a in sys.argv[2:]) \
        if len(sys.argv) > 1 and sys.argv[1] == "augment" else None
    try:
        rows = run_study(config, out, device, on_event=on_event, data=data, command=command)
    finally:
        bar.close()
    print(f"{len(rows)} cells in {out} ({time.perf_counter() - started:.0f} s this run)")
    print((out / "summary.md").read_text())
    return 0
