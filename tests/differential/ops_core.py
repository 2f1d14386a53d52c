"""The core autograd ops the generator draws from: each writes one statement (emitting what it
needs first) from the variables torch holds, or returns None when nothing fits."""
from __future__ import annotations

import numpy as np

UNARY = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg", "sign",
         "reciprocal"]
# Not in the engine yet (add here when they are): square rsqrt log1p expm1 tan atan floor
# ceil round trunc erf log2 sinh cosh asin acos. sgn is, but its real gradient in torch is a
# ZeroTensor (its .grad refuses .numpy()), which the engine does not model.
BINARY_OPERATORS = ["+", "-", "*", "/"]
BINARY_FUNCTIONS = ["torch.add", "torch.sub", "torch.mul", "torch.div", "torch.max", "torch.min",
                    "torch.maximum", "torch.minimum"]
TENSOR_ONLY = ("torch.max", "torch.min", "torch.maximum", "torch.minimum")
# Not yet: torch.remainder torch.atan2 torch.hypot torch.fmod torch.lerp.
COMPARISONS = [">", "<", ">=", "<=", "==", "!="]
REDUCTIONS_DIM = ["sum", "mean", "max", "min", "argmax", "argmin", "norm", "softmax",
                  "log_softmax", "prod", "var", "std"]
# Not yet: amax amin logsumexp cumsum cumprod median sort topk var_mean std_mean.
INPLACE = ["add_", "sub_", "mul_", "div_", "clamp_", "zero_", "fill_", "copy_", "pow_",
           "masked_fill_", "+=", "-=", "*=", "/=", "relu_", "sigmoid_", "tanh_", "exp_",
           "neg_", "abs_", "sin_", "cos_", "sqrt_", "log_", "reciprocal_"]
INPLACE_UNARY = {"relu_", "sigmoid_", "tanh_", "exp_", "neg_", "abs_", "sin_", "cos_", "sqrt_",
                 "log_", "reciprocal_"}
# Not yet: sign_ (in place), index_add, scatter_reduce.


def _scalar(gen) -> str:
    return gen.choice(["2", "0.5", "-1.5", "3", "1"])


def _operand(gen, shape: tuple) -> str:
    """The second operand of an elementwise op on a tensor of `shape`."""
    r = gen.rng.random()
    if r < 0.3:
        return _scalar(gen)
    partner_shape = gen.broadcast_partner(shape)
    if r < 0.55:
        existing = gen.pick_float(lambda t: tuple(t.shape) == partner_shape)
        if existing is not None:
            return existing
    if r < 0.75:
        return gen.const(partner_shape)
    return gen.leaf(partner_shape)


def op_leaf(gen):
    shape = gen.random_shape(0, 4)
    dtype = gen.choice(["float32"] * 8 + ["float64", "int64"])
    name = gen.name("x")
    expr = gen.const(shape, dtype)
    if dtype != "int64" and gen.chance(0.8):
        expr = expr[:-1] + ", requires_grad=True)"
    return f"{name} = {expr}"


def op_binary(gen):
    a = gen.pick_float()
    if a is None:
        return None
    b = _operand(gen, gen.shape(a))
    out = gen.name("v")
    r = gen.rng.random()
    if r < 0.45:
        op = gen.choice(BINARY_OPERATORS)
        return f"{out} = {b} {op} {a}" if gen.chance(0.3) else f"{out} = {a} {op} {b}"
    if r < 0.55:
        return f"{out} = {a} ** {gen.choice(['2', '3', '0.5', '-1', '0'])}"
    if r < 0.6:
        return f"{out} = {gen.choice(['2', '0.5'])} ** {a}"
    if r < 0.85:
        fn = gen.choice(BINARY_FUNCTIONS)
        if fn in TENSOR_ONLY and (b[0].isdigit() or b[0] == "-"):
            b = gen.const(gen.broadcast_partner(gen.shape(a)))
        alpha = ", alpha=2" if fn in ("torch.add", "torch.sub") and gen.chance(0.3) else ""
        return f"{out} = {fn}({a}, {b}{alpha})"
    if r < 0.92:
        return f"{out} = torch.where({a} > 0, {a}, {b})"
    if r < 0.96:
        return f"{out} = {a}.clamp(min={gen.choice(['-0.5', 'None', '0'])}, max=0.5)"
    return f"{out} = {a} {gen.choice(COMPARISONS)} {b}"


def op_unary(gen):
    a = gen.pick_float()
    if a is None:
        return None
    fn = gen.choice(UNARY)
    out = gen.name("v")
    if fn in ("log", "sqrt") and gen.chance(0.5):
        a = f"({a}.abs() + 0.5)"
    return f"{out} = {a}.{fn}()" if gen.chance(0.5) else f"{out} = torch.{fn}({a})"


def op_reduce(gen):
    a = gen.pick_float()
    if a is None:
        return None
    rank = len(gen.shape(a))
    fn = gen.choice(REDUCTIONS_DIM)
    if fn in ("softmax", "log_softmax"):
        if gen.chance(0.05):        # no dim: F warns and picks one, a Tensor method refuses
            return f"{gen.name('v')} = " + (f"F.{fn}({a})" if gen.chance(0.6) else f"{a}.{fn}()")
        d = gen.dim(rank)
        return f"{gen.name('v')} = " + (f"torch.{fn}({a}, {d})" if gen.chance(0.5)
                                         else f"{a}.{fn}(dim={d})")
    if gen.chance(0.3):
        return f"{gen.name('v')} = {a}.{fn}()" if fn != "norm" or gen.chance(0.5) \
            else f"{gen.name('v')} = torch.norm({a})"
    d = gen.dim(rank)
    keep = gen.chance(0.4)
    if fn in ("var", "std") and gen.chance(0.4):
        option = gen.choice(["unbiased=False", "correction=0", "correction=2"])
        dims = f"dim={d}, " if gen.chance(0.6) else ""
        return f"{gen.name('v')} = torch.{fn}({a}, {dims}{option})"
    if fn in ("sum", "mean", "var", "std") and rank >= 2 and gen.chance(0.3):
        dims = sorted({d, gen.dim(rank)})
        return f"{gen.name('v')} = torch.{fn}({a}, {tuple(dims)}, keepdim={keep})"
    if fn in ("max", "min"):
        if gen.chance(0.5):
            return f"{gen.name('t')} = {a}.{fn}({d}, keepdim={keep})"
        return f"{gen.name('v')} = torch.{fn}({a}, dim={d}).{gen.choice(['values', 'indices'])}"
    return f"{gen.name('v')} = {a}.{fn}(dim={d}, keepdim={keep})"


def _factor(gen, n: int, rank: int) -> list:
    sizes = []
    for _ in range(rank - 1):
        divisors = [d for d in range(1, n + 1) if n % d == 0] if n else [0, 1]
        d = gen.choice(divisors)
        sizes.append(d)
        n = n // d if d else n
    return sizes + [n]


def op_shape(gen):
    a = gen.pick()
    if a is None:
        return None
    shape = gen.shape(a)
    rank, out = len(shape), gen.name("v")
    r = gen.rng.random()
    if r < 0.25:
        numel = int(np.prod(shape)) if shape else 1
        new = _factor(gen, numel, gen.int(0 if numel == 1 else 1, 4))
        if new and numel and gen.chance(0.3):
            new[gen.int(0, len(new) - 1)] = -1
        fn = gen.choice(["view", "reshape"])
        if gen.chance(0.5):
            return f"{out} = {a}.{fn}({', '.join(map(str, new))})" if new else \
                f"{out} = {a}.{fn}(())"
        return f"{out} = {a}.{fn}({tuple(new)})" if fn == "view" else \
            f"{out} = torch.reshape({a}, {tuple(new)})"
    if r < 0.4 and rank >= 1:
        perm = [int(p) for p in gen.rng.permutation(rank)]
        return f"{out} = {a}.permute({', '.join(map(str, perm))})" if gen.chance(0.5) else \
            f"{out} = torch.permute({a}, {tuple(perm)})"
    if r < 0.55:
        if rank == 2 and gen.chance(0.3):
            return f"{out} = {a}.{gen.choice(['t()', 'T', 'mT'])}"
        return f"{out} = {a}.transpose({gen.dim(rank)}, {gen.dim(rank)})"
    if r < 0.7:
        target = [gen.int(2, 3) if s == 1 and gen.chance(0.6) else
                  (-1 if gen.chance(0.3) else s) for s in shape]
        lead = [gen.int(1, 3) for _ in range(gen.int(0, 1 if rank < 4 else 0))]
        return f"{out} = {a}.expand({', '.join(map(str, lead + target))})" if lead + target \
            else f"{out} = {a}.expand(())"
    if r < 0.8:
        if gen.chance(0.4):
            return f"{out} = {a}.squeeze()"
        return f"{out} = {a}.squeeze({gen.dim(rank)})"
    if r < 0.9:
        return f"{out} = {a}.unsqueeze({gen.int(-rank - 1, rank)})"
    if r < 0.95 and rank >= 1:
        s, e = sorted((gen.dim(rank), gen.dim(rank)), key=lambda d: d % max(rank, 1))
        return f"{out} = {a}.flatten({s}, {e})" if gen.chance(0.6) else \
            f"{out} = torch.flatten({a})"
    return f"{out} = {a}.{gen.choice(['contiguous()', 'clone()'])}"


def op_cat_stack(gen):
    a = gen.pick_float(lambda t: t.dim() >= 1)
    if a is None:
        return None
    shape = gen.shape(a)
    out = gen.name("v")
    parts = [a]
    if gen.chance(0.5):
        d = gen.dim(len(shape))
        for _ in range(gen.int(1, 2)):
            other = list(shape)
            other[d] = gen.int(1, 3)
            parts.append(a if gen.chance(0.3) else
                         (gen.leaf(other) if gen.chance(0.5) else gen.const(other)))
        return f"{out} = torch.cat([{', '.join(parts)}], dim={d})"
    for _ in range(gen.int(1, 2)):
        parts.append(a if gen.chance(0.4) else gen.leaf(shape))
    return f"{out} = torch.stack([{', '.join(parts)}], {gen.int(-len(shape) - 1, len(shape))})"


def op_split(gen):
    a = gen.pick_float(lambda t: t.dim() >= 1)
    if a is None:
        return None
    shape = gen.shape(a)
    d = gen.dim(len(shape))
    out = gen.name("t")
    r = gen.rng.random()
    if r < 0.35:
        return f"{out} = {a}.split({gen.int(1, 3)}, dim={d})"
    if r < 0.5 and shape[d] >= 2:
        first = gen.int(1, shape[d] - 1)
        return f"{out} = torch.split({a}, [{first}, {shape[d] - first}], {d})"
    if r < 0.8:
        return f"{out} = torch.chunk({a}, {gen.int(1, 3)}, {d})"
    return f"{out} = {a}.unbind({d})"


def op_tuple_item(gen):
    names = [n for n, v in gen.torch.ns.items()
             if n[0] == "t" and n[1:].isdigit() and isinstance(v, tuple) and len(v)]
    if not names:
        return None
    t = gen.choice(names)
    return f"{gen.name('v')} = {t}[{gen.int(-len(gen.value(t)), len(gen.value(t)) - 1)}]"


def _basic_key(gen, shape: tuple) -> str:
    parts = []
    for size in shape[:gen.int(1, max(len(shape), 1))]:
        r = gen.rng.random()
        if r < 0.3 and size:
            parts.append(str(gen.int(-size, size - 1)))
        elif r < 0.55:
            parts.append(":")
        elif r < 0.75:
            parts.append(f"{gen.int(0, size)}:{gen.int(0, size + 1)}")
        elif r < 0.85:
            parts.append(f"::{gen.int(1, 2)}")
        else:
            parts.append(f"{gen.int(-size - 1, 0) or ''}:")
    if gen.chance(0.1):
        parts.insert(gen.int(0, len(parts)), "None")
    if gen.chance(0.1):
        parts.insert(0, "...")
    return ", ".join(parts) if parts else "..."


def _advanced_key(gen, a: str, shape: tuple) -> str:
    r = gen.rng.random()
    if r < 0.3 and shape and shape[0]:
        return str([gen.int(-shape[0], shape[0] - 1) for _ in range(gen.int(1, 3))])
    if r < 0.55 and shape and shape[0]:
        return f"torch.tensor({[gen.int(0, shape[0] - 1) for _ in range(gen.int(1, 3))]})"
    if r < 0.8:
        return f"{a} > 0"
    if len(shape) >= 2 and shape[1]:
        return f":, {[gen.int(0, shape[1] - 1) for _ in range(gen.int(1, 3))]}"
    return "..."


def _key(gen, a: str) -> str:
    shape = gen.shape(a)
    if not shape:
        return gen.choice(["...", "None", "()"])
    return _basic_key(gen, shape) if gen.chance(0.7) else _advanced_key(gen, a, shape)


def op_index(gen):
    a = gen.pick()
    if a is None:
        return None
    return f"{gen.name('v')} = {a}[{_key(gen, a)}]"


def _region_shape(gen, a: str, key: str):
    try:
        return tuple(eval(f"{a}[{key}].shape", gen.torch.ns))
    except Exception:  # noqa: BLE001
        return None


def op_setitem(gen):
    a = gen.pick_float(lambda t: t.dim() >= 1)
    if a is None:
        return None
    key = _key(gen, a)
    region = _region_shape(gen, a, key)
    if region is None or gen.chance(0.3):
        value = _scalar(gen)
    elif gen.chance(0.4):
        value = gen.leaf(gen.broadcastable_to(region))
    else:
        value = gen.const(gen.broadcastable_to(region))
    return f"{a}[{key}] = {value}"


def _matmul_shapes(gen, ra: int, rb: int, k: int, batch_a: tuple) -> tuple:
    n, m = gen.int(1, 3), gen.int(1, 3)
    a = (k,) if ra == 1 else batch_a + (n, k)
    if rb == 1:
        return a, (k,)
    batch_b = gen.broadcastable_to(batch_a)[: rb - 2] if ra > 2 else ()
    while len(batch_b) < rb - 2:
        batch_b = (gen.int(1, 2),) + batch_b
        if ra > 2 and len(batch_b) <= len(batch_a):
            j = len(batch_a) - len(batch_b)
            if batch_a[j] != 1 and batch_b[0] != 1:
                batch_b = (batch_a[j],) + batch_b[1:]
    return a, batch_b + (k, m)


def op_matmul(gen):
    ra, rb = gen.int(1, 4), gen.int(1, 4)
    existing = gen.pick_float(lambda t: t.dim() == ra and all(t.shape))
    k = gen.int(1, 4)
    batch_a = tuple(gen.int(1, 3) for _ in range(max(ra - 2, 0)))
    if existing is not None and gen.chance(0.6):
        shape = gen.shape(existing)
        k = shape[-1]
        batch_a = shape[:-2]
    shape_a, shape_b = _matmul_shapes(gen, ra, rb, k, batch_a)
    a = existing if existing is not None and gen.shape(existing) == shape_a else \
        gen.leaf(shape_a, requires_grad=gen.chance(0.8))
    if gen.chance(0.03):
        shape_b = shape_b[:-2] + (k + 1,) + shape_b[-1:] if rb > 1 else (k + 1,)
    dtype = "float64" if gen.chance(0.03) else "float32"
    b = gen.leaf(shape_b, dtype, requires_grad=gen.chance(0.7)) if gen.chance(0.7) else \
        gen.const(shape_b, dtype)
    out = gen.name("v")
    if gen.chance(0.2):
        a, b = b, a
    r = gen.rng.random()
    if r < 0.5:
        return f"{out} = {a} @ {b}"
    if r < 0.8:
        return f"{out} = torch.matmul({a}, {b})"
    fn = {(1, 1): "dot", (2, 1): "mv", (2, 2): "mm", (3, 3): "bmm"}.get((ra, rb), "matmul")
    return f"{out} = torch.{fn}({a}, {b})"


def op_inplace(gen):
    a = gen.pick_float()
    if a is None:
        return None
    if gen.chance(0.35):
        view = gen.name("v")
        gen.emit(f"{view} = {a}[{_basic_key(gen, gen.shape(a))}]" if gen.shape(a)
                 else f"{view} = {a}.view(())", "view")
        if not isinstance(gen.torch.ns.get(view), type(gen.value(a))):
            return None
        a = view
    shape = gen.shape(a)
    op = gen.choice(INPLACE)
    other = _scalar(gen) if gen.chance(0.4) else gen.const(gen.broadcastable_to(shape))
    if op in ("+=", "-=", "*=", "/="):
        return f"{a} {op} {other}"
    if op in INPLACE_UNARY:
        return f"{a}.{op}()" if gen.chance(0.7) or op not in ("relu_", "sigmoid_", "tanh_",
                                                                 "exp_") \
            else f"torch.{op}({a})"
    if op == "clamp_":
        return f"{a}.clamp_(min=-0.5, max={gen.choice(['0.5', 'None'])})"
    if op == "zero_":
        return f"{a}.zero_()"
    if op == "fill_":
        return f"{a}.fill_({_scalar(gen)})"
    if op == "pow_":
        return f"{a}.pow_(2)"
    if op == "masked_fill_":
        return f"{a}.masked_fill_({a} > 0, 0.0)"
    if op == "copy_":
        source = gen.leaf(gen.broadcastable_to(shape)) if gen.chance(0.5) else \
            gen.const(gen.broadcastable_to(shape))
        return f"{a}.copy_({source})"
    return f"{a}.{op}({other})"


def _index_tensor(gen, size: int, shape: tuple) -> str:
    """An int64 index tensor of `shape` with values in [0, size) (rarely one past the end)."""
    high = size + 1 if gen.chance(0.03) else size
    return gen.const(shape, "int64", low=0, high=max(high, 1))


def op_gather(gen):
    a = gen.pick_float(lambda t: t.dim() >= 1 and t.numel() > 0)
    if a is None:
        return None
    shape = gen.shape(a)
    rank = len(shape)
    d = gen.dim(rank)
    out = gen.name("v")
    r = gen.rng.random()
    if r < 0.35:
        index = _index_tensor(gen, shape[d], (gen.int(1, 4),))
        return f"{out} = torch.index_select({a}, {d}, {index})" if gen.chance(0.5) else \
            f"{out} = {a}.index_select({d}, {index})"
    small = tuple(gen.int(1, s) for s in shape)
    index = _index_tensor(gen, shape[d], small)
    if r < 0.7:
        return f"{out} = torch.gather({a}, {d}, {index})" if gen.chance(0.5) else \
            f"{out} = {a}.gather({d}, {index})"
    if r < 0.85:
        fn = gen.choice(["scatter", "scatter_add"])
        src = gen.leaf(small) if gen.chance(0.5) else gen.const(small)
        return f"{out} = {a}.{fn}({d}, {index}, {src})"
    return f"{out} = {a}.scatter({d}, {index}, {_scalar(gen)})"


def op_einsum(gen):
    a = gen.pick_float(lambda t: 1 <= t.dim() <= 3 and t.numel() > 0)
    if a is None:
        return None
    shape = gen.shape(a)
    letters = "ijk"[: len(shape)]
    out = gen.name("v")
    r = gen.rng.random()
    if r < 0.3:
        kept = "".join(c for c in letters if gen.chance(0.5))
        return f"{out} = torch.einsum('{letters}->{kept}', {a})"
    if r < 0.6:
        other = gen.leaf(shape) if gen.chance(0.5) else gen.const(shape)
        return f"{out} = torch.einsum('{letters},{letters}->{letters[0]}', {a}, {other})"
    m = gen.int(1, 3)
    other = gen.leaf((shape[-1], m)) if gen.chance(0.6) else gen.const((shape[-1], m))
    return f"{out} = torch.einsum('{letters},{letters[-1]}m->{letters[:-1]}m', {a}, {other})"


def op_detach(gen):
    a = gen.pick_float()
    if a is None:
        return None
    form = gen.choice(["detach()", "detach().requires_grad_()", "clone()", "detach().clone()",
                       "data"])
    return f"{gen.name('v')} = {a}.{form}"


def op_requires_grad(gen):
    a = gen.pick()
    if a is None:
        return None
    return f"{a}.requires_grad_({gen.choice(['', 'True', 'False'])})"


def op_retain_grad(gen):
    a = gen.pick_float(lambda t: t.requires_grad)
    return None if a is None else f"{a}.retain_grad()"


def op_hook(gen):
    handle = gen.name("h")
    r = gen.rng.random()
    if r < 0.45:
        a = gen.pick_float(lambda t: t.requires_grad)
        if a is None:
            return None
        body = f"rec('{handle}', g)" + (" or g * 2" if gen.chance(0.3) else "")
        return f"{handle} = {a}.register_hook(lambda g: {body})"
    if r < 0.85:
        a = gen.pick_float(lambda t: t.grad_fn is not None)
        if a is None:
            return None
        if gen.chance(0.5):
            return (f"{handle} = {a}.grad_fn.register_hook("
                    f"lambda gi, go: rec('{handle}', gi, go))")
        return f"{handle} = {a}.grad_fn.register_prehook(lambda go: rec('{handle}', go))"
    a = gen.pick_float(lambda t: t.requires_grad and t.is_leaf)
    if a is None:
        return None
    return (f"{handle} = {a}.register_post_accumulate_grad_hook("
            f"lambda t: rec('{handle}', t.grad))")


def op_hook_remove(gen):
    handles = [n for n in gen.torch.ns if n[0] == "h" and n[1:].isdigit()]
    return None if not handles else f"{gen.choice(handles)}.remove()"


def _root(gen):
    return gen.pick_float(lambda t: t.requires_grad)


def op_backward(gen):
    a = _root(gen)
    if a is None:
        return None
    shape = gen.shape(a)
    retain = gen.choice(["", ", retain_graph=True", ", retain_graph=True"])
    if gen.chance(0.1):
        leaf = gen.pick_float(lambda t: t.requires_grad and t.is_leaf)
        if leaf is not None:
            retain += f", inputs=[{leaf}]"
    if int(np.prod(shape)) == 1 and gen.chance(0.6):
        return f"{a}.backward({retain[2:]})"
    if gen.chance(0.5):
        return f"{a}.sum().backward({retain[2:]})"
    return f"{a}.backward({gen.const(shape)}{retain})"


def op_grad(gen):
    a = _root(gen)
    inputs = [gen.pick_float(lambda t: t.requires_grad) for _ in range(gen.int(1, 2))]
    if a is None or None in inputs:
        return None
    create = gen.chance(0.5)
    options = f", create_graph={create}"
    if gen.chance(0.5):
        options += ", retain_graph=True"
    if gen.chance(0.6):
        options += ", allow_unused=True"
    out = gen.name("t")
    root = f"{a}.sum()" if gen.chance(0.7) else f"({a} * {a}).sum()"
    return f"{out} = torch.autograd.grad({root}, [{', '.join(inputs)}]{options})"


def op_grad_read(gen):
    r = gen.rng.random()
    if r < 0.6:
        a = gen.pick_float(lambda t: t.requires_grad)
        return None if a is None else f"{gen.name('v')} = {a}.grad"
    a = gen.pick_float(lambda t: t.is_leaf and t.requires_grad)
    return None if a is None else f"{a}.grad = None"


def op_convert(gen):
    a = gen.pick()
    if a is None:
        return None
    form = gen.choice(["double()", "float()", "to(torch.float64)", "long()", "to(torch.float32)"])
    return f"{gen.name('v')} = {a}.{form}"


def op_scalar(gen):
    a = gen.pick()
    if a is None:
        return None
    form = gen.choice(["sum().item()", "shape", "dim()", "numel()", "size(-1)", "is_leaf",
                       "requires_grad", "tolist()"])
    return f"{gen.name('s')} = {a}.{form}"


def final_backward(gen) -> None:
    """Most programs end in a backward, so their graphs get walked."""
    if gen.chance(0.7):
        a = _root(gen)
        if a is not None:
            gen.emit(f"{a}.sum().backward()", "backward")


CORE_OPS = {
    "leaf": (3, op_leaf), "binary": (10, op_binary), "unary": (6, op_unary),
    "reduce": (6, op_reduce), "shape": (8, op_shape), "cat_stack": (2, op_cat_stack),
    "split": (2, op_split), "tuple_item": (3, op_tuple_item), "index": (6, op_index),
    "setitem": (4, op_setitem), "matmul": (5, op_matmul), "inplace": (5, op_inplace),
    "detach": (2, op_detach), "requires_grad": (1, op_requires_grad),
    "retain_grad": (2, op_retain_grad), "hook": (4, op_hook), "hook_remove": (1, op_hook_remove),
    "backward": (5, op_backward), "grad": (3, op_grad), "grad_read": (2, op_grad_read),
    "convert": (1, op_convert), "scalar": (1, op_scalar), "gather": (3, op_gather),
    "einsum": (1, op_einsum),
}


# tensorops (issue #11): the special functions, the moving and picking ops, the new
# in-place forms and the bitwise operators.
SPECIAL_UNARY = ["lgamma", "digamma", "erfinv", "i0", "msort", "fix", "positive"]


def _tensorops_unary(gen, a: str, shape: tuple) -> str:
    fn = gen.choice(SPECIAL_UNARY)
    if fn in ("lgamma", "digamma"):
        a = f"({a}.abs() + 0.5)"
    elif fn == "erfinv":
        a = f"({a}.tanh() * 0.9)"
    elif fn == "msort" and not shape:
        fn = "fix"
    return f"{a}.{fn}()" if gen.chance(0.5) else f"torch.{fn}({a})"


def _tensorops_moving(gen, a: str, shape: tuple):
    rank = len(shape)
    r = gen.rng.random()
    if r < 0.25 and rank >= 2:
        k, dims = gen.int(-1, 2), gen.choice(["[0, 1]", "[1, 0]", f"[{rank - 1}, 0]"])
        return f"{a}.rot90({k}, {dims})"
    if r < 0.45 and rank in (1, 2):
        return f"torch.diag({a}, {gen.int(-1, 1)})"
    if r < 0.65 and rank >= 1 and shape[-1] >= 1:
        size = gen.int(1, shape[-1])
        return f"{a}.unfold({rank - 1}, {size}, {gen.int(1, 2)})"
    if r < 0.8 and int(np.prod(shape)) > 0:
        index = _index_tensor(gen, int(np.prod(shape)), (gen.int(1, 4),))
        return f"{a}.take({index})"
    if r < 0.9 and rank >= 1 and int(np.prod(shape)) > 0:
        return f"{a}.quantile({gen.choice(['0.3', '0.5', '0.9'])}, dim={gen.dim(rank)})"
    return f"{a}.logcumsumexp({gen.dim(rank)})"


def _tensorops_binary(gen, a: str, shape: tuple) -> str:
    b = gen.leaf(shape) if gen.chance(0.5) else gen.const(shape)
    fn = gen.choice(["torch.logaddexp2", "torch.dist", "torch.ldexp", "torch.float_power"])
    if fn == "torch.float_power":
        # a number as the exponent: with a tensor one, the engine's PowBackward1 records
        # another double-backward graph than torch's (a divergence of pow, not float_power)
        return f"torch.float_power({a}.abs() + 0.5, {gen.choice(['2', '0.5', '-1.5'])})"
    return f"{fn}({a}, {b})"


def _tensorops_in_place(gen, a: str, shape: tuple) -> str:
    op = gen.choice(["eq_(0.5)", "gt_(0.0)", "sign_()", "fix_()", "logical_not_()",
                     "multiply_(2)", "cumsum_(0)", "tril_()"])
    if op.startswith("cumsum_") and not shape or op == "tril_()" and len(shape) < 2:
        op = "sign_()"
    return f"{a}.{op}"


def op_tensorops(gen):
    a = gen.pick_float()
    if a is None:
        return None
    shape = gen.shape(a)
    out = gen.name("v")
    r = gen.rng.random()
    if r < 0.3:
        return f"{out} = {_tensorops_unary(gen, a, shape)}"
    if r < 0.6:
        return f"{out} = {_tensorops_moving(gen, a, shape)}"
    if r < 0.75:
        return f"{out} = {_tensorops_binary(gen, a, shape)}"
    if r < 0.9:
        copy = gen.name("v")
        gen.emit(f"{copy} = {a} * 1", "binary")
        return _tensorops_in_place(gen, copy, shape)
    ints = gen.const(shape, "int64", low=-8, high=8)
    return f"{out} = ({ints} & 3) | ({ints} >> 1) ^ ~{ints}"


CORE_OPS["tensorops"] = (3, op_tensorops)
