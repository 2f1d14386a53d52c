"""Tensor and grad_fn hooks held to PyTorch: the order at a node and at a leaf, replacement
of gradients, removal (idempotent, context manager, live during backward), handle ids.

Each `sc_*` scenario takes the torch-like module as its argument and returns what happened
(an event log of labels and reprs); each test runs it with torch 2.13 and with `engine`
(tests/oracle.py) and compares.
"""
import pytest

import oracle
from oracle import error_of


def reprs(values):
    return [repr(v) for v in values]


# ---------------------------------------------------------------- order at a node

def sc_hook_order_at_a_node(torch):
    """Tensor hook (x2), retain_grad's copy, node pre-hook (x3), the node, node post-hook.

    (torch 2.13 copies for retain_grad right after the tensor hooks, before node pre-hooks:
    a.grad is 10, not 30.)"""
    log = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * 5
    a.retain_grad()

    def tensor_hook(g):
        log.append(("tensor hook", repr(g)))
        return g * 2

    def pre_hook(grad_outputs):
        log.append(("node pre-hook", reprs(grad_outputs)))
        return (grad_outputs[0] * 3,)

    def post_hook(grad_inputs, grad_outputs):
        log.append(("node post-hook", reprs(grad_inputs), reprs(grad_outputs)))

    def x_hook(g):
        log.append(("x hook", repr(g), "a.grad", repr(a.grad)))

    a.register_hook(tensor_hook)
    a.grad_fn.register_prehook(pre_hook)
    a.grad_fn.register_hook(post_hook)
    x.register_hook(x_hook)
    b.sum().backward()
    return {"log": log, "a.grad": repr(a.grad), "x.grad": repr(x.grad)}


def sc_retain_grad_copy_sees_tensor_hook_changes(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    a.register_hook(lambda g: g + 100)
    a.retain_grad()
    a.register_hook(lambda g: g * 10)       # registered after retain_grad
    a.sum().backward()
    return {"a.grad": repr(a.grad), "x.grad": repr(x.grad)}


def sc_retain_grad_copy_and_node_prehook(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    a.retain_grad()
    a.grad_fn.register_prehook(lambda grads: (grads[0] * 7,))
    a.sum().backward()
    return {"a.grad": repr(a.grad), "x.grad": repr(x.grad)}


def sc_hook_order_at_a_leaf(torch):
    log = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    def tensor_hook(g):
        log.append(("tensor hook", repr(g), "x.grad", repr(x.grad)))
        return g * 2

    def post_acc(t):
        log.append(("post-accumulate", t is x, repr(t.grad)))

    x.register_hook(tensor_hook)
    x.register_post_accumulate_grad_hook(post_acc)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    return {"log": log, "x.grad": repr(x.grad)}


def sc_hooks_fire_in_registration_order(torch):
    log = []
    x = torch.tensor([1.0], requires_grad=True)
    a = x * 2
    for k in range(3):
        a.register_hook(lambda g, k=k: log.append(("a", k, repr(g))) or g + 1)
        x.register_hook(lambda g, k=k: log.append(("x", k, repr(g))) or g * 10)
        a.grad_fn.register_prehook(lambda go, k=k: log.append(("pre", k, reprs(go))))
        a.grad_fn.register_hook(lambda gi, go, k=k: log.append(("post", k, reprs(gi))))
    a.backward()
    return {"log": log, "x.grad": repr(x.grad)}


def sc_post_hook_replaces_grad_inputs(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    z = x * y
    z.grad_fn.register_hook(lambda gi, go: (gi[0] * 0 + 1, None))
    z.sum().backward()
    return {"x.grad": repr(x.grad), "y.grad": repr(y.grad)}


def sc_hook_returning_tensor_replaces_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 3
    a.register_hook(lambda g: torch.tensor([10.0, 20.0]))
    b = torch.tensor([1.0, 1.0], requires_grad=True)
    b.register_hook(lambda g: g * -1)
    (a + b).sum().backward()
    return {"x.grad": repr(x.grad), "b.grad": repr(b.grad)}


def sc_hook_returning_none_keeps_grad(torch):
    seen = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: seen.append(repr(g)))
    (x * 4).sum().backward()
    return {"seen": seen, "x.grad": repr(x.grad)}


def sc_hook_on_gradient_of_each_use(torch):
    """A tensor used twice: its hook sees the summed gradient, once."""
    seen = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    a.register_hook(lambda g: seen.append(repr(g)))
    (a * 3 + a * 4).sum().backward()
    return {"seen": seen, "x.grad": repr(x.grad)}


# ---------------------------------------------------------------- removal

def sc_remove_is_idempotent(torch):
    fired = []
    x = torch.tensor([1.0], requires_grad=True)
    h = x.register_hook(lambda g: fired.append("x"))
    a = x * 2
    ha = a.register_hook(lambda g: fired.append("a"))
    hn = a.grad_fn.register_prehook(lambda g: fired.append("pre"))
    hp = a.grad_fn.register_hook(lambda gi, go: fired.append("post"))
    hpa = x.register_post_accumulate_grad_hook(lambda t: fired.append("post-acc"))
    for handle in (h, ha, hn, hp, hpa):
        handle.remove()
        handle.remove()
    a.backward()
    return {"fired": fired, "x.grad": repr(x.grad),
            "handle_types": sorted({type(hd).__name__ for hd in (h, ha, hn, hp, hpa)})}


def sc_handle_as_context_manager(torch):
    fired = []
    x = torch.tensor([1.0], requires_grad=True)
    with x.register_hook(lambda g: fired.append(("inside", repr(g)))) as handle:
        (x * 2).backward()
    (x * 3).backward()
    entered = handle.__enter__() is handle
    return {"fired": fired, "enter_returns_handle": entered}


def sc_handle_ids_from_one_counter(torch):
    x = torch.tensor([1.0], requires_grad=True)
    a = x * 2
    handles = [x.register_hook(lambda g: None),
               a.register_hook(lambda g: None),
               a.grad_fn.register_prehook(lambda g: None),
               a.grad_fn.register_hook(lambda gi, go: None),
               x.register_post_accumulate_grad_hook(lambda t: None),
               torch.tensor([2.0], requires_grad=True).register_hook(lambda g: None)]
    ids = [h.id for h in handles]
    return {"steps": [b - a for a, b in zip(ids, ids[1:])],
            "ints": all(isinstance(i, int) for i in ids)}


def sc_removing_a_later_tensor_hook_during_backward(torch):
    fired = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * 3
    handles = {}
    handles["a"] = a.register_hook(lambda g: fired.append("a") or g * 100)
    handles["x"] = x.register_hook(lambda g: fired.append("x") or g * 1000)

    def on_b(g):
        fired.append("b")
        handles["a"].remove()
        handles["x"].remove()

    b.register_hook(on_b)
    b.sum().backward()
    return {"fired": fired, "x.grad": repr(x.grad)}


def sc_removing_a_later_grad_fn_hook_during_backward(torch):
    fired = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * 3
    hp = a.grad_fn.register_prehook(lambda g: fired.append("a pre") or (g[0] * 100,))
    hq = a.grad_fn.register_hook(lambda gi, go: fired.append("a post"))
    hacc = x.register_post_accumulate_grad_hook(lambda t: fired.append("x post-acc"))

    def on_b(grad_outputs):
        fired.append("b pre")
        hp.remove()
        hq.remove()
        hacc.remove()

    b.grad_fn.register_prehook(on_b)
    b.sum().backward()
    return {"fired": fired, "x.grad": repr(x.grad)}


def sc_removing_before_backward_after_forward(torch):
    """Tensor and grad_fn hooks are live: removed after forward, before backward, no firing."""
    fired = []
    x = torch.tensor([1.0], requires_grad=True)
    a = x * 2
    h1 = a.register_hook(lambda g: fired.append("a"))
    h2 = a.grad_fn.register_hook(lambda gi, go: fired.append("a post"))
    b = a * 3
    h1.remove()
    h2.remove()
    b.backward()
    return fired


def sc_hook_registered_after_forward_fires(torch):
    fired = []
    x = torch.tensor([1.0], requires_grad=True)
    a = x * 2
    b = a * 3
    a.register_hook(lambda g: fired.append(("a", repr(g))))
    x.register_hook(lambda g: fired.append(("x", repr(g))))
    b.backward()
    return fired


def sc_post_accumulate_grad_hook_sees_accumulated_grad(torch):
    seen = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: seen.append(repr(t.grad)))
    (x * 2).sum().backward()
    (x * 5).sum().backward()
    return seen


def sc_post_accumulate_grad_hook_returning_a_value_is_an_error(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: torch.zeros(2))
    return {"error": error_of(lambda: (x * 2).sum().backward()), "x.grad": repr(x.grad)}


def sc_post_accumulate_grad_hook_not_in_autograd_grad(torch):
    seen = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: seen.append("fired"))
    (g,) = torch.autograd.grad((x * 2).sum(), x)
    (x * 2).sum().backward()
    return {"seen": seen, "g": repr(g), "x.grad": repr(x.grad)}


def sc_tensor_hook_in_autograd_grad(torch):
    seen = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: seen.append(repr(g)) or g * 2)
    (g,) = torch.autograd.grad((x * 3).sum(), x)
    return {"seen": seen, "g": repr(g), "x.grad": repr(x.grad)}


def sc_hooks_on_retained_graph_fire_every_backward(torch):
    fired = []
    x = torch.tensor([1.0], requires_grad=True)
    a = x * 2
    a.register_hook(lambda g: fired.append(repr(g)))
    s = a * 3
    s.backward(retain_graph=True)
    s.backward()
    return fired


# ---------------------------------------------------------------- the tests

def sc_node_post_hook_sees_validated_gradients(torch):
    """A node's post hooks see its gradients after PyTorch's validate_outputs: cast to each
    input's dtype, and None for an input with no edge (a view made under no_grad), unless a
    custom Function returned them."""
    seen = []

    def record(tag):
        return lambda gi, go: seen.append((tag, [None if g is None else (str(g.dtype),
                                                                          g.tolist())
                                                 for g in gi]))
    a = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    b = torch.ones(2, 1, requires_grad=True)
    y = a + b
    y.grad_fn.register_hook(record("mixed"))
    y.sum().backward()
    h = torch.tensor(1.5, requires_grad=True).tanh()
    with torch.no_grad():
        v = h.t()
    w = v.clone()
    w.grad_fn.register_hook(record("no edge"))
    w.sum().backward()

    class Twice(torch.autograd.Function):
        @staticmethod
        def forward(ctx, p, q):
            return p * q

        @staticmethod
        def backward(ctx, g):
            return g * 2, g * 3
    z = Twice.apply(torch.ones(2, requires_grad=True), torch.ones(2))
    z.grad_fn.register_hook(record("function"))
    z.sum().backward()
    return seen


def sc_node_post_hook_results_checked(torch):
    """What a node post hook returns is checked as PyTorch's check_result does."""
    def run(result):
        a = torch.ones(2, requires_grad=True)
        y = a * 2
        y.grad_fn.register_hook(lambda gi, go: result)
        return error_of(lambda: y.sum().backward())
    return [run((torch.ones(3),)), run((torch.ones(3), None)),
            run((torch.ones(2, dtype=torch.float64), None)), run([torch.ones(2), None]),
            run((None, torch.ones(2))), run((2.0, None)), run((torch.ones(2) * 5, None))]


SCENARIOS = oracle.scenarios(globals())
KNOWN_DIVERGENCES = {
}


@pytest.mark.parametrize("name", oracle.params(SCENARIOS, KNOWN_DIVERGENCES))
def test_matches_torch(name):
    oracle.agree(SCENARIOS[name])
