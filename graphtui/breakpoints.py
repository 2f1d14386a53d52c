"""Breakpoints as the user writes them: ``nan``, ``node:NAME``, ``module:NAME``, ``hook``,
``hook:NAME``, ``backward``, ``backward:N``. Parsed here for the command line, the TUI's form
and the session; matched against the engine's events in the runner
(``graphtui.runner.breaker``). Pure: no Textual, no engine.

Where each one stops the run:

- ``nan``: the first forward op output holding NaN/Inf (after the op), and the first
  gradient holding NaN/Inf (after the backward node that produced it, or before the node it
  flows into when no node made it: a root gradient, a hook's result); each once a run.
- ``node:MulBackward0``: before each backward run of a node with that name (node names are
  backward functions; to stop in the forward, use ``module:``).
- ``module:conv1`` (a module path) or ``module:Conv2d`` (a class): when its forward starts,
  and before each backward node made inside it (a Linear makes two: AddmmBackward0 and
  TBackward0).
- ``hook`` / ``hook:save_feat``: after any hook fires / a hook whose function has that name
  (a muted hook does not fire).
- ``backward`` / ``backward:3``: before the first node of every backward pass / of the
  third backward()/autograd.grad call of the run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("nan", "node", "module", "hook", "backward")
SYNTAX = "nan, node:NAME, module:NAME, hook[:NAME], backward[:N]"

_NAME = re.compile(r"[A-Za-z_<][\w.<>\-]*")


class BreakpointError(ValueError):
    """A spec that is not a breakpoint; ``str()`` is the one line to show."""


@dataclass(frozen=True, slots=True)
class Breakpoint:
    kind: str                 # one of KINDS
    name: str | None = None   # node/module/hook name
    count: int | None = None  # backward:N

    @property
    def spec(self) -> str:
        """The canonical text: what ``parse`` reads back to this breakpoint."""
        if self.count is not None:
            return f"{self.kind}:{self.count}"
        return f"{self.kind}:{self.name}" if self.name else self.kind


def parse(text: str) -> Breakpoint:
    """A breakpoint from its spec; ``BreakpointError`` with one clear line otherwise."""
    spec = text.strip()
    kind, colon, argument = spec.partition(":")
    kind, argument = kind.strip().lower(), argument.strip()
    if kind not in KINDS:
        raise BreakpointError(f"unknown breakpoint {text!r}: expected {SYNTAX}")
    if kind == "nan":
        if colon:
            raise BreakpointError(f"'nan' takes no argument (got {text!r})")
        return Breakpoint("nan")
    if kind == "backward":
        return _backward(text, colon, argument)
    if not argument:
        if kind == "hook":
            return Breakpoint("hook")
        raise BreakpointError(f"'{kind}' needs a name: {kind}:NAME (got {text!r})")
    if not _NAME.fullmatch(argument):
        raise BreakpointError(f"{argument!r} is not a {kind} name (got {text!r})")
    return Breakpoint(kind, argument)


def _backward(text: str, colon: str, argument: str) -> Breakpoint:
    if not colon:
        return Breakpoint("backward")
    if not argument.isdigit() or int(argument) < 1:
        raise BreakpointError(f"backward:N counts backward calls from 1 (got {text!r})")
    return Breakpoint("backward", count=int(argument))


def parse_all(texts) -> tuple[Breakpoint, ...]:
    """Several specs, duplicates dropped, in the order given."""
    found: dict[Breakpoint, None] = {}
    for text in texts:
        found.setdefault(parse(text), None)
    return tuple(found)
