"""Running a program's statements in one library (torch or engine), one statement at a time,
and recording after each what can be compared: its error, its warnings, the hook calls it
caused and a snapshot of every variable."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np

# Defined in both namespaces, printed at the top of a failing program: hooks call rec(tag,
# ...), which keeps a library-free copy of what they were given.
PRELUDE = '''\
calls = []


def _plain(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    return ("tensor", tuple(value.shape), str(value.dtype),
            value.detach().numpy().copy())


def rec(tag, *args):
    calls.append((tag,) + tuple(_plain(a) for a in args))
'''

VARIABLE = re.compile(r"^[xvtmgsqo]\d+$")


def namespace(library: str, data: dict) -> dict:
    if library == "torch":
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    else:
        import engine as torch
        import engine.nn as nn
        import engine.nn.functional as F
    ns = {"torch": torch, "nn": nn, "F": F, "np": np, "__name__": "__diff__"}
    exec(PRELUDE, ns)
    ns.update(data)
    return ns


@dataclass
class Step:
    error: tuple | None                  # (type name, message)
    warnings: list                       # [(category name, message)]
    calls: list                          # hook calls this statement caused
    snapshot: dict = field(default_factory=dict)   # variable -> what it looks like


class Execution:
    """One library's namespace, stepped through a program's statements."""

    def __init__(self, library: str, data: dict) -> None:
        self.library = library
        self.ns = namespace(library, data)
        self._given = set(self.ns)          # what the program did not make
        self._graph_cache: dict = {}

    def step(self, source: str) -> Step:
        calls = self.ns["calls"]
        before = len(calls)
        error = None
        torch = self.ns["torch"]
        # A warn-once warning (TORCH_WARN_ONCE) depends on what ran earlier in the process,
        # program or not; with warn_always both libraries give it every time, whatever ran.
        was_always = torch.is_warn_always_enabled()
        torch.set_warn_always(True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(compile(source, "<program>", "exec"), self.ns)
            except Exception as exc:  # noqa: BLE001  (any error is an outcome to compare)
                error = (type(exc).__name__, str(exc))
            finally:
                torch.set_warn_always(was_always)
        seen = [(w.category.__name__, str(w.message)) for w in caught]
        return Step(error, seen, list(calls[before:]), self.snapshot())

    # ------------------------------------------------------------ snapshots
    def variables(self) -> list:
        # Python's warnings module adds __warningregistry__ where a warning points.
        return [name for name in self.ns if name not in self._given and name[:2] != "__"]

    def snapshot(self) -> dict:
        variables = self.variables()
        names = {}
        for name in variables:
            if _is_tensor(self.ns[name]):
                names.setdefault(id(self.ns[name]), name)
        out = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in variables:
                out[name] = self._describe(self.ns[name], names)
        return out

    def _describe(self, value, names: dict):
        if _is_tensor(value):
            return self._tensor(value, names)
        if isinstance(value, (tuple, list)) and not _is_size(value):
            return ("seq", tuple(self._describe(v, names) for v in value))
        if _is_size(value):
            return ("size", tuple(value))
        if hasattr(value, "named_parameters") and hasattr(value, "named_buffers"):
            return ("module", type(value).__name__, bool(value.training),
                    tuple((n, self._tensor(p, names)) for n, p in value.named_parameters()),
                    tuple((n, self._tensor(b, names)) for n, b in value.named_buffers()))
        if value is None or isinstance(value, (bool, int, float, str)):
            return ("py", type(value).__name__, value)
        return ("other", type(value).__name__)

    def _tensor(self, t, names: dict) -> dict:
        desc = _guarded(lambda: _values(t))
        if not isinstance(desc, dict):
            return {"values": desc}
        desc["requires_grad"] = _guarded(lambda: bool(t.requires_grad))
        desc["is_leaf"] = _guarded(lambda: bool(t.is_leaf))
        desc["graph"] = _guarded(lambda: graph_of(t.grad_fn, names))
        if _guarded(lambda: t.is_leaf or t.retains_grad) is True:
            grad = t.grad
            desc["grad"] = None if grad is None else _guarded(lambda: _values(grad))
        return desc


def _guarded(read):
    """What reading gives, or the error it raises (torch refuses to show the grad_fn of a
    split's output after an in-place edit of its base, say)."""
    try:
        return read()
    except Exception as exc:  # noqa: BLE001
        return ("raises", type(exc).__name__, str(exc))


def _values(t) -> dict:
    array = np.asarray(t.detach().numpy()).copy()
    return {"shape": tuple(t.shape), "dtype": str(t.dtype).split(".")[-1], "values": array}


def _is_tensor(value) -> bool:
    return type(value).__name__ in ("Tensor", "Parameter", "Buffer") and \
        hasattr(type(value), "grad_fn")


def _is_size(value) -> bool:
    return type(value).__name__ == "Size"


def graph_of(root, names: dict):
    """The graph under a grad_fn as a list of (name, leaf variable, edges), nodes numbered in
    the order a depth-first walk meets them: equal lists mean the same graph."""
    if root is None:
        return None
    order: dict = {}
    nodes: list = []
    keep = []

    def visit(node):
        if node is None:
            return None
        key = id(node)
        if key in order:
            return order[key]
        keep.append(node)
        index = len(nodes)
        order[key] = index
        nodes.append(None)
        leaf = None
        variable = getattr(node, "variable", None)
        if variable is not None:
            leaf = names.get(id(variable), tuple(variable.shape))
        edges = tuple((visit(nxt), nr) for nxt, nr in node.next_functions)
        nodes[index] = (node.name(), leaf, edges)
        return index

    visit(root)
    # `visit` holds itself through its closure: a cycle that would keep every node walked
    # alive until the garbage collector runs, at other moments in torch's run and in the
    # engine's (a node that outlives its tensor changes which node an error text names).
    visit = None
    return tuple(nodes)
