"""Compare one differentiable op with torch 2.13, live: value, dtype, node name, saved
attributes, first gradients, second gradients (create_graph) and the names of the
double-backward graph. Shared by the tensorops test files."""
from __future__ import annotations

import numpy as np
import torch

import engine


def _graph_names(node, depth=4):
    if node is None or depth == 0:
        return None
    return node.name(), [_graph_names(next_node, depth - 1)
                         for next_node, _ in node.next_functions]


def _saved(node) -> dict:
    out = {}
    for name in sorted(k for k in dir(node) if k.startswith("_saved_")):
        value = getattr(node, name)
        if isinstance(value, (torch.Tensor, engine.Tensor)):
            value = ("tensor", tuple(value.shape))
        elif isinstance(value, tuple) and value and isinstance(value[0], (torch.Tensor,
                                                                          engine.Tensor)):
            value = tuple(v.tolist() for v in value)
        out[name] = value
    return out


def outcome(t, fn, data, dtype_name: str) -> dict:
    dtype = getattr(t, dtype_name)
    leaves = [t.tensor(v, dtype=dtype, requires_grad=True) for v in data]
    y = fn(t, *leaves)
    saved = _saved(y.grad_fn)      # read before backward frees them
    weights = t.linspace(0.5, 1.5, y.numel(), dtype=y.dtype).reshape(y.shape)
    grads = t.autograd.grad((y * weights).sum(), leaves, create_graph=True, allow_unused=True)
    needing = [g for g in grads if g is not None and g.requires_grad]
    second = []
    if needing:
        total = sum((g * g).sum() for g in needing)
        second = t.autograd.grad(total, leaves, allow_unused=True)
    # (force: torch's second derivative of sgn is a ZeroTensor, which plain numpy() refuses)
    as_array = lambda v: None if v is None else v.detach().numpy(force=True)  # noqa: E731
    return {"value": as_array(y), "dtype": str(y.dtype), "node": y.grad_fn.name(),
            "saved": saved, "grads": [as_array(g) for g in grads],
            "second": [as_array(g) for g in second],
            "graph": [_graph_names(g.grad_fn) for g in grads if g is not None]}


def compare(fn, data, dtype_name: str, *, graph: bool = True, tol: float | None = None):
    expected = outcome(torch, fn, data, dtype_name)
    actual = outcome(engine, fn, data, dtype_name)
    if tol is None:
        tol = 3e-6 if dtype_name == "float32" else 1e-12
    for key in ("dtype", "node", "saved"):
        assert actual[key] == expected[key], key
    for key in ("value", "grads", "second"):
        want, got = expected[key], actual[key]
        want, got = (want, got) if isinstance(want, list) else ([want], [got])
        assert len(got) == len(want), key
        for w, g in zip(want, got):
            assert (w is None) == (g is None), key
            if w is not None:
                np.testing.assert_allclose(g, w, rtol=tol, atol=tol, err_msg=key)
    if graph:
        assert actual["graph"] == expected["graph"]
