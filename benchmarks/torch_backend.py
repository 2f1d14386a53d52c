"""What watching costs real PyTorch (--backend torch): training_loop.py's SimpleNet-sized
CNN, batch 32, SGD with momentum, plain PyTorch against the same loop under the torch
backend with every event recorded as graphtui's recorder records it (through a
ValueBudget, graphtui's GC setting).

Installing the backend is for the rest of a process, so each measurement is a child
process (``--child plain|watched``) that runs one warm-up step and then times STEPS steps;
rounds alternate plain and watched, and the medians and their ratio are printed. Usage:

    PYTHONPATH=. python benchmarks/torch_backend.py [--rounds 5] [--steps 100]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import types

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def child(kind: str, steps: int) -> None:
    import torch

    import training_loop as tl
    torch.set_num_threads(1)
    events: list = []
    if kind == "watched":
        from engine import trace
        from graphtui import gc_tuning
        from graphtui.backends.torch import install
        from graphtui.budget import DEFAULT_VALUE_BUDGET, ValueBudget
        install(types.SimpleNamespace(output=lambda *a: None), {})
        gc_tuning.recording().__enter__()
        trace.subscribe(events.append, ValueBudget(DEFAULT_VALUE_BUDGET))
    lib = tl.library(torch)
    generator = torch.Generator().manual_seed(0)
    batches = [(torch.randn(tl.BATCH, *tl.INPUT, generator=generator),
                torch.randint(0, tl.CLASSES, (tl.BATCH,), generator=generator))
               for _ in range(8)]
    loop = tl.Loop(lib, batches, tl.initial_weights(tl.cnn_class(lib)()))
    loop.run(1)
    seconds = loop.run(steps)
    print(f"{seconds} {len(events)}")


def measure(kind: str, steps: int) -> tuple[float, int]:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--steps", str(steps)],
                         env=env, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--child", choices=("plain", "watched"))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.steps)
        return
    times: dict[str, list[float]] = {"plain": [], "watched": []}
    events = 0
    for _ in range(args.rounds):
        for kind in times:
            seconds, count = measure(kind, args.steps)
            times[kind].append(seconds)
            events = max(events, count)
    plain, watched = (statistics.median(times[k]) for k in ("plain", "watched"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.steps} steps, {args.rounds} rounds, load {load:.1f} (1 thread per run)")
    print(f"  torch plain    median {plain * 1000 / args.steps:7.2f} ms/step")
    print(f"  torch watched  median {watched * 1000 / args.steps:7.2f} ms/step "
          f"({events / args.steps:.0f} events/step)")
    print(f"  watched / plain: {watched / plain:.2f}x")


if __name__ == "__main__":
    main()
