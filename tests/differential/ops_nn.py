"""The nn ops the generator draws from (functional ops and modules with random
configurations). Modules get their parameters from the seed's data, copied in under
no_grad, so neither library's random initialisation matters."""
from __future__ import annotations

ACTIVATIONS = ["F.relu", "F.leaky_relu", "F.gelu", "torch.sigmoid", "torch.tanh", "F.logsigmoid",
               "F.softmax", "F.log_softmax"]
ACTIVATION_MODULES = ["nn.ReLU()", "nn.LeakyReLU(0.2)", "nn.GELU()", "nn.Sigmoid()",
                      "nn.Tanh()", "nn.Softmax(dim=1)", "nn.LogSoftmax(dim=-1)"]
INPLACE_ACTIVATIONS = ["{x}.relu_()", "torch.relu_({x})", "F.relu_({x})", "{x}.sigmoid_()",
                       "torch.sigmoid_({x})", "{x}.tanh_()", "torch.tanh_({x})", "{x}.exp_()",
                       "torch.exp_({x})", "F.silu({x}, inplace=True)", "F.mish({x}, inplace=True)",
                       "F.elu({x}, 0.7, inplace=True)", "F.elu_({x})",
                       "F.hardtanh({x}, -0.5, 0.5, inplace=True)", "F.hardtanh_({x})",
                       "F.relu6({x}, inplace=True)", "F.leaky_relu({x}, 0.2, inplace=True)",
                       "F.leaky_relu_({x})", "nn.SiLU(inplace=True)({x})", "nn.ELU(inplace=True)({x})",
                       "nn.ReLU6(inplace=True)({x})", "nn.LeakyReLU(0.1, inplace=True)({x})",
                       "nn.Hardtanh(inplace=True)({x})", "nn.Mish(inplace=True)({x})"]
# Not yet: F.elu F.silu F.softplus F.hardtanh F.relu6 (out of place)
# nn.MultiheadAttention F.huber_loss F.kl_div; F.scaled_dot_product_attention with
# dropout_p > 0 (random). Recurrent layers and cells: ops_rnn.py.
NN_MIX = 0.35      # how much of an nn program's draws are core ops (per weight unit)


def _input(gen, pred, make_shape):
    existing = gen.pick_float(pred)
    if existing is not None and gen.chance(0.5):
        return existing
    return gen.leaf(make_shape(), requires_grad=gen.chance(0.85))


def _module(gen, name: str, constructor: str, loads: dict) -> None:
    """Emit `name = constructor` and, in the same statement, give its parameters the seed's
    values (`loads`: parameter path -> shape), so that its random initialisation is never
    compared."""
    lines = [f"{name} = {constructor}", "with torch.no_grad():"]
    for param, shape in loads.items():
        lines.append(f"    {name}{param}.copy_({gen.const(shape)})")
    gen.emit("\n".join(lines if loads else lines[:1]), "module")


def op_linear(gen):
    k = gen.int(1, 4)
    x = _input(gen, lambda t: t.dim() >= 1 and t.shape[-1] == k,
               lambda: gen.random_shape(0, 3) + (k,))
    out_features, bias = gen.int(1, 4), gen.chance(0.7)
    if gen.chance(0.5):
        w = gen.leaf((out_features, k))
        b = gen.leaf((out_features,)) if bias else "None"
        return f"{gen.name('v')} = F.linear({x}, {w}, {b})"
    m = gen.name("m")
    _module(gen, m, f"nn.Linear({k}, {out_features}, bias={bias})",
            {".weight": (out_features, k), **({".bias": (out_features,)} if bias else {})})
    return f"{gen.name('v')} = {m}({x})"


def op_conv2d(gen):
    groups = gen.choice([1, 1, 1, 2])
    c_in = groups * gen.int(1, 2)
    c_out = groups * gen.int(1, 2)
    kernel = gen.choice([1, 2, 3, (2, 3), (3, 1)])
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    shape = (gen.int(1, 2), c_in, gen.int(kh, 7), gen.int(kw, 7))
    x = _input(gen, lambda t: t.dim() == 4 and t.shape[1] == c_in and t.shape[2] >= kh
               and t.shape[3] >= kw, lambda: shape)
    stride = gen.choice([1, 1, 2, (1, 2)])
    padding = gen.choice([0, 0, 1, (1, 0), "'same'", "'valid'"])
    if padding == "'same'":
        stride = 1
    dilation = gen.choice([1, 1, 1, 2])
    bias = gen.chance(0.7)
    config = f"stride={stride}, padding={padding}, dilation={dilation}, groups={groups}"
    if gen.chance(0.5):
        w = gen.leaf((c_out, c_in // groups, kh, kw))
        b = gen.leaf((c_out,)) if bias else "None"
        return f"{gen.name('v')} = F.conv2d({x}, {w}, {b}, {config})"
    m = gen.name("m")
    _module(gen, m, f"nn.Conv2d({c_in}, {c_out}, {kernel}, {config}, bias={bias})",
            {".weight": (c_out, c_in // groups, kh, kw), **({".bias": (c_out,)} if bias else {})})
    return f"{gen.name('v')} = {m}({x})"


def op_conv1d(gen):
    groups = gen.choice([1, 1, 2])
    c_in, c_out = groups * gen.int(1, 2), groups * gen.int(1, 2)
    kernel = gen.choice([1, 2, 3])
    shape = (gen.int(1, 2), c_in, gen.int(kernel, 8)) if gen.chance(0.85) else \
        (c_in, gen.int(kernel, 8))
    x = _input(gen, lambda t: t.dim() in (2, 3) and t.shape[-2] == c_in
               and t.shape[-1] >= kernel, lambda: shape)
    stride = gen.choice([1, 1, 2])
    padding = gen.choice([0, 0, 1, "'same'", "'valid'"])
    if padding == "'same'":
        stride = 1
    dilation, bias = gen.choice([1, 1, 2]), gen.chance(0.7)
    config = f"stride={stride}, padding={padding}, dilation={dilation}, groups={groups}"
    if gen.chance(0.5):
        w = gen.leaf((c_out, c_in // groups, kernel))
        b = gen.leaf((c_out,)) if bias else "None"
        return f"{gen.name('v')} = F.conv1d({x}, {w}, {b}, {config})"
    m = gen.name("m")
    _module(gen, m, f"nn.Conv1d({c_in}, {c_out}, {kernel}, {config}, bias={bias})",
            {".weight": (c_out, c_in // groups, kernel), **({".bias": (c_out,)} if bias else {})})
    return f"{gen.name('v')} = {m}({x})"


def op_pool(gen):
    x = _input(gen, lambda t: t.dim() in (3, 4) and min(t.shape[-2:]) >= 1,
               lambda: (gen.int(1, 2), gen.int(1, 3), gen.int(1, 7), gen.int(1, 7)))
    kernel = gen.choice([1, 2, 2, 3, (2, 1)])
    k = max(kernel) if isinstance(kernel, tuple) else kernel
    stride = gen.choice(["None", 1, 2])
    padding = gen.int(0, k // 2)
    ceil = gen.chance(0.3)
    out = gen.name("v")
    r = gen.rng.random()
    if r < 0.4:
        if gen.chance(0.5):
            return (f"{out} = F.max_pool2d({x}, {kernel}, stride={stride}, padding={padding}, "
                    f"ceil_mode={ceil})")
        return f"{out} = nn.MaxPool2d({kernel}, stride={stride}, padding={padding})({x})"
    if r < 0.75:
        include = gen.chance(0.5)
        return (f"{out} = F.avg_pool2d({x}, {kernel}, stride={stride}, padding={padding}, "
                f"ceil_mode={ceil}, count_include_pad={include})")
    size = gen.choice([1, 2, (2, 1), 3])
    return f"{out} = " + (f"F.adaptive_avg_pool2d({x}, {size})" if gen.chance(0.5)
                          else f"nn.AdaptiveAvgPool2d({size})({x})")


def op_activation(gen):
    x = gen.pick_float()
    if x is None:
        return None
    out = gen.name("v")
    if gen.chance(0.3):
        return f"{out} = {gen.choice(ACTIVATION_MODULES)}({x})"
    fn = gen.choice(ACTIVATIONS)
    if fn == "F.relu" and gen.chance(0.3):
        return f"{out} = F.relu({x}, inplace=True)"
    if fn == "F.leaky_relu":
        return f"{out} = F.leaky_relu({x}, {gen.choice(['0.01', '0.2'])})"
    if fn == "F.gelu" and gen.chance(0.3):
        return f"{out} = F.gelu({x}, approximate='tanh')"
    if fn in ("F.softmax", "F.log_softmax"):
        if gen.chance(0.05):
            return f"{out} = {fn}({x})"
        return f"{out} = {fn}({x}, dim={gen.dim(gen.value(x).dim())})"
    return f"{out} = {fn}({x})"


def op_loss(gen):
    out = gen.name("v")
    reduction = gen.choice(["'mean'", "'mean'", "'sum'", "'none'"])
    r = gen.rng.random()
    if r < 0.3:
        x = gen.pick_float()
        if x is None:
            return None
        fn = gen.choice(["F.mse_loss", "F.l1_loss"])
        target = gen.const(gen.shape(x)) if gen.chance(0.85) else gen.const(gen.shape(x) + (2,))
        if gen.chance(0.3):
            cls = "nn.MSELoss" if fn == "F.mse_loss" else "nn.L1Loss"
            return f"{out} = {cls}(reduction={reduction})({x}, {target})"
        return f"{out} = {fn}({x}, {target}, reduction={reduction})"
    if r < 0.7:
        classes = gen.int(2, 4)
        batch = gen.int(1, 3)
        extra = (gen.int(1, 3),) if gen.chance(0.2) else ()
        x = _input(gen, lambda t: t.dim() == 2 and t.shape[1] == classes,
                   lambda: (batch, classes) + extra)
        batch = gen.shape(x)[0]
        extra = gen.shape(x)[2:]
        target = gen.const((batch,) + extra, "int64", low=0, high=classes)
        options = f"reduction={reduction}"
        if gen.chance(0.2):
            options += f", weight={gen.const((classes,), low=0.5, high=1.5)}"
        if gen.chance(0.15):
            options += ", ignore_index=1"
        if gen.chance(0.15):
            options += ", label_smoothing=0.1"
        if gen.chance(0.3):
            return f"{out} = F.nll_loss(F.log_softmax({x}, 1), {target}, " + \
                options.replace(", label_smoothing=0.1", "") + ")"
        if gen.chance(0.3):
            return f"{out} = nn.CrossEntropyLoss({options})({x}, {target})"
        return f"{out} = F.cross_entropy({x}, {target}, {options})"
    x = gen.pick_float()
    if x is None:
        return None
    target = gen.const(gen.shape(x), low=0.0, high=1.0)
    if gen.chance(0.5):
        return f"{out} = F.binary_cross_entropy(torch.sigmoid({x}), {target}, reduction={reduction})"
    return f"{out} = F.binary_cross_entropy_with_logits({x}, {target}, reduction={reduction})"


def op_batch_norm(gen):
    channels = gen.int(1, 3)
    x = _input(gen, lambda t: t.dim() in (2, 3, 4) and t.shape[1] == channels,
               lambda: (gen.int(2, 3), channels) + gen.random_shape(0, 2, 3))
    rank = len(gen.shape(x))
    training = gen.chance(0.5)
    if gen.chance(0.5):
        mean = gen.name("q")
        var = gen.name("q")
        gen.emit(f"{mean} = {gen.const((channels,))}", "buffer")
        gen.emit(f"{var} = {gen.const((channels,), low=0.5, high=2.0)}", "buffer")
        affine = ""
        if gen.chance(0.6):
            affine = f", {gen.leaf((channels,))}, {gen.leaf((channels,))}"
        return (f"{gen.name('v')} = F.batch_norm({x}, {mean}, {var}{affine}, "
                f"training={training}, momentum=0.1, eps=1e-05)")
    m = gen.name("m")
    cls = "nn.BatchNorm2d" if rank == 4 else "nn.BatchNorm1d"
    _module(gen, m, f"{cls}({channels})", {".weight": (channels,), ".bias": (channels,)})
    if not training:
        gen.emit(f"{m}.eval()", "module")
    return f"{gen.name('v')} = {m}({x})"


def op_dropout(gen):
    x = gen.pick_float()
    if x is None:
        return None
    out = gen.name("v")
    r = gen.rng.random()
    if r < 0.4:
        return f"{out} = F.dropout({x}, p={gen.choice(['0.3', '0.5'])}, training=False)"
    if r < 0.6:
        return f"{out} = F.dropout({x}, p=0.0)"
    return f"{out} = nn.Dropout({gen.choice(['0.2', '0.5'])}).eval()({x})"


def op_embedding(gen):
    num, dim = gen.int(2, 5), gen.int(1, 3)
    index = gen.const(gen.random_shape(1, 2, 3), "int64", low=0, high=num)
    out = gen.name("v")
    padding = f", padding_idx={gen.int(0, num - 1)}" if gen.chance(0.3) else ""
    if gen.chance(0.5):
        return f"{out} = F.embedding({index}, {gen.leaf((num, dim))}{padding})"
    m = gen.name("m")
    _module(gen, m, f"nn.Embedding({num}, {dim}{padding})", {".weight": (num, dim)})
    return f"{out} = {m}({index})"


def op_pad(gen):
    x = gen.pick_float(lambda t: t.dim() >= 1)
    if x is None:
        return None
    pads = tuple(gen.int(0, 2) for _ in range(2 * gen.int(1, min(2, gen.value(x).dim()))))
    if gen.chance(0.7):
        return f"{gen.name('v')} = F.pad({x}, {pads}, value={gen.choice(['0.0', '1.5'])})"
    return f"{gen.name('v')} = F.pad({x}, {pads}, mode='{gen.choice(['reflect', 'replicate'])}')"


def op_flatten(gen):
    x = gen.pick_float(lambda t: t.dim() >= 2)
    return None if x is None else f"{gen.name('v')} = nn.Flatten()({x})"


def op_sequential(gen):
    k, hidden, out_features = gen.int(1, 4), gen.int(1, 4), gen.int(1, 3)
    x = _input(gen, lambda t: t.dim() >= 1 and t.shape[-1] == k,
               lambda: gen.random_shape(1, 2) + (k,))
    m = gen.name("m")
    act = gen.choice(["nn.ReLU()", "nn.Tanh()", "nn.Sigmoid()"])
    _module(gen, m, f"nn.Sequential(nn.Linear({k}, {hidden}), {act}, "
            f"nn.Linear({hidden}, {out_features}))",
            {"[0].weight": (hidden, k), "[0].bias": (hidden,),
             "[2].weight": (out_features, hidden), "[2].bias": (out_features,)})
    return f"{gen.name('v')} = {m}({x})"


def op_inplace_activation(gen):
    """An in-place activation on a tensor made here (so no leaf is modified), or on any
    float variable: torch's errors for leaves and saved values are part of what is compared."""
    form = gen.choice(INPLACE_ACTIVATIONS)
    x = gen.pick_float()
    if x is None:
        return None
    if gen.chance(0.6):
        made = gen.name("v")
        gen.emit(f"{made} = {x} * 1.0", "binary")
        x = made
    return form.format(x=x)


def op_layer_norm(gen):
    x = _input(gen, lambda t: t.dim() >= 1, lambda: gen.random_shape(1, 3) + (gen.int(1, 4),))
    shape = gen.shape(x)
    normalized = shape[len(shape) - gen.int(1, min(2, len(shape))):]
    eps = gen.choice(["1e-05", "1e-05", "0.001"])
    out = gen.name("v")
    if gen.chance(0.5):
        affine = ""
        if gen.chance(0.7):
            bias = gen.leaf(normalized) if gen.chance(0.7) else "None"
            affine = f", {gen.leaf(normalized)}, {bias}"
        return f"{out} = F.layer_norm({x}, {normalized}{affine}, eps={eps})"
    m = gen.name("m")
    affine, bias = gen.chance(0.8), gen.chance(0.7)
    loads = {".weight": normalized, **({".bias": normalized} if bias else {})} if affine else {}
    _module(gen, m, f"nn.LayerNorm({normalized}, eps={eps}, elementwise_affine={affine}, "
            f"bias={bias})", loads)
    return f"{out} = {m}({x})"


def op_group_norm(gen):
    groups = gen.int(1, 3)
    channels = groups * gen.int(1, 2)
    x = _input(gen, lambda t: t.dim() >= 2 and t.shape[1] == channels,
               lambda: (gen.int(1, 3), channels) + gen.random_shape(0, 2, 3))
    eps = gen.choice(["1e-05", "1e-05", "0.001"])
    out = gen.name("v")
    if gen.chance(0.5):
        affine = ""
        if gen.chance(0.7):
            bias = gen.leaf((channels,)) if gen.chance(0.7) else "None"
            affine = f", {gen.leaf((channels,))}, {bias}"
        return f"{out} = F.group_norm({x}, {groups}{affine}, eps={eps})"
    m = gen.name("m")
    affine = gen.chance(0.8)
    loads = {".weight": (channels,), ".bias": (channels,)} if affine else {}
    _module(gen, m, f"nn.GroupNorm({groups}, {channels}, eps={eps}, affine={affine})", loads)
    return f"{out} = {m}({x})"


def op_smooth_l1(gen):
    x = gen.pick_float()
    if x is None:
        return None
    target = gen.const(gen.shape(x))
    reduction = gen.choice(["'mean'", "'sum'", "'none'"])
    beta = gen.choice(["1.0", "0.5", "2.0", "0.0"])
    out = gen.name("v")
    if gen.chance(0.3):
        return f"{out} = nn.SmoothL1Loss(reduction={reduction}, beta={beta})({x}, {target})"
    return f"{out} = F.smooth_l1_loss({x}, {target}, reduction={reduction}, beta={beta})"


def op_attention(gen):
    """Mostly 4-D inputs of one head size (torch's CPU flash path); sometimes 2-D or 3-D
    inputs, another value size, a strided query or a mask that requires grad (its math
    path)."""
    rank = gen.choice([4, 4, 4, 3, 2])
    batch = (gen.int(1, 2), gen.int(1, 2))[4 - rank:]
    length, source, embed = gen.int(1, 4), gen.int(1, 4), gen.int(1, 4)
    value_dim = embed if gen.chance(0.8) else gen.int(1, 4)
    q = _input(gen, lambda t: t.dim() == rank and t.shape[-1] == embed,
               lambda: batch + (length, embed))
    batch, length = gen.shape(q)[:-2], gen.shape(q)[-2]
    if rank >= 2 and gen.chance(0.1):
        t = gen.leaf(batch + (embed, length))
        q = f"{t}.transpose(-1, -2)"
    k = gen.leaf(batch + (source, embed), requires_grad=gen.chance(0.7))
    v = gen.leaf(batch + (source, value_dim), requires_grad=gen.chance(0.7))
    options = ""
    r = gen.rng.random()
    if r < 0.2:
        options += f", attn_mask={gen.const((length, source))}"
    elif r < 0.25:
        options += f", attn_mask={gen.leaf((length, source))}"
    elif r < 0.4:
        options += f", attn_mask=torch.tensor({gen.array((length, source), 'int64', 0, 2)}) > 0"
    elif r < 0.55:
        options += ", is_causal=True"
    if gen.chance(0.3):
        # (torch's flash kernel masks before scaling: causal with a scale <= 0 gives NaN
        # rows whose gradients the engine does not reproduce)
        scales = ['0.5', '1.0', '2.0'] + ([] if "causal" in options else ['-0.5'])
        options += f", scale={gen.choice(scales)}"
    return f"{gen.name('v')} = F.scaled_dot_product_attention({q}, {k}, {v}{options})"


def op_normalize(gen):
    """F.normalize, and the clamp_min / clamp_max it is made of (numbers, tensors, in place)."""
    x = gen.pick_float()
    if x is None:
        return None
    out = gen.name("v")
    rank = gen.value(x).dim()
    r = gen.rng.random()
    if r < 0.4:
        eps = gen.choice(["", ", eps=1e-12", ", eps=0.5"])
        return f"{out} = F.normalize({x}, dim={gen.dim(rank)}{eps})"
    fn = gen.choice(["clamp_min", "clamp_max"])
    bound = gen.choice(["0.0", "0.5", "-1", "1"])
    if gen.chance(0.4):
        bound = gen.const(gen.broadcastable_to(gen.shape(x))) if gen.chance(0.7) else \
            gen.leaf(gen.broadcastable_to(gen.shape(x)))
    if r < 0.6:
        return f"{out} = torch.{fn}({x}, {bound})"
    if r < 0.8:
        return f"{out} = {x}.{fn}({bound})"
    gen.emit(f"{out} = {x} * 1.0", "binary")
    return f"{out}.{fn}_({bound})"


def op_rnn(gen):
    lstm = gen.chance(0.5)
    input_size, hidden = gen.int(1, 3), gen.int(1, 3)
    layers, bidirectional = gen.choice([1, 1, 2]), gen.chance(0.3)
    batch_first = lstm and gen.chance(0.3)
    bias = gen.chance(0.8)
    shape = (gen.int(1, 3), gen.int(1, 2), input_size) if gen.chance(0.8) else \
        (gen.int(1, 3), input_size)
    x = _input(gen, lambda t: t.dtype.is_floating_point and str(t.dtype) == "torch.float32"
               and t.dim() in (2, 3) and t.shape[-1] == input_size, lambda: shape)
    shape = gen.shape(x)
    directions = 2 if bidirectional else 1
    m = gen.name("m")
    cls = "nn.LSTM" if lstm else "nn.GRU"
    loads = {}
    for layer in range(layers):
        for suffix in ("", "_reverse")[:directions]:
            gates = (4 if lstm else 3) * hidden
            fan_in = input_size if layer == 0 else hidden * directions
            loads[f".weight_ih_l{layer}{suffix}"] = (gates, fan_in)
            loads[f".weight_hh_l{layer}{suffix}"] = (gates, hidden)
            if bias:
                loads[f".bias_ih_l{layer}{suffix}"] = (gates,)
                loads[f".bias_hh_l{layer}{suffix}"] = (gates,)
    _module(gen, m, f"{cls}({input_size}, {hidden}, num_layers={layers}, bias={bias}, "
            f"batch_first={batch_first}, bidirectional={bidirectional})", loads)
    state = ""
    if gen.chance(0.4):
        batch = () if len(shape) == 2 else (shape[0] if batch_first else shape[1],)
        state_shape = (layers * directions,) + batch + (hidden,)
        h0 = gen.leaf(state_shape, requires_grad=gen.chance(0.5))
        state = f", ({h0}, {gen.const(state_shape)})" if lstm else f", {h0}"
    out = gen.name("v")
    final = gen.name("t") if lstm else gen.name("v")
    return f"{out}, {final} = {m}({x}{state})"


NN_OPS = {
    "linear": (4, op_linear), "conv2d": (4, op_conv2d), "pool": (3, op_pool),
    "activation": (4, op_activation), "loss": (4, op_loss), "batch_norm": (2, op_batch_norm),
    "dropout": (1, op_dropout), "embedding": (1, op_embedding), "pad": (1, op_pad),
    "flatten": (1, op_flatten), "sequential": (1, op_sequential),
    "inplace_activation": (2, op_inplace_activation), "layer_norm": (2, op_layer_norm),
    "smooth_l1": (1, op_smooth_l1), "attention": (2, op_attention), "rnn": (2, op_rnn),
    "normalize": (2, op_normalize), "conv1d": (2, op_conv1d),
    "group_norm": (2, op_group_norm),
}


# ---------------------------------------------------------------- attention blocks, reshaping
# (MultiheadAttention, TransformerEncoderLayer, baddbmm, unflatten, pixel shuffle, fold,
# instance norm)

def op_multihead_attention(gen):
    heads = gen.choice([1, 2])
    embed = heads * gen.int(1, 3)
    batch_first = gen.chance(0.5)
    length, source, batch = gen.int(1, 4), gen.int(1, 4), gen.int(1, 2)
    shape = (batch, length, embed) if batch_first else (length, batch, embed)
    query = _input(gen, lambda t: t.dim() == 3 and t.shape[-1] == embed, lambda: shape)
    length = gen.shape(query)[1 if batch_first else 0]
    batch = gen.shape(query)[0 if batch_first else 1]
    kind = gen.choice(["self", "self", "kv", "qkv"])
    key_shape = (batch, source, embed) if batch_first else (source, batch, embed)
    key = query if kind == "self" else gen.leaf(key_shape)
    value = key if kind != "qkv" else gen.leaf(key_shape)
    source = length if kind == "self" else source
    bias = gen.chance(0.8)
    m = gen.name("m")
    loads = {".in_proj_weight": (3 * embed, embed), ".out_proj.weight": (embed, embed),
             **({".in_proj_bias": (3 * embed,), ".out_proj.bias": (embed,)} if bias else {})}
    _module(gen, m, f"nn.MultiheadAttention({embed}, {heads}, bias={bias}, "
            f"batch_first={batch_first})", loads)
    options = f", need_weights={gen.chance(0.6)}"
    if gen.chance(0.3):
        options += f", average_attn_weights={gen.chance(0.5)}"
    r = gen.rng.random()
    if r < 0.2:
        options += f", attn_mask=torch.tensor({gen.array((length, source), 'int64', 0, 2)}) > 0"
    elif r < 0.35:
        options += f", attn_mask={gen.const((length, source))}"
    elif r < 0.5:
        options += (f", key_padding_mask=torch.tensor("
                    f"{gen.array((batch, source), 'int64', 0, 2)}) > 0")
    return f"{gen.name('v')}, {gen.name('t')} = {m}({query}, {key}, {value}{options})"


def op_transformer_layer(gen):
    heads = gen.choice([1, 2])
    d_model, ff = heads * gen.int(1, 2), gen.int(1, 4)
    batch_first = gen.chance(0.5)
    x = _input(gen, lambda t: t.dim() == 3 and t.shape[-1] == d_model,
               lambda: (gen.int(1, 2), gen.int(1, 3), d_model))
    m = gen.name("m")
    loads = {".self_attn.in_proj_weight": (3 * d_model, d_model),
             ".self_attn.in_proj_bias": (3 * d_model,),
             ".self_attn.out_proj.weight": (d_model, d_model),
             ".self_attn.out_proj.bias": (d_model,), ".linear1.weight": (ff, d_model),
             ".linear1.bias": (ff,), ".linear2.weight": (d_model, ff),
             ".linear2.bias": (d_model,), ".norm1.weight": (d_model,),
             ".norm1.bias": (d_model,), ".norm2.weight": (d_model,), ".norm2.bias": (d_model,)}
    activation = gen.choice(["'relu'", "'gelu'", "F.relu"])
    _module(gen, m, f"nn.TransformerEncoderLayer({d_model}, {heads}, dim_feedforward={ff}, "
            f"dropout=0.0, activation={activation}, batch_first={batch_first}, "
            f"norm_first={gen.chance(0.5)})", loads)
    return f"{gen.name('v')} = {m}({x})"


def op_baddbmm(gen):
    b, n, k, p = gen.int(1, 2), gen.int(1, 3), gen.int(1, 3), gen.int(1, 3)
    batch1 = _input(gen, lambda t: t.dim() == 3, lambda: (b, n, k))
    b, n, k = gen.shape(batch1)
    batch2 = gen.leaf((b, k, p), requires_grad=gen.chance(0.7))
    start = gen.leaf(gen.choice([(b, n, p), (p,), (n, 1), ()]), requires_grad=gen.chance(0.7))
    options = gen.choice(["", ", beta=0.5", ", alpha=2.0", ", beta=0, alpha=-1.0"])
    if gen.chance(0.3):
        return f"{gen.name('v')} = {start}.baddbmm({batch1}, {batch2}{options})"
    return f"{gen.name('v')} = torch.baddbmm({start}, {batch1}, {batch2}{options})"


def op_unflatten(gen):
    x = _input(gen, lambda t: t.dim() >= 1 and t.shape[-1] in (4, 6),
               lambda: gen.random_shape(0, 2) + (gen.choice([4, 6]),))
    size = gen.shape(x)[-1]
    sizes = gen.choice([(2, size // 2), (-1, 2), (size, 1)])
    form = gen.choice(["{x}.unflatten(-1, {s})", "torch.unflatten({x}, -1, {s})",
                       "nn.Unflatten(-1, {s})({x})"])
    return f"{gen.name('v')} = " + form.format(x=x, s=sizes)


def op_pixel_shuffle(gen):
    r = gen.choice([1, 2])
    if gen.chance(0.5):
        x = _input(gen, lambda t: t.dim() == 4 and t.shape[1] % (r * r) == 0,
                   lambda: (gen.int(1, 2), r * r * gen.int(1, 2), gen.int(1, 3), gen.int(1, 3)))
        form = gen.choice(["F.pixel_shuffle({x}, {r})", "nn.PixelShuffle({r})({x})"])
    else:
        x = _input(gen, lambda t: t.dim() == 4 and t.shape[2] % r == 0 and t.shape[3] % r == 0,
                   lambda: (gen.int(1, 2), gen.int(1, 2), r * gen.int(1, 2), r * gen.int(1, 2)))
        form = gen.choice(["F.pixel_unshuffle({x}, {r})", "nn.PixelUnshuffle({r})({x})"])
    return f"{gen.name('v')} = " + form.format(x=x, r=r)


def op_fold(gen):
    kernel, stride, padding = gen.choice([1, 2]), gen.choice([1, 2]), gen.choice([0, 1])
    x = _input(gen, lambda t: t.dim() == 4 and min(t.shape[2:]) + 2 * padding >= kernel,
               lambda: (gen.int(1, 2), gen.int(1, 2), gen.int(2, 4), gen.int(2, 4)))
    size = gen.shape(x)[2:]
    config = f"{kernel}, padding={padding}, stride={stride}"
    cols = f"F.unfold({x}, {config})"
    if gen.chance(0.5):
        return f"{gen.name('v')} = {cols}"
    return f"{gen.name('v')} = F.fold({cols}, {size}, {config})"


def op_instance_norm(gen):
    channels = gen.int(1, 3)
    x = _input(gen, lambda t: t.dim() == 4 and t.shape[1] == channels
               and t.shape[2] * t.shape[3] > 1,
               lambda: (gen.int(1, 2), channels, gen.int(2, 3), gen.int(1, 3)))
    affine = gen.chance(0.5)
    m = gen.name("m")
    loads = {".weight": (channels,), ".bias": (channels,)} if affine else {}
    _module(gen, m, f"nn.InstanceNorm2d({channels}, affine={affine}, "
            f"track_running_stats={gen.chance(0.3)})", loads)
    return f"{gen.name('v')} = {m}({x})"


NN_OPS.update({
    "multihead_attention": (2, op_multihead_attention),
    "transformer_layer": (1, op_transformer_layer), "baddbmm": (1, op_baddbmm),
    "unflatten": (1, op_unflatten), "pixel_shuffle": (1, op_pixel_shuffle),
    "fold": (1, op_fold), "instance_norm": (1, op_instance_norm),
})

# convolution and pooling surface (issue #11)
from tests.differential.ops_conv_pool import CONV_POOL_OPS  # noqa: E402

NN_OPS.update(CONV_POOL_OPS)

# rnncells: nn.RNN, the cells, float64/batch_first layers and packed sequences
from tests.differential.ops_rnn import RNN_OPS  # noqa: E402

NN_OPS.update(RNN_OPS)

# losses, distances and bilinear (nnloss)
from tests.differential.ops_losses import LOSS_OPS  # noqa: E402

NN_OPS.update(LOSS_OPS)


# breadth: embedding_bag (functional and module, every mode, offsets or 2-D input)
def op_embedding_bag(gen):
    num, dim = gen.int(2, 6), gen.int(1, 3)
    mode = gen.choice(["sum", "mean", "max"])
    options = f", mode='{mode}'"
    if gen.chance(0.3):
        options += f", padding_idx={gen.int(0, num - 1)}"
    if mode != "max" and gen.chance(0.2):
        options += ", scale_grad_by_freq=True"
    if gen.chance(0.5):
        count = gen.int(0, 7)
        shape = (count,)
        cuts = sorted(gen.int(0, count) for _ in range(gen.int(0, 3)))
        offsets = f", torch.tensor({[0] + cuts})"
    else:
        shape, offsets = (gen.int(1, 3), gen.int(1, 3)), ""
    index = gen.const(shape, "int64", low=0, high=num)
    psw = f", per_sample_weights={gen.leaf(shape)}" if mode == "sum" and gen.chance(0.3) \
        else ""
    out = gen.name("v")
    if gen.chance(0.5):
        return (f"{out} = F.embedding_bag({index}, {gen.leaf((num, dim))}{offsets}{options}"
                f"{psw})")
    m = gen.name("m")
    _module(gen, m, f"nn.EmbeddingBag({num}, {dim}{options})", {".weight": (num, dim)})
    return f"{out} = {m}({index}{offsets}{psw})"


NN_OPS.update({"embedding_bag": (1, op_embedding_bag)})
