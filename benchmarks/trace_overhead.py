"""What watching costs: an op-heavy forward + backward loop with no subscriber, and with a
subscriber that records every event (as graphtui's recorder does). Prints medians and the
ratio. Times are this process's CPU time (time.process_time), so other work on a shared
machine inflates them less than wall time. Usage: python benchmarks/trace_overhead.py
[--repeats R]"""
from __future__ import annotations

import argparse
import statistics
import time

import engine
from engine import trace


def op_heavy_step(x, w):
    h = x
    for _ in range(20):
        h = (h * w + 0.1).tanh()
        h = h - h.mean()
    loss = (h * h).sum()
    loss.backward()
    return loss


def timed(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def measure(size: int, repeats: int) -> tuple[float, float]:
    engine.manual_seed(0)
    x = engine.randn(size)
    w = engine.randn(size, requires_grad=True)
    step = lambda: op_heavy_step(x, w)
    for _ in range(5):
        step()
    plain = timed(step, repeats)
    recorded = []
    trace.subscribe(recorded.append)
    try:
        step()
        watched = timed(step, repeats)
    finally:
        trace.unsubscribe(recorded.append)
    return plain, watched


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    print(f"{'elements':>9} {'plain ms':>9} {'watched ms':>11} {'ratio':>6}")
    for size in (16, 1024, 65536):
        plain, watched = measure(size, args.repeats)
        print(f"{size:>9} {plain * 1e3:>9.3f} {watched * 1e3:>11.3f} {watched / plain:>6.2f}")


if __name__ == "__main__":
    main()
