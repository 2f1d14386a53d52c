"""The layers added for issue #11's nn surface, engine against torch (CPU): one training
step of a small seq2seq nn.Transformer, a spatial-transformer step (affine_grid,
grid_sample bilinear and bicubic, forward and backward), adaptive_max_pool3d and
max_unpool3d, and a lazy model's first call. Prints the median wall time of several runs
of each, in milliseconds.

Usage: python benchmarks/nn_layers.py [--repeats R]
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

import engine


def transformer_step(t):
    t.manual_seed(0)
    model = t.nn.Transformer(32, 4, 2, 2, 64, dropout=0.1, batch_first=True)
    opt = t.optim.Adam(model.parameters(), lr=1e-3)
    src, tgt = t.randn(16, 12, 32), t.randn(16, 11, 32)
    mask = t.nn.Transformer.generate_square_subsequent_mask(11)

    def step():
        loss = model(src, tgt, tgt_mask=mask).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def spatial_transformer(t, mode):
    t.manual_seed(0)
    image = t.randn(8, 3, 32, 32, requires_grad=True)
    theta = (t.eye(2, 3).expand(8, 2, 3) + 0.05 * t.randn(8, 2, 3)).requires_grad_()

    def step():
        grid = t.nn.functional.affine_grid(theta, (8, 3, 24, 24), align_corners=False)
        out = t.nn.functional.grid_sample(image, grid, mode=mode, align_corners=False)
        out.pow(2).sum().backward()
    return step


def pools_3d(t):
    t.manual_seed(0)
    x = t.randn(4, 8, 16, 16, 16, requires_grad=True)

    def step():
        pooled, indices = t.nn.functional.max_pool3d(x, 2, return_indices=True)
        out = t.nn.functional.max_unpool3d(pooled, indices, 2)
        (t.nn.functional.adaptive_max_pool3d(x, (5, 3, 7)).sum() + out.sum()).backward()
    return step


def lazy_first_call(t):
    def step():
        t.manual_seed(0)
        model = t.nn.Sequential(t.nn.LazyConv2d(8, 3), t.nn.LazyBatchNorm2d(), t.nn.ReLU(),
                                t.nn.Flatten(), t.nn.LazyLinear(10))
        model(t.randn(4, 3, 16, 16))
    return step


CASES = {"transformer train step": transformer_step,
         "affine_grid + grid_sample bilinear": lambda t: spatial_transformer(t, "bilinear"),
         "affine_grid + grid_sample bicubic": lambda t: spatial_transformer(t, "bicubic"),
         "max_unpool3d + adaptive_max_pool3d": pools_3d,
         "lazy model first call": lazy_first_call}


def median_ms(step, repeats: int) -> float:
    step()                                   # compile / warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    torch.set_num_threads(1)
    print(f"{'case':38} {'engine ms':>10} {'torch ms':>10}")
    for name, make in CASES.items():
        ours = median_ms(make(engine), repeats)
        theirs = median_ms(make(torch), repeats)
        print(f"{name:38} {ours:10.2f} {theirs:10.2f}")


if __name__ == "__main__":
    main()
