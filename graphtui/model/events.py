"""Events the session adds to the log beside the engine's (``engine.trace``).

The engine reports what autograd does; these report what happened around it: the run
starting and ending, what the scenario printed, the step gate pausing and releasing, hooks
muted by the user. Keeping them in the same log makes every state a pure function of it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RunStarted:
    scenario: str                     # the path as given
    argv: tuple[str, ...]             # the scenario's sys.argv
    run_number: int                   # 1 for the first run, +1 per re-run
    backend: str = "engine"           # what the scenario's torch is: "engine" or "torch"


@dataclass(frozen=True, slots=True)
class RunFinished:
    """The scenario ended. ``status`` is "finished", "failed" or "stopped" (by the user)."""
    status: str
    exc_type: str | None = None       # "RuntimeError", "SystemExit", ...
    message: str = ""
    traceback: str = ""               # the scenario's own frames only, formatted
    exit_code: int | str | None = None  # SystemExit's code, when that is how it ended
    location: str | None = None       # "file.py:12" of the scenario line that raised
    node_id: int | None = None        # the backward node being run when it was raised


@dataclass(frozen=True, slots=True)
class OutputWritten:
    """One line the scenario wrote. A line without a newline yet is flushed when the run ends."""
    stream: str                       # "stdout" | "stderr" | "graphtui" (our own notices)
    text: str                         # without the trailing newline


@dataclass(frozen=True, slots=True)
class Paused:
    """The step gate holds the scenario. ``where`` is "node" (before a backward node runs)
    or "op" (after an op recorded a node, when the user asked to pause)."""
    where: str
    node_id: int | None
    reason: str                       # "break" (start of a backward) | "step" | "pause"
                                      # | "breakpoint" (after a BreakpointHit)


@dataclass(frozen=True, slots=True)
class BreakpointHit:
    """A breakpoint of the user's matched (``graphtui.breakpoints``): in the TUI a ``Paused``
    follows; ``graphtui dump`` runs on and lists the hits. ``where``: see
    ``graphtui.runner.breaker.Hit``."""
    spec: str                         # "nan", "node:MulBackward0", ...
    detail: str                       # what happened: "NaN in the gradient SqrtBackward0 produced"
    where: str
    node_id: int | None = None


@dataclass(frozen=True, slots=True)
class Resumed:
    how: str                          # "step" | "continue"


@dataclass(frozen=True, slots=True)
class HookMuteChanged:
    hook_id: int
    muted: bool


@dataclass(frozen=True, slots=True)
class EventsDropped:
    """The log hit its budget: ``count`` events of ``kind`` were not kept (e.g. output lines
    of a flood). Said in the UI so nothing is silently missing."""
    kind: str
    count: int


@dataclass(frozen=True, slots=True)
class Discarded:
    """Stands in for an event the log no longer holds (memory bound): ``log[step]`` below
    ``log.first_step`` returns this instead of failing, so a pane that remembers old steps
    keeps working; the state still includes the discarded event's effect."""
    step: int
