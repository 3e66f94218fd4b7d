#!/usr/bin/env python3
"""PyTorch side of `scripts/bench train-fashion`: one training epoch on Fashion-MNIST, as Cotangent's
`scripts/train` runs it, timed the same way.

  train_fashion.py --model mlp|cnn --batch B --threads T --seed S [--data DIR] [--lr X]

Same data (the IDX files read with numpy), the same standardization (the training pixels' mean and standard
deviation), shuffled batches with the last partial one kept, the same networks (NHWC there, NCHW here: the
layouts differ, the arithmetic does not), Adam with PyTorch's defaults but the learning rate, then the test
accuracy. The timed part is the training loop alone, as on the Cotangent side. Prints one line:

  TORCH model=mlp epoch_seconds=<s> samples_per_s=<n> test_accuracy=<fraction> threads=<T> batch=<B>
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0:3] != b"\x00\x00\x08":
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def find(directory, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    raise SystemExit(f"{directory}: neither {name}.gz nor {name}")


def model(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 64, 256), nn.ReLU(), nn.Linear(256, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["mlp", "cnn"], required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    train_x = read_idx(find(a.data, "train-images-idx3-ubyte")).astype(np.float32) / 255
    train_y = read_idx(find(a.data, "train-labels-idx1-ubyte")).astype(np.int64)
    test_x = read_idx(find(a.data, "t10k-images-idx3-ubyte")).astype(np.float32) / 255
    test_y = read_idx(find(a.data, "t10k-labels-idx1-ubyte")).astype(np.int64)
    mean, std = float(train_x.mean()), float(train_x.std())
    train_x = torch.from_numpy((train_x - mean) / std).unsqueeze(1)  # NCHW
    test_x = torch.from_numpy((test_x - mean) / std).unsqueeze(1)
    train_y, test_y = torch.from_numpy(train_y), torch.from_numpy(test_y)

    net = model(a.model)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    order = torch.randperm(len(train_y), generator=torch.Generator().manual_seed(a.seed))
    start = time.perf_counter()
    for i in range(0, len(order), a.batch):
        idx = order[i:i + a.batch]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(train_x[idx]), train_y[idx])
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start

    with torch.no_grad():
        correct = sum(int((net(test_x[i:i + 500]).argmax(1) == test_y[i:i + 500]).sum())
                      for i in range(0, len(test_y), 500))
    print(f"TORCH model={a.model} epoch_seconds={seconds:.2f} samples_per_s={len(order) / seconds:.0f}"
          f" test_accuracy={correct / len(test_y):.4f} threads={a.threads} batch={a.batch}", flush=True)


if __name__ == "__main__":
    main()
