"""What watching costs a training loop: a SimpleNet-sized CNN, batch 32, 200 SGD steps.

The net is the tutorial's SimpleNet without its last ReLU (conv1 1->10 k5, max-pool 2, conv2
10->20 k5, max-pool 2, view, fc 320->50, ReLU, fc 50->10), trained with CrossEntropyLoss
and SGD (lr 0.01, momentum 0.9) on a fresh batch of random normal data with random labels
at every step (regime.py says why). Each round times the same 200 steps from the same
weights:

  (a) engine      the plain engine, nobody watching;
  (b) watched     the engine watched by graphtui's own recorder as the runner runs it
                  (its value budget, batches pickled for the channel and written to
                  /dev/null, graphtui's GC setting);
  (c) torch       PyTorch CPU, the same loop, unwatched;
  (d) dump        with --dump: `graphtui dump` of this file run as a scenario, wall time
                  less the start-up (the same command with 0 steps);
  (e) plain run   with --dump: the same scenario run as a plain program, wall time less
                  its start-up likewise. The scenario makes its batches before its loop,
                  which (a) leaves out of its time: "dump / plain run" compares the two
                  processes as a person would time them (issue 12's measure), "dump /
                  engine" the dump with the engine's loop alone (stricter);
  (f) record      with --dump: `graphtui record -o OUT -- python THIS --scenario`, as a
                  user records a program of their own, as .gtr (compact) and as .jsonl
                  (JSON lines), wall time less its start-up.

Medians over the rounds and their ratios; times are reported only when the gradients are
normal floats. Usage:

    PYTHONPATH=. python benchmarks/training_loop.py [--rounds 5] [--steps 200] [--dump]
        [--threads N]

Run with ``--scenario`` (what --dump does) it is a graphtui scenario: the engine's loop only.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import types

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import regime  # noqa: E402

import engine  # noqa: E402

BATCH, STEPS, CLASSES, INPUT = 32, 200, 10, (1, 28, 28)
LR, MOMENTUM = 0.01, 0.9


def library(module):
    return types.SimpleNamespace(torch=module, nn=module.nn, F=module.nn.functional,
                                 optim=module.optim)


def cnn_class(lib):
    nn, F = lib.nn, lib.F

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, 5)
            self.pool1 = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(10, 20, 5)
            self.pool2 = nn.MaxPool2d(2, 2)
            self.fc = nn.Linear(320, 50)
            self.out = nn.Linear(50, 10)

        def forward(self, x):
            x = self.pool1(self.conv1(x))
            x = self.pool2(self.conv2(x))
            x = x.view(x.size(0), -1)
            return self.out(F.relu(self.fc(x)))

    return CNN


def initial_weights(net) -> dict:
    """PyTorch's default ranges (uniform in +-1/sqrt(fan_in)) from NumPy, so both
    libraries start from the same numbers."""
    rng = np.random.default_rng(1)
    weights, fan_in = {}, 1
    for name, value in net.state_dict().items():
        shape = tuple(value.shape)
        if len(shape) > 1:               # a weight; the bias after it shares its fan_in
            fan_in = int(np.prod(shape[1:]))
        bound = 1 / np.sqrt(fan_in)
        weights[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return weights


class Loop:
    """One training run: a net from the fixed initial weights, its optimizer, the batches."""

    def __init__(self, lib, batches, weights):
        self.net = cnn_class(lib)()
        self.net.load_state_dict({name: lib.torch.tensor(value)
                                  for name, value in weights.items()})
        self.optimizer = lib.optim.SGD(self.net.parameters(), lr=LR, momentum=MOMENTUM)
        self.loss_fn = lib.nn.CrossEntropyLoss()
        self.batches = batches
        self.done = 0

    def step(self) -> None:
        x, target = self.batches[self.done % len(self.batches)]
        self.done += 1
        self.optimizer.zero_grad()
        self.loss_fn(self.net(x), target).backward()
        self.optimizer.step()

    def run(self, steps: int) -> float:
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


def watched(run):
    """``run()`` with every event recorded as graphtui's recorder records it."""
    from graphtui import gc_tuning
    from graphtui.budget import DEFAULT_VALUE_BUDGET
    from graphtui.runner.recorder import Recorder, Sender
    sink = os.open(os.devnull, os.O_WRONLY)
    recorder = Recorder(Sender(sink), pathlib.Path(__file__), None, DEFAULT_VALUE_BUDGET)
    with gc_tuning.recording():
        recorder.subscribe()
        try:
            return run()
        finally:
            recorder.unsubscribe()
            os.close(sink)


def dump_seconds(steps: int) -> float:
    """Wall time of `graphtui dump` running this file as a scenario for ``steps`` steps."""
    return _command_seconds([sys.executable, "-m", "graphtui", "dump",
                             str(pathlib.Path(__file__).resolve()), "-o", os.devnull, "--",
                             "--scenario", "--steps", str(steps)])


def record_seconds(steps: int, suffix: str) -> float:
    """Wall time of `graphtui record -o OUT.<suffix> -- python THIS --scenario` (the
    program watched as a user's own, recorded as .gtr or .jsonl)."""
    with tempfile.TemporaryDirectory() as folder:
        return _command_seconds([sys.executable, "-m", "graphtui", "record", "-o",
                                 os.path.join(folder, f"run.{suffix}"), "--", sys.executable,
                                 str(pathlib.Path(__file__).resolve()), "--scenario",
                                 "--steps", str(steps)])


def plain_seconds(steps: int) -> float:
    """Wall time of the same scenario run as a plain program, without graphtui."""
    return _command_seconds([sys.executable, str(pathlib.Path(__file__).resolve()),
                             "--scenario", "--steps", str(steps)])


def _command_seconds(command: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def scenario(steps: int) -> None:
    """The engine's loop alone, as graphtui runs it; fails on denormal gradients."""
    batches = regime.as_library(engine, regime.random_batches(steps or 1, BATCH, INPUT, CLASSES))
    loop = Loop(library(engine), batches, initial_weights(cnn_class(library(engine))()))
    loop.run(steps)
    if steps:
        regime.require_normal(regime.gradient_arrays(loop.net.parameters()), "scenario")


def measure(args, torch) -> dict[str, list[float]]:
    data = regime.random_batches(args.steps, BATCH, INPUT, CLASSES)
    libs = {"engine": library(engine)}
    if torch is not None:
        libs["torch"] = library(torch)
    batches = {name: regime.as_library(lib.torch, data) for name, lib in libs.items()}
    weights = initial_weights(cnn_class(libs["engine"])())
    runs = {"engine": lambda: Loop(libs["engine"], batches["engine"], weights),
            "watched": lambda: Loop(libs["engine"], batches["engine"], weights)}
    if torch is not None:
        runs["torch"] = lambda: Loop(libs["torch"], batches["torch"], weights)
    for make in runs.values():
        make().run(3)                                   # compile, allocate, warm caches
    times: dict[str, list[float]] = {name: [] for name in runs}
    last: dict[str, Loop] = {}
    for _ in range(args.rounds):
        for name, make in runs.items():
            loop = last[name] = make()
            time.sleep(0.05)
            run = lambda: loop.run(args.steps)
            times[name].append(watched(run) if name == "watched" else run())
    for name, loop in last.items():
        regime.require_normal_steps(loop.step, loop.net.parameters(), name)
    if args.dump:
        startup = [dump_seconds(0) for _ in range(args.rounds)]
        full = [dump_seconds(args.steps) for _ in range(args.rounds)]
        times["dump"] = [t - statistics.median(startup) for t in full]
        times["dump start-up"] = startup
        plain_startup = [plain_seconds(0) for _ in range(args.rounds)]
        plain_full = [plain_seconds(args.steps) for _ in range(args.rounds)]
        times["plain run"] = [t - statistics.median(plain_startup) for t in plain_full]
        for suffix in ("gtr", "jsonl"):
            startup = [record_seconds(0, suffix) for _ in range(args.rounds)]
            full = [record_seconds(args.steps, suffix) for _ in range(args.rounds)]
            times[f"record .{suffix}"] = [t - statistics.median(startup) for t in full]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--dump", action="store_true", help="also time `graphtui dump`")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for both libraries (engine.kernels.set_num_threads, "
                             "torch.set_num_threads); 1 on a busy machine, where waiting "
                             "threads cost more than they bring; 0: each library's default")
    parser.add_argument("--scenario", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        scenario(args.steps)
        return
    try:
        import torch
    except ImportError:
        torch = None
    if args.threads:
        from engine import kernels
        kernels.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"torch {torch.__version__ if torch else 'not installed'}; "
          f"{args.steps} steps of batch {BATCH}, medians of {args.rounds} rounds, "
          f"threads {args.threads or 'default'}")
    medians = {name: statistics.median(values) for name, values in measure(args, torch).items()}
    for name, seconds in medians.items():
        print(f"{name:>14} {seconds * 1e3:9.1f} ms  ({seconds / args.steps * 1e3:.2f} ms/step)")
    ratios = [("watched / engine", "watched", "engine"), ("engine / torch", "engine", "torch"),
              ("watched / torch", "watched", "torch"), ("dump / engine", "dump", "engine"),
              ("dump / plain run", "dump", "plain run"),
              ("record .gtr / plain run", "record .gtr", "plain run"),
              ("record .jsonl / plain run", "record .jsonl", "plain run")]
    for label, top, bottom in ratios:
        if top in medians and bottom in medians:
            print(f"{label:>25} {medians[top] / medians[bottom]:6.2f}")
    print(f"load at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
