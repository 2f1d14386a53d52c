"""float() of a tensor that requires grad: PyTorch 2.13's UserWarning, once per process."""
import warnings

import engine
from engine import trace
from engine.tensor import SCALAR_OF_GRAD_WARNING

# Recorded from torch 2.13 (python -W always): int(), .item(), bool() and .tolist() say
# nothing; the first float() warns; later float() calls, from any line, do not.
TORCH_TEXT = ("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
              "behavior.\nConsider using tensor.detach() first. (Triggered internally at "
              "/__w/pytorch/pytorch/torch/csrc/autograd/generated/"
              "python_variable_methods.cpp:822.)")


def caught(fn):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        value = fn()
    return value, [str(w.message) for w in seen if w.category is UserWarning]


def test_only_the_first_float_of_a_tensor_needing_grad_warns_with_torchs_text():
    trace.reset_ids()                       # as a fresh process (or a graphtui re-run)
    x = engine.tensor(2.5, requires_grad=True)
    assert SCALAR_OF_GRAD_WARNING == TORCH_TEXT
    assert caught(lambda: (int(x), x.item(), bool(x), x.tolist())) == ((2, 2.5, True, 2.5), [])
    assert caught(lambda: float(engine.tensor(1.0))) == (1.0, [])
    assert caught(lambda: float(x)) == (2.5, [TORCH_TEXT])
    assert caught(lambda: float(x * 2)) == (5.0, [])
    trace.reset_ids()
    assert caught(lambda: float(x)) == (2.5, [TORCH_TEXT])
