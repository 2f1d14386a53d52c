"""Per-parameter gradient statistics per iteration, read from the event log. Pure, no Textual.

An iteration is the Nth backward pass (each ``BackwardStarted``, numbered from 1). A
parameter is a module's parameter, named by its module (``TensorNamed`` with its shape and
requires_grad: a frozen one is listed though it never gets a gradient), or any leaf whose
``.grad`` an iteration's backward wrote (``GradAccumulated`` that is not a ``retain_grad``
copy); its statistics for the iteration are those of its ``.grad`` when that backward
finished. The parameters a module names together (one model's, at its first forward) are
one ``model``: an iteration lists every parameter of the models it wrote gradients to. An optimizer step seen after the backward (a
``TensorModified`` carrying ``update_norm``) gives the ratio of the update to the weight,
``‖Δw‖ / ‖w‖`` with w after the step.

A bias whose module's output goes straight into a BatchNorm or InstanceNorm gets no
gradient by construction (the norm subtracts the mean over what the bias shifts alike). Its
near-zero norm is not flagged as vanishing; it is a ``Note`` instead, which says why.

``GradientTracker`` reads a log incrementally (``update(log)`` applies the events it has not
seen), so a view opened again, or a live run, costs only the new events. It keeps at most
``MAX_ITERATIONS`` iterations: past that, every second older one is dropped (numbers stay
true), so memory is bounded on any loop.
"""
from __future__ import annotations

import bisect
import dataclasses
import math
import threading
import weakref
from dataclasses import dataclass, field

from engine import trace
from graphtui.model.fast_init import maker

VANISHING_NORM = 1e-7        # a gradient norm below this is vanishing
VANISHING_DROP = 1e-4        # a weight's norm below this fraction of the last layer's is too
EXPLODING_NORM = 1e3         # a gradient norm above this (or any NaN/Inf) is exploding
MAX_ITERATIONS = 2048
MAX_SCALARS = 4096           # scalar tensors remembered, for the roots' values (the loss)
MAX_NAMES = 65_536           # tensor names remembered beyond the parameters'
TOP_LEVEL = "(top level)"

VANISHING, EXPLODING = "vanishing", "exploding"
# Norms that subtract a per-channel mean over the batch or the positions: a bias added just
# before one of them shifts every value it averages alike, so it cancels out.
CANCELLING_NORMS = frozenset({"BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d",
                              "InstanceNorm2d", "InstanceNorm3d", "SyncBatchNorm"})


@dataclass(frozen=True, slots=True)
class GradStat:
    """One parameter's ``.grad`` at the end of one iteration's backward."""
    norm: float | None
    min: float | None
    max: float | None
    abs_mean: float | None
    nan: int
    inf: int
    update_ratio: float | None = None     # ‖Δw‖ / ‖w‖ of the optimizer step after it


# Made for every gradient of every iteration: without the dataclass's __init__ (fast_init).
_new_grad_stat = maker(GradStat)


@dataclass(frozen=True, slots=True)
class Param:
    tensor_id: int
    name: str
    module: str               # module path ("0", "fc1"), or TOP_LEVEL
    shape: tuple[int, ...]
    order: int                # layer order: when the parameter was first seen
    requires_grad: bool = True    # False: frozen, it gets no gradient
    model: int = 0            # the parameters named together by one module (0: a leaf that
                              # got a gradient, named by no module)

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1] if self.module != TOP_LEVEL else self.name

    @property
    def is_weight(self) -> bool:
        return len(self.shape) >= 2


@dataclass(slots=True)
class Iteration:
    number: int               # 1 for the first backward
    step: int                 # index of its BackwardStarted in the log
    root_tensor: int | None
    loss: float | None        # the root's value when it is a scalar
    finished: bool = False
    grads: dict[int, GradStat] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str                 # VANISHING | EXPLODING
    tensor_id: int
    reason: str               # "‖g‖ 3.1e-09 < 1e-07", "NaN 2", ...


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    iterations: tuple[int, ...]   # numbers of the iterations flagged so
    example: str                  # the first flag of the first such iteration


@dataclass(frozen=True, slots=True)
class Note:
    """A parameter whose tiny gradient is expected, and why."""
    tensor_id: int
    name: str                     # "fc1.bias"
    norm_module: str              # the module that cancels it: "bn (BatchNorm1d)"

    @property
    def text(self) -> str:
        return (f"{self.name} is not flagged: {self.norm_module} normalises its output "
                f"over the batch, so this bias cancels out and its gradient is zero up to "
                f"rounding (bias=False loses nothing)")


def param_flags(params: dict[int, Param], iteration: Iteration,
                cancelled: frozenset = frozenset()) -> list[Flag]:
    """Vanishing and exploding gradients of one iteration, in layer order. A vanishing bias
    in ``cancelled`` (a module whose output a BatchNorm normalises) is left unflagged when
    its module's weight has a gradient: that is a Note, not a problem."""
    stats = [(params[tid], stat) for tid, stat in iteration.grads.items() if tid in params]
    stats.sort(key=lambda pair: pair[0].order)
    weights = [(p, s) for p, s in stats if p.is_weight and s.norm is not None]
    last = weights[-1][1].norm if weights else None
    flags = []
    for param, stat in stats:
        flag = _flag(param, stat, last)
        if flag is not None and not _cancelled(param, flag, cancelled, stats):
            flags.append(flag)
    return flags


def _cancelled(param: Param, flag: Flag, cancelled: frozenset, stats: list) -> bool:
    if flag.kind != VANISHING or param.module not in cancelled or param.short_name != "bias":
        return False
    return any(p.module == param.module and p.is_weight and s.norm is not None
               and s.norm >= VANISHING_NORM for p, s in stats)


def _flag(param: Param, stat: GradStat, last_norm: float | None) -> Flag | None:
    if stat.nan or stat.inf:
        return Flag(EXPLODING, param.tensor_id, f"NaN {stat.nan} Inf {stat.inf}")
    if stat.norm is None:
        return None
    if stat.norm > EXPLODING_NORM:
        return Flag(EXPLODING, param.tensor_id, f"‖g‖ {stat.norm:.1e} > {EXPLODING_NORM:.0e}")
    if stat.norm < VANISHING_NORM:
        return Flag(VANISHING, param.tensor_id, f"‖g‖ {stat.norm:.1e} < {VANISHING_NORM:.0e}")
    if param.is_weight and last_norm and stat.norm < VANISHING_DROP * last_norm:
        drop = math.log10(last_norm / stat.norm) if stat.norm > 0 else math.inf
        return Flag(VANISHING, param.tensor_id,
                    f"‖g‖ {stat.norm:.1e}, {drop:.0f} orders below the last layer's")
    return None


THRESHOLDS_SHORT = (f"vanishing: ‖g‖ < {VANISHING_NORM:.0e} or < {VANISHING_DROP:.0e} × last "
                    f"layer's · exploding: ‖g‖ > {EXPLODING_NORM:.0e} or NaN/Inf")
THRESHOLDS = (f"vanishing: ‖g‖ < {VANISHING_NORM:.0e}, or a weight's ‖g‖ < "
              f"{VANISHING_DROP:.0e} × the last layer's;  exploding: ‖g‖ > "
              f"{EXPLODING_NORM:.0e} or any NaN/Inf")


class GradientTracker:
    """Reads a log's events once each and keeps the gradient statistics of every iteration."""

    def __init__(self) -> None:
        self.step = 0                       # events of the log applied
        self.folded = 0                     # events discarded before this tracker read them
        self.thinned = False                # older iterations were dropped to bound memory
        self.iterations: list[Iteration] = []
        self.params: dict[int, Param] = {}
        self.module_classes: dict[str, str] = {}
        self._names: dict[int, tuple[str, int]] = {}    # tensor id -> (name, order named)
        self._scalars: dict[int, float] = {}
        self._order = 0
        self._models = 0                     # models seen (parameters named together)
        self._model_steps: dict[int, int] = {}   # model -> step its parameters were named
        self._named_at = -2                  # step of the last TensorNamed
        self._in_backward = False
        self._flags: dict[int, list[Flag]] = {}      # by iteration number, once finished
        self._normalised: dict[str, str] = {}   # module path -> the norm right after it
        self._just_ended: list[str] = []       # modules whose forward ended since one began
        self._findings: tuple[int, list] = (-1, [])  # (step, findings) last computed
        # Held while events are applied: a reader on another thread (the UI) holds it too.
        self.lock = threading.RLock()

    # ------------------------------------------------------------ reading

    def update(self, log, stop: int | None = None) -> GradientTracker:
        """Apply the events of ``log`` not applied yet (those before ``stop``, when given)."""
        with self.lock:
            total = len(log) if stop is None else min(stop, len(log))
            first = getattr(log, "first_step", 0)
            if first > self.step:
                self.folded += first - self.step
                self.step = first
            if total > self.step:
                self._apply_all(log[self.step:total])
        return self

    def _apply_all(self, events) -> None:
        # Most events (nodes, buffers, hooks) concern no gradient: one dict lookup each.
        handlers, start = _HANDLERS, self.step
        for index, event in enumerate(events, start):
            handler = handlers.get(type(event))
            if handler is not None:
                self.step = index
                handler(self, event)
        self.step = start + len(events)

    def apply(self, event) -> None:
        """Apply the next event (the one at index ``self.step`` of the log)."""
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)
        self.step += 1

    # ------------------------------------------------------------ questions

    def iteration_at(self, step: int | None) -> Iteration | None:
        """The iteration shown at moment ``step`` (after that many events; None: the last):
        the latest one started before it."""
        if not self.iterations:
            return None
        if step is None:
            return self.iterations[-1]
        starts = [it.step for it in self.iterations]
        index = bisect.bisect_left(starts, step) - 1
        return self.iterations[index] if index >= 0 else None

    def flags(self, iteration: Iteration) -> list[Flag]:
        cached = self._flags.get(iteration.number)
        if cached is None:
            cached = param_flags(self.params, iteration, frozenset(self._normalised))
            if iteration.finished:
                self._flags[iteration.number] = cached
        return cached

    def flagged_iterations(self) -> dict[str, list[int]]:
        """For each kind of flag, the numbers of the iterations that have it."""
        found: dict[str, list[int]] = {VANISHING: [], EXPLODING: []}
        for iteration in self.iterations:
            for kind in {flag.kind for flag in self.flags(iteration)}:
                found[kind].append(iteration.number)
        return found

    def findings(self) -> list[Finding]:
        """Each kind of flag seen: the iterations that have it and its first example."""
        if self._findings[0] == self.step:
            return self._findings[1]
        found = []
        for kind, numbers in self.flagged_iterations().items():
            if not numbers:
                continue
            iteration = next(it for it in self.iterations if it.number == numbers[0])
            flag = next(f for f in self.flags(iteration) if f.kind == kind)
            name = self.params[flag.tensor_id].name
            found.append(Finding(kind, tuple(numbers), f"{name} {flag.reason}"))
        self._findings = (self.step, found)
        return found

    def notes(self) -> list[Note]:
        """Biases left unflagged because a BatchNorm cancels them (in the last iteration that
        wrote gradients)."""
        iteration = next((it for it in reversed(self.iterations) if it.grads), None)
        if iteration is None:
            return []
        flagged = {flag.tensor_id for flag in self.flags(iteration)}
        notes = []
        for param in self.layer_order():
            stat = iteration.grads.get(param.tensor_id)
            if (stat is None or param.tensor_id in flagged or param.module not in self._normalised
                    or param.short_name != "bias" or stat.norm is None
                    or stat.norm >= VANISHING_NORM):
                continue
            norm = self._normalised[param.module]
            notes.append(Note(param.tensor_id, param.name, self.module_label(norm)))
        return notes

    def layer_order(self) -> list[Param]:
        return sorted(self.params.values(), key=lambda p: p.order)

    def listed(self, iteration: Iteration) -> list[Param]:
        """The parameters an iteration's table lists, in layer order: those it wrote a
        gradient to, the others of the same models (frozen, unused, or not reached yet by
        a backward still running), and every parameter of a model frozen whole (a frozen
        backbone called on its own) named before that backward. Another model trained
        apart (a second net, its own backward) stays out."""
        params = self.params
        models = {params[tid].model for tid in iteration.grads if tid in params}
        trainable = {p.model for p in params.values() if p.requires_grad}
        models.update(model for model, step in self._model_steps.items()
                      if step < iteration.step and model not in trainable)
        models.discard(0)
        return [p for p in self.layer_order()
                if p.tensor_id in iteration.grads or p.model in models]

    def norms(self, tensor_id: int) -> list[float | None]:
        """The parameter's gradient norm in each iteration kept (None where it got none)."""
        return [_norm_of(it.grads.get(tensor_id)) for it in self.iterations]

    def losses(self) -> list[tuple[int, float]]:
        """(iteration number, root value) of the iterations whose root is a scalar."""
        return [(it.number, it.loss) for it in self.iterations if it.loss is not None]

    def module_label(self, module: str) -> str:
        cls = self.module_classes.get(module)
        return f"{module} ({cls})" if cls else module

    # ------------------------------------------------------------ events

    def _named(self, tensor_id: int, name: str | None) -> int | None:
        """Remember the tensor's name; its order (when it was first named)."""
        if not name:
            return None
        known = self._names.get(tensor_id)
        if known is None:
            self._order += 1           # parameters are named in the order the model has them
            order = self._order
        else:
            order = known[1]
        self._names[tensor_id] = (name, order)
        param = self.params.get(tensor_id)
        if param is not None and param.name != name:
            self.params[tensor_id] = _renamed(param, name)
        if len(self._names) > MAX_NAMES:
            self._names = {tid: n for tid, n in self._names.items() if tid in self.params}
        return order

    def _on_named(self, e: trace.TensorNamed) -> None:
        order = self._named(e.tensor_id, e.name)
        if e.param_shape is not None and order is not None:
            # A module names its parameters one after the other, at its first forward.
            if self.step != self._named_at + 1 or not self._models:
                self._models += 1
                self._model_steps[self._models] = self.step
            self.params[e.tensor_id] = _param(e.tensor_id, e.name, tuple(e.param_shape), order,
                                              bool(e.requires_grad), self._models)
        self._named_at = self.step

    def _on_created(self, e: trace.TensorCreated) -> None:
        if e.name:
            self._named(e.tensor_id, e.name)
        summary = e.summary
        if summary is not None and summary.numel == 1:
            self._remember_scalar(e.tensor_id, summary)

    def _on_modified(self, e: trace.TensorModified) -> None:
        self._remember_scalar(e.tensor_id, e.summary)
        param = self.params.get(e.tensor_id)
        if param is not None and e.requires_grad is not None \
                and e.requires_grad != param.requires_grad:       # frozen, or unfrozen
            self.params[e.tensor_id] = dataclasses.replace(param, requires_grad=e.requires_grad)
        if e.update_norm is None or not self.iterations:
            return
        iteration = self.iterations[-1]
        stat = iteration.grads.get(e.tensor_id)
        weight = e.summary.norm if e.summary is not None else None
        if stat is not None and weight:
            iteration.grads[e.tensor_id] = _with_ratio(stat, e.update_norm / weight)

    def _remember_scalar(self, tensor_id: int, summary) -> None:
        if summary is None or summary.numel != 1 or summary.dtype[:5] not in ("float", "bfloa"):
            return
        scalars = self._scalars
        scalars.pop(tensor_id, None)
        scalars[tensor_id] = (float(summary.values[0]) if summary.values is not None
                              else summary.mean)
        if len(scalars) > MAX_SCALARS:
            del scalars[next(iter(scalars))]

    def _on_backward_started(self, e: trace.BackwardStarted) -> None:
        root = e.roots[0][1] if len(e.roots) == 1 else None
        loss = self._scalars.get(root) if root is not None else None
        number = self.iterations[-1].number + 1 if self.iterations else 1
        self.iterations.append(Iteration(number, self.step, root, loss))
        self._in_backward = True
        if len(self.iterations) > MAX_ITERATIONS:
            self._thin()

    def _on_backward_finished(self, _: trace.BackwardFinished) -> None:
        self._in_backward = False
        if self.iterations:
            self.iterations[-1].finished = True

    def _on_grad(self, e: trace.GradAccumulated) -> None:
        if not self._in_backward or e.retained or e.grad is None or not self.iterations:
            return
        if e.tensor_id not in self.params:
            self._add_param(e.tensor_id, e.grad.shape)
        stats = e.grad.statistics()
        self.iterations[-1].grads[e.tensor_id] = _new_grad_stat(
            stats.norm, stats.min, stats.max, stats.abs_mean, stats.nan, stats.inf)

    def _add_param(self, tensor_id: int, shape: tuple) -> None:
        known = self._names.get(tensor_id)
        if known is None:
            self._order += 1
            known = (f"tensor {tensor_id}", self._order)
        self.params[tensor_id] = _param(tensor_id, known[0], tuple(shape), known[1])

    def _on_module_forward(self, e: trace.ModuleForward) -> None:
        if e.phase != "start":
            self._just_ended.append(e.path)     # a layer, then the blocks it ends
            return
        if e.path not in self.module_classes:
            self.module_classes[e.path] = e.class_name
        if e.class_name in CANCELLING_NORMS:
            for path in self._just_ended:
                self._normalised.setdefault(path, e.path)
        self._just_ended.clear()

    def _thin(self) -> None:
        older, last = self.iterations[:-1], self.iterations[-1]
        self.iterations = older[::2] + [last]
        kept = {it.number for it in self.iterations}
        self._flags = {n: f for n, f in self._flags.items() if n in kept}
        self.thinned = True


def _param(tensor_id: int, name: str, shape: tuple, order: int, requires_grad: bool = True,
           model: int = 0) -> Param:
    module = name.rsplit(".", 1)[0] if "." in name else TOP_LEVEL
    return Param(tensor_id, name, module, shape, order, requires_grad, model)


def _renamed(param: Param, name: str) -> Param:
    return _param(param.tensor_id, name, param.shape, param.order, param.requires_grad,
                  param.model)


def _with_ratio(stat: GradStat, ratio: float) -> GradStat:
    return _new_grad_stat(stat.norm, stat.min, stat.max, stat.abs_mean, stat.nan, stat.inf,
                          ratio)


def _norm_of(stat: GradStat | None) -> float | None:
    return None if stat is None else stat.norm


_HANDLERS = {
    trace.TensorCreated: GradientTracker._on_created,
    trace.TensorNamed: GradientTracker._on_named,
    trace.TensorModified: GradientTracker._on_modified,
    trace.BackwardStarted: GradientTracker._on_backward_started,
    trace.BackwardFinished: GradientTracker._on_backward_finished,
    trace.GradAccumulated: GradientTracker._on_grad,
    trace.ModuleForward: GradientTracker._on_module_forward,
}


_trackers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_trackers_lock = threading.Lock()


def tracker_for(log, stop: int | None = None) -> GradientTracker:
    """The tracker of one log (one run), brought up to date (up to ``stop``, when given):
    opening the view again costs only the events recorded since."""
    try:
        with _trackers_lock:
            tracker = _trackers.get(log)
            if tracker is None:
                tracker = _trackers[log] = GradientTracker()
    except TypeError:                  # a log that cannot be weakly referenced (a plain list)
        tracker = GradientTracker()
    return tracker.update(log, stop)
