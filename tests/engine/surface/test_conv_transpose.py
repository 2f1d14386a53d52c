"""F.conv_transpose1d/2d/3d, F.conv3d and their modules live against torch: one
ConvolutionBackward0 (transposed=True for the transposes) with its saved values, values,
first and second derivatives in float32 and float64, unbatched inputs (the unsqueeze /
squeeze chain), the checks' texts in torch's order, seeded modules, reprs and
ConvTranspose's output_size."""
import warnings

import numpy as np
import pytest

from surface_live import check

RNG = np.random.default_rng(5)


def _arrays(x_shape, w_shape, bias_size):
    return RNG.normal(size=x_shape), RNG.normal(size=w_shape), RNG.normal(size=bias_size)


ARRAYS = {1: _arrays((2, 4, 7), (4, 3, 3), 6), 2: _arrays((2, 4, 5, 4), (4, 3, 3, 2), 6),
          3: _arrays((2, 4, 3, 4, 3), (4, 3, 2, 3, 2), 6)}
PLAIN_3D = _arrays((2, 4, 4, 5, 3), (6, 2, 2, 3, 2), 6)
PLAIN_2D = _arrays((2, 4, 5, 3), (6, 2, 3, 2), 6)


def _saved(node):
    names = ("stride", "padding", "dilation", "transposed", "output_padding", "groups",
             "bias_sym_sizes_opt")
    return [getattr(node, f"_saved_{name}") for name in names]


def _conv(function, arrays, dtype, bias=True, unbatched=False, **options):
    def snippet(t):
        x, w, b = (t.tensor(a, dtype=getattr(t, dtype), requires_grad=True) for a in arrays)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # 'same' with an even kernel warns once
            out = getattr(t.nn.functional, function)(x[0] if unbatched else x, w,
                                                     b if bias else None, **options)
        node = out.grad_fn if not unbatched else out.grad_fn.next_functions[0][0]
        wanted = [x, w] + ([b] if bias else [])
        grads = t.autograd.grad((out * out).sum(), wanted, create_graph=True)
        second = t.autograd.grad(sum((g * g).sum() for g in grads), wanted)
        return [out, out.grad_fn.name(), node.name()] + _saved(node) + list(grads) + [
            grads[0].grad_fn.name()] + list(second)
    return snippet


CASES = {
    "transpose1d": ("conv_transpose1d", ARRAYS[1], {}),
    "transpose1d strided, padded, output_padding, dilated, groups": (
        "conv_transpose1d", ARRAYS[1], dict(stride=2, padding=1, output_padding=1, groups=2,
                                            dilation=2)),
    "transpose1d output_padding past the stride": (
        "conv_transpose1d", ARRAYS[1], dict(stride=2, padding=2, output_padding=2, dilation=3)),
    "transpose1d unbatched": ("conv_transpose1d", ARRAYS[1], dict(stride=3, unbatched=True)),
    "transpose1d no bias": ("conv_transpose1d", ARRAYS[1], dict(bias=False, groups=2)),
    "transpose2d": ("conv_transpose2d", ARRAYS[2], dict(stride=(2, 1), padding=(1, 0),
                                                        output_padding=(1, 0), groups=2)),
    "transpose2d unbatched": ("conv_transpose2d", ARRAYS[2], dict(dilation=2, unbatched=True)),
    "transpose3d": ("conv_transpose3d", ARRAYS[3], dict(stride=2, padding=(1, 0, 1),
                                                        output_padding=(0, 1, 1))),
    "conv3d": ("conv3d", PLAIN_3D, dict(stride=(1, 2, 1), padding=1, groups=2)),
    "conv3d same, even kernel": ("conv3d", PLAIN_3D, dict(padding="same", dilation=(1, 2, 1),
                                                          groups=2)),
    "conv3d valid, no bias": ("conv3d", PLAIN_3D, dict(padding="valid", bias=False,
                                                       groups=2)),
    "conv3d unbatched": ("conv3d", PLAIN_3D, dict(groups=2, unbatched=True)),
    "conv2d valid saves (0,)": ("conv2d", PLAIN_2D, dict(padding="valid", groups=2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_convolution(name, dtype):
    function, arrays, options = CASES[name]
    tolerance = 1e-4 if dtype == "float32" else 1e-9
    check(_conv(function, arrays, dtype, **options), rtol=tolerance, atol=tolerance)


def _f(t):
    return t.nn.functional


ERRORS = {
    "1d 4-D input": lambda t: _f(t).conv_transpose1d(t.ones(1, 3, 4, 5), t.ones(3, 2, 3)),
    "1d channels": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9), t.ones(4, 2, 3)),
    "1d weight dims": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9), t.ones(3, 2, 3, 3)),
    "1d groups above weight": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9),
                                                               t.ones(3, 2, 3), groups=4),
    "1d groups": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9), t.ones(3, 2, 3), groups=2),
    "1d bias": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9), t.ones(3, 2, 3), t.ones(3)),
    "1d negative padding": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9), t.ones(3, 2, 3),
                                                            padding=-1),
    "1d negative output_padding": lambda t: _f(t).conv_transpose1d(
        t.ones(2, 3, 9), t.ones(3, 2, 3), output_padding=-1),
    "1d stride 0": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9), t.ones(3, 2, 3), stride=0),
    "1d output_padding": lambda t: _f(t).conv_transpose1d(
        t.ones(2, 3, 9), t.ones(3, 2, 3, dtype=t.float64), stride=2, output_padding=2),
    "1d output too small": lambda t: _f(t).conv_transpose1d(
        t.ones(1, 3, 1), t.ones(3, 2, 1, dtype=t.float64), padding=2),
    "1d weight dtype": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9),
                                                        t.ones(3, 2, 3, dtype=t.float64)),
    "1d padding string": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9), t.ones(3, 2, 3),
                                                          padding="same"),
    "1d stride pair": lambda t: _f(t).conv_transpose1d(t.ones(2, 3, 9), t.ones(3, 2, 3),
                                                       stride=(1, 2)),
    "2d negative output on oneDNN (groups)": lambda t: _f(t).conv_transpose2d(
        t.ones(1, 2, 1, 2), t.ones(2, 1, 1, 1), None, 1, 1, 0, 2),
    "2d negative output, own kernel": lambda t: _f(t).conv_transpose2d(
        t.ones(1, 3, 1, 1), t.ones(3, 2, 1, 1), padding=1),
    "2d slow path weight dtype": lambda t: _f(t).conv_transpose2d(
        t.ones(1, 3, 4, 5), t.ones(3, 2, 3, 3, dtype=t.float64)),
    "1d float64 input, float32 weight": lambda t: _f(t).conv_transpose1d(
        t.ones(2, 3, 9, dtype=t.float64), t.ones(3, 2, 3)),
    "2d 5-D input": lambda t: _f(t).conv_transpose2d(t.ones(2, 4, 3, 5, 6), t.ones(4, 2, 1, 1)),
    "2d channels": lambda t: _f(t).conv_transpose2d(t.ones(2, 4, 5, 6), t.ones(3, 2, 1, 1)),
    "2d output_padding": lambda t: _f(t).conv_transpose2d(
        t.ones(2, 4, 5, 6), t.ones(4, 2, 3, 3), stride=(2, 3), output_padding=(2, 1)),
    "3d output_padding": lambda t: _f(t).conv_transpose3d(
        t.ones(2, 4, 3, 5, 6), t.ones(4, 2, 3, 3, 3), stride=(2, 3, 1),
        output_padding=(2, 1, 1)),
    "3d weight dtype": lambda t: _f(t).conv_transpose3d(t.ones(2, 4, 3, 5, 6),
                                                        t.ones(4, 2, 1, 1, 1, dtype=t.float64)),
    "conv3d 2-D input": lambda t: _f(t).conv3d(t.ones(4, 5), t.ones(2, 3, 2, 2, 2)),
    "conv3d kernel too big": lambda t: _f(t).conv3d(t.ones(1, 3, 4, 5, 6), t.ones(2, 3, 5, 2, 2)),
    "conv3d channels": lambda t: _f(t).conv3d(t.ones(2, 4, 3, 5, 6), t.ones(4, 3, 1, 1, 1)),
    "conv3d bias dtype": lambda t: _f(t).conv3d(t.ones(2, 4, 3, 5, 6), t.ones(4, 4, 1, 1, 1),
                                                t.ones(4, dtype=t.float64)),
    "conv3d padding string": lambda t: _f(t).conv3d(t.ones(2, 4, 3, 5, 6),
                                                    t.ones(4, 4, 1, 1, 1), padding="bad"),
    "conv3d same and strided": lambda t: _f(t).conv3d(t.ones(2, 4, 3, 5, 6),
                                                      t.ones(4, 4, 1, 1, 1), stride=2,
                                                      padding="same"),
}


# Which of torch's CPU paths runs a float32 convolution (oneDNN or its own kernel) decides
# the text for a weight of another dtype.
WEIGHT_DTYPE_SHAPES = {
    "conv1d batch 2": ((2, 4, 9), (6, 4, 3)), "conv1d batch 1": ((1, 4, 9), (6, 4, 3)),
    "conv2d batch 2": ((2, 4, 5, 5), (6, 4, 3, 3)),
    "conv2d batch 1": ((1, 4, 5, 5), (6, 4, 3, 3)), "conv2d 1x1": ((1, 4, 5, 5), (6, 4, 1, 1)),
    "conv3d batch 2": ((2, 4, 3, 5, 5), (6, 4, 1, 1, 1)),
    "conv3d batch 1": ((1, 4, 3, 5, 5), (6, 4, 1, 1, 1)),
}
for _name, (_x, _w) in WEIGHT_DTYPE_SHAPES.items():
    ERRORS[f"weight dtype, {_name}"] = lambda t, x=_x, w=_w: getattr(
        _f(t), f"conv{len(x) - 2}d")(t.ones(x), t.ones(w, dtype=t.float64))


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_convolution_errors(name):
    check(ERRORS[name])


def test_seeded_modules_reprs_and_output_size():
    def snippet(t):
        t.manual_seed(0)
        layers = [t.nn.ConvTranspose1d(4, 6, 3),
                  t.nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                                       bias=False, dilation=2),
                  t.nn.ConvTranspose2d(4, 6, (3, 2), stride=2),
                  t.nn.Conv3d(2, 4, 3, padding="same"), t.nn.ConvTranspose3d(2, 4, 3)]
        x = t.randn(2, 4, 9)
        return ([repr(m) for m in layers] + [m.weight for m in layers]
                + [m.bias for m in layers if m.bias is not None]
                + [layers[1](x, output_size=[20]), layers[0](x[0], output_size=[6, 11]),
                   layers[1].output_padding, layers[1].transposed])
    check(snippet, rtol=1e-5, atol=1e-5)


OUTPUT_SIZE_ERRORS = {
    "too big": [22], "too many": [1, 2, 3, 4], "too small, with batch and channels": [2, 6, 17],
}


@pytest.mark.parametrize("name", sorted(OUTPUT_SIZE_ERRORS))
def test_output_size_errors(name):
    def snippet(t):
        layer = t.nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, dilation=2)
        return layer(t.ones(2, 4, 9), output_size=OUTPUT_SIZE_ERRORS[name])
    check(snippet)


def test_an_empty_output_on_onednn():
    """Batch 2 runs on oneDNN, which makes a height of 0 where torch's own kernel raises."""
    def snippet(t):
        x = t.tensor(ARRAYS[2][0][:, :2, :1, :2], dtype=t.float32, requires_grad=True)
        out = _f(t).conv_transpose2d(x, t.ones(2, 1, 1, 1), stride=2, padding=1,
                                     output_padding=1)
        return [out, t.autograd.grad(out.sum(), x)]
    check(snippet)


def test_padding_mode():
    check(lambda t: t.nn.ConvTranspose1d(4, 6, 3, padding_mode="reflect"))


FINITE_DIFFERENCES = {
    "conv_transpose1d": lambda F, x, w, b: F.conv_transpose1d(x, w, b, 2, 1, 1, 2, 2),
    "conv_transpose2d": lambda F, x, w, b: F.conv_transpose2d(x[..., :3, :2], w, b, (1, 2),
                                                              (0, 1), (0, 1), 2),
    "conv_transpose3d": lambda F, x, w, b: F.conv_transpose3d(x[:1, ..., :2, :2], w, b, 2, 1,
                                                              0, 2),
    "conv3d": lambda F, x, w, b: F.conv3d(x[:1, ..., :3, :3], w[:, :2], b, 1, 1, groups=2),
}
FD_ARRAYS = {"conv_transpose1d": ARRAYS[1], "conv_transpose2d": ARRAYS[2],
             "conv_transpose3d": ARRAYS[3], "conv3d": (PLAIN_3D[0], PLAIN_3D[1], PLAIN_3D[2])}


@pytest.mark.parametrize("name", sorted(FINITE_DIFFERENCES))
def test_first_and_second_derivatives_match_finite_differences(name):
    """engine's own gradcheck and gradgradcheck (float64) on the transposed and 3-D rules."""
    import engine
    leaves = [engine.tensor(a, dtype=engine.float64, requires_grad=True)
              for a in FD_ARRAYS[name]]

    def function(x, w, b):
        return FINITE_DIFFERENCES[name](engine.nn.functional, x, w, b)

    assert engine.autograd.gradcheck(function, leaves)
    assert engine.autograd.gradgradcheck(function, leaves)
