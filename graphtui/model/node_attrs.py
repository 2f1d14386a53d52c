"""A node's plain values (`grad_fn._saved_dim`, `_saved_keepdim`, `_saved_stride`...): what
the debugger keeps of them.

The engine's ``NodeCreated.attrs`` is the node's own ``_attrs`` dict, passed by reference; it
also holds "_name" entries that only the node's backward rule reads (arrays, closures).
``node_attrs`` makes the public part plain data, ``((name, value), ...)`` in the engine's
order, with values that pickle, print and write to JSON as they are: None, bool, int, float,
str and tuples of those (anything else becomes its repr). It is applied where an event
leaves the runner (``graphtui.wire``), where a recording is written and where the model reads
the event, and returns an already plain tuple as it is.
"""
from __future__ import annotations

import numpy as np

_PLAIN = (type(None), bool, int, float, str)

Attrs = tuple[tuple[str, object], ...]


def node_attrs(raw) -> Attrs:
    if not raw:
        return ()
    if type(raw) is tuple:
        return raw
    return tuple((name, plain_value(value)) for name, value in raw.items()
                 if not name.startswith("_"))


def plain_value(value):
    if type(value) in _PLAIN:
        return value
    if isinstance(value, (tuple, list)):
        return tuple(plain_value(item) for item in value)
    if isinstance(value, np.generic):
        return value.item()
    for kind in (bool, int, float, str):   # a subclass (an IntEnum...) as its plain kind
        if isinstance(value, kind):
            return kind(value)
    data = getattr(value, "_data", None)   # a saved tensor (IndexBackward0's indices)
    if isinstance(data, np.ndarray):
        return f"<tensor [{', '.join(map(str, data.shape))}] {data.dtype.name}>"
    return " ".join(repr(value).split())   # one line: a repr may span several


def is_plain(value) -> bool:
    """Whether a value read back from a recording is one ``plain_value`` can make."""
    if type(value) is tuple:
        return all(is_plain(item) for item in value)
    return type(value) in _PLAIN


def attr_text(value) -> str:
    """A value as PyTorch's `_saved_<name>` prints it: `(1,)`, `True`, `None`, `'none'`; a
    tensor by its shape and dtype, `<tensor [32] int64>`."""
    if type(value) is tuple:
        inner = ", ".join(attr_text(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if type(value) is str and value.startswith("<tensor [") and value.endswith(">"):
        return value
    return repr(value)
