"""The Tensor API held to PyTorch: factories, dtypes and their defaults, shapes, conversions,
memory sharing (numpy, detach, data), and reprs.

Each `sc_*` scenario takes the torch-like module as its argument and returns plain values;
each test runs it with torch 2.13 and with `engine` (tests/oracle.py) and compares. Random
factories are compared by shapes, dtypes, ranges and reproducibility here, and value for
value in test_random_torch.py.
"""
import numpy as np
import pytest

import oracle
from oracle import error_of


def describe(t):
    return {"repr": repr(t), "dtype": str(t.dtype), "shape": repr(t.shape)}


# ---------------------------------------------------------------- factories

FACTORY_CASES = {
    "tensor float list": lambda t: t.tensor([1.0, 2.5]),
    "tensor int list": lambda t: t.tensor([1, 2, 3]),
    "tensor mixed list": lambda t: t.tensor([1, 2.5]),
    "tensor bool list": lambda t: t.tensor([True, False]),
    "tensor nested": lambda t: t.tensor([[1, 2], [3, 4]]),
    "tensor 0-dim float": lambda t: t.tensor(3.0),
    "tensor 0-dim int": lambda t: t.tensor(3),
    "tensor empty": lambda t: t.tensor([]),
    "tensor dtype=float": lambda t: t.tensor([100, 0.1], dtype=t.float),
    "tensor dtype=double": lambda t: t.tensor([1, 2], dtype=t.double),
    "tensor dtype=long": lambda t: t.tensor([1.7, -2.7], dtype=t.long),
    "tensor from float64 ndarray": lambda t: t.tensor(np.array([1.0, 2.0])),
    "tensor from int32 ndarray": lambda t: t.tensor(np.array([1, 2], dtype=np.int32)),
    "tensor requires_grad": lambda t: t.tensor([1.0], requires_grad=True),
    "zeros": lambda t: t.zeros(2, 3),
    "zeros tuple": lambda t: t.zeros((2, 3)),
    "zeros long": lambda t: t.zeros(2, dtype=t.long),
    "ones": lambda t: t.ones(2),
    "ones requires_grad": lambda t: t.ones(2, requires_grad=True),
    "full float": lambda t: t.full((2, 2), 7.0),
    "full int": lambda t: t.full((2,), 7),
    "full bool": lambda t: t.full((2,), True),
    "arange int": lambda t: t.arange(5),
    "arange start end": lambda t: t.arange(2, 6),
    "arange float step": lambda t: t.arange(0, 1, 0.25),
    "arange float end": lambda t: t.arange(3.0),
    "linspace": lambda t: t.linspace(0, 1, 5),
    "linspace negative": lambda t: t.linspace(-1, 1, steps=3),
    "zeros_like int": lambda t: t.zeros_like(t.tensor([1, 2])),
    "ones_like float": lambda t: t.ones_like(t.tensor([[1.0, 2.0]])),
    "ones_like dtype": lambda t: t.ones_like(t.tensor([1, 2]), dtype=t.float64),
    "zeros_like of requires_grad": lambda t: t.zeros_like(t.tensor([1.0], requires_grad=True)),
    "from_numpy float64": lambda t: t.from_numpy(np.array([1.0, 2.0])),
    "from_numpy float32": lambda t: t.from_numpy(np.array([1.0, 2.0], dtype=np.float32)),
    "from_numpy int64": lambda t: t.from_numpy(np.arange(3)),
}


def sc_factories(torch):
    return {name: describe(make(torch)) for name, make in FACTORY_CASES.items()}


def sc_empty(torch):
    e = torch.empty(2, 3)
    return {"shape": repr(e.shape), "dtype": str(e.dtype),
            "int": str(torch.empty(2, dtype=torch.int64).dtype),
            "requires_grad": torch.empty(1, requires_grad=True).requires_grad}


def sc_random_factories(torch):
    torch.manual_seed(0)
    r = torch.rand(1000)
    n = torch.randn(2, 3)
    i = torch.randint(3, 7, (1000,))
    i2 = torch.randint(5, (4,))
    return {"rand": (repr(r.shape), str(r.dtype), all(0 <= v < 1 for v in r.tolist())),
            "randn": (repr(n.shape), str(n.dtype)),
            "randint": (repr(i.shape), str(i.dtype), min(i.tolist()), max(i.tolist())),
            "randint high only": (repr(i2.shape), str(i2.dtype),
                                  all(0 <= v < 5 for v in i2.tolist())),
            "randn requires_grad": torch.randn(2, requires_grad=True).requires_grad,
            "rand tuple": repr(torch.rand((2, 2)).shape),
            "randn float64": str(torch.randn(2, dtype=torch.float64).dtype)}


def sc_manual_seed_reproducible(torch):
    torch.manual_seed(1234)
    a = torch.randn(5), torch.rand(3), torch.randint(0, 100, (4,))
    torch.manual_seed(1234)
    b = torch.randn(5), torch.rand(3), torch.randint(0, 100, (4,))
    torch.manual_seed(4321)
    c = torch.randn(5)
    return {"same seed same values": [x.tolist() == y.tolist() for x, y in zip(a, b)],
            "other seed differs": a[0].tolist() != c.tolist(),
            "consecutive draws differ": a[0].tolist() != torch.randn(5).tolist()}


# ---------------------------------------------------------------- dtypes

def sc_dtypes(torch):
    return {"str": [str(d) for d in (torch.float32, torch.float64, torch.int64, torch.bool)],
            "repr": [repr(d) for d in (torch.float32, torch.int64)],
            "aliases": [torch.float is torch.float32, torch.double is torch.float64,
                        torch.long is torch.int64],
            "default": str(torch.get_default_dtype()),
            "float data": str(torch.tensor([1.0]).dtype),
            "int data": str(torch.tensor([1]).dtype),
            "is_floating_point": [torch.tensor([1.0]).is_floating_point(),
                                  torch.tensor([1]).is_floating_point(),
                                  torch.float32.is_floating_point]}


# ---------------------------------------------------------------- shape and size

def sc_shape_and_size(torch):
    x = torch.zeros(2, 3)
    return {"shape": repr(x.shape), "size()": repr(x.size()), "str": str(x.shape),
            "size(1)": x.size(1), "size(-1)": x.size(-1), "shape[0]": x.shape[0],
            "eq tuple": x.shape == (2, 3), "is tuple": isinstance(x.shape, tuple),
            "slice": repr(x.shape[1:]), "0-dim": repr(torch.tensor(1.0).shape),
            "dim": x.dim(), "ndim": x.ndim, "numel": x.numel(),
            "len": len(x), "size(2)": error_of(lambda: x.size(2)),
            "Size numel": x.shape.numel()}


# ---------------------------------------------------------------- conversions

def sc_item_and_tolist(torch):
    f = torch.tensor([2.5])
    i = torch.tensor(7)
    return {"float item": (f.item(), type(f.item()).__name__),
            "int item": (i.item(), type(i.item()).__name__),
            "bool item": torch.tensor(True).item(),
            "float32 item exact": torch.tensor(0.1).item(),
            "tolist 2d": torch.tensor([[1, 2], [3, 4]]).tolist(),
            "tolist float32": torch.tensor([0.1, 0.5]).tolist(),
            "tolist 0-dim": torch.tensor(1.5).tolist(),
            "float()": float(torch.tensor([3.5])), "int()": int(torch.tensor(3.9))}


def sc_numpy_shares_memory(torch):
    t = torch.tensor([1.0, 2.0, 3.0])
    a = t.numpy()
    a[0] = 100.0
    t[1] = 200.0
    f = np.array([1.0, 2.0])
    u = torch.from_numpy(f)
    f[1] = -5.0
    return {"t": repr(t), "a": a.tolist(), "a dtype": str(a.dtype), "u": repr(u),
            "detached numpy": (torch.tensor([1.0], requires_grad=True) * 2).detach().numpy().tolist()}


def sc_detach_shares_data(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    info = {"d": repr(d), "requires_grad": d.requires_grad, "is_leaf": d.is_leaf,
            "grad_fn": d.grad_fn}
    d[0] = 10.0
    info["x after d[0]=10"] = repr(x)
    info["versions"] = [x._version, d._version]
    y = x * 2
    yd = y.detach()
    info["yd"] = repr(yd)
    return info


def sc_clone_and_contiguous(torch):
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    c = x.clone()
    tt = x.t()
    cc = tt.contiguous()
    plain = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    return {"clone": repr(c), "t contiguous": tt.is_contiguous(), "contiguous": repr(cc),
            "after": cc.is_contiguous(),
            "contiguous of contiguous is self": plain.contiguous() is plain,
            "clone of plain": repr(plain.clone()), "stride": tt.stride()}


def sc_clone_does_not_share(torch):
    x = torch.tensor([1.0, 2.0])
    c = x.clone()
    c[0] = 9.0
    return [repr(x), repr(c)]


def sc_to_float_long(torch):
    i = torch.tensor([1, 2])
    f = torch.tensor([-1.7, 2.5, 3.9])
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    same = torch.tensor([1.0])
    return {"float()": repr(i.float()), "long()": repr(f.long()),
            "to(float64)": repr(f.to(torch.float64)), "to(int64)": repr(f.to(torch.int64)),
            "double()": repr(i.double()), "to same is self": same.to(torch.float32) is same,
            "float() same is self": same.float() is same,
            "grad through to": repr(x.to(torch.float64)),
            "to keeps leaf grad": repr(x.float())}


def sc_to_backward(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(torch.float64) * 3
    y.sum().backward()
    return {"x.grad": repr(x.grad), "name": y.grad_fn.next_functions[0][0].name()}


def sc_requires_grad_(torch):
    x = torch.tensor([1.0, 2.0])
    r = x.requires_grad_()
    info = {"returns self": r is x, "requires_grad": x.requires_grad, "repr": repr(x)}
    x.requires_grad_(False)
    info["off"] = x.requires_grad
    y = torch.tensor([1.0])
    y.requires_grad = True
    info["attribute"] = repr(y)
    z = torch.tensor([1.0], requires_grad=True) * 2
    z.requires_grad_()   # True on a non-leaf is allowed
    info["nonleaf true"] = repr(z)
    return info


def sc_data_get_and_set(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    info = {"data": repr(d), "requires_grad": d.requires_grad, "is_leaf": d.is_leaf}
    d[0] = 5.0
    info["x after data[0]=5"] = repr(x)
    info["x version"] = x._version
    x.data = torch.tensor([7.0, 8.0, 9.0])
    info["x after set"] = repr(x)
    info["still requires grad"] = x.requires_grad
    (x * 2).sum().backward()
    info["grad after set"] = repr(x.grad)
    y = x * 3
    info["nonleaf data"] = repr(y.data)
    return info


def sc_transpose_T(torch):
    m = torch.tensor([[1, 2, 3], [4, 5, 6]])
    v = torch.tensor([1, 2])
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    info = {"T": repr(m.T), "T shape": repr(m.T.shape), "t()": repr(m.t()),
            "1-d T": repr(v.t()), "T grad_fn": repr(x.T)}
    mt = m.T
    mt[0, 1] = 99
    info["T is a view"] = repr(m)
    return info


# ---------------------------------------------------------------- reprs

REPR_CASES = {
    "mul": lambda t: t.tensor([1.0], requires_grad=True) * 2,
    "leaf requires_grad": lambda t: t.tensor([1.0], requires_grad=True),
    "tutorial grad": lambda t: t.tensor([300.0, 0.3]),
    "0-dim float": lambda t: t.tensor(2.5),
    "0-dim grad": lambda t: (t.tensor([1.0, 2.0], requires_grad=True) * 2).sum(),
    "int": lambda t: t.tensor([1, -20, 300]),
    "float64 leaf grad": lambda t: t.tensor([1.5], dtype=t.float64, requires_grad=True),
    "float64 grad_fn": lambda t: t.tensor([1.5], dtype=t.float64, requires_grad=True) * 2,
    "bool": lambda t: t.tensor([True, False]),
    "empty": lambda t: t.tensor([]),
    "empty 2d": lambda t: t.zeros(0, 3),
    "2d": lambda t: t.tensor([[1.0, -2.5], [3.25, 4.0]]),
    "large": lambda t: t.tensor([1e10, 1.0]),
    "small": lambda t: t.tensor([1e-5, 1.0]),
    "int64 empty": lambda t: t.zeros(0, dtype=t.long),
    "nan inf": lambda t: t.tensor([float("nan"), float("inf"), -float("inf"), 1.0]),
    "str is repr": lambda t: str(t.tensor([1.0])) == repr(t.tensor([1.0])),
    "format 0-dim": lambda t: f"{t.tensor(2.5):.3f}",
}


def sc_reprs(torch):
    return {name: (make(torch) if isinstance(make(torch), (bool, str)) else repr(make(torch)))
            for name, make in REPR_CASES.items()}


def sc_print_statement(torch):
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        print(x)
        print(x * 2)
        print(x.shape, x.dtype)
    return out.getvalue()


# ---------------------------------------------------------------- indexing and misc

def sc_indexing_reads(torch):
    m = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    return {"m[1]": repr(m[1]), "m[:, 1]": repr(m[:, 1]), "m[0, 2]": repr(m[0, 2]),
            "m[-1, ::2]": repr(m[-1, ::2]), "m[[1, 0]]": repr(m[[1, 0]]),
            "m[m > 2]": repr(m[m > 2])}


def sc_all_any(torch):
    b = torch.tensor([True, False])
    return [repr(b.all()), repr(b.any()), repr((torch.tensor([1.0, 2.0]) > 0).all())]


def sc_is_leaf_and_grad_fn(torch):
    x = torch.tensor([1.0], requires_grad=True)
    c = torch.tensor([1.0])
    y = x * 2
    with torch.no_grad():
        z = x * 2
    return {"x": (x.is_leaf, x.grad_fn), "c": (c.is_leaf, c.requires_grad),
            "y": (y.is_leaf, y.requires_grad), "z": (z.is_leaf, z.requires_grad),
            "c*2": (c * 2).is_leaf}


# ---------------------------------------------------------------- the tests

SCENARIOS = oracle.scenarios(globals())
KNOWN_DIVERGENCES = {
}


@pytest.mark.parametrize("name", oracle.params(SCENARIOS, KNOWN_DIVERGENCES))
def test_matches_torch(name):
    oracle.agree(SCENARIOS[name])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linspace_bit_for_bit(dtype):
    """ATen's kernel: each half from its own end, one fused multiply-add per element (the
    tutorials' torch.linspace(-math.pi, math.pi, 2000) differed in 604 of 2000 elements)."""
    def case(t):
        return [t.linspace(lo, hi, n, dtype=getattr(t, dtype)).numpy().tobytes().hex()
                for n in (2, 7, 100, 2000) for lo, hi in ((-3.141592653589793, 3.141592653589793),
                                                           (0, 1), (-5, 3.3), (10, -2))]
    oracle.agree(case)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_logspace_bit_for_bit(dtype):
    """ATen's kernel: the exponent in double from each end, the base as given (a float32
    base would round 3.3 first), then the cast."""
    def case(t):
        return [t.logspace(lo, hi, n, base=base, dtype=getattr(t, dtype)).numpy().tobytes().hex()
                for n in (0, 1, 2, 7, 100) for lo, hi in ((-1, 3), (0.5, 1.7), (2, -2))
                for base in (10.0, 2, 3.3)]
    oracle.agree(case)
