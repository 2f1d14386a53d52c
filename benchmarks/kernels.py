"""Per-kernel speed: engine.kernels against PyTorch's CPU ops, in one process.

    PYTHONPATH=. python benchmarks/kernels.py [--repeat 300] [--batches 1,64] [--dtype float32]

Shapes are the tutorial's SimpleNet (conv1 1->10 k5 on 28x28, pool 2, conv2 10->20 k5, pool
2, then 320->50->10 and cross-entropy), plus that net's whole training step built from the
kernels alone (no autograd) against torch's step. Each case alternates blocks of engine and
torch calls so machine noise hits both alike, and prints the median and the minimum
microseconds of each and the ratio of medians engine/torch. The load average is printed
too: on a shared 2-core machine other processes move the medians a lot; the minimum is the
better guide to what each side can do. Without torch it prints the engine's times only.
"""

import argparse
import itertools
import os
import statistics
import sys
import time

import numpy as np

import regime  # benchmarks/regime.py
from engine import kernels
from engine.kernels import blas_threads

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    torch = None

ONE, ZERO = (1, 1), (0, 0)
CONVS = {"conv1": (1, 10, 28), "conv2": (10, 20, 12)}
POOLS = {"pool1": (10, 24), "pool2": (20, 8)}


def _timings(engine_call, torch_call, repeat, rounds=5):
    """Per-call seconds of each callable over ``rounds`` alternating blocks of calls.

    Blocks, not single calls, alternate, with a pause before each: PyTorch's OpenMP
    threads and OpenBLAS's threads spin-wait for a while after their work, and a library
    started while the other's threads still spin measured 10-100x slower on 2 cores.
    """
    engine_times, torch_times = [], []
    per_round = max(1, repeat // rounds)
    for _ in range(rounds):
        engine_times += _block_times(engine_call, per_round)
        if torch_call:
            torch_times += _block_times(torch_call, per_round)
    return engine_times, torch_times


def _block_times(call, count, warmup=5, settle_seconds=0.2):
    time.sleep(settle_seconds)
    for _ in range(warmup):
        call()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def _conv_cases(batch, rng, dtype):
    for name, (channels, out_channels, size) in CONVS.items():
        x = rng.standard_normal((batch, channels, size, size)).astype(dtype)
        w = rng.standard_normal((out_channels, channels, 5, 5)).astype(dtype)
        b = rng.standard_normal(out_channels).astype(dtype)
        y = kernels.conv2d_forward(x, w, b, ONE, ZERO, ONE, 1)
        gy = rng.standard_normal(y.shape).astype(dtype)
        yield f"{name} forward", lambda: kernels.conv2d_forward(x, w, b, ONE, ZERO, ONE, 1), \
            _torch_conv(x, w, b, gy, "forward")
        yield f"{name} grad_input", lambda: kernels.conv2d_grad_input(gy, w, x.shape, ONE, ZERO, ONE, 1), \
            _torch_conv(x, w, b, gy, "input")
        yield f"{name} grad_weight+bias", lambda: (kernels.conv2d_grad_weight(gy, x, w.shape, ONE, ZERO, ONE, 1),
                                                   kernels.conv2d_grad_bias(gy)), \
            _torch_conv(x, w, b, gy, "weight")


def _torch_conv(x, w, b, gy, what):
    if torch is None:
        return None
    tx, tw, tb, tgy = (torch.from_numpy(a) for a in (x, w, b, gy))
    if what == "forward":
        return lambda: F.conv2d(tx, tw, tb)
    mask = [what == "input", what == "weight", what == "weight"]
    return lambda: torch.ops.aten.convolution_backward(
        tgy, tx, tw, [tw.shape[0]], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, mask)


def _pool_cases(batch, rng, dtype):
    for name, (channels, size) in POOLS.items():
        x = rng.standard_normal((batch, channels, size, size)).astype(dtype)
        y, indices = kernels.max_pool2d_forward(x, (2, 2), (2, 2), ZERO, ONE)
        gy = rng.standard_normal(y.shape).astype(dtype)
        forward = lambda: kernels.max_pool2d_forward(x, (2, 2), (2, 2), ZERO, ONE)
        backward = lambda: kernels.max_pool2d_backward(gy, indices, x.shape)
        torch_forward = torch_backward = None
        if torch is not None:
            tx, tgy = torch.from_numpy(x), torch.from_numpy(gy)
            _, tindices = F.max_pool2d(tx, 2, return_indices=True)
            torch_forward = lambda: F.max_pool2d(tx, 2, return_indices=True)
            torch_backward = lambda: torch.ops.aten.max_pool2d_with_indices_backward(
                tgy, tx, [2, 2], [2, 2], [0, 0], [1, 1], False, tindices)
        yield f"{name} max forward", forward, torch_forward
        yield f"{name} max backward", backward, torch_backward


def _loss_cases(batch, rng, dtype):
    logits = rng.standard_normal((batch, 10)).astype(dtype)
    target = rng.integers(0, 10, batch)
    loss, log_probs = kernels.cross_entropy_forward(logits, target)
    forward = lambda: kernels.cross_entropy_forward(logits, target)
    backward = lambda: kernels.cross_entropy_backward(np.ones((), dtype), log_probs, target)
    torch_forward = torch_backward = None
    if torch is not None:
        tlogits = torch.from_numpy(logits).requires_grad_()
        ttarget = torch.from_numpy(target)
        torch_forward = lambda: F.cross_entropy(tlogits.detach(), ttarget)
        tloss = F.cross_entropy(tlogits, ttarget)
        torch_backward = lambda: torch.autograd.grad(tloss, tlogits, retain_graph=True)
    yield "cross_entropy forward", forward, torch_forward
    yield "cross_entropy backward", backward, torch_backward


def _simplenet_parameters(rng, dtype):
    shapes = [(10, 1, 5, 5), (10,), (20, 10, 5, 5), (20,), (50, 320), (50,), (10, 50), (10,)]
    return [(rng.standard_normal(shape) * 0.1).astype(dtype) for shape in shapes]


def _simplenet_kernel_step(params, x, target, lr=0.01):
    """The tutorial SimpleNet's training step from kernels and NumPy alone (no autograd):
    the floor under the engine's own step."""
    w1, b1, w2, b2, wf, bf, wo, bo = params
    r1 = kernels.relu_forward(kernels.conv2d_forward(x, w1, b1, ONE, ZERO, ONE, 1))
    p1, i1 = kernels.max_pool2d_forward(r1, (2, 2), (2, 2), ZERO, ONE)
    r2 = kernels.relu_forward(kernels.conv2d_forward(p1, w2, b2, ONE, ZERO, ONE, 1))
    p2, i2 = kernels.max_pool2d_forward(r2, (2, 2), (2, 2), ZERO, ONE)
    h = p2.reshape(x.shape[0], -1)
    rf = kernels.relu_forward(h @ wf.T + bf)
    ro = kernels.relu_forward(rf @ wo.T + bo)
    _, log_probs = kernels.cross_entropy_forward(ro, target)
    g = kernels.cross_entropy_backward(np.ones((), x.dtype), log_probs, target)
    g = kernels.relu_backward(g, ro)
    grads = [g.T @ rf, g.sum(0)]
    g = kernels.relu_backward(g @ wo, rf)
    grads = [g.T @ h, g.sum(0)] + grads
    g = kernels.relu_backward(kernels.max_pool2d_backward((g @ wf).reshape(p2.shape), i2, r2.shape), r2)
    grads = [kernels.conv2d_grad_weight(g, p1, w2.shape, ONE, ZERO, ONE, 1), kernels.conv2d_grad_bias(g)] + grads
    g = kernels.conv2d_grad_input(g, w2, p1.shape, ONE, ZERO, ONE, 1)
    g = kernels.relu_backward(kernels.max_pool2d_backward(g, i1, r1.shape), r1)
    grads = [kernels.conv2d_grad_weight(g, x, w1.shape, ONE, ZERO, ONE, 1), kernels.conv2d_grad_bias(g)] + grads
    for param, grad in zip(params, grads):
        param -= lr * grad
    return grads


def _torch_simplenet_step(params, batches):
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 10, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2),
        torch.nn.Conv2d(10, 20, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2), torch.nn.Flatten(),
        torch.nn.Linear(320, 50), torch.nn.ReLU(), torch.nn.Linear(50, 10), torch.nn.ReLU())
    with torch.no_grad():
        for param, value in zip(model.parameters(), params):
            param.copy_(torch.from_numpy(value))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    batches = [(torch.from_numpy(x), torch.from_numpy(target)) for x, target in batches]

    turn = itertools.count()

    def step():
        tx, ttarget = batches[next(turn) % len(batches)]
        optimizer.zero_grad()
        F.cross_entropy(model(tx), ttarget).backward()
        optimizer.step()
    step.check = lambda: regime.require_normal_steps(step, model.parameters(), "torch step")
    return step


def _step_cases(batch, rng, dtype):
    """The training step on 16 random batches in turn; both sides check, after timing, that
    their gradients are normal floats (see regime.py)."""
    params = _simplenet_parameters(rng, dtype)
    batches = [(x.astype(dtype), target) for x, target in regime.random_batches(
        16, batch, (1, 28, 28), 10, seed=int(rng.integers(1 << 30)))]
    torch_step = _torch_simplenet_step(params, batches) if torch is not None else None
    turn = itertools.count()

    def kernel_step():
        return _simplenet_kernel_step(params, *batches[next(turn) % len(batches)])

    def check():
        grads = []
        for _ in range(8):
            grads += kernel_step()
        regime.require_normal(grads, "kernels step")
    kernel_step.check = check
    yield "SimpleNet step: kernels only vs torch", kernel_step, torch_step


def _us(times, statistic):
    return f"{statistic(times) * 1e6:.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--batches", default="1,64")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    parser.add_argument("--threads", type=int, default=None,
                        help="engine.kernels.set_num_threads (default: all cores, at most 2)")
    args = parser.parse_args(argv)
    if args.threads:
        kernels.set_num_threads(args.threads)
    # As engine.nn does on its first kernel call: NumPy's OpenBLAS on one thread, so its
    # thread team does not fight the kernels' own batch split (torch's BLAS is not touched).
    blas_threads.limit_blas_threads()
    rng = np.random.default_rng(0)
    dtype = np.dtype(args.dtype)
    torch_note = f"torch {torch.__version__}, {torch.get_num_threads()} threads" if torch else "torch not installed"
    print(f"engine.kernels vs PyTorch CPU ({torch_note}); {args.repeat} calls per case in alternating blocks, microseconds")
    print(f"engine threads: {kernels.get_num_threads()}; load average at start: {os.getloadavg()[0]:.2f}")
    print(f"{'case':58s} {'engine med':>10s} {'min':>8s} {'torch med':>10s} {'min':>8s} {'ratio':>6s}")
    for batch in (int(b) for b in args.batches.split(",")):
        for cases in (_conv_cases, _pool_cases, _loss_cases, _step_cases):
            for name, engine_call, torch_call in cases(batch, rng, dtype):
                if args.only not in name:
                    continue
                engine_times, torch_times = _timings(engine_call, torch_call, args.repeat)
                for call in (engine_call, torch_call):
                    if hasattr(call, "check"):      # a training step: refuse denormal times
                        call.check()
                row = f"batch {batch:<3d} {name:48s} {_us(engine_times, statistics.median):>10s} {_us(engine_times, min):>8s}"
                if torch_times:
                    ratio = statistics.median(engine_times) / statistics.median(torch_times)
                    row += f" {_us(torch_times, statistics.median):>10s} {_us(torch_times, min):>8s} {ratio:6.2f}"
                print(row, flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
