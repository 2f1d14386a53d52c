"""`axis` for `dim` and `keepdims` for `keepdim` (torch's parser takes NumPy's names), against
torch 2.13 live: where torch takes them, where it refuses them, and which functions are
which (torch's own: ATen functions take them, those it writes in Python do not)."""
import inspect

import pytest
import torch

import engine
from engine import _numpy_names
from surface_live import check


def matrix(t):
    return t.arange(6.0).reshape(2, 3).requires_grad_()


CALLS = {
    "sum axis keepdims": lambda t: matrix(t).sum(axis=0, keepdims=True),
    "torch.sum axis": lambda t: t.sum(matrix(t), axis=1),
    "mean keepdims only": lambda t: matrix(t).mean(1, keepdims=True),
    "cat axis": lambda t: t.cat([matrix(t), matrix(t)], axis=0),
    "stack axis": lambda t: t.stack([matrix(t), matrix(t)], axis=1),
    "softmax method axis": lambda t: matrix(t).softmax(axis=0),
    "torch.softmax axis": lambda t: t.softmax(matrix(t), axis=1),
    "max axis": lambda t: t.max(matrix(t), axis=0),
    "argmax axis": lambda t: matrix(t).argmax(axis=1),
    "std var axis": lambda t: (matrix(t).std(axis=0), matrix(t).var(axis=1, keepdims=True)),
    "cumsum axis": lambda t: matrix(t).cumsum(axis=1),
    "logsumexp axis": lambda t: matrix(t).logsumexp(axis=1),
    "squeeze unsqueeze axis": lambda t: matrix(t).unsqueeze(axis=0).squeeze(axis=0),
    "size axis": lambda t: matrix(t).size(axis=1),
    "all any axis": lambda t: ((matrix(t) > 1).all(axis=0), (matrix(t) > 1).any(axis=1)),
    "gather axis": lambda t: matrix(t).gather(axis=0, index=t.zeros(1, 3, dtype=t.long)),
    "index_select axis": lambda t: matrix(t).index_select(axis=1, index=t.tensor([2, 0])),
    "chunk axis": lambda t: matrix(t).chunk(3, axis=1),
    "both names refused": lambda t: matrix(t).sum(dim=0, axis=0),
    "both keepdim names refused": lambda t: matrix(t).mean(0, keepdim=True, keepdims=True),
    "split is Python in torch": lambda t: matrix(t).split(1, axis=0),
    "F.softmax is Python in torch": lambda t: t.nn.functional.softmax(matrix(t), axis=0),
    "roll has dims, not dim": lambda t: matrix(t).roll(1, axis=0),
}


@pytest.mark.parametrize("name", CALLS)
def test_numpy_names_as_torch_takes_them(name):
    check(CALLS[name])


def test_a_python_method_of_torch_refuses_them_too():
    # torch names it Tensor.norm(); the engine's norm takes `out=` through a wrapper, whose
    # inner function is the one that refuses: "norm() got an unexpected keyword argument".
    with pytest.raises(TypeError, match="norm\\(\\) got an unexpected keyword argument 'axis'"):
        matrix(engine).norm(axis=0)


def _takes_dim(fn) -> bool:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "dim" in parameters or "keepdim" in parameters


def _torch_parses(owner, name: str) -> bool:
    """Whether torch's parser reads this function's arguments (a C function of ATen)."""
    target = getattr(owner, name)
    return not inspect.isfunction(target) and not inspect.ismethod(target)


def test_engine_takes_the_names_exactly_where_torch_parses():
    wrong = []
    for name in dir(engine.Tensor):
        method = vars(engine.Tensor).get(name)
        if name.startswith("_") or not inspect.isfunction(method) or \
                not _takes_dim(method) or not hasattr(torch.Tensor, name):
            continue
        if bool(getattr(method, "_numpy_names", False)) != _torch_parses(torch.Tensor, name):
            wrong.append(f"Tensor.{name}")
    for name in dir(engine):
        value = getattr(engine, name)
        if name.startswith("_") or isinstance(value, type) or not callable(value) or \
                not _takes_dim(value) or not hasattr(torch, name):
            continue
        if bool(getattr(value, "_numpy_names", False)) != _torch_parses(torch, name):
            wrong.append(f"torch.{name}")
    assert wrong == []


def test_a_function_without_dim_is_left_as_it_is():
    def no_dim(input, other):
        return input

    assert _numpy_names.accepting_numpy_names(no_dim) is no_dim
