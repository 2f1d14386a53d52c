"""In-place ops held to PyTorch: values, `_version` counts, the grad_fn a non-leaf gets after
an in-place op, and gradients through them.

Each `sc_*` scenario takes the torch-like module as its argument and returns plain values;
each test runs it with torch 2.13 and with `engine` (tests/oracle.py) and compares.
"""
import pytest

import oracle
from oracle import error_of


# one in-place op each, on a plain tensor [1, -2, 3] (and a source tensor where needed)
INPLACE_OPS = {
    "add_": lambda t, x: x.add_(1),
    "add_ tensor alpha": lambda t, x: x.add_(t.tensor([1.0, 1.0, 1.0]), alpha=2),
    "sub_": lambda t, x: x.sub_(0.5),
    "mul_": lambda t, x: x.mul_(3),
    "mul_ tensor": lambda t, x: x.mul_(t.tensor([1.0, 0.0, -1.0])),
    "div_": lambda t, x: x.div_(4),
    "zero_": lambda t, x: x.zero_(),
    "fill_": lambda t, x: x.fill_(7),
    "copy_": lambda t, x: x.copy_(t.tensor([9.0, 8.0, 7.0])),
    "copy_ broadcast": lambda t, x: x.copy_(t.tensor([5.0])),
    "copy_ int source": lambda t, x: x.copy_(t.tensor([1, 2, 3])),
    "clamp_": lambda t, x: x.clamp_(-1, 2),
    "clamp_ min only": lambda t, x: x.clamp_(min=0),
    "setitem scalar": lambda t, x: x.__setitem__(0, 5.0),
    "setitem slice": lambda t, x: x.__setitem__(slice(1, None), t.tensor([4.0, 4.0])),
    "setitem mask": lambda t, x: x.__setitem__(x < 0, 0.0),
    "setitem list": lambda t, x: x.__setitem__([0, 2], 0.0),
    "iadd": lambda t, x: x.__iadd__(10),
    "imul": lambda t, x: x.__imul__(2),
}


def sc_values_and_versions(torch):
    out = {}
    for name, op in INPLACE_OPS.items():
        x = torch.tensor([1.0, -2.0, 3.0])
        result = op(torch, x)
        out[name] = {"x": repr(x), "version": x._version,
                     "returns self": None if result is None else result is x}
    return out


def sc_versions_accumulate(torch):
    x = torch.tensor([1.0, 2.0])
    versions = [x._version]
    x.add_(1)
    versions.append(x._version)
    x[0] = 5.0
    versions.append(x._version)
    x.mul_(2).sub_(1)
    versions.append(x._version)
    x += 1
    versions.append(x._version)
    y = x + 1          # out-of-place: no bump
    versions.append(x._version)
    d = x.detach()
    d.zero_()
    versions.append((x._version, d._version, repr(x)))
    return {"versions": versions, "y": repr(y)}


def _nonleaf_scenario(op_name):
    def scenario(torch):
        """y = x * 2, then the in-place op on y: y's grad_fn, version, and x's gradient."""
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 2
        INPLACE_OPS[op_name](torch, y)
        info = {"y": repr(y), "name": y.grad_fn.name(), "version": y._version,
                "is_leaf": y.is_leaf,
                "next": [None if f is None else f.name() for f, _ in y.grad_fn.next_functions]}
        (y * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
        info["x.grad"] = repr(x.grad)
        return info
    scenario.__name__ = f"sc_nonleaf {op_name}"
    return scenario


for _op in INPLACE_OPS:
    globals()[f"sc_nonleaf {_op}"] = _nonleaf_scenario(_op)


def sc_inplace_with_grad_source(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * 2
    y.mul_(w)
    y.add_(w, alpha=3)
    names = [y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()]
    y.sum().backward()
    return {"y": repr(y), "names": names, "x.grad": repr(x.grad), "w.grad": repr(w.grad)}


def sc_copy_from_grad_source(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * 2
    y.copy_(w * 5)
    name = y.grad_fn.name()
    y.sum().backward()
    return {"y": repr(y), "name": name, "x.grad": repr(x.grad), "w.grad": repr(w.grad)}


def sc_copy_into_plain_tensor_from_grad_source(torch):
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    buf = torch.zeros(2)
    buf.copy_(w)
    info = {"buf": repr(buf), "name": buf.grad_fn.name(), "is_leaf": buf.is_leaf}
    (buf * 2).sum().backward()
    info["w.grad"] = repr(w.grad)
    return info


def sc_setitem_with_grad_value(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = torch.tensor([5.0], requires_grad=True)
    y = x * 2
    y[1] = w * 3
    info = {"y": repr(y), "name": y.grad_fn.name(),
            "next": [None if f is None else f.name() for f, _ in y.grad_fn.next_functions]}
    y.sum().backward()
    info["x.grad"] = repr(x.grad)
    info["w.grad"] = repr(w.grad)
    return info


def sc_setitem_into_plain_tensor_with_grad_value(torch):
    w = torch.tensor([5.0], requires_grad=True)
    buf = torch.zeros(3)
    buf[2] = w[0] * 2
    info = {"buf": repr(buf), "name": buf.grad_fn.name()}
    buf.sum().backward()
    info["w.grad"] = repr(w.grad)
    return info


def sc_inplace_on_slice_view_of_nonleaf(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[:2].mul_(10)
    info = {"y": repr(y), "name": y.grad_fn.name(), "version": y._version}
    y.sum().backward()
    info["x.grad"] = repr(x.grad)
    return info


def sc_leaf_inplace_under_no_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    with torch.no_grad():
        x.sub_(0.1 * x.grad)
        x[0] = 0.5
    info = {"x": repr(x), "version": x._version, "is_leaf": x.is_leaf,
            "requires_grad": x.requires_grad, "grad_fn": x.grad_fn}
    x.grad.zero_()
    (x * 3).sum().backward()
    info["grad after zero_ and backward"] = repr(x.grad)
    return info


def sc_grad_tensor_versions(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    first = g._version
    (x * 3).sum().backward()
    return {"same grad object": x.grad is g, "versions": [first, g._version],
            "grad": repr(g)}


def sc_inplace_after_use_not_saved(torch):
    """y is not saved by anything downstream (add saves nothing), so editing it is fine."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y + 1
    y.add_(100)
    z.sum().backward()
    return {"x.grad": repr(x.grad), "z": repr(z), "y": repr(y)}


def sc_inplace_relu_and_sigmoid_saved_output(torch):
    """An in-place op on the output of an op that saved its result breaks that op's backward
    only (errors are in test_errors); here the edit happens before the saving op runs."""
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    y = x * 1
    y.add_(1)
    z = y.sigmoid()
    z.sum().backward()
    return {"z": repr(z), "x.grad": repr(x.grad)}


def sc_inplace_saved_output_modified_later(torch):
    """sigmoid_ / exp_ / tanh_ save their output, which is the tensor itself at its new
    version: any later in-place change of it (mul_, copy_, setitem, fill_) breaks backward."""
    edits = {"mul_": lambda v: v.mul_(2), "copy_": lambda v: v.copy_(torch.zeros(2, 2)),
             "setitem": lambda v: v.__setitem__(slice(None), torch.zeros(2, 2)),
             "fill_": lambda v: v.fill_(2.0)}
    out = {}
    for op in ("sigmoid_", "exp_", "tanh_"):
        for name, edit in edits.items():
            x = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
            y = x.to(torch.float64)
            getattr(y, op)()
            z = y + 1
            edit(y)
            out[f"{op} then {name}"] = error_of(lambda: z.sum().backward())
    return out


def sc_inplace_saved_output_of_a_view_modified_later(torch):
    """The same on a view: PyTorch's text names the view's grad_fn when saved (AsStrided)
    while it lives, else the op's own node (Exp)."""
    out = {}
    x = torch.tensor([[0.5, -1.0, 2.0], [0.25, 1.5, -0.5]], requires_grad=True)
    v = (x * 1)[:, :2]
    v.tanh_()
    kept = v.grad_fn        # holding it keeps it alive after div_ gives v a new one
    v.div_(torch.tensor([2.0, 3.0]))
    out["AsStrided"] = error_of(lambda: v.sum().backward())
    out["kept"] = kept.name()
    base = x.sum(0)
    w = base[1]
    w.exp_()
    base[:2].mul_(0.5)      # regenerates w's grad_fn: the one saved with exp_'s result dies
    out["Exp"] = error_of(lambda: w.backward())
    return out


def sc_inplace_on_int_and_bool(torch):
    i = torch.tensor([1, 2, 3])
    i.add_(2)
    i.mul_(3)
    b = torch.tensor([True, False])
    b.fill_(True)
    f = torch.tensor([1.0, 2.0])
    f.add_(torch.tensor([1, 1]))
    return {"i": repr(i), "b": repr(b), "f": repr(f),
            "int div_": error_of(lambda: torch.tensor([1, 2]).div_(2))}


VIEW_CASES = {
    "select": lambda y: (y, y[0]),
    "slice": lambda y: (y, y[1:]),
    "view": lambda y: (y, y.view(3, 1)),
    "transpose of a view": lambda y: (y.view(1, 3), y.view(1, 3).t()),
    "unsqueeze": lambda y: (y, y.unsqueeze(0)),
}


def _view_scenario(case):
    def scenario(torch):
        """y = x * 2 (or a view of it), v a view of y, v.mul_(10): names, values, grad."""
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y, v = VIEW_CASES[case](x * 2)
        v.mul_(10)
        info = {"y": repr(y), "y name": y.grad_fn.name(), "v": repr(v),
                "v name": v.grad_fn.name(), "versions": [y._version, v._version]}
        y.sum().backward()
        info["x.grad"] = repr(x.grad)
        return info
    scenario.__name__ = f"sc_view {case} mul_"
    return scenario


for _case in VIEW_CASES:
    globals()[f"sc_view {_case} mul_"] = _view_scenario(_case)


def sc_view_then_base_modified(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    v = y[:2]
    y.mul_(3)
    info = {"v": repr(v), "v name": v.grad_fn.name(), "versions": [y._version, v._version]}
    (v * torch.tensor([1.0, 10.0])).sum().backward()
    info["x.grad"] = repr(x.grad)
    return info


def sc_leaf_view_inplace_errors(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    return {"select mul_": error_of(lambda: x[0].mul_(2)),
            "slice add_": error_of(lambda: x[:1].add_(1)),
            "view zero_": error_of(lambda: x.view(2, 1).zero_()),
            "x": repr(x), "version": x._version}


def sc_leaf_view_inplace_under_no_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        x[:1].mul_(5)
        v = x.view(2, 1)
        v.add_(1)
    return {"x": repr(x), "version": x._version, "is_leaf": x.is_leaf}


def sc_leaf_moved_into_the_graph_interior(torch):
    """A leaf that stopped requiring grad, then made an op's output by an in-place op, still
    has an AccumulateGrad in a graph made before: backward through it refuses (fuzz seed
    1107179), with a hook on the leaf too, and not when no gradient reaches it."""
    out = {}
    fired = []
    for hooked in (False, True):
        x = torch.ones(3, requires_grad=True)
        if hooked:
            x.register_hook(lambda g: fired.append(g.tolist()))
        y = x * 2
        x.requires_grad_(False)
        x[0] = torch.tensor(5.0, requires_grad=True)
        out[f"hooked={hooked}"] = error_of(lambda: y.sum().backward())
        out[f"x.grad_fn {hooked}"] = x.grad_fn.name()

    class NoGrad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return None

    x = torch.ones(2, requires_grad=True)
    y = NoGrad.apply(x)
    x.requires_grad_(False)
    x.mul_(torch.tensor(3.0, requires_grad=True))
    out["no gradient reaches it"] = error_of(lambda: y.sum().backward())
    out["hook fired with"] = fired
    return out


# ---------------------------------------------------------------- the tests

SCENARIOS = oracle.scenarios(globals())
KNOWN_DIVERGENCES = {
}


@pytest.mark.parametrize("name", oracle.params(SCENARIOS, KNOWN_DIVERGENCES))
def test_matches_torch(name):
    oracle.agree(SCENARIOS[name])
