"""`python -m gan_core train --preset cyclegan --data A:B` and `python -m gan_core translate`: CycleGAN runs.

`train` hands over here when the preset is `cyclegan`, the data names a pair (`moons:circles`, `mnist:digits8`)
or `--resume` points at a CycleGAN folder. The train flags that mean the same thing are read (steps, seed, the
optimiser's, the MLP widths, --width, --config, --points); the CycleGAN's own settings come with `--option`
(`lambda_cycle`, `lambda_identity`, `lambda_class`, `pool_size`, `n_blocks`, `d_layers`, `translator`); flags that
mean nothing here are refused by name.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from gan_core.cli.common import (EXIT_DIVERGED, UsageError, add_device_options, check_new_run, check_resume,
                                 check_writable, read_config_file, saver)

OPTIONS = {"lambda_cycle": float, "lambda_identity": float, "lambda_class": float, "pool_size": int, "n_blocks": int,
           "d_layers": int, "translator": str}
_TOP = ("steps", "seed", "log_every", "eval_every", "eval_samples")
_MODEL = ("g_hidden", "d_hidden", "activation", "width")
_NOT_HERE = {"variant": "--variant", "precision": "--precision", "n_critic": "--n-critic", "model.kind": "--model",
             "model.z_dim": "--z-dim", "model.noise": "--noise", "model.conditional": "--conditional",
             "model.init": "--init", "model.init_gain": "--init-gain", "model.d_input_scale": "--d-input-scale",
             "optim.batch_growth": "--batch-growth", "optim.optimizer": "--optimizer"}


def wants_cycle(args: argparse.Namespace) -> bool:
    """Whether a `train` command line asks for a CycleGAN."""
    from gan_core.cycle_runs import is_cycle_run

    data = getattr(args, "data.name", None) or ""
    return args.preset == "cyclegan" or ":" in data or (args.resume and is_cycle_run(args.out))


def cycle_config_from_args(args: argparse.Namespace):
    """The run's CycleConfig: the defaults for the pair's kind, a --config file, then every option typed."""
    from gan_core.cycle_config import CYCLE_PRESETS, CycleConfig, parse_pair
    from gan_core.data.points import parse_points_csv
    from gan_core.training.presets import merge

    for key, flag in _NOT_HERE.items():
        if getattr(args, key, None) is not None:
            raise UsageError(f"{flag} does not apply to a CycleGAN (no noise, no variant); leave it out")
    pair = getattr(args, "data.name", None)
    if pair is None or ":" not in pair:
        raise UsageError("a CycleGAN needs two domains: --data A:B, e.g. --data moons:circles or --data mnist:digits8")
    points = None
    if args.points is not None:
        if not args.points.is_file():
            raise UsageError(f"--points {args.points}: no such file")
        try:
            points = parse_points_csv(args.points.read_bytes()).tolist()
        except ValueError as e:
            raise UsageError(f"--points {args.points}: {e}") from None
    if "points" in pair.split(":") and points is None:
        raise UsageError("--data with 'points' as a domain needs --points FILE.csv (columns x,y)")
    if points is not None and "points" not in pair.split(":"):
        raise UsageError("--points is only used when 'points' is one of the domains, e.g. --data points:circles")
    a, b = parse_pair(pair, points, points)
    data_dir = getattr(args, "data.data_dir", None)
    if data_dir is not None:
        a.data_dir = b.data_dir = data_dir if a.is_image else None
    d = CycleConfig(data_a=a, data_b=b, model={"kind": "resnet" if a.is_image else "mlp"}).to_dict()
    d = merge(d, CYCLE_PRESETS["images" if a.is_image else "2d"])
    if args.config is not None:
        d = merge(d, read_config_file(args.config))
        d["data_a"], d["data_b"] = dataclasses.asdict(a), dataclasses.asdict(b)  # --data names the pair
    explicit: dict = {k: getattr(args, k) for k in _TOP if getattr(args, k) is not None}
    optim = {k.split(".", 1)[1]: v for k, v in vars(args).items() if k.startswith("optim.") and v is not None}
    model = {k: getattr(args, f"model.{k}") for k in _MODEL if getattr(args, f"model.{k}", None) is not None}
    for text in args.options:
        if "=" not in text:
            raise UsageError(f"--option {text!r} must look like NAME=VALUE, e.g. lambda_cycle=5")
        key, value = (t.strip() for t in text.split("=", 1))
        if key not in OPTIONS:
            raise UsageError(f"--option {key!r} is not a CycleGAN setting; known: {', '.join(OPTIONS)}")
        try:
            typed = OPTIONS[key](value)
        except ValueError:
            raise UsageError(f"--option {key}={value!r} must be a {'whole ' if OPTIONS[key] is int else ''}number") from None
        if key in ("n_blocks", "d_layers", "translator"):
            model[key] = typed
        else:
            explicit[key] = typed
    return CycleConfig.from_dict(merge(d, {**explicit, "optim": optim, "model": model}))


def cmd_train_cycle(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from gan_core.cycle_runs import load_cycle_trainer, save_cycle_run
    from gan_core.training.cycle_trainer import CycleTrainer
    from gan_core.training.results import TrainingDiverged

    from gan_core.cycle_runs import load_cycle_config

    clear_first = False
    if args.resume:
        trainer = load_cycle_trainer(args.out, args.device)
        check_resume(args, trainer.step_count)
        if args.steps is not None:
            trainer.config = trainer.config.replace(steps=args.steps)
    else:
        config = cycle_config_from_args(args)
        clear_first = check_new_run(args, config, load_cycle_config)
        trainer = CycleTrainer(config, args.device)
    cfg, out = trainer.config, Path(args.out)
    save = saver(save_cycle_run, out, clear_first)
    bar = tqdm(total=cfg.steps, initial=trainer.step_count, unit="step", disable=args.quiet, dynamic_ncols=True,
               desc=f"cyclegan {cfg.pair}")
    try:
        while trainer.step_count < cfg.steps:
            res = trainer.step()
            bar.update(1)
            if res.step % 10 == 0:
                bar.set_postfix({"cycle": f"{res.cycle_a:.3f}", "d_b": f"{res.loss_d_b:.3f}"}, refresh=False)
    except TrainingDiverged as e:
        bar.close()
        save(trainer)
        print(f"error: {e}\nThe run up to step {trainer.step_count} was saved in {out}.", file=sys.stderr)
        return EXIT_DIVERGED
    except KeyboardInterrupt:
        bar.close()
        save(trainer)
        print(f"interrupted at step {trainer.step_count}; saved in {out} (resume with --resume)", file=sys.stderr)
        return 130
    bar.close()
    save(trainer)
    summary = ", ".join(f"{k} {v:.4g}" for k, v in trainer.last_eval.items())
    print(f"saved {out} after {trainer.step_count} steps in {trainer.elapsed:.1f} s" + (f"; {summary}" if summary else ""))
    return 0


# --------------------------------------------------------------------------- translate

def cmd_translate(args: argparse.Namespace) -> int:
    from gan_core.cycle_io import read_translate_input, write_translate_output
    from gan_core.cycle_runs import load_translators
    from gan_core.device import resolve_device
    from gan_core.models.cyclegan import translate_with

    if Path(args.out).resolve() == Path(args.input).resolve():
        raise UsageError(f"--out {args.out} is the input file; write the translations to another file, or the input "
                         f"would be lost")
    check_writable(Path(args.out), "--out")
    device = resolve_device(args.device)
    G, F, config = load_translators(args.run, device)
    x = read_translate_input(Path(args.input), config.is_image)  # (N, 2) points or (N, 1, 28, 28) in [-1, 1]
    y = translate_with(G if args.direction == "ab" else F, x)
    write_translate_output(y, Path(args.out), config.is_image)
    src, dst = (config.data_a.name, config.data_b.name)[:: 1 if args.direction == "ab" else -1]
    print(f"translated {len(x)} {'images' if config.is_image else 'points'} from {src} to {dst}: {args.out}")
    return 0


def register(sub) -> None:
    t = sub.add_parser("translate", help="translate images or points with a CycleGAN run (A -> B or B -> A)",
                       description="Translate with a CycleGAN run folder (train one with 'train --preset cyclegan "
                                   "--data A:B'). Images: .npz with an 'images' array (uint8, N x H x W, any size; "
                                   "resized to the model's) or .png; points: .csv with columns x,y.")
    t.add_argument("--run", required=True, help="CycleGAN run folder or pretrained/cyclegan-* folder")
    t.add_argument("--direction", required=True, choices=["ab", "ba"], help="ab: A -> B with G; ba: B -> A with F")
    t.add_argument("--input", required=True, help="input file: .npz or .png (images), .csv (points x,y)")
    t.add_argument("--out", required=True, help="output file: .npz or .png (images), .csv or .png (points)")
    add_device_options(t)
    t.set_defaults(func=cmd_translate)
