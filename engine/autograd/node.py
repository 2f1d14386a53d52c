"""Graph nodes (`grad_fn`s) and the values they save.

Every backward node class is made by `node_class` from one backward rule in the op table.
A node holds what its rule needs in two places: `_saved`, tensors as `SavedTensor` records
(the debugger lists them; `grad_fn._saved_<name>` reads them as PyTorch does; backward frees
them), and `_attrs`, plain values (dims, sizes, scalars) that `_saved_<name>` reads too, with
"_name" entries for the rule only. The one exception is `_scratch`, conv's im2col columns:
a cache of the saved input, freed with it, that PyTorch's ConvolutionBackward0 does not hold,
so it is not listed among the saved values (the debugger would show a buffer torch has not).
"""
from __future__ import annotations

import itertools
import re
import weakref

import numpy as np

from engine import trace
from engine.utils import hooks as _hooks

INFERENCE_MESSAGE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")

INPLACE_HINT = (
    " Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")

_sequence_nr = itertools.count()
_node_ids = itertools.count(1)


def _reset_counters() -> None:
    global _sequence_nr, _node_ids
    _sequence_nr = itertools.count()
    _node_ids = itertools.count(1)


trace.on_reset_ids(_reset_counters)

# True while a backward pass runs with create_graph=True: rules then get Tensors.
graph_mode = False


def _Tensor():
    from engine.tensor import Tensor
    return Tensor


_SCALAR_DTYPES = {bool: "bool", int: "int64", float: "float64", complex: "complex128"}
_SCALAR_BYTES = {"bool": 1, "int64": 8, "float64": 8, "complex128": 16}


class SavedTensor:
    """One value a node saved for its backward: the array, and what is needed to check it."""
    __slots__ = ("name", "data", "tensor", "output_ref", "version_box", "version",
                 "output_nr", "freed", "scalar", "view_producer")

    def __init__(self, name: str, tensor, *, is_output: bool = False) -> None:
        self.name = name
        # For the output of an in-place op on a view: weak refs to the view's grad_fn when
        # saved and to the node that saved it, the names PyTorch's error text gives.
        self.view_producer = None
        try:
            self.data = tensor._data
        except AttributeError:
            # A Python number operand, saved as PyTorch saves a "wrapped number" tensor: it is
            # freed like any saved tensor, but computes as a weak scalar.
            self.scalar = True
            self.data, self.tensor, self.output_ref = tensor, None, None
            self.version_box, self.version, self.output_nr, self.freed = [0], 0, 0, False
            return
        if tensor._inference:
            raise RuntimeError(INFERENCE_MESSAGE)
        self.scalar = False
        self.version_box = tensor._vc
        self.version = tensor._vc[0]
        self.output_nr = tensor._output_nr
        self.freed = False
        if is_output:
            self.tensor = None
            self.output_ref = weakref.ref(tensor)
        else:
            self.tensor = tensor
            self.output_ref = None

    @property
    def nbytes(self) -> int:
        if self.data is None:
            return 0
        if self.scalar:
            return _SCALAR_BYTES[self.dtype_name]
        return int(self.data.nbytes)

    @property
    def shape(self) -> tuple:
        return () if self.scalar else tuple(self.data.shape)

    @property
    def dtype_name(self) -> str:
        if self.scalar:     # PyTorch wraps a Python number as a 0-dim double / long / bool
            return _SCALAR_DTYPES.get(type(self.data), "float64")
        return trace.dtype_name(self.data.dtype)

    def unpack(self, node):
        if self.freed:
            raise RuntimeError(FREED_MESSAGE)
        if self.version_box[0] != self.version:
            raise RuntimeError(self._modified_message(node))
        if not graph_mode or self.scalar:
            return self.data
        return self._as_tensor(node)

    def _as_tensor(self, node):
        if self.scalar:
            return _Tensor()._make(np.asarray(self.data))
        if self.tensor is not None:
            return self.tensor
        # PyTorch unpacks a saved output as a new tensor on the node that saved it (sharing
        # the data and version counter), not the output itself: a later in-place edit of the
        # output (CopySlices) does not change what the double-backward graph names.
        out = _Tensor()._make(self.data)
        grad_fn, output_nr = node, self.output_nr
        if self.view_producer is not None and self.view_producer[0]() is not None:
            # the output of an in-place op on a view: the view's grad_fn when it was saved
            # (AsStridedBackward0), while that node lives
            grad_fn, output_nr = self.view_producer[0](), 0
        out._grad_fn, out._output_nr, out._requires_grad = grad_fn, output_nr, True
        out._vc = self.version_box
        return out

    def _modified_message(self, node) -> str:
        dtype = _Tensor()._dtype_of(self.data)
        # The tensor as it is now: an in-place shape op (t_) changed its shape since.
        now = self.data if self.tensor is None else self.tensor._data
        shape = ", ".join(str(s) for s in now.shape)
        # PyTorch names the tensor's producer as it is now: an in-place op on a saved input
        # shows up as that op ("output 0 of Add").
        if self.view_producer is not None:
            view_fn, saved_for = self.view_producer
            producer = view_fn() or saved_for()
        else:
            producer = node if self.output_ref is not None else self.tensor.grad_fn
        where = ""
        if producer is not None:
            where = f", which is output {self.output_nr} of {short_op_name(producer.name())},"
        return ("one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [torch.{dtype.tensor_type} [{shape}]]{where} is at version "
                f"{self.version_box[0]}; expected version {self.version} instead." + INPLACE_HINT)

    def public_value(self, node):
        """What `grad_fn._saved_<name>` returns."""
        if self.freed:
            raise RuntimeError(FREED_MESSAGE)
        return self._as_tensor(node)

    def release(self) -> None:
        self.data = None
        self.tensor = None
        self.output_ref = None
        self.view_producer = None
        self.freed = True


def _unpack_order(saved: SavedTensor) -> tuple:
    return (saved.output_ref is not None, saved.name)


class Node:
    """Base of every grad_fn. Subclasses set `_rule(node, *grad_outputs) -> grads per edge`."""

    _rule = None
    _num_outputs = 1
    _tensor_list_input = False  # its inputs are one TensorList argument (cat, stack)
    _saved = None          # dict name -> SavedTensor
    _attrs = None          # dict name -> plain value (dims, sizes, scalars): never freed
    _pre_hooks = None
    _post_hooks = None
    _tensor_pre_hooks = None   # output_nr -> {hook id: fn}, from Tensor.register_hook
    _retain_grad_refs = None   # output_nr -> weakref of a tensor that retains its grad
    _metadata = None
    _forward_stack = None      # where the forward op ran, recorded in anomaly mode
    _module = None
    _out_meta = None           # per output (shape, np dtype), to make zero grads
    _known_names = frozenset()  # saved / attr names this class has `_saved_` getters for
    _scratch = None            # an op's own cache for its rule (conv's columns): freed with _saved
    _from_op_table = False     # made by node_class: a rule of ours, not a user's Function
    _checked = False           # its gradients have its inputs' dtype: only shapes are checked

    def __init__(self) -> None:
        self._id = next(_node_ids)
        self._sequence_nr = next(_sequence_nr)
        self._next = ()

    # ------------------------------------------------------------ PyTorch's API
    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        return tuple((None, 0) if e is None else e for e in self._next)

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def _sequence_nr_value(self) -> int:
        return self._sequence_nr

    def register_hook(self, fn) -> _hooks.RemovableHandle:
        """fn(grad_inputs, grad_outputs) runs after the node; may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = {}
        return _hooks.register(self._post_hooks, fn, "grad_fn_post", f"node:{self._id}")

    def register_prehook(self, fn) -> _hooks.RemovableHandle:
        """fn(grad_outputs) runs before the node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return _hooks.register(self._pre_hooks, fn, "grad_fn_pre", f"node:{self._id}")

    def _read_saved(self, key: str):
        """What `_saved_<key>` reads: a saved value, else a public attr (see expose_saved)."""
        if self._saved is not None and key in self._saved:
            return self._saved[key].public_value(self)
        if self._attrs is not None and key in self._attrs and not key.startswith("_"):
            return self._attrs[key]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '_saved_{key}'")

    def __dir__(self):
        # This node's own `_saved_` names, not every name its class has a getter for.
        names = [name for name in super().__dir__() if not name.startswith("_saved")]
        names += [f"_saved_{k}" for k in (self._saved or ()) if not k.startswith("_")]
        names += [f"_saved_{k}" for k in (self._attrs or ()) if not k.startswith("_")]
        return names

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __call__(self, *grads):
        """Apply the backward rule directly, as calling a PyTorch grad_fn does."""
        arrays = [g._data if hasattr(g, "_data") else g for g in grads]
        Tensor = _Tensor()
        return tuple(None if r is None else Tensor._make(np.asarray(r))
                     for r in self._apply(arrays))

    # ------------------------------------------------------------ engine side
    def saved(self, name: str):
        """A saved value for the backward rule (array, or Tensor under create_graph)."""
        saved = self._saved[name]
        if saved.freed or graph_mode or saved.version_box[0] != saved.version:
            return saved.unpack(self)       # raises, or makes the Tensor create_graph needs
        return saved.data

    def get(self, name: str):
        """A saved tensor, or else a saved plain value (a scalar operand, a dim)."""
        if self._saved is not None and name in self._saved:
            return self._saved[name].unpack(self)
        return self._attrs[name]

    def needs(self, index: int) -> bool:
        """Whether input `index` wants a gradient (its edge is not None)."""
        return self._next[index] is not None

    def _apply(self, grads: list) -> tuple:
        if self._saved:
            self._check_saved()
        return self._rule(*grads)

    def _check_saved(self) -> None:
        """PyTorch's node unpacks every saved value before its formula runs, read or not: one
        freed, or modified in place since it was saved, raises here. Its generated code
        unpacks the saved inputs in the order of their names, then the saved outputs: when
        several were modified, the error names the first in that order."""
        stale = [saved for saved in self._saved.values()
                 if saved.freed or saved.version_box[0] != saved.version]
        if stale:
            min(stale, key=_unpack_order).unpack(self)

    def _free_saved(self) -> None:
        """Free what the node keeps for its backward, quietly (_release says what it freed)."""
        self._scratch = None
        for saved in self._saved.values():
            saved.release()

    def _release(self) -> tuple[tuple[str, ...], int]:
        """Free saved tensors; return the names and bytes freed."""
        self._scratch = None
        if not self._saved:
            return (), 0
        names, nbytes = [], 0
        for name, saved in self._saved.items():
            if not saved.freed:
                names.append(name)
                nbytes += saved.nbytes
                saved.release()
        return tuple(names), nbytes

    def saved_infos(self) -> tuple:
        if not self._saved:
            return ()
        infos = []              # a loop, not a comprehension: no frame of its own
        for name, saved in self._saved.items():
            infos.append(_saved_info(name, saved))
        return tuple(infos)


def _saved_info(name: str, saved: SavedTensor):
    """What the debugger is told of a saved value, with the memory it keeps alive (asked for
    each saved value of each op a debugger watches: fields are read directly, not through
    SavedTensor's properties)."""
    tensor = saved.tensor
    if tensor is None and saved.output_ref is not None:
        tensor = saved.output_ref()
    tid = None if tensor is None else (tensor._tid or trace.tensor_id(tensor))
    data = saved.data
    if saved.scalar or data is None:
        return trace.SavedInfo(name, saved.shape, saved.dtype_name, saved.nbytes, tid,
                               kind=trace.SCALAR if saved.scalar else trace.ACTIVATION,
                               version=saved.version)
    storage, storage_nbytes, offset = trace.storage_of(data)
    if saved.tensor is None or tensor is None:       # the node's own output
        kind = trace.ACTIVATION
    else:
        kind = _memory_kind(tensor, storage)
    dtype = data.dtype
    dtype_name = _DTYPE_NAMES.get(dtype.num) or trace.dtype_name(dtype)
    return trace.SavedInfo(name, data.shape, dtype_name, data.nbytes, tid, storage,
                           storage_nbytes, offset, kind, saved.version)


_DTYPE_NAMES = trace._DTYPE_NAMES


def _memory_kind(tensor, storage: int) -> str:
    """Whose memory a saved input is: a leaf that requires grad (or a view of one, like
    `weight.t()`) is the model's, data a creation function made is the caller's; what an op
    made (its outputs, masks, indices) is kept alive by the graph."""
    owner = tensor._custom_view_of       # engine.tensor.memory_owner (not importable here)
    if owner is None:
        owner = tensor if tensor._base is None else tensor._base
    if owner._grad_fn is not None:
        return trace.ACTIVATION
    if owner._requires_grad:
        return trace.PARAMETER
    return trace.INPUT if trace.storage_was_created(storage) else trace.ACTIVATION


class AccumulateGrad(Node):
    """The sink of a leaf that requires grad: adds the incoming gradient to `.grad`."""

    _sequence_nr_max = 2**64 - 1

    def __init__(self, variable) -> None:
        self._id = next(_node_ids)
        next(_sequence_nr)          # drawn, as Node.__init__ draws one, though never used
        self._sequence_nr = self._sequence_nr_max
        self._next = ()
        self.variable = variable

    @property
    def _out_meta(self) -> tuple:
        # Read now, not at creation: `x.data = ...` may change the leaf's shape or dtype.
        data = self.variable._data
        return ((data.shape, data.dtype),)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"


def expose_saved(node) -> None:
    """PyTorch's generated getters: a `_saved_<name>` property on the node's class for each
    value it saves or keeps as a public attr, made when the class first meets the name.
    (A __getattr__ would do it lazily, but Python then reads every attribute of every node
    the slow, unspecialised way.)"""
    cls = type(node)
    known, saved, attrs = cls._known_names, node._saved, node._attrs
    if (not saved or known.issuperset(saved)) and (not attrs or known.issuperset(attrs)):
        return
    new = (set(saved or ()) | set(attrs or ())) - known
    for key in new:
        if not key.startswith("_"):     # "_name": kept for the rule, not one of PyTorch's
            setattr(cls, f"_saved_{key}", property(_saved_getter(key)))
    cls._known_names = known | new


def _saved_getter(key: str):
    return lambda node: node._read_saved(key)


def grad_accumulator(tensor) -> AccumulateGrad:
    """The tensor's AccumulateGrad, made on first need and shared while it lives."""
    ref = tensor._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(tensor)
        tensor._acc = weakref.ref(acc)
        if trace.active:
            trace.emit(trace.NodeCreated(acc._id, "AccumulateGrad", acc._sequence_nr, (),
                                         (trace.tensor_id(tensor),), (), None, None))
    return acc


# Every node class made from the op table, by name: the gradient-check test walks this.
NODE_CLASSES: dict[str, type] = {}


def node_class(name: str, rule, *, num_outputs: int = 1, arrays: bool = False,
               double=None) -> type:
    """The one way to declare a backward node: a class named as PyTorch names it, running
    `rule(node, *grads)`; what the node holds is `node._saved` (tensors, freed by backward)
    and `node._attrs` (plain values; "_name" ones are for the rule only).

    By default the rule computes with `_poly` helpers, on arrays or, under create_graph, on
    Tensors (so its gradients are differentiable). `arrays=True` declares a rule that computes
    on arrays only (a Numba kernel's): under create_graph `double(node, *grads)` runs instead
    when given, recording the gradients as outputs of a *BackwardBackward0 node (see
    engine.ops._double.record_grads), as PyTorch does; without one the gradients are
    constants and the node warns, once per name, that second-order terms are missing."""
    if arrays:
        rule = _array_rule(name, rule, double)

    def _apply(self, grads):
        if self._saved:
            self._check_saved()
        return rule(self, *grads)
    cls = type(name, (Node,), {"_apply": _apply, "_num_outputs": num_outputs,
                               "_from_op_table": True,
                               "__module__": "engine.autograd.graph_nodes"})
    NODE_CLASSES[name] = cls
    return cls


def _array_rule(name: str, rule, double):
    def graph_aware_rule(n, *grads):
        if graph_mode:
            if double is not None:
                # A constant (array) grad comes from a node that has no double backward.
                Tensor = _Tensor()
                return double(n, *(Tensor._make(g) if isinstance(g, np.ndarray) else g
                                   for g in grads))
            _warn_no_double_backward(name)
            grads = tuple(g._data if isinstance(g, _Tensor()) else g for g in grads)
        return rule(n, *grads)
    return graph_aware_rule


_WARNED_NO_DOUBLE_BACKWARD: set = set()


def _warn_no_double_backward(name: str) -> None:
    if name in _WARNED_NO_DOUBLE_BACKWARD:
        return
    _WARNED_NO_DOUBLE_BACKWARD.add(name)
    import warnings
    warnings.warn(f"engine: {name} has no double backward yet; with create_graph=True its "
                  "gradients are constants, so second-order terms through it are missing.",
                  UserWarning, stacklevel=4)


def short_op_name(node_name: str) -> str:
    """PyTorch's name of a node's op in error texts: AddBackward0 -> Add, PowBackward2 -> Pow2;
    the hand-written nodes keep their names (torch::autograd::CopyBackwards)."""
    if node_name.startswith("torch::"):
        return node_name
    return re.sub(r"Backward0?", "", node_name, count=1)
