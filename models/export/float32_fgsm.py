#!/usr/bin/env python3
"""PyTorch's float32 FGSM on a shipped fgsmlab model, for the float32 softmax
check (core.Options.Float32Softmax, issue 13): which MNIST test digits get an
input gradient of exactly 0, so that FGSM leaves them as they are.

It reads a model file (safetensors with F16, F32 or F64 tensors; dense,
maxout, relu, dropout and softmax layers), builds the same network in
float32, and for each test digit computes the gradient of
F.cross_entropy(z, y) with respect to x, as a float32 framework does.
It writes a JSON object:

    model          the model file's name
    sha256         the model file's SHA-256, so that a test can tell a stale file
    torch          torch.__version__
    digits         how many test digits, from the first
    epsilon        the ε of the FGSM error below
    zero_gradient  the indices of the digits whose gradient is exactly 0
    p_one          how many digits have p_y = 1 exactly in float32
    fgsm_error     the FGSM error at ε, x̃ clipped to [0, 1], scored in float32
    still_right    the indices of the digits FGSM at ε leaves classified right

    /usr/bin/python3 float32_fgsm.py --mnist DIR --model ../maxout.safetensors --out testdata/maxout-float32.json

(`make export-reference` runs this from the repository's root.)

Needs torch and the standard library only.
"""
import argparse
import hashlib
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import mnist  # noqa: E402

DTYPES = {"F16": torch.float16, "F32": torch.float32, "F64": torch.float64}


def read_safetensors(path):
    """The tensors (as float32) and the metadata of a safetensors file."""
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        lo, hi = t["data_offsets"]
        raw = bytearray(b[8 + n + lo:8 + n + hi])
        tensors[name] = torch.frombuffer(raw, dtype=DTYPES[t["dtype"]]).reshape(t["shape"]).float()
    return tensors, meta


def logits(arch, tensors, x):
    """The class scores z of the batch x (N, 784), in test mode."""
    h = x
    for layer in arch:
        kind = layer["kind"]
        if kind == "dense":
            h = F.linear(h, tensors[layer["weight"]], tensors[layer["bias"]])
        elif kind == "maxout":
            k = layer["pieces"]
            h = h.reshape(h.shape[0], -1, k).max(dim=2).values
        elif kind == "relu":
            h = F.relu(h)
        elif kind in ("dropout", "softmax"):
            pass
        else:
            raise SystemExit(f"float32_fgsm.py: layer kind {kind!r} is not supported")
    return h


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mnist", default=os.environ.get("FGSMLAB_MNIST"), required="FGSMLAB_MNIST" not in os.environ,
                    help="directory of the four MNIST IDX .gz files (default $FGSMLAB_MNIST)")
    ap.add_argument("--model", required=True, help="a model file with a softmax output")
    ap.add_argument("--out", required=True, help="the JSON file to write")
    ap.add_argument("--digits", type=int, default=10000)
    ap.add_argument("--epsilon", type=float, default=0.25)
    a = ap.parse_args()
    torch.set_num_threads(1)
    tensors, meta = read_safetensors(a.model)
    arch = json.loads(meta["arch"])
    if arch[-1]["kind"] != "softmax":
        raise SystemExit("float32_fgsm.py: the model's output is not a softmax")
    test_x, test_y = mnist(a.mnist, "test")
    x = (test_x[:a.digits].reshape(-1, 784).double() / 255).float().requires_grad_(True)
    y = test_y[:a.digits]
    z = logits(arch, tensors, x)
    F.cross_entropy(z, y, reduction="sum").backward()
    g = x.grad
    zero = (g == 0).all(dim=1).nonzero().flatten().tolist()
    p_one = int((F.softmax(z, dim=1).gather(1, y[:, None]) == 1).sum())
    with torch.no_grad():
        adv = (x + a.epsilon * g.sign()).clamp(0, 1)
        right = logits(arch, tensors, adv).argmax(dim=1) == y
        err = 1 - float(right.float().mean())
    with open(a.model, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    out = {"model": os.path.basename(a.model), "sha256": digest, "torch": torch.__version__, "digits": a.digits,
           "epsilon": a.epsilon, "zero_gradient": zero, "p_one": p_one, "fgsm_error": err,
           "still_right": right.nonzero().flatten().tolist()}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"{a.model}: {len(zero)} of {a.digits} digits have a zero gradient, p_y = 1 on {p_one}; "
          f"FGSM error at ε = {a.epsilon}: {100 * err:.2f}%")


if __name__ == "__main__":
    main()
