#!/usr/bin/env bash
# CUDA smoke check: the same commands on --device cuda and --device cpu, side by side.
#
#     bash bench/cuda_smoke.sh [OUT_DIR]
#
# Trains ring8 (classroom recipe) and the MNIST DCGAN for a few hundred steps on each device, samples and
# evaluates them, evaluates a shipped generator on both devices, resumes a CPU run on CUDA, and writes
# OUT_DIR/cuda-smoke.md with the metrics and steps/s of each. Exits non-zero when CUDA is missing or a
# command fails. Nothing in the project depends on a GPU; this only checks that `--device cuda` works.
set -euo pipefail
OUT_DIR="${1:-${OUT:-runs/cuda-smoke}}"
mkdir -p "$OUT_DIR"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
REPORT="$OUT_DIR/cuda-smoke.md"
PY=python

$PY - <<'EOF' | tee "$REPORT"
import torch
assert torch.cuda.is_available(), "no CUDA device visible"
print(f"# CUDA smoke check\n\ntorch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}, "
      f"bf16 {torch.cuda.is_bf16_supported()}\n")
EOF

run() {  # name, extra args...
  local name="$1"; shift
  for dev in cpu cuda; do
    $PY -m gan_core train --out "$W/$name-$dev" --device "$dev" --quiet "$@"
  done
}
run ring8 --preset classroom --data ring8 --steps 3000 --seed 0 --eval-every 1000
run dcgan --preset dcgan --data mnist --steps 400 --seed 0 --eval-every 0 --log-every 50
for dev in cpu cuda; do
  $PY -m gan_core sample --run "$W/dcgan-$dev" --n 64 --out "$OUT_DIR/dcgan-$dev.png" --device "$dev"
  $PY -m gan_core sample --run "$W/ring8-$dev" --n 2500 --out "$W/ring8-$dev.csv" --device "$dev"
  $PY -m gan_core eval --run "$W/dcgan-$dev" --n 2000 --json --device "$dev" > "$W/eval-dcgan-$dev.json"
  $PY -m gan_core eval --run "$W/ring8-$dev" --json --device "$dev" > "$W/eval-ring8-$dev.json"
  $PY -m gan_core eval --run pretrained/mnist-dcgan --n 2000 --json --device "$dev" > "$W/eval-pre-$dev.json"
done
# a run trained on the CPU continues on the GPU
$PY -m gan_core train --out "$W/ring8-cpu" --resume --steps 3200 --device cuda --quiet

W="$W" $PY - <<'EOF' | tee -a "$REPORT"
import json, os
import pandas as pd
w = os.environ["W"]
def speed(run):
    m = pd.read_csv(f"{w}/{run}/metrics.csv")
    m = m[m["step"] > m["step"].min()]
    return (m["step"].iloc[-1] - m["step"].iloc[0]) / (m["wall_time"].iloc[-1] - m["wall_time"].iloc[0])
rows = []
for name, keys in (("ring8", ("modes", "hq", "kl")), ("dcgan", ("fid", "coverage", "mean_confidence")),
                   ("pre", ("fid", "coverage", "mean_confidence"))):
    res = {d: json.load(open(f"{w}/eval-{name}-{d}.json")) for d in ("cpu", "cuda")}
    sp = {d: (f"{speed(f'{name}-{d}'):.0f}" if name != "pre" else "-") for d in ("cpu", "cuda")}
    for k in keys:
        rows.append(f"| {name} | {k} | {res['cpu'][k]:.4g} | {res['cuda'][k]:.4g} |")
    rows.append(f"| {name} | steps/s | {sp['cpu']} | {sp['cuda']} |")
print("| run | quantity | cpu | cuda |\n|---|---|---|---|")
print("\n".join(rows))
m = pd.read_csv(f"{w}/ring8-cpu/metrics.csv")
print(f"\nresumed on cuda: ring8-cpu now at step {int(m['step'].max())}, {len(m)} rows")
pre = {d: json.load(open(f"{w}/eval-pre-{d}.json")) for d in ("cpu", "cuda")}
rel = abs(pre["cpu"]["fid"] - pre["cuda"]["fid"]) / pre["cpu"]["fid"]
print(f"shipped mnist-dcgan FID cpu vs cuda differs by {100 * rel:.2f}%")
assert rel < 0.02, "the same generator scores differently on CPU and CUDA"
EOF
echo "wrote $REPORT"
