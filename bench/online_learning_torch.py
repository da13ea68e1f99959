#!/usr/bin/python3
"""Online learning with PyTorch, the reference for bench_online_learning (bench/README.md, "Online learning").

One single-sample SGD step (forward, MSE loss, backward, torch.optim.SGD step) of 8 - 16 tanh - 16 tanh - 1,
float32, lr 0.01, the 16 (input, target) pairs taken in turn; prints the median over --repeats timed runs of
--steps steps each, as ns per step and steps per second.
Run with Debian's interpreter (python3-torch): /usr/bin/python3 bench/online_learning_torch.py [--threads 1]
"""
import argparse
import math
import statistics
import time

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--steps", type=int, default=20000, help="steps per timed run (default 20000)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs; the median is reported (default 5)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(),
                              torch.nn.Linear(16, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    xs = torch.rand(16, 1, 8) * 2 - 1  # one-sample batches, as the network sees them
    ts = 0.5 * torch.sin(xs[:, :, 0:1] + xs[:, :, 1:2])

    def run(steps):
        for k in range(steps):
            s = k % 16
            opt.zero_grad()
            loss = loss_fn(net(xs[s]), ts[s])
            loss.backward()
            opt.step()
        return float(loss)

    run(1000)  # warm-up
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        last = run(args.steps)
        times.append((time.perf_counter() - start) / args.steps)
    ns = statistics.median(times) * 1e9
    assert math.isfinite(last)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s): {ns:.0f} ns/step, "
          f"{1e9 / ns:,.0f} steps/s (median of {args.repeats} runs of {args.steps} steps; last loss {last:.3g})")


if __name__ == "__main__":
    main()
