"""Train candidate shipped image generators on one CUDA GPU, all at once, inside a wall-clock budget.

    python bench/gpu_ship.py --budget 390 --out OUT_DIR [--jobs mnist-dcgan-w64,fashion-dcgan-w64,...]

Each job is one `python -m gan_core train` command (the JOBS table below) run on `--device cuda`. All jobs start
together: first a probe of PROBE_STEPS steps with one evaluation at its end, run side by side as the real runs
will be, which measures each job's seconds per step and per evaluation under that load; then each job's
`--steps` is the largest multiple of its `--eval-every` whose steps and evaluations fit in `--budget` seconds
(at most MAX_STEPS). The probe's steps start cold, so the real runs took up to 11% longer than the budget on one
H200 (BENCHMARKS.md). The real commands run side by side; each run folder (config.json, generator.safetensors,
metrics.csv and the command's log; no checkpoint) is packed into OUT_DIR/<job>.tar.gz, and one JSON line per job is
printed: its command, steps, wall time and FID at every evaluation. The weights are then measured and carded on a CPU
(scripts/ship_generator.py); nothing in the project needs a GPU.

Fashion-MNIST is read from the usual folders (gan_core/data/images.py); on a machine without it, put its IDX
files in one of them first (e.g. /usr/share/datasets/fashion-mnist).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PROBE_STEPS = 300
MAX_STEPS = 200_000
EVAL_EVERY = 2000
R1 = ["--variant", "ns+r1+ema", "--option", "r1_gamma=10", "--option", "r1_every=16"]
# the shipped tutorial MLP's recipe before the GPU runs (its card's command, batch 64)
TUTORIAL_MLP = ["--preset", "tutorial-mlp", "--data", "mnist", "--variant", "ns+r1+ema", "--option", "r1_gamma=10",
                "--option", "r1_every=4", "--lr-g", "4e-4", "--lr-d", "4e-4"]

JOBS: dict[str, list[str]] = {
    "mnist-dcgan-w64": ["--preset", "dcgan", "--data", "mnist", "--width", "64", *R1],
    "mnist-dcgan-w64-b128": ["--preset", "dcgan", "--data", "mnist", "--width", "64", "--batch-size", "128", *R1],
    "mnist-dcgan-w64-b256": ["--preset", "dcgan", "--data", "mnist", "--width", "64", "--batch-size", "256", *R1],
    "fashion-dcgan-w64": ["--preset", "dcgan", "--data", "fashion-mnist", "--width", "64", *R1],
    "fashion-dcgan-w64-b128": ["--preset", "dcgan", "--data", "fashion-mnist", "--width", "64", "--batch-size", "128",
                               *R1],
    "fashion-dcgan-w64-b256": ["--preset", "dcgan", "--data", "fashion-mnist", "--width", "64", "--batch-size", "256",
                               *R1],
    "mnist-cgan-w64": ["--preset", "cgan", "--data", "mnist", "--width", "64", "--variant", "ns+ema",
                       "--lr-decay", "0.9"],
    "mnist-cgan-w64-r1": ["--preset", "cgan", "--data", "mnist", "--width", "64", *R1, "--lr-decay", "0.9"],
    "mnist-tutorial-mlp": TUTORIAL_MLP,
    "mnist-tutorial-mlp-b128": [*TUTORIAL_MLP, "--batch-size", "128"],
}
KEEP = ("config.json", "generator.safetensors", "metrics.csv", "log.txt")


def command(job: str, out: Path, steps: int, eval_every: int, device: str = "cuda") -> list[str]:
    return [sys.executable, "-m", "gan_core", "train", *JOBS[job], "--keep-best", "--steps", str(steps),
            "--seed", "0", "--eval-every", str(eval_every), "--eval-samples", "1000", "--device", device,
            "--threads", "1", "--quiet", "--overwrite", "--out", str(out)]


def run_all(cmds: dict[str, list[str]], logs: dict[str, Path]) -> dict[str, tuple[int, float]]:
    """Start every command at once; wait for all. {job: (exit code, seconds from the start to its own end)}."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1")
    started, procs, files = time.perf_counter(), {}, []
    for job, cmd in cmds.items():
        logs[job].parent.mkdir(parents=True, exist_ok=True)
        files.append(logs[job].open("w"))
        procs[job] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=files[-1], stderr=subprocess.STDOUT)
    done: dict[str, tuple[int, float]] = {}
    while len(done) < len(procs):  # poll, so that each job's time is its own, not the slowest's before it
        for job, proc in procs.items():
            if job not in done and proc.poll() is not None:
                done[job] = (proc.returncode, time.perf_counter() - started)
        time.sleep(0.2)
    for f in files:
        f.close()
    return done


def probe_costs(metrics: Path) -> tuple[float, float]:
    """(seconds per training step, seconds per evaluation) from a probe's metrics.csv."""
    h = pd.read_csv(metrics)
    plain = h[h["fid"].isna()] if "fid" in h else h
    first, last = plain.iloc[1], plain.iloc[-1]  # skip step 1 (warm-up)
    per_step = (last["wall_time"] - first["wall_time"]) / (last["step"] - first["step"])
    evals = h.dropna(subset=["fid"]) if "fid" in h else h.iloc[0:0]
    per_eval = (float(evals["wall_time"].iloc[-1]) - float(last["wall_time"])
                - per_step * (float(evals["step"].iloc[-1]) - float(last["step"]))) if len(evals) else 0.0
    return float(per_step), max(float(per_eval), 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--budget", type=float, default=390.0, help="seconds of training (evaluations included) per job")
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", default=",".join(j for j in JOBS if not j.endswith("-b256")))
    ap.add_argument("--work", default="/tmp/gpu-ship")
    ap.add_argument("--device", default="cuda", help="cuda (what it is for) or cpu (to try the script)")
    ap.add_argument("--probe-steps", type=int, default=PROBE_STEPS)
    ap.add_argument("--eval-every", type=int, default=EVAL_EVERY)
    a = ap.parse_args()
    if a.probe_steps < 40:
        print("--probe-steps must be at least 40: the cost per step is read between the probe's logged rows")
        return 2
    jobs = [j.strip() for j in a.jobs.split(",") if j.strip()]
    unknown = [j for j in jobs if j not in JOBS]
    if unknown:
        print(f"unknown jobs {unknown}; choose from {list(JOBS)}")
        return 2
    out, work = Path(a.out), Path(a.work)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    probe = {j: command(j, work / "probe" / j, a.probe_steps, a.probe_steps, a.device) for j in jobs}
    res = run_all(probe, {j: work / "probe" / f"{j}.log" for j in jobs})
    print(f"probe: {a.probe_steps} steps of {len(jobs)} jobs side by side in {time.perf_counter() - t0:.0f} s", flush=True)
    plan = {}
    for j in jobs:
        rc, secs = res[j]
        if rc != 0:
            print(f"  {j}: probe FAILED (exit {rc}):\n" + (work / "probe" / f"{j}.log").read_text()[-3000:])
            continue
        per_step, per_eval = probe_costs(work / "probe" / j / "metrics.csv")
        per_block = a.eval_every * per_step + per_eval
        steps = int(min(MAX_STEPS, a.eval_every * math.floor(a.budget / per_block)))
        print(f"  {j}: {per_step * 1000:.2f} ms/step, {per_eval:.2f} s/evaluation, process {secs:.0f} s "
              f"-> {steps} steps", flush=True)
        if steps >= a.eval_every:
            plan[j] = steps
    if not plan:
        print("nothing to run")
        return 1

    cmds = {j: command(j, work / "runs" / j, s, a.eval_every, a.device) for j, s in plan.items()}
    logs = {j: work / "runs" / j / "log.txt" for j in plan}  # run_all makes the folders
    res = run_all(cmds, logs)
    rows = []
    for j, (rc, secs) in res.items():
        folder = work / "runs" / j
        row = {"job": j, "rc": rc, "steps": plan[j], "process_s": round(secs, 1),
               "command": shlex.join(["python", *cmds[j][1:-2], "--out", f"pretrained/{j}"])}
        try:
            h = pd.read_csv(folder / "metrics.csv")
            e = h.dropna(subset=["fid"])
            best = e.loc[e["fid"].idxmin()]
            row.update(wall_s=round(float(h["wall_time"].dropna().iloc[-1]), 1), best_step=int(best["step"]),
                       best_fid=round(float(best["fid"]), 2), last_fid=round(float(e["fid"].iloc[-1]), 2),
                       best_recall=round(float(best.get("recall", float("nan"))), 3),
                       best_coverage_dc=round(float(best.get("coverage_dc", float("nan"))), 3),
                       best_max_share=round(float(best[[f"share_{c}" for c in range(10)]].max()), 3),
                       fid_trace=[round(float(x), 1) for x in e["fid"]])
        except Exception as err:  # a failed run: its log says why
            row["error"] = f"{type(err).__name__}: {err}"
            print(f"{j} log tail:\n" + logs[j].read_text()[-3000:])
        (folder / "row.json").write_text(json.dumps(row, indent=1))
        with tarfile.open(out / f"{j}.tar.gz", "w:gz") as tar:
            for name in (*KEEP, "row.json"):
                if (folder / name).is_file():
                    tar.add(folder / name, arcname=f"{j}/{name}")
        rows.append(row)
    for row in rows:
        print(json.dumps(row), flush=True)
    print(f"all done in {time.perf_counter() - t0:.0f} s")
    return 0 if all(r["rc"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
