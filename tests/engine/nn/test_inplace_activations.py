"""inplace=True for silu, mish, elu, hardtanh, relu6 and leaky_relu (functions, their `_`
forms and modules) live against torch: the same tensor returned, its version, node names
(EluBackward1 and LeakyReluBackward1 save the result), gradients through a copy and through
a view, and the errors (a leaf; the saved value modified; a negative slope)."""
import pytest
import torch

import engine


def _forms(lib):
    F, nn = lib.nn.functional, lib.nn
    return {
        "silu": lambda y: F.silu(y, inplace=True), "mish": lambda y: F.mish(y, inplace=True),
        "elu": lambda y: F.elu(y, 0.7, inplace=True), "elu_": F.elu_,
        "hardtanh": lambda y: F.hardtanh(y, -0.6, 0.6, inplace=True), "hardtanh_": F.hardtanh_,
        "relu6": lambda y: F.relu6(y, inplace=True),
        "leaky_relu": lambda y: F.leaky_relu(y, 0.2, inplace=True),
        "leaky_relu_": lambda y: F.leaky_relu_(y, 0.2),
        "SiLU": nn.SiLU(inplace=True), "ELU": nn.ELU(inplace=True), "ReLU6": nn.ReLU6(True),
        "Hardtanh": nn.Hardtanh(inplace=True), "Mish": nn.Mish(inplace=True),
        "LeakyReLU": nn.LeakyReLU(inplace=True),
        "leaky_relu negative slope": lambda y: F.leaky_relu(y, -0.2, inplace=True),
        "elu negative alpha": lambda y: F.elu(y, -0.2, inplace=True),
    }


def _outcome(fn):
    try:
        value = fn()
    except RuntimeError as error:
        return ("RuntimeError", str(error))
    return [[round(x, 5) for x in v.tolist()] if hasattr(v, "tolist") else v for v in value]


def _cases(lib, name):
    apply = _forms(lib)[name]

    def leaf():
        return lib.tensor([-2.0, -0.5, 0.5, 7.0, 0.0], requires_grad=True)

    def on_a_copy():
        x = leaf()
        y = x * 1
        out = apply(y)
        (out * lib.arange(5.0)).sum().backward()
        return [out is y, y._version, out.grad_fn.name(), out.detach(), x.grad]

    def on_a_view():
        x = leaf()
        y = x * 1
        view = y[1:4]
        apply(view)
        (y * lib.arange(5.0)).sum().backward()
        return [view.grad_fn.name(), y.detach(), x.grad]

    def saved_value_modified():
        x = leaf()
        out = apply(x * 1)
        out.mul_(2)
        out.sum().backward()
        return [x.grad]

    return {"copy": on_a_copy, "view": on_a_view, "modified": saved_value_modified,
            "leaf": lambda: [apply(leaf())]}


NAMES = sorted(_forms(torch))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("case", ["copy", "view", "modified", "leaf"])
def test_inplace_activation_as_torch(name, case):
    expected = _outcome(_cases(torch, name)[case])
    actual = _outcome(_cases(engine, name)[case])
    assert actual == expected


def test_module_reprs():
    assert [repr(m) for m in _forms(engine).values() if isinstance(m, engine.nn.Module)] == \
        [repr(m) for m in _forms(torch).values() if isinstance(m, torch.nn.Module)]


def _graph(node):
    if node is None:
        return None
    return [node.name(), [_graph(child) for child, _ in node.next_functions]]


def _second_order(lib, name):
    x = lib.tensor([-2.0, -0.5, 0.5, 7.0, 0.3], requires_grad=True)
    y = x * 1.0
    out = _forms(lib)[name](y)
    grad, = lib.autograd.grad((out * out).sum(), [x], create_graph=True)
    second, = lib.autograd.grad((grad * grad).sum(), [x])
    return grad.requires_grad, _graph(grad.grad_fn), grad.tolist(), second.tolist()


@pytest.mark.parametrize("name", ["leaky_relu", "leaky_relu_", "LeakyReLU", "hardtanh",
                                  "hardtanh_", "relu6", "Hardtanh", "ReLU6", "elu", "elu_",
                                  "ELU"])
def test_second_order_graph_as_torch(name):
    """Under create_graph the gradient of leaky_relu_ / hardtanh_ / elu_ is a
    LeakyReluBackwardBackward0 / HardtanhBackwardBackward0 / EluBackwardBackward0 connected
    to the saved result or the copy of self (nn seed 1116185: leaky_relu_'s had no graph and
    did not require grad)."""
    expected = _second_order(torch, name)
    assert _second_order(engine, name) == expected and expected[0]


@pytest.mark.parametrize("make", [lambda F, x: F.hardtanh(x, -0.6, 0.6),
                                  lambda F, x: F.leaky_relu(x, 0.2),
                                  lambda F, x: F.elu(x, 0.7), lambda F, x: F.celu(x, 0.7),
                                  lambda F, x: F.celu_(x * 1, 1.3), lambda F, x: F.selu(x),
                                  lambda F, x: F.selu_(x * 1)])
def test_out_of_place_second_order_graph_as_torch(make):
    def run(lib):
        x = lib.tensor([-2.0, -0.5, 0.5, 7.0, 0.3], requires_grad=True)
        grad, = lib.autograd.grad(make(lib.nn.functional, x).sum(), [x], create_graph=True)
        return grad.requires_grad, _graph(grad.grad_fn), grad.tolist()
    assert run(engine) == run(torch)
