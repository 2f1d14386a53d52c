"""The convolution and pooling surface of issue #11 against PyTorch's CPU ops, through the
public API with autograd (forward and backward of a summed output), in one process.

    PYTHONPATH=. python benchmarks/conv_transpose.py [--repeat 40]

Cases: a DCGAN generator layer (ConvTranspose2d 64->32, k4 s2 p1, 8x8 -> 16x16, batch 16),
a 1-D decoder layer (ConvTranspose1d 16->8, k4 s2 p1, length 64, batch 32), a small Conv3d
(4->8, k3 p1 on 8x16x16, batch 4), MaxPool3d 2 on its output, MaxPool1d 2 and
AdaptiveAvgPool1d 8 on [32, 16, 128]. Engine and torch run in alternating blocks; each
prints the median and minimum milliseconds and the ratio of medians, with the load average.
"""

import argparse
import os
import statistics
import time

import numpy as np
import torch

import engine


def _case(lib, name):
    rng = np.random.default_rng(0)

    def leaf(*shape):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)

    F = lib.nn.functional
    if name == "conv_transpose2d":
        x, w = leaf(16, 64, 8, 8), leaf(64, 32, 4, 4)
        return lambda: F.conv_transpose2d(x, w, None, 2, 1), (x, w)
    if name == "conv_transpose1d":
        x, w = leaf(32, 16, 64), leaf(16, 8, 4)
        return lambda: F.conv_transpose1d(x, w, None, 2, 1), (x, w)
    if name == "conv3d":
        x, w = leaf(4, 4, 8, 16, 16), leaf(8, 4, 3, 3, 3)
        return lambda: F.conv3d(x, w, None, 1, 1), (x, w)
    if name == "max_pool3d":
        x = leaf(4, 8, 8, 16, 16)
        return lambda: F.max_pool3d(x, 2), (x,)
    if name == "max_pool1d":
        x = leaf(32, 16, 128)
        return lambda: F.max_pool1d(x, 2), (x,)
    x = leaf(32, 16, 128)
    return lambda: F.adaptive_avg_pool1d(x, 8), (x,)


CASES = ("conv_transpose2d", "conv_transpose1d", "conv3d", "max_pool3d", "max_pool1d",
         "adaptive_avg_pool1d")


def _step(lib, forward, leaves):
    def run():
        grads = lib.autograd.grad(forward().sum(), leaves)
        return grads
    return run


def _block(call, count):
    time.sleep(0.2)
    for _ in range(3):
        call()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; ms per forward + backward, median (min)")
    for name in CASES:
        steps = {lib: _step(lib, *_case(lib, name)) for lib in (engine, torch)}
        times = {engine: [], torch: []}
        for _ in range(4):
            for lib in (engine, torch):
                times[lib] += _block(steps[lib], max(1, args.repeat // 4))
        medians = {lib: statistics.median(t) * 1e3 for lib, t in times.items()}
        print(f"{name:20s} engine {medians[engine]:8.3f} ({min(times[engine]) * 1e3:.3f})  "
              f"torch {medians[torch]:8.3f} ({min(times[torch]) * 1e3:.3f})  "
              f"ratio {medians[engine] / medians[torch]:.2f}")


if __name__ == "__main__":
    main()
