"""One-line texts for summaries and events: what the timeline and inspector print.

Pure strings, no markup: the TUI decides colours (by ``event_kind``).
"""
from __future__ import annotations

import math
import os
import re
from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path, PurePath

import numpy as np

import engine

from engine import trace
from engine.trace import Summary
from graphtui.model import events as ev
from graphtui.model.state import State
from graphtui.model.terminal_line import as_displayed

EVENT_KINDS = ("run", "output", "gate", "tensor", "node", "module", "hook", "backward",
               "grad", "buffer", "warning", "error")

_KIND_OF = {
    ev.RunStarted: "run", ev.RunFinished: "run", ev.EventsDropped: "run", ev.Discarded: "run",
    ev.OutputWritten: "output",
    ev.Paused: "gate", ev.Resumed: "gate", ev.BreakpointHit: "gate", ev.HookMuteChanged: "hook",
    trace.TensorCreated: "tensor", trace.TensorNamed: "tensor", trace.TensorModified: "tensor",
    # A node is recorded in the forward ("node"); it runs in a backward ("backward").
    trace.NodeCreated: "node", trace.NodeExecuting: "backward", trace.NodeExecuted: "backward",
    trace.ModuleForward: "module",
    trace.HookRegistered: "hook", trace.HookRemoved: "hook", trace.HookFired: "hook",
    trace.BackwardStarted: "backward", trace.BackwardFinished: "backward",
    trace.GradAccumulated: "grad", trace.BufferFreed: "buffer",
    trace.WarningRaised: "warning", trace.ErrorRaised: "error",
}


# The debugger's own doings (pause, resume, mute) are logged beside the scenario's events
# but not numbered: a run stepped in the TUI numbers its events as `graphtui dump` does.
DEBUGGER_EVENTS = (ev.Paused, ev.Resumed, ev.HookMuteChanged, ev.BreakpointHit)


class EventNumbers:
    """The numbers dump and the TUI print for a log's events: the scenario's events counted
    from 1, the debugger's own (``DEBUGGER_EVENTS``) left without one. ``update`` reads only
    what was appended since its last call. Events folded away before a log's ``first_step``
    are counted as the scenario's."""

    def __init__(self) -> None:
        self._debugger: list[int] = []      # indices of the debugger's events, ascending
        self._scanned = 0

    def update(self, events) -> "EventNumbers":
        start = max(self._scanned, getattr(events, "first_step", 0))
        total = len(events)
        if hasattr(events, "steps_of"):        # a BatchLog: its batches stay encoded
            self._debugger.extend(s for s in events.steps_of(DEBUGGER_EVENTS, start)
                                  if s < total)
        else:
            for offset, event in enumerate(events[start:total]):
                if isinstance(event, DEBUGGER_EVENTS):
                    self._debugger.append(start + offset)
        self._scanned = max(start, total)
        return self

    def number(self, index: int) -> int | None:
        """The number of the event at ``index`` (None: one of the debugger's)."""
        at = bisect_left(self._debugger, index)
        if at < len(self._debugger) and self._debugger[at] == index:
            return None
        return index + 1 - at

    def count(self, step: int) -> int:
        """How many of the first ``step`` events are numbered (the last number shown)."""
        return step - bisect_left(self._debugger, step)

    def step_of(self, number: int) -> int:
        """The step (events applied) that ends with the event numbered ``number``."""
        low, high = 0, self._scanned
        while low < high:                    # the first step whose count reaches number
            middle = (low + high) // 2
            if self.count(middle) < number:
                low = middle + 1
            else:
                high = middle
        return low


_PATH = re.compile(r"(?<![\w.~-])(?:[A-Za-z]:)?(?:[/\\][^\s/\\:\"']+)+\.py\b")
_FRAME = re.compile(r'^  File "([^"]*)", line \d+, in ')
ENGINE_DIR = str(Path(engine.__file__).resolve().parent)


def short_path(path: str) -> str:
    """`scenarios/net.py` for a file under the working directory, else `net.py`: short, and
    what dump and the TUI both print."""
    if not os.path.isabs(path):
        return path
    return _short_absolute(path, os.getcwd())


@lru_cache(maxsize=1024)
def _short_absolute(path: str, cwd: str) -> str:
    # Cached: a run's events name the same few files over and over (dump prints every one).
    try:
        return os.path.relpath(path, cwd) if _under_cwd(path, cwd) else PurePath(path).name
    except ValueError:                        # another drive (Windows)
        return PurePath(path).name


def _under_cwd(path: str, cwd: str) -> bool:
    return os.path.commonpath([cwd, path]) == cwd


def short_paths(text: str) -> str:
    """Every absolute `.py` path in the text made short (``short_path``)."""
    if ".py" not in text:        # most lines (dump writes one per event) name no file
        return text
    if len(text) > SHORTENED_LINE_KEPT:
        return _shorten_paths(text, os.getcwd())
    return _shorten_line(text, os.getcwd())


SHORTENED_LINE_KEPT = 240       # characters of a line whose shortened text is cached


def _shorten_paths(text: str, cwd: str) -> str:
    return _PATH.sub(lambda match: _short(match[0], cwd), text)


# The lines that name a file are mostly a few, again and again: each op's node is "recorded
# at" its line, once per training step.
_shorten_line = lru_cache(maxsize=4096)(_shorten_paths)


def _short(path: str, cwd: str) -> str:
    return _short_absolute(path, cwd) if os.path.isabs(path) else path


def fold_engine_frames(text: str) -> str:
    """`  … 6 frames inside the engine` instead of the executor's calls between the
    scenario's frames (a hook called by backward, say): the scenario's code is the point.
    dump and the TUI fold tracebacks with this one function."""
    lines, out, hidden, i = text.splitlines(), [], 0, 0
    while i < len(lines):
        match = _FRAME.match(lines[i])
        end = i + 1
        while match and end < len(lines) and lines[end].startswith("    "):
            end += 1                     # the frame's source line and its ^^^ marks
        if match and _in_engine(match[1]):
            hidden += 1
        else:
            if hidden:
                out.append(f"  … {hidden} frame{'s' if hidden > 1 else ''} inside the engine")
                hidden = 0
            out.extend(lines[i:end])
        i = end
    return "\n".join(out)


def short_traceback(text: str) -> str:
    """The traceback with the engine's frames folded and its paths made short."""
    return short_paths(fold_engine_frames(text.rstrip("\n")))


def _in_engine(filename: str) -> bool:
    return str(Path(filename).resolve()).startswith(ENGINE_DIR)


def event_kind(event) -> str:
    """The filter group of an event (one of ``EVENT_KINDS``; "other" for unknown types)."""
    return _KIND_OF.get(type(event), "other")


def format_shape(shape) -> str:
    text = _SHAPE_TEXTS.get(shape) if type(shape) is tuple else None
    if text is None:
        text = "[" + ", ".join(str(n) for n in shape) + "]"
        if type(shape) is tuple and len(_SHAPE_TEXTS) < SHAPE_TEXTS_KEPT:
            _SHAPE_TEXTS[shape] = text
    return text


# A run has few distinct shapes and dump writes one per event and per tensor: each written once.
SHAPE_TEXTS_KEPT = 4096
_SHAPE_TEXTS: dict[tuple, str] = {}
SMALL_VALUES = 64                 # values checked for NaN/Inf as Python floats


def has_nonfinite(summary) -> bool:
    """NaN/Inf in a summary, checked on the copied values when statistics were not computed
    yet (computing all statistics for every gradient would cost far more)."""
    if summary is None:
        return False
    values = summary.values
    stats = getattr(summary, "stats", True)
    if stats is None and values is not None:
        kind = values.dtype.kind
        if kind == "f" and values.size <= SMALL_VALUES:
            # NumPy's call overhead is most of the cost on a few values: Python floats.
            return not all(map(math.isfinite, values.reshape(-1).tolist()))
        return kind in "fc" and not bool(np.isfinite(values).all())
    if type(stats) is trace.Stats:   # what summary.has_nonfinite reads, in two property calls each
        return bool(stats.nan or stats.inf)
    return summary.has_nonfinite


def format_number(value: float) -> str:
    return f"{value:.4g}"


def format_values(summary: Summary, limit: int = 8) -> str:
    """``[300, 0.3]`` for small tensors, the head and "…" for big ones."""
    values = summary.values if summary.values is not None else summary.head
    shown = [format_number(float(v)) for v in list(values)[:limit]]
    more = "" if summary.numel <= len(shown) else ", …"
    return "[" + ", ".join(shown) + more + "]"


def format_summary(summary: Summary | None, values: bool = True) -> str:
    """``[2] float32 [300, 0.3]``; ``None`` for None; statistics for big tensors."""
    if summary is None:
        return "None"
    text = f"{format_shape(summary.shape)} {summary.dtype}"
    if summary.numel == 0:
        return text
    if values and summary.numel <= 8:
        text += " " + format_values(summary)
    elif summary.min is not None:
        text += (f" min {format_number(summary.min)} max {format_number(summary.max)}"
                 f" mean {format_number(summary.mean)}")
    if has_nonfinite(summary):
        text += f" nan {summary.nan} inf {summary.inf}"
    return text


def grad_added(previous: Summary | None, total: Summary | None,
               values: Callable[[Summary], str] = format_values) -> str | None:
    """What a `.grad +=` added, from the totals before and after: the values (written by
    ``values``) when both kept them (small tensors), else the change of the mean; None when
    it cannot be told."""
    if previous is None or total is None or previous.shape != total.shape:
        return None
    if previous.values is not None and total.values is not None:
        return values(trace.summarize(total.values - previous.values))
    if previous.mean is not None and total.mean is not None:
        return f"mean {format_number(total.mean - previous.mean)}"
    return None


def previous_grad(state: State | None, event: trace.GradAccumulated) -> Summary | None:
    """The `.grad` a GradAccumulated event added to, found in the state's kept history of
    that tensor's `.grad` (None: not kept, or nothing before)."""
    tensor = state.tensors.get(event.tensor_id) if state is not None else None
    history = tensor.grad_history if tensor is not None else ()
    for index in range(len(history) - 1, -1, -1):
        if _same_summary(history[index].grad, event.grad):
            return history[index - 1].grad if index else None
    return None


def _same_summary(kept: Summary | None, seen: Summary | None) -> bool:
    """Whether two summaries are one `.grad`: the same object, or two decodings of it (dump
    and the panes may read a batch again rather than the objects the state was built from)."""
    if kept is seen:
        return True
    if kept is None or seen is None or (kept.shape, kept.dtype) != (seen.shape, seen.dtype):
        return False
    if kept.values is not None or seen.values is not None:
        return kept.values is not None and seen.values is not None and \
            np.array_equal(kept.values, seen.values, equal_nan=True)
    return kept.statistics() == seen.statistics()


def _describe_grad(event: trace.GradAccumulated, state: State | None) -> str:
    """`x.grad = [2] float32 [300, 0.3]`; `x.grad += [300, 0.3], now [2] float32 [600, 0.6]`."""
    name = f"{_tensor(state, event.tensor_id)}.grad"
    if not event.accumulated:
        return f"{name} = {format_summary(event.grad)}"
    added = grad_added(previous_grad(state, event), event.grad)
    return f"{name} += {added or '?'}, now {format_summary(event.grad)}"


def format_args(args) -> str:
    """A hook's argument summaries: tuples as ``(…)``, shapes only."""
    return ", ".join(_format_arg(arg) for arg in args)


def nonfinite_words(places) -> str:
    """`NaN/Inf in forward output, gradient produced` (places: Node.nonfinite)."""
    return "NaN/Inf in " + ", ".join(places)


def format_bytes(nbytes: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if nbytes < 1024 or unit == "MiB":
            return f"{nbytes} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} GiB"


def _format_arg(arg) -> str:
    if arg is None:
        return "None"
    if isinstance(arg, Summary):
        return format_shape(arg.shape)
    if isinstance(arg, tuple):
        return "(" + ", ".join(_format_arg(a) for a in arg) + ")"
    return str(arg)


def _tensor(state: State | None, tensor_id) -> str:
    name = state.tensor_name(tensor_id) if state is not None else None
    return name or f"tensor {tensor_id}"


def _tensor_label(event: trace.TensorCreated, state: State | None) -> str:
    name = event.name or (state.tensor_name(event.tensor_id) if state is not None else None)
    return f"tensor {name}" if name else f"tensor {event.tensor_id}"


def _node(state: State | None, node_id) -> str:
    if state is not None and node_id in state.nodes:
        return state.node_label(node_id)
    return f"node {node_id}"


def _freed_memory(event: trace.BufferFreed, state: State | None) -> str:
    """`128.0 KiB of activations; mat2: a parameter`: the memory of the activations it let
    go (each storage once; another node may still keep one: the memory section tells what
    was returned), and the buffers whose memory is not the graph's (graphtui.model.memory)."""
    node = state.nodes.get(event.node_id) if state is not None else None
    if node is None:
        return format_bytes(event.nbytes)
    names = set(event.names)
    buffers = [b for b in node.saved if b.name in names]
    blocks = {b.key: b.cost for b in buffers if b.is_extra}
    parts = [f"{format_bytes(sum(blocks.values()))} of activations"] if blocks else []
    parts += [f"{b.name}: {'a parameter' if b.kind == 'parameter' else 'an input'}"
              for b in buffers if not b.is_extra]
    return "; ".join(parts)


def describe_event(event, state: State | None = None) -> str:
    """One line for the timeline. ``state`` (any state at or after the event) supplies names."""
    describe = _DESCRIBERS.get(type(event))
    return describe(event, state) if describe else type(event).__name__


def _hook(state, hook_id) -> str:
    hook = state.hooks.get(hook_id) if state is not None else None
    return f"{hook.kind} hook {hook.callable_name} on {hook.target}" if hook else f"hook {hook_id}"


_PAUSED_WHERE = {"node": "paused before {}", "op": "paused after op {}",
                 "after": "paused after {} ran"}


def _paused(e: ev.Paused, s) -> str:
    if e.node_id is None or e.where not in _PAUSED_WHERE:
        return "paused" + (f" at {_node(s, e.node_id)}" if e.node_id is not None else "")
    return _PAUSED_WHERE[e.where].format(_node(s, e.node_id))


_DESCRIBERS = {
    ev.RunStarted: lambda e, s: (f"run {e.run_number} of {e.scenario} started "
                                 f"(backend {e.backend})"),
    ev.RunFinished: lambda e, s: (f"run {e.status}" + (f": {e.exc_type}: {e.message}"
                                                        if e.exc_type else "")),
    ev.OutputWritten: lambda e, s: (as_displayed(e.text) if e.stream == "stdout"
                                    else f"[{e.stream}] {as_displayed(e.text)}"),
    ev.Paused: lambda e, s: _paused(e, s),
    ev.BreakpointHit: lambda e, s: f"breakpoint {e.spec}: {e.detail}",
    ev.Resumed: lambda e, s: f"resumed ({e.how})",
    ev.HookMuteChanged: lambda e, s: f"{'muted' if e.muted else 'unmuted'} {_hook(s, e.hook_id)}",
    ev.EventsDropped: lambda e, s: _dropped_text(e),
    ev.Discarded: lambda e, s: f"event {e.step} no longer kept (memory budget)",
    trace.TensorCreated: lambda e, s: (f"{_tensor_label(e, s)} "
                                       f"{format_shape(e.shape)} {e.dtype}"
                                       + (" requires_grad" if e.requires_grad else "")),
    trace.TensorNamed: lambda e, s: f"tensor {e.tensor_id} is {e.name}",
    trace.TensorModified: lambda e, s: (f"{_tensor(s, e.tensor_id)} modified in place by "
                                        f"{e.op} (version {e.version})"),
    trace.NodeCreated: lambda e, s: (f"{e.name} recorded" + (f" in {e.module}" if e.module else "")
                                     + (f" at {e.location}" if e.location else "")),
    trace.ModuleForward: lambda e, s: (f"{e.path or '(model)'} ({e.class_name}) forward {e.phase}"
                                       + (f" {format_args(e.outputs)}" if e.phase == "end"
                                          else f" {format_args(e.inputs)}")),
    trace.HookRegistered: lambda e, s: (f"registered {e.kind} hook {e.callable_name} "
                                        f"on {e.target}"),
    trace.HookRemoved: lambda e, s: f"removed {_hook(s, e.hook_id)}",
    trace.HookFired: lambda e, s: (("muted (skipped) " if e.muted else "fired ")
                                   + f"{_hook(s, e.hook_id)} args {format_args(e.args)}"
                                   + (f" -> replaced by {format_args(e.result)}"
                                      if e.replaced else "")),
    trace.BackwardStarted: lambda e, s: (f"{e.kind} started from "
                                         + ", ".join(_tensor(s, t) for _, t in e.roots)
                                         + (" (retain_graph)" if e.retain_graph else "")),
    trace.BackwardFinished: lambda e, s: f"backward {'finished' if e.ok else 'failed'}",
    trace.NodeExecuting: lambda e, s: (f"{_node(s, e.node_id)} receives "
                                       f"{format_args(e.grad_outputs)}"),
    trace.NodeExecuted: lambda e, s: (f"{_node(s, e.node_id)} produced "
                                      f"{format_args(e.grad_inputs)}"),
    trace.GradAccumulated: _describe_grad,
    trace.BufferFreed: lambda e, s: (f"{_node(s, e.node_id)} freed {', '.join(e.names)} "
                                     f"({_freed_memory(e, s)})"),
    trace.WarningRaised: lambda e, s: f"{e.category}: {e.message}",
    trace.ErrorRaised: lambda e, s: f"{e.exc_type}: {e.message}",
}


def _dropped_text(event: ev.EventsDropped) -> str:
    if event.kind == "output":
        return (f"{event.count:,} output lines folded away (memory budget: the first and "
                "the last lines are kept)")
    return f"{event.count:,} {event.kind} events not kept (memory budget)"
