"""How often the engine's float32 math agrees with torch's bit for bit, and what it costs.

    PYTHONPATH=. python benchmarks/float32_agreement.py [--size 1000000] [--repeat 15]

For exp, log, sin, cos, tanh, sigmoid, expm1, log1p, sqrt, pow and softmax / log_softmax
rows (forward and gradient): the share of float32 values equal to torch's bit for bit, on
random values of the ranges a model meets. Then the median milliseconds of the engine's
op on `--size` elements, float32 and float64, with the load average (2 shared cores: run
it on a quiet machine, or compare against a run of the parent commit at the same time).
"""

import argparse
import os
import statistics
import time

import numpy as np
import torch

import engine


def values(kind: str, size: int, rng) -> np.ndarray:
    half = size // 2
    if kind == "positive":
        parts = rng.uniform(1e-3, 100, half), np.exp(rng.normal(0, 2, half))
    elif kind == "above -1":
        parts = rng.uniform(-0.99, 3, half), np.abs(rng.normal(0, 1, half))
    else:
        parts = rng.uniform(-10, 10, half), rng.normal(0, 3, half)
    return np.concatenate(parts).astype(np.float32)


def agreement(expected, actual) -> float:
    same = expected.view(np.int32) == actual.view(np.int32)
    return float(np.mean(same | (np.isnan(expected) & np.isnan(actual))))


UNARY = [("exp", "wide"), ("log", "positive"), ("sin", "wide"), ("cos", "wide"),
         ("tanh", "wide"), ("sigmoid", "wide"), ("expm1", "wide"), ("log1p", "above -1"),
         ("sqrt", "positive")]


def forward_and_grad(lib, data, call, grad=None):
    x = lib.tensor(data, requires_grad=True)
    y = call(lib, x)
    y.backward(lib.ones_like(y) if grad is None else lib.tensor(grad))
    return y.detach().numpy(), x.grad.numpy()


def report_agreement(size: int) -> None:
    rng = np.random.default_rng(5)
    print(f"{'case':24s} forward  gradient   (share of bit-equal float32 values)")
    cases = [(name, values(kind, size, rng), lambda lib, x, n=name: getattr(lib, n)(x), None)
             for name, kind in UNARY]
    base, wide = values("positive", size, rng), values("wide", size, rng)
    for exponent in (2, 3, -2, 0.5, 1.5, 4):
        cases.append((f"pow {exponent}", base, lambda lib, x, e=exponent: x ** e, None))
    exponent = wide / 3
    cases.append(("pow(tensor, tensor)", base,
                  lambda lib, x: x ** lib.tensor(exponent), None))
    for classes in (3, 10, 100, 1000):
        rows = wide[:size // classes * classes].reshape(-1, classes)
        grad = rng.normal(size=rows.shape).astype(np.float32)
        for name in ("softmax", "log_softmax"):
            cases.append((f"{name} rows of {classes}", rows,
                          lambda lib, x, n=name: getattr(lib, n)(x, -1), grad))
    for label, data, call, grad in cases:
        expected = forward_and_grad(torch, data, call, grad)
        actual = forward_and_grad(engine, data, call, grad)
        print(f"{label:24s} {agreement(expected[0], actual[0]):.4f}   "
              f"{agreement(expected[1], actual[1]):.4f}")


def median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def report_speed(size: int, repeat: int) -> None:
    print(f"\nengine op on {size} elements, median ms of {repeat}; "
          f"load {os.getloadavg()[0]:.2f}")
    rng = np.random.default_rng(6)
    for name, kind in UNARY + [("pow 1.5", "positive"), ("softmax", "wide"),
                               ("log_softmax", "wide")]:
        row = []
        for dtype in (np.float32, np.float64):
            data = values(kind, size, rng).astype(dtype)
            if name.endswith("softmax"):
                data = data.reshape(-1, 100)
            x = engine.tensor(data)
            call = {"pow 1.5": lambda: x ** 1.5, "softmax": lambda: engine.softmax(x, -1),
                    "log_softmax": lambda: engine.log_softmax(x, -1)}.get(
                name, lambda: getattr(engine, name)(x))
            row.append(median_ms(call, repeat))
        print(f"{name:12s} float32 {row[0]:7.2f}   float64 {row[1]:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    report_agreement(args.size)
    report_speed(args.size, args.repeat)


if __name__ == "__main__":
    main()
