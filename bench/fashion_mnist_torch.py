#!/usr/bin/python3
"""Fashion-MNIST epochs with PyTorch, the reference for bench_fashion_mnist (bench/README.md, "Fashion-MNIST").

784 - 128 relu - 10, CrossEntropyLoss (mean over the mini-batch), mini-batches of 32 from a fresh shuffle every
epoch (the last one smaller), SGD lr 0.1 or Adam lr 1e-3 (PyTorch's defaults otherwise), float32, PyTorch's
default initialization. Data: Debian's dataset-fashion-mnist IDX files, pixels / 255. Prints each epoch's
training seconds (shuffle, forward, loss, backward, step: the data is already tensors in memory) and the test
accuracy after the last epoch.
Run with Debian's interpreter (python3-torch): /usr/bin/python3 bench/fashion_mnist_torch.py --threads 1
"""
import argparse
import gzip
import os
import statistics
import time

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """An IDX file (optionally gzipped) as a numpy array of its shape (unsigned bytes only, as MNIST's)."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(data_dir, kind):
    x = read_idx(os.path.join(data_dir, f"{kind}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(data_dir, f"{kind}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255)
    return x, torch.from_numpy(y.astype(np.int64))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd", help="sgd (lr 0.1) or adam (lr 1e-3)")
    ap.add_argument("--epochs", type=int, default=5, help="epochs (default 5)")
    ap.add_argument("--batch", type=int, default=32, help="mini-batch size (default 32)")
    ap.add_argument("--seed", type=int, default=0, help="torch.manual_seed: initial weights and shuffles")
    ap.add_argument("--data", default=DATA, help=f"folder of the IDX files (default {DATA})")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train_x, train_y = load(args.data, "train")
    test_x, test_y = load(args.data, "t10k")
    net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    if args.optimizer == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
    else:
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {args.optimizer}, batch {args.batch}, "
          f"{len(train_x)} training / {len(test_x)} test samples")
    seconds = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(train_x))
        net.train()
        total = 0.0
        for b in range(0, len(order), args.batch):
            idx = order[b:b + args.batch]
            opt.zero_grad()
            loss = loss_fn(net(train_x[idx]), train_y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds.append(time.perf_counter() - start)
        print(f"epoch {epoch}: {seconds[-1]:.3f} s, training loss {total / len(order):.4f}", flush=True)
    net.eval()
    with torch.no_grad():
        accuracy = (net(test_x).argmax(1) == test_y).float().mean().item()
    print(f"median epoch {statistics.median(seconds):.3f} s; test accuracy after {args.epochs} epochs: "
          f"{100 * accuracy:.2f}%")


if __name__ == "__main__":
    main()
