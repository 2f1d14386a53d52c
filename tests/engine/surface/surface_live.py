"""Run one snippet with torch and with engine and compare what each did: the value (tensors
by dtype, shape, values, requires_grad and grad_fn name), or the error's type and text, and
the warnings' texts."""
from __future__ import annotations

import warnings

import numpy as np
import torch

import engine



def is_tensor(value) -> bool:
    return isinstance(value, (torch.Tensor, engine.Tensor))


def describe(value):
    """A comparable summary: tensors as dicts, containers element by element."""
    if is_tensor(value):
        node = value.grad_fn
        return {"dtype": str(value.dtype), "shape": tuple(value.shape),
                "values": np.array(value.detach().tolist()),
                "requires_grad": value.requires_grad,
                "grad_fn": None if node is None else node.name()}
    if isinstance(value, (tuple, list)):
        return type(value).__name__, [describe(v) for v in value]
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if type(value).__name__ in ("dtype", "device"):
        return repr(value)
    return value


def _error_type(error: Exception) -> str:
    """PyTorch's exception type; the engine's NotSupportedError counts as what it extends."""
    return "NotImplementedError" if type(error).__name__ == "NotSupportedError" \
        else type(error).__name__


def run(snippet, module):
    """(outcome, warnings): outcome is ("value", summary) or (error type, message)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome = ("value", describe(snippet(module)))
        except Exception as error:      # noqa: BLE001 (any error is an outcome to compare)
            outcome = (_error_type(error), str(error))
    texts = [str(w.message) for w in caught]
    return outcome, texts


def assert_same(expected, actual, rtol=1e-5, atol=1e-6, path="result") -> None:
    if isinstance(expected, dict) and "values" in expected:
        assert isinstance(actual, dict) and "values" in actual, f"{path}: {actual!r}"
        for key in ("dtype", "shape", "requires_grad", "grad_fn"):
            assert actual[key] == expected[key], f"{path}.{key}: {actual[key]} != {expected[key]}"
        np.testing.assert_allclose(actual["values"], expected["values"], rtol=rtol, atol=atol,
                                   err_msg=path, equal_nan=True)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), path
        for key in expected:
            assert_same(expected[key], actual[key], rtol, atol, f"{path}[{key!r}]")
    elif isinstance(expected, tuple) and len(expected) == 2 and isinstance(expected[1], list):
        assert isinstance(actual, tuple) and actual[0] == expected[0], f"{path}: {actual!r}"
        assert len(actual[1]) == len(expected[1]), f"{path}: lengths differ"
        for i, (e, a) in enumerate(zip(expected[1], actual[1])):
            assert_same(e, a, rtol, atol, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert np.isclose(actual, expected, rtol=rtol, atol=atol), f"{path}: {actual} != {expected}"
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def check(snippet, rtol=1e-5, atol=1e-6) -> None:
    """The snippet does the same with torch and with engine."""
    (t_kind, t_value), t_warnings = run(snippet, torch)
    (e_kind, e_value), e_warnings = run(snippet, engine)
    assert e_kind == t_kind, f"torch: {t_kind} {t_value!r}\nengine: {e_kind} {e_value!r}"
    if t_kind == "value":
        assert_same(t_value, e_value, rtol, atol)
    else:
        assert e_value == t_value, f"torch: {t_value!r}\nengine: {e_value!r}"
    assert e_warnings == t_warnings, f"torch: {t_warnings}\nengine: {e_warnings}"
