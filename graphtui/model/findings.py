"""Findings: the answers to the questions people bring to an autograd debugger, read from
the event log — which in-place op broke backward, where the first NaN/Inf came from, why a
``.grad`` is None, why backward failed the second time, what each hook did.

``find(events)`` is pure and runs in one pass over the log plus a little work per finding,
so it is cheap on a long run; the TUI and ``dump --explain`` call it only when asked. Each
``Finding`` is one sentence, names the source lines it rests on and links to a node, tensor
and event (an index into the log: the TUI jumps there, dump prints its number). Texts keep
paths as the engine recorded them; the presentation shortens them (``short_paths``).
"""
from __future__ import annotations

import linecache
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

from graphtui.model.findings_scan import MEMORY, VIEW, Scan, StaleSave, TensorFacts

INPLACE, NAN, GRAD_NONE, BACKWARD_TWICE, HOOK = (
    "inplace", "nan", "grad_none", "backward_twice", "hook")
KINDS = (INPLACE, NAN, BACKWARD_TWICE, GRAD_NONE, HOOK)      # the order findings are listed in
ERROR, WARNING, INFO = "error", "warning", "info"

_VERSIONS = re.compile(r"is at version (\d+); expected version (\d+)")
_INPLACE_ERROR = "modified by an inplace operation"
_FREED_ERROR = "Trying to backward through the graph a second time"
# Which argument of a hook's firing holds what the hook may replace (see engine.utils.hooks.fire).
_REPLACEABLE_ARG = {"tensor": 0, "grad_fn_pre": 0, "grad_fn_post": 0, "backward": 1,
                    "full_backward": 1, "full_backward_pre": 1, "forward_pre": 1,
                    "forward": -1, "post_accumulate_grad": 0}
_GRADIENT_HOOKS = {"tensor", "grad_fn_pre", "grad_fn_post", "backward", "full_backward",
                   "full_backward_pre", "post_accumulate_grad"}
_MODULE_BACKWARD_HOOKS = {"backward", "full_backward", "full_backward_pre"}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str                          # one of KINDS
    severity: str                      # ERROR | WARNING | INFO
    text: str                          # one sentence
    locations: tuple[str, ...] = ()    # "file.py:12" of the lines it names
    node_id: int | None = None         # the node to show
    tensor_id: int | None = None       # the tensor to show
    step: int | None = None            # index in the log of the event it is tied to


def find(events: Sequence, selected: Collection[int] = (),
         read_line: Callable[[str], str | None] | None = None) -> list[Finding]:
    """Every finding of the log, grouped by kind (KINDS order). ``selected``: tensors the
    user looks at (besides the leaves that require grad, and the non-leaves whose ``.grad``
    the scenario read): why their ``.grad`` is None is told too. ``read_line("file.py:12")``
    gives a source line (default: from the file, linecache)."""
    scan = Scan().run(events)
    words = _Words(scan, read_line or source_line)
    found = (_inplace_findings(scan, words) + _nan_findings(scan, words)
             + _backward_twice_findings(scan, words)
             + _grad_none_findings(scan, words, set(selected) | set(scan.looked_at))
             + _hook_findings(scan, words))
    return sorted(found, key=lambda f: KINDS.index(f.kind))


def source_line(location: str) -> str | None:
    path, _, line = location.rpartition(":")
    text = linecache.getline(path, int(line)) if line.isdigit() else ""
    return text.strip() or None


class _Words:
    """How findings name things: tensors, nodes with their line, backward passes, code."""

    def __init__(self, scan: Scan, read_line) -> None:
        self.scan, self.read_line = scan, read_line

    def tensor(self, tensor_id: int | None) -> str:
        facts = self.scan.tensors.get(tensor_id) if tensor_id is not None else None
        return f"`{facts.name}`" if facts is not None and facts.name else f"tensor {tensor_id}"

    def node(self, node_id: int | None) -> str:
        node = self.scan.nodes.get(node_id) if node_id is not None else None
        if node is None:
            return f"node {node_id}"
        if node.name == "AccumulateGrad" and node.output_ids:
            return f"AccumulateGrad of {self.tensor(node.output_ids[0])}"
        return node.name if node.location is None else f"{node.name} (made at {node.location})"

    def backward(self, backward_id: int | None) -> str:
        bw = self.scan.backwards.get(backward_id) if backward_id is not None else None
        if bw is None:
            return "a backward"
        call = "backward" if bw.kind == "backward" else "autograd.grad"
        return f"{call} {bw.id}" + (f" (at {bw.location})" if bw.location else "")

    def call(self, location: str | None, op: str, tensor_id: int) -> str:
        """The in-place call as written on its line (`h.add_(1)`), else `h.add_(…)`."""
        line = self.read_line(location) if location else None
        written = _call_in(line, op) if line else None
        if written:
            return f"`{written}`"
        name = self.tensor(tensor_id).strip("`")
        return f"`{name}.{op}(…)`" if " " not in name else f"`{op}` on {name}"


def _call_in(line: str, op: str) -> str | None:
    """``h.add_(1)`` out of ``h.add_(1)  # comment``: the expression ending with the call."""
    at = line.find(f".{op}(")
    if at < 0:
        return None
    start = at
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] in "_.[]:"):
        start -= 1
    depth, end = 0, at + len(op) + 1
    for end in range(at + len(op) + 1, len(line)):
        depth += {"(": 1, ")": -1}.get(line[end], 0)
        if depth == 0:
            break
    return line[start:end + 1] if depth == 0 else None


# ---------------------------------------------------------------- in place

def _inplace_findings(scan: Scan, words: _Words) -> list[Finding]:
    """A warning per saved value changed while retained; an error where backward failed."""
    stale: dict[tuple[int, str], Finding] = {}
    for change in scan.stale_saves:
        node = scan.nodes[change.node_id]
        text = (f"{words.node(change.node_id)} saved `{change.saved_name}`; "
                f"{words.call(change.location, change.op, change.changed_id)}"
                f"{' at ' + change.location if change.location else ''} changed it"
                f"{_through(words, change)} "
                f"(version {change.saved_version} -> {change.version}); backward needs "
                f"version {change.saved_version}")
        stale[(change.node_id, change.saved_name)] = Finding(
            INPLACE, ERROR, text, _lines(node.location, change.location), change.node_id,
            change.tensor_id, change.step)
    failed: dict[tuple[int, str], Finding] = {}
    for error in scan.errors:
        if _INPLACE_ERROR in error.message and error.node_id in scan.nodes:
            key, finding = _inplace_error(scan, words, error, stale)
            failed[key] = finding
    failed_nodes = {node_id for node_id, _ in failed}     # their backward failed already
    warnings = [replace(f, severity=WARNING, text=f"{f.text}: a backward through "
                                                  f"{scan.nodes[f.node_id].name} will fail")
                for key, f in stale.items() if key[0] not in failed_nodes]
    return list(failed.values()) + warnings


def _through(words: _Words, change: StaleSave) -> str:
    """How the change reached the saved value: itself, a view of it, or its memory."""
    if change.through == VIEW:
        return " through a view"
    if change.through == MEMORY and change.changed_id != change.tensor_id:
        changed = words.scan.tensors.get(change.changed_id)
        if changed is None or not changed.name:
            return " through another view of its memory"
        return f" through `{changed.name}`, which shares its memory"
    return ""


def _inplace_error(scan: Scan, words: _Words, error, stale: dict) -> tuple:
    node = scan.nodes[error.node_id]
    versions = _VERSIONS.search(error.message)
    now, expected = (int(versions[1]), int(versions[2])) if versions else (None, None)
    for saved in node.saved:
        key = (node.id, saved.name)
        if key in stale and (expected is None or saved.version == expected):
            return key, replace(stale[key], step=error.step)
    # Changed through an alias the log does not tie to the saved tensor (another view).
    saved = next((s for s in node.saved if expected is None or s.version == expected), None)
    name = saved.name if saved is not None else "a tensor"
    text = (f"{words.node(node.id)} saved `{name}`; an in-place op changed it through "
            f"another view (version {expected} -> {now}); backward needs version {expected}")
    return (node.id, name), Finding(INPLACE, ERROR, text, _lines(node.location), node.id,
                                    saved.tensor_id if saved else None, error.step)


# ---------------------------------------------------------------- NaN / Inf

def _nan_findings(scan: Scan, words: _Words) -> list[Finding]:
    found = []
    forward = scan.first_nan_forward
    if forward is not None:
        found.append(_forward_nan(scan, words, forward))
    backward = scan.first_nan_backward
    if backward is not None:
        found.append(_backward_nan(scan, words, backward))
    return found


def _forward_nan(scan: Scan, words: _Words, seen) -> Finding:
    tensor = scan.tensors.get(seen.tensor_id)
    what = _nonfinite_count(seen.summary)
    if seen.op is not None:                  # an in-place op wrote it
        text = (f"Forward: {words.call(seen.location, seen.op, seen.tensor_id)}"
                f"{' at ' + seen.location if seen.location else ''} left "
                f"{words.tensor(seen.tensor_id)} holding {what}: the first NaN/Inf of the "
                f"forward")
        return Finding(NAN, WARNING, text, _lines(seen.location), None, seen.tensor_id, seen.step)
    node_id = tensor.grad_fn_id if tensor is not None else None
    node = scan.nodes.get(node_id) if node_id is not None else None
    if node is None:
        text = (f"Forward: {words.tensor(seen.tensor_id)} was made holding {what}: the first "
                f"NaN/Inf of the forward")
        return Finding(NAN, WARNING, text, (), None, seen.tensor_id, seen.step)
    inputs = "; ".join(f"{words.tensor(tid)} {_stats(s)}" for tid, s in seen.inputs)
    text = (f"Forward: the output of {words.node(node_id)} holds {what}, the first op output "
            f"with NaN/Inf; its inputs: {inputs or 'none that require grad'}")
    return Finding(NAN, WARNING, text, _lines(node.location), node_id, seen.tensor_id, seen.step)


def _backward_nan(scan: Scan, words: _Words, seen) -> Finding:
    node = scan.nodes.get(seen.node_id)
    where = words.backward(seen.backward_id)
    if seen.incoming_bad:
        text = (f"Backward: {where} started from a gradient holding "
                f"{_nonfinite_count(seen.summary)}, given to {words.node(seen.node_id)}")
    else:
        incoming = "; ".join(_stats(s) for s in seen.incoming if s is not None) or "none"
        text = (f"Backward: in {where}, {words.node(seen.node_id)} produced a gradient holding "
                f"{_nonfinite_count(seen.summary)} from an incoming gradient without NaN/Inf "
                f"{incoming}")
    bw = scan.backwards.get(seen.backward_id)
    return Finding(NAN, WARNING, text,
                   _lines(node.location if node else None, bw.location if bw else None),
                   seen.node_id, None, seen.step)


def _nonfinite_count(summary) -> str:
    parts = [f"{count} {label}" for count, label in ((summary.nan, "NaN"), (summary.inf, "Inf"))
             if count]
    return f"{' and '.join(parts) or 'NaN/Inf'} of {summary.numel} values"


def _stats(summary) -> str:
    if summary is None:
        return "(unknown)"
    if summary.min is None:
        return f"(no finite value; {summary.nan} NaN, {summary.inf} Inf)"
    return (f"(min {summary.min:.4g}, max {summary.max:.4g}, mean {summary.mean:.4g}, "
            f"{summary.nan} NaN, {summary.inf} Inf)")


# ---------------------------------------------------------------- backward twice

def _backward_twice_findings(scan: Scan, words: _Words) -> list[Finding]:
    found = []
    for error in scan.errors:
        if _FREED_ERROR not in error.message or error.node_id not in scan.nodes:
            continue
        node = scan.nodes[error.node_id]
        freed = scan.freed_by.get(node.id)
        if freed is None:
            continue
        names = ", ".join(f"`{name}`" for name in freed.names)
        now = words.backward(error.backward_id) if error.backward_id is not None else \
            "reading a saved value"
        then = scan.backwards.get(freed.backward_id)
        text = (f"{now} needs {names} of {words.node(node.id)}, which "
                f"{words.backward(freed.backward_id)} freed; pass retain_graph=True to that "
                f"backward, or run the forward again")
        found.append(Finding(
            BACKWARD_TWICE, ERROR, text,
            _lines(then.location if then else None,
                   scan.backwards[error.backward_id].location
                   if error.backward_id in scan.backwards else None, node.location),
            node.id, None, error.step))
    return found


# ---------------------------------------------------------------- .grad is None

def _grad_none_findings(scan: Scan, words: _Words, looked_at: set) -> list[Finding]:
    """One finding per reason: leaves with the same reason (no backward ran, say) share it."""
    by_reason: dict[tuple, list] = {}
    expected: set[int] = set()           # leaves only autograd.grad calls reached
    for facts in scan.tensors.values():
        if facts.grad_set or not (facts.id in looked_at or facts.is_leaf and facts.requires_grad):
            continue
        if facts.id not in looked_at and _orphan(scan, facts):
            continue
        if _only_grad_calls(scan, facts):
            if facts.id not in looked_at:
                continue                 # jacobian's inputs, a penalty's: nobody's question
            expected.add(facts.id)
        reason = _why_no_grad(scan, words, facts)
        by_reason.setdefault(reason, []).append(facts)
    found = []
    for (reason, step, lines), group in by_reason.items():
        first = group[0]
        plural = len(group) > 1
        text = reason.format(it="them" if plural else "it", its="their" if plural else "its")
        # A leaf that requires grad and has none is a problem; another tensor looked at, or
        # one that only autograd.grad reached, is a question answered.
        severity = WARNING if any(t.is_leaf and t.requires_grad and t.id not in expected
                                  for t in group) else INFO
        found.append(Finding(GRAD_NONE, severity, f"{_grads(words, group)}: {text}", lines,
                             _node_of(scan, first), first.id,
                             step if step is not None else first.step))
    return found


def _orphan(scan: Scan, facts: TensorFacts) -> bool:
    """A leaf nothing names and no op used: the program cannot even refer to it (a Linear's
    first weight, replaced when tying it to an embedding's). Its .grad is no question."""
    return facts.name is None and facts.grad_fn_id is None and \
        scan.accumulators.get(facts.id) is None


def _only_grad_calls(scan: Scan, facts: TensorFacts) -> bool:
    """The backwards that reached the tensor (or, when none did, every backward since it was
    made) are autograd.grad calls (jacobian's inputs, a gradient penalty's): they return
    gradients and never fill .grad, so its None is expected."""
    since = [bw for bw in scan.backwards.values() if bw.step > facts.step]
    target = _node_of(scan, facts)
    reached = [bw for bw in since if target is not None and target in scan.reachable(bw.id)]
    relevant = reached or since
    return bool(relevant) and all(bw.kind == "grad" for bw in relevant)


def _grads(words: _Words, tensors: list) -> str:
    names = [f"{words.tensor(t.id).strip('`')}.grad" for t in tensors]
    if len(names) == 1:
        return f"`{names[0]}` is None"
    shown = ", ".join(f"`{n}`" for n in names[:3])
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{shown}{more} are None"


def _why_no_grad(scan: Scan, words: _Words, facts: TensorFacts) -> tuple[str, int | None, tuple]:
    """(reason, the step it rests on, lines); the reason says {it}/{its} for a group."""
    if facts.made == "detach" and not (facts.is_leaf and facts.requires_grad):
        return (f"made by detach() at {facts.location}, which cuts {{it}} off the graph",
                None, _lines(facts.location))
    if facts.made == "no_grad" and not (facts.is_leaf and facts.requires_grad):
        return (f"made under no_grad at {facts.location}, so no graph was recorded for {{it}}",
                None, _lines(facts.location))
    if not facts.requires_grad:
        return "{it} never required grad (requires_grad=False)", None, ()
    if facts.grad_fn_id is not None and not facts.retains_grad:
        node = scan.nodes.get(facts.grad_fn_id)
        return (f"not a leaf: {{its}} grad_fn is {words.node(facts.grad_fn_id)}, and backward "
                f"keeps a non-leaf's gradient only after retain_grad()", None,
                _lines(node.location if node else None))
    return _why_not_reached(scan, words, facts)


def _why_not_reached(scan: Scan, words: _Words, facts: TensorFacts) -> tuple[str, int | None, tuple]:
    """A leaf that requires grad: which backward should have reached it, and what stopped it."""
    if not scan.backwards:
        return "no backward ran", None, ()
    target = _node_of(scan, facts)
    cleared = facts.cleared_step
    since = [bw for bw in scan.backwards.values() if cleared is None or bw.step > cleared]
    reached = [bw for bw in since if target is not None and target in scan.reachable(bw.id)]
    if cleared is not None and not reached:
        return ("set to None after the last backward that reached {it} (zero_grad or "
                "`.grad = None`)", cleared, ())
    if not reached:
        return _never_reached(scan, words, target)
    bw = reached[-1]
    if bw.ok is False and target not in scan.ran_in.get(bw.id, ()):
        return f"{words.backward(bw.id)} failed before reaching {{it}}", bw.end_step, \
            _lines(bw.location)
    if bw.kind == "grad":
        return (f"{words.backward(bw.id)} returns the gradients instead of filling .grad",
                bw.step, _lines(bw.location))
    return f"{words.backward(bw.id)} did not give {{it}} a gradient", bw.step, _lines(bw.location)


def _never_reached(scan: Scan, words: _Words, target: int | None) -> tuple[str, int | None, tuple]:
    bw = list(scan.backwards.values())[-1]
    end = scan.graph_end(target) if target is not None else None
    if end is None:
        return (f"not reachable from the root of {words.backward(bw.id)}: no recorded op "
                f"used {{it}}", bw.step, _lines(bw.location))
    node = scan.nodes[end]
    graph = f"{words.tensor(node.output_ids[0])}" if node.output_ids else node.name
    made = f" at {node.location}" if node.location else ""
    return (f"the backward that would reach {{it}} never ran: {{it}} feeds only the graph of "
            f"{graph}, whose last op is {node.name}{made}, and no backward started from "
            f"{graph}", None, _lines(node.location))


def _node_of(scan: Scan, facts: TensorFacts) -> int | None:
    return facts.grad_fn_id if facts.grad_fn_id is not None else scan.accumulators.get(facts.id)


# ---------------------------------------------------------------- hooks

def _hook_findings(scan: Scan, words: _Words) -> list[Finding]:
    found = []
    for hook in scan.hooks.values():
        name = f"{hook.kind.replace('_', ' ')} hook `{hook.callable_name}` on {_target(words, hook.target)}"
        node_id, tensor_id = _hook_link(scan, hook.target)
        if hook.fired:
            found.append(Finding(HOOK, INFO, f"{name} fired {_times(hook.fired)}; the last "
                                 f"time {_effect(hook)}", (), node_id, tensor_id,
                                 hook.last_step))
        else:
            reason, step = _why_not_fired(scan, words, hook)
            found.append(Finding(HOOK, WARNING, f"{name} never fired: {reason}", (), node_id,
                                 tensor_id, step))
    return found


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _target(words: _Words, target: str) -> str:
    kind, _, raw = target.partition(":")
    if raw.isdigit() and kind == "tensor":
        return words.tensor(int(raw))
    if raw.isdigit() and kind == "node":
        return words.node(int(raw))
    return f"`{target}`"


def _hook_link(scan: Scan, target: str) -> tuple[int | None, int | None]:
    kind, _, raw = target.partition(":")
    if not raw.isdigit():
        return None, None
    if kind == "node":
        return int(raw), None
    facts = scan.tensors.get(int(raw))
    return (_node_of(scan, facts) if facts else None), int(raw)


def _effect(hook) -> str:
    before = _norm(_replaceable(hook.kind, hook.last_args))
    what = "gradient" if hook.kind in _GRADIENT_HOOKS else "value"
    if not hook.last_replaced:
        return f"returned None: {what} unchanged (norm {_number(before)})"
    after = _norm(hook.last_result[0] if hook.last_result else None)
    return f"replaced the {what}: norm {_number(before)} -> {_number(after)}"


def _replaceable(kind: str, args: tuple):
    index = _REPLACEABLE_ARG.get(kind, 0)
    return args[index] if args and -len(args) <= index < len(args) else None


def _norm(value) -> float | None:
    """The norm of a summary, or of a tuple of them (None entries skipped)."""
    if value is None:
        return None
    if isinstance(value, tuple):
        norms = [_norm(v) for v in value]
        known = [n for n in norms if n is not None]
        return sum(n * n for n in known) ** 0.5 if known else None
    return value.norm


def _number(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.4g}"


def _why_not_fired(scan: Scan, words: _Words, hook) -> tuple[str, int | None]:
    if hook.muted:
        return (f"the debugger muted it, so it was skipped {_times(hook.muted)}",
                hook.last_step)
    if hook.removed_step is not None:
        return "it was removed before it had a chance to fire", hook.removed_step
    target_kind, _, raw = hook.target.partition(":")
    if hook.kind in _MODULE_BACKWARD_HOOKS:
        forward = scan.module_forwards.get(hook.target)
        if forward is not None and forward < hook.step:
            return (f"it was registered after `{hook.target}`'s forward (which captures a "
                    f"module's backward hooks), so it applies from the next forward only",
                    hook.step)
    if target_kind == "tensor" and raw.isdigit():
        facts = scan.tensors.get(int(raw))
        if facts is not None and not scan.backwards:
            return "no backward ran", hook.step
        node = _node_of(scan, facts) if facts is not None else None
        if node is None or node not in scan.ran:
            return f"{words.tensor(int(raw))} got no gradient in any backward", hook.step
    if not scan.backwards and hook.kind in _GRADIENT_HOOKS:
        return "no backward ran", hook.step
    return "what it waits for never happened after it was registered", hook.step


def _lines(*locations: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(loc for loc in locations if loc))

