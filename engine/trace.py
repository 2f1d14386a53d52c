"""Events: how a watcher (the debugger) sees the engine.

The engine emits dataclass events (immutable by contract); it never knows who listens. With no subscriber,
emitting costs one check of ``active`` at the call site::

    if trace.active:
        trace.emit(trace.NodeCreated(...))

Subscribers are plain callables ``fn(event)``, called synchronously on the thread that runs
the engine. A subscriber that blocks inside ``NodeExecuting`` holds the backward executor
before that node runs: that is how stepping works.

Ids are small integers: node ids and tensor ids come from their own counters (tensor ids are
given lazily, the first time a tensor is named in an event); hook ids are the
``RemovableHandle.id`` of the hook (one global counter).

Tensor values travel as ``Summary`` records made to cost little at emission: a small
tensor's values are copied flat, a gradient in flight is referenced (nothing writes to it
later), and a big op output keeps a reference to its array whose statistics are computed
when first read (``summarize_later``); in-place writes through the engine ``settle`` them
first, so a summary always describes the tensor as it was at its event. A subscriber may
bring a ``ValueBudget``: past it, summaries keep statistics only, made at once.

Muting is a debugger feature PyTorch lacks: a muted hook stays registered but is not called
when it would fire; the engine then emits ``HookFired(..., muted=True)``.
"""
from __future__ import annotations

import itertools
import math
import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

active = False
_subscribers: tuple = ()     # replaced, never changed in place: emit needs no copy
_lock = threading.Lock()
_budget = None               # the ValueBudget summaries are made under (None: no bound)
_budget_owner = None         # the subscriber that brought it

muted_hooks: set[int] = set()

# Largest tensor (in elements) whose values an event carries in full; bigger ones are
# summarised by statistics and a head.
values_cap = 4096
# Arrays kept by reference (gradients in flight) cost no copy, so a listener without a
# value budget (in this process) gets them up to this size. A subscriber with a budget sends
# or writes what it keeps (graphtui's recorder): for it, values_cap bounds these too, since
# pickling and piping an array costs far more than its statistics.
view_cap = 1 << 20
head_len = 8


def subscribe(fn, budget: "ValueBudget | None" = None) -> None:
    """Call ``fn(event)`` for every event from now on. ``budget``: the bytes of tensor values
    the subscriber's summaries may keep (see ValueBudget); the last one given applies."""
    global active, _subscribers, _budget, _budget_owner
    with _lock:
        _subscribers += (fn,)
        _route()
        active = True
        if budget is not None:
            _budget, _budget_owner = budget, fn


def unsubscribe(fn) -> None:
    global active, _subscribers, _budget, _budget_owner
    with _lock:
        if fn in _subscribers:
            index = _subscribers.index(fn)
            _subscribers = _subscribers[:index] + _subscribers[index + 1:]
        _route()
        active = bool(_subscribers)
        if _budget_owner == fn:
            _budget = _budget_owner = None


def _emit_to_all(event) -> None:
    for fn in _subscribers:
        fn(event)


# emit(event) calls every subscriber: with one subscriber, emit is that subscriber itself
# (one call less per event); the engine calls it as `trace.emit`, so it is read at each call.
emit = _emit_to_all


def _route() -> None:
    global emit
    emit = _subscribers[0] if len(_subscribers) == 1 else _emit_to_all


def is_muted(hook_id: int) -> bool:
    return hook_id in muted_hooks


ENGINE_DIR = __file__.rsplit("/", 1)[0] + "/"     # frames from here are the engine's own


# Files of a program that hosts the engine (a debugger running a scenario): their frames are
# not the user's, so the locations and tracebacks the engine records leave them out.
_host_files: tuple[str, ...] = ()


def register_host_files(*prefixes: str) -> None:
    global _host_files
    _host_files += tuple(p for p in prefixes if p not in _host_files)
    user_locations.clear()


# (id of a code object, instruction offset) -> (the code object, "file.py:12" of a user's
# line) (engine.ops._core.user_location).
user_locations: dict = {}


def is_host_file(filename: str) -> bool:
    return filename.startswith(_host_files) if _host_files else False


# Paths of the modules whose forward is running, innermost last (kept by engine.nn).
module_stack: list[str] = []


def current_module() -> str | None:
    return module_stack[-1] if module_stack else None


# ---------------------------------------------------------------- ids

_tensor_ids = itertools.count(1)
_id_resetters: list = []


def on_reset_ids(fn) -> None:
    """Register a function that restarts one of the engine's id counters."""
    _id_resetters.append(fn)


def reset_ids() -> None:
    """Restart every id counter (tensor, node, sequence_nr, backward, hook ids), so a re-run
    of a scenario numbers things as the first run did. PyTorch's sequence_nr is per thread
    and each run has a thread of its own, so this matches it too."""
    global _tensor_ids
    _tensor_ids = itertools.count(1)
    _reset_storage_ids()
    _recent.clear()
    for fn in _id_resetters:
        fn()


def tensor_id(tensor) -> int:
    """A stable small id for a tensor, given the first time it is asked for."""
    tid = tensor._tid
    if tid == 0:
        tid = tensor._tid = next(_tensor_ids)
    return tid


# Events and summaries are immutable by contract: nothing changes one after it is emitted.
# They are not frozen dataclasses because building a frozen one costs about five times as
# much, and the engine builds one per op and per node while a debugger watches.
_record = dataclass(slots=True, unsafe_hash=True)


# ---------------------------------------------------------------- summaries

_DTYPE_NAMES: dict = {}


def dtype_name(dtype) -> str:
    """numpy's dtype.name, cached: the property is slow and events need it per tensor."""
    name = _DTYPE_NAMES.get(dtype.num)
    if name is None:
        name = _DTYPE_NAMES[dtype.num] = dtype.name
    return name


@_record
class Stats:
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    norm: float | None = None
    nan: int = 0
    inf: int = 0
    head: tuple = ()
    abs_mean: float | None = None     # mean |x| over the finite values


class _ByReference:
    # (array, version box, version) of a summary whose statistics are still to be computed
    # from its tensor's own array (see summarize_later); None otherwise. The version box
    # lists such a summary by a weak reference: the summary refers to the box, and a strong
    # reference back would make a cycle that kept the tensor's array alive after the tensor
    # until the cyclic collector ran.
    __slots__ = ("_source", "__weakref__")


@dataclass(slots=True, eq=False, init=False)
class Summary(_ByReference):
    """What an event keeps of a tensor: shape, dtype, and either a copy of the values (small
    tensors; statistics are computed from it when first read, so recording stays cheap) or
    the statistics and a head (big tensors; for an op's output, computed when first read
    from a reference to its array, see summarize_later)."""
    shape: tuple[int, ...]
    dtype: str
    numel: int
    values: np.ndarray | None = None
    stats: Stats | None = None

    def __init__(self, shape: tuple[int, ...], dtype: str, numel: int,
                 values: np.ndarray | None = None, stats: Stats | None = None) -> None:
        self.shape = shape
        self.dtype = dtype
        self.numel = numel
        self.values = values
        _set_stats_slot(self, stats)     # the slot itself: _StatsWhenRead.__set__ is a
                                         # Python call, and every event makes summaries
        self._source = None              # set, so reading it raises nothing (see _summary)

    def _stats(self) -> Stats:
        stats = self.stats
        if stats is None:
            stats = _statistics(self.values) if self.values is not None else Stats()
            self.stats = stats
        return stats

    def statistics(self) -> Stats:
        """All the statistics at once (computed at the first read)."""
        return self._stats()

    min = property(lambda self: self._stats().min)
    max = property(lambda self: self._stats().max)
    mean = property(lambda self: self._stats().mean)
    norm = property(lambda self: self._stats().norm)
    nan = property(lambda self: self._stats().nan)
    inf = property(lambda self: self._stats().inf)
    head = property(lambda self: self._stats().head)
    abs_mean = property(lambda self: self._stats().abs_mean)

    @property
    def has_nonfinite(self) -> bool:
        return bool(self.nan or self.inf)

    def kept_array(self) -> np.ndarray | None:
        """The array this summary keeps alive: its values, or the tensor's array it will
        compute statistics from."""
        if self.values is not None:
            return self.values
        source = getattr(self, "_source", None)
        return None if source is None else source[0]


class _StatsWhenRead:
    """Summary.stats: read as stored, except that a summary keeping its tensor's array by
    reference computes them at the first read (and lets the array go)."""

    def __init__(self, slot):
        self.slot = slot

    def __get__(self, summary, owner=None):
        if summary is None:
            return self
        stats = self.slot.__get__(summary, owner)
        if stats is None:
            source = getattr(summary, "_source", None)
            if source is not None:
                array, box, version = source
                stats = _source_statistics(array, box, version)
                self.slot.__set__(summary, stats)
                summary._source = None
                if box[0] == version:       # it keeps no array now: summarize_tensor may share it
                    _remember(array, box, version, summary)
        return stats

    def __set__(self, summary, value) -> None:
        self.slot.__set__(summary, value)


_set_stats_slot = Summary.stats.__set__
Summary.stats = _StatsWhenRead(Summary.stats)
_new_object = object.__new__


def _summary(shape: tuple, dtype: str, numel: int, values: np.ndarray | None,
             stats: Stats | None = None) -> Summary:
    """Summary(...) without a call of its __init__: the engine makes one per tensor per
    event."""
    summary = _new_object(Summary)
    summary.shape = shape
    summary.dtype = dtype
    summary.numel = numel
    summary.values = values
    _set_stats_slot(summary, stats)
    # Set, not left empty: reading an empty slot raises an AttributeError (which getattr's
    # default catches), at every read of the statistics of a summary that keeps its values.
    summary._source = None
    return summary


class ValueBudget:
    """Bytes of tensor values that summaries may keep: copies of small tensors' values, and
    arrays kept by reference (a gradient in flight, a big op output until its statistics are
    read; a view counts its whole base array, which it keeps alive). A watcher's history would
    otherwise keep every copy of a long run. Once ``max_bytes`` are spent, summaries keep only
    statistics and a head, computed at once, so nothing is copied or kept only to be dropped.
    Values of at most ``TINY`` elements are kept regardless, and not counted: their
    statistics would take more memory than they do. The summary that crosses the budget
    keeps its values, so the budget may be exceeded by one summary's."""

    __slots__ = ("max_bytes", "used", "stripped")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self.stripped = 0            # summaries made without the values they would have kept

    def admits(self, nbytes: int) -> bool:
        """Charge ``nbytes`` kept values; False (and nothing charged) once spent."""
        if self.used >= self.max_bytes:
            self.stripped += 1
            return False
        self.used += nbytes
        return True


TINY = 64                    # elements: values this small are kept past the budget


def _array_base(array: np.ndarray):
    """The array `array` views, through the non-array that as_strided puts between them."""
    base = array.base
    if base is not None and not isinstance(base, np.ndarray) \
            and isinstance(getattr(base, "base", None), np.ndarray):
        return base.base
    return base


def _kept_alive_bytes(array: np.ndarray) -> int:
    owner = array
    while isinstance(_array_base(owner), np.ndarray):
        owner = _array_base(owner)
    return max(array.nbytes, owner.nbytes)


def summarize_later(tensor) -> Summary:
    """A summary of a big tensor that keeps a reference to its array instead of computing
    statistics now: they are computed when first read. The tensor's version counter lists
    the summary (weakly: a summary nobody keeps needs no statistics), so that an in-place
    write through the engine computes them first (settle); a write that went around it
    changes the version, and the statistics read as unknown rather than as the new values'.
    Past the value budget the statistics are computed now."""
    array, box = tensor._data, tensor._vc
    summary = later_summary(array, box, box[0])
    if summary._source is not None:
        if len(box) > PENDING_KEPT:     # a tensor announced again and again, never written
            box[1:] = [pending for pending in box[1:] if pending() is not None]
        box.append(weakref.ref(summary))
    return summary


PENDING_KEPT = 8


def later_summary(array: np.ndarray, box, version: int) -> Summary:
    """A summary computing its statistics from ``array`` when first read, unless ``box[0]``
    is no longer ``version`` then; past the value budget, one with its statistics now."""
    summary = _summary(array.shape, _DTYPE_NAMES.get(array.dtype.num) or dtype_name(array.dtype),
                       array.size, None)
    budget = _budget
    if budget is None or budget.admits(_kept_alive_bytes(array)):
        summary._source = (array, box, version)
    else:
        summary._source = None
        summary.stats = _statistics(array.reshape(-1), fused=True)
    return summary


# id(array) -> (weak reference to it, its version box, the version, its summary): the last
# summaries made of tensors, so that a tensor announced again unchanged (an op's output
# becoming a module's output, then the next module's input) shares its summary instead of
# having its statistics computed again. Only summaries that keep no reference to their
# tensor's array are listed (this must not keep big arrays alive); one that does is listed
# on its tensor's version box until its statistics are read, and is found there.
_recent: dict = {}
RECENT_KEPT = 256


def summarize_tensor(tensor, new: bool = False) -> Summary:
    """The summary of a Tensor as it is now (values copied when small): the one made of it
    before when its version has not changed since, else a new one (summarize_later's for a
    big op output, else summarize's), remembered for the next time. ``new``: the tensor was
    made just now with a version counter of its own (an op's output), so none was made."""
    array, box = tensor._data, tensor._vc
    version = box[0]
    if not new:
        entry = _recent.get(id(array))
        if entry is not None and entry[0]() is array and entry[1] is box and \
                entry[2] == version:
            return entry[3]
    if tensor._grad_fn is not None and array.size > values_cap:
        for pending in box[1:]:
            summary = pending()
            source = None if summary is None else summary._source
            if source is not None and source[0] is array and source[2] == version:
                return summary
        summary = summarize_later(tensor)
        if summary._source is not None:
            return summary
    else:
        summary = summarize(array)
    _remember(array, box, version, summary)
    return summary


def _remember(array: np.ndarray, box: list, version: int, summary: Summary) -> None:
    if len(_recent) >= RECENT_KEPT:
        _recent.clear()
    _recent[id(array)] = (weakref.ref(array), box, version, summary)


def settle(box: list) -> None:
    """Compute the statistics still pending on a tensor's version counter ``box`` (shared
    with its views): call before the tensor's array is written in place or handed out."""
    for pending in box[1:]:
        summary = pending()
        if summary is not None:
            summary.stats
    del box[1:]


def _source_statistics(array: np.ndarray, box: list, version: int) -> Stats:
    if box[0] != version:           # written in place without settle: the values are gone
        return Stats()
    return _statistics(array.reshape(-1), fused=True)


def summarize(value, copy: bool = True) -> Summary | None:
    """Summary of a Tensor or ndarray (None stays None). Keeps the values only when small
    and within the value budget: a flat copy, or (copy=False, for arrays nobody writes to
    later, like gradients flowing through the backward pass) the array itself, flattened (a
    view when it is not flat). Values are read-only by contract; they are not flagged so
    because setting an array's flags costs more than the rest of a summary together."""
    if value is None:
        return None
    array = value if type(value) is np.ndarray else getattr(value, "_data", None)
    if array is None:
        array = np.asarray(value)
    numel = array.size
    dtype = _DTYPE_NAMES.get(array.dtype.num) or dtype_name(array.dtype)
    budget = _budget
    if copy:
        if numel <= values_cap and (numel <= TINY or budget is None
                                    or budget.admits(array.nbytes)):
            return _summary(array.shape, dtype, numel, array.flatten())
    elif numel <= (view_cap if budget is None else values_cap) and \
            (numel <= TINY or budget is None or budget.admits(_kept_alive_bytes(array))):
        return _summary(array.shape, dtype, numel,
                        array if array.ndim == 1 else array.reshape(-1))
    return _summary(array.shape, dtype, numel, None, _statistics(array.reshape(-1), fused=True))


# The fused kernel for statistics that replace values (engine.kernels.statistics.moments),
# registered when the engine's kernels load: a process that has not paid for Numba's start-up
# (the debugger) keeps to NumPy. Statistics of values an event keeps are NumPy's everywhere.
_moments_kernel = None
FUSED_MIN = 64                 # fewer elements: NumPy's calls cost less than the kernel's


def use_moments_kernel(kernel) -> None:
    global _moments_kernel
    _moments_kernel = kernel


def _statistics(flat: np.ndarray, fused: bool = False) -> Stats:
    """The statistics of a flat array; ``fused``: computed instead of keeping the values (by
    the recorder, per event), where the kernel is worth its call."""
    if flat.size == 0:
        return Stats()
    head = tuple(flat[:head_len].tolist())
    if fused and _moments_kernel is not None and flat.size >= FUSED_MIN and \
            flat.dtype.char in "fd":
        low, high, total, squares, absolute = _moments_kernel(flat)
        if math.isfinite(total) and math.isfinite(squares):
            return Stats(low, high, total / flat.size, math.sqrt(squares), 0, 0, head,
                         absolute / flat.size)
    if flat.dtype.kind not in "fc":
        return Stats(float(flat.min()), float(flat.max()), float(flat.mean(dtype=np.float64)),
                     None, 0, 0, head, float(np.abs(flat).mean(dtype=np.float64)))
    total = float(flat.sum())
    if np.isfinite(total):          # no nan or inf anywhere: the cheap path
        return Stats(float(flat.min()), float(flat.max()), total / flat.size,
                     float(np.sqrt(np.dot(flat, flat))), 0, 0, head,
                     float(np.abs(flat).sum()) / flat.size)
    finite = np.isfinite(flat)
    nan = int(np.isnan(flat).sum())
    inf = flat.size - nan - int(finite.sum())
    good = flat[finite].astype(np.float64)
    if good.size == 0:
        return Stats(None, None, None, None, nan, inf, head)
    return Stats(float(good.min()), float(good.max()), float(good.mean()),
                 float(np.sqrt(np.dot(good, good))), nan, inf, head, float(np.abs(good).mean()))


# ---------------------------------------------------------------- events

# What a saved value's memory belongs to (SavedInfo.kind): only activations and scalars are
# kept alive by the graph alone; a parameter's memory is the model's, an input's the caller's.
ACTIVATION = "activation"             # made by an op (a non-leaf, or a mask, indices, ...)
PARAMETER = "parameter"               # a leaf that requires grad (nn.Parameter), or a view of one
INPUT = "input"                       # memory a creation function made (torch.tensor, randn,
                                      # from_numpy, ...): the caller's data, like a batch
SCALAR = "scalar"                     # a Python number, saved as a 0-dim "wrapped number"


@_record
class SavedInfo:
    name: str
    shape: tuple[int, ...]
    dtype: str
    nbytes: int                       # this tensor's own bytes (its view of the storage)
    tensor_id: int | None = None      # the tensor that was saved, when it is one we know
    storage: int | None = None        # id of the memory it lives in: aliases and views share it
    storage_nbytes: int | None = None  # bytes of that memory: what keeping the tensor keeps
    offset: int = 0                   # byte offset of this tensor in that memory
    kind: str = ACTIVATION            # ACTIVATION | PARAMETER | INPUT | SCALAR
    version: int = 0                  # its version counter when saved (backward needs it again)


# ---------------------------------------------------------------- storages

_storages: dict[int, tuple] = {}      # id(owner array) -> (weakref to it, storage id)
# id(view array) -> (weakref to it, what storage_of gave for it): a view saved again and again
# (a parameter made by randn, weight.t()) reads its address once. A view's storage, offset
# and owner never change while it lives.
_views: dict[int, tuple] = {}
VIEWS_KEPT = 1024
_storage_ids = itertools.count(1)


def storage_of(array: np.ndarray) -> tuple[int, int, int]:
    """(storage id, storage bytes, byte offset) of an array: views and aliases of one block
    of memory get one id, which is never reused while the run lasts (``id()`` of a dead array
    is). The owner is the array NumPy's ``base`` chain ends at."""
    if array.base is None:
        return _storage_entry(array)[1], array.nbytes, 0
    view = _views.get(id(array))
    if view is not None and view[0]() is array:
        return view[1]
    owner = array
    base = _array_base(array)
    while isinstance(base, np.ndarray):
        owner = base
        base = _array_base(owner)
    entry = _storage_entry(owner)
    if owner is array:
        return entry[1], array.nbytes, 0
    if entry[2] is None:            # the owner's address is read once (the interface is slow)
        entry = _storages[id(owner)] = entry[:2] + (owner.__array_interface__["data"][0],)
    found = entry[1], owner.nbytes, array.__array_interface__["data"][0] - entry[2]
    if len(_views) >= VIEWS_KEPT:
        _views.clear()
    _views[id(array)] = (weakref.ref(array), found)
    return found


def _storage_entry(owner: np.ndarray) -> tuple:
    """(weakref to the owner, its storage id, its address or None) in _storages."""
    key = id(owner)
    entry = _storages.get(key)
    if entry is None or entry[0]() is not owner:
        if len(_storages) >= _sweep_at:
            _sweep_storages()
        entry = _storages[key] = (weakref.ref(owner), next(_storage_ids), None)
    return entry


# Entries of dead memory are dropped in sweeps, when the table has doubled since the last,
# rather than by a callback per array (an op's output is a new storage at every step).
_sweep_at = 4096


def _sweep_storages() -> None:
    global _sweep_at
    for key, entry in list(_storages.items()):
        if entry[0]() is None:
            del _storages[key]
            _created.discard(entry[1])
    _sweep_at = max(4096, 2 * len(_storages))


_created: set[int] = set()            # storage ids of memory creation functions made


def note_created(array: np.ndarray) -> None:
    """A creation function made this memory (the caller's data, not an op's result)."""
    _created.add(storage_of(array)[0])


def was_created(array: np.ndarray) -> bool:
    return storage_of(array)[0] in _created


def storage_was_created(storage: int) -> bool:
    """Whether the storage of that id (from storage_of) is memory a creation function made."""
    return storage in _created


def _reset_storage_ids() -> None:
    global _storage_ids
    _storage_ids = itertools.count(1)
    _storages.clear()
    _views.clear()
    _created.clear()


@_record
class TensorCreated:
    tensor_id: int
    name: str | None                  # a name hint when one is known (parameter path)
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool
    is_leaf: bool
    grad_fn_id: int | None
    summary: Summary | None
    made: str | None = None           # "no_grad": an op's output under no_grad from inputs that
                                      # require grad; "detach": x.detach(); None otherwise
    location: str | None = None       # "file.py:12" of the user's line, when ``made`` is set


@_record
class TensorNamed:
    """A name became known for a tensor (a module parameter, a scenario variable)."""
    tensor_id: int
    name: str
    # Set for a module's parameter (None for its buffers and for variables): its shape and
    # requires_grad, so a frozen one is known though no gradient ever names it.
    param_shape: tuple[int, ...] | None = None
    requires_grad: bool | None = None


@_record
class TensorModified:
    """An in-place op changed a tensor: its version counter moved."""
    tensor_id: int
    op: str
    version: int
    grad_fn_id: int | None
    summary: Summary | None
    requires_grad: bool | None = None
    location: str | None = None       # "file.py:12" of the user's line that changed it
    base_id: int | None = None        # the tensor it is a view of (one version counter)
    update_norm: float | None = None  # an optimizer's step: the norm of (new - old) values
    storage: int | None = None        # the memory it lives in (SavedInfo.storage): a view of
                                      # it, or its base, shares its version counter


@_record
class NodeCreated:
    node_id: int
    name: str                         # "MulBackward0", "AccumulateGrad", ...
    sequence_nr: int
    next_functions: tuple             # ((node_id | None, input_nr), ...)
    output_ids: tuple[int, ...]       # tensor ids of the node's outputs (variable for AccumulateGrad)
    saved: tuple[SavedInfo, ...]
    module: str | None                # module path the op ran in ("conv1"), None at top level
    location: str | None              # "file.py:12" of the user's line that made the node
    # The node's plain values (`_saved_dim`, ...) by reference: its `_attrs` dict, which the
    # engine never changes after announcing it; "_name" entries are the rule's own, and a
    # watcher reads the others (graphtui.model.node_attrs).
    attrs: dict | None = field(default=None, hash=False)


@_record
class HookRegistered:
    hook_id: int
    kind: str      # tensor | post_accumulate_grad | grad_fn_pre | grad_fn_post | forward_pre |
                   # forward | backward | full_backward | full_backward_pre | global_forward ...
    target: str    # module path, "tensor:<id>", or "node:<id>"
    callable_name: str


@_record
class HookRemoved:
    hook_id: int


@_record
class HookFired:
    hook_id: int
    kind: str
    target: str
    args: tuple                       # Summary | None | tuple of those, one per argument
    replaced: bool = False            # the hook returned a value that replaced an argument
    result: tuple = ()                # summaries of what it returned, when it replaced
    muted: bool = False               # skipped because the debugger muted it


@_record
class ModuleForward:
    path: str
    class_name: str
    phase: str                        # "start" | "end"
    inputs: tuple = ()
    outputs: tuple = ()


@_record
class BackwardStarted:
    backward_id: int
    kind: str                         # "backward" | "grad"
    roots: tuple                      # ((node_id | None, tensor_id), ...)
    retain_graph: bool
    create_graph: bool
    location: str | None = None       # "file.py:12" of the user's backward()/grad() call


@_record
class BackwardFinished:
    backward_id: int
    ok: bool


@_record
class NodeExecuting:
    node_id: int
    name: str
    grad_outputs: tuple               # Summary | None per output


@_record
class NodeExecuted:
    node_id: int
    name: str
    grad_inputs: tuple                # Summary | None per next_functions edge


@_record
class GradAccumulated:
    tensor_id: int
    grad: Summary | None              # None: .grad was cleared (zero_grad, `x.grad = None`)
    accumulated: bool                 # True when added to an existing .grad
    retained: bool = False            # a non-leaf's retain_grad copy


@_record
class BufferFreed:
    node_id: int
    names: tuple[str, ...]
    nbytes: int


@_record
class WarningRaised:
    category: str
    message: str
    node_id: int | None = None
    tensor_id: int | None = None


@_record
class ErrorRaised:
    exc_type: str
    message: str
    node_id: int | None = None
    tensor_id: int | None = None


# torch.trace is the trace of a matrix, and `engine.trace` is this module (the engine's own
# code imports it as `from engine import trace`): calling the module is torch.trace.
import sys as _sys  # noqa: E402
import types as _types  # noqa: E402


class _CallableModule(_types.ModuleType):
    def __call__(self, input):
        from engine.ops.linalg_products import trace as matrix_trace
        return matrix_trace(input)


_sys.modules[__name__].__class__ = _CallableModule
