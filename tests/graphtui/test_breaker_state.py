"""Breakpoints set while a run goes on: what the breaker kept up without any breakpoint
(graphtui.runner.breaker) serves the ones set later."""
from __future__ import annotations

from engine import trace
from graphtui.runner.breaker import Breaker

from tests.graphtui.test_breakpoints import hits_of, module_events


def test_a_module_breakpoint_set_after_the_forward_knows_its_nodes():
    events = module_events()
    breaker = Breaker()
    assert hits_of(breaker, events[:8]) == []
    breaker.set(["module:fc"])
    assert [(i, hit.detail) for i, hit in hits_of(breaker, events[8:])] == [
        (1, "backward of module fc (Linear): AddmmBackward0 about to run"),
        (2, "backward of module fc (Linear): TBackward0 about to run")]


def test_a_hook_breakpoint_set_after_its_registration_knows_its_name():
    breaker = Breaker()
    assert hits_of(breaker, [trace.HookRegistered(2, "grad_fn_pre", "node:9", "check")]) == []
    breaker.set(["hook:check"])
    (_, hit), = hits_of(breaker, [trace.HookFired(2, "grad_fn_pre", "node:9", ())])
    assert hit.detail == "hook check fired (grad_fn_pre hook on node:9)"


def backward(number: int, nodes: list[int]) -> list:
    return [trace.BackwardStarted(number, "backward", ((nodes[0], 1),), False, False)] + \
        [trace.NodeExecuting(node, f"Node{node}", ()) for node in nodes]


def test_a_backward_breakpoint_set_later_counts_the_backwards_before_it():
    breaker = Breaker()
    first = backward(1, [7, 5])
    assert hits_of(breaker, first[:2] + [trace.BackwardFinished(1, True)]) == []
    breaker.set(["backward:2"])
    (i, hit), = hits_of(breaker, backward(2, [7, 5]))
    assert (i, hit.detail) == (1, "backward 2 starts at Node7")


def test_a_backward_breakpoint_set_inside_a_backward_waits_for_the_next():
    breaker = Breaker()
    events = backward(1, [7, 5, 3])
    assert hits_of(breaker, events[:2]) == []          # its first node ran unwatched
    breaker.set(["backward"])
    assert hits_of(breaker, events[2:]) == []
    assert [i for i, _ in hits_of(breaker, backward(2, [7, 5]))] == [1]
