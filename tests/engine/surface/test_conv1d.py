"""F.conv1d and nn.Conv1d live against torch: one ConvolutionBackward0 with one-element
geometry (its saved values), values and gradients (groups, stride, dilation, 'same' with an
even kernel, unbatched input, create_graph), the checks' texts in torch's order, and a
seeded module's weights and repr."""
import warnings

import numpy as np
import pytest

from surface_live import check

RNG = np.random.default_rng(1)
X, W, B = RNG.normal(size=(2, 4, 9)), RNG.normal(size=(6, 2, 3)), RNG.normal(size=6)


def _leaves(t, dtype="float32"):
    return [t.tensor(a, dtype=getattr(t, dtype), requires_grad=True) for a in (X, W, B)]


def _conv(input_slice=..., weight_slice=..., bias=True, dtype="float32", **options):
    def snippet(t):
        x, w, b = _leaves(t, dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # 'same' with an even kernel warns once
            out = t.nn.functional.conv1d(x[input_slice], w[weight_slice], b if bias else None,
                                         **options)
        node = out.grad_fn
        saved = [node._saved_stride, node._saved_padding, node._saved_dilation,
                 node._saved_output_padding, node._saved_groups, node._saved_bias_sym_sizes_opt]
        wanted = [x, w] + ([b] if bias else [])
        return [out, node.name()] + saved + list(t.autograd.grad((out * out).sum(), wanted))
    return snippet


CASES = {
    "stride, padding, dilation, groups": _conv(stride=2, padding=1, dilation=2, groups=2),
    "float64": _conv(dtype="float64", groups=2, padding=2),
    "same, even kernel": _conv(weight_slice=(slice(None), slice(None), slice(0, 2)),
                               bias=False, padding="same", groups=2),
    "valid, no bias": _conv(bias=False, padding="valid", groups=2),
    "unbatched": _conv(input_slice=0, groups=2, stride=(3,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_conv1d(name):
    check(CASES[name], rtol=1e-4, atol=1e-4)


ERRORS = {
    "1-D input": lambda t: t.nn.functional.conv1d(t.ones(3), t.ones(6, 2, 3)),
    "4-D input": lambda t: t.nn.functional.conv1d(t.ones(1, 2, 3, 4), t.ones(6, 2, 3)),
    "channels": lambda t: t.nn.functional.conv1d(t.ones(2, 4, 9), t.ones(6, 2, 3)),
    "bias size": lambda t: t.nn.functional.conv1d(t.ones(2, 4, 9), t.ones(6, 2, 3), t.ones(3),
                                                  groups=2),
    "kernel too big": lambda t: t.nn.functional.conv1d(t.ones(2, 4, 3), t.ones(6, 2, 3),
                                                       groups=2, dilation=2),
    "same and strided": lambda t: t.nn.functional.conv1d(t.ones(2, 4, 9), t.ones(6, 2, 3),
                                                         groups=2, stride=2, padding="same"),
    "weight dtype": lambda t: t.nn.functional.conv1d(t.ones(2, 4, 9, dtype=t.float64),
                                                     t.ones(6, 2, 3), groups=2),
    "bias dtype": lambda t: t.nn.functional.conv1d(t.ones(2, 4, 9), t.ones(6, 2, 3),
                                                   t.ones(6, dtype=t.float64), groups=2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_conv1d_errors(name):
    check(ERRORS[name])


def test_seeded_module_and_repr():
    def snippet(t):
        t.manual_seed(0)
        m = t.nn.Conv1d(4, 6, 3, padding=1, groups=2)
        plain = t.nn.Conv1d(3, 4, (3,), stride=(2,), dilation=2, bias=False, padding=2)
        return [repr(m), repr(plain), m.weight, m.bias, m(t.tensor(X, dtype=t.float32))]
    check(snippet)
