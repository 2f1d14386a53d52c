"""engine.kernels.conv_nd (1-, 2- and 3-D convolutions and their transposes, on the 2-D
kernels) against torch's values and gradients, in both dtypes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.kernels import conv_nd

# spatial dims -> (input sizes, kernel sizes, stride, padding, output_padding, dilation)
GEOMETRIES = {
    1: ((9,), (3,), (2,), (1,), (1,), (2,)),
    2: ((6, 5), (3, 2), (2, 1), (1, 0), (1, 0), (1, 2)),
    3: ((5, 4, 6), (2, 3, 2), (2, 1, 2), (1, 1, 0), (0, 0, 1), (2, 1, 1)),
}
PLAIN = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
TRANSPOSED = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _arrays(dtype, x_shape, w_shape, bias_size, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(w_shape).astype(dtype),
            rng.standard_normal(bias_size).astype(dtype))


def _torch_grads(function, x, w, b, **options):
    leaves = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = function(*leaves, **options)
    grad_y = np.random.default_rng(7).standard_normal(tuple(y.shape)).astype(x.dtype)
    y.backward(torch.tensor(grad_y))
    return y.detach().numpy(), grad_y, [leaf.grad.numpy() for leaf in leaves]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("spatial", [1, 2, 3])
def test_plain_convolution_matches_torch(spatial, dtype):
    sizes, kernel, stride, padding, _, dilation = GEOMETRIES[spatial]
    x, w, b = _arrays(dtype, (2, 4) + sizes, (6, 2) + kernel, 6)
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=2)
    y, grad_y, (grad_x, grad_w, grad_b) = _torch_grads(PLAIN[spatial], x, w, b, **options)
    geometry = (stride, padding, dilation, 2)
    tolerance = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10)
    np.testing.assert_allclose(conv_nd.forward(x, w, b, *geometry), y, **tolerance)
    np.testing.assert_allclose(conv_nd.grad_input(grad_y, w, x.shape, *geometry), grad_x,
                               **tolerance)
    np.testing.assert_allclose(conv_nd.grad_weight(grad_y, x, w.shape, *geometry), grad_w,
                               **tolerance)
    np.testing.assert_allclose(conv_nd.grad_bias(grad_y), grad_b, **tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("spatial", [1, 2, 3])
def test_transposed_convolution_matches_torch(spatial, dtype):
    sizes, kernel, stride, padding, output_padding, dilation = GEOMETRIES[spatial]
    x, w, b = _arrays(dtype, (2, 4) + sizes, (4, 3) + kernel, 6)
    options = dict(stride=stride, padding=padding, output_padding=output_padding, groups=2,
                   dilation=dilation)
    y, grad_y, (grad_x, grad_w, grad_b) = _torch_grads(TRANSPOSED[spatial], x, w, b, **options)
    tolerance = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10)
    np.testing.assert_allclose(conv_nd.transposed_forward(
        x, w, b, stride, padding, output_padding, dilation, 2), y, **tolerance)
    geometry = (stride, padding, dilation, 2)
    np.testing.assert_allclose(conv_nd.transposed_grad_input(grad_y, w, x.shape, *geometry),
                               grad_x, **tolerance)
    np.testing.assert_allclose(conv_nd.transposed_grad_weight(grad_y, x, w.shape, *geometry),
                               grad_w, **tolerance)
    np.testing.assert_allclose(conv_nd.grad_bias(grad_y), grad_b, **tolerance)


def test_output_padding_past_the_stride_with_a_dilation():
    """output_padding may reach the dilation: the extra positions past the full size are
    zero (plus bias), and the padding's cut reads inside the full result."""
    x, w, b = _arrays(np.float64, (1, 2, 4), (2, 3, 3), 3)
    options = dict(stride=2, padding=2, output_padding=2, dilation=3)
    y, grad_y, (grad_x, grad_w, _) = _torch_grads(F.conv_transpose1d, x, w, b, **options)
    np.testing.assert_allclose(conv_nd.transposed_forward(x, w, b, (2,), (2,), (2,), (3,), 1),
                               y, rtol=1e-10)
    np.testing.assert_allclose(conv_nd.transposed_grad_input(grad_y, w, x.shape, (2,), (2,),
                                                             (3,), 1), grad_x, rtol=1e-10)
    np.testing.assert_allclose(conv_nd.transposed_grad_weight(grad_y, x, w.shape, (2,), (2,),
                                                              (3,), 1), grad_w, rtol=1e-10)
