"""engine.kernels.batch_norm against a NumPy reference, finite differences and recorded PyTorch values."""

import numpy as np
import pytest

import kernel_reference as ref
from engine.kernels import batch_norm_backward, batch_norm_eval_forward, batch_norm_train_forward

DTYPES = [np.float32, np.float64]
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}
SHAPES = [(6, 3), (4, 3, 5, 2)]
EPS = 1e-5


def _case(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    weight = rng.standard_normal(shape[1]).astype(dtype)
    bias = rng.standard_normal(shape[1]).astype(dtype)
    return x, weight, bias


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_train_forward_matches_reference(shape, dtype, affine):
    x, weight, bias = _case(shape, dtype)
    if not affine:
        weight = bias = None
    y, mean, invstd = batch_norm_train_forward(x, weight, bias, EPS)
    expected_y, expected_mean, expected_invstd = ref.batch_norm_train(x, weight, bias, EPS)
    tolerance = TOLERANCE[dtype] * 10
    assert y.dtype == mean.dtype == invstd.dtype == dtype and y.shape == shape
    np.testing.assert_allclose(y, expected_y, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(mean, expected_mean, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(invstd, expected_invstd, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_eval_forward_uses_running_statistics(shape, dtype):
    x, weight, bias = _case(shape, dtype)
    running_mean = np.linspace(-1, 1, shape[1]).astype(dtype)
    running_var = np.linspace(0.5, 2, shape[1]).astype(dtype)
    y = batch_norm_eval_forward(x, running_mean, running_var, weight, bias, EPS)
    view = (1, -1) + (1,) * (len(shape) - 2)
    expected = ((x.astype(np.float64) - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + EPS)
                * weight.reshape(view) + bias.reshape(view))
    np.testing.assert_allclose(y, expected, rtol=TOLERANCE[dtype] * 10, atol=TOLERANCE[dtype] * 10)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_finite_differences(shape, training):
    x, weight, bias = _case(shape, np.float64)
    running_mean, running_var = np.linspace(-1, 1, shape[1]), np.linspace(0.5, 2, shape[1])
    grad_y = np.random.default_rng(5).standard_normal(shape)

    def forward(xx, ww, bb):
        if training:
            return batch_norm_train_forward(xx, ww, bb, EPS)[0]
        return batch_norm_eval_forward(xx, running_mean, running_var, ww, bb, EPS)

    _, mean, invstd = batch_norm_train_forward(x, weight, bias, EPS)
    grad_x, grad_w, grad_b = batch_norm_backward(grad_y, x, weight, mean, invstd, training,
                                                 running_mean, running_var, EPS)
    np.testing.assert_allclose(grad_x, ref.numerical_vjp(lambda xx: forward(xx, weight, bias), x, grad_y), atol=1e-6)
    np.testing.assert_allclose(grad_w, ref.numerical_vjp(lambda ww: forward(x, ww, bias), weight, grad_y), atol=1e-6)
    np.testing.assert_allclose(grad_b, ref.numerical_vjp(lambda bb: forward(x, weight, bb), bias, grad_y), atol=1e-6)


def test_documented_running_variance_update_is_unbiased():
    x, _, _ = _case((6, 3), np.float64)
    _, _, invstd = batch_norm_train_forward(x, None, None, EPS)
    count = x.shape[0]
    unbiased = (1.0 / invstd ** 2 - EPS) * count / (count - 1)
    np.testing.assert_allclose(unbiased, x.var(axis=0, ddof=1), rtol=1e-10)


def test_one_value_per_channel_in_training_raises_as_pytorch():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        batch_norm_train_forward(np.ones((1, 3)), None, None)


# Recorded from PyTorch 2.13 (float64): native_batch_norm(BN_X, [1.5, -0.5], [0.1, 0.2],
# training=True, eps=1e-5) and native_batch_norm_backward with grad_y = linspace(-1, 1, 16).
BN_X = np.array([[[[1.0, 2], [3, 4]], [[0, -1], [2, 5]]], [[[2, 2], [0, 1]], [[1, 1], [-3, 0]]]])
BN_Y = [[[[-1.0257140210299807 ,  0.26081628871856877],
   [ 1.5473465984671182 ,  2.8338769082156676 ]],

  [[ 0.34362109572639166,  0.5734148488886183 ],
   [-0.11596641059806156, -0.8053476700847414 ]]],


 [[[ 0.26081628871856877,  0.26081628871856877],
   [-2.31224433077853   , -1.0257140210299807 ]],

  [[ 0.11382734256416505,  0.11382734256416505],
   [ 1.0330023552130716 ,  0.34362109572639166]]]]
BN_MEAN = [1.875, 0.625]
BN_INVSTD = [0.8576868731656996, 0.4595875063244532]
BN_GRAD_X = [[[[-1.1849862939637663 , -0.7374137953517732 ],
   [-0.28984129673977965,  0.1577312018722138 ]],

  [[ 0.1798913233316877 ,  0.16745360319707858],
   [ 0.08221009524771844, -0.0030334127016417 ]]],


 [[[ 0.4633478270802065 ,  0.6348852017133464 ],
   [ 0.2543523283887795 ,  0.701924827000773  ]],

  [[-0.0834234603283751 , -0.114062627416672  ],
   [-0.07189600669021787, -0.15713951463957798]]]]
BN_GRAD_W = [-2.001269370719966 , -1.3787625189733597]
BN_GRAD_B = [-2.1333333333333333,  2.1333333333333337]


def test_matches_recorded_pytorch_values():
    weight, bias = np.array([1.5, -0.5]), np.array([0.1, 0.2])
    y, mean, invstd = batch_norm_train_forward(BN_X, weight, bias, 1e-5)
    grad_y = np.linspace(-1, 1, 16).reshape(BN_X.shape)
    grad_x, grad_w, grad_b = batch_norm_backward(grad_y, BN_X, weight, mean, invstd, True)
    for actual, expected in [(y, BN_Y), (mean, BN_MEAN), (invstd, BN_INVSTD), (grad_x, BN_GRAD_X),
                             (grad_w, BN_GRAD_W), (grad_b, BN_GRAD_B)]:
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)
