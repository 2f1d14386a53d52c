"""float32 math against torch's last bits: the share of values that agree bit for bit.

torch's vectorised kernels (MKL's VML, SLEEF) are within one unit in the last place, so
most of their results are the correctly rounded ones; engine/ops/_float32_math.py gets
those by computing in float64, adds softmax's sums in torch's SIMD lane order and rounds
a multiply-add once where ATen's kernels fuse it. The floors sit a little below what each
function reaches (and well above NumPy's float32 kernels)."""
import numpy as np
import pytest
import torch

import engine

SIZE = 200_000


def _values(kind: str) -> np.ndarray:
    rng = np.random.default_rng(11)
    half = SIZE // 2
    if kind == "positive":
        parts = rng.uniform(1e-3, 100, half), np.exp(rng.normal(0, 2, half))
    elif kind == "above -1":
        parts = rng.uniform(-0.99, 3, half), np.abs(rng.normal(0, 1, half))
    else:
        parts = rng.uniform(-10, 10, half), rng.normal(0, 3, half)
    return np.concatenate(parts).astype(np.float32)


def _agreement(expected, actual) -> float:
    same = expected.view(np.int32) == actual.view(np.int32)
    return float(np.mean(same | (np.isnan(expected) & np.isnan(actual))))


# (function, inputs, share of bit-equal values at least; NumPy's float32 reached about)
UNARY = [("exp", "wide", 0.985),       # 0.61
         ("log", "positive", 0.94),    # 0.91
         ("sin", "wide", 0.94),        # 0.86
         ("cos", "wide", 0.94),        # 0.81
         ("tanh", "wide", 0.995),      # 0.65
         ("sigmoid", "wide", 0.95),    # 0.83
         ("expm1", "wide", 0.995),     # 0.88
         ("log1p", "above -1", 0.985)]  # 0.83


@pytest.mark.parametrize("name, kind, floor", UNARY)
def test_unary_forward_and_gradient_agree_with_torch(name, kind, floor):
    data = _values(kind)
    results = []
    for lib in (torch, engine):
        x = lib.tensor(data, requires_grad=True)
        y = getattr(lib, name)(x)
        y.sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    (torch_y, torch_grad), (engine_y, engine_grad) = results
    assert _agreement(torch_y, engine_y) >= floor
    assert _agreement(torch_grad, engine_grad) >= floor


@pytest.mark.parametrize("exponent, floor", [(3, 1.0), (-2, 1.0), (2, 1.0), (1.5, 0.975),
                                              (4, 0.975), (1 / 3, 0.975)])
def test_pow_of_a_number_agrees_with_torch(exponent, floor):
    data = _values("positive")
    expected = torch.tensor(data).pow(exponent).numpy()
    assert _agreement(expected, (engine.tensor(data) ** exponent).numpy()) >= floor


def test_pow_of_a_tensor_agrees_with_torch():
    base, exponent = _values("positive"), _values("wide") / 3
    expected = torch.tensor(base).pow(torch.tensor(exponent)).numpy()
    actual = engine.tensor(base).pow(engine.tensor(exponent)).numpy()
    assert _agreement(expected, actual) >= 0.975      # NumPy's float32: 0.80


@pytest.mark.parametrize("name, floor", [("softmax", 0.85), ("log_softmax", 0.97)])
@pytest.mark.parametrize("classes", [3, 10, 100, 1000])
def test_softmax_rows_agree_with_torch(name, classes, floor):
    data = _values("wide")[:SIZE // classes * classes].reshape(-1, classes)
    grad = np.random.default_rng(12).normal(size=data.shape).astype(np.float32)
    results = []
    for lib in (torch, engine):
        x = lib.tensor(data, requires_grad=True)
        y = getattr(lib, name)(x, -1)
        y.backward(lib.tensor(grad))
        results.append((y.detach().numpy(), x.grad.numpy()))
    (torch_y, torch_grad), (engine_y, engine_grad) = results
    assert _agreement(torch_y, engine_y) >= floor
    assert _agreement(torch_grad, engine_grad) >= floor - 0.05


# nn activations: (function, share of bit-equal values at least; NumPy's float32 reached about
# forward / gradient)
ACTIVATIONS = [("silu", 0.95),          # 0.83 / 0.49
               ("elu", 0.95),           # 0.89 / 0.82
               ("softplus", 0.93),      # 0.70 / 0.77
               ("mish", 0.92),          # 0.62 / 0.47
               ("logsigmoid", 0.94)]    # 0.75 / 0.82


@pytest.mark.parametrize("name, floor", ACTIVATIONS)
def test_activation_forward_and_gradient_agree_with_torch(name, floor):
    data = _values("wide")
    grad = np.random.default_rng(13).normal(size=data.shape).astype(np.float32)
    results = []
    for lib in (torch, engine):
        x = lib.tensor(data, requires_grad=True)
        y = getattr(lib.nn.functional, name)(x)
        y.backward(lib.tensor(grad))
        results.append((y.detach().numpy(), x.grad.numpy()))
    (torch_y, torch_grad), (engine_y, engine_grad) = results
    assert _agreement(torch_y, engine_y) >= floor
    assert _agreement(torch_grad, engine_grad) >= floor
