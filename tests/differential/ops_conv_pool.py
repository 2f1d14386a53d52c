"""The generator's draws from the convolution and pooling surface of issue #11: transposed
convolutions (functional and modules, with output_size), the 1-D pools, adaptive max
pooling, and the 3-D convolution and pools."""
from __future__ import annotations

from tests.differential.ops_nn import _input, _module


def op_conv_transpose(gen):
    spatial = gen.choice([1, 1, 2])
    groups = gen.choice([1, 1, 2])
    c_in, c_out = groups * gen.int(1, 2), groups * gen.int(1, 2)
    kernel = gen.int(1, 3)
    sizes = tuple(gen.int(1, 5) for _ in range(spatial))
    shape = (gen.int(1, 2), c_in) + sizes if gen.chance(0.85) else (c_in,) + sizes
    x = _input(gen, lambda t: t.dim() in (spatial + 1, spatial + 2)
               and t.shape[-spatial - 1] == c_in, lambda: shape)
    stride, dilation = gen.choice([1, 2, 2, 3]), gen.choice([1, 1, 2])
    padding = gen.int(0, 1)
    output_padding = gen.int(0, max(stride, dilation) - 1) if gen.chance(0.4) else 0
    bias = gen.chance(0.7)
    w_shape = (c_in, c_out // groups) + (kernel,) * spatial
    if gen.chance(0.5):
        w = gen.leaf(w_shape)
        b = gen.leaf((c_out,)) if bias else "None"
        return (f"{gen.name('v')} = F.conv_transpose{spatial}d({x}, {w}, {b}, {stride}, "
                f"{padding}, {output_padding}, {groups}, {dilation})")
    m = gen.name("m")
    _module(gen, m, f"nn.ConvTranspose{spatial}d({c_in}, {c_out}, {kernel}, stride={stride}, "
            f"padding={padding}, output_padding={output_padding}, groups={groups}, "
            f"bias={bias}, dilation={dilation})",
            {".weight": w_shape, **({".bias": (c_out,)} if bias else {})})
    size = [(s - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1 + gen.int(0, stride)
            for s in gen.shape(x)[-spatial:]]
    output_size = f", output_size={size}" if gen.chance(0.4) else ""
    return f"{gen.name('v')} = {m}({x}{output_size})"


def op_pool1d(gen):
    x = _input(gen, lambda t: t.dim() in (2, 3) and t.shape[-1] >= 1,
               lambda: (gen.int(1, 2), gen.int(1, 3), gen.int(1, 8)))
    kernel = gen.choice([1, 2, 2, 3])
    stride, padding = gen.choice(["None", 1, 2]), gen.int(0, kernel // 2)
    ceil, out = gen.chance(0.3), gen.name("v")
    r = gen.rng.random()
    if r < 0.3:
        if gen.chance(0.5):
            return (f"{out} = F.max_pool1d({x}, {kernel}, stride={stride}, padding={padding}, "
                    f"dilation={gen.choice([1, 2])}, ceil_mode={ceil})")
        return f"{out}, _ = nn.MaxPool1d({kernel}, {stride}, {padding}, return_indices=True)({x})"
    if r < 0.55:
        return (f"{out} = F.avg_pool1d({x}, {kernel}, stride={stride}, padding={padding}, "
                f"ceil_mode={ceil}, count_include_pad={gen.chance(0.5)})")
    size = gen.choice([1, 2, 3, 5])
    if r < 0.8:
        return f"{out} = " + (f"F.adaptive_avg_pool1d({x}, {size})" if gen.chance(0.5)
                              else f"nn.AdaptiveAvgPool1d({size})({x})")
    return f"{out} = " + (f"F.adaptive_max_pool1d({x}, {size})" if gen.chance(0.5)
                          else f"nn.AdaptiveMaxPool2d(({size}, None))({x})")


def op_volume(gen):
    x = _input(gen, lambda t: t.dim() == 5 and min(t.shape[2:]) >= 2,
               lambda: (gen.int(1, 2), 2, gen.int(2, 4), gen.int(2, 4), gen.int(2, 4)))
    out, r = gen.name("v"), gen.rng.random()
    if r < 0.4:
        channels = gen.shape(x)[1]
        w = gen.leaf((gen.int(1, 3), channels, 2, 1, 2))
        padding = gen.choice([0, 1, "'same'", (1, 0, 0)])
        return f"{out} = F.conv3d({x}, {w}, None, 1, {padding})"
    if r < 0.6:
        return (f"{out} = F.max_pool3d({x}, 2, stride={gen.choice(['None', 1])}, "
                f"padding={gen.int(0, 1)}, ceil_mode={gen.chance(0.3)})")
    if r < 0.8:
        return (f"{out} = F.avg_pool3d({x}, 2, stride={gen.choice(['None', 1])}, "
                f"padding={gen.int(0, 1)}, count_include_pad={gen.chance(0.5)})")
    return f"{out} = F.adaptive_avg_pool3d({x}, {gen.choice([1, 2, (2, 1, None)])})"


def op_unpool(gen):
    """A pool with return_indices, then its unpool to the pooled input's size."""
    x = _input(gen, lambda t: t.dim() in (3, 4) and min(t.shape[-2:]) >= 2,
               lambda: (gen.int(1, 2), gen.int(1, 3), gen.int(2, 6), gen.int(2, 6)))
    kernel, stride = gen.choice([2, 2, 3]), gen.choice(["None", 1, 2])
    if min(gen.shape(x)[-2:]) < kernel:
        kernel = 2
    pooled, indices, out = gen.name("t"), gen.name("t"), gen.name("v")
    # Without output_size a pool that drops rows unpools to a smaller plane, where an index
    # falls outside: torch then names whichever its threads meet first.
    size = f", output_size={list(gen.shape(x)[-2:])}"
    return (f"{pooled}, {indices} = F.max_pool2d({x}, {kernel}, {stride}, "
            f"return_indices=True)\n{out} = F.max_unpool2d({pooled}, {indices}, {kernel}, "
            f"{stride}{size})")


CONV_POOL_OPS = {"conv_transpose": (2, op_conv_transpose), "pool1d": (2, op_pool1d),
                 "volume": (1, op_volume), "unpool": (1, op_unpool)}
