"""torch.save and torch.load in PyTorch's own file format, so checkpoints pass both ways
between the engine and PyTorch (without importing torch).

The format (torch.save's zip file): entries under a directory named after the file's stem;
`data.pkl` is a protocol-2 pickle in which each tensor is
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)` and
each storage a persistent id `("storage", torch.<Type>Storage, key, "cpu", numel)` whose
bytes are the entry `data/<key>` (little-endian, 64-byte aligned). Tensors that share
memory share a storage, as in PyTorch.
"""
from __future__ import annotations

import collections
import io
import os
import pickle
import struct
import uuid
import zipfile

import numpy as np

from engine.tensor import Tensor

ALIGNMENT = 64

STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}
_STORAGE_OF = {np.dtype(dtype): name for name, dtype in STORAGE_DTYPES.items()}


class _TorchGlobal:
    """A name in torch's namespace, written into the pickle as a GLOBAL (the engine never
    imports torch, so it cannot pickle torch's objects themselves)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args):             # pickle's reduce wants a callable; never called
        raise TypeError(f"{self.module}.{self.name} is only a name in a pickle")


_REBUILD_TENSOR = _TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchGlobal("torch._utils", "_rebuild_parameter")


# ---------------------------------------------------------------- save

class _Pickler(pickle._Pickler):
    """The pure-Python pickler, which lets a type choose how it is written."""

    def __init__(self, file, storages: dict) -> None:
        super().__init__(file, protocol=2)
        self.storages = storages           # id(root array) -> (key, root array)
        self.dispatch = dict(self.dispatch)
        self.dispatch[_TorchGlobal] = _Pickler._save_torch_global
        from engine.nn.modules.module import _Registry
        self.dispatch[_Registry] = pickle._Pickler.save_dict   # a module's registries:
                                                               # plain dicts, as torch's are

    def _save_torch_global(self, value: _TorchGlobal) -> None:
        self.write(pickle.GLOBAL + f"{value.module}\n{value.name}\n".encode("ascii"))
        self.memoize(value)

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", _TorchGlobal("torch", obj.type_name), obj.key, "cpu", obj.numel)
        return None

    def save(self, obj, save_persistent_id=True):
        from engine.dtypes import dtype
        if isinstance(obj, dtype):         # torch pickles a dtype as the name torch.<dtype>
            obj = _TorchGlobal("torch", obj.name)
        super().save(obj, save_persistent_id)

    def reducer_override(self, obj):
        from engine._device import device
        from engine.dtypes import Size
        if isinstance(obj, Tensor):
            return _reduce_tensor(obj, self.storages)
        if isinstance(obj, device):
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return (_TorchGlobal("torch", "device"), args)
        if isinstance(obj, Size):
            return (_TorchGlobal("torch", "Size"), (tuple(obj),))
        return NotImplemented


class _Storage:
    def __init__(self, key: str, root: np.ndarray) -> None:
        self.key, self.root = key, root
        self.type_name = _STORAGE_OF.get(root.dtype)
        if self.type_name is None:
            raise RuntimeError(f"torch.save: the engine cannot save a tensor of dtype {root.dtype}")
        self.numel = root.size


def _root(array: np.ndarray) -> np.ndarray:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _storage_and_layout(data: np.ndarray, storages: dict):
    """(storage, offset, stride) of `data` in elements; views of one array share a storage.
    An array the layout cannot describe (another owner, negative strides) is copied."""
    root = _root(data)
    itemsize = data.itemsize
    shareable = (root.flags.owndata and root.dtype == data.dtype
                 and (root.flags.c_contiguous or root.flags.f_contiguous)
                 and all(s >= 0 and s % itemsize == 0 for s in data.strides))
    if not shareable:
        data = np.ascontiguousarray(data)
        root = data
    entry = storages.get(id(root))
    if entry is None:
        entry = storages[id(root)] = _Storage(str(len(storages)), root)
    offset = (data.__array_interface__["data"][0] - root.__array_interface__["data"][0]) \
        // itemsize
    return entry, offset, tuple(s // itemsize for s in data.strides)


def _reduce_tensor(tensor: Tensor, storages: dict):
    from engine.nn.parameter import Parameter
    storage, offset, stride = _storage_and_layout(tensor._data, storages)
    hooks = collections.OrderedDict()
    rebuilt = (_REBUILD_TENSOR, (storage, offset, tuple(tensor._data.shape), stride,
                                 bool(tensor._requires_grad and not isinstance(tensor, Parameter)),
                                 hooks))
    if isinstance(tensor, Parameter):
        return _REBUILD_PARAMETER, (_Rebuilt(*rebuilt), tensor._requires_grad, hooks)
    return rebuilt


class _Rebuilt:
    """A nested reduce (a parameter's data tensor), pickled as its callable and arguments."""

    def __init__(self, fn, args) -> None:
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _storage_bytes(storage: _Storage) -> bytes:
    order = "C" if storage.root.flags.c_contiguous else "F"
    flat = storage.root.reshape(-1, order=order)
    return flat.astype(flat.dtype.newbyteorder("<"), copy=False).tobytes()


def _padding(offset: int, name: str) -> bytes:
    """A zip extra field that puts the entry's data on an ALIGNMENT boundary (as PyTorch's
    writer does, for memory-mapped loading)."""
    start = offset + 30 + len(name.encode()) + 4
    pad = (-start) % ALIGNMENT
    return struct.pack("<HH", 0x4246, pad) + b"Z" * pad


def _write_entry(archive: zipfile.ZipFile, name: str, payload: bytes, offset: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.extra = _padding(offset, name)
    archive.writestr(info, payload)


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False) -> None:
    storages: dict = {}
    buffer = io.BytesIO()
    _Pickler(buffer, storages).dump(obj)
    stem = _stem(f)
    entries = [("data.pkl", buffer.getvalue()), (".format_version", b"1"),
               (".storage_alignment", str(ALIGNMENT).encode()), ("byteorder", b"little")]
    entries += [(f"data/{s.key}", _storage_bytes(s)) for s in storages.values()]
    entries += [("version", b"3\n"),
                (".data/serialization_id", str(uuid.uuid4().int).zfill(40)[:40].encode())]
    with _opened(f, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
        for name, payload in entries:
            _write_entry(archive, f"{stem}/{name}", payload, stream.tell())


def _stem(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
    return "archive"


class _opened:
    """A path opened for the duration, or a file object used as it is."""

    def __init__(self, f, mode: str) -> None:
        self.f, self.mode, self.owned = f, mode, isinstance(f, (str, os.PathLike))

    def __enter__(self):
        self.stream = open(self.f, self.mode) if self.owned else self.f
        return self.stream

    def __exit__(self, *exc) -> None:
        if self.owned:
            self.stream.close()


# ---------------------------------------------------------------- load

WEIGHTS_ONLY_ADVICE = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, "
    "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In "
    "PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please "
    "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
    "{reason}\n\nCheck the documentation of torch.load to learn more about types accepted by "
    "default with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")

_SAFE_GLOBALS = {("collections", "OrderedDict"), ("collections", "Counter"),
                 ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_parameter"),
                 ("torch", "Size"), ("builtins", "set"), ("builtins", "bytearray"),
                 ("builtins", "complex"), ("_codecs", "encode"), ("torch", "device")} | \
    {("torch", name) for name in STORAGE_DTYPES} | \
    {("torch", name) for name in ("float32", "float64", "float16", "bfloat16", "int64", "int32",
                                  "int16", "int8", "uint8", "bool", "complex64", "complex128")}


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    storage = storage[offset:] if storage.size else storage
    itemsize = storage.itemsize
    view = np.lib.stride_tricks.as_strided(storage, shape=tuple(size),
                                           strides=tuple(s * itemsize for s in stride))
    tensor = Tensor._make(view)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_parameter(data, requires_grad, hooks):
    from engine.nn.parameter import Parameter
    return Parameter(data, requires_grad)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, archive: zipfile.ZipFile, prefix: str, weights_only: bool,
                 **options) -> None:
        super().__init__(file, **options)
        self.archive, self.prefix, self.weights_only = archive, prefix, weights_only
        self.storages: dict = {}

    def find_class(self, module: str, name: str):
        if module == "__builtin__":        # protocol 2 names builtins as Python 2 did
            module = "builtins"
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in STORAGE_DTYPES:
            return np.dtype(STORAGE_DTYPES[name])
        if module == "torch" and name == "Size":
            from engine.dtypes import Size
            return Size
        allowed = _user_allowed_globals().get(f"{module}.{name}")
        if allowed is not None:
            return allowed
        if self.weights_only and (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(WEIGHTS_ONLY_ADVICE.format(reason=_unsafe(module, name)))
        if module == "torch" or module.startswith("torch."):
            module = "engine" + module[len("torch"):]
        return super().find_class(module, name)

    def persistent_load(self, pid):
        kind, dtype, key, location, numel = pid
        if kind != "storage":
            raise pickle.UnpicklingError(f"torch.load: unknown persistent id {kind!r}")
        storage = self.storages.get(key)
        if storage is None:
            raw = self.archive.read(f"{self.prefix}data/{key}")
            storage = np.frombuffer(raw, dtype=dtype.newbyteorder("<"))[:numel]
            storage = self.storages[key] = storage.astype(dtype, copy=True)
        return storage


def _unsafe(module: str, name: str) -> str:
    if module == "engine" or module.startswith("engine."):
        module = "torch" + module[len("engine"):]      # the engine's classes are torch's
    qualified = name if module == "builtins" else f"{module}.{name}"
    return (f"Unsupported global: GLOBAL {qualified} was not an allowed global by default. "
            f"Please use `torch.serialization.add_safe_globals([{qualified}])` or the "
            f"`torch.serialization.safe_globals([{qualified}])` context manager to allowlist "
            "this global if you trust this class/function.")


# ---------------------------------------------------------------- safe globals

_marked_safe_globals: set = set()


def add_safe_globals(safe_globals: list) -> None:
    _marked_safe_globals.update(safe_globals)


def get_safe_globals() -> list:
    return list(_marked_safe_globals)


def clear_safe_globals() -> None:
    _marked_safe_globals.clear()


class safe_globals:
    """Adds globals as safe for a weights_only load while the block runs."""

    def __init__(self, safe_globals: list) -> None:
        self.safe_globals = safe_globals

    def __enter__(self):
        self.added = set(self.safe_globals) - _marked_safe_globals
        _marked_safe_globals.update(self.added)

    def __exit__(self, exc_type, exc_value, tb) -> None:
        _marked_safe_globals.difference_update(self.added)


def _user_allowed_globals() -> dict:
    """'module.qualname' -> object, for each global marked safe (an object, or an
    (object, 'module.qualname') pair naming it as a checkpoint does)."""
    allowed = {}
    for entry in _marked_safe_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full "
                                 f"path), but got tuple of length: {len(entry)}")
            if type(entry[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full "
                                f"path, but got: {type(entry[1])}")
            allowed[entry[1]] = entry[0]
        else:
            allowed[f"{entry.__module__}.{entry.__qualname__}"] = entry
            if entry.__module__.startswith("engine."):     # as a torch checkpoint names it
                allowed["torch" + entry.__module__[len("engine"):] + "." +
                        entry.__qualname__] = entry
    return allowed


def _prefix(archive: zipfile.ZipFile) -> str:
    for name in archive.namelist():
        if name.endswith("data.pkl"):
            return name[:-len("data.pkl")]
    raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    weights_only = True if weights_only is None else weights_only
    with _opened(f, "rb") as stream:
        if not zipfile.is_zipfile(stream):
            raise RuntimeError("torch.load: graphtui's engine reads only PyTorch's zip "
                               "format (torch.save's default since 1.6)")
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            prefix = _prefix(archive)
            pickled = io.BytesIO(archive.read(prefix + "data.pkl"))
            return _Unpickler(pickled, archive, prefix, weights_only,
                              **pickle_load_args).load()
