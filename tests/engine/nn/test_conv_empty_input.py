"""Convolutions of an input with no elements but a batch and channels (nn seed 400343): ATen
refuses them before choosing a backend, with one text for every kind, live against torch."""
import pytest

import oracle

CASES = {
    "conv_transpose2d, onednn": ((1, 2, 0, 0), (2, 1, 1, 1), "conv_transpose2d",
                                 dict(stride=2, padding=1, groups=2)),
    "conv_transpose2d": ((1, 2, 0, 3), (2, 1, 1, 1), "conv_transpose2d", {}),
    "conv_transpose1d, shown as 2-D": ((1, 2, 0), (2, 1, 1), "conv_transpose1d", dict(stride=2)),
    "conv_transpose3d": ((1, 2, 0, 2, 2), (2, 1, 1, 1, 1), "conv_transpose3d", {}),
    "conv2d, padded": ((1, 2, 0, 3), (3, 2, 1, 1), "conv2d", dict(padding=1)),
    "conv1d, padded": ((1, 2, 0), (3, 2, 1), "conv1d", dict(padding=1)),
    "conv3d, padded, float64 weight": ((1, 2, 2, 0, 2), (3, 2, 1, 1, 1), "conv3d",
                                       dict(padding=1)),
    "conv2d, too small": ((1, 2, 0, 3), (3, 2, 1, 1), "conv2d", {}),
    "conv_transpose2d, zero batch": ((0, 2, 3, 3), (2, 3, 2, 2), "conv_transpose2d",
                                     dict(stride=2)),
}


def outcome(lib, name):
    x_shape, w_shape, fn, options = CASES[name]
    x = lib.torch.zeros(*x_shape, requires_grad=True)
    w = lib.torch.ones(*w_shape, dtype=lib.torch.float64 if "float64" in name else None)
    error = oracle.error_of(lambda: getattr(lib.F, fn)(x, w, **options))
    return error or tuple(getattr(lib.F, fn)(x, w, **options).shape)


@pytest.mark.parametrize("name", sorted(CASES))
def test_empty_input_convolution_as_torch(name):
    oracle.agree(outcome, name, namespace_arg=True)
