"""Autograd semantics held to PyTorch: execution order, buffer freeing, grad modes,
autograd.grad, anomaly detection, custom Functions, saved values and type promotion.

Each `sc_*` scenario takes the torch-like module as its argument and returns plain values
(reprs, names, orders). RECORDED at the end was produced by running the same functions with
torch 2.13.0+cpu in an out-of-tree recorder (torch is never imported here); each test runs
the scenario with `engine` and compares with what torch did.
"""
import re
import warnings

import pytest

import engine


# ---------------------------------------------------------------- helpers

def err(fn):
    """(type name, message) of the exception fn raises, or None."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the error is the observation
        return (type(e).__name__, str(e))
    return None


def message(w):
    """A warning's text without torch's C++ source location suffix (a build artifact)."""
    return re.sub(r" \(Triggered internally at [^)]*\.\)$", "", str(w.message))


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
        result[name] = err(s.backward) is None
    return result


def sc_freed_saved_value_error(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    before = repr(y.grad_fn._saved_result)
    y.sum().backward()
    return {"before": before, "after": err(lambda: y.grad_fn._saved_result),
            "again": err(lambda: y.sum().backward())}


def sc_only_executed_nodes_free_buffers(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3           # on the backward path
    z = x * 4           # never reached by y's backward
    y.sum().backward()
    return {"z_other": repr(z.grad_fn._saved_other),
            "y_other": err(lambda: y.grad_fn._saved_other),
            "z_backward": err(lambda: z.sum().backward()),
            "x.grad": repr(x.grad)}


def sc_grad_wrt_intermediate_does_not_run_or_free_below(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x.exp()
    b = a * a
    (g,) = torch.autograd.grad(b.sum(), a)
    return {"g": repr(g),
            "exp_result_kept": repr(a.grad_fn._saved_result),
            "mul_self_freed": err(lambda: b.grad_fn._saved_self),
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
    first = repr(x.grad).replace("CopyBackwards", "<grad_fn>").replace("MulBackward0", "<grad_fn>")
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
    return {"g": repr(g), "first": first, "second": err(lambda: y.backward())}


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
    return {"c": repr(c), "saved_for_backward": err(lambda: w * c),
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
            error = err(lambda: y.backward(torch.tensor([0.0, 1.0])))
    texts = [(w.category.__name__, message(w)) for w in caught]
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
            first = err(lambda: z.backward(retain_graph=True))
            s = x.sqrt()                 # SqrtBackward0: grad / (2 * nan) is nan
            second = err(lambda: s.backward())
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
            "warnings": [(w.category.__name__, message(w)) for w in caught]}


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
            "next": [None if f is None else f.name() for f, _ in out.grad_fn.next_functions],
            "saved": [repr(t) for t in out.grad_fn.saved_tensors]}
    out.sum().backward()
    info["a.grad"] = repr(a.grad)
    info["log"] = log
    info["saved_after"] = err(lambda: out.grad_fn.saved_tensors)
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
    info["again"] = err(lambda: y.sum().backward())
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
    return err(lambda: Bad.apply(x).sum().backward())


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
    return [repr(g1[0]), repr(g2[0]), err(lambda: torch.autograd.grad(y, x, torch.ones(2)))]


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
    return (err(lambda: z.grad_fn._saved_self) or ("retained",))[0]

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

ENGINE_BUGS = {
}

SCENARIOS = {name[3:]: fn for name, fn in list(globals().items()) if name.startswith("sc_")}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=ENGINE_BUGS[n], strict=True))
    if n in ENGINE_BUGS else n for n in SCENARIOS])
def test_matches_torch(name):
    engine.autograd.set_detect_anomaly(False)
    try:
        assert SCENARIOS[name](engine) == RECORDED[name]
    finally:
        engine.set_grad_enabled(True)
        engine.autograd.set_detect_anomaly(False)


def test_every_scenario_was_recorded():
    assert set(SCENARIOS) == set(RECORDED)


# ---- recorded from torch 2.13.0+cpu by running each sc_* with torch as its argument;
# ---- regenerate, never edit by hand.
RECORDED = {
    'order_diamond':
        {'order': ['loss', 'e', 'd', 'acc:w', 'c', 'b', 'a', 'acc:x'],
         'x.grad': 'tensor([-2.2347,  2.8209])',
         'w.grad': 'tensor([ 0.9093, -0.7568])'},
    'order_by_sequence_number_not_depth':
        ['out', 'AddBackward0', 'q3', 'p2', 'q2', 'q1', 'acc:y', 'p1', 'acc:x'],
    'order_leaf_accumulates_when_ready':
        {'order': ['s', 'c', 'b', 'a', 'acc:x', 'acc:w'],
         'x.grad': 'tensor([4., 0.])',
         'w.grad': 'tensor([1., 0.])'},
    'accumulate_grad_node_hooks':
        [('x tensor hook', 'tensor([3., 3.])'),
         ('acc pre', ['tensor([3., 3.])']),
         ('acc post', [], ['tensor([3., 3.])'])],
    'relu_backward_of_negative_grad_is_plus_zero':
        'tensor([1., 0.])',
    'backward_twice_without_saved_tensors_works':
        'tensor([2., 2.])',
    'backward_twice_per_op':
        {'x+3': True,
         'x*3': False,
         'x-1': True,
         '-x': True,
         'x/2': False,
         'exp': False,
         'view': True,
         'mean': True,
         'x*x': False,
         'relu': False},
    'freed_saved_value_error':
        {'before': 'tensor([2.7183, 7.3891], grad_fn=<ExpBackward0>)',
         'after': ('RuntimeError',
                   'Trying to backward through the graph a second time (or directly access saved '
                   'tensors after they have already been freed). Saved intermediate values of the '
                   'graph are freed when you call .backward() or autograd.grad(). Specify '
                   'retain_graph=True if you need to backward through the graph a second time or if '
                   'you need to access saved tensors after calling backward.'),
         'again': ('RuntimeError',
                   'Trying to backward through the graph a second time (or directly access saved '
                   'tensors after they have already been freed). Saved intermediate values of the '
                   'graph are freed when you call .backward() or autograd.grad(). Specify '
                   'retain_graph=True if you need to backward through the graph a second time or if '
                   'you need to access saved tensors after calling backward.')},
    'only_executed_nodes_free_buffers':
        {'z_other': 'tensor(4)',
         'y_other': ('RuntimeError',
                     'Trying to backward through the graph a second time (or directly access saved '
                     'tensors after they have already been freed). Saved intermediate values of the '
                     'graph are freed when you call .backward() or autograd.grad(). Specify '
                     'retain_graph=True if you need to backward through the graph a second time or if '
                     'you need to access saved tensors after calling backward.'),
         'z_backward': None,
         'x.grad': 'tensor([7., 7.])'},
    'grad_wrt_intermediate_does_not_run_or_free_below':
        {'g': 'tensor([ 5.4366, 14.7781])',
         'exp_result_kept': 'tensor([2.7183, 7.3891], grad_fn=<ExpBackward0>)',
         'mul_self_freed': ('RuntimeError',
                            'Trying to backward through the graph a second time (or directly access '
                            'saved tensors after they have already been freed). Saved intermediate '
                            'values of the graph are freed when you call .backward() or '
                            'autograd.grad(). Specify retain_graph=True if you need to backward '
                            'through the graph a second time or if you need to access saved tensors '
                            'after calling backward.'),
         'x.grad': 'None'},
    'retain_graph_keeps_every_buffer':
        {'kept': ['tensor([ 2.7183, 54.5981], grad_fn=<ExpBackward0>)',
                  'tensor([1., 2.], requires_grad=True)'],
         'x.grad': 'tensor([ 10.8731, 436.7852])'},
    'retain_grad':
        {'flags': [False, False, False, True],
         'y.grad': 'tensor([4., 8.])',
         'warned': 0,
         'x.grad': 'tensor([ 8., 16.])',
         'z.grad_is_none': 'not retained'},
    'retain_grad_accumulates_over_calls':
        ['tensor([1., 1.])', 'tensor([2., 2.])'],
    'gradient_accumulates_over_calls':
        {'grads': ['tensor([1., 1., 1.])',
                   'tensor([3., 3., 3.])',
                   'tensor([6., 6., 6.])',
                   'tensor([5., 5., 5.])'],
         'grad_object_reused': [True]},
    'broadcast_grad_reduced_to_leaf_shape':
        ['tensor([[60.],\n        [60.]])', 'tensor([3., 3., 3.])'],
    'no_grad':
        {'inside': False,
         'nested': True,
         'after': True,
         'y': 'tensor([2., 4.])',
         'y.requires_grad': False,
         'y.grad_fn': None,
         'z': 'tensor([2., 4.], grad_fn=<MulBackward0>)',
         'leaf_unchanged': True},
    'grad_mode_decorators':
        {'no_grad()': (False, False),
         'no_grad': (False, False),
         'inference_mode()': (False, False),
         'inference_mode': (False, False),
         'enable_grad() in no_grad': (True, True),
         'after': True,
         'names': ['f1', 'f2', 'f3', 'f5', 'f6']},
    'set_grad_enabled_as_decorator':
        {'before': True,
         'after_decorating': True,
         'inside': (False, False),
         'after_call': True,
         'name': 'f'},
    'set_grad_enabled_function_and_context':
        [(False, False), (True, True), (False, False), (True, True), False, True, True, False, True],
    'inference_mode':
        {'inside': False,
         'after': True,
         'y': 'tensor([2., 4.])',
         'y.requires_grad': False,
         'z': 'tensor([2., 4.], grad_fn=<MulBackward0>)'},
    'grad_mode_restored_after_exception':
        [True, True, True],
    'autograd_grad_basic':
        {'gx': 'tensor([ 3., -1.])',
         'gw': 'tensor([1., 2.])',
         'x.grad': 'None',
         'w.grad': 'None',
         'result_type': 'tuple'},
    'autograd_grad_with_grad_outputs':
        'tensor([2., 2.])',
    'autograd_grad_allow_unused':
        {'gx': 'tensor([2., 2.])', 'gu': 'None', 'gu_materialized': 'tensor([0.])'},
    'second_derivative_of_cube':
        {'g': 'tensor([ 3., 12., 27.], grad_fn=<MulBackward0>)',
         'g.grad_fn': 'MulBackward0',
         'g2': 'tensor([  6.,  12., -18.])',
         'g2.requires_grad': False},
    'second_derivative_of_sin':
        {'g': 'tensor([1.0000, 0.8776, 0.5403], grad_fn=<MulBackward0>)',
         'g2': 'tensor([-0.0000, -0.4794, -0.8415], grad_fn=<MulBackward0>)',
         'g3': 'tensor([-1.0000, -0.8776, -0.5403])'},
    'create_graph_backward_keeps_graph_on_grad':
        {'first': 'tensor([12.], grad_fn=<<grad_fn>>)', 'second': 'tensor([12.])'},
    'create_graph_backward_grad_fn_of_leaf_grad':
        'torch::autograd::CopyBackwards',
    'backward_inputs':
        {'x.grad': 'tensor([18., 64.])',
         'w.grad': 'None',
         'nonleaf h2.grad': 'tensor([ 6., 12.])',
         'x2.grad': 'None'},
    'backward_inputs_nonleaf_marks_retains_grad':
        True,
    'autograd_backward_function':
        'tensor([2.3000, 2.6000])',
    'create_graph_retains_graph_by_default':
        {'g': 'tensor([12.], grad_fn=<MulBackward0>)',
         'first': 'tensor([12.])',
         'second': ('RuntimeError',
                    'Trying to backward through the graph a second time (or directly access saved '
                    'tensors after they have already been freed). Saved intermediate values of the '
                    'graph are freed when you call .backward() or autograd.grad(). Specify '
                    'retain_graph=True if you need to backward through the graph a second time or if '
                    'you need to access saved tensors after calling backward.')},
    'detach_inplace':
        {'same': True, 'y': 'tensor([2., 4.])', 'is_leaf': True, 'requires_grad': False},
    'inference_tensor_in_autograd':
        {'c': 'tensor([2., 4.])',
         'saved_for_backward': ('RuntimeError',
                                'Inference tensors cannot be saved for backward. Please do not use '
                                'Tensors created in inference mode in computation tracked by autograd. '
                                'To work around this, you can make a clone to get a normal tensor and '
                                'use it in autograd, or use `torch.no_grad()` instead of '
                                '`torch.inference_mode()`.'),
         'not_saved': 'tensor([5., 8.], grad_fn=<AddBackward0>)'},
    'requires_grad_propagation':
        [True, False, False, True, False, False],
    'detect_anomaly_nan_in_sqrt_backward':
        {'error': ('RuntimeError', "Function 'SqrtBackward0' returned nan values in its 0th output."),
         'warnings': [('UserWarning',
                       'Anomaly Detection has been enabled. This mode will increase the runtime and '
                       'should only be enabled for debugging.'),
                      ('UserWarning',
                       'Error detected in SqrtBackward0. Traceback of forward call that caused the '
                       'error:')],
         'names_forward_line': True,
         'names_scenario': True},
    'set_detect_anomaly':
        {'first': None,
         'second': ('RuntimeError', "Function 'SqrtBackward0' returned nan values in its 0th output.")},
    'is_anomaly_enabled':
        [False, True, False, True, False],
    'nan_and_inf_raise_no_warnings':
        {'y': 'tensor([   nan,    nan, 3.6363], grad_fn=<AddBackward0>)',
         'x.grad': 'tensor([   nan,    nan, 0.4375])',
         'warnings': []},
    'no_anomaly_means_nan_passes':
        'tensor([   nan, 0.2500])',
    'custom_function':
        {'repr': 'tensor([ 6., 16.], grad_fn=<MulConstBackward>)',
         'name': 'MulConstBackward',
         'type': 'MulConstBackward',
         'next': ['torch::autograd::AccumulateGrad', None],
         'saved': ['tensor([1., 2.], requires_grad=True)', 'tensor([3., 4.])'],
         'a.grad': 'tensor([6., 8.])',
         'log': [('needs_input_grad', (True, False, False))],
         'saved_after': ('RuntimeError',
                         'Trying to backward through the graph a second time (or directly access saved '
                         'tensors after they have already been freed). Saved intermediate values of '
                         'the graph are freed when you call .backward() or autograd.grad(). Specify '
                         'retain_graph=True if you need to backward through the graph a second time or '
                         'if you need to access saved tensors after calling backward.')},
    'custom_function_no_grad_inputs':
        {'repr': 'tensor([2., 4.])',
         'grad_fn': None,
         'inside': 'tensor([2.], grad_fn=<DoubleBackward>)',
         'no_grad': 'tensor([2.])'},
    'custom_function_two_outputs':
        {'p': 'tensor([2., 4.], grad_fn=<SplitBackward>)',
         'q': 'tensor([3., 6.], grad_fn=<SplitBackward>)',
         'same_node': True,
         'output_nr': [0, 1],
         'x.grad': 'tensor([3., 3.])'},
    'custom_function_returns_input_and_marks':
        {'same object': False,
         'y': 'tensor([1., 2.], grad_fn=<IdentityBackward>)',
         'name': 'IdentityBackward',
         'x.grad': 'tensor([10., 10.])',
         'idx': ('tensor([1])', False, None),
         'v': 'tensor([1., 2.], grad_fn=<ArgMaxishBackward>)'},
    'custom_function_saves_output':
        {'y': 'tensor([1.0000, 2.7183], grad_fn=<ExpBackward>)',
         'saved': ['tensor([1.0000, 2.7183], grad_fn=<ExpBackward>)'],
         'x.grad': 'tensor([1.0000, 2.7183])',
         'again': ('RuntimeError',
                   'Trying to backward through the graph a second time (or directly access saved '
                   'tensors after they have already been freed). Saved intermediate values of the '
                   'graph are freed when you call .backward() or autograd.grad(). Specify '
                   'retain_graph=True if you need to backward through the graph a second time or if '
                   'you need to access saved tensors after calling backward.')},
    'custom_function_wrong_grad_shape':
        ('RuntimeError',
         'Function BadBackward returned an invalid gradient at index 0 - got [3] but expected shape '
         'compatible with [2]'),
    'custom_function_grad_for_non_tensor_input':
        {'x.grad': 'tensor([4., 4.])', 'next': ['torch::autograd::AccumulateGrad']},
    'order_multiple_roots':
        {'order': ['c', 'b', 'a', 'acc:x'], 'x.grad': 'tensor([1.8860, 6.0818])'},
    'grad_of_nonscalar_with_retain_graph':
        ['tensor([2., 4.])',
         'tensor([ 4., 12.])',
         ('RuntimeError',
          'Trying to backward through the graph a second time (or directly access saved tensors after '
          'they have already been freed). Saved intermediate values of the graph are freed when you '
          'call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward '
          'through the graph a second time or if you need to access saved tensors after calling '
          'backward.')],
    'grad_of_intermediate_and_leaf_together':
        ['tensor([ 6., 12.])', 'tensor([18., 36.])'],
    'leaf_hook_with_two_uses':
        {'seen': ['tensor([7., 7.])'], 'x.grad': 'tensor([7., 7.])'},
    'grad_fn_name_and_metadata':
        {'name': 'MulBackward0',
         'meta_type': 'dict',
         'meta_kept': {'tag': 'mine'},
         'acc_name': 'torch::autograd::AccumulateGrad',
         'acc_type': 'AccumulateGrad',
         'acc_next': (),
         'acc_variable_is_x': True,
         'same_acc_each_time': True},
    'saved_mul':
        {'repr': 'tensor([1., 3., 1.], grad_fn=<MulBackward0>)',
         'name': 'MulBackward0',
         'saved': {'_saved_other': 'tensor([2.0000, 3.0000, 0.5000], requires_grad=True)',
                   '_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_mul_scalar':
        {'repr': 'tensor([1.2500, 2.5000, 5.0000], grad_fn=<MulBackward0>)',
         'name': 'MulBackward0',
         'saved': {'_saved_other': 'tensor(2.5000, dtype=torch.float64)', '_saved_self': 'None'}},
    'saved_div':
        {'repr': 'tensor([0.2500, 0.3333, 4.0000], grad_fn=<DivBackward0>)',
         'name': 'DivBackward0',
         'saved': {'_saved_other': 'tensor([2.0000, 3.0000, 0.5000], requires_grad=True)',
                   '_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_div_scalar':
        {'repr': 'tensor([0.1250, 0.2500, 0.5000], grad_fn=<DivBackward0>)',
         'name': 'DivBackward0',
         'saved': {'_saved_other': 'tensor(4)', '_saved_self': 'None'}},
    'saved_add_alpha':
        {'repr': 'tensor([4.5000, 7.0000, 3.0000], grad_fn=<AddBackward0>)',
         'name': 'AddBackward0',
         'saved': {'_saved_alpha': '2'}},
    'saved_sub':
        {'repr': 'tensor([-1.5000, -2.0000,  1.5000], grad_fn=<SubBackward0>)',
         'name': 'SubBackward0',
         'saved': {'_saved_alpha': '1'}},
    'saved_pow_scalar':
        {'repr': 'tensor([0.1250, 1.0000, 8.0000], grad_fn=<PowBackward0>)',
         'name': 'PowBackward0',
         'saved': {'_saved_exponent': '3',
                   '_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_pow_tensor':
        {'repr': 'tensor([0.2500, 1.0000, 1.4142], grad_fn=<PowBackward1>)',
         'name': 'PowBackward1',
         'saved': {'_saved_exponent': 'tensor([2.0000, 3.0000, 0.5000], requires_grad=True)',
                   '_saved_result': 'tensor([0.2500, 1.0000, 1.4142], grad_fn=<PowBackward1>)',
                   '_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_rpow':
        {'repr': 'tensor([1.4142, 2.0000, 4.0000], grad_fn=<PowBackward2>)',
         'name': 'PowBackward2',
         'saved': {'_saved_exponent': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)',
                   '_saved_result': 'tensor([1.4142, 2.0000, 4.0000], grad_fn=<PowBackward2>)',
                   '_saved_self': '2'}},
    'saved_exp':
        {'repr': 'tensor([1.6487, 2.7183, 7.3891], grad_fn=<ExpBackward0>)',
         'name': 'ExpBackward0',
         'saved': {'_saved_result': 'tensor([1.6487, 2.7183, 7.3891], grad_fn=<ExpBackward0>)'}},
    'saved_log':
        {'repr': 'tensor([-0.6931,  0.0000,  0.6931], grad_fn=<LogBackward0>)',
         'name': 'LogBackward0',
         'saved': {'_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_sqrt':
        {'repr': 'tensor([0.7071, 1.0000, 1.4142], grad_fn=<SqrtBackward0>)',
         'name': 'SqrtBackward0',
         'saved': {'_saved_result': 'tensor([0.7071, 1.0000, 1.4142], grad_fn=<SqrtBackward0>)'}},
    'saved_sin':
        {'repr': 'tensor([0.4794, 0.8415, 0.9093], grad_fn=<SinBackward0>)',
         'name': 'SinBackward0',
         'saved': {'_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_tanh':
        {'repr': 'tensor([0.4621, 0.7616, 0.9640], grad_fn=<TanhBackward0>)',
         'name': 'TanhBackward0',
         'saved': {'_saved_result': 'tensor([0.4621, 0.7616, 0.9640], grad_fn=<TanhBackward0>)'}},
    'saved_sigmoid':
        {'repr': 'tensor([0.6225, 0.7311, 0.8808], grad_fn=<SigmoidBackward0>)',
         'name': 'SigmoidBackward0',
         'saved': {'_saved_result': 'tensor([0.6225, 0.7311, 0.8808], grad_fn=<SigmoidBackward0>)'}},
    'saved_relu':
        {'repr': 'tensor([0.5000, 1.0000, 2.0000], grad_fn=<ReluBackward0>)',
         'name': 'ReluBackward0',
         'saved': {'_saved_result': 'tensor([0.5000, 1.0000, 2.0000], grad_fn=<ReluBackward0>)'}},
    'saved_neg':
        {'repr': 'tensor([-0.5000, -1.0000, -2.0000], grad_fn=<NegBackward0>)',
         'name': 'NegBackward0',
         'saved': {}},
    'saved_abs':
        {'repr': 'tensor([0.5000, 1.0000, 2.0000], grad_fn=<AbsBackward0>)',
         'name': 'AbsBackward0',
         'saved': {'_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_clamp':
        {'repr': 'tensor([0.5000, 1.0000, 1.5000], grad_fn=<ClampBackward1>)',
         'name': 'ClampBackward1',
         'saved': {'_saved_max': '1.5',
                   '_saved_min': '0.5',
                   '_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_mm':
        {'repr': 'tensor([[21., 13.],\n        [13., 34.]], grad_fn=<MmBackward0>)',
         'name': 'MmBackward0',
         'saved': {'_saved_mat2': 'tensor([[1., 3.],\n'
                                  '        [4., 0.],\n'
                                  '        [2., 5.]], grad_fn=<TBackward0>)',
                   '_saved_mat2_sym_sizes': '(3, 2)',
                   '_saved_mat2_sym_strides': '(1, 3)',
                   '_saved_self': 'tensor([[1., 4., 2.],\n        [3., 0., 5.]], requires_grad=True)',
                   '_saved_self_sym_sizes': '(2, 3)',
                   '_saved_self_sym_strides': '(3, 1)'}},
    'saved_t':
        {'repr': 'tensor([[1., 3.],\n        [4., 0.],\n        [2., 5.]], grad_fn=<TBackward0>)',
         'name': 'TBackward0',
         'saved': {}},
    'saved_transpose':
        {'repr': 'tensor([[1., 3.],\n'
                 '        [4., 0.],\n'
                 '        [2., 5.]], grad_fn=<TransposeBackward0>)',
         'name': 'TransposeBackward0',
         'saved': {'_saved_dim0': '0', '_saved_dim1': '1'}},
    'saved_view':
        {'repr': 'tensor([[1., 4.],\n        [2., 3.],\n        [0., 5.]], grad_fn=<ViewBackward0>)',
         'name': 'ViewBackward0',
         'saved': {'_saved_self_sym_sizes': '(2, 3)'}},
    'saved_reshape_flat':
        {'repr': 'tensor([1., 4., 2., 3., 0., 5.], grad_fn=<ViewBackward0>)',
         'name': 'ViewBackward0',
         'saved': {'_saved_self_sym_sizes': '(2, 3)'}},
    'saved_unsqueeze':
        {'repr': 'tensor([[0.5000, 1.0000, 2.0000]], grad_fn=<UnsqueezeBackward0>)',
         'name': 'UnsqueezeBackward0',
         'saved': {'_saved_dim': '0'}},
    'saved_select':
        {'repr': 'tensor([3., 0., 5.], grad_fn=<SelectBackward0>)',
         'name': 'SelectBackward0',
         'saved': {'_saved_dim': '0', '_saved_index': '1', '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_slice':
        {'repr': 'tensor([[4., 2.],\n        [0., 5.]], grad_fn=<SliceBackward0>)',
         'name': 'SliceBackward0',
         'saved': {'_saved_dim': '1',
                   '_saved_end': '9223372036854775807',
                   '_saved_self_sym_sizes': '(2, 3)',
                   '_saved_start': '1',
                   '_saved_step': '1'}},
    'saved_sum':
        {'repr': 'tensor(15., grad_fn=<SumBackward0>)',
         'name': 'SumBackward0',
         'saved': {'_saved_self_sym_sizes': '(2, 3)'}},
    'saved_sum_dim':
        {'repr': 'tensor([7., 8.], grad_fn=<SumBackward1>)',
         'name': 'SumBackward1',
         'saved': {'_saved_dim': '(1,)', '_saved_keepdim': 'False', '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_sum_dim_keepdim':
        {'repr': 'tensor([[4., 4., 7.]], grad_fn=<SumBackward1>)',
         'name': 'SumBackward1',
         'saved': {'_saved_dim': '(0,)', '_saved_keepdim': 'True', '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_mean':
        {'repr': 'tensor(2.5000, grad_fn=<MeanBackward0>)',
         'name': 'MeanBackward0',
         'saved': {'_saved_self_sym_numel': '6', '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_mean_dim':
        {'repr': 'tensor([2.3333, 2.6667], grad_fn=<MeanBackward1>)',
         'name': 'MeanBackward1',
         'saved': {'_saved_dim': '(1,)',
                   '_saved_keepdim': 'False',
                   '_saved_self_sym_numel': '6',
                   '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_max':
        {'repr': 'tensor(5., grad_fn=<MaxBackward1>)',
         'name': 'MaxBackward1',
         'saved': {'_saved_result': 'tensor(5., grad_fn=<MaxBackward1>)',
                   '_saved_self': 'tensor([[1., 4., 2.],\n        [3., 0., 5.]], requires_grad=True)'}},
    'saved_max_dim_values':
        {'repr': 'tensor([4., 5.], grad_fn=<MaxBackward0>)',
         'name': 'MaxBackward0',
         'saved': {'_saved_dim': '1',
                   '_saved_indices': 'tensor([1, 2])',
                   '_saved_keepdim': 'False',
                   '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_min_dim_values':
        {'repr': 'tensor([1., 0., 2.], grad_fn=<MinBackward0>)',
         'name': 'MinBackward0',
         'saved': {'_saved_dim': '0',
                   '_saved_indices': 'tensor([0, 1, 0])',
                   '_saved_keepdim': 'False',
                   '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_softmax':
        {'repr': 'tensor([[0.0420, 0.8438, 0.1142],\n'
                 '        [0.1185, 0.0059, 0.8756]], grad_fn=<SoftmaxBackward0>)',
         'name': 'SoftmaxBackward0',
         'saved': {'_saved_dim': '1',
                   '_saved_result': 'tensor([[0.0420, 0.8438, 0.1142],\n'
                                    '        [0.1185, 0.0059, 0.8756]], grad_fn=<SoftmaxBackward0>)'}},
    'saved_log_softmax':
        {'repr': 'tensor([[-3.1698, -0.1698, -2.1698],\n'
                 '        [-2.1328, -5.1328, -0.1328]], grad_fn=<LogSoftmaxBackward0>)',
         'name': 'LogSoftmaxBackward0',
         'saved': {'_saved_dim': '1',
                   '_saved_result': 'tensor([[-3.1698, -0.1698, -2.1698],\n'
                                    '        [-2.1328, -5.1328, -0.1328]], '
                                    'grad_fn=<LogSoftmaxBackward0>)'}},
    'saved_clone':
        {'repr': 'tensor([[1., 4., 2.],\n        [3., 0., 5.]], grad_fn=<CloneBackward0>)',
         'name': 'CloneBackward0',
         'saved': {}},
    'saved_cat':
        {'repr': 'tensor([0.5000, 1.0000, 2.0000, 2.0000, 3.0000, 0.5000],\n'
                 '       grad_fn=<CatBackward0>)',
         'name': 'CatBackward0',
         'saved': {'_saved_dim': '0'}},
    'saved_stack':
        {'repr': 'tensor([[0.5000, 1.0000, 2.0000],\n'
                 '        [2.0000, 3.0000, 0.5000]], grad_fn=<StackBackward0>)',
         'name': 'StackBackward0',
         'saved': {'_saved_dim': '0'}},
    'saved_rsub':
        {'repr': 'tensor([ 0.5000,  0.0000, -1.0000], grad_fn=<RsubBackward1>)',
         'name': 'RsubBackward1',
         'saved': {'_saved_alpha': '1'}},
    'saved_cos':
        {'repr': 'tensor([ 0.8776,  0.5403, -0.4161], grad_fn=<CosBackward0>)',
         'name': 'CosBackward0',
         'saved': {'_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_min':
        {'repr': 'tensor(0., grad_fn=<MinBackward1>)',
         'name': 'MinBackward1',
         'saved': {'_saved_result': 'tensor(0., grad_fn=<MinBackward1>)',
                   '_saved_self': 'tensor([[1., 4., 2.],\n        [3., 0., 5.]], requires_grad=True)'}},
    'saved_matmul_2d':
        {'repr': 'tensor([[21., 13.],\n        [13., 34.]], grad_fn=<MmBackward0>)',
         'name': 'MmBackward0',
         'saved': {'_saved_mat2': 'tensor([[1., 3.],\n'
                                  '        [4., 0.],\n'
                                  '        [2., 5.]], grad_fn=<TBackward0>)',
                   '_saved_mat2_sym_sizes': '(3, 2)',
                   '_saved_mat2_sym_strides': '(1, 3)',
                   '_saved_self': 'tensor([[1., 4., 2.],\n        [3., 0., 5.]], requires_grad=True)',
                   '_saved_self_sym_sizes': '(2, 3)',
                   '_saved_self_sym_strides': '(3, 1)'}},
    'saved_matmul_mv':
        {'repr': 'tensor([ 8.5000, 11.5000], grad_fn=<MvBackward0>)',
         'name': 'MvBackward0',
         'saved': {'_saved_self': 'tensor([[1., 4., 2.],\n        [3., 0., 5.]], requires_grad=True)',
                   '_saved_vec': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_matmul_dot':
        {'repr': 'tensor(5., grad_fn=<DotBackward0>)',
         'name': 'DotBackward0',
         'saved': {'_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)',
                   '_saved_tensor': 'tensor([2.0000, 3.0000, 0.5000], requires_grad=True)'}},
    'saved_matmul_batched':
        {'repr': 'tensor([[[21., 13.],\n'
                 '         [13., 34.]],\n'
                 '\n'
                 '        [[21., 13.],\n'
                 '         [13., 34.]]], grad_fn=<UnsafeViewBackward0>)',
         'name': 'UnsafeViewBackward0',
         'saved': {'_saved_self_sym_sizes': '(2, 2, 2)'}},
    'saved_bmm':
        {'repr': 'tensor([[[21., 13.],\n         [13., 34.]]], grad_fn=<BmmBackward0>)',
         'name': 'BmmBackward0',
         'saved': {'_saved_mat2': 'tensor([[[1., 3.],\n'
                                  '         [4., 0.],\n'
                                  '         [2., 5.]]], grad_fn=<UnsqueezeBackward0>)',
                   '_saved_self': 'tensor([[[1., 4., 2.],\n'
                                  '         [3., 0., 5.]]], grad_fn=<UnsqueezeBackward0>)'}},
    'saved_mv':
        {'repr': 'tensor([15.0000,  8.5000], grad_fn=<MvBackward0>)',
         'name': 'MvBackward0',
         'saved': {'_saved_self': 'tensor([[1., 4., 2.],\n        [3., 0., 5.]], requires_grad=True)',
                   '_saved_vec': 'tensor([2.0000, 3.0000, 0.5000], requires_grad=True)'}},
    'saved_dot':
        {'repr': 'tensor(5., grad_fn=<DotBackward0>)',
         'name': 'DotBackward0',
         'saved': {'_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)',
                   '_saved_tensor': 'tensor([2.0000, 3.0000, 0.5000], requires_grad=True)'}},
    'saved_permute':
        {'repr': 'tensor([[1., 3.],\n        [4., 0.],\n        [2., 5.]], grad_fn=<PermuteBackward0>)',
         'name': 'PermuteBackward0',
         'saved': {'_saved_dims': '(1, 0)'}},
    'saved_expand':
        {'repr': 'tensor([[0.5000, 1.0000, 2.0000],\n'
                 '        [0.5000, 1.0000, 2.0000]], grad_fn=<ExpandBackward0>)',
         'name': 'ExpandBackward0',
         'saved': {'_saved_self_sym_sizes': '(1, 3)'}},
    'saved_squeeze':
        {'repr': 'tensor([1., 4., 2.], grad_fn=<SqueezeBackward0>)',
         'name': 'SqueezeBackward0',
         'saved': {'_saved_self_sym_sizes': '(1, 3)'}},
    'saved_squeeze_dim':
        {'repr': 'tensor([1., 4., 2.], grad_fn=<SqueezeBackward1>)',
         'name': 'SqueezeBackward1',
         'saved': {'_saved_dim': '0', '_saved_self_sym_sizes': '(1, 3)'}},
    'saved_index':
        {'repr': 'tensor([[3., 0., 5.],\n        [1., 4., 2.]], grad_fn=<IndexBackward0>)',
         'name': 'IndexBackward0',
         'saved': {'_saved_indices': '(tensor([1, 0]),)', '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_index_mask':
        {'repr': 'tensor([1., 2.], grad_fn=<IndexBackward0>)',
         'name': 'IndexBackward0',
         'saved': {'_saved_indices': '(tensor([False,  True,  True]),)',
                   '_saved_self_sym_sizes': '(3,)'}},
    'saved_flatten':
        {'repr': 'tensor([1., 4., 2., 3., 0., 5.], grad_fn=<ViewBackward0>)',
         'name': 'ViewBackward0',
         'saved': {'_saved_self_sym_sizes': '(2, 3)'}},
    'saved_reshape_noncontig':
        {'repr': 'tensor([1., 3., 4., 0., 2., 5.], grad_fn=<UnsafeViewBackward0>)',
         'name': 'UnsafeViewBackward0',
         'saved': {'_saved_self_sym_sizes': '(3, 2)'}},
    'saved_where':
        {'repr': 'tensor([2., 1., 2.], grad_fn=<WhereBackward0>)',
         'name': 'WhereBackward0',
         'saved': {'_saved_condition': 'tensor([False,  True,  True])'}},
    'saved_mean_dim_keepdim':
        {'repr': 'tensor([[2.0000, 2.0000, 3.5000]], grad_fn=<MeanBackward1>)',
         'name': 'MeanBackward1',
         'saved': {'_saved_dim': '(0,)',
                   '_saved_keepdim': 'True',
                   '_saved_self_sym_numel': '6',
                   '_saved_self_sym_sizes': '(2, 3)'}},
    'saved_sub_alpha':
        {'repr': 'tensor([-5.5000, -8.0000,  0.5000], grad_fn=<SubBackward0>)',
         'name': 'SubBackward0',
         'saved': {'_saved_alpha': '3'}},
    'saved_pow_scalar_half':
        {'repr': 'tensor([0.7071, 1.0000, 1.4142], grad_fn=<PowBackward0>)',
         'name': 'PowBackward0',
         'saved': {'_saved_exponent': '0.5',
                   '_saved_self': 'tensor([0.5000, 1.0000, 2.0000], requires_grad=True)'}},
    'saved_div_rscalar':
        {'repr': 'tensor([4., 2., 1.], grad_fn=<MulBackward0>)',
         'name': 'MulBackward0',
         'saved': {'_saved_other': 'tensor(2)', '_saved_self': 'None'}},
    'saved_neg_via_mul':
        {'repr': 'tensor([-0.5000, -1.0000, -2.0000], grad_fn=<MulBackward0>)',
         'name': 'MulBackward0',
         'saved': {'_saved_other': 'tensor(-1)', '_saved_self': 'None'}},
    'max_dim_returns_values_and_indices':
        {'values': 'tensor([4., 5.], grad_fn=<MaxBackward0>)',
         'indices': 'tensor([1, 2])',
         'fields': 'max',
         'named': ['tensor([4., 5.], grad_fn=<MaxBackward0>)', 'tensor([1, 2])'],
         'm.grad': 'tensor([[0., 1., 0.],\n        [0., 0., 1.]])'},
    'type_promotion':
        {'int_tensor * float': ('torch.float32', 'tensor([2.5000, 5.0000])'),
         'int_tensor * int': ('torch.int64', 'tensor([2, 4])'),
         'int_tensor / int_tensor': ('torch.float32', 'tensor([0.5000, 0.5000])'),
         'int_tensor / int': ('torch.float32', 'tensor([1.5000, 2.0000])'),
         'float32 * float64 0-dim': ('torch.float32', 'tensor([2., 4.])'),
         'float32 + float64 1-d': ('torch.float64', 'tensor([3., 4.], dtype=torch.float64)'),
         'int * float64 0-dim': ('torch.float64', 'tensor([2.5000, 5.0000], dtype=torch.float64)'),
         'int64 0-dim * float32': ('torch.float32', 'tensor([4.5000, 6.0000])'),
         'bool + int': ('torch.int64', 'tensor([2, 1])'),
         'bool + bool': ('torch.bool', 'tensor([True, True])'),
         'float64 * python float': ('torch.float64', 'tensor([0.1000], dtype=torch.float64)'),
         'int ** 2': ('torch.int64', 'tensor([4, 9])'),
         'int ** 0.5': ('torch.float32', 'tensor([2., 3.])'),
         'int.sum()': ('torch.int64', 'tensor(6)'),
         'bool.sum()': ('torch.int64', 'tensor(2)'),
         'int - float': ('torch.float32', 'tensor([ 0.5000, -0.5000])'),
         'int comparison': ('torch.bool', 'tensor([False,  True])'),
         'int.exp()': ('torch.float32', 'tensor([1.0000, 2.7183])'),
         'float32 requires_grad * float64 0-dim': ('torch.float32',
                                                   'tensor([3., 6.], grad_fn=<MulBackward0>)')},
    'mixed_dtype_gradients_keep_leaf_dtype':
        ['tensor([0.5000, 0.2500])', 'tensor([1., 2.], dtype=torch.float64)'],
    'mixed_dtype_gradient_into_a_non_leaf':
        ['torch.float32', ['tensor(3., dtype=torch.float64)'], 'tensor([1.5000, 1.5000])'],
    'hook_on_an_unused_split_output_gets_none':
        [('a', [2.0, 2.0]), ('b', None), ('pre', [[2.0, 2.0], None]),
         ('post', [[2.0, 2.0, 0.0, 0.0]], [[2.0, 2.0], None])],
    'a_node_given_no_gradient_still_runs_its_hooks':
        [('z', None), ('pre', [None]), ('post', [None, None], [None])],
    'a_node_given_no_gradient_frees_its_saved_tensors':
        'RuntimeError',
    'leaf_hooks_fire_with_no_gradient':
        [[('hook', None), ('post', None)], True],
}
