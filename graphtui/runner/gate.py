"""The step gate: the one object that decides when the scenario waits.

The recorder asks it at each recorded op (``at_op``) and before each backward node
(``at_node``); the runner's command thread tells it what the user asked (``step``,
``continue_``, ``pause``, ``set_break``, ``set_breakpoints``). The user's breakpoints are
matched here too, on the events themselves (``breakpoint_hit``, for every event the recorder
sees; ``graphtui.runner.breaker``): any backend that reports the engine's event types gets
them. ``hold_breakpoints`` False (``graphtui dump``): hits are reported, the run goes on.
Scenario threads wait one at a time: another that
reaches the gate meanwhile waits its turn. ``hold`` calls ``on_hold(where, node_id,
reason)`` before it waits (the recorder sends the pause up) and returns how the user
released it ("step" or "continue").
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from graphtui.runner.breaker import Breaker, Hit


class StepGate:
    def __init__(self, break_on_backward: bool, breakpoints: Iterable[str] = (),
                 hold_breakpoints: bool = True) -> None:
        self.break_on_backward = break_on_backward
        self.breaker = Breaker(breakpoints)
        self.hold_breakpoints = hold_breakpoints
        self.stop_at_next = False
        self.stop_unit = "node"           # what a step stops at: "node" or "op"
        self.pause_requested = False
        self.paused = False
        self._release: str | None = None
        self._cond = threading.Condition()
        self._turn = threading.Lock()     # one scenario thread at a time in the gate

    # ------------------------------------------------------------ from the command thread

    def step(self) -> None:
        with self._cond:
            if self.paused:
                self._release = "step"
                self._cond.notify_all()
            else:
                self.stop_at_next = True

    def continue_(self) -> None:
        with self._cond:
            self.stop_at_next = self.pause_requested = False
            if self.paused:
                self._release = "continue"
                self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            if not self.paused:
                self.pause_requested = True

    def set_break(self, on: bool) -> None:
        self.break_on_backward = on

    def set_breakpoints(self, specs: Iterable[str]) -> None:
        self.breaker.set(specs)

    # ------------------------------------------------------------ from the scenario

    def wants_op_stop(self) -> bool:
        """Whether the op just recorded is where to stop (a pause, or a step by ops)."""
        return self.pause_requested or (self.stop_at_next and self.stop_unit == "op")

    def breakpoint_hit(self, event) -> Hit | None:
        """The breakpoint this event hits, if any (called for every event, in order)."""
        return self.breaker.check(event)

    def node_stop_reason(self, first_of_pass: bool) -> str | None:
        """Why to stop before a backward node, or None to let it run."""
        if first_of_pass and self.break_on_backward:
            return "break"
        if self.stop_at_next:
            return "step"
        if self.pause_requested:
            return "pause"
        return None

    def hold(self, where: str, node_id: int | None, reason: str,
             on_hold: Callable[[str, int | None, str], None], unit: str | None = None) -> str:
        """``unit``: what a step from here stops at ("op" or "node"; ``where`` by default)."""
        with self._turn:
            with self._cond:
                self.paused, self.stop_at_next, self.pause_requested = True, False, False
                self._release = None
            on_hold(where, node_id, reason)
            with self._cond:
                while self._release is None:
                    self._cond.wait()
                how, self._release, self.paused = self._release, None, False
                self.stop_at_next, self.stop_unit = how == "step", unit or where
            return how
