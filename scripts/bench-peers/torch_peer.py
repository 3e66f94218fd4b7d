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
forward alone under no_grad); training steps (forward, loss, backward, SGD update; see train_ops): mlp_step,
lenet_step, seed_mlp_step, seed_cnn_step and seed_cnn_recomputed_step (the convolution under
torch.utils.checkpoint). Before READY every training step is run a few times and its loss must fall.
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


class SeedCnn(torch.nn.Module):
    """The tutorial's CNN: conv 5x5 3->6, maxpool 2, flatten, dense 216->10; the conv optionally recomputed."""

    def __init__(self, recomputed):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 6, 5)
        self.dense = torch.nn.Linear(216, 10)
        self.recomputed = recomputed

    def forward(self, x):
        if self.recomputed:
            h = torch.utils.checkpoint.checkpoint(self.conv, x, use_reentrant=False)
        else:
            h = self.conv(x)
        return self.dense(torch.flatten(F.max_pool2d(h, 2), 1))


def train_ops():
    """One SGD training step per op; the same shapes as Cotangent's side (NCHW where it uses NHWC)."""
    import torch.utils.checkpoint  # noqa: F401  (for SeedCnn)
    torch.manual_seed(0)
    nn = torch.nn

    def step_of(model, x, loss_fn, lr):
        opt = torch.optim.SGD(model.parameters(), lr=lr)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x))
            loss.backward()
            opt.step()
            return loss.item()
        return step

    mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    mlp_x, mlp_y = torch.randn(256, 784), torch.arange(256) % 10
    lenet = nn.Sequential(nn.Conv2d(3, 32, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 256), nn.ReLU(), nn.Linear(256, 10))
    lenet_x, lenet_y = torch.randn(64, 3, 32, 32), torch.arange(64) % 10
    torch.manual_seed(1)  # with this seed the tutorial's relu output is not dead from the start
    seed_mlp = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 1), nn.ReLU())
    xor_x, xor_y = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]), torch.tensor([0., 1., 1., 0.])
    cnn_x, cnn_y = torch.randn(10, 3, 16, 16), torch.arange(10)
    return {
        "mlp_step": step_of(mlp, mlp_x, lambda out: F.cross_entropy(out, mlp_y), 0.01),
        "lenet_step": step_of(lenet, lenet_x, lambda out: F.cross_entropy(out, lenet_y), 0.01),
        # [4, 1] - [4] broadcasts to [4, 4], as in the tutorial
        "seed_mlp_step": step_of(seed_mlp, xor_x, lambda out: ((out - xor_y) ** 2).mean(), 0.02),
        "seed_cnn_step": step_of(SeedCnn(False), cnn_x, lambda out: F.cross_entropy(out, cnn_y), 0.01),
        "seed_cnn_recomputed_step": step_of(SeedCnn(True), cnn_x, lambda out: F.cross_entropy(out, cnn_y), 0.01),
    }


def check_training(ops):
    """Every training step must train: over a few steps on its fixed batch its loss falls."""
    for name, step in ops.items():
        losses = [step() for _ in range(8)]
        if not losses[-1] < losses[0]:
            sys.exit(f"torch peer: {name} does not train: losses {losses}")
        print(f"torch peer: {name} loss {losses[0]:.4f} -> {losses[-1]:.4f} over 8 steps", file=sys.stderr)


def serve(args):
    torch.set_num_threads(args.threads)
    training = train_ops()
    check_training(training)
    ops = {**conv_ops(), **tape_ops(args.steps), **training}
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
