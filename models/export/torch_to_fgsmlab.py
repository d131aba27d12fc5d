#!/usr/bin/env python3
"""Export a PyTorch ``nn.Sequential`` to an fgsmlab model file, so that the lab
can attack it.

An fgsmlab model file is a safetensors file (https://github.com/huggingface/safetensors):

    8 bytes        N, the header's length, a little-endian unsigned integer
    N bytes        a JSON header: for each tensor its dtype, shape and byte range,
                   plus "__metadata__", a map of strings
    the rest       the tensors' raw bytes, little-endian, one after the other

The tensors are the model's ``state_dict()`` under the same names ("0.weight",
"3.bias", ...), laid out exactly as PyTorch lays them out: a Conv2d weight is
[out_channels, in_channels, kh, kw], a Linear weight is [out, in]. The metadata
says how to run them: "arch" is a JSON list of layers, read in order, whose
last entry is always {"kind": "softmax"}: the lab reads the model's last
output as logits z, predicts p = softmax(z) and attacks the cross-entropy
-log p[label], as ``nn.CrossEntropyLoss`` would.

    PyTorch module                    arch entry
    (normalization, if asked for)     {"kind":"normalize","mean":[...],"std":[...]}
    nn.Conv2d                         {"kind":"conv2d","weight":..,"bias":..,"stride":s,"padding":p}
    nn.MaxPool2d / nn.AvgPool2d       {"kind":"maxpool2d"|"avgpool2d","size":k,"stride":s}
    nn.Flatten                        {"kind":"flatten"}
    nn.Linear                         {"kind":"dense","weight":..,"bias":..}
    nn.ReLU / nn.Tanh / nn.Sigmoid    {"kind":"relu"|"tanh"|"sigmoid"}
    nn.Dropout                        {"kind":"dropout","p":p}

A trailing nn.Softmax or nn.LogSoftmax over the classes is dropped: the lab
applies the softmax itself, and softmax(log_softmax(z)) = softmax(z). An
nn.Identity is skipped. Dropout is the identity when the lab predicts, as in
PyTorch's eval mode; its p is kept for the lab's own training.
Anything else (a BatchNorm, an LSTM, a dilated or grouped convolution, a pool
with padding or ceil_mode, ...) is refused with a ValueError naming the module
and its index, rather than exported as something that computes another
function. Fold a BatchNorm into the convolution before it if you need one.

The exporter needs only torch and the Python standard library. Use it as a
function::

    from torch_to_fgsmlab import export
    export(model, "mine.safetensors", name="my-cnn", mean=[0.1307], std=[0.3081])

or from the shell, with a whole model saved by ``torch.save(model, path)``::

    python3 torch_to_fgsmlab.py model.pt mine.safetensors --name my-cnn --mean 0.1307 --std 0.3081
"""
import argparse
import json
import math
import struct
import sys

import torch
from torch import nn

FORMAT = "fgsmlab/1"
INPUT = "28x28 row-major, white digit on black, values in [0, 1]"
DIGITS = [str(d) for d in range(10)]
INPUT_SHAPES = ((1, 28, 28), (784,))  # one channel, channels first; or flat

# struct's codes for the dtypes an fgsmlab file may hold, and the torch dtype
# each tensor is rounded to first (so that F16 rounds as torch rounds).
DTYPES = {"F64": ("d", torch.float64), "F32": ("f", torch.float32), "F16": ("e", torch.float16)}


class ExportError(ValueError):
    """A model (or a setting of one of its modules) that the lab cannot run."""


def export(model, path, *, name, classes=None, mean=None, std=None,
           input_shape=(1, 28, 28), dtype="F32", description=None, metadata=None):
    """Write ``model`` to ``path`` as an fgsmlab model file.

    model        an nn.Sequential (nested Sequentials are flattened) whose output
                 for a batch of shape (N, *input_shape) is the logits, (N, classes).
    name         the model's name, shown by the lab.
    classes      the class labels, in output order; the digits "0".."9" by default.
    mean, std    per-channel normalization the model expects, (x - mean) / std,
                 applied to the lab's pixels in [0, 1] before the first module;
                 a number stands for every channel. Omit both if the model takes
                 pixels in [0, 1] as they are.
    input_shape  the shape of one example as the model takes it: (1, 28, 28) for a
                 CNN (channels first), or (784,) for a model that starts with
                 nn.Linear. Either way it holds the 28x28 digit, row-major.
    dtype        "F32" (default), "F64" (exact float64 weights) or "F16" (half the
                 size of F32; the weights are rounded to half precision).
    description  free text, stored in the metadata as "description".
    metadata     more free-form metadata, a dict of strings (e.g. "command",
                 "metrics"); values that are not strings are stored as JSON.

    The model is checked by running it once, in eval mode and without
    gradients, on a zero input; its train/eval mode is restored afterwards.
    Raises ExportError (a ValueError) for a module or setting the lab cannot
    run, naming the module and its index in the flattened Sequential.
    Returns the arch list written to the file.
    """
    if dtype not in DTYPES:
        raise ExportError(f"dtype {dtype!r} is not one of {sorted(DTYPES)}")
    classes = DIGITS if classes is None else [str(c) for c in classes]
    input_shape = tuple(int(d) for d in input_shape)
    if input_shape not in INPUT_SHAPES:
        raise ExportError(f"input_shape {input_shape} is not one the lab feeds its 28x28 grey digits as: "
                          f"{' or '.join(map(str, INPUT_SHAPES))}")
    modules = flatten_sequential(model)
    arch, tensors = [], {}
    if (mean is None) != (std is None):
        raise ExportError("give both mean and std, or neither")
    if mean is not None:
        arch.append(normalize_layer(mean, std, input_shape))
    for i, (prefix, m) in enumerate(modules):
        if is_output_softmax(m) and i == len(modules) - 1:
            break
        arch.append(layer(i, prefix, m, tensors))
    arch.append({"kind": "softmax"})
    check_output(model, input_shape, len(classes))
    meta = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in (metadata or {}).items()}
    if description is not None:
        meta["description"] = description
    meta.update({
        "format": FORMAT,
        "name": name,
        "arch": compact(arch),
        "classes": compact(classes),
        "input": INPUT,
        "input_shape": compact(list(input_shape)),
    })
    with open(path, "wb") as f:
        f.write(safetensors_bytes(tensors, meta, dtype))
    return arch


def flatten_sequential(model, prefix=""):
    """The leaf modules of a (possibly nested) nn.Sequential, in order, each with
    its state_dict prefix ("3." for model[3], "3.1." for model[3][1])."""
    if not isinstance(model, nn.Sequential):
        raise ExportError(f"the model is a {type(model).__name__}; export takes an nn.Sequential "
                          "(wrap your modules in one, or rewrite forward() as a Sequential)")
    out = []
    for key, m in model.named_children():
        if isinstance(m, nn.Sequential):
            out += flatten_sequential(m, f"{prefix}{key}.")
        elif not isinstance(m, nn.Identity):
            out.append((f"{prefix}{key}.", m))
    return out


def is_output_softmax(m):
    return isinstance(m, (nn.Softmax, nn.LogSoftmax)) and m.dim in (1, -1)


def normalize_layer(mean, std, input_shape):
    channels = input_shape[0] if len(input_shape) == 3 else 1
    mean, std = per_channel(mean, channels, "mean"), per_channel(std, channels, "std")
    if not all(s > 0 and math.isfinite(s) for s in std) or not all(math.isfinite(m) for m in mean):
        raise ExportError(f"normalization needs finite means and positive stds, got mean {mean}, std {std}")
    return {"kind": "normalize", "mean": mean, "std": std}


def per_channel(v, channels, what):
    if isinstance(v, (int, float)):
        return [float(v)] * channels
    v = [float(x) for x in v]
    if len(v) != channels:
        raise ExportError(f"{what} has {len(v)} values for {channels} input channels")
    return v


def layer(i, prefix, m, tensors):
    """The arch entry of the i-th module m, adding its tensors to tensors."""
    path = "model" + "".join(f"[{k}]" if k.isdigit() else f".{k}" for k in prefix.rstrip(".").split("."))
    where = f"module {i} ({path} = {m!r})"

    def refuse(why):
        raise ExportError(f"{where}: {why}")

    if isinstance(m, nn.Conv2d):
        if m.groups != 1:
            refuse("groups must be 1")
        if tuple(m.dilation) != (1, 1):
            refuse("dilation must be 1")
        if m.padding_mode != "zeros":
            refuse(f"padding_mode {m.padding_mode!r} is not supported; only zero padding is")
        stride = square(m.stride, "stride", refuse)
        tensors[prefix + "weight"] = m.weight
        entry = {"kind": "conv2d", "weight": prefix + "weight"}
        if m.bias is not None:
            tensors[prefix + "bias"] = m.bias
            entry["bias"] = prefix + "bias"
        entry.update(stride=stride, padding=conv_padding(m, refuse))
        return entry
    if isinstance(m, nn.Linear):
        tensors[prefix + "weight"] = m.weight
        # The lab's dense layer always has a bias: a Linear without one gets zeros.
        tensors[prefix + "bias"] = m.bias if m.bias is not None else torch.zeros(m.out_features)
        return {"kind": "dense", "weight": prefix + "weight", "bias": prefix + "bias"}
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        size = square(m.kernel_size, "kernel_size", refuse)
        stride = square(m.stride if m.stride is not None else m.kernel_size, "stride", refuse)
        if square(m.padding, "padding", refuse) != 0:
            refuse("padding is not supported in pools")
        if m.ceil_mode:
            refuse("ceil_mode is not supported (the lab pools in floor mode)")
        if isinstance(m, nn.MaxPool2d):
            if square(m.dilation, "dilation", refuse) != 1:
                refuse("dilation must be 1")
            if m.return_indices:
                refuse("return_indices is not supported")
            return {"kind": "maxpool2d", "size": size, "stride": stride}
        if m.divisor_override is not None:
            refuse("divisor_override is not supported")
        return {"kind": "avgpool2d", "size": size, "stride": stride}
    if isinstance(m, nn.Flatten):
        if m.start_dim != 1 or m.end_dim != -1:
            refuse("only nn.Flatten(1, -1), the default, is supported")
        return {"kind": "flatten"}
    if type(m) in (nn.ReLU, nn.Tanh, nn.Sigmoid):
        return {"kind": type(m).__name__.lower()}
    if type(m) is nn.Dropout:
        return {"kind": "dropout", "p": float(m.p)}
    if is_output_softmax(m):
        refuse("a softmax is only allowed as the last module (the lab applies it itself)")
    refuse(f"{type(m).__name__} is not supported; the lab runs Conv2d, Linear, ReLU, Tanh, Sigmoid, "
           "MaxPool2d, AvgPool2d, Flatten and Dropout")


def square(v, what, refuse):
    """v as one int, for settings the lab takes as symmetric (an int or (a, a))."""
    if isinstance(v, int):
        return v
    v = tuple(v)
    if len(v) != 2 or v[0] != v[1]:
        refuse(f"{what} {v} is not square; the lab supports only equal height and width")
    return int(v[0])


def conv_padding(m, refuse):
    """Conv2d padding as one int: "valid" is 0, "same" is (k - 1) / 2 for an odd
    square kernel (an even kernel would need uneven padding)."""
    if m.padding == "valid":
        return 0
    if m.padding == "same":
        kh, kw = m.kernel_size
        if kh != kw or kh % 2 == 0:
            refuse(f"padding='same' with kernel {m.kernel_size} needs uneven padding, which the lab does not support")
        return (kh - 1) // 2
    return square(m.padding, "padding", refuse)


def check_output(model, input_shape, n_classes):
    """Runs the model once on zeros, to catch a wrong input_shape or classes
    before the lab does."""
    was_training = model.training
    model.eval()
    try:
        p = next(model.parameters(), None)
        x = torch.zeros((1, *input_shape), dtype=p.dtype if p is not None else torch.float32)
        with torch.no_grad():
            z = model(x)
    except Exception as e:
        raise ExportError(f"the model does not run on an input of shape (1, {', '.join(map(str, input_shape))}): {e} "
                          "(a model that starts with nn.Linear takes input_shape=(784,), or put an nn.Flatten() first)") from e
    finally:
        model.train(was_training)
    if tuple(z.shape) != (1, n_classes):
        raise ExportError(f"the model's output has shape {tuple(z.shape)} for one example; "
                          f"want (1, {n_classes}), one logit per class")


def compact(v):
    return json.dumps(v, separators=(",", ":"))


def safetensors_bytes(tensors, meta, dtype):
    """The safetensors encoding of tensors (name -> torch.Tensor) with the
    metadata meta, every tensor stored as dtype."""
    code, torch_dtype = DTYPES[dtype]
    header, chunks, offset = {"__metadata__": meta}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu", torch_dtype).contiguous()
        if not torch.isfinite(t).all():
            raise ExportError(f"tensor {name!r} has a non-finite value in {dtype}")
        values = t.flatten().tolist()
        data = struct.pack(f"<{len(values)}{code}", *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    h = compact(header).encode()
    h += b" " * (-len(h) % 8)  # safetensors pads the header with spaces to a multiple of 8
    return struct.pack("<Q", len(h)) + h + b"".join(chunks)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Export a PyTorch nn.Sequential, saved whole with torch.save(model, path), "
                    "to an fgsmlab model file that the lab can attack.")
    ap.add_argument("model", help="a file written by torch.save(model, path); model is an nn.Sequential")
    ap.add_argument("out", help="the .safetensors file to write")
    ap.add_argument("--name", required=True, help="the model's name, shown by the lab")
    ap.add_argument("--classes", help="comma-separated class labels (default 0,1,...,9)")
    ap.add_argument("--mean", type=float, nargs="+", help="per-channel mean the model subtracts from pixels in [0, 1]")
    ap.add_argument("--std", type=float, nargs="+", help="per-channel std the model divides by")
    ap.add_argument("--input-shape", default="1,28,28", help="one example's shape, e.g. 1,28,28 (default) or 784")
    ap.add_argument("--dtype", default="F32", choices=sorted(DTYPES))
    ap.add_argument("--description", help="free text stored in the metadata")
    argv = sys.argv[1:] if argv is None else argv
    a = ap.parse_args(argv)
    model = torch.load(a.model, map_location="cpu")
    try:
        arch = export(model, a.out, name=a.name,
                      classes=a.classes.split(",") if a.classes else None,
                      mean=a.mean, std=a.std,
                      input_shape=[int(d) for d in a.input_shape.split(",")],
                      dtype=a.dtype, description=a.description,
                      metadata={"command": " ".join(["torch_to_fgsmlab.py"] + argv)})
    except ExportError as e:
        sys.exit(f"torch_to_fgsmlab: {e}")
    print(f"wrote {a.out}: {len(arch) - 1} layers: {', '.join(l['kind'] for l in arch)}")


if __name__ == "__main__":
    main()
