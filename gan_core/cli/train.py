"""`python -m gan_core train | sample | eval | variants`: a run folder written, drawn from, scored; the variants listed.

The run configuration's flags are made from the config dataclasses (their `help` metadata is the flag's help).
A run that diverges saves what it had (up to its last good state) and exits with status 3. An image run also
saves its folder after every evaluation, so a run stopped from outside keeps what it had then.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Literal, get_args, get_origin, get_type_hints

from gan_core.config import DataConfig, ModelConfig, OptimConfig, TrainConfig, field_help
from gan_core.training.presets import PRESETS

from gan_core.cli.common import (EXIT_DIVERGED, UsageError, add_device_options, check_data_dir, check_new_run,
                                 check_out_path, check_resume, check_writable, config_flag, given_settings,
                                 read_config_file, saver)

# CLI flag -> (section, field). Help texts come from the config dataclasses.
_SECTIONS = {"data": DataConfig, "model": ModelConfig, "optim": OptimConfig}
_TOP_FIELDS = ("variant", "steps", "seed", "log_every", "eval_every", "eval_samples", "eval_samples_during", "precision",
               "keep_best")


def _int_list(text: str) -> list[int]:
    text = text.strip()
    if text in ("", "none", "0"):
        return []
    try:
        return [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers, e.g. 128,128") from None


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not true or false")


def as_flags(message: str, n_critic_flag: bool = False) -> str:
    """A config error in the words typed: 'optim.batch_size=0 ...' becomes '--batch-size 0 ...', 'variant_options.x=1'
    '--option x=1' (the config's own messages name its fields, which a command line spells differently), and
    n_critic '--n-critic N' when that is the flag given."""
    import re

    def flag(m: re.Match) -> str:
        section, name = m.group(1), m.group(2)
        if section == "variant_options" and name == "n_critic" and n_critic_flag:
            return "--n-critic "
        if section == "variant_options":
            return f"--option {name}="
        return f"{config_flag(section, name)} "

    message = re.sub(r"\b(data|model|optim|variant_options)\.([a-z_0-9]+)(?:\[\d+\])?=", flag, message)
    return re.sub(r"\b(" + "|".join(_TOP_FIELDS) + r")=", lambda m: f"--{m.group(1).replace('_', '-')} ", message)


def _add_config_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("run configuration (defaults: the preset, then the built-in defaults)")
    for section, cls in _SECTIONS.items():
        helps = field_help(cls)
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if section == "data" and f.name == "points":
                continue
            flag = config_flag(section, f.name)
            kind = {"g_hidden": _int_list, "d_hidden": _int_list}.get(f.name)
            if kind is None:
                kind = {bool: _bool, int: int, float: float, str: str}.get(type(f.default), str)
            choices = get_args(hints[f.name]) or None if get_origin(hints[f.name]) is Literal else None
            if (section, f.name) == ("data", "name"):
                choices = None  # also a pair A:B for a CycleGAN; TrainConfig / CycleConfig refuse bad names
                helps = {**helps, "name": f"{helps['name']}: {', '.join(get_args(hints['name']))}; a CycleGAN "
                         f"translates between two, --data A:B"}
            g.add_argument(flag, dest=f"{section}.{f.name}", type=kind, default=None, choices=choices,
                           metavar=None if choices else flag[2:].upper().replace("-", "_"),
                           help=f"{helps[f.name]} (default {f.default!r})" if f.default is not dataclasses.MISSING else helps[f.name])
    helps = field_help(TrainConfig)
    for name in _TOP_FIELDS:
        default = TrainConfig.__dataclass_fields__[name].default
        flag = dict(type=_bool, nargs="?", const=True) if isinstance(default, bool) else dict(type=type(default))
        g.add_argument("--" + name.replace("_", "-"), dest=name, default=None, **flag,
                       help=f"{helps[name]} (default {default!r})")
    g.add_argument("--n-critic", type=int, default=None, help="discriminator steps per generator step, 1-20 (default: the "
                   "variant's: 5 for wgan and wgan-gp, else 1); the same as --option n_critic=N")
    g.add_argument("--option", dest="options", action="append", default=[], metavar="NAME=VALUE",
                   help="override one setting of the variant, e.g. --option gp_lambda=5 (repeatable; see 'variants')")
    g.add_argument("--points", type=Path, default=None, help="CSV file of your own points with columns x,y (with --data points)")
    g.add_argument("--preset", default=None, help=f"start from a named configuration: {', '.join(PRESETS)}, or cyclegan "
                   "(with --data A:B, e.g. moons:circles or mnist:digits8; see 'variants')")
    g.add_argument("--config", type=Path, default=None, help="start from a config.json (options given here override it)")


def _parse_option(text: str):
    if "=" not in text:
        raise UsageError(f"--option {text!r} must look like NAME=VALUE, e.g. gp_lambda=5")
    key, value = text.split("=", 1)
    low = value.strip().lower()
    if low in ("true", "false"):
        return key.strip(), low == "true"
    try:
        return key.strip(), int(value)
    except ValueError:
        pass
    try:
        return key.strip(), float(value)
    except ValueError:
        return key.strip(), value.strip()


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The run's config: the defaults, a --config file, the preset, then every option typed (those win)."""
    check_data_dir(getattr(args, "data.data_dir", None), None)  # the data set is known below, once merged
    from gan_core.data.points import parse_points_csv
    from gan_core.training.presets import merge, preset_dict

    explicit: dict = {}
    for key, value in vars(args).items():
        if value is None or "." not in key:
            continue
        section, fname = key.split(".", 1)
        explicit.setdefault(section, {})[fname] = value
    for key in _TOP_FIELDS:
        if getattr(args, key) is not None:
            explicit[key] = getattr(args, key)
    if args.options:
        explicit["variant_options"] = dict(_parse_option(o) for o in args.options)
    if args.n_critic is not None:
        explicit.setdefault("variant_options", {})["n_critic"] = args.n_critic

    base = TrainConfig().to_dict()
    if args.config is not None:
        base = merge(base, read_config_file(args.config))
    data_name = getattr(args, "data.name")
    name = args.preset
    if name is None and data_name in ("mnist", "mnist-full", "fashion-mnist", "stacked-mnist") and args.config is None:
        name = "dcgan"  # image data without a preset: the DCGAN defaults, not the 2D MLP
    if name is not None:
        cfg = preset_dict(name, explicit, base)
    else:
        if "variant" in explicit and explicit["variant"] != base.get("variant"):
            base["variant_options"] = {}  # a --config's options belong to its variant
        cfg = merge(base, explicit)
    if args.points is not None:
        if cfg["data"]["name"] != "points":
            raise UsageError("--points is only used with --data points")
        if not args.points.is_file():
            raise UsageError(f"--points {args.points}: no such file")
        try:
            pts = parse_points_csv(args.points.read_bytes())
        except ValueError as e:
            raise UsageError(f"--points {args.points}: {e}") from None
        cfg["data"]["points"] = pts.tolist()
    return TrainConfig.from_dict(cfg)


def cmd_train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from gan_core.runs import load_trainer, save_run
    from gan_core.training.trainer import Trainer, TrainingDiverged

    from gan_core.cli.cyclegan import cmd_train_cycle, wants_cycle

    check_out_path(args.out)
    if wants_cycle(args):
        return cmd_train_cycle(args)
    clear_first = False
    if args.resume:
        trainer = load_trainer(args.out, args.device)
        check_resume(args, trainer.step_count)
        if args.steps is not None:
            trainer.config = trainer.config.replace(steps=args.steps)
        if trainer.rng_reseeded:
            print(f"note: the checkpoint's random state was saved on another kind of device; resuming on "
                  f"{trainer.device.type} with fresh random streams seeded from the run's seed and step", file=sys.stderr)
    else:
        try:
            config = config_from_args(args)
        except ValueError as e:  # UsageError included: the config's field names become the flags typed
            said = as_flags(str(e), n_critic_flag=args.n_critic is not None)
            first = said.split(" ", 1)[0]
            if args.config is not None and first.startswith("--") and first not in given_settings(args):
                said += f" (the value comes from --config {args.config})"  # a flag the user never typed
            raise UsageError(said) from None
        from gan_core.runs import load_config

        check_data_dir(config.data.data_dir, config.data.name)
        clear_first = check_new_run(args, config, load_config)
        trainer = Trainer(config, args.device)
    cfg = trainer.config
    out = Path(args.out)
    save = saver(save_run, out, clear_first)
    bar = tqdm(total=cfg.steps, initial=trainer.step_count, unit="step", disable=args.quiet, dynamic_ncols=True,
               desc=f"{cfg.variant} on {cfg.data.name}")
    every = max(1, min(50, cfg.steps // 100 or 1))
    try:
        while trainer.step_count < cfg.steps:
            res = trainer.step()
            if res.step % every == 0 or res.step == cfg.steps:
                bar.update(every if res.step % every == 0 else res.step - bar.n)
                post = {"d_loss": f"{res.d_loss:.3f}", "g_loss": f"{res.g_loss:.3f}"}
                if "modes" in trainer.last_eval:
                    post["modes"] = trainer.last_eval["modes"]
                bar.set_postfix(post, refresh=False)
            if (cfg.data.is_image and res.step < cfg.steps and trainer.rows and trainer.rows[-1]["step"] == res.step
                    and "fid" in trainer.rows[-1]):
                save(trainer)  # after each image evaluation but the last (saved below): a stopped run keeps it
    except TrainingDiverged as e:
        bar.close()
        trainer.restore_last_good()
        save(trainer)
        o = cfg.optim
        print(f"error: {e}\nThe run up to step {trainer.step_count} was saved in {out}. A saved run resumes with its "
              f"own settings, so to train again with rates 10x lower, start a new run from them: python -m gan_core "
              f"train --config {out / 'config.json'} --lr-g {o.lr_g / 10:g} --lr-d {o.lr_d / 10:g} --out NEW_FOLDER",
              file=sys.stderr)
        return EXIT_DIVERGED
    except KeyboardInterrupt:
        bar.close()
        save(trainer)
        print(f"interrupted at step {trainer.step_count}; saved in {out} (resume with --resume)", file=sys.stderr)
        return 130
    bar.close()
    save(trainer)
    summary = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in trainer.last_eval.items()
                        if not k.startswith(("share_", "near_")))  # per-mode shares: in metrics.csv, not the one line
    print(f"saved {out} after {trainer.step_count} steps in {trainer.elapsed:.1f} s" + (f"; {summary}" if summary else ""))
    if trainer.best is not None:
        print(f"generator.safetensors holds the generator of step {trainer.best['step']}, the lowest FID "
              f"({trainer.best['fid']:.2f} on {cfg.eval_samples} samples)")
    return 0


SEED_MAX = 2**31 - 1
EVAL_N_MIN = 10  # the CycleGAN evaluation's own lower bound; below it the image metrics' k-NN radii fail


def _check_seed(seed: int) -> None:
    if not 0 <= seed <= SEED_MAX:
        raise UsageError(f"--seed {seed} must be between 0 and {SEED_MAX:,}")


def cmd_sample(args: argparse.Namespace) -> int:
    from gan_core.sampling import sample_run, write_samples

    _check_seed(args.seed)
    check_writable(Path(args.out), "--out")
    result = sample_run(args.run, args.n, args.seed, args.label, args.device, psi=args.psi)
    write_samples(result, Path(args.out))
    print(f"wrote {args.n} samples to {args.out}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from gan_core.cycle_runs import is_cycle_run
    from gan_core.sampling import MAX_SAMPLES, evaluate_run

    _check_seed(args.seed)
    if args.n is not None and args.n < EVAL_N_MIN:
        raise UsageError(f"--n {args.n}: scoring needs at least {EVAL_N_MIN} samples (the metrics compare "
                         f"neighbours and spreads); leave --n out for the run's own count")
    if args.n is not None and args.n > MAX_SAMPLES:
        raise UsageError(f"--n {args.n}: score between {EVAL_N_MIN} and {MAX_SAMPLES:,} samples; leave --n out for the "
                         f"run's own count")
    if is_cycle_run(args.run):  # a CycleGAN: its translation metrics on held-out samples (no noise, no seed)
        from gan_core.cycle_runs import evaluate_folder

        metrics = evaluate_folder(args.run, args.n, args.device)
    else:
        metrics = evaluate_run(args.run, args.n, args.seed, args.device)
    if args.json:
        print(json.dumps(metrics, indent=2))
    else:
        width = max(len(k) for k in metrics)
        print(f"{'metric':<{width}}  value")
        for k, v in metrics.items():
            print(f"{k:<{width}}  {v:.4f}" if isinstance(v, float) else f"{k:<{width}}  {v}")
    return 0


def cmd_variants(args: argparse.Namespace) -> int:
    from gan_core.training.presets import PRESETS
    from gan_core.variants import OBJECTIVE_VARIANTS, STABILISER_VARIANTS

    for title, table in (("Objectives (pick one)", OBJECTIVE_VARIANTS), ("Stabilisers (add with +)", STABILISER_VARIANTS)):
        print(f"{title}:")
        for info in table.values():
            print(f"  {info.name:<11} {info.about}\n  {'':<11} [{info.reference}] settings: {info.settings}")
    print("Presets (--preset NAME: a whole starting configuration, network and optimiser included):")
    for preset in PRESETS.values():
        print(f"  {preset.name:<11} {preset.about}")
    print(f"  {'cyclegan':<11} Unpaired translation between two domains (--data A:B): translators G: A -> B and "
          "F: B -> A held together by the cycle loss (Zhu et al. 2017); settings with --option lambda_cycle=10, "
          "lambda_identity=0, lambda_class=0 (digit pairs: keep the source's label), pool_size=50; "
          "images: width 12, n_blocks=2, d_layers=3, batch 8 (the paper: 64, 9, 3, 1), "
          "translator=resnet (or warp: a learnt affine reframing first)")
    return 0





def register(sub) -> None:
    """Add train, sample, eval and variants to the top-level parser's subcommands."""
    t = sub.add_parser("train", help="train a GAN and write a run folder", description="Train a GAN and write config.json, weights and metrics.csv into --out.")
    t.add_argument("--out", required=True, help="run folder to write (created if missing)")
    t.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint, with its saved "
                   "settings (up to --steps)")
    t.add_argument("--overwrite", action="store_true", help="replace an earlier result in --out: its run files are "
                   "removed when the new run first saves (without it a folder holding another run, or this run "
                   "unfinished, is refused)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    add_device_options(t)
    _add_config_options(t)
    t.set_defaults(func=cmd_train)

    s = sub.add_parser("sample", help="draw samples from a run or pretrained folder")
    s.add_argument("--run", required=True, help="run folder or pretrained/<name> folder")
    s.add_argument("--n", type=int, default=2500, help="how many samples")
    s.add_argument("--seed", type=int, default=0, help="seed of the noise")
    s.add_argument("--label", type=int, default=None, help="class label for a conditional generator (default: cycle 0..9)")
    s.add_argument("--out", required=True, help="output: .csv (2D x,y), .npz (images uint8 + labels) or .png (a grid)")
    s.add_argument("--psi", type=float, default=1.0, help="truncation psi of a style model, 0-2: w' = w_avg + psi (w - "
                   "w_avg); 1 = none, 0 = the average image")
    add_device_options(s)
    s.set_defaults(func=cmd_sample)

    e = sub.add_parser("eval", help="print the metrics of a run's generator")
    e.add_argument("--run", required=True, help="run folder or pretrained/<name> folder")
    e.add_argument("--n", type=int, default=None, help="generated samples to score (default: the run's eval_samples)")
    e.add_argument("--seed", type=int, default=1, help="seed of the noise")
    e.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_device_options(e)
    e.set_defaults(func=cmd_eval)

    v = sub.add_parser("variants", help="list the GAN variants with a short explanation each")
    v.set_defaults(func=cmd_variants)
