"""Random straight-line programs from a seed.

The generator runs each statement in torch as it writes it, so every next statement is built
from the real shapes, dtypes and graphs torch holds; the torch run is kept and is the oracle
the engine is compared with. Data is made with NumPy from the seed and enters both libraries
through `torch.tensor(aN)` (never a random factory).

The ops drawn from are the tables CORE_OPS and NN_OPS (name -> weight); what the engine lacks
today is left out of the lists in ops_core.py / ops_nn.py and named in their NOT_YET lists.
"""
from __future__ import annotations

import numpy as np

from tests.differential.execution import VARIABLE, Execution, _is_tensor
from tests.differential.program import Program

# Ops whose statement may be wrapped in `with torch.no_grad():`.
WRAPPABLE = {"binary", "unary", "reduce", "shape", "index", "setitem", "matmul", "inplace",
             "detach", "linear", "conv2d", "conv1d", "pool", "activation", "batch_norm", "gather", "einsum"}


class Generator:
    """Writes one program, statement by statement, running each in torch."""

    def __init__(self, seed: int, kind: str) -> None:
        self.seed = seed
        self.kind = kind
        self.rng = np.random.default_rng([seed, 0 if kind == "core" else 1])
        self.program = Program(seed, kind)
        self.torch = Execution("torch", {})
        self.steps: list = []
        self._count = 0

    # ------------------------------------------------------------ naming, data
    def name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def array(self, shape, dtype: str = "float32", low=None, high=None) -> str:
        name = self.name("a")
        shape = tuple(int(s) for s in shape)
        if dtype == "int64":
            values = self.rng.integers(0 if low is None else low, 4 if high is None else high,
                                       size=shape).astype(np.int64)
        elif low is not None:
            values = self.rng.uniform(low, high, size=shape).astype(dtype)
        else:
            values = np.round(self.rng.standard_normal(shape), 3).astype(dtype)
        self.program.data[name] = values
        self.torch.ns[name] = values
        self.torch._given.add(name)
        return name

    def const(self, shape, dtype: str = "float32", **kw) -> str:
        """An expression for a constant tensor (no grad) of `shape`."""
        name = self.array(shape, dtype, **kw)
        if dtype == "float64":
            return f"torch.tensor({name}, dtype=torch.float64)"
        return f"torch.tensor({name})"

    def leaf(self, shape, dtype: str = "float32", requires_grad: bool = True, **kw) -> str:
        """Emit a new leaf variable; return its name."""
        name = self.name("x")
        expr = self.const(shape, dtype, **kw)
        if requires_grad:
            expr = expr[:-1] + ", requires_grad=True)"
        self.emit(f"{name} = {expr}", "leaf")
        return name

    # ------------------------------------------------------------ running
    def emit(self, source: str, tag: str) -> bool:
        step = self.torch.step(source)
        self.program.statements.append((source, tag))
        self.steps.append(step)
        return step.error is None

    # ------------------------------------------------------------ looking at torch's state
    def value(self, name: str):
        return self.torch.ns[name]

    def tensors(self, pred=None) -> list:
        out = []
        for name, value in self.torch.ns.items():
            if VARIABLE.match(name) and _is_tensor(value) and _holds(pred, value):
                out.append(name)
        return out

    def pick(self, pred=None):
        names = self.tensors(pred)
        if not names:
            return None
        # Recent variables more often: programs then chain instead of fanning out.
        weights = np.arange(1, len(names) + 1, dtype=float)
        return names[int(self.rng.choice(len(names), p=weights / weights.sum()))]

    def pick_float(self, pred=None):
        return self.pick(lambda t: t.is_floating_point() and (pred is None or pred(t)))

    def shape(self, name: str) -> tuple:
        return tuple(self.value(name).shape)

    # ------------------------------------------------------------ random choices
    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]

    def int(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return int(self.rng.integers(low, high + 1))

    def random_shape(self, min_rank: int = 0, max_rank: int = 4, max_size: int = 4) -> tuple:
        rank = self.int(min_rank, max_rank)
        sizes = [self.int(1, max_size) for _ in range(rank)]
        if sizes and self.chance(0.03):
            sizes[self.int(0, rank - 1)] = 0
        return tuple(sizes)

    def broadcastable_to(self, shape: tuple) -> tuple:
        """A shape that broadcasts to `shape` (fewer leading dims, some 1s)."""
        drop = self.int(0, len(shape))
        out = [1 if self.chance(0.3) else s for s in shape[drop:]]
        return tuple(out)

    def broadcast_partner(self, shape: tuple) -> tuple:
        """A shape that broadcasts with `shape` (either way); rarely one that does not."""
        if self.chance(0.03) and shape and max(shape) > 1:
            bad = list(shape)
            i = self.int(0, len(bad) - 1)
            bad[i] = bad[i] + 1 if bad[i] > 1 else 3
            return tuple(bad)
        out = list(self.broadcastable_to(shape))
        for i in range(len(out)):
            if out[i] == 1 and self.chance(0.2):
                out[i] = self.int(2, 3)
                # only a 1 in `shape` too can grow
                j = len(shape) - len(out) + i
                if shape[j] != 1:
                    out[i] = 1
        if self.chance(0.15):
            out = [self.int(1, 2)] + out if len(out) < 4 else out
        return tuple(out)

    def dim(self, rank: int) -> int:
        n = max(rank, 1)
        return self.int(-n, n - 1)


def _holds(pred, value) -> bool:
    """pred(value); False when torch refuses to answer (is_leaf of a view made under no_grad
    whose base was modified raises)."""
    if pred is None:
        return True
    try:
        return bool(pred(value))
    except RuntimeError:
        return False


def generate(seed: int, kind: str = "core", length: int | None = None):
    """Program number `seed` of `kind`, and torch's steps through it."""
    from tests.differential.ops_core import CORE_OPS
    from tests.differential.ops_nn import NN_OPS, NN_MIX
    gen = Generator(seed, kind)
    table = CORE_OPS if kind == "core" else {**{k: (w * NN_MIX, fn) for k, (w, fn) in CORE_OPS.items()},
                                            **NN_OPS}
    names = list(table)
    weights = np.array([table[n][0] for n in names], dtype=float)
    weights /= weights.sum()
    for _ in range(gen.int(1, 3)):
        gen.leaf(gen.random_shape(0, 4), gen.choice(["float32"] * 6 + ["float64"]))
    target = length if length is not None else gen.int(10, 28)
    attempts = 0
    while len(gen.program.statements) < target and attempts < target * 6:
        attempts += 1
        op = names[int(gen.rng.choice(len(names), p=weights))]
        source = table[op][1](gen)
        if source is None:
            continue
        if op in WRAPPABLE and gen.chance(0.07):
            source = "with torch.no_grad():\n    " + source.replace("\n", "\n    ")
        gen.emit(source, op)
    from tests.differential.ops_core import final_backward
    final_backward(gen)
    return gen.program, gen.steps
