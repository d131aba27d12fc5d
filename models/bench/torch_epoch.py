"""PyTorch reference for one epoch of a shipped model on the 60,000 MNIST
training images, Adam, batch 128, on 2 threads: `mlp` (784 → 256 → 128 → 10,
ReLU) or `cnn` (conv 16@5×5 → ReLU → max-pool 2 → conv 32@5×5 → ReLU →
max-pool 2 → 512 → 128, ReLU, dropout 0.5 → 10), as models/recipes.go builds
them.

Run by models/bench/compare.sh with Debian's python3-torch and
libopenblas0-pthread; prints the median seconds per epoch over --epochs runs.
"""
import argparse, gzip, statistics, sys, time

import numpy as np
import torch


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mnist_dir")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--model", default="mlp", choices=["mlp", "cnn"])
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1)
    dtype = getattr(torch, a.dtype)
    x = torch.tensor(idx(f"{a.mnist_dir}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784) / 255.0, dtype=dtype)
    y = torch.tensor(idx(f"{a.mnist_dir}/train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    nn = torch.nn
    if a.model == "mlp":
        model = nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(),
            nn.Linear(256, 128), nn.ReLU(),
            nn.Linear(128, 10)).to(dtype)
    else:
        x = x.reshape(-1, 1, 28, 28)
        model = nn.Sequential(
            nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(512, 128), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(128, 10)).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(a.epochs):
        start = time.perf_counter()
        perm = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(x[b]), y[b])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    print(f"torch {torch.__version__} {a.model} {a.dtype} threads={torch.get_num_threads()} "
          f"epoch median {statistics.median(times):.3f} s over {len(times)}: {[round(t, 3) for t in times]}")


if __name__ == "__main__":
    sys.exit(main())
