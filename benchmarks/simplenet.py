"""The tutorial's SimpleNet training step (forward, CrossEntropyLoss, backward, SGD step):
engine against PyTorch CPU in one process, median times and the ratio engine/torch.

    PYTHONPATH=. python benchmarks/simplenet.py [--batches 1,64,256] [--rounds 7]

Also `import engine` time and the first training step in a fresh process (warm Numba
cache), each in its own subprocess. Without torch it prints the engine's figures only.
Each library cycles through 16 batches of random data with random labels, and the times are
reported only when the gradients are normal floats at the end (regime.py says why).
Blocks of steps alternate between the libraries, with a pause before each, so noise on this
shared machine hits both alike (and one library's spinning BLAS/OpenMP threads do not slow
the other).
"""
import argparse
import itertools
import os
import pathlib
import statistics
import subprocess
import sys
import time
import types

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "engine" / "nn"))
import nn_cases as cases  # noqa: E402  (SimpleNet and its deterministic weights)

import engine  # noqa: E402
import regime  # noqa: E402  (benchmarks/regime.py: data and checks for normal floats)

try:
    import torch
except ImportError:
    torch = None


def library(module):
    return types.SimpleNamespace(torch=module, nn=module.nn, F=module.nn.functional,
                                 optim=module.optim)


BATCHES = 16       # distinct batches each library cycles through (see regime.py)
# Small enough that no batch size kills the net's last ReLU for every input (at 0.01, batch 1
# dies within 150 steps: all gradients exactly 0 from then on).
LR = 0.001


def make_step(lib, batch):
    """A training step on the next of BATCHES random batches, and the net it trains."""
    net = cases.simplenet(lib)
    batches = regime.as_library(lib.torch, regime.random_batches(BATCHES, batch, (1, 28, 28), 10))
    loss_fn = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(net.parameters(), lr=LR, momentum=0.9)
    turn = itertools.count()

    def step():
        x, target = batches[next(turn) % BATCHES]
        optimizer.zero_grad()
        loss = loss_fn(net(x), target)
        loss.backward()
        optimizer.step()
    step.net = net
    return step


def block_seconds(step, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def steps_per_block(batch):
    return 200 if batch == 1 else (20 if batch <= 64 else 6)


def measure(batch, rounds):
    """Median seconds per step, {name: seconds}, over alternating blocks."""
    steps = {"engine": make_step(library(engine), batch)}
    if torch is not None:
        steps["torch"] = make_step(library(torch), batch)
    times = {name: [] for name in steps}
    for step in steps.values():
        block_seconds(step, 3)
    for _ in range(rounds):
        for name, step in steps.items():
            time.sleep(0.05)
            times[name].append(block_seconds(step, steps_per_block(batch)))
    for name, step in steps.items():
        regime.require_normal_steps(step, step.net.parameters(), f"{name} at batch {batch}")
    return {name: statistics.median(values) for name, values in times.items()}


def in_fresh_process(code):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


IMPORT_CODE = ("import time; t = time.perf_counter(); import engine; "
               "print(time.perf_counter() - t)")
FIRST_STEP_CODE = f"""
import sys, time, types
sys.path.insert(0, {str(ROOT / 'tests' / 'engine' / 'nn')!r})
import engine, nn_cases as cases
lib = types.SimpleNamespace(torch=engine, nn=engine.nn, F=engine.nn.functional, optim=engine.optim)
t = time.perf_counter()
net = cases.simplenet(lib)
x, target = cases.simplenet_batch(lib, 1)
optimizer = lib.optim.SGD(net.parameters(), lr=0.01)
loss = lib.nn.CrossEntropyLoss()(net(x), target)
loss.backward()
optimizer.step()
print(time.perf_counter() - t)
"""


def startup(repeats=5):
    in_fresh_process(FIRST_STEP_CODE)          # warms Numba's cache
    imports = [in_fresh_process(IMPORT_CODE) for _ in range(repeats)]
    first_steps = [in_fresh_process(FIRST_STEP_CODE) for _ in range(repeats)]
    return statistics.median(imports), statistics.median(first_steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="1,64,256")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--torch-threads", type=int, default=0,
                        help="torch.set_num_threads(n) first (0: torch's default)")
    args = parser.parse_args()
    if torch is not None and args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; torch "
          f"{torch.__version__ if torch else 'not installed'} "
          f"(threads {torch.get_num_threads() if torch else '-'}); numpy {np.__version__}")
    import_s, first_step_s = startup()
    print(f"import engine: {import_s * 1e3:.0f} ms (median of 5 fresh processes)")
    print(f"first SimpleNet step, fresh process, warm Numba cache: {first_step_s * 1e3:.0f} ms")
    print(f"{'batch':>6} {'engine ms':>10} {'torch ms':>10} {'engine/torch':>13}")
    for batch in (int(b) for b in args.batches.split(",")):
        result = measure(batch, args.rounds)
        engine_ms = result["engine"] * 1e3
        if "torch" in result:
            torch_ms = result["torch"] * 1e3
            print(f"{batch:>6} {engine_ms:>10.3f} {torch_ms:>10.3f} {engine_ms / torch_ms:>13.2f}")
        else:
            print(f"{batch:>6} {engine_ms:>10.3f} {'-':>10} {'-':>13}")
    print(f"load at the end: {os.getloadavg()[0]:.1f} (other processes skew both columns)")


if __name__ == "__main__":
    main()
