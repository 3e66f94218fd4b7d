#!/usr/bin/env python3
"""PyTorch side of Cotangent's weight-file interop and step-for-step parity checks (Debian's python3-torch and
the safetensors package). Every file it reads or writes is a safetensors file in DIR.

  torch_weights.py export DIR
      Builds the MLP (784-256-10) and the CNN (LeNet shape on 28x28x1) with seed 0, in float32 and float64,
      saves their state_dicts (torch_{mlp,cnn}_{f32,f64}.safetensors), an input batch and the models' outputs
      on it (torch_inputs.safetensors: x [8, 1, 28, 28] float32, {mlp,cnn}_{f32,f64}).
  torch_weights.py check DIR
      Loads the models Cotangent saved in PyTorch's layout (cotangent_{mlp,cnn}_{f32,f64}.safetensors,
      load_state_dict strict), runs them on the same input and compares with Cotangent's own outputs
      (cotangent_outputs.safetensors). Prints `INTEROP torch-loads-cotangent ...` and exits 1 over 1e-6.
  torch_weights.py parity DIR [--steps 10] [--batch 32] [--lr 0.05]
      Saves the initial weights (parity_init_mlp/cnn) and STEPS deterministic batches (parity_batches: x.<i>
      [B, 784] in [0, 1), y.<i> [B] class indices as float32), then trains both models with plain SGD on
      CrossEntropyLoss (mean over the batch, the same convention as Losses.softmaxCrossEntropy) and saves the
      losses and final weights (parity_torch_mlp/cnn: losses [STEPS] float64 plus the state_dict).
  torch_weights.py compare DIR [--tolerance 1e-5]
      Reads the torch and Cotangent results of `parity` and prints
      `RESULT parity max_rel_loss_diff=<x> max_rel_weight_diff=<y> ...`; exits 1 over the tolerance.

Relative differences: a loss |a - b| / |b|; a weight element |a - b| / max(|b|, 1e-3), maximised over every
element of every tensor; an output tensor max|a - b| / max|b|.
"""
import argparse
import os
import sys

import torch
from safetensors.torch import load_file, save_file

torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
torch.use_deterministic_algorithms(True)


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))


def cnn():
    # Cotangent: Conv2D(5,5,1,6,relu) MaxPool2D(2) Conv2D(5,5,6,16,relu) MaxPool2D(2) Flatten Dense(256,120,relu)
    # Dense(120,84,relu) Dense(84,10); PyTorch flattens [16, 4, 4] channel-first.
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(256, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(),
        torch.nn.Linear(84, 10))


def models():
    torch.manual_seed(0)
    return {"mlp": mlp(), "cnn": cnn()}


def forward(name, model, x):
    """x is [B, 1, 28, 28]; the MLP sees it flattened to [B, 784]."""
    with torch.no_grad():
        return model(x.reshape(x.shape[0], -1) if name == "mlp" else x)


def state(model):
    return {k: v.detach().contiguous() for k, v in model.state_dict().items()}


DTYPES = {"f32": torch.float32, "f64": torch.float64}


def export(d):
    g = torch.Generator().manual_seed(1)
    x = torch.rand(8, 1, 28, 28, generator=g)
    outputs = {"x": x}
    for suffix, dtype in DTYPES.items():
        for name, m in models().items():
            m = m.to(dtype)
            save_file(state(m), os.path.join(d, f"torch_{name}_{suffix}.safetensors"), metadata={"format": "pt"})
            outputs[f"{name}_{suffix}"] = forward(name, m, x.to(dtype))
    save_file(outputs, os.path.join(d, "torch_inputs.safetensors"))


def rel_output(a, b):
    return ((a.double() - b.double()).abs().max() / b.double().abs().max()).item()


def check(d):
    theirs = load_file(os.path.join(d, "cotangent_outputs.safetensors"))
    x = load_file(os.path.join(d, "torch_inputs.safetensors"))["x"]
    worst = 0.0
    for suffix, dtype in DTYPES.items():
        for name, m in models().items():
            m = m.to(dtype)
            m.load_state_dict(load_file(os.path.join(d, f"cotangent_{name}_{suffix}.safetensors")), strict=True)
            r = rel_output(forward(name, m, x.to(dtype)), theirs[f"{name}_{suffix}"])
            print(f"INTEROP torch-loads-cotangent model={name} dtype={suffix} max_rel_output_diff={r:.3g}")
            worst = max(worst, r)
    return 0 if worst <= 1e-6 else 1


def parity(d, steps, batch, lr):
    ms = models()
    g = torch.Generator().manual_seed(2)
    batches = {}
    for i in range(steps):
        batches[f"x.{i}"] = torch.rand(batch, 784, generator=g)
        batches[f"y.{i}"] = torch.randint(0, 10, (batch,), generator=g).float()
    save_file(batches, os.path.join(d, "parity_batches.safetensors"),
              metadata={"steps": str(steps), "batch": str(batch), "lr": repr(lr)})
    loss_fn = torch.nn.CrossEntropyLoss(reduction="mean")
    for name, m in ms.items():
        save_file(state(m), os.path.join(d, f"parity_init_{name}.safetensors"), metadata={"format": "pt"})
        opt = torch.optim.SGD(m.parameters(), lr=lr)
        losses = []
        for i in range(steps):
            x = batches[f"x.{i}"]
            if name == "cnn":
                x = x.reshape(batch, 1, 28, 28)
            opt.zero_grad()
            loss = loss_fn(m(x), batches[f"y.{i}"].long())
            loss.backward()
            opt.step()
            losses.append(loss.item())
        result = state(m)
        result["losses"] = torch.tensor(losses, dtype=torch.float64)
        save_file(result, os.path.join(d, f"parity_torch_{name}.safetensors"))


def compare(d, tolerance):
    worst_loss = worst_weight = worst_update = 0.0
    for name in ("mlp", "cnn"):
        ours = load_file(os.path.join(d, f"parity_cotangent_{name}.safetensors"))
        ours.update(load_file(os.path.join(d, f"parity_cotangent_{name}_losses.safetensors")))
        theirs = load_file(os.path.join(d, f"parity_torch_{name}.safetensors"))
        init = load_file(os.path.join(d, f"parity_init_{name}.safetensors"))
        if set(ours) != set(theirs):
            print(f"parity: {name}: tensors differ: {sorted(set(ours) ^ set(theirs))}", file=sys.stderr)
            return 1
        a, b = ours["losses"], theirs["losses"]
        rel_loss = ((a - b).abs() / b.abs()).max().item()
        rel_weight = rel_update = 0.0
        for k in theirs:
            if k == "losses":
                continue
            wa, wb = ours[k].double(), theirs[k].double()
            rel_weight = max(rel_weight, ((wa - wb).abs() / wb.abs().clamp(min=1e-3)).max().item())
            ua, ub = wa - init[k].double(), wb - init[k].double()
            rel_update = max(rel_update, ((ua - ub).norm() / ub.norm()).item())
        print(f"parity {name}: losses torch {', '.join(f'{v:.6f}' for v in b.tolist())}")
        print(f"parity {name}: max_rel_loss_diff={rel_loss:.3g} max_rel_weight_diff={rel_weight:.3g}"
              f" max_rel_update_diff={rel_update:.3g} (update: ||dw_a - dw_b|| / ||dw_b|| per tensor)")
        worst_loss, worst_weight = max(worst_loss, rel_loss), max(worst_weight, rel_weight)
        worst_update = max(worst_update, rel_update)
    print(f"RESULT parity max_rel_loss_diff={worst_loss:.3g} max_rel_weight_diff={worst_weight:.3g}"
          f" max_rel_update_diff={worst_update:.3g} tolerance={tolerance:g}")
    return 0 if worst_loss <= tolerance and worst_weight <= tolerance else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["export", "check", "parity", "compare"])
    p.add_argument("dir")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--tolerance", type=float, default=1e-5)
    a = p.parse_args()
    if a.command == "export":
        export(a.dir)
    elif a.command == "check":
        sys.exit(check(a.dir))
    elif a.command == "parity":
        parity(a.dir, a.steps, a.batch, a.lr)
    else:
        sys.exit(compare(a.dir, a.tolerance))


if __name__ == "__main__":
    main()
