"""PyTorch's tensor repr, reproduced on NumPy arrays.

`format_tensor` returns the text `repr(tensor)` gives in PyTorch for a CPU tensor
holding the same values; `set_printoptions` / `get_printoptions` mirror
`torch.set_printoptions` / `torch.get_printoptions`. Pure functions: no engine imports.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

__all__ = ["format_tensor", "set_printoptions", "get_printoptions"]

_FLOAT_DTYPES = {"float16", "float32", "float64"}
# Dtypes PyTorch leaves out of the repr because they are what a literal would infer.
_IMPLICIT_DTYPES = {"float32", "int64", "bool"}
_DEFAULT_FLOAT_DTYPE = "float32"

_PREFIX = "tensor("


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES = {
    "default": _PrintOptions(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": _PrintOptions(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": _PrintOptions(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}

_OPTS = _PrintOptions()


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set print options like torch.set_printoptions; a profile is applied first."""
    # Like PyTorch, an unknown profile name is silently ignored.
    if profile in _PROFILES:
        base = _PROFILES[profile]
        _OPTS.precision = base.precision
        _OPTS.threshold = base.threshold
        _OPTS.edgeitems = base.edgeitems
        _OPTS.linewidth = base.linewidth
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    # PyTorch assigns sci_mode unconditionally, so any call without it resets it to auto.
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options, as torch.get_printoptions returns them."""
    return dataclasses.asdict(_OPTS)


def format_tensor(array: np.ndarray, *, dtype_name: str, suffixes: list[str] = ()) -> str:
    """repr() of a CPU tensor with these values, dtype and extra `key=value` suffixes."""
    array = np.asarray(array)
    all_suffixes = _shape_and_dtype_suffixes(array, dtype_name) + list(suffixes)
    if array.size == 0:
        body = "[]"
    else:
        body = _tensor_body(array, dtype_name, indent=len(_PREFIX))
    return _append_suffixes(_PREFIX + body, all_suffixes, indent=len(_PREFIX))


def _shape_and_dtype_suffixes(array, dtype_name):
    dtype_suffix = "dtype=torch." + dtype_name
    if array.size == 0:
        # An empty tensor has no values to infer a dtype from, so only float32 is implicit.
        suffixes = [] if array.ndim == 1 else ["size=" + str(tuple(array.shape))]
        if dtype_name != _DEFAULT_FLOAT_DTYPE:
            suffixes.append(dtype_suffix)
        return suffixes
    # With edgeitems=0 no values may be shown, so PyTorch states the size instead.
    suffixes = ["size=" + str(tuple(array.shape))] if _OPTS.edgeitems == 0 else []
    if dtype_name not in _IMPLICIT_DTYPES:
        suffixes.append(dtype_suffix)
    return suffixes


def _append_suffixes(text, suffixes, indent):
    parts = [text]
    # PyTorch measures the last line two characters longer than it is; kept for fidelity.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _tensor_body(array, dtype_name, indent):
    summarize = array.size > _OPTS.threshold
    if summarize and _OPTS.edgeitems == 0 and array.ndim > 0:
        return "[...]"
    shown = _summarized(array) if summarize else array
    formatter = _Formatter(shown, dtype_name)
    return _nested_str(array, indent, summarize, formatter)


def _summarized(array):
    """The values that stay visible once the middle of each long dimension is elided."""
    if array.ndim == 0:
        return array
    edge = _OPTS.edgeitems
    if array.shape[0] > 2 * edge:
        rows = list(array[:edge]) + list(array[len(array) - edge :])
    else:
        rows = list(array)
    if array.ndim == 1:
        return np.array(rows, dtype=array.dtype)
    return np.stack([_summarized(row) for row in rows])


class _Formatter:
    """Chooses int / fixed / scientific notation and a common width for all values."""

    def __init__(self, shown, dtype_name):
        self.is_float = dtype_name in _FLOAT_DTYPES
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        values = shown.reshape(-1)
        if self.is_float:
            self._choose_float_mode(values.astype(np.float64))
        else:
            self.width = max(len(str(value)) for value in values.tolist())

    def _choose_float_mode(self, values):
        nonzero_finite = values[np.isfinite(values) & (values != 0)]
        if nonzero_finite.size == 0:
            # Only zeros, nan and inf: PyTorch prints them in int mode whatever sci_mode says.
            return
        magnitudes = np.abs(nonzero_finite)
        largest, smallest = magnitudes.max(), magnitudes.min()
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        wide_range = largest / smallest > 1000.0 or largest > 1.0e8
        if _OPTS.sci_mode is not None:
            self.sci_mode = _OPTS.sci_mode
        elif self.int_mode:
            self.sci_mode = wide_range
        else:
            self.sci_mode = wide_range or smallest < 1.0e-4
        self.width = max(len(self._unpadded(value)) for value in nonzero_finite.tolist())

    def format(self, value):
        return self._unpadded(value).rjust(self.width)

    def _unpadded(self, value):
        if not self.is_float:
            return str(value)
        if self.sci_mode:
            return f"{value:.{_OPTS.precision}e}"
        if self.int_mode:
            return f"{value:.0f}." if math.isfinite(value) else f"{value:.0f}"
        return f"{value:.{_OPTS.precision}f}"


def _nested_str(array, indent, summarize, formatter):
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)
    edge = _OPTS.edgeitems
    if summarize and array.shape[0] > 2 * edge:
        head = [_nested_str(row, indent + 1, summarize, formatter) for row in array[:edge]]
        tail = [_nested_str(row, indent + 1, summarize, formatter) for row in array[len(array) - edge :]]
        blocks = head + ["..."] + tail
    else:
        blocks = [_nested_str(row, indent + 1, summarize, formatter) for row in array]
    # Blocks of a 3-D+ tensor are set apart by (ndim - 2) blank lines.
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(blocks) + "]"


def _vector_str(vector, indent, summarize, formatter):
    element_len = formatter.width + 2
    per_line = max(1, (_OPTS.linewidth - indent) // element_len)
    edge = _OPTS.edgeitems
    if summarize and len(vector) > 2 * edge:
        head = [formatter.format(v) for v in vector[:edge].tolist()]
        tail = [formatter.format(v) for v in vector[len(vector) - edge :].tolist()]
        elements = head + [" ..."] + tail
    else:
        elements = [formatter.format(v) for v in vector.tolist()]
    lines = [", ".join(elements[i : i + per_line]) for i in range(0, len(elements), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
