"""The floor under trace_overhead.py's ratios: what capturing an event costs in a Python
engine before anyone encodes, names, budgets or sends it.

A watcher needs, per op, the node made (its class, its edges, its outputs, its saved
buffers' versions, the module it ran in, the user's line), a summary of each tensor made,
and in the backward pass a summary of each gradient a node received and produced. Here the
engine's four emit points that carry those (announce_node, _announce, the executor's
received/produced summaries and its NodeExecuting/NodeExecuted events) are replaced by the
least that can carry them: one plain tuple appended to a list, values kept as raw bytes
(at most trace.values_cap elements) or as the recorder's fused statistics (more). No event
classes, no storage ids, no names, no value budget, no pickling, nothing sent. The engine's
other events (GradAccumulated, BufferFreed, ModuleForward, TensorModified, ...) are emitted
as usual to the same list.

Three loops, three ways each (the CNN first, before the others have grown the heap): plain
(nobody watching), "events" (the engine's own events kept by a list subscriber, no budget:
the subscriber of trace_overhead's middle column; without a budget it keeps big values by reference and
computes no statistics, so it can cost less than "minimal" where tensors are big, and keeps
memory growing), "minimal" (the capture above). All three run under graphtui's GC setting
for recording (gc_tuning), as its recorder does, so that the ratios are the capture's
alone: a plain run under Python's default setting can take longer than under it (the chain
does, by a third). The op-heavy loop of trace_overhead.py at each size is timed in CPU
time; the CNN training loop of training_loop.py in wall time, 100 steps a sample;
chain_100k.py's chain (h = h * 1.0001, 100,000 times, then backward) in wall time, a whole
run a sample. Medians over the rounds and their ratios to plain; no time is reported unless
the gradients are normal floats.

    PYTHONPATH=. python benchmarks/capture_floor.py [--rounds 5] [--sizes 16,1024,65536]
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import regime  # noqa: E402
import trace_overhead as heavy  # noqa: E402
import training_loop as cnn  # noqa: E402

import engine  # noqa: E402
from engine import trace  # noqa: E402
from engine.autograd import executor  # noqa: E402
from engine.ops import _core  # noqa: E402
from graphtui import gc_tuning  # noqa: E402

CNN_STEPS = 100
tensor_module = sys.modules["engine.tensor"]   # engine.tensor is the function


def _capture(array):
    if array.size <= trace.values_cap:
        return array.tobytes()
    return trace._statistics(array.reshape(-1), fused=True)


def _minimal_emitters(kept: list) -> dict:
    """Replacements for the engine's hot emit points, by the name each has in the engine."""
    keep = kept.append
    stack = trace.module_stack
    user_location = _core.user_location

    def announce_node(node, outputs):
        node._module = module = stack[-1] if stack else None
        keep((node._id, type(node), node._sequence_nr,
              tuple([None if edge is None else (edge[0]._id, edge[1]) for edge in node._next]),
              tuple([t._tid or trace.tensor_id(t) for t in outputs if t is not None]),
              tuple([(key, saved.version) for key, saved in node._saved.items()])
              if node._saved else (),
              module, user_location(skip=1)))

    def announce_tensor(tensor, name=None, made=None, new=False):
        data = tensor._data
        keep((tensor._tid or trace.tensor_id(tensor), data.shape, data.dtype.num,
              _capture(data), made))
        return tensor

    def summaries(task, grads, *rest):
        return tuple([None if grad is None else _capture(grad) for grad in grads])

    return {"announce_node": announce_node, "_announce": announce_tensor,
            "_received_summaries": summaries, "_produced_summaries": summaries,
            "NodeExecuting": lambda *fields: fields, "NodeExecuted": lambda *fields: fields}


@contextlib.contextmanager
def minimal_capture(kept: list):
    """The engine with its hot emit points replaced, in every engine module that holds them
    (modules import them by name), and a list subscriber for the rest; all restored after."""
    originals = {"announce_node": _core.announce_node, "_announce": tensor_module._announce,
                 "_received_summaries": executor._received_summaries,
                 "_produced_summaries": executor._produced_summaries,
                 "NodeExecuting": trace.NodeExecuting, "NodeExecuted": trace.NodeExecuted}
    replacements = _minimal_emitters(kept)
    patched = []
    for module in [m for name, m in sys.modules.items() if name.split(".")[0] == "engine"]:
        for name, original in originals.items():
            if getattr(module, name, None) is original:
                setattr(module, name, replacements[name])
                patched.append((module, name, original))
    missing = set(originals) - {name for _, name, _ in patched}
    if missing:            # renamed in the engine: the capture would silently be the engine's
        raise RuntimeError(f"capture_floor: no engine module holds {sorted(missing)}")
    trace.subscribe(kept.append)
    try:
        yield
    finally:
        trace.unsubscribe(kept.append)
        for module, name, original in patched:
            setattr(module, name, original)


@contextlib.contextmanager
def engine_events(kept: list):
    trace.subscribe(kept.append)
    try:
        yield
    finally:
        trace.unsubscribe(kept.append)


WAYS = {"events": engine_events, "minimal": minimal_capture}


def _rounds(timed, rounds: int) -> dict[str, float]:
    """Medians of ``timed()`` plain and under each way of watching, interleaved per round."""
    samples = {"plain": [], **{way: [] for way in WAYS}}
    with gc_tuning.recording():
        for _ in range(rounds):
            samples["plain"].append(timed())
            for way, watching in WAYS.items():
                kept = []
                with watching(kept):
                    samples[way].append(timed())
                kept.clear()
    return {way: statistics.median(times) for way, times in samples.items()}


def op_heavy(size: int, rounds: int) -> dict[str, float]:
    engine.manual_seed(0)
    xs = [engine.randn(size) for _ in range(heavy.INPUTS)]
    w = engine.randn(size, requires_grad=True)
    turn = itertools.cycle(xs)
    step = lambda: heavy.op_heavy_step(next(turn), w)
    for _ in range(5):
        step()
    medians = _rounds(lambda: heavy.timed(step, 100), rounds)
    heavy.require_normal(xs, w, size)
    return medians


def cnn_loop(rounds: int) -> dict[str, float]:
    data = regime.random_batches(CNN_STEPS, cnn.BATCH, cnn.INPUT, cnn.CLASSES)
    lib = cnn.library(engine)
    loop = cnn.Loop(lib, regime.as_library(engine, data),
                    cnn.initial_weights(cnn.cnn_class(lib)()))
    loop.run(3)
    medians = _rounds(lambda: loop.run(CNN_STEPS) / CNN_STEPS, rounds)
    regime.require_normal([p.grad.numpy().copy() for p in loop.net.parameters()], "the CNN")
    return medians


def chain(nodes: int, rounds: int) -> dict[str, float]:
    """chain_100k.py's scenario in this process: seconds per whole run (not per step)."""
    def run() -> float:
        start = time.perf_counter()
        x = engine.ones(3, requires_grad=True)
        h = x
        for _ in range(nodes):
            h = h * 1.0001
        h.sum().backward()
        return time.perf_counter() - start
    run()
    return _rounds(run, rounds)


def _row(label: str, medians: dict[str, float], unit: float) -> str:
    plain = medians["plain"]
    cells = [f"{plain * unit:>9.3f}"]
    for way in WAYS:
        cells.append(f"{medians[way] * unit:>9.3f} {medians[way] / plain:>6.2f}")
    return f"{label:>14} " + " ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="16,1024,65536",
                        help="elements per tensor in the op-heavy loop, comma-separated")
    parser.add_argument("--chain", type=int, default=100_000,
                        help="nodes of chain_100k's chain, timed as a whole run (3 rounds)")
    args = parser.parse_args()
    print(f"load {os.getloadavg()[0]:.1f}; medians of {args.rounds} rounds; ms per step")
    print(f"{'loop':>14} {'plain':>9} {'events':>9} {'ratio':>6} {'minimal':>9} {'ratio':>6}")
    print(_row("CNN", cnn_loop(args.rounds), 1e3), flush=True)
    for size in (int(text) for text in args.sizes.split(",") if text):
        print(_row(f"op-heavy {size}", op_heavy(size, args.rounds), 1e3), flush=True)
    if args.chain:
        print(_row(f"chain {args.chain} (s)", chain(args.chain, 3), 1))
    print(f"load at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
