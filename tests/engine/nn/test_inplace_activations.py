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
