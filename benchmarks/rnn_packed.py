"""Recurrent layers' training step, engine against PyTorch, in one process:

    PYTHONPATH=. python benchmarks/rnn_packed.py [--repeat 5]

For RNN, GRU and LSTM (2 layers, 32 -> 64, 50 steps, batch 16): a padded input, and the
same input packed with 16 different lengths (pack_padded_sequence, the layer, backward of
the packed output's sum). Engine and torch calls alternate so machine noise hits both
alike; it prints the median and the minimum milliseconds of each, the ratio of medians
engine/torch, and the load average (a shared 2-core machine moves the medians a lot).
"""
import argparse
import os
import statistics
import time

import numpy as np
import torch

import engine

STEPS, BATCH, FEATURES, HIDDEN = 50, 16, 32, 64
LENGTHS = [STEPS - 3 * i for i in range(BATCH)]


def _step(lib, module, data, packed: bool):
    x = lib.tensor(data, requires_grad=True)
    if packed:
        out, _ = module(lib.nn.utils.rnn.pack_padded_sequence(x, LENGTHS))
        out = out.data
    else:
        out, _ = module(x)
    out.sum().backward()


def _case(kind: str, packed: bool, repeat: int) -> str:
    data = np.random.default_rng(0).standard_normal((STEPS, BATCH, FEATURES)).astype("float32")
    modules = {lib: getattr(lib.nn, kind)(FEATURES, HIDDEN, num_layers=2)
               for lib in (engine, torch)}
    times = {engine: [], torch: []}
    for _ in range(repeat):
        for lib, module in modules.items():
            start = time.perf_counter()
            _step(lib, module, data, packed)
            times[lib].append((time.perf_counter() - start) * 1e3)
    medians = {lib: statistics.median(values) for lib, values in times.items()}
    return (f"{kind:5} {'packed' if packed else 'padded':7}"
            f" engine {medians[engine]:8.1f} ms (min {min(times[engine]):7.1f})"
            f"  torch {medians[torch]:7.1f} ms (min {min(times[torch]):6.1f})"
            f"  ratio {medians[engine] / medians[torch]:5.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    for kind in ("RNN", "GRU", "LSTM"):
        for packed in (False, True):
            print(_case(kind, packed, args.repeat))


if __name__ == "__main__":
    main()
