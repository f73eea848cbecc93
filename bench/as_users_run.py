"""The tutorial MLP on MNIST as a user runs it, end to end, against the tutorial's own loop, side by side.

    python bench/as_users_run.py [--steps 800] [--rounds 2] [--threads 1,2] [--before PATH] [--share-steps 800,3000]
                                 [--share-rounds 3] [--write]

Each contender is a fresh process timed from start to exit (imports, data, training, evaluation, saving):
- tutorial loop: the tutorial's script (DataLoader, batch 64, BCE, Adam; bench/speed.py's `plain_tutorial`);
- CLI default: `python -m gan_core train --preset tutorial-mlp --data mnist --steps N` (evaluation included);
- CLI no eval: the same with `--eval-every 0` (the final evaluation still runs);
- with --before PATH: the CLI default of another checkout (e.g. the main branch before a change).
Rounds alternate between the contenders, so machine noise hits all alike; medians are reported, and ratios
are taken within one run. Beside the wall time, each process's CPU time (user + system, its threads added up),
which other work on the machine moves less. Then the evaluation's share of training time, in-process: the
Trainer of the preset for N steps (each of --share-steps), every `evaluate()` timed (the first one includes the
real images' features).
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one process from start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=cwd, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
def timed(*args):
    s = time.perf_counter(); out = inner(*args); spent[0] += time.perf_counter() - s; n[0] += 1; return out
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
    p.add_argument("--share-steps", default=None, help="step budgets of the evaluation-share measurement, comma-separated "
                   "(default: --steps; the preset's own budget is 3000)")
    p.add_argument("--share-rounds", type=int, default=1,
                   help="measurements of the evaluation's share per step budget (medians; with --before, alternating)")
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
        cpu: dict[str, list[float]] = {k: [] for k in contenders}
        loads = []
        for _ in range(a.rounds):
            for name, (cmd, cwd) in contenders.items():
                loads.append(os.getloadavg()[0])
                wall, used = timed(cmd, cwd)
                secs[name].append(wall)
                cpu[name].append(used)
                print(f"{threads} threads, {name}: {wall:.1f} s, CPU {used:.1f} s, load {loads[-1]:.1f}", flush=True)
        base, base_cpu = statistics.median(secs["tutorial loop"]), statistics.median(cpu["tutorial loop"])
        lines += [f"### {threads} thread{'s' * (threads > 1)}", "",
                  f"Load average (1 min) at the start of each process: {min(loads):.1f}-{max(loads):.1f} on 2 cores.", "",
                  "| contender | s (median) | steps/s | / tutorial loop | CPU s (median) | / tutorial loop (CPU) | rounds (s) |",
                  "|---|---|---|---|---|---|---|"]
        for name, s_ in secs.items():
            m, c = statistics.median(s_), statistics.median(cpu[name])
            lines.append(f"| {name} | {m:.1f} | {a.steps / m:.1f} | **{base / m:.2f}x** | {c:.1f} | {base_cpu / c:.2f}x | "
                         f"{', '.join(f'{x:.1f}' for x in s_)} |")
        lines.append("")
        for steps in (int(x) for x in (a.share_steps or str(a.steps)).split(",")):
            load = os.getloadavg()[0]
            runs: dict[str, list] = {"now": [], "before": []}
            for _ in range(a.share_rounds):  # alternating, so the machine's noise moves both alike
                runs["now"].append(eval_share(steps, threads, ROOT))
                if before:
                    runs["before"].append(eval_share(steps, threads, before))
            for who, got in runs.items():
                if not got:
                    continue
                train, ev = statistics.median(g[0] for g in got), statistics.median(g[1] for g in got)
                each = f" (rounds: {', '.join(f'{g[1]:.3f} s / {g[0]:.1f} s' for g in got)})" if len(got) > 1 else ""
                if who == "now":
                    lines.append(f"Evaluation in the preset's run of {steps} steps ({rev}, in-process, load {load:.1f}): "
                                 f"{got[0][2]} evaluations, {ev:.2f} s against {train:.1f} s of training = "
                                 f"**{ev / train:.1%}** (target <= 5%){each}.")
                else:
                    lines.append(f"Before: {got[0][2]} evaluations, {ev:.2f} s against {train:.1f} s = {ev / train:.1%}{each}.")
        lines.append("")
        print("\n".join(lines[-12:]), flush=True)
    if a.write:
        (ROOT / "bench" / "results" / "as-users-run.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
