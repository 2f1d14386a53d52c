"""Comparing one statement's outcome in torch and in engine: the first difference found, as
(class, detail), or None when they agree."""
from __future__ import annotations

import numpy as np

from tests.differential.execution import Step

# float32 sums are reduced in a different order; float64 values agree closer, but may come
# from a float32 computation (x.softmax(0).double()), hence not float64's own precision.
_TOLERANCE = {"float32": (2e-4, 2e-5), "float64": (1e-6, 1e-8), "float16": (1e-2, 1e-3)}


def compare_steps(torch_step: Step, engine_step: Step):
    if torch_step.error != engine_step.error:
        return _error_difference(torch_step.error, engine_step.error)
    if torch_step.warnings != engine_step.warnings:
        return "warning", f"torch {torch_step.warnings} engine {engine_step.warnings}"
    found = _compare(torch_step.calls, engine_step.calls, "calls")
    if found:
        return ("hook-calls",) + found[1:]
    for name, desc in torch_step.snapshot.items():
        if name not in engine_step.snapshot:
            return "missing-variable", name
        found = _compare(desc, engine_step.snapshot[name], name)
        if found:
            return found
    extra = set(engine_step.snapshot) - set(torch_step.snapshot)
    if extra:
        return "extra-variable", sorted(extra)[0]
    return None


def _error_difference(torch_error, engine_error):
    if torch_error is None:
        kind = "engine-missing-op" if engine_error[0] == "AttributeError" and \
            "engine" in engine_error[1] else "raises-only-in-engine"
        return kind, f"{engine_error[0]}: {engine_error[1]}"
    if engine_error is None:
        return "raises-only-in-torch", f"{torch_error[0]}: {torch_error[1]}"
    if torch_error[0] != engine_error[0]:
        if engine_error[0] == "AttributeError":
            return "engine-missing-op", f"torch {torch_error} engine {engine_error}"
        return "error-type", f"torch {torch_error} engine {engine_error}"
    return "error-text", f"torch {torch_error[1]!r}\nengine {engine_error[1]!r}"


def _compare(want, got, where: str):
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return "kind", f"{where}: torch a tensor, engine {got!r:.80}"
        return _compare_tensor(want, got, where)
    if isinstance(want, np.ndarray):
        return None if _close(want, got, str(want.dtype)) else \
            ("value", f"{where}: torch {want!r:.200} engine {got!r:.200}")
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(want) != len(got):
            return "structure", f"{where}: torch {_short(want)} engine {_short(got)}"
        for index, (w, g) in enumerate(zip(want, got)):
            found = _compare(w, g, f"{where}[{index}]")
            if found:
                return found
        return None
    if isinstance(want, float) and isinstance(got, float):
        if np.isclose(want, got, rtol=1e-4, atol=1e-6, equal_nan=True):
            return None
    if want != got or type(want) is not type(got):
        return "value", f"{where}: torch {want!r:.200} engine {got!r:.200}"
    return None


_TENSOR_KEYS = ("shape", "dtype", "values", "requires_grad", "is_leaf", "graph", "grad")


def _compare_tensor(want: dict, got: dict, where: str):
    for key in _TENSOR_KEYS:
        if key not in want and key not in got:
            continue
        if key not in want or key not in got:
            return key, f"{where}: {key} in torch {key in want}, in engine {key in got}"
        found = _compare_field(key, want, got, where)
        if found:
            return found
    return None


def _compare_field(key: str, want: dict, got: dict, where: str):
    w, g = want[key], got[key]
    if key == "values" and isinstance(w, np.ndarray) and isinstance(g, np.ndarray):
        if w.shape != g.shape:
            return "shape", f"{where}: torch {w.shape} engine {g.shape}"
        if not _close(w, g, want["dtype"]):
            return "value", f"{where}:\ntorch {w!r:.300}\nengine {g!r:.300}"
        return None
    if key == "grad" and isinstance(w, dict) and isinstance(g, dict):
        found = _compare_tensor(w, g, f"{where}.grad")
        return None if not found else ("grad",) + found[1:]
    if key == "graph" and w != g:
        return "grad_fn", f"{where}:\ntorch  {_graph_text(w)}\nengine {_graph_text(g)}"
    if w != g if not isinstance(w, np.ndarray) else True:
        return key, f"{where}: torch {_short(w)} engine {_short(g)}"
    return None


def _close(want: np.ndarray, got, dtype: str) -> bool:
    got = np.asarray(got)
    if want.shape != got.shape:
        return False
    if want.dtype.kind not in "fc":
        return bool(np.array_equal(want, got))
    rtol, atol = _TOLERANCE.get(_computed_in(want, got, dtype), (1e-4, 1e-5))
    scale = float(np.nanmax(np.abs(want[np.isfinite(want)]), initial=1.0)) if want.size else 1.0
    return bool(np.allclose(got, want, rtol=rtol, atol=atol * max(1.0, scale), equal_nan=True))


def _computed_in(want: np.ndarray, got: np.ndarray, dtype: str) -> str:
    """float64 values that are all float32 numbers, in both libraries, were computed in
    float32 and converted (x.matmul(y).double()): BLAS's last bit, after a cancellation,
    is then beyond float64's tolerance (core seed 512932), so they get float32's."""
    if dtype != "float64" or got.dtype != np.float64:
        return dtype
    with np.errstate(over="ignore", invalid="ignore"):
        if all(np.array_equal(v.astype(np.float32).astype(np.float64), v, equal_nan=True)
               for v in (want, got)):
            return "float32"
    return dtype


def _short(value) -> str:
    if isinstance(value, dict):
        return f"tensor{value.get('shape')}"
    return f"{value!r:.120}"


def _graph_text(graph) -> str:
    if graph is None or graph[0] == "raises":
        return repr(graph)
    return " ".join(f"{i}:{name.split('::')[-1]}{'' if leaf is None else '(' + str(leaf) + ')'}"
                    f"->{[e for e in edges]}" for i, (name, leaf, edges) in enumerate(graph))
