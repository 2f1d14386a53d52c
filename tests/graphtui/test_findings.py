"""The findings (graphtui.model.findings), each as the exact sentence it states, from the
events of real runs of the engine (and, for a mute, which only the debugger does, from
events written by hand)."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from engine import trace
from graphtui.model.describe import short_paths
from graphtui.model.findings import (
    BACKWARD_TWICE, ERROR, GRAD_NONE, HOOK, INFO, INPLACE, NAN, WARNING, Finding, find,
)
from graphtui.session import Session


@pytest.fixture
def log_of(tmp_path):
    """Run a scenario source (written as ``NAME``) to its end; its event log."""
    sessions: list[Session] = []

    def run(source: str, name: str = "a.py"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        session = Session(path, break_on_backward=False)
        sessions.append(session)
        session.start()
        assert session.wait_until_finished(60)      # a guard against hanging, not a timing
        return session.log
    yield run
    for session in sessions:
        session.stop()


def texts(findings: list[Finding], kind: str) -> list[str]:
    """The findings of one kind as the user reads them (paths short: outside the working
    directory a file is named by its name)."""
    return [short_paths(f.text) for f in findings if f.kind == kind]


def only(findings: list[Finding], kind: str) -> Finding:
    matching = [f for f in findings if f.kind == kind]
    assert len(matching) == 1, matching
    return matching[0]


def index_of(log, event_type, start: int = 0) -> int:
    return next(i for i, e in enumerate(log) if i >= start and isinstance(e, event_type))


# ---------------------------------------------------------------- in place

# The issue's example: the op at line 19, the in-place edit at line 22.
INPLACE_SOURCE = ("import engine as torch\n"
                  "x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)\n"
                  + "#\n" * 16
                  + "h = x.exp()\n\n\nh.add_(1)\nh.sum().backward()\n")


def test_inplace_error_is_the_issues_sentence(log_of):
    log = log_of(INPLACE_SOURCE)
    finding = only(find(log), INPLACE)
    assert short_paths(finding.text) == (
        "ExpBackward0 (made at a.py:19) saved `result`; `h.add_(1)` at a.py:22 changed it "
        "(version 0 -> 1); backward needs version 0")
    assert finding.severity == ERROR
    assert isinstance(log[finding.step], trace.ErrorRaised)          # linked to the error
    assert log[finding.step].node_id == finding.node_id
    assert [short_paths(x) for x in finding.locations] == ["a.py:19", "a.py:22"]


def test_inplace_change_is_a_warning_before_backward_runs(log_of):
    log = log_of(INPLACE_SOURCE)
    edit = index_of(log, trace.TensorModified)
    finding = only(find(log[:edit + 1]), INPLACE)
    assert finding.severity == WARNING and finding.step == edit
    assert short_paths(finding.text) == (
        "ExpBackward0 (made at a.py:19) saved `result`; `h.add_(1)` at a.py:22 changed it "
        "(version 0 -> 1); backward needs version 0: a backward through ExpBackward0 will "
        "fail")


def test_an_edit_through_a_view_of_the_saved_tensor_is_found(log_of):
    log = log_of("""
        import engine as torch
        x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
        h = x.exp()
        v = h[:2]
        v.add_(1)
        h.sum().backward()
    """)
    assert texts(find(log), INPLACE) == [
        "ExpBackward0 (made at a.py:3) saved `result`; `v.add_(1)` at a.py:5 changed it "
        "through a view (version 0 -> 1); backward needs version 0"]


# A saved view of `b` (v * v saves v twice), then b changed in place: one version counter.
SAVED_VIEW_SOURCE = """
    import engine as torch
    a = torch.ones(4, requires_grad=True)
    b = a * 2
    v = b[:2]
    y = v * v
    b.add_(1)
    y.sum().backward()
"""


def test_an_edit_of_the_base_of_a_saved_view_is_a_warning_before_backward(log_of):
    log = log_of(SAVED_VIEW_SOURCE)
    edit = index_of(log, trace.TensorModified)
    assert log[edit].base_id is None                   # b is no view: its storage tells
    assert texts(find(log[:edit + 1]), INPLACE) == [
        f"MulBackward0 (made at a.py:5) saved `{name}`; `b.add_(1)` at a.py:6 changed it "
        f"through `b`, which shares its memory (version 0 -> 1); backward needs version 0: "
        f"a backward through MulBackward0 will fail" for name in ("other", "self")]
    assert {f.step for f in find(log[:edit + 1]) if f.kind == INPLACE} == {edit}


def test_the_base_edit_is_the_error_when_backward_fails(log_of):
    log = log_of(SAVED_VIEW_SOURCE)
    (finding,) = [f for f in find(log) if f.kind == INPLACE]     # one per failed node
    assert finding.severity == ERROR and isinstance(log[finding.step], trace.ErrorRaised)
    assert short_paths(finding.text).endswith(
        "`b.add_(1)` at a.py:6 changed it through `b`, which shares its memory "
        "(version 0 -> 1); backward needs version 0")


def test_an_edit_of_a_sibling_view_is_found(log_of):
    log = log_of("""
        import engine as torch
        a = torch.ones(4, requires_grad=True)
        b = a * 2
        y = b[:2].exp()
        b[2:].mul_(3)
    """)
    assert texts(find(log), INPLACE) == []     # exp saved its own output: no alias of b
    log = log_of("""
        import engine as torch
        a = torch.ones(4, requires_grad=True)
        b = a * 2
        first = b[:2]
        y = first * 3
        y = first.sin()
        b[2:].mul_(3)
    """, "b.py")
    assert texts(find(log), INPLACE) == [
        "SinBackward0 (made at b.py:6) saved `self`; `b[2:].mul_(3)` at b.py:7 changed it "
        "through another view of its memory (version 0 -> 1); backward needs version 0: a "
        "backward through "
        "SinBackward0 will fail"]


def test_an_edit_after_backward_freed_the_saved_value_is_no_finding(log_of):
    log = log_of("""
        import engine as torch
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        h = x.exp()
        h.sum().backward()
        h.add_(1)
    """)
    assert texts(find(log), INPLACE) == []


# ---------------------------------------------------------------- NaN / Inf

NAN_SOURCE = """
import engine as torch
x = torch.tensor([-1.0, 4.0], requires_grad=True)
y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))
y.sum().backward()
"""


def test_first_nan_of_the_forward_names_the_op_line_and_input_statistics(log_of):
    findings = find(log_of(NAN_SOURCE))
    forward = [f for f in findings if f.kind == NAN and f.text.startswith("Forward")]
    assert [short_paths(f.text) for f in forward] == [
        "Forward: the output of SqrtBackward0 (made at a.py:3) holds 1 NaN of 2 values, the "
        "first op output with NaN/Inf; its inputs: `x` (min -1, max 4, mean 1.5, 0 NaN, 0 Inf)"]
    assert forward[0].node_id is not None and forward[0].severity == WARNING


def test_first_nan_of_the_backward_is_told_apart_from_the_forward(log_of):
    log = log_of(NAN_SOURCE)
    backward = [f for f in find(log) if f.kind == NAN and f.text.startswith("Backward")]
    assert [short_paths(f.text) for f in backward] == [
        "Backward: in backward 1 (at a.py:4), SqrtBackward0 (made at a.py:3) produced a "
        "gradient holding 1 NaN of 2 values from an incoming gradient without NaN/Inf "
        "(min 0, max 1, mean 0.5, 0 NaN, 0 Inf)"]
    assert isinstance(log[backward[0].step], trace.NodeExecuted)


def test_a_nan_given_to_backward_is_blamed_on_the_seed(log_of):
    findings = find(log_of("""
        import engine as torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.backward(torch.tensor([float("nan"), 1.0]))
    """))
    assert texts(findings, NAN) == [
        "Backward: backward 1 (at a.py:4) started from a gradient holding 1 NaN of 2 values, "
        "given to MulBackward0 (made at a.py:3)"]


def test_uninitialised_parameters_are_not_a_forward_nan(log_of):
    # nn layers make their parameters empty (any bits, NaN included) and then initialise them.
    findings = find(log_of("""
        import engine as torch
        import engine.nn as nn
        torch.manual_seed(0)
        layer = nn.Linear(300, 200)
        layer(torch.ones(1, 300)).sum().backward()
    """))
    assert texts(findings, NAN) == []


ATTENTION_MASK_SOURCE = """
    import engine as torch
    scores = torch.tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)
    mask = torch.tensor([[False, True], [False, False]])
    att = scores.masked_fill(mask, float("-inf"))
    kept = torch.where(mask, float("-inf"), scores * 2)
    bias = torch.zeros(2, 2)
    bias.masked_fill_(mask, float("-inf"))
    probs = torch.softmax(att, dim=-1) + torch.softmax(kept + bias, dim=-1)
    probs.sum().backward()
    bad = scores.masked_fill(mask | mask.T, float("nan"))
"""


def test_an_attention_mask_of_minus_inf_is_no_nan_finding(log_of):
    # masked_fill / where / masked_fill_ writing the user's -inf is a mask, and `kept + bias`
    # holds the Inf its input `kept` already held; a NaN written the same way is a fault.
    log = log_of(ATTENTION_MASK_SOURCE)
    forward = [short_paths(f.text) for f in find(log)
               if f.kind == NAN and f.text.startswith("Forward")]
    assert len(forward) == 1, forward
    assert forward[0].startswith("Forward: the output of MaskedFillBackward0 (made at a.py:10) "
                                 "holds 2 NaN of 4 values"), forward


# ---------------------------------------------------------------- .grad is None

GRAD_NONE_SOURCE = """
import engine as torch
w = torch.tensor([1.0, 2.0], requires_grad=True)
unused = torch.tensor([3.0], requires_grad=True)
frozen = torch.tensor([4.0, 5.0])
other = torch.tensor([6.0], requires_grad=True)
detached = w.detach()
with torch.no_grad():
    scaled = w * 10
hidden = w * frozen
side = other * 2
(hidden + detached + scaled).sum().backward()
"""


def named(log, name: str) -> int:
    return next(e.tensor_id for e in log if isinstance(e, trace.TensorNamed) and e.name == name)


def test_leaves_that_require_grad_get_their_reason(log_of):
    assert texts(find(log_of(GRAD_NONE_SOURCE)), GRAD_NONE) == [
        "`unused.grad` is None: not reachable from the root of backward 1 (at a.py:11): no "
        "recorded op used it",
        "`other.grad` is None: the backward that would reach it never ran: it feeds only the "
        "graph of `side`, whose last op is MulBackward0 at a.py:10, and no backward started "
        "from `side`"]


def test_a_tied_layers_replaced_weight_is_no_grad_none_finding(log_of):
    # The Linear's own weight, replaced by the embedding's, has no name and no use.
    findings = find(log_of("""
        import engine as torch
        import engine.nn as nn
        emb, out = nn.Embedding(5, 3), nn.Linear(3, 5, bias=False)
        out.weight = emb.weight
        unused = torch.ones(2, requires_grad=True)
        out(emb(torch.tensor([1, 2]))).sum().backward()
    """))
    assert texts(findings, GRAD_NONE) == [
        "`unused.grad` is None: not reachable from the root of backward 1 (at a.py:6): no "
        "recorded op used it"]


@pytest.mark.parametrize("name, reason", [
    ("detached", "made by detach() at a.py:6, which cuts it off the graph"),
    ("scaled", "made under no_grad at a.py:8, so no graph was recorded for it"),
    ("frozen", "it never required grad (requires_grad=False)"),
    ("hidden", "not a leaf: its grad_fn is MulBackward0 (made at a.py:9), and backward keeps "
               "a non-leaf's gradient only after retain_grad()"),
])
def test_a_tensor_looked_at_gets_its_reason(log_of, name, reason):
    log = log_of(GRAD_NONE_SOURCE)
    findings = find(log, selected=[named(log, name)])
    assert f"`{name}.grad` is None: {reason}" in texts(findings, GRAD_NONE)
    finding = next(f for f in findings if f.text.startswith(f"`{name}.grad`"))
    assert finding.tensor_id == named(log, name)
    assert finding.severity == INFO            # a question answered, not a problem
    unused = next(f for f in findings if f.text.startswith("`unused.grad`"))
    assert unused.severity == WARNING          # a leaf that requires grad and got none


def test_reading_a_non_leafs_grad_counts_as_looking_at_it(log_of):
    findings = find(log_of("""
        import engine as torch
        x = torch.tensor([1.0], requires_grad=True)
        y = x * 2
        y.sum().backward()
        print(y.grad)
    """))
    assert texts(findings, GRAD_NONE) == [
        "`y.grad` is None: not a leaf: its grad_fn is MulBackward0 (made at a.py:3), and "
        "backward keeps a non-leaf's gradient only after retain_grad()"]


def test_no_backward_at_all_is_one_finding_for_every_leaf(log_of):
    findings = find(log_of("""
        import engine as torch
        a = torch.ones(2, requires_grad=True)
        b = torch.ones(2, requires_grad=True)
        c = torch.ones(2, requires_grad=True)
        d = torch.ones(2, requires_grad=True)
        loss = (a * b * c * d).sum()
    """))
    assert texts(findings, GRAD_NONE) == [
        "`a.grad`, `b.grad`, `c.grad` and 1 more are None: no backward ran"]


def test_a_failed_backward_and_a_cleared_grad(log_of):
    findings = find(log_of("""
        import engine as torch
        x = torch.tensor([1.0], requires_grad=True)
        y = x * 3
        y.backward()
        x.grad = None
        q = torch.tensor([1.0], requires_grad=True)
        (q * 2).backward()
        q.grad = None
        y.backward()
    """))
    assert texts(findings, GRAD_NONE) == [
        "`x.grad` is None: backward 3 (at a.py:9) failed before reaching it",
        "`q.grad` is None: set to None after the last backward that reached it (zero_grad or "
        "`.grad = None`)"]


def test_autograd_grad_fills_no_grad(log_of):
    log = log_of("""
        import engine as torch
        x = torch.tensor([1.0], requires_grad=True)
        (g,) = torch.autograd.grad((x * 3).sum(), x)
    """)
    assert texts(find(log), GRAD_NONE) == []        # expected: nobody's question
    assert only(find(log, selected=[named(log, "x")]), GRAD_NONE).severity == INFO
    assert texts(find(log, selected=[named(log, "x")]), GRAD_NONE) == [
        "`x.grad` is None: autograd.grad 1 (at a.py:3) returns the gradients instead of "
        "filling .grad"]


def test_leaves_only_autograd_grad_reached_are_questions_not_problems(log_of):
    # jacobian's own input (a detached, unnamed copy) is nobody's question; a named leaf
    # that only autograd.grad reached, or that a later backward never met, is told as info.
    findings = find(log_of("""
        import engine as torch
        from engine.autograd.functional import jacobian
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        print(jacobian(lambda v: v.sin(), x.detach()))
        q = torch.tensor([1.0], requires_grad=True)
        (g,) = torch.autograd.grad((q * 2).sum(), q)
        w = torch.tensor([3.0], requires_grad=True)
        (w * 2).sum().backward()
    """))
    assert texts(findings, GRAD_NONE) == [
        "`x.grad` is None: not reachable from the root of backward 4 (at a.py:8): no recorded "
        "op used it"]                            # a backward came, and x was not in its graph


def test_a_detached_copy_made_a_leaf_again_is_no_detach_finding(log_of):
    findings = find(log_of("""
        import engine as torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        fresh = x.detach().requires_grad_()
        (x * 2).sum().backward()
    """))
    assert texts(findings, GRAD_NONE) == [
        "`fresh.grad` is None: not reachable from the root of backward 1 (at a.py:4): no "
        "recorded op used it"]


# ---------------------------------------------------------------- backward twice

def test_backward_twice_names_the_backward_that_freed_and_the_fix(log_of):
    log = log_of("""
        import engine as torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.backward(torch.ones(2))
        y.backward(torch.ones(2))
    """)
    finding = only(find(log), BACKWARD_TWICE)
    assert short_paths(finding.text) == (
        "backward 2 (at a.py:5) needs `other` of MulBackward0 (made at a.py:3), which "
        "backward 1 (at a.py:4) freed; pass retain_graph=True to that backward, or run the "
        "forward again")
    assert finding.severity == ERROR and isinstance(log[finding.step], trace.ErrorRaised)
    assert [short_paths(x) for x in finding.locations] == ["a.py:4", "a.py:5", "a.py:3"]


def test_retain_graph_leaves_nothing_to_report(log_of):
    findings = find(log_of("""
        import engine as torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.backward(torch.ones(2), retain_graph=True)
        y.backward(torch.ones(2))
    """))
    assert findings == []


# ---------------------------------------------------------------- hooks

HOOKS_SOURCE = """
import engine as torch
import engine.nn as nn
torch.manual_seed(0)
def double(grad):
    return grad * 2
def look(grad):
    pass
def gone(grad):
    return grad
def late(module, grad_input, grad_output):
    pass
x = torch.tensor([3.0, 4.0], requires_grad=True)
unused = torch.tensor([1.0], requires_grad=True)
y = x * 1
y.register_hook(double)
y.register_hook(look)
x.register_hook(gone).remove()
unused.register_hook(gone)
linear = nn.Linear(2, 1)
out = linear(y)
linear.register_full_backward_hook(late)
(out.sum() + y.sum()).backward()
"""


def test_each_hooks_effect_and_why_the_others_never_fired(log_of):
    log = log_of(HOOKS_SOURCE)
    # x.grad is y's gradient after `double` (y = x * 1): its norm is the norm after the hook,
    # half of it the norm before.
    x_grad = next(e.grad for e in log if isinstance(e, trace.GradAccumulated)
                  and e.tensor_id == named(log, "x"))
    after = float(np.linalg.norm(x_grad.values.astype(np.float64)))
    assert texts(find(log), HOOK) == [
        f"tensor hook `double` on `y` fired once; the last time replaced the gradient: norm "
        f"{after / 2:.4g} -> {after:.4g}",
        f"tensor hook `look` on `y` fired once; the last time returned None: gradient "
        f"unchanged (norm {after:.4g})",
        "tensor hook `gone` on `x` never fired: it was removed before it had a chance to fire",
        "tensor hook `gone` on `unused` never fired: `unused` got no gradient in any backward",
        "full backward hook `late` on `Linear` never fired: it was registered after "
        "`Linear`'s forward (which captures a module's backward hooks), so it applies from "
        "the next forward only"]


def test_a_hook_the_debugger_muted_is_said_to_be_muted():
    grad = trace.summarize(np.array([1.0, 2.0], dtype=np.float32))
    events = [
        trace.TensorCreated(1, None, (2,), "float32", True, True, None, grad),
        trace.TensorNamed(1, "x"),
        trace.HookRegistered(7, "tensor", "tensor:1", "show"),
        trace.HookFired(7, "tensor", "tensor:1", (grad,), muted=True),
        trace.HookFired(7, "tensor", "tensor:1", (grad,), muted=True),
    ]
    finding = only(find(events), HOOK)
    assert finding.text == ("tensor hook `show` on `x` never fired: the debugger muted it, "
                            "so it was skipped 2 times")
    assert finding.severity == WARNING and finding.step == 4 and finding.tensor_id == 1


def test_a_hook_that_fired_is_info_and_links_its_last_firing(log_of):
    log = log_of(HOOKS_SOURCE)
    double = next(f for f in find(log) if "`double`" in f.text)
    assert double.severity == INFO
    fired = log[double.step]
    assert isinstance(fired, trace.HookFired) and fired.replaced


# ---------------------------------------------------------------- the whole list

def test_findings_are_listed_by_kind_and_a_clean_run_has_none(log_of):
    assert find(log_of("""
        import engine as torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
    """)) == []


def test_the_in_place_line_is_quoted_from_the_source_or_named(log_of):
    log = log_of(INPLACE_SOURCE)
    unread = only(find(log, read_line=lambda location: None), INPLACE)
    assert "`h.add_(…)` at " in unread.text
