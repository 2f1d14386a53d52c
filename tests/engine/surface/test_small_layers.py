"""nn.ParameterList, nn.ParameterDict, nn.LogSigmoid, nn.Softmax2d, nn.Bilinear /
F.bilinear and F.gumbel_softmax against torch 2.13 live: registration and the names
named_parameters and state_dict give, reprs, values, graphs, gradients, the random numbers
for a seed, and the errors."""
import pytest

from surface_live import check


def leaf(t, *shape, dtype="float32", seed=0):
    t.manual_seed(seed)
    return t.randn(*shape, dtype=getattr(t, dtype)).requires_grad_()


def graph(y):
    names, stack = [], [y.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None:
            names.append(node.name())
            stack.extend(f for f, _ in reversed(node.next_functions))
    return names


def described(module):
    return (repr(module), [(n, p) for n, p in module.named_parameters()],
            list(module.state_dict().keys()), len(list(module.parameters())))


def parameter_list(t):
    t.manual_seed(0)
    plist = t.nn.ParameterList([t.nn.Parameter(t.randn(2, 3)), t.randn(4)])
    plist.append(t.randn(1, dtype=t.float64))
    plist.extend([t.nn.Parameter(t.randn(2))])
    plist += [t.ones(3, 3)]
    return plist


def parameter_dict(t):
    t.manual_seed(0)
    return t.nn.ParameterDict({"weight": t.randn(2, 3), "bias": t.nn.Parameter(t.zeros(2)),
                               "alpha": t.randn(1, dtype=t.float64)})


class Holder:
    """A module holding both containers, built the same way on either library."""

    @staticmethod
    def make(t):
        class Net(t.nn.Module):
            def __init__(self):
                super().__init__()
                self.scales = parameter_list(t)
                self.named = parameter_dict(t)
                self.linear = t.nn.Linear(2, 2)

            def forward(self, x):
                return self.linear(x) * self.named["bias"] + self.scales[4].sum()
        return Net()


def sc_list(t):
    plist = parameter_list(t)
    return (described(plist), len(plist), [type(p).__name__ for p in plist],
            plist[-1].requires_grad, plist[1:3].__class__.__name__, len(plist[::2]),
            plist[-2], dir(plist) == sorted(dir(plist)), "0" in dir(plist))


def sc_list_set_and_objects(t):
    plist = t.nn.ParameterList([t.ones(2)])
    plist[0] = t.zeros(3)
    plist.append("not a tensor")
    return repr(plist), [n for n, _ in plist.named_parameters()], plist[1]


def sc_list_errors(t):
    from oracle import error_of
    plist = t.nn.ParameterList([t.ones(2)])
    return (error_of(lambda: plist[3]), error_of(lambda: plist.extend(t.ones(2))),
            error_of(lambda: plist(t.ones(2))), error_of(lambda: plist["a"]))


def sc_dict(t):
    pdict = parameter_dict(t)
    pdict["gamma"] = t.ones(2)
    pdict.update([("z", t.zeros(1)), ("a", t.ones(1))])
    keys_before = list(pdict.keys())
    popped = pdict.pop("z")
    key, value = pdict.popitem()
    return (described(pdict), keys_before, popped, key, value, "weight" in pdict,
            pdict.get("missing", 5), list(reversed(pdict)), len(pdict),
            pdict.setdefault("beta", t.ones(1)), list(pdict.copy().keys()),
            list((pdict | t.nn.ParameterDict({"c": t.ones(1)})).keys()),
            [n for n, _ in pdict.fromkeys(["p", "q"]).named_parameters()])


def sc_dict_ordered(t):
    from collections import OrderedDict
    pdict = t.nn.ParameterDict(OrderedDict([("z", t.ones(1)), ("a", t.ones(2))]))
    pdict.clear()
    return list(pdict.keys()), repr(pdict)


def sc_dict_errors(t):
    from oracle import error_of
    pdict = t.nn.ParameterDict({"a": t.ones(1)})
    return (error_of(lambda: pdict[1]), error_of(lambda: pdict.update(3)),
            error_of(lambda: pdict.update([("a", t.ones(1), 3)])),
            error_of(lambda: pdict.update([3])), error_of(lambda: pdict(t.ones(1))),
            error_of(lambda: pdict["b"]))


def sc_containers_in_a_module(t):
    net = Holder.make(t)
    y = net(t.ones(3, 2))
    y.sum().backward()
    return described(net), y, [p.grad for p in net.parameters()]


def sc_log_sigmoid(t):
    x = leaf(t, 3, 4)
    m = t.nn.LogSigmoid()
    y = m(x)
    y.sum().backward()
    return repr(m), y, graph(y), x.grad


def sc_softmax2d(t):
    x = leaf(t, 2, 3, 2, 2, dtype="float64")
    m = t.nn.Softmax2d()
    y = m(x)
    (y * y).sum().backward()
    return repr(m), y, graph(y), x.grad, m(leaf(t, 3, 2, 2))


def sc_softmax2d_error(t):
    return t.nn.Softmax2d()(t.ones(2, 3))


def sc_bilinear_module(t):
    t.manual_seed(3)
    m = t.nn.Bilinear(3, 4, 2)
    a, b = leaf(t, 5, 3), leaf(t, 5, 4, seed=1)
    y = m(a, b)
    (y * y).sum().backward()
    return described(m), y, graph(y), a.grad, b.grad, m.weight.grad, m.bias.grad


def sc_bilinear_no_bias_float64(t):
    t.manual_seed(4)
    m = t.nn.Bilinear(2, 3, 4, bias=False, dtype=t.float64)
    y = m(leaf(t, 2, 5, 2, dtype="float64"), leaf(t, 2, 5, 3, dtype="float64", seed=1))
    return repr(m), m.bias, y, graph(y)


def sc_bilinear_double_backward(t):
    a, b, w = leaf(t, 2, 3, dtype="float64"), leaf(t, 2, 4, dtype="float64", seed=1), \
        leaf(t, 5, 3, 4, dtype="float64", seed=2)
    grads = t.autograd.grad((t.nn.functional.bilinear(a, b, w) ** 2).sum(), (a, b, w),
                            create_graph=True)
    second = t.autograd.grad(sum((g * g).sum() for g in grads), (a, b, w))
    return [graph(g) for g in grads], grads, second


def sc_bilinear_errors(t):
    from oracle import error_of
    F = t.nn.functional
    a, b, w = t.ones(4, 5), t.ones(4, 6), t.ones(3, 5, 6)
    return (error_of(lambda: F.bilinear(a, b[:2], w)), error_of(lambda: F.bilinear(a, b[None], w)),
            error_of(lambda: F.bilinear(a, b, w[:, :4])),
            error_of(lambda: F.bilinear(a, b, w[:, :, :5])),
            error_of(lambda: F.bilinear(a, b, w, t.ones(2))),
            error_of(lambda: t.nn.Bilinear(0, 2, 2)),
            error_of(lambda: F.bilinear(a.double(), b, w, t.ones(3))),
            error_of(lambda: F.bilinear(a, b[:3], w.long())))


def sc_bilinear_1d(t):
    return t.bilinear(leaf(t, 3), leaf(t, 4, seed=1), leaf(t, 2, 3, 4, seed=2))


def sc_gumbel_softmax(t):
    x = leaf(t, 4, 5)
    t.manual_seed(7)
    y = t.nn.functional.gumbel_softmax(x, tau=0.5)
    (y * t.arange(5.0)).sum().backward()
    return y, graph(y), x.grad


def sc_gumbel_softmax_hard(t):
    x = leaf(t, 3, 4, 2, dtype="float64")
    t.manual_seed(11)
    y = t.nn.functional.gumbel_softmax(x, hard=True, dim=1)
    (y * t.arange(2.0, dtype=t.float64)).sum().backward()
    return y, graph(y), x.grad, t.rand(2)


def sc_gumbel_softmax_eps(t):
    t.manual_seed(2)
    return t.nn.functional.gumbel_softmax(t.zeros(2, 3), eps=1e-5)


SCENARIOS = {name[3:]: fn for name, fn in list(globals().items()) if name.startswith("sc_")}


@pytest.mark.parametrize("name", SCENARIOS)
def test_as_torch(name):
    check(SCENARIOS[name])
