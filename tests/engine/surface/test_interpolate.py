"""F.interpolate and nn.Upsample against torch 2.13, live: values and gradients (bit for bit
in the nearest modes, to rounding in the linear ones; float32 and float64, many sizes and
scale factors), node names and saved attributes, the
double-backward node, argument errors and warnings, and the modules' reprs."""
import itertools

import numpy as np
import pytest
import torch

import engine
from surface_live import check

RNG = np.random.default_rng(11)

MODES = {3: ["nearest", "nearest-exact", "linear"], 4: ["nearest", "nearest-exact", "bilinear"],
         5: ["nearest", "nearest-exact", "trilinear"]}


def _cases():
    shapes = {3: [(2, 3, 5), (1, 1, 7)], 4: [(2, 2, 3, 5), (1, 3, 4, 4)], 5: [(1, 2, 2, 3, 4)]}
    sizes = [dict(scale_factor=2), dict(scale_factor=1.7), dict(scale_factor=0.6),
             dict(scale_factor=3.3, recompute_scale_factor=True), dict(size=5), dict(size=1),
             dict(size=8)]
    for ndim, mode_list in MODES.items():
        for shape, mode, how in itertools.product(shapes[ndim], mode_list, sizes):
            yield shape, mode, how, None
            if mode not in ("nearest", "nearest-exact"):
                yield shape, mode, how, True


CASES = list(_cases())


def _run(lib, data, dtype, mode, how, align):
    x = lib.tensor(data, dtype=dtype, requires_grad=True)
    y = lib.nn.functional.interpolate(x, mode=mode, align_corners=align, **how)
    weight = lib.tensor(np.linspace(-1, 2, y.numel()).reshape(tuple(y.shape)), dtype=dtype)
    (y * weight).sum().backward()
    node = y.grad_fn
    saved = {name: getattr(node, name) for name in dir(node) if name.startswith("_saved_")}
    return y.detach().numpy(), x.grad.numpy(), node.name(), saved


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("shape,mode,how,align", CASES,
                         ids=[f"{s}-{m}-{h}-{a}" for s, m, h, a in CASES])
def test_values_gradients_and_nodes(shape, mode, how, align, dtype_name):
    data = RNG.normal(size=shape)
    expected = _run(torch, data, getattr(torch, dtype_name), mode, how, align)
    actual = _run(engine, data, getattr(engine, dtype_name), mode, how, align)
    if mode.startswith("nearest"):
        np.testing.assert_array_equal(actual[0], expected[0])
        np.testing.assert_array_equal(actual[1], expected[1])
    else:
        tolerance = {"rtol": 2e-6, "atol": 1e-6} if dtype_name == "float32" else \
            {"rtol": 1e-14, "atol": 1e-14}
        np.testing.assert_allclose(actual[0], expected[0], **tolerance)
        np.testing.assert_allclose(actual[1], expected[1], **tolerance)
    assert actual[2:] == expected[2:]


@pytest.mark.parametrize("size,scale,align", [(7, 1.7, False), (5, 1.7, False), (9, 1.3, False),
                                              (6, 0.7, False), (9, 1.3, True)])
def test_linear_taps_are_torchs(size, scale, align):
    """The 1-D forward is one tap pair per output: equal bits mean equal indices and
    weights (the fused multiply-add of the source index included)."""
    data = RNG.normal(size=(1, 1, size))
    run = lambda t: t.nn.functional.interpolate(t.tensor(data, dtype=t.float32),
                                                scale_factor=scale, mode="linear",
                                                align_corners=align).numpy()
    np.testing.assert_array_equal(run(engine), run(torch))


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "nearest-exact"])
def test_double_backward_graph_and_values(mode):
    def second(lib):
        x = lib.tensor(RNG_FIXED, requires_grad=True)
        y = lib.nn.functional.interpolate(x, scale_factor=2, mode=mode)
        g, = lib.autograd.grad(y.pow(2).sum(), x, create_graph=True)
        node = g.grad_fn
        saved = {n: getattr(node, n) for n in dir(node) if n.startswith("_saved_")}
        g.pow(2).sum().backward()
        return node.name(), saved, node.next_functions[0][0].name(), x.grad.numpy()
    expected, actual = second(torch), second(engine)
    assert actual[:3] == expected[:3]
    np.testing.assert_allclose(actual[3], expected[3], rtol=1e-6)


RNG_FIXED = np.random.default_rng(3).normal(size=(1, 2, 2, 3)).astype(np.float32)

ERRORS = {
    "both": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4), size=3, scale_factor=2),
    "neither": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4)),
    "align_nearest": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4), size=3,
                                                           align_corners=True),
    "size_length": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4), size=(3, 3)),
    "scale_length": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4), scale_factor=[2, 2]),
    "float_size": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4, 4), size=(2.5, 3)),
    "bilinear_3d": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4), size=3,
                                                         mode="bilinear"),
    "linear_4d": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4, 4), size=3,
                                                       mode="linear"),
    "bad_mode": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4), size=3, mode="foo"),
    "2d_input": lambda t: t.nn.functional.interpolate(t.ones(2, 2), size=3),
    "zero_out": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 2, 2), scale_factor=0.1),
    "zero_out_1d": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 2), scale_factor=0.1,
                                                         mode="linear"),
    "zero_out_3d": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 2, 2, 2),
                                                         scale_factor=0.1),
    "empty_channel": lambda t: t.nn.functional.interpolate(t.ones(1, 0, 2, 2), size=3),
    "empty_batch": lambda t: t.nn.functional.interpolate(t.ones(0, 1, 2, 2), size=3),
    "recompute_size": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4), size=3,
                                                            recompute_scale_factor=True),
    "antialias_1d": lambda t: t.nn.functional.interpolate(t.ones(1, 1, 4), size=3,
                                                          antialias=True),
    "long": lambda t: t.nn.functional.interpolate(t.ones(1, 2, 2, 2, dtype=t.long), size=3),
    "long_big": lambda t: t.nn.functional.interpolate(t.ones(1, 2, 2, 2, dtype=t.int32),
                                                      size=100, mode="bilinear"),
    "long_1d_linear": lambda t: t.nn.functional.interpolate(t.ones(1, 2, 2, dtype=t.long),
                                                            size=3, mode="linear"),
    "uint8_nearest": lambda t: t.nn.functional.interpolate(
        t.arange(4, dtype=t.uint8).view(1, 1, 2, 2), scale_factor=2),
    "area": lambda t: t.nn.functional.interpolate(t.arange(16.).view(1, 1, 4, 4),
                                                  scale_factor=0.5, mode="area"),
    "upsample": lambda t: t.nn.functional.upsample(t.ones(1, 1, 2), scale_factor=2),
    "upsample_nearest": lambda t: t.nn.functional.upsample_nearest(t.ones(1, 1, 2, 2), 3),
    "upsample_bilinear": lambda t: t.nn.functional.upsample_bilinear(
        t.arange(4.).view(1, 1, 2, 2), scale_factor=2),
}


@pytest.mark.parametrize("name", ERRORS)
def test_arguments_as_torch(name):
    check(ERRORS[name])


def test_modules_repr_and_call():
    def modules(t):
        layers = [t.nn.Upsample(scale_factor=2), t.nn.Upsample(size=3, mode="bilinear"),
                  t.nn.Upsample(scale_factor=(2, 3), mode="nearest-exact"),
                  t.nn.UpsamplingBilinear2d(scale_factor=2), t.nn.UpsamplingNearest2d(size=4)]
        x = t.arange(6.).view(1, 1, 2, 3)
        return [repr(layer) for layer in layers], [layer(x).numpy() for layer in layers]
    (engine_reprs, engine_values), (torch_reprs, torch_values) = modules(engine), modules(torch)
    assert engine_reprs == torch_reprs
    for actual, expected in zip(engine_values, torch_values):
        np.testing.assert_allclose(actual, expected, rtol=1e-6)


def test_a_bicubic_resize_says_it_is_not_supported():
    with pytest.raises(NotImplementedError, match="mode='bicubic' is not supported"):
        engine.nn.functional.interpolate(engine.ones(1, 1, 2, 2), size=3, mode="bicubic")
