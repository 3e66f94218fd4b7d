#!/usr/bin/env python3
"""PyTorch side of the Cotangent benchmarks.

  torch_peer.py serve --threads T [--steps 1000]
      Started by a JMH benchmark fork (TorchPeer.java). Prints READY, then for each line naming an op
      runs it once and answers with the nanoseconds it took (perf_counter_ns around the call alone);
      `quit` ends it. The fork runs its own op and the torch op back to back in alternating order, so
      both are measured under the same machine load.
  torch_peer.py info
      `INFO <text>` lines for people: the build configuration and which convolution kernels torch runs.

Ops: conv_fwd, conv_bwd_input, conv_bwd_filter (NCHW [64,3,32,32] * [32,3,5,5], padding 2, stride 1:
F.conv2d and the two products of aten::convolution_backward that autograd calls), the same with a layer of
SHAPES appended (conv_fwd:resnet), tape_grad and
tape_fwd (STEPS steps of y = sin(y) * 1.0001 + 0.1 on a scalar with requires_grad; .backward(), or the
forward alone under no_grad).
"""
import argparse
import ctypes
import os
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

STRIDE, DILATION = [1, 1], [1, 1]
# The layers of the conv2d group, as in bench's ConvShape: NHWC input, [KH, KW, C_in, C_out] filter, padding.
SHAPES = {
    "bench": ((64, 32, 32, 3), (5, 5, 3, 32), "SAME"),
    "lenet1": ((64, 32, 32, 3), (5, 5, 3, 32), "VALID"),
    "lenet2": ((64, 14, 14, 32), (5, 5, 32, 64), "VALID"),
    "tutorial": ((10, 16, 16, 3), (5, 5, 3, 6), "VALID"),
    "resnet": ((32, 56, 56, 64), (3, 3, 64, 64), "SAME"),
}


def conv_ops(shape="bench"):
    """conv_fwd, conv_bwd_input, conv_bwd_filter for one layer, in NCHW with the same sizes."""
    (n, h, w_, c), (kh, kw, _, f), padding = SHAPES[shape]
    pad = [kh // 2, kw // 2] if padding == "SAME" else [0, 0]
    torch.manual_seed(0)
    x = torch.randn(n, c, h, w_)
    w = torch.randn(f, c, kh, kw) * 0.1
    with torch.no_grad():
        go = torch.randn_like(F.conv2d(x, w, padding=pad))

    def backward(mask):
        # What autograd itself calls for a convolution's backward; one product per call.
        with torch.no_grad():
            return torch.ops.aten.convolution_backward(go, x, w, None, STRIDE, pad, DILATION, False, [0, 0], 1,
                                                       mask)

    def fwd():
        with torch.no_grad():
            return F.conv2d(x, w, padding=pad)

    return {
        "conv_fwd": fwd,
        "conv_bwd_input": lambda: backward([True, False, False]),
        "conv_bwd_filter": lambda: backward([False, True, False]),
    }


def tape_ops(steps):
    x = torch.tensor(0.5, requires_grad=True)

    def chain():
        y = x
        for _ in range(steps):
            y = torch.sin(y) * 1.0001 + 0.1
        return y

    def grad():
        y = chain()
        y.backward()
        g = x.grad
        x.grad = None
        return g

    def fwd():
        with torch.no_grad():
            return chain()

    return {"tape_grad": grad, "tape_fwd": fwd}


def serve(args):
    torch.set_num_threads(args.threads)
    ops = {**conv_ops(), **tape_ops(args.steps)}
    print("READY", flush=True)
    for line in sys.stdin:
        name = line.strip()
        if name == "quit" or not name:
            break
        if name not in ops and ":" in name:
            # conv_fwd:lenet1 and the like: the layer's tensors are made on first use.
            op, shape = name.split(":", 1)
            ops.update({k + ":" + shape: v for k, v in conv_ops(shape).items()})
        fn = ops[name]
        t0 = time.perf_counter_ns()
        fn()
        elapsed = time.perf_counter_ns() - t0
        print(elapsed, flush=True)


def onednn_primitives(fn):
    """The oneDNN convolution primitives one call runs (from oneDNN's verbose output on fd 1)."""
    libc = ctypes.CDLL(None)
    sys.stdout.flush()
    with tempfile.TemporaryFile() as f:
        saved = os.dup(1)
        os.dup2(f.fileno(), 1)
        try:
            with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
                fn()
        finally:
            # oneDNN prints with C stdio: flush it before fd 1 goes back.
            libc.fflush(None)
            os.dup2(saved, 1)
            os.close(saved)
        f.seek(0)
        lines = f.read().decode(errors="replace").splitlines()
    out = []
    for line in lines:
        parts = line.split(",")
        if len(parts) > 5 and parts[1] == "exec" and parts[3] == "convolution":
            out.append(f"oneDNN {parts[4]} {parts[5]}")  # implementation, propagation kind
    return out


def info(args):
    keep = ("MKL", "OpenMP", "LAPACK", "CPU capability")
    for line in torch.__config__.show().splitlines():
        line = line.strip(" -")
        if line.startswith("Build settings:"):
            settings = [s.strip() for s in line[len("Build settings:"):].split(",")]
            line = ", ".join(s for s in settings if s.startswith(("BLAS_INFO", "USE_MKLDNN", "USE_OPENMP")))
        if any(k in line for k in keep) or "BLAS_INFO" in line:
            print("INFO config: " + line)
    print(f"INFO torch {torch.__version__}, mkldnn available: {torch.backends.mkldnn.is_available()}")
    torch.set_num_threads(1)
    for name, fn in conv_ops().items():
        fn()
        with torch.autograd.profiler.profile() as prof:
            fn()
        ops = [e.key for e in prof.key_averages() if "conv" in e.key or "mkldnn" in e.key]
        print(f"INFO {name} runs " + ", ".join(ops + onednn_primitives(fn)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["serve", "info"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=1000)
    args = p.parse_args()
    {"serve": serve, "info": info}[args.what](args)


if __name__ == "__main__":
    main()
