"""clamp_min / clamp_max (and their in-place forms): one bound, a number (ClampMinBackward0,
ClampMaxBackward0, saving self and the number) or a tensor broadcast with the input
(ClampMinBackward1, ClampMaxBackward1: the gradient goes to whichever side is kept)."""
from __future__ import annotations

import numpy as np

from engine.autograd.node import node_class
from engine.ops import _layout, _poly as P
from engine.ops._core import as_tensor, cast, record, reduce_to, result_dtype
from engine.ops.elementwise import _broadcast_errors
from engine.tensor import Tensor


def _sides(n, name: str):
    """(where self is kept, where the bound is): ATen's self >= min and self < min (self <=
    max, self > max), so a NaN sends the gradient to neither."""
    x, bound = n.get("self"), n.get(name)
    return (x >= bound, x < bound) if name == "min" else (x <= bound, x > bound)


def _scalar_bound_rule(name: str):
    return lambda n, g: (P.where(_sides(n, name)[0], g, 0),)


def _tensor_bound_rule(name: str):
    def rule(n, g):
        self_kept, bound_kept = _sides(n, name)
        return (reduce_to(P.where(self_kept, g, 0), n._in_shapes[0]) if n.needs(0) else None,
                reduce_to(P.where(bound_kept, g, 0), n._in_shapes[1]) if n.needs(1) else None)
    return rule


ClampMinBackward0 = node_class("ClampMinBackward0", _scalar_bound_rule("min"))
ClampMaxBackward0 = node_class("ClampMaxBackward0", _scalar_bound_rule("max"))
ClampMinBackward1 = node_class("ClampMinBackward1", _tensor_bound_rule("min"))
ClampMaxBackward1 = node_class("ClampMaxBackward1", _tensor_bound_rule("max"))
_NODES = {("min", False): ClampMinBackward0, ("max", False): ClampMaxBackward0,
          ("min", True): ClampMinBackward1, ("max", True): ClampMaxBackward1}


def _clamp_one_side(input, bound, name: str):
    input = as_tensor(input)
    np_fn = np.maximum if name == "min" else np.minimum
    if isinstance(bound, Tensor):
        with _broadcast_errors(input, bound):
            out = _layout.iterated(np_fn(input._data, bound._data), [input._data, bound._data])
        out = cast(out, result_dtype(input, bound))
        return record(_NODES[name, True], out, (input, bound), {"self": input, name: bound})
    out = cast(np_fn(input._data, bound), result_dtype(input, bound))
    return record(_NODES[name, False], out, (input,), {"self": input}, {name: bound})


def clamp_min(input, min):
    return _clamp_one_side(input, min, "min")


def clamp_max(input, max):
    return _clamp_one_side(input, max, "max")


def clamp_min_(input, min):
    from engine.ops.inplace import _inplace
    return _inplace(input, "clamp_min_", clamp_min, min)


def clamp_max_(input, max):
    from engine.ops.inplace import _inplace
    return _inplace(input, "clamp_max_", clamp_max, max)
