"""The exact fma of engine/optim/_fma.py (add(alpha=), addcmul, lerp in the optimizers)
against a plain evaluation in a wider type (what it replaced, which double-rounds), and
against torch's add(alpha=), in one process.

    PYTHONPATH=. python benchmarks/optim_fma.py [--repeat 11] [--sizes 1000,100000,1000000]

Blocks of each alternate so machine noise hits all alike; prints the median and minimum
microseconds and the load average (on the shared 2-core machine the minimum is the better
guide)."""
import argparse
import os
import statistics
import time

import numpy as np

from engine.optim._fma import fma

try:
    import torch
except ImportError:
    torch = None


def wide_once(a, b, c, dtype):
    wide = np.float64 if dtype == np.float32 else np.longdouble
    return (np.asarray(a, wide) * np.asarray(b, wide) + np.asarray(c, wide)).astype(dtype)


def timed(fn, calls: int = 5) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--sizes", default="1000,100000,1000000")
    args = parser.parse_args()
    print("load average", os.getloadavg())
    rng = np.random.default_rng(0)
    for size in map(int, args.sizes.split(",")):
        for dtype in (np.float32, np.float64):
            a, c = (rng.normal(size=size).astype(dtype) for _ in range(2))
            b = np.asarray(0.3, dtype)
            cases = {"fma": lambda: fma(a, b, c, dtype),
                     "wide type": lambda: wide_once(a, b, c, dtype)}
            if torch is not None:
                ta, tc = torch.from_numpy(a), torch.from_numpy(c)
                cases["torch add"] = lambda: tc.add(ta, alpha=0.3)
            times = {name: [] for name in cases}
            for _ in range(args.repeat):
                for name, fn in cases.items():
                    times[name].append(timed(fn))
            print(f"{size:>8} {np.dtype(dtype).name}: " + ", ".join(
                f"{name} median {statistics.median(t):.0f} us min {min(t):.0f} us"
                for name, t in times.items()))


if __name__ == "__main__":
    main()
