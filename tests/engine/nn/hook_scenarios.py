"""Module-hook and Module-API scenarios, run with torch and with engine by test_hooks_nn.py.
Each prints what it observes; the printed text must match torch's.
Shapes and values only: nothing random is printed.
"""
import warnings

import numpy as np

from nn_cases import const, det, leaf, simplenet, simplenet_class


def _shape(t):
    return None if t is None else list(t.shape)


def _vals(t, digits=4):
    return None if t is None else np.round(t.detach().numpy().astype(np.float64), digits).tolist()


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    for w in caught:
        print("warning:", w.category.__name__, str(w.message))
    return result


# ---------------------------------------------------------------- the tutorial, cells 7-11

def hook_func(self, input, output):
    print('Inside ' + self.__class__.__name__ + ' forwrd')
    print('')
    print('input:', type(input))
    print('input[0] shape:', input[0].shape)
    print('output shape:', output.shape)
    print('')


def hook_pre(self, input):
    print('Inside ' + self.__class__.__name__ + ' forward')
    print()
    print('input: ', type(input))
    print('input[0] shape: ', input[0].shape)


def hook_grad(self, grad_input, grad_output):
    print('Inside ' + self.__class__.__name__ + ' backward')
    print()
    print('grad_input len: ', len(grad_input))
    print('grad_input[1] shape: ', grad_input[1].shape)
    print('grad_input[2] shape: ', grad_input[2].shape)
    print('grad_output len: ', len(grad_output))
    print('grad_output[0] shape: ', grad_output[0].shape)


def cell_7_forward_hooks(lib):
    net = simplenet_class(lib)()
    h1 = net.conv1.register_forward_hook(hook_func)
    h2 = net.conv2.register_forward_hook(hook_func)
    print(type(h1).__name__, type(h2).__name__, h2.id - h1.id)
    input = lib.torch.randn(1, 1, 28, 28)
    out = net(input)
    print(out.shape)


def cell_8_forward_pre_hook(lib):
    net = simplenet_class(lib)()
    net.conv1.register_forward_pre_hook(hook_pre)
    input = lib.torch.randn(1, 1, 28, 28)
    out = net(input)


def cell_9_backward_hook(lib):
    def run():
        net = simplenet_class(lib)()
        net.conv1.register_backward_hook(hook_grad)
        input = lib.torch.randn(1, 1, 28, 28)
        out = net(input)
        target = lib.torch.tensor([3], dtype=lib.torch.long)
        loss_fn = lib.nn.CrossEntropyLoss()
        err = loss_fn(out, target)
        err.backward()
    _warnings_of(run)


def cell_10_remove(lib):
    net = simplenet_class(lib)()
    h = net.conv1.register_forward_hook(hook_func)
    input = lib.torch.randn(1, 1, 28, 28)
    out = net(input)
    h.remove()
    out = net(input)
    print("after remove:", len(net.conv1._forward_hooks))


def cell_11_save_activation(lib):
    save_feat = []

    def hook_feat(module, input, output):
        save_feat.append(output)
        return output

    model = simplenet(lib)
    for name, module in model.named_modules():
        if name == "conv2":
            module.register_forward_hook(hook_feat)
    img = lib.torch.tensor(det((1, 28, 28), 3))
    img = img.unsqueeze(0)
    s = model(img)[0]
    print(len(save_feat), save_feat[0].shape, save_feat[0].grad_fn.name(), s.shape)
    print(_vals(save_feat[0].sum()), save_feat[0].requires_grad)


# ---------------------------------------------------------------- forward hook semantics

def _linear(lib, seed=1):
    layer = lib.nn.Linear(3, 2)
    with lib.torch.no_grad():
        layer.weight.copy_(const(lib, (2, 3), seed))
        layer.bias.copy_(const(lib, (2,), seed + 1))
    return layer


def pre_hook_replaces_input(lib):
    layer = _linear(lib)
    layer.register_forward_pre_hook(lambda m, args: args[0] * 2)     # not a tuple: wrapped
    x = const(lib, (1, 3), 3)
    print(_vals(layer(x)))
    layer.register_forward_pre_hook(lambda m, args: (args[0] + 1,))
    print(_vals(layer(x)))


def forward_hook_replaces_output(lib):
    layer = _linear(lib)
    layer.register_forward_hook(lambda m, args, out: out * 0 + 7)
    out = layer(const(lib, (1, 3), 3))
    print(_vals(out), out.grad_fn.name())


def hooks_with_kwargs(lib):
    class Scale(lib.nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()

    def pre(module, args, kwargs):
        print("pre kwargs:", sorted(kwargs))
        return args, {"factor": kwargs.get("factor", 1.0) * 10}

    def post(module, args, kwargs, out):
        print("post kwargs:", kwargs)
        return out + 1

    m.register_forward_pre_hook(pre, with_kwargs=True)
    m.register_forward_hook(post, with_kwargs=True)
    print(_vals(m(const(lib, (2,), 1), factor=2.0)))


def pre_hook_bad_return(lib):
    m = lib.nn.Identity()
    m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
    try:
        m(const(lib, (2,), 1))
    except RuntimeError as e:
        print("RuntimeError:", e)


def prepend_order(lib):
    m = lib.nn.Identity()
    m.register_forward_hook(lambda *a: print("first registered"))
    m.register_forward_hook(lambda *a: print("prepended"), prepend=True)
    m.register_forward_pre_hook(lambda *a: print("pre a"))
    m.register_forward_pre_hook(lambda *a: print("pre b (prepended)"), prepend=True)
    m(const(lib, (2,), 1))


def always_call_hook(lib):
    class Boom(lib.nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Boom()
    m.register_forward_hook(lambda mod, args, out: print("always, out is", out), always_call=True)
    m.register_forward_hook(lambda mod, args, out: print("never"))
    try:
        m(const(lib, (2,), 1))
    except ValueError as e:
        print("ValueError:", e)


def global_forward_hooks(lib):
    from_module = lib.nn.modules.module
    names = []
    h = from_module.register_module_forward_hook(lambda m, i, o: names.append(type(m).__name__))
    hp = from_module.register_module_forward_pre_hook(lambda m, i: names.append("pre"))
    net = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.ReLU())
    net(const(lib, (1, 3), 1))
    h.remove()
    hp.remove()
    net(const(lib, (1, 3), 1))
    print(names)


def global_backward_hooks(lib):
    from_module = lib.nn.modules.module
    seen = []
    full = from_module.register_module_full_backward_hook(
        lambda m, gi, go: seen.append((type(m).__name__, [_shape(g) for g in gi])))
    pre = from_module.register_module_full_backward_pre_hook(
        lambda m, go: seen.append(("pre " + type(m).__name__, [_shape(g) for g in go])))
    try:
        from_module.register_module_backward_hook(lambda *a: None)
    except RuntimeError as e:
        print("RuntimeError:", e)
    net = lib.nn.Sequential(_linear(lib), lib.nn.Tanh())
    net(leaf(lib, (1, 3), 3)).sum().backward()
    full.remove()
    pre.remove()
    net(leaf(lib, (1, 3), 3)).sum().backward()
    print(seen)
    from_module._global_is_full_backward_hook = None


def embedding_max_norm(lib):
    emb = lib.nn.Embedding(4, 3, max_norm=1.0)
    with lib.torch.no_grad():
        emb.weight.copy_(const(lib, (4, 3), 2, 2.0))
    out = emb(lib.torch.tensor([[0, 2], [2, 3]]))
    print(_vals(out), _vals(emb.weight))


def handle_context_manager(lib):
    m = lib.nn.Identity()
    with m.register_forward_hook(lambda *a: print("inside")) as handle:
        m(const(lib, (1,), 1))
        print(type(handle).__name__)
    m(const(lib, (1,), 1))
    print("hooks left:", len(m._forward_hooks))


# ---------------------------------------------------------------- backward hook semantics

def full_backward_hook_values(lib):
    layer = _linear(lib)

    def hook(module, grad_input, grad_output):
        print("grad_input:", [_vals(g) for g in grad_input])
        print("grad_output:", [_vals(g) for g in grad_output])

    layer.register_full_backward_hook(hook)
    x = leaf(lib, (2, 3), 3)
    out = layer(x)
    print(out.grad_fn.name(), out.grad_fn.next_functions[0][0].name())
    out.backward(const(lib, (2, 2), 4))
    print("x.grad:", _vals(x.grad))


def full_backward_hook_replaces_grad_input(lib):
    layer = _linear(lib)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0 + 1,))
    x = leaf(lib, (2, 3), 3)
    layer(x).sum().backward()
    print("x.grad:", _vals(x.grad), "w.grad:", _vals(layer.weight.grad))


def full_backward_pre_hook(lib):
    layer = _linear(lib)

    def pre(module, grad_output):
        print("pre grad_output:", [_vals(g) for g in grad_output])
        return (grad_output[0] * 2,)

    layer.register_full_backward_pre_hook(pre)
    layer.register_full_backward_hook(lambda m, gi, go: print("go seen by hook:", _vals(go[0])))
    x = leaf(lib, (1, 3), 3)
    layer(x).sum().backward()
    print("x.grad:", _vals(x.grad), "b.grad:", _vals(layer.bias.grad))


def full_backward_hook_no_input_grad(lib):
    layer = _linear(lib)

    def hook(module, grad_input, grad_output):
        print("grad_input:", grad_input, "grad_output:", [_shape(g) for g in grad_output])

    layer.register_full_backward_hook(hook)
    _warnings_of(lambda: layer(const(lib, (2, 3), 3)).sum().backward())
    print("w.grad:", _vals(layer.weight.grad))


def mixing_hooks_raises(lib):
    a = lib.nn.Identity()
    a.register_backward_hook(lambda *x: None)
    try:
        a.register_full_backward_hook(lambda *x: None)
    except RuntimeError as e:
        print("RuntimeError:", e)
    b = lib.nn.Identity()
    b.register_full_backward_hook(lambda *x: None)
    try:
        b.register_backward_hook(lambda *x: None)
    except RuntimeError as e:
        print("RuntimeError:", e)


def backward_hooks_captured_at_forward(lib):
    layer = _linear(lib)
    handle = layer.register_full_backward_hook(lambda m, gi, go: print("removed after forward, "
                                                                        "still fires"))
    x = leaf(lib, (1, 3), 3)
    out = layer(x)
    handle.remove()
    layer.register_full_backward_hook(lambda m, gi, go: print("registered after forward"))
    out.sum().backward()
    print("second forward:")
    layer(x).sum().backward()


def legacy_hook_replaces_grad_input(lib):
    layer = _linear(lib)

    def hook(module, grad_input, grad_output):
        print("legacy:", [_shape(g) for g in grad_input], [_shape(g) for g in grad_output])
        return tuple(None if g is None else g * 0 for g in grad_input)

    layer.register_backward_hook(hook)
    x = leaf(lib, (2, 3), 3)
    out = _warnings_of(lambda: layer(x))
    out.sum().backward()
    print("w.grad:", _vals(layer.weight.grad), "x.grad:", _vals(x.grad))


def full_hook_graph(lib):
    layer = _linear(lib)
    layer.register_full_backward_hook(lambda *a: None)
    out = layer(leaf(lib, (1, 3), 3))
    node = out.grad_fn
    names = []
    while node is not None:
        names.append(node.name())
        nexts = [f for f, _ in node.next_functions if f is not None and "Accumulate" not in f.name()]
        node = nexts[0] if nexts else None
    print(names)


# ---------------------------------------------------------------- Module API

def module_api(lib):
    net = simplenet(lib)
    print(net)
    print(list(net.state_dict().keys()))
    print([n for n, _ in net.named_modules()])
    print([n for n, _ in net.named_children()])
    print(sum(p.numel() for p in net.parameters()), len(list(net.modules())))
    print([n for n, _ in net.named_parameters()])
    print(net.training, net.eval() is net, net.training, net.conv1.training)
    net.train()
    print(net.training, net.fc.training)


def module_buffers_and_registration(lib):
    m = lib.nn.Module()
    m.register_buffer("running", lib.torch.zeros(2))
    m.register_buffer("scratch", lib.torch.ones(1), persistent=False)
    m.weight = lib.nn.Parameter(lib.torch.ones(3))
    m.child = lib.nn.Linear(1, 1)
    print(sorted(m.state_dict().keys()), [n for n, _ in m.named_buffers()])
    print([n for n, _ in m.named_parameters()])
    for bad in [lambda: m.register_parameter("a.b", None),
                lambda: m.register_buffer("weight", lib.torch.zeros(1)),
                lambda: m.register_parameter("x", lib.torch.ones(1)),
                lambda: setattr(m, "weight", lib.torch.ones(3)),
                lambda: m.add_module("child2", 3),
                lambda: getattr(m, "missing")]:
        try:
            bad()
        except Exception as e:
            print(type(e).__name__, e)
    del m.weight
    print([n for n, _ in m.named_parameters()])


def load_state_dict_errors(lib):
    net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
    state = net.state_dict()
    print(net.load_state_dict(state))
    bad = dict(state)
    bad.pop("0.bias")
    bad["extra"] = lib.torch.zeros(1)
    bad["2.weight"] = lib.torch.zeros(2, 2)
    try:
        net.load_state_dict(bad)
    except RuntimeError as e:
        print("RuntimeError:", e)
    result = net.load_state_dict({"0.weight": lib.torch.ones(3, 2)}, strict=False)
    print(result.missing_keys, result.unexpected_keys, _vals(net[0].weight))


def zero_grad_apply_requires_grad(lib):
    net = lib.nn.Sequential(_linear(lib), lib.nn.ReLU())
    net(const(lib, (1, 3), 3)).sum().backward()
    print(_vals(net[0].bias.grad))
    net.zero_grad(set_to_none=False)
    print(_vals(net[0].bias.grad))
    net.zero_grad()
    print(net[0].bias.grad)
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    print(seen)
    net.requires_grad_(False)
    print([p.requires_grad for p in net.parameters()])


def reprs(lib):
    nn = lib.nn
    for m in [nn.Conv2d(1, 10, 5, padding="same"), nn.Conv2d(3, 4, (3, 2), stride=2, padding=1,
              dilation=2, groups=1, bias=False), nn.MaxPool2d(3, 1, 1, 2, ceil_mode=True),
              nn.AvgPool2d(2), nn.AdaptiveAvgPool2d((2, None)), nn.BatchNorm2d(3),
              nn.BatchNorm1d(4, affine=False, track_running_stats=False), nn.Dropout(0.2),
              nn.Embedding(10, 3, padding_idx=0), nn.ReLU(), nn.ReLU(inplace=True), nn.LeakyReLU(0.2),
              nn.GELU("tanh"), nn.Softmax(dim=1), nn.LogSoftmax(1), nn.Flatten(), nn.Identity(),
              nn.Sigmoid(), nn.Tanh(), nn.CrossEntropyLoss(), nn.MSELoss(), nn.L1Loss(),
              nn.NLLLoss(), nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.Linear(3, 4, bias=False),
              nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()]),
              nn.ModuleDict({"a": nn.ReLU()}), nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Tanh()))]:
        print(repr(m))
    print(repr(nn.Parameter(lib.torch.tensor([1.0, 2.0]))))
    print(repr(lib.optim.SGD([nn.Parameter(lib.torch.ones(1))], lr=0.1, momentum=0.9)))


def containers(lib):
    nn = lib.nn
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh())
    print(type(seq[0]).__name__, type(seq[-1]).__name__, len(seq), type(seq[1:]).__name__, len(seq[1:]))
    try:
        seq[5]
    except IndexError as e:
        print("IndexError:", e)
    ml = nn.ModuleList([nn.ReLU()])
    ml.append(nn.Tanh())
    ml.extend([nn.Sigmoid()])
    print(len(ml), [type(m).__name__ for m in ml], [n for n, _ in ml.named_parameters()])
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.ReLU()
    print(list(md.keys()), "a" in md, [n for n, _ in md.named_parameters()])


def error_texts(lib):
    torch, nn, F = lib.torch, lib.nn, lib.F
    x = const(lib, (3, 4), 1)
    attempts = [
        lambda: F.linear(x, const(lib, (5, 6), 2), const(lib, (5,), 3)),
        lambda: F.linear(x, const(lib, (5, 6), 2)),
        lambda: F.conv2d(const(lib, (1, 3, 8, 8), 1), const(lib, (4, 2, 3, 3), 2)),
        lambda: F.conv2d(const(lib, (1, 3, 2, 2), 1), const(lib, (4, 3, 3, 3), 2)),
        lambda: F.conv2d(const(lib, (1, 3, 8, 8), 1), const(lib, (4, 3, 3, 3), 2), stride=2,
                         padding="same"),
        lambda: F.conv2d(const(lib, (1, 3, 8, 8), 1), const(lib, (4, 3, 3, 3), 2), padding="bad"),
        lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"),
        lambda: nn.Conv2d(3, 4, 3, groups=2),
        lambda: F.max_pool2d(const(lib, (1, 3, 8, 8), 1), 3, padding=2),
        lambda: F.max_pool2d(const(lib, (1, 3, 8, 8), 1), 9),
        lambda: F.cross_entropy(x, torch.tensor([1, 7, 2])),
        lambda: F.cross_entropy(x, torch.tensor([1.0, 2.0, 3.0])),
        lambda: F.cross_entropy(x, torch.tensor([1, 2])),
        lambda: F.nll_loss(x, torch.tensor([1, 2, -5])),
        lambda: F.binary_cross_entropy(x, const(lib, (3, 4), 2)),
        lambda: F.binary_cross_entropy(torch.sigmoid(x), const(lib, (3, 5), 2)),
        lambda: nn.BatchNorm2d(3)(const(lib, (2, 3), 1)),
        lambda: nn.BatchNorm1d(3)(const(lib, (1, 3), 1)),
        lambda: F.embedding(const(lib, (2,), 1), const(lib, (5, 3), 2)),
        lambda: F.gelu(x, approximate="fast"),
        lambda: F.one_hot(torch.tensor([0, 5]), 3),
        lambda: F.dropout(x, 1.5),
        lambda: F.mse_loss(x, x, reduction="avg"),
        lambda: nn.Module()(x),
        lambda: nn.Linear(2, 2).missing,
    ]
    for attempt in attempts:
        try:
            attempt()
            print("no error")
        except Exception as e:
            print(type(e).__name__ + ":", e)


def init_bounds(lib):
    layer = lib.nn.Linear(400, 300)
    conv = lib.nn.Conv2d(10, 20, 5)
    for name, t, bound in [("linear.weight", layer.weight, 1 / 20), ("linear.bias", layer.bias, 1 / 20),
                           ("conv.weight", conv.weight, 1 / np.sqrt(250)), ("conv.bias", conv.bias, 1 / np.sqrt(250))]:
        values = t.detach().numpy()
        print(name, bool(np.abs(values).max() <= bound), bool(np.abs(values).max() > 0.5 * bound))
    print(round(lib.nn.init.calculate_gain("leaky_relu", np.sqrt(5)), 6),
          round(lib.nn.init.calculate_gain("relu"), 6), lib.nn.init.calculate_gain("tanh"))


SCENARIOS = [cell_7_forward_hooks, cell_8_forward_pre_hook, cell_9_backward_hook, cell_10_remove,
             cell_11_save_activation, pre_hook_replaces_input, forward_hook_replaces_output,
             hooks_with_kwargs, pre_hook_bad_return, prepend_order, always_call_hook,
             global_forward_hooks, global_backward_hooks, embedding_max_norm,
             handle_context_manager, full_backward_hook_values,
             full_backward_hook_replaces_grad_input, full_backward_pre_hook,
             full_backward_hook_no_input_grad, mixing_hooks_raises,
             backward_hooks_captured_at_forward, legacy_hook_replaces_grad_input,
             full_hook_graph, module_api, module_buffers_and_registration,
             load_state_dict_errors, zero_grad_apply_requires_grad, reprs, containers,
             init_bounds, error_texts]
