"""The tutorial MLP on MNIST as a user runs it, end to end, against the tutorial's own loop, side by side.

    python bench/as_users_run.py [--steps 800] [--rounds 2] [--threads 1,2] [--before PATH] [--write]

Each contender is a fresh process timed from start to exit (imports, data, training, evaluation, saving):
- tutorial loop: the tutorial's script (DataLoader, batch 64, BCE, Adam; bench/speed.py's `plain_tutorial`);
- CLI default: `python -m gan_core train --preset tutorial-mlp --data mnist --steps N` (evaluation included);
- CLI no eval: the same with `--eval-every 0` (the final evaluation still runs);
- with --before PATH: the CLI default of another checkout (e.g. the main branch before a change).
Rounds alternate between the contenders, so machine noise hits all alike; medians are reported, and ratios
are taken within one run. Then the evaluation's share of training time, in-process: the Trainer of the
preset for N steps, every `evaluate()` timed (the first one includes the real images' features).
"""
from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=cwd, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def tutorial_cmd(steps: int, threads: int) -> list[str]:
    code = (f"import sys, torch; torch.set_num_threads({threads}); sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}]\n"
            f"from speed import plain_tutorial\nplain_tutorial({steps}, 64)\n")
    return [sys.executable, "-c", code]


def cli_cmd(steps: int, threads: int, extra: tuple = ()) -> list[str]:
    out = Path(tempfile.mkdtemp(prefix="users-")) / "run"
    return [sys.executable, "-m", "gan_core", "train", "--preset", "tutorial-mlp", "--data", "mnist", "--steps", str(steps),
            "--threads", str(threads), "--quiet", "--out", str(out), *extra]


def eval_share(steps: int, threads: int, root: Path) -> tuple[float, float, int]:
    """(training seconds without evaluation, evaluation seconds, evaluations) of the preset, in a fresh process."""
    code = f"""
import sys, time, torch
sys.path.insert(0, {str(root)!r}); torch.set_num_threads({threads})
from gan_core import Trainer
from gan_core.training.presets import preset_config
t = Trainer(preset_config("tutorial-mlp", {{"steps": {steps}}}), "cpu")
spent, n, inner = [0.0], [0], t.evaluate
def timed():
    s = time.perf_counter(); out = inner(); spent[0] += time.perf_counter() - s; n[0] += 1; return out
t.evaluate = timed
start = time.perf_counter(); t.train(); total = time.perf_counter() - start
print(total - spent[0], spent[0], n[0])
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=root).stdout
    train, ev, n = out.split()
    return float(train), float(ev), int(n)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=800)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--threads", default="1,2", help="torch threads of every contender, comma-separated")
    p.add_argument("--before", default=None, help="another checkout whose CLI default runs beside this one")
    p.add_argument("--write", action="store_true", help="write bench/results/as-users-run.md")
    a = p.parse_args()
    before = Path(a.before).resolve() if a.before else None
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    lines = ["## Speed as users run it: the tutorial MLP, end to end", "",
             f"Command: `python bench/as_users_run.py --steps {a.steps} --rounds {a.rounds} --threads {a.threads}"
             + (" --before CHECKOUT" if before else "") + "`  ",
             f"Machine: {platform.machine()} CPU, 2 cores shared with other work while measuring (absolute figures "
             f"are from a loaded machine; the ratios, taken within one run, are the result); torch threads as in "
             f"the rows. Steps/s = steps / seconds from process start to exit.", ""]
    for threads in (int(t) for t in a.threads.split(",")):
        contenders = {"tutorial loop": (tutorial_cmd(a.steps, threads), ROOT),
                      f"CLI default ({rev})": (cli_cmd(a.steps, threads), ROOT),
                      f"CLI --eval-every 0 ({rev})": (cli_cmd(a.steps, threads, ("--eval-every", "0")), ROOT)}
        if before:
            contenders["CLI default (before)"] = (cli_cmd(a.steps, threads), before)
        secs: dict[str, list[float]] = {k: [] for k in contenders}
        for _ in range(a.rounds):
            for name, (cmd, cwd) in contenders.items():
                secs[name].append(timed(cmd, cwd))
                print(f"{threads} threads, {name}: {secs[name][-1]:.1f} s", flush=True)
        base = statistics.median(secs["tutorial loop"])
        lines += [f"### {threads} thread{'s' * (threads > 1)}", "",
                  "| contender | s (median) | steps/s | / tutorial loop | rounds (s) |", "|---|---|---|---|---|"]
        for name, s in secs.items():
            m = statistics.median(s)
            lines.append(f"| {name} | {m:.1f} | {a.steps / m:.1f} | **{base / m:.2f}x** | {', '.join(f'{x:.1f}' for x in s)} |")
        train, ev, n = eval_share(a.steps, threads, ROOT)
        lines += ["", f"Evaluation in the preset's run ({rev}, in-process): {n} evaluations, {ev:.2f} s against "
                      f"{train:.1f} s of training = **{ev / train:.1%}** (target <= 5%)."]
        if before:
            train_b, ev_b, n_b = eval_share(a.steps, threads, before)
            lines.append(f"Before: {n_b} evaluations, {ev_b:.2f} s against {train_b:.1f} s = {ev_b / train_b:.1%}.")
        lines.append("")
        print("\n".join(lines[-12:]), flush=True)
    if a.write:
        (ROOT / "bench" / "results" / "as-users-run.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
