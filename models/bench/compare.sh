#!/usr/bin/env bash
# One epoch of the shipped mlp: fgsmlab (gonum, and gonum + OpenBLAS) against
# PyTorch, side by side on this machine. Needs Debian's python3-torch,
# libopenblas0-pthread and libopenblas-dev (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
for p in python3-torch libopenblas0-pthread libopenblas-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}"; fi
dir="${FGSMLAB_MNIST:?run through make bench-torch, which sets FGSMLAB_MNIST}"
nproc; grep -m1 'model name' /proc/cpuinfo
/usr/bin/python3 models/bench/torch_mlp.py "$dir" --epochs 3
/usr/bin/python3 models/bench/torch_mlp.py "$dir" --epochs 3 --dtype float64
go test -run '^$' -bench 'Epoch/mlp$' -benchtime 3x -count 1 ./models/
go test -tags openblas -run '^$' -bench 'Epoch/mlp$' -benchtime 3x -count 1 ./models/
