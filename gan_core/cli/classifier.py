"""`python -m gan_core classifier`: train an evaluation classifier and write its folder (weights, config, card)."""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from gan_core.cli.common import (UsageError, check_data_dir, check_out_path, clear_earlier, earlier_result,
                                refuse_overwrite)
from gan_core.evaluation.classifier import TRAINABLE_DATA, train_classifier


def register(sub) -> None:
    c = sub.add_parser("classifier", help="train an evaluation classifier (scores generated images)",
                       description="Train the small CNN that scores generated images; writes config.json, "
                                   "model.safetensors and a README.md card into --out.")
    c.add_argument("--data", required=True, choices=TRAINABLE_DATA, help="data set to train on (its train split)")
    c.add_argument("--out", required=True, help="folder to write config.json, model.safetensors and README.md to")
    c.add_argument("--epochs", type=int, default=20, help="passes over the training split")
    c.add_argument("--seed", type=int, default=0, help="random seed (weights, batch order, augmentation)")
    c.add_argument("--batch-size", type=int, default=128, help="images per training batch")
    c.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate of the one-cycle schedule")
    c.add_argument("--max-shift", type=int, default=2, help="largest random shift in pixels (0 = no augmentation)")
    c.add_argument("--distort", action="store_true",
                   help="also draw each image through a random affine map (slant, size, width, shear), for data "
                        "written by few people such as digits8")
    c.add_argument("--data-dir", default=None, help="folder with the IDX files (mnist-full, fashion-mnist)")
    c.add_argument("--threads", type=int, default=2, help="CPU threads for torch")
    c.add_argument("--overwrite", action="store_true", help="replace an earlier result in --out (a GAN run, or a "
                   "classifier of another data set, seed or epochs: its files are removed once the new one is trained); the same "
                   "classifier "
                   "again is retrained in place without it")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.seed <= 2**31 - 1:  # as train, sample and eval
        raise UsageError(f"--seed {args.seed} is out of range; give a whole number from 0 to {2**31 - 1:,}")
    check_data_dir(args.data_dir, args.data)
    out = check_out_path(args.out)
    found = earlier_result(out)
    if found and not args.overwrite:
        try:
            saved = json.loads((out / "config.json").read_text())
        except (OSError, ValueError, TypeError):
            saved = None
        if not (isinstance(saved, dict) and "architecture" in saved):
            refuse_overwrite(out, found, "a result that is not a classifier's", resume_hint=False)
        asked = {"dataset": args.data, "seed": args.seed, "epochs": args.epochs}
        if any(saved.get(k) != v for k, v in asked.items()):  # the same classifier again is retrained in place
            was = ", ".join(f"{k} {saved.get(k)}" for k in asked)
            refuse_overwrite(out, found, f"another classifier ({was})", resume_hint=False)
    command = shlex.join(["python", "-m", "gan_core", *sys.argv[1:]]) if sys.argv[1:2] == ["classifier"] else None
    train_classifier(args.data, args.out, args.epochs, args.seed, batch_size=args.batch_size, lr=args.lr,
                     max_shift=args.max_shift, distort=args.distort, data_dir=args.data_dir, command=command,
                     before_save=(lambda: clear_earlier(out)) if found and args.overwrite else None)
    return 0
