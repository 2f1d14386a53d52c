"""The `out=` keyword of torch.* functions: compute, then write into the given tensor.

As in PyTorch: no autograd through out= (an error when grad is needed); an out of another
shape is resized, with PyTorch's deprecation warning when it had elements; the result is
cast into out's dtype where PyTorch's rule for that op allows it, else its error.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from engine import dtypes as _dt
from engine._cpp_warning import cpp_warning
from engine.autograd import grad_mode as _gm
from engine.ops._core import is_scalar
from engine.tensor import Tensor, _c_type

RESIZE_WARNING = cpp_warning(
    "An output with one or more elements was resized since it had shape {old}, which does not "
    "match the required output shape {new}. This behavior is deprecated, and in a future "
    "PyTorch release outputs will not be resized unless they have zero elements. You can "
    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0).", "aten/src/ATen/native/Resize.cpp:30")

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}

# How each op checks out's dtype, and in which order it checks and resizes: each family
# below is one of PyTorch's kernel families (TensorIterator ops, structured reductions, ...).
ITER, FOUND, REDUCE, SUM, EXACT, CAT, STACK, DOT, MV, INDEX_SELECT, FACTORY = (
    "iter", "found", "reduce", "sum", "exact", "cat", "stack", "dot", "mv", "index_select",
    "factory")
OUT_OPS = {
    **{name: (ITER, name) for name in (
        "add", "sub", "mul", "div", "pow", "exp", "log", "sqrt", "sin", "cos", "tanh",
        "sigmoid", "reciprocal", "sign", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
        "logical_or", "logical_not")},
    "subtract": (ITER, "sub"), "multiply": (ITER, "mul"), "divide": (ITER, "div"),
    "true_divide": (ITER, "div"),
    **{name: (FOUND, name) for name in ("abs", "neg", "clamp")},
    "negative": (FOUND, "neg"), "absolute": (FOUND, "abs"), "clip": (FOUND, "clamp"),
    **{name: (REDUCE, name) for name in ("mean", "var", "std", "norm", "softmax",
                                          "log_softmax", "scatter", "scatter_add")},
    "sum": (SUM, "sum"), "prod": (SUM, "prod"),
    **{name: (EXACT, name) for name in ("max", "min", "argmax", "argmin", "mm", "bmm",
                                         "gather")},
    "matmul": (MV, "matmul"), "mv": (MV, "mv"), "dot": (DOT, "dot"),
    "index_select": (INDEX_SELECT, "index_select"),
    "cat": (CAT, "cat"), "concat": (CAT, "cat"), "concatenate": (CAT, "cat"),
    "stack": (STACK, "stack"),
    **{name: (FACTORY, name) for name in ("zeros", "ones", "empty", "full", "arange",
                                           "linspace", "eye", "rand", "randn", "randint",
                                           "randperm")},
}


def with_out(name: str, fn):
    """fn with PyTorch's out= keyword."""
    family, op_name = OUT_OPS[name]

    @functools.wraps(fn)
    def op(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return _into_out(op_name, _family_for(family, op_name, args, kwargs), fn, args,
                         kwargs, out)
    return op


def _family_for(family: str, name: str, args, kwargs) -> str:
    """Where one torch function reaches several kernels: max(a, b) is elementwise, mean
    without a dim has its own dtype check, matmul is mv, dot or mm by the operands' ranks."""
    if name in ("max", "min") and len(args) > 1 and isinstance(args[1], Tensor):
        return ITER
    if name == "mean" and len(args) == 1 and "dim" not in kwargs:
        return "mean_all"
    if name == "matmul":
        ranks = (args[0]._data.ndim, args[1]._data.ndim)
        return {(2, 1): MV, (1, 1): DOT}.get(ranks, EXACT)
    return family


def _into_out(name: str, family: str, fn, args, kwargs, out):
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    if _gm.state.enabled and (any(t._requires_grad for t in outs) or
                              any(t._requires_grad for t in _tensor_args(args, kwargs))):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if family == SUM and kwargs.get("dtype") is None:
        kwargs = {**kwargs, "dtype": _dt.from_numpy_dtype(out._data.dtype)}
    with _gm.no_grad():
        result = fn(*args, **kwargs)
    results = tuple(result) if isinstance(result, tuple) else (result,)
    computed_in = _computed_in(name, args, results[0])
    for target, value in zip(outs, results):
        _write(name, family, target, value, computed_in)
    if isinstance(out, (tuple, list)):
        return _out_type(name)(*outs)
    return out


_OUT_TYPES: dict = {}


def _out_type(name: str):
    """torch.return_types.max_out and the like, for a tuple of outs."""
    if name not in _OUT_TYPES:
        from engine.ops.reductions import _return_type
        _OUT_TYPES[name] = _return_type(f"{name}_out")
    return _OUT_TYPES[name]


def _tensor_args(args, kwargs):
    for value in (*args, *kwargs.values()):
        if isinstance(value, Tensor):
            yield value
        elif isinstance(value, (tuple, list)):
            yield from (v for v in value if isinstance(v, Tensor))


def _write(name: str, family: str, out: Tensor, value: Tensor, computed_in) -> None:
    shape = value._data.shape
    resize = out._data.shape != shape
    if family in (REDUCE, STACK, DOT):           # these resize, then check the dtype
        if resize:
            _warn_resize(out, shape, stacklevel=5)
        _check_dtype(family, out, value, resize)
    else:
        _check_dtype(family, out, value, resize)
        if resize:
            _warn_resize_by_family(name, family, out, value, computed_in)
    if resize:
        out._data = np.empty(shape, dtype=out._data.dtype)
    np.copyto(out._data, value._data, casting="unsafe")
    from engine.ops.inplace import _bump
    _bump(out, f"{name}_out")


def _warn_resize_by_family(name: str, family: str, out: Tensor, value: Tensor,
                           computed_in) -> None:
    if family == FACTORY:
        if name == "arange" and out._data.size:
            warnings.warn(cpp_warning(
                f"The number of elements in the out tensor of shape {list(out._data.shape)} is "
                f"{out._data.size} which does not match the computed number of elements "
                f"{value._data.size}. Note that this may occur as a result of rounding error. "
                f"The out tensor will be resized to a tensor of shape ({value._data.size},).",
                "aten/src/ATen/native/RangeFactories.cpp:199"), UserWarning, stacklevel=5)
        return
    _warn_resize(out, value._data.shape)
    if family == ITER and out._data.dtype != computed_in:
        # Computed in another dtype, the result goes through a temporary that is resized
        # too: torch warns twice.
        _warn_resize(out, value._data.shape)


_COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
                "logical_not")


def _computed_in(name: str, args, result: Tensor):
    """The dtype a TensorIterator op computes in: a comparison's inputs' common dtype."""
    if name not in _COMPARISONS:
        return result._data.dtype
    from engine.ops._core import result_dtype
    return result_dtype(*[a for a in args[:2] if isinstance(a, Tensor) or is_scalar(a)])


def _warn_resize(out: Tensor, shape: tuple, stacklevel: int = 6) -> None:
    """stacklevel: the user's line, above with_out's wrapper, _into_out, _write, ..."""
    if out._data.size:
        warnings.warn(RESIZE_WARNING.format(old=list(out._data.shape), new=list(shape)),
                      UserWarning, stacklevel=stacklevel)


def _type_name(dtype) -> str:
    return _TYPE_NAMES[dtype.name]


def _check_dtype(family: str, out: Tensor, value: Tensor, resize: bool) -> None:
    have, want = out._data.dtype, value._data.dtype
    if have == want or family in (SUM, FACTORY):
        return
    castable = np.can_cast(want, have, "same_kind")
    if family in (ITER, REDUCE, "mean_all") and castable:
        return
    if family in (CAT, STACK) and castable:
        return
    raise _dtype_error(family, out, value, resize)


def _dtype_error(family: str, out: Tensor, value: Tensor, resize: bool) -> Exception:
    have, want = _type_name(out._data.dtype), _type_name(value._data.dtype)
    if family == FOUND:
        return RuntimeError(f"Found dtype {have} but expected {want}")
    if family == "mean_all":
        return RuntimeError(f"mean.dtype_out(): input types can't be cast to the desired "
                            f"output type {have}")
    if family in (CAT, STACK):
        return TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                         f"{have}")
    if family == DOT:
        return RuntimeError(f"result dtype {have} does not match input dtype {want}")
    if family == INDEX_SELECT:
        return RuntimeError("index_select(): self and result must have the same scalar type")
    if family == MV and not resize:
        return RuntimeError(f"addmv input tensors must have the same dtype, but got {have}, "
                            f"{want}, and {want}")
    if family in (EXACT, MV):
        return RuntimeError(f"Expected out tensor to have dtype {_c_type(value)}, but got "
                            f"{_c_type(out)} instead")
    return RuntimeError(f"result type {want} can't be cast to the desired output type {have}")


def add_out_keywords(namespace: dict) -> None:
    """Give the torch.* functions in `namespace` (engine's globals) their out= keyword."""
    for name in OUT_OPS:
        namespace[name] = with_out(name, namespace[name])
