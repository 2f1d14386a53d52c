"""Shared helpers for graphtui tests: synthetic event logs and tiny scenario files."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from engine import trace
from graphtui.model import events as ev
from graphtui.session import Session

X, Y = 1, 2                  # tensor ids in the synthetic logs
ACC_X, MUL = 10, 11          # node ids


def summary(values, dtype="float32"):
    return trace.summarize(np.asarray(values, dtype=dtype))


def mul_forward_events():
    """The tutorial's ``x = randn(2, requires_grad=True); y = x * 3`` as the engine reports it."""
    return [
        ev.RunStarted("lesson.py", ("lesson.py",), 1),
        trace.TensorCreated(X, None, (2,), "float32", True, True, None, summary([0.5, -1.0])),
        trace.TensorNamed(X, "x"),
        trace.NodeCreated(ACC_X, "AccumulateGrad", 0, (), (X,), (), None, None),
        trace.NodeCreated(MUL, "MulBackward0", 1, ((ACC_X, 0), (None, 0)), (Y,),
                          (trace.SavedInfo("other", (), "float32", 4),
                           trace.SavedInfo("self", (2,), "float32", 8, X)), None, "lesson.py:2"),
        trace.TensorCreated(Y, None, (2,), "float32", True, False, MUL, summary([1.5, -3.0])),
        trace.TensorNamed(Y, "y"),
    ]


def mul_backward_events(backward_id=1, retain_graph=False, accumulated=False, grad=(300, 0.3),
                        pause=True):
    """One ``y.backward(tensor([100, 0.1]))`` pass, paused at each node as the gate does."""
    gate = (lambda node: [ev.Paused("node", node, "step"), ev.Resumed("step")]) if pause \
        else (lambda node: [])
    freed = [] if retain_graph else [trace.BufferFreed(MUL, ("other", "self"), 12)]
    return [
        trace.BackwardStarted(backward_id, "backward", ((MUL, Y),), retain_graph, False),
        trace.NodeExecuting(MUL, "MulBackward0", (summary([100, 0.1]),)),
        *gate(MUL),
        trace.NodeExecuted(MUL, "MulBackward0", (summary([300, 0.3]), None)),
        *freed,
        trace.NodeExecuting(ACC_X, "AccumulateGrad", (summary([300, 0.3]),)),
        *gate(ACC_X),
        trace.GradAccumulated(X, summary(grad), accumulated),
        trace.NodeExecuted(ACC_X, "AccumulateGrad", ()),
        trace.BackwardFinished(backward_id, True),
    ]


def index_of(events, predicate, start=0):
    return next(i for i, e in enumerate(events) if i >= start and predicate(e))


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario file from dedented source; returns its path."""
    def write(source: str, name: str = "scenario.py"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path
    return write


@pytest.fixture
def run(write_scenario):
    """Start sessions on scenario sources (keyword arguments go to Session); all are
    stopped after the test."""
    made: list[Session] = []

    def start(source: str, **kwargs) -> Session:
        session = Session(write_scenario(source), **kwargs)
        made.append(session)
        session.start()
        return session
    yield start
    for session in made:
        session.stop()


@pytest.fixture
def finished_state(run):
    """Run a scenario source to its end (never breaking) and return its last state."""
    def finish(source: str):
        session = run(source, break_on_backward=False)
        assert session.wait_until_finished(60)      # a guard against hanging, not a timing
        return session.state()
    return finish
