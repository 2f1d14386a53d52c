"""What watching costs: an op-heavy forward + backward loop with no subscriber, with a
subscriber that keeps every event (list.append, no value budget), and with graphtui's own
recorder as the runner runs it (its value budget, batches pickled for the channel and
written to /dev/null, graphtui's GC setting). Prints medians and the
ratios to the unwatched loop. Steps are timed in blocks of BLOCK and a block's mean is one
sample: the recorder pickles a batch every few steps, and a median of single steps would
leave those steps out. Times are this process's CPU time (time.process_time), so
other work on a shared machine inflates them less than wall time. The loop takes its input
from 4 random vectors in turn, and no time is reported unless its gradients are normal
floats (regime.py says why). Usage: python benchmarks/trace_overhead.py [--repeats R] [--sizes 16,1024,65536]"""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import regime  # noqa: E402

import engine  # noqa: E402
from engine import trace  # noqa: E402

INPUTS = 4
BLOCK = 10          # steps timed together (a batch is pickled every ~9 steps at 16 elements)


def op_heavy_step(x, w):
    h = x
    for _ in range(20):
        h = (h * w + 0.1).tanh()
        h = h - h.mean()
    loss = (h * h).sum()
    loss.backward()
    return loss


def timed(fn, repeats: int) -> float:
    """Seconds per call: the median of the means of blocks of BLOCK calls."""
    samples = []
    for _ in range(max(1, repeats // BLOCK)):
        start = time.process_time()
        for _ in range(BLOCK):
            fn()
        samples.append((time.process_time() - start) / BLOCK)
    return statistics.median(samples)


def graphtui_recorder():
    """graphtui's own recorder as the runner runs it (its value budget, its batches pickled
    for the channel, here written to /dev/null), and the GC setting it records under."""
    from graphtui import gc_tuning
    from graphtui.budget import DEFAULT_VALUE_BUDGET
    from graphtui.runner.recorder import Recorder, Sender
    sender = Sender(os.open(os.devnull, os.O_WRONLY))
    return Recorder(sender, Path(__file__), None, DEFAULT_VALUE_BUDGET), gc_tuning.recording()


class _Listener:
    """A plain subscriber (no budget), started and stopped as the recorder is."""

    def __init__(self, fn) -> None:
        self.fn = fn

    def subscribe(self) -> None:
        trace.subscribe(self.fn)

    def unsubscribe(self) -> None:
        trace.unsubscribe(self.fn)


def watched_time(step, repeats: int, watcher, context=None) -> float:
    watcher.subscribe()
    try:
        if context is not None:
            with context:
                step()
                return timed(step, repeats)
        step()
        return timed(step, repeats)
    finally:
        watcher.unsubscribe()


def require_normal(xs, w, size: int) -> None:
    """One step on each input with w.grad cleared first: its gradients must be normal."""
    arrays = []
    for x in xs:
        w.grad = None
        op_heavy_step(x, w)
        arrays.append(w.grad.numpy().copy())
    regime.require_normal(arrays, f"{size} elements")


def measure(size: int, repeats: int) -> tuple[float, float, float]:
    engine.manual_seed(0)
    xs = [engine.randn(size) for _ in range(INPUTS)]
    w = engine.randn(size, requires_grad=True)
    turn = itertools.cycle(xs)
    step = lambda: op_heavy_step(next(turn), w)
    for _ in range(5):
        step()
    plain = timed(step, repeats)
    kept = []
    listed = watched_time(step, repeats, _Listener(kept.append))
    kept.clear()
    recorder, context = graphtui_recorder()
    recorded = watched_time(step, repeats, recorder, context)
    os.close(recorder.sender._fd)
    require_normal(xs, w, size)
    return plain, listed, recorded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--sizes", default="16,1024,65536",
                        help="elements per tensor, comma-separated")
    args = parser.parse_args()
    print(f"load {os.getloadavg()[0]:.1f}; {args.repeats} steps each, medians")
    print(f"{'elements':>9} {'plain ms':>9} {'list ms':>9} {'ratio':>6} {'recorder ms':>12} "
          f"{'ratio':>6}")
    for size in (int(text) for text in args.sizes.split(",")):
        plain, listed, recorded = measure(size, args.repeats)
        print(f"{size:>9} {plain * 1e3:>9.3f} {listed * 1e3:>9.3f} {listed / plain:>6.2f} "
              f"{recorded * 1e3:>12.3f} {recorded / plain:>6.2f}")
    print(f"load at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
