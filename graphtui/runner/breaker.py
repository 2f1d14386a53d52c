"""Which event a breakpoint stops at: the user's breakpoints matched against the engine's
events (``engine.trace``), in the runner. What each kind means is in
``graphtui.breakpoints``.

``Breaker.check(event)`` is called by the step gate for every event the recorder sees, on
the scenario's thread; it keeps the little it must know across events (the module each node
was made in, hook names, the backward count, whether the first NaN was seen) and answers a
``Hit`` or None. The breakpoints are replaced as a whole (``set``) from the command thread.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from engine import trace
from graphtui.breakpoints import Breakpoint, parse_all

NODE_MODULES_KEPT = 1 << 17     # nodes whose module is remembered (the oldest are forgotten)


@dataclass(frozen=True, slots=True)
class Hit:
    """A breakpoint that stops the run: ``where`` it stops ("op": after a forward op,
    "module": at a module's forward, "node": before a backward node, "after": after one,
    "hook": after a hook fired), the node concerned, what a step from there stops at
    ("op" or "node"), the breakpoint's spec and one line saying what happened."""
    where: str
    node_id: int | None
    unit: str
    spec: str
    detail: str


class Breaker:
    def __init__(self, specs=()) -> None:
        self.set(specs)
        self.backward_count = 0
        self.first_node_pending = False      # a backward started; its first node not reached
        self.in_backward = 0
        self.nan_seen = {"forward": False, "gradient": False}
        self.last_node: tuple[int, str, str | None] | None = None   # (id, name, location)
        self.node_modules: dict[int, tuple[str, ...]] = {}   # node id -> enclosing paths
        self.module_classes: dict[str, str] = {}
        self.module_stack: list[str] = []
        self.hook_names: dict[int, str] = {}

    def set(self, specs) -> None:
        breakpoints = parse_all(specs)
        by_kind: dict[str, tuple[Breakpoint, ...]] = {}
        for b in breakpoints:
            by_kind[b.kind] = (*by_kind.get(b.kind, ()), b)
        # One assignment each: the scenario's thread reads either the old table or the new
        # one (with the new breakpoints and the old handlers, it misses one event's check).
        self.by_kind = by_kind
        self.handlers = _HANDLERS if by_kind else _STATE_HANDLERS

    def check(self, event) -> Hit | None:
        handler = self.handlers.get(type(event))
        return handler(self, event) if handler is not None else None

    # ------------------------------------------------------------ what is remembered

    def _wanted(self, kind: str) -> tuple[Breakpoint, ...]:
        return self.by_kind.get(kind, ())

    def _nan_armed(self, phase: str) -> bool:
        return "nan" in self.by_kind and not self.nan_seen[phase]

    def _node_created(self, event: trace.NodeCreated) -> None:
        self.last_node = (event.node_id, event.name, event.location)
        if event.module is None:
            return
        stack = self.module_stack
        enclosing = tuple(stack[:stack.index(event.module) + 1]) if event.module in stack \
            else (event.module,)
        modules = self.node_modules
        modules[event.node_id] = enclosing
        if len(modules) > NODE_MODULES_KEPT:
            del modules[next(iter(modules))]

    def _module_forward(self, event: trace.ModuleForward) -> Hit | None:
        stack = self.module_stack
        if event.phase != "start":
            if event.path in stack:          # a forward that raised never said its end
                del stack[stack.index(event.path):]
            return None
        self.module_classes[event.path] = event.class_name
        if event.path in stack:
            del stack[stack.index(event.path):]
        stack.append(event.path)
        for b in self._wanted("module"):
            if b.name in (event.path, event.class_name):
                return Hit("module", None, "op", b.spec,
                           f"module {_module_label(event.path, event.class_name)}: "
                           "forward starts")
        return None

    # ------------------------------------------------------------ forward

    def _forward_output(self, grad_fn_id: int | None, summary) -> Hit | None:
        if grad_fn_id is None or not self._nan_armed("forward"):
            return None
        which = nonfinite(summary)
        if which is None:
            return None
        self.nan_seen["forward"] = True
        return Hit("op", grad_fn_id, "op", "nan",
                   f"{which} in the forward output of {self._node_label(grad_fn_id)}")

    def _node_label(self, node_id: int) -> str:
        last = self.last_node
        if last is None or last[0] != node_id:
            return f"node {node_id}"
        where = f" ({os.path.basename(last[2])})" if last[2] else ""
        return f"{last[1]}{where}"

    # ------------------------------------------------------------ backward

    def _backward_started(self, event: trace.BackwardStarted) -> None:
        self.backward_count += 1
        self.in_backward += 1
        self.first_node_pending = True

    def _backward_finished(self, event: trace.BackwardFinished) -> None:
        self.in_backward = max(0, self.in_backward - 1)
        self.first_node_pending = False

    def _node_reached(self, event: trace.NodeExecuting) -> None:
        self.first_node_pending = False

    def _node_executing(self, event: trace.NodeExecuting) -> Hit | None:
        first, self.first_node_pending = self.first_node_pending, False
        if first:
            for b in self._wanted("backward"):
                if b.count is None or b.count == self.backward_count:
                    return Hit("node", event.node_id, "node", b.spec,
                               f"backward {self.backward_count} starts at {event.name}")
        for b in self._wanted("node"):
            if b.name == event.name:
                return Hit("node", event.node_id, "node", b.spec,
                           f"{event.name} (node {event.node_id}) about to run")
        hit = self._module_backward(event)
        if hit is None and self._nan_armed("gradient"):
            which = _first_nonfinite(event.grad_outputs)
            if which is not None:
                self.nan_seen["gradient"] = True
                hit = Hit("node", event.node_id, "node", "nan",
                          f"{which} in the gradient flowing into {event.name}")
        return hit

    def _module_backward(self, event: trace.NodeExecuting) -> Hit | None:
        wanted = self._wanted("module")
        enclosing = self.node_modules.get(event.node_id) if wanted else None
        if not enclosing:
            return None
        for b in wanted:
            for path in reversed(enclosing):
                cls = self.module_classes.get(path, "")
                if b.name in (path, cls):
                    return Hit("node", event.node_id, "node", b.spec,
                               f"backward of module {_module_label(path, cls)}: "
                               f"{event.name} about to run")
        return None

    def _node_executed(self, event: trace.NodeExecuted) -> Hit | None:
        if not self._nan_armed("gradient"):
            return None
        which = _first_nonfinite(event.grad_inputs)
        if which is None:
            return None
        self.nan_seen["gradient"] = True
        return Hit("after", event.node_id, "node", "nan",
                   f"{which} in the gradient {event.name} produced")

    # ------------------------------------------------------------ hooks

    def _hook_registered(self, event: trace.HookRegistered) -> None:
        self.hook_names[event.hook_id] = event.callable_name

    def _hook_fired(self, event: trace.HookFired) -> Hit | None:
        if event.muted:
            return None
        name = self.hook_names.get(event.hook_id, f"hook {event.hook_id}")
        unit = "node" if self.in_backward else "op"
        node_id = _node_of_target(event.target)
        for b in self._wanted("hook"):
            if b.name is None or b.name == name:
                return Hit("hook", node_id, unit, b.spec,
                           f"hook {name} fired ({event.kind} hook on {event.target})")
        if event.replaced and self._nan_armed("gradient" if self.in_backward else "forward"):
            which = _first_nonfinite(event.result)
            if which is not None:
                self.nan_seen["gradient" if self.in_backward else "forward"] = True
                return Hit("hook", node_id, unit, "nan", f"{which} in what hook {name} returned")
        return None


def _module_label(path: str, class_name: str) -> str:
    return path if not class_name or class_name == path else f"{path} ({class_name})"


def _node_of_target(target: str) -> int | None:
    kind, _, number = target.partition(":")
    return int(number) if kind == "node" and number.isdigit() else None


def nonfinite(summary) -> str | None:
    """"NaN", "Inf" or "NaN and Inf" when the summary's tensor holds them; None otherwise.
    Reads copied values directly rather than computing every statistic."""
    if summary is None or not isinstance(summary, trace.Summary):
        return None
    values = summary.values
    if values is not None and summary.stats is None:
        if values.dtype.kind not in "fc":
            return None
        if np.isfinite(values).all():
            return None
        nan, inf = bool(np.isnan(values).any()), bool(np.isinf(values).any())
    else:
        nan, inf = bool(summary.nan), bool(summary.inf)
    if not (nan or inf):
        return None
    return "NaN and Inf" if nan and inf else ("NaN" if nan else "Inf")


def _first_nonfinite(summaries) -> str | None:
    for item in summaries or ():
        which = _first_nonfinite(item) if isinstance(item, tuple) else nonfinite(item)
        if which is not None:
            return which
    return None


_HANDLERS = {
    trace.NodeCreated: Breaker._node_created,
    trace.ModuleForward: Breaker._module_forward,
    trace.TensorCreated: lambda b, e: b._forward_output(e.grad_fn_id, e.summary),
    trace.TensorModified: lambda b, e: b._forward_output(e.grad_fn_id, e.summary),
    trace.BackwardStarted: Breaker._backward_started,
    trace.BackwardFinished: Breaker._backward_finished,
    trace.NodeExecuting: Breaker._node_executing,
    trace.NodeExecuted: Breaker._node_executed,
    trace.HookRegistered: Breaker._hook_registered,
    trace.HookFired: Breaker._hook_fired,
}

# With no breakpoints, only what is remembered across events is kept up (breakpoints set
# later need it): most events need nothing then. The recorder passes the step gate only
# events of the types in the table in use: both hold NodeCreated and NodeExecuting, where
# the gate stops for steps and pauses.
_STATE_HANDLERS = {
    trace.NodeCreated: Breaker._node_created,
    trace.ModuleForward: Breaker._module_forward,
    trace.BackwardStarted: Breaker._backward_started,
    trace.BackwardFinished: Breaker._backward_finished,
    trace.NodeExecuting: Breaker._node_reached,
    trace.HookRegistered: Breaker._hook_registered,
}
