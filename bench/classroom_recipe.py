"""Measure the `classroom` recipe against its targets, seed by seed, on one CPU thread.

For each seed it trains `--variant` (default: classroom) on `--data` for `--steps` iterations with the
app's default architecture (TrainConfig defaults unless overridden), checks the mode metrics
(2,500 samples, the protocol's definitions in gan_core/evaluation/modes2d.py) every `--check-every` steps and reports:

- `first_ok`: step and training seconds at which the full target was first met
  (ring8: 8/8 modes, >= 95% HQ, reverse KL <= 0.02; grid25: 25/25, >= 95% HQ, KL <= 0.03);
- `first_show`: step and seconds at which all modes first showed with >= 90% HQ;
- `first_modes`: step and seconds at which all modes were first captured (any % HQ);
- the final metrics and the total training seconds.

Times are training time only (`Trainer.elapsed` without the checks this script adds), on one thread.

With `--cli` it measures the recipe as a user runs it instead: for each seed one
`python -m gan_core train --preset classroom --data DATA --seed S` process with the CLI's defaults (its step budget,
its evaluation every 500 steps, torch's own thread count) unless `--steps` or `--cli-arg` say otherwise. The target
times are then the run's own `wall_time` at the first evaluation that meets the target (training and evaluations,
from the first step), and `total s` is the whole process, from start to exit (imports and saving included).

    python bench/classroom_recipe.py --data ring8 --seeds 0-4 --write     # 5,000 steps
    python bench/classroom_recipe.py --data grid25 --seeds 0-4 --write    # the preset's grid25 budget
    python bench/classroom_recipe.py --data grid25 --seeds 0-4 --cli      # as `python -m gan_core train` runs it

`--write` puts the table into bench/results/classroom-<data>.md (BENCHMARKS.md quotes it).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core import TrainConfig, Trainer  # noqa: E402
from gan_core.cli.train import _parse_option  # noqa: E402
from gan_core.training.presets import preset, preset_dict  # noqa: E402

from config_sets import apply_sets, parse_sets  # noqa: E402  - bench/ is the script's own folder

DEFAULT_STEPS = {"ring8": 5000, "ring8-pacgan": 5000, "grid25": 24000}
TARGETS = {  # data: (modes, min HQ, max KL)
    "ring8": (8, 0.95, 0.02),
    "ring8-pacgan": (8, 0.95, 0.02),
    "grid25": (25, 0.95, 0.03),
}


def parse_seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def measure(data: str, variant: str | None, steps: int, seed: int, options: dict, check_every: int,
            batch_size: int | None = None, lr_g: float | None = None, sets: dict | None = None,
            preset_name: str = "classroom") -> dict:
    cfg = {"data": {"name": data}, "steps": steps, "seed": seed, "eval_every": 0, "log_every": 1000}
    if variant is not None:
        cfg["variant"] = variant
    optim = {}
    if batch_size:
        optim["batch_size"] = batch_size
    if lr_g:
        optim["lr_g"] = lr_g
    if optim:
        cfg["optim"] = optim
    d = preset_dict(preset_name, apply_sets(cfg, sets or {}))  # --set model.d_hidden=[256,256]
    d["variant_options"] = {**d["variant_options"], **options}
    trainer = Trainer(TrainConfig.from_dict(d), "cpu")
    out = _blank(seed)
    train_s = 0.0
    m: dict = {}
    while trainer.step_count < steps:
        t = time.perf_counter()
        for _ in range(min(check_every, steps - trainer.step_count)):
            trainer.step()
        train_s += time.perf_counter() - t
        m = trainer.evaluate()
        _check(out, data, trainer.step_count, train_s, m["modes"], m["hq"], m["kl"])
    return _finish(out, data, m["modes"], m["hq"], m["kl"], train_s)


def _blank(seed: int) -> dict:
    return {"seed": seed, "ok_step": None, "ok_s": None, "show_step": None, "show_s": None, "all_step": None,
            "all_s": None}


def _met(data: str, modes: int, hq: float, kl: float) -> bool:
    k, min_hq, max_kl = TARGETS[data]
    return modes == k and hq >= min_hq and kl <= max_kl


def _check(out: dict, data: str, step: int, seconds: float, modes: int, hq: float, kl: float) -> None:
    """Record the first step (and seconds) at which each milestone shows: all modes, all with >= 90% HQ, target."""
    k = TARGETS[data][0]
    if out["all_step"] is None and modes == k:
        out["all_step"], out["all_s"] = step, seconds
    if out["show_step"] is None and modes == k and hq >= 0.90:
        out["show_step"], out["show_s"] = step, seconds
    if out["ok_step"] is None and _met(data, modes, hq, kl):
        out["ok_step"], out["ok_s"] = step, seconds


def _finish(out: dict, data: str, modes: int, hq: float, kl: float, total_s: float) -> dict:
    out.update(modes=modes, hq=hq, kl=kl, total_s=total_s, final_ok=_met(data, modes, hq, kl))
    return out


def measure_cli(data: str, preset_name: str, steps: int | None, seed: int, extra: list[str]) -> dict:
    """One seed as `python -m gan_core train` runs it by default; the target read from its metrics.csv."""
    import csv

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "gan_core", "train", "--preset", preset_name, "--data", data, "--seed", str(seed),
               "--out", str(Path(tmp) / "run"), "--quiet", *(["--steps", str(steps)] if steps else []), *extra]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=Path(__file__).resolve().parents[1], stdout=subprocess.DEVNULL)
        total = time.perf_counter() - t
        with open(Path(tmp) / "run" / "metrics.csv") as f:
            rows = [r for r in csv.DictReader(f) if r.get("modes")]
    out = _blank(seed)
    for r in rows:  # metrics.csv writes the mode count as a float (23.0)
        _check(out, data, int(r["step"]), float(r["wall_time"]), int(float(r["modes"])), float(r["hq"]), float(r["kl"]))
    last = rows[-1]
    return _finish(out, data, int(float(last["modes"])), float(last["hq"]), float(last["kl"]), total)


def fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="ring8", choices=sorted(TARGETS), help="mixture to learn")
    p.add_argument("--preset", default="classroom", help="the preset whose network, optimiser and variant are measured")
    p.add_argument("--variant", default=None, help="variant to measure (default: the preset's)")
    p.add_argument("--steps", type=int, default=None,
                   help="training iterations (the recipe's lr_decay spans these; default: ring8 5000, grid25 24000)")
    p.add_argument("--seeds", default="0-4", help="seeds, e.g. 0-4 or 0,3")
    p.add_argument("--check-every", type=int, default=50, help="check the targets every N steps")
    p.add_argument("--batch-size", type=int, default=None, help="batch size (default: the config default, 512)")
    p.add_argument("--lr-g", type=float, default=None, help="generator learning rate (default: the preset's)")
    p.add_argument("--option", action="append", default=[], metavar="NAME=VALUE", help="override a variant option of the preset, e.g. ema=0.999")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=JSON",
                   help="override a config field, e.g. --set 'model.d_hidden=[256,256]'")
    p.add_argument("--cli", action="store_true",
                   help="run each seed as `python -m gan_core train` does by default (its threads and evaluation)")
    p.add_argument("--cli-arg", action="append", default=[], metavar="ARG",
                   help="with --cli: one more argument for the train command, e.g. --cli-arg=--threads=1")
    p.add_argument("--write", action="store_true", help="write bench/results/classroom-<data>.md")
    args = p.parse_args(argv)
    steps_given = args.steps
    if args.steps is None:
        args.steps = preset(args.preset).steps(args.data) or DEFAULT_STEPS[args.data]
    if args.cli and (args.variant or args.option or args.set or args.batch_size or args.lr_g):
        p.error("--cli measures the preset as the CLI runs it: give changes with --cli-arg, e.g. --cli-arg=--lr-g=1e-3")
    torch.set_num_threads(1)
    options = dict(_parse_option(o) for o in args.option)
    sets = parse_sets(args.set, p.error)
    k, min_hq, max_kl = TARGETS[args.data]
    out: list[str] = []

    def say(line: str = "") -> None:
        out.append(line)
        print(line, flush=True)

    over: dict = {"data": {"name": args.data}} | ({"variant": args.variant} if args.variant else {})
    base = preset_dict(args.preset, apply_sets(over, sets))
    growth = base["optim"]["batch_growth"]
    batch = f"batch {args.batch_size or 512}" + (f" (x{growth} from step {args.steps // 2:,} on)" if growth > 1 else "")
    how = ("as `python -m gan_core train` runs it" + (f" with {' '.join(args.cli_arg)}" if args.cli_arg else "")
           if args.cli else "1 thread")
    say(f"{args.preset} ({base['variant']}) {options or ''} {' '.join(args.set)} on {args.data}, {args.steps} steps, {batch}, "
        f"{how}; target {k}/{k} modes, HQ >= {min_hq:.0%}, KL <= {max_kl}")
    say()
    say("| seed | all modes: step / s | all modes & HQ >= 90%: step / s | target met: step / s | final modes "
        "| final % HQ | final KL | total s |")
    say("|---|---|---|---|---|---|---|---|")
    rows = []
    for seed in parse_seeds(args.seeds):
        if args.cli:
            r = measure_cli(args.data, args.preset, steps_given, seed, args.cli_arg)
        else:
            r = measure(args.data, args.variant, args.steps, seed, options, args.check_every, args.batch_size, args.lr_g,
                        sets, args.preset)
        rows.append(r)
        say(f"| {seed} | {fmt(r['all_step'], 'd')} / {fmt(r['all_s'], '.1f')} | "
            f"{fmt(r['show_step'], 'd')} / {fmt(r['show_s'], '.1f')} | {fmt(r['ok_step'], 'd')} / "
            f"{fmt(r['ok_s'], '.1f')} | {r['modes']}/{k} | {100 * r['hq']:.1f} | {r['kl']:.4f} | {r['total_s']:.1f} |")
    final_ok = sum(r["final_ok"] for r in rows)
    reached = [r["ok_s"] for r in rows if r["ok_s"] is not None]
    shown = [r["show_s"] for r in rows if r["show_s"] is not None]
    covered = [r["all_s"] for r in rows if r["all_s"] is not None]
    say()
    say(f"- final target met on {final_ok}/{len(rows)} seeds; median {'process' if args.cli else 'training'} time of the whole run "
        f"{statistics.median(r['total_s'] for r in rows):.1f} s")
    if covered:
        say(f"- all modes first captured on {len(covered)}/{len(rows)} seeds, median {statistics.median(covered):.1f} s")
    if reached:
        say(f"- target first met on {len(reached)}/{len(rows)} seeds, median {statistics.median(reached):.1f} s")
    if shown:
        say(f"- all modes with >= 90% HQ first shown on {len(shown)}/{len(rows)} seeds, median "
            f"{statistics.median(shown):.1f} s")
    if args.write:
        cmd = "python bench/classroom_recipe.py " + " ".join(argv if argv is not None else sys.argv[1:])
        path = Path(__file__).resolve().parent / "results" / f"classroom-{args.data}{'-cli' if args.cli else ''}.md"
        note = ("target times are the run's wall_time (training and evaluations from the first step); total s is the "
                "process from start to exit" if args.cli else
                "one thread; times are training time from the first step, checks excluded")
        path.write_text(f"## The classroom recipe on {args.data}\n\nCommand: `{cmd.strip()}` ({note}).\n\n"
                        + "\n".join(out) + "\n")
        print(f"wrote {path}")
    return 0 if final_ok == len(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
