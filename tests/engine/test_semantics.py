"""Autograd semantics held to PyTorch: execution order, buffer freeing, grad modes,
autograd.grad, anomaly detection, custom Functions, saved values and type promotion.

Each `sc_*` scenario takes the torch-like module as its argument and returns plain values
(reprs, names, orders); each test runs it with torch 2.13 and with `engine` (tests/oracle.py)
and compares.
"""
import warnings

import pytest

import engine
import oracle
from oracle import error_of, warning_text


# ---------------------------------------------------------------- helpers


def nodes_of(root):
    """Every node reachable from `root` (a grad_fn), in a deterministic walk order."""
    seen, order, stack = set(), [], [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(fn for fn, _ in reversed(node.next_functions))
    return order


def record_execution(torch, root, labels):
    """Register a pre-hook on every node under root.grad_fn; labels: tensor -> label.

    AccumulateGrad nodes are labelled `acc:<label of their variable>`. Returns the log list
    that backward will fill with labels in execution order."""
    by_node = {}
    for tensor, label in labels.items():
        if tensor.grad_fn is not None:
            by_node[id(tensor.grad_fn)] = label
    log = []
    for node in nodes_of(root.grad_fn):
        if hasattr(node, "variable"):
            # A leaf's tensor hook fires when its AccumulateGrad runs (node hooks on
            # AccumulateGrad are tested on their own in sc_accumulate_grad_node_hooks).
            label = "acc:" + next(lbl for t, lbl in labels.items() if t is node.variable)
            node.variable.register_hook(lambda grad, label=label: log.append(label))
        else:
            label = by_node.get(id(node), node.name())
            node.register_prehook(lambda grads, label=label: log.append(label))
    return log


class Labels(dict):
    """tensor -> label, keyed by identity (tensors do not hash by value in every library)."""

    def __init__(self, **named):
        super().__init__()
        self._items = list(named.items())

    def items(self):
        return [(t, name) for name, t in self._items]


# ---------------------------------------------------------------- execution order

def sc_order_diamond(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    a = x * 2
    b = a.sin()
    c = a.cos()
    d = b * w
    e = c + d
    loss = e.sum()
    log = record_execution(torch, loss, Labels(x=x, w=w, a=a, b=b, c=c, d=d, e=e, loss=loss))
    loss.backward()
    return {"order": log, "x.grad": repr(x.grad), "w.grad": repr(w.grad)}


def sc_order_by_sequence_number_not_depth(torch):
    """Two independent chains joined at the end; creation order decides who runs first."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    p1 = x * 2          # created first
    q1 = y * 3
    q2 = q1.exp()
    p2 = p1.tanh()      # created after q2
    q3 = q2 * 1.5
    out = (p2 + q3).sum()
    log = record_execution(torch, out, Labels(x=x, y=y, p1=p1, q1=q1, q2=q2, p2=p2, q3=q3,
                                              out=out))
    out.backward()
    return log


def sc_order_leaf_accumulates_when_ready(torch):
    """x feeds the first and the last op: its AccumulateGrad runs once, when both arrived;
    w's AccumulateGrad runs as soon as its single gradient is ready."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([2.0, -3.0], requires_grad=True)
    a = x * w
    b = a.relu()
    c = b * x
    s = c.sum()
    log = record_execution(torch, s, Labels(x=x, w=w, a=a, b=b, c=c, s=s))
    s.backward()
    return {"order": log, "x.grad": repr(x.grad), "w.grad": repr(w.grad)}


def sc_accumulate_grad_node_hooks(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    acc = y.grad_fn.next_functions[0][0]
    log = []
    acc.register_prehook(lambda grads: log.append(("acc pre", [repr(g) for g in grads])))
    acc.register_hook(lambda gin, gout: log.append(
        ("acc post", [repr(g) for g in gin], [repr(g) for g in gout])))
    x.register_hook(lambda g: log.append(("x tensor hook", repr(g))))
    y.sum().backward()
    return log


def sc_relu_backward_of_negative_grad_is_plus_zero(torch):
    a = torch.tensor([2.0, -6.0], requires_grad=True)
    a.relu().backward(torch.tensor([1.0, -2.0]))
    return repr(a.grad)


# ---------------------------------------------------------------- buffers

def sc_backward_twice_without_saved_tensors_works(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    s = (x + 3).sum()
    s.backward()
    s.backward()
    return repr(x.grad)


def sc_backward_twice_per_op(torch):
    """Which graphs can be walked twice without retain_graph (a node saved something?)."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    cases = {
        "x+3": lambda: (x + 3).sum(),
        "x*3": lambda: (x * 3).sum(),
        "x-1": lambda: (x - 1).sum(),
        "-x": lambda: (-x).sum(),
        "x/2": lambda: (x / 2).sum(),
        "exp": lambda: x.exp().sum(),
        "view": lambda: x.view(2, 1).sum(),
        "mean": lambda: x.mean(),
        "x*x": lambda: (x * x).sum(),
        "relu": lambda: x.relu().sum(),
    }
    result = {}
    for name, make in cases.items():
        s = make()
        s.backward()
        result[name] = error_of(s.backward) is None
    return result


def sc_freed_saved_value_error(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    before = repr(y.grad_fn._saved_result)
    y.sum().backward()
    return {"before": before, "after": error_of(lambda: y.grad_fn._saved_result),
            "again": error_of(lambda: y.sum().backward())}


def sc_only_executed_nodes_free_buffers(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3           # on the backward path
    z = x * 4           # never reached by y's backward
    y.sum().backward()
    return {"z_other": repr(z.grad_fn._saved_other),
            "y_other": error_of(lambda: y.grad_fn._saved_other),
            "z_backward": error_of(lambda: z.sum().backward()),
            "x.grad": repr(x.grad)}


def sc_grad_wrt_intermediate_does_not_run_or_free_below(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x.exp()
    b = a * a
    (g,) = torch.autograd.grad(b.sum(), a)
    return {"g": repr(g),
            "exp_result_kept": repr(a.grad_fn._saved_result),
            "mul_self_freed": error_of(lambda: b.grad_fn._saved_self),
            "x.grad": repr(x.grad)}


def sc_retain_graph_keeps_every_buffer(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).exp()
    y.sum().backward(retain_graph=True)
    kept = [repr(y.grad_fn._saved_result), repr(y.grad_fn.next_functions[0][0]._saved_self)]
    y.sum().backward()
    return {"kept": kept, "x.grad": repr(x.grad)}


# ---------------------------------------------------------------- retain_grad, accumulation

def sc_retain_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    flags = [x.retains_grad, y.retains_grad]
    y.retain_grad()
    y.retain_grad()
    x.retain_grad()
    flags += [x.retains_grad, y.retains_grad]
    z = (y * y).sum()
    z.backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grad = repr(y.grad)
    return {"flags": flags, "y.grad": grad, "warned": len(caught), "x.grad": repr(x.grad),
            "z.grad_is_none": z.grad is None if z.retains_grad else "not retained"}


def sc_retain_grad_accumulates_over_calls(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.sum().backward(retain_graph=True)
    first = repr(y.grad)
    y.sum().backward()
    return [first, repr(y.grad)]


def sc_gradient_accumulates_over_calls(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    grads = []
    for k in range(3):
        (x * (k + 1)).sum().backward()
        grads.append(repr(x.grad))
    same_object = []
    g = x.grad
    (x * 1).sum().backward()
    same_object.append(x.grad is g)
    x.grad = None
    (x * 5).sum().backward()
    grads.append(repr(x.grad))
    return {"grads": grads, "grad_object_reused": same_object}


def sc_broadcast_grad_reduced_to_leaf_shape(torch):
    x = torch.tensor([[1.0], [2.0]], requires_grad=True)
    b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
    (x * b).sum().backward()
    return [repr(x.grad), repr(b.grad)]


# ---------------------------------------------------------------- grad modes

def sc_no_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        inside = torch.is_grad_enabled()
        y = x * 2
        with torch.enable_grad():
            z = x * 2
            nested = torch.is_grad_enabled()
    after = torch.is_grad_enabled()
    return {"inside": inside, "nested": nested, "after": after,
            "y": repr(y), "y.requires_grad": y.requires_grad, "y.grad_fn": y.grad_fn,
            "z": repr(z), "leaf_unchanged": x.requires_grad}


def sc_grad_mode_decorators(torch):
    x = torch.tensor([1.0], requires_grad=True)

    @torch.no_grad()
    def f1():
        return torch.is_grad_enabled(), (x * 2).requires_grad

    @torch.no_grad
    def f2():
        return torch.is_grad_enabled(), (x * 2).requires_grad

    @torch.enable_grad()
    def f3():
        return torch.is_grad_enabled(), (x * 2).requires_grad

    @torch.inference_mode()
    def f5():
        return torch.is_grad_enabled(), (x * 2).requires_grad

    @torch.inference_mode
    def f6():
        return torch.is_grad_enabled(), (x * 2).requires_grad

    result = {"no_grad()": f1(), "no_grad": f2(), 
              "inference_mode()": f5(), "inference_mode": f6()}
    with torch.no_grad():
        result["enable_grad() in no_grad"] = f3()
    result["after"] = torch.is_grad_enabled()
    result["names"] = [f.__name__ for f in (f1, f2, f3, f5, f6)]
    return result


def sc_set_grad_enabled_as_decorator(torch):
    x = torch.tensor([1.0], requires_grad=True)
    before = torch.is_grad_enabled()

    @torch.set_grad_enabled(False)
    def f():
        return torch.is_grad_enabled(), (x * 2).requires_grad

    after_decorating = torch.is_grad_enabled()
    return {"before": before, "after_decorating": after_decorating, "inside": f(),
            "after_call": torch.is_grad_enabled(), "name": f.__name__}


def sc_set_grad_enabled_function_and_context(torch):
    x = torch.tensor([1.0], requires_grad=True)
    states = []
    torch.set_grad_enabled(False)
    states.append((torch.is_grad_enabled(), (x * 2).requires_grad))
    torch.set_grad_enabled(True)
    states.append((torch.is_grad_enabled(), (x * 2).requires_grad))
    with torch.set_grad_enabled(False):
        states.append((torch.is_grad_enabled(), (x * 2).requires_grad))
        with torch.set_grad_enabled(True):
            states.append((torch.is_grad_enabled(), (x * 2).requires_grad))
        states.append(torch.is_grad_enabled())
    states.append(torch.is_grad_enabled())
    with torch.no_grad():
        with torch.set_grad_enabled(True):
            states.append(torch.is_grad_enabled())
        states.append(torch.is_grad_enabled())
    states.append(torch.is_grad_enabled())
    return states


def sc_inference_mode(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.inference_mode():
        inside = torch.is_grad_enabled()
        y = x * 2
    with torch.inference_mode(False):
        z = x * 2
    return {"inside": inside, "after": torch.is_grad_enabled(), "y": repr(y),
            "y.requires_grad": y.requires_grad, "z": repr(z)}


def sc_grad_mode_restored_after_exception(torch):
    states = []
    for cm in (torch.no_grad, torch.inference_mode, lambda: torch.set_grad_enabled(False)):
        try:
            with cm():
                raise ValueError("boom")
        except ValueError:
            pass
        states.append(torch.is_grad_enabled())
    return states


# ---------------------------------------------------------------- autograd.grad, inputs=

def sc_autograd_grad_basic(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, -1.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = torch.autograd.grad(y, (x, w))
    return {"gx": repr(gx), "gw": repr(gw), "x.grad": repr(x.grad), "w.grad": repr(w.grad),
            "result_type": type(torch.autograd.grad((x * 2).sum(), x)).__name__}


def sc_autograd_grad_with_grad_outputs(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    (g,) = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 0.5]))
    return repr(g)


def sc_autograd_grad_allow_unused(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    u = torch.tensor([5.0], requires_grad=True)
    y = (x * 2).sum()
    gx, gu = torch.autograd.grad(y, [x, u], allow_unused=True)
    y2 = (x * 2).sum()
    gx2, gu2 = torch.autograd.grad(y2, [x, u], materialize_grads=True)
    return {"gx": repr(gx), "gu": repr(gu), "gu_materialized": repr(gu2)}


def sc_second_derivative_of_cube(torch):
    x = torch.tensor([1.0, 2.0, -3.0], requires_grad=True)
    y = x ** 3
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad(g.sum(), x)
    return {"g": repr(g), "g.grad_fn": g.grad_fn.name(), "g2": repr(g2),
            "g2.requires_grad": g2.requires_grad}


def sc_second_derivative_of_sin(torch):
    x = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)
    y = torch.sin(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    (g3,) = torch.autograd.grad(g2.sum(), x)
    return {"g": repr(g), "g2": repr(g2), "g3": repr(g3)}


def sc_create_graph_backward_keeps_graph_on_grad(torch):
    x = torch.tensor([2.0], requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    first = repr(x.grad)
    g = x.grad
    x.grad = None
    g.backward()
    return {"first": first, "second": repr(x.grad)}


def sc_create_graph_backward_grad_fn_of_leaf_grad(torch):
    x = torch.tensor([2.0], requires_grad=True)
    (x ** 3).backward(create_graph=True)
    return x.grad.grad_fn.name()


def sc_backward_inputs(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    (h * h).sum().backward(inputs=[x])
    first = {"x.grad": repr(x.grad), "w.grad": repr(w.grad)}
    x2 = torch.tensor([1.0, 2.0], requires_grad=True)
    h2 = x2 * 3
    out = (h2 * h2).sum()
    out.backward(inputs=[h2])
    return {**first, "nonleaf h2.grad": repr(h2.grad), "x2.grad": repr(x2.grad)}


def sc_backward_inputs_nonleaf_marks_retains_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    (h * h).sum().backward(inputs=[h])
    return h.retains_grad


def sc_autograd_backward_function(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = x * 3
    torch.autograd.backward([a, b], [torch.tensor([1.0, 1.0]), torch.tensor([0.1, 0.2])])
    return repr(x.grad)


def sc_create_graph_retains_graph_by_default(torch):
    x = torch.tensor([2.0], requires_grad=True)
    y = x ** 3
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    y.backward()                  # the graph survived: retain_graph defaulted to True
    first = repr(x.grad)          # ... but this plain backward frees it
    return {"g": repr(g), "first": first, "second": error_of(lambda: y.backward())}


def sc_detach_inplace(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    r = y.detach_()
    return {"same": r is y, "y": repr(y), "is_leaf": y.is_leaf,
            "requires_grad": y.requires_grad}


def sc_inference_tensor_in_autograd(torch):
    with torch.inference_mode():
        c = torch.tensor([1.0, 2.0]) * 2
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    return {"c": repr(c), "saved_for_backward": error_of(lambda: w * c),
            "not_saved": repr(w + c)}


def sc_requires_grad_propagation(torch):
    a = torch.tensor([1.0], requires_grad=True)
    b = torch.tensor([2.0])
    return [(a * b).requires_grad, (b * b).requires_grad, (a.detach() * b).requires_grad,
            torch.cat([a, b]).requires_grad, (a > 0).requires_grad,
            a.argmax().requires_grad if hasattr(a, "argmax") else None]


# ---------------------------------------------------------------- anomaly detection

def sc_detect_anomaly_nan_in_sqrt_backward(torch):
    x = torch.tensor([0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with torch.autograd.detect_anomaly():
            y = torch.sqrt(x)           # the forward line the warning must name
            error = error_of(lambda: y.backward(torch.tensor([0.0, 1.0])))
    texts = [(w.category.__name__, warning_text(w)) for w in caught]
    first_lines = [(kind, text.split("\n")[0]) for kind, text in texts]
    traceback_text = next((t for _, t in texts if t.startswith("Error detected")), "")
    return {"error": error,
            "warnings": first_lines,
            "names_forward_line": "y = torch.sqrt(x)" in traceback_text,
            "names_scenario": "sc_detect_anomaly_nan_in_sqrt_backward" in traceback_text}


def sc_set_detect_anomaly(torch):
    x = torch.tensor([-1.0], requires_grad=True)
    torch.autograd.set_detect_anomaly(True)
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            y = x.log()                  # nan forward, but every backward output is finite
            z = y * 0.0
            first = error_of(lambda: z.backward(retain_graph=True))
            s = x.sqrt()                 # SqrtBackward0: grad / (2 * nan) is nan
            second = error_of(lambda: s.backward())
    finally:
        torch.autograd.set_detect_anomaly(False)
    return {"first": first, "second": second}


def sc_is_anomaly_enabled(torch):
    states = [torch.is_anomaly_enabled()]
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with torch.autograd.detect_anomaly():
            states.append(torch.is_anomaly_enabled())
    states.append(torch.is_anomaly_enabled())
    with torch.autograd.set_detect_anomaly(True):
        states.append(torch.is_anomaly_enabled())
    states.append(torch.is_anomaly_enabled())
    return states


def sc_nan_and_inf_raise_no_warnings(torch):
    """torch computes log(-1), 1/0, sqrt(-1) and their backwards silently."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True)
        y = x.log() + x.sqrt() + 1 / x + x.exp() * 0
        y.backward(torch.tensor([1.0, 1.0, 1.0]))
    return {"y": repr(y), "x.grad": repr(x.grad),
            "warnings": [(w.category.__name__, warning_text(w)) for w in caught]}


def sc_no_anomaly_means_nan_passes(torch):
    x = torch.tensor([0.0, 4.0], requires_grad=True)
    torch.sqrt(x).backward(torch.tensor([0.0, 1.0]))
    return repr(x.grad)


# ---------------------------------------------------------------- custom Function

def sc_custom_function(torch):
    class MulConst(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, k):
            ctx.save_for_backward(a, b)
            ctx.k = k
            return a * b * k

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            log.append(("needs_input_grad", ctx.needs_input_grad))
            return grad * b * ctx.k, grad * a * ctx.k, None

    log = []
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0])
    out = MulConst.apply(a, b, 2.0)
    info = {"repr": repr(out), "name": out.grad_fn.name(),
            "type": type(out.grad_fn).__name__,
            "node repr": repr(out.grad_fn).split(" at 0x")[0],
            "next": [None if f is None else f.name() for f, _ in out.grad_fn.next_functions],
            "saved": [repr(t) for t in out.grad_fn.saved_tensors]}
    out.sum().backward()
    info["a.grad"] = repr(a.grad)
    info["log"] = log
    info["saved_after"] = error_of(lambda: out.grad_fn.saved_tensors)
    return info


def sc_custom_function_no_grad_inputs(torch):
    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    out = Double.apply(torch.tensor([1.0, 2.0]))
    x = torch.tensor([1.0], requires_grad=True)
    inside = Double.apply(x)
    with torch.no_grad():
        quiet = Double.apply(x)
    return {"repr": repr(out), "grad_fn": out.grad_fn, "inside": repr(inside),
            "no_grad": repr(quiet)}


def sc_custom_function_two_outputs(torch):
    class Split(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2, a * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    p, q = Split.apply(x)
    q.sum().backward()
    return {"p": repr(p), "q": repr(q), "same_node": p.grad_fn is q.grad_fn,
            "output_nr": [p.output_nr, q.output_nr], "x.grad": repr(x.grad)}


def sc_custom_function_returns_input_and_marks(torch):
    class Identity(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad * 10

    class ArgMaxish(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            idx = torch.tensor([1])
            ctx.mark_non_differentiable(idx)
            return a * 1, idx

        @staticmethod
        def backward(ctx, grad, grad_idx):
            return grad

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Identity.apply(x)
    info = {"same object": y is x, "y": repr(y), "name": y.grad_fn.name()}
    y.sum().backward()
    info["x.grad"] = repr(x.grad)
    v, idx = ArgMaxish.apply(x)
    info["idx"] = (repr(idx), idx.requires_grad, idx.grad_fn)
    info["v"] = repr(v)
    return info


def sc_custom_function_saves_output(torch):
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            out = a.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved_tensors
            return grad * out

    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    info = {"y": repr(y), "saved": [repr(t) for t in y.grad_fn.saved_tensors]}
    y.sum().backward()
    info["x.grad"] = repr(x.grad)
    info["again"] = error_of(lambda: y.sum().backward())
    return info


def sc_custom_function_wrong_grad_shape(torch):
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return torch.ones(3)

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    return error_of(lambda: Bad.apply(x).sum().backward())


def sc_custom_function_grad_for_non_tensor_input(torch):
    class Scale(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, k):
            ctx.k = k
            return a * k

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.k, None

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Scale.apply(x, 4.0)
    y.sum().backward()
    return {"x.grad": repr(x.grad),
            "next": [None if f is None else f.name() for f, _ in y.grad_fn.next_functions]}


def sc_order_multiple_roots(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = x.exp()
    c = a.sin()
    log = record_execution(torch, c, Labels(x=x, a=a, c=c))
    b.grad_fn.register_prehook(lambda g: log.append("b"))
    torch.autograd.backward([c.sum(), b.sum()])
    return {"order": log, "x.grad": repr(x.grad)}


def sc_grad_of_nonscalar_with_retain_graph(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x ** 2
    g1 = torch.autograd.grad(y, x, torch.ones(2), retain_graph=True)
    g2 = torch.autograd.grad(y, x, torch.tensor([2.0, 3.0]))
    return [repr(g1[0]), repr(g2[0]), error_of(lambda: torch.autograd.grad(y, x, torch.ones(2)))]


def sc_grad_of_intermediate_and_leaf_together(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 3
    b = (a * a).sum()
    ga, gx = torch.autograd.grad(b, [a, x])
    return [repr(ga), repr(gx)]


def sc_leaf_hook_with_two_uses(torch):
    seen = []
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: seen.append(repr(g)))
    (x * 2 + x * 5).sum().backward()
    return {"seen": seen, "x.grad": repr(x.grad)}


# ---------------------------------------------------------------- nodes: names, metadata

def sc_grad_fn_name_and_metadata(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    node = y.grad_fn
    meta = node.metadata
    meta["tag"] = "mine"
    acc = node.next_functions[0][0]
    return {"name": node.name(), "meta_type": type(meta).__name__,
            "meta_kept": node.metadata, "acc_name": acc.name(),
            "acc_type": type(acc).__name__, "acc_next": acc.next_functions,
            "acc_variable_is_x": acc.variable is x,
            "same_acc_each_time": (x * 3).grad_fn.next_functions[0][0] is acc}


def _saved_view(node):
    out = {}
    for attr in sorted(a for a in dir(node) if a.startswith("_saved_")):
        value = getattr(node, attr)
        out[attr] = repr(value)
    return out


SAVED_CASES = {
    "mul": lambda t, x, y, m: x * y,
    "mul_scalar": lambda t, x, y, m: x * 2.5,
    "div": lambda t, x, y, m: x / y,
    "div_scalar": lambda t, x, y, m: x / 4,
    "add_alpha": lambda t, x, y, m: t.add(x, y, alpha=2),
    "sub": lambda t, x, y, m: x - y,
    "pow_scalar": lambda t, x, y, m: x ** 3,
    "pow_tensor": lambda t, x, y, m: x ** y,
    "rpow": lambda t, x, y, m: 2 ** x,
    "exp": lambda t, x, y, m: x.exp(),
    "log": lambda t, x, y, m: x.log(),
    "sqrt": lambda t, x, y, m: x.sqrt(),
    "sin": lambda t, x, y, m: x.sin(),
    "tanh": lambda t, x, y, m: x.tanh(),
    "sigmoid": lambda t, x, y, m: x.sigmoid(),
    "relu": lambda t, x, y, m: x.relu(),
    "neg": lambda t, x, y, m: -x,
    "abs": lambda t, x, y, m: x.abs(),
    "clamp": lambda t, x, y, m: x.clamp(0.5, 1.5),
    "mm": lambda t, x, y, m: t.mm(m, m.t()),
    "t": lambda t, x, y, m: m.t(),
    "transpose": lambda t, x, y, m: m.transpose(0, 1),
    "view": lambda t, x, y, m: m.view(3, 2),
    "reshape_flat": lambda t, x, y, m: m.reshape(-1),
    "unsqueeze": lambda t, x, y, m: x.unsqueeze(0),
    "select": lambda t, x, y, m: m[1],
    "slice": lambda t, x, y, m: m[:, 1:],
    "sum": lambda t, x, y, m: m.sum(),
    "sum_dim": lambda t, x, y, m: m.sum(1),
    "sum_dim_keepdim": lambda t, x, y, m: m.sum(dim=0, keepdim=True),
    "mean": lambda t, x, y, m: m.mean(),
    "mean_dim": lambda t, x, y, m: m.mean(1),
    "max": lambda t, x, y, m: m.max(),
    "max_dim_values": lambda t, x, y, m: m.max(1)[0],
    "min_dim_values": lambda t, x, y, m: m.min(dim=0).values,
    "softmax": lambda t, x, y, m: m.softmax(1),
    "log_softmax": lambda t, x, y, m: m.log_softmax(dim=1),
    "clone": lambda t, x, y, m: m.clone(),
    "cat": lambda t, x, y, m: t.cat([x, y]),
    "stack": lambda t, x, y, m: t.stack([x, y]),
    "rsub": lambda t, x, y, m: 1 - x,
    "cos": lambda t, x, y, m: x.cos(),
    "min": lambda t, x, y, m: m.min(),
    "matmul_2d": lambda t, x, y, m: m @ m.t(),
    "matmul_mv": lambda t, x, y, m: m @ x,
    "matmul_dot": lambda t, x, y, m: x @ y,
    "matmul_batched": lambda t, x, y, m: t.matmul(m.unsqueeze(0).expand(2, 2, 3),
                                                  m.t().unsqueeze(0).expand(2, 3, 2)),
    "bmm": lambda t, x, y, m: t.bmm(m.unsqueeze(0), m.t().unsqueeze(0)),
    "mv": lambda t, x, y, m: t.mv(m, y),
    "dot": lambda t, x, y, m: t.dot(x, y),
    "permute": lambda t, x, y, m: m.permute(1, 0),
    "expand": lambda t, x, y, m: x.unsqueeze(0).expand(2, 3),
    "squeeze": lambda t, x, y, m: m[:1].squeeze(),
    "squeeze_dim": lambda t, x, y, m: m[:1].squeeze(0),
    "index": lambda t, x, y, m: m[[1, 0]],
    "index_mask": lambda t, x, y, m: x[x > 0.7],
    "flatten": lambda t, x, y, m: m.flatten(),
    "reshape_noncontig": lambda t, x, y, m: m.t().reshape(6),
    "where": lambda t, x, y, m: t.where(x > 0.7, x, y),
    "mean_dim_keepdim": lambda t, x, y, m: m.mean(dim=0, keepdim=True),
    "sub_alpha": lambda t, x, y, m: t.sub(x, y, alpha=3),
    "pow_scalar_half": lambda t, x, y, m: x ** 0.5,
    "div_rscalar": lambda t, x, y, m: 2 / x,
    "neg_via_mul": lambda t, x, y, m: x * -1,
}


def _saved_scenario(op):
    def scenario(torch):
        x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
        y = torch.tensor([2.0, 3.0, 0.5], requires_grad=True)
        m = torch.tensor([[1.0, 4.0, 2.0], [3.0, 0.0, 5.0]], requires_grad=True)
        out = SAVED_CASES[op](torch, x, y, m)
        return {"repr": repr(out), "name": out.grad_fn.name(), "saved": _saved_view(out.grad_fn)}
    scenario.__name__ = f"sc_saved_{op}"
    return scenario


for _op in SAVED_CASES:
    globals()[f"sc_saved_{_op}"] = _saved_scenario(_op)


def sc_max_dim_returns_values_and_indices(torch):
    m = torch.tensor([[1.0, 4.0, 2.0], [3.0, 0.0, 5.0]], requires_grad=True)
    values, indices = m.max(dim=1)
    result = m.max(1)
    values.sum().backward()
    return {"values": repr(values), "indices": repr(indices), "fields": type(result).__name__,
            "named": [repr(result.values), repr(result.indices)], "m.grad": repr(m.grad)}


# ---------------------------------------------------------------- type promotion

PROMOTION_CASES = {
    "int_tensor * float": lambda t: t.tensor([1, 2]) * 2.5,
    "int_tensor * int": lambda t: t.tensor([1, 2]) * 2,
    "int_tensor / int_tensor": lambda t: t.tensor([1, 2]) / t.tensor([2, 4]),
    "int_tensor / int": lambda t: t.tensor([3, 4]) / 2,
    "float32 * float64 0-dim": lambda t: t.tensor([1.0, 2.0]) * t.tensor(2.0, dtype=t.float64),
    "float32 + float64 1-d": lambda t: t.tensor([1.0, 2.0]) + t.tensor([2.0], dtype=t.float64),
    "int * float64 0-dim": lambda t: t.tensor([1, 2]) * t.tensor(2.5, dtype=t.float64),
    "int64 0-dim * float32": lambda t: t.tensor(3) * t.tensor([1.5, 2.0]),
    "bool + int": lambda t: t.tensor([True, False]) + 1,
    "bool + bool": lambda t: t.tensor([True, False]) + t.tensor([True, True]),
    "float64 * python float": lambda t: t.tensor([1.0], dtype=t.float64) * 0.1,
    "int ** 2": lambda t: t.tensor([2, 3]) ** 2,
    "int ** 0.5": lambda t: t.tensor([4, 9]) ** 0.5,
    "int.sum()": lambda t: t.tensor([1, 2, 3]).sum(),
    "bool.sum()": lambda t: t.tensor([True, True, False]).sum(),
    "int - float": lambda t: 1.5 - t.tensor([1, 2]),
    "int comparison": lambda t: t.tensor([1, 2]) > 1.5,
    "int.exp()": lambda t: t.tensor([0, 1]).exp(),
    "float32 requires_grad * float64 0-dim": lambda t: (
        t.tensor([1.0, 2.0], requires_grad=True) * t.tensor(3.0, dtype=t.float64)),
}


def sc_type_promotion(torch):
    out = {}
    for name, make in PROMOTION_CASES.items():
        value = make(torch)
        out[name] = (str(value.dtype), repr(value))
    return out


def sc_mixed_dtype_gradients_keep_leaf_dtype(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = torch.tensor([0.5, 0.25], dtype=torch.float64, requires_grad=True)
    (x * d).sum().backward()
    return [repr(x.grad), repr(d.grad)]


def _none_or_list(g):
    return None if g is None else g.tolist()


def sc_hook_on_an_unused_split_output_gets_none(torch):
    x = torch.ones(4, requires_grad=True)
    a, b = x.split(2)
    seen = []
    a.register_hook(lambda g: seen.append(("a", _none_or_list(g))))
    b.register_hook(lambda g: seen.append(("b", _none_or_list(g))))
    node = a.grad_fn
    node.register_prehook(lambda go: seen.append(("pre", [_none_or_list(g) for g in go])))
    node.register_hook(lambda gi, go: seen.append(
        ("post", [_none_or_list(g) for g in gi], [_none_or_list(g) for g in go])))
    (a * 2).sum().backward()
    return seen


def _drops_the_second_grad(torch):
    """A custom Function whose backward returns None for its second input."""
    class Drop(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, None
    return Drop


def sc_a_node_given_no_gradient_still_runs_its_hooks(torch):
    Drop = _drops_the_second_grad(torch)
    z = torch.ones(2, requires_grad=True) * 1
    seen = []
    z.register_hook(lambda g: seen.append(("z", _none_or_list(g))))
    z.grad_fn.register_prehook(lambda go: seen.append(("pre", [_none_or_list(g) for g in go])))
    z.grad_fn.register_hook(lambda gi, go: seen.append(
        ("post", [_none_or_list(g) for g in gi], [_none_or_list(g) for g in go])))
    Drop.apply(torch.ones(2, requires_grad=True) * 3, z).sum().backward()
    return seen


def sc_a_node_given_no_gradient_frees_its_saved_tensors(torch):
    Drop = _drops_the_second_grad(torch)
    z = torch.ones(2, requires_grad=True) * torch.ones(2, requires_grad=True)
    Drop.apply(torch.ones(2, requires_grad=True) * 3, z).sum().backward()
    return (error_of(lambda: z.grad_fn._saved_self) or ("retained",))[0]

def sc_leaf_hooks_fire_with_no_gradient(torch):
    Drop = _drops_the_second_grad(torch)
    leaf = torch.ones(2, requires_grad=True)
    seen = []
    leaf.register_hook(lambda g: seen.append(("hook", _none_or_list(g))))
    leaf.register_post_accumulate_grad_hook(lambda t: seen.append(("post", _none_or_list(t.grad))))
    Drop.apply(torch.ones(2, requires_grad=True) * 3, leaf).sum().backward()
    return [seen, leaf.grad is None]

def sc_mixed_dtype_gradient_into_a_non_leaf(torch):
    # A 0-dim float64 operand does not promote a float32 tensor: the product is float32, and
    # the gradient reaching the float64 non-leaf is checked and cast by the engine.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    scale = torch.tensor(0.5, dtype=torch.float64, requires_grad=True) * 3
    seen = []
    scale.register_hook(lambda g: seen.append(repr(g)))
    product = x * scale
    product.sum().backward()
    return [str(product.dtype), seen, repr(x.grad)]


# ---------------------------------------------------------------- the tests

def sc_nan_through_sign_and_threshold(torch):
    """ATen's sign(nan) is 0, so a p=1 or inf norm's gradient at a NaN is 0 times the
    incoming gradient; threshold keeps a NaN (x <= t is false) and passes its gradient
    (nn seed 1131673: a triplet loss of a NaN gave NaN weight gradients)."""
    nan, inf = float("nan"), float("inf")
    out = {}
    for name, norm in (("p=1", lambda x: torch.linalg.vector_norm(x, 1)),
                       ("inf", lambda x: torch.linalg.vector_norm(x, inf)),
                       ("pairwise p=1", lambda x: torch.nn.functional.pairwise_distance(
                           x.view(1, -1), torch.ones(1, 3), p=1).sum())):
        x = torch.tensor([nan, 1.0, -2.0], requires_grad=True)
        norm(x).backward(torch.tensor(0.0))
        out[name] = repr(x.grad)
    for inplace in (False, True):
        x = torch.tensor([nan, 2.0, -3.0, 0.1], requires_grad=True)
        y = torch.nn.functional.threshold(x * 1, 0.1, 5.0, inplace=inplace)
        y.backward(torch.tensor([1.0, inf, inf, 2.0]))
        out[f"threshold inplace={inplace}"] = [repr(y), repr(x.grad)]
    return out


SCENARIOS = oracle.scenarios(globals())
KNOWN_DIVERGENCES = {
}


@pytest.mark.parametrize("name", oracle.params(SCENARIOS, KNOWN_DIVERGENCES))
def test_matches_torch(name):
    oracle.agree(SCENARIOS[name])


def create_graph_backward_warnings(torch):
    """torch warns once per process, so this runs in a fresh one (oracle.run_fresh)."""
    import warnings
    x = torch.tensor([2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x ** 3).backward(create_graph=True)
    return [(w.category.__name__, str(w.message)) for w in caught]


def test_create_graph_backward_warns_of_the_reference_cycle():
    expected = oracle.run_fresh(create_graph_backward_warnings, "torch")
    assert expected and oracle.run_fresh(create_graph_backward_warnings, "engine") == expected


def once_per_process_and_only_from_backward(torch):
    import warnings
    x = torch.tensor([2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.autograd.grad(x ** 3, x, create_graph=True)
        seen = [len(caught)]
        (x * 3).backward(create_graph=True)
        (x ** 2).backward(create_graph=True)
        seen.append(len(caught))
    return seen


def test_the_reference_cycle_warning_is_once_and_only_from_backward():
    expected = oracle.run_fresh(once_per_process_and_only_from_backward, "torch")
    assert expected == [0, 1]
    assert oracle.run_fresh(once_per_process_and_only_from_backward, "engine") == expected
