#!/usr/bin/env bash
# One epoch of the shipped mlp and cnn: fgsmlab (gonum, and gonum + OpenBLAS)
# against PyTorch (float32 and float64), side by side on this machine, batch
# 128, Adam, two threads. Needs Debian's python3-torch, libopenblas0-pthread
# and libopenblas-dev (installed when missing). MODELS="mlp" or "cnn" picks
# one; EPOCHS sets PyTorch's number of timed epochs (the median is printed).
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
for p in python3-torch libopenblas0-pthread libopenblas-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}"; fi
dir="${FGSMLAB_MNIST:?run through make bench-torch, which sets FGSMLAB_MNIST}"
nproc; grep -m1 'model name' /proc/cpuinfo; cat /proc/loadavg
for m in ${MODELS:-mlp cnn}; do
  for dtype in float32 float64; do
    /usr/bin/python3 models/bench/torch_epoch.py "$dir" --model "$m" --epochs "${EPOCHS:-3}" --dtype "$dtype"
  done
  # gonum's pure-Go kernels only for the mlp: the cnn's epoch takes minutes with them.
  if [ "$m" = mlp ]; then go test -run '^$' -bench "Epoch/$m\$" -benchtime 3x -count 1 ./models/; fi
  go test -tags openblas -run '^$' -bench "Epoch/$m\$" -benchtime 1x -count "${EPOCHS:-3}" ./models/
done
