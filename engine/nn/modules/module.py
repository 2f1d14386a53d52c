"""Module: parameters, buffers, children, state dicts, and PyTorch's hook machinery.

Every hook goes through `engine.utils.hooks` (registered with `register`, called with
`fire`), so the debugger sees each registration, firing and removal and can mute a hook.

Module paths (what the debugger groups nodes by, and the `target` of a module hook): a
module learns its local name when it is assigned as a child; its path is the chain of those
names up to the outermost module, without the outermost one ("conv1", "features.0"). A
module that is nobody's child is named by its class ("SimpleNet"). A parameter is named
"<module path>.<name>" ("conv1.weight"), announced when its outermost module is called
under tracing.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict, namedtuple

import numpy as np

from engine import trace
from engine.nn.parameter import Buffer, Parameter
from engine.tensor import Tensor
from engine.utils import hooks as _hooks

__all__ = ["Module", "register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_backward_hook", "register_module_full_backward_pre_hook",
           "register_module_full_backward_hook"]

# ---------------------------------------------------------------- structure generation

# Bumped whenever any module's parameters, buffers or children may have changed (an item of
# one of its registries set, deleted or cleared, or a registry replaced): whoever walks a
# module tree for names (the parameter names announced at a call, a debugger naming the
# scenario's modules at every statement) reuses what it found under a module until then.
# A registry replaced through ``module.__dict__`` itself goes unnoticed.
_generation = [0]


def structure_generation() -> int:
    return _generation[0]


def _changed() -> None:
    _generation[0] += 1


class _Registry(dict):
    """A module's ``_parameters``, ``_buffers`` or ``_modules``: a dict that bumps the
    structure generation when changed (reads are dict's own)."""

    __slots__ = ()

    def __setitem__(self, key, value) -> None:
        _generation[0] += 1
        dict.__setitem__(self, key, value)

    def __delitem__(self, key) -> None:
        _generation[0] += 1
        dict.__delitem__(self, key)

    def pop(self, *args):
        _generation[0] += 1
        return dict.pop(self, *args)

    def popitem(self):
        _generation[0] += 1
        return dict.popitem(self)

    def clear(self) -> None:
        _generation[0] += 1
        dict.clear(self)

    def update(self, *args, **kwargs) -> None:
        _generation[0] += 1
        dict.update(self, *args, **kwargs)

    def setdefault(self, key, default=None):
        _generation[0] += 1
        return dict.setdefault(self, key, default)

    def __ior__(self, other):
        _generation[0] += 1
        return dict.__ior__(self, other)

    def __reduce__(self):
        # Pickled as the plain dict PyTorch's registries are (a checkpoint names no class
        # of ours); a module made from its state wraps it again (Module.__setstate__).
        return (dict, (dict(self),))


_REGISTRIES = frozenset({"_parameters", "_buffers", "_modules"})


# ---------------------------------------------------------------- global module hooks

_global_forward_pre_hooks: dict = OrderedDict()
_global_forward_hooks: dict = OrderedDict()
_global_forward_hooks_with_kwargs: dict = OrderedDict()
_global_forward_hooks_always_called: dict = OrderedDict()
_global_backward_pre_hooks: dict = OrderedDict()
_global_backward_hooks: dict = OrderedDict()
_global_is_full_backward_hook = None

_GLOBAL_TARGET = "global"
MIXED_HOOKS = ("Cannot use both regular backward hooks and full backward hooks on a single "
               "Module. Please use only one of them.")
MIXED_GLOBAL_HOOKS = ("Cannot use both regular backward hooks and full backward hooks as a "
                      "global Module hook. Please use only one of them.")


def register_module_forward_pre_hook(hook):
    """hook(module, args) before every module's forward, before the module's own pre-hooks."""
    return _hooks.register(_global_forward_pre_hooks, hook, "global_forward_pre", _GLOBAL_TARGET)


def register_module_forward_hook(hook, *, with_kwargs: bool = False, always_call: bool = False):
    """hook(module, args, output) after every module's forward, before its own hooks."""
    handle = _hooks.register(_global_forward_hooks, hook, "global_forward", _GLOBAL_TARGET,
                             extra_dict=[_global_forward_hooks_with_kwargs,
                                         _global_forward_hooks_always_called])
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def register_module_backward_hook(hook):
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is True:
        raise RuntimeError(MIXED_GLOBAL_HOOKS)
    _global_is_full_backward_hook = False
    return _hooks.register(_global_backward_hooks, hook, "global_backward", _GLOBAL_TARGET)


def register_module_full_backward_pre_hook(hook):
    return _hooks.register(_global_backward_pre_hooks, hook, "global_full_backward_pre",
                           _GLOBAL_TARGET)


def register_module_full_backward_hook(hook):
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is False:
        raise RuntimeError(MIXED_GLOBAL_HOOKS)
    _global_is_full_backward_hook = True
    return _hooks.register(_global_backward_hooks, hook, "global_full_backward", _GLOBAL_TARGET)


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    rest = [(" " * spaces) + line if line.strip() else "" for line in lines]
    return first + "\n" + "\n".join(rest)


def _typename(value) -> str:
    if isinstance(value, Tensor):
        return "torch." + value.dtype.tensor_type
    module = type(value).__module__
    name = type(value).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


# ---------------------------------------------------------------- Module

class Module:
    """Base class for all neural network modules (PyTorch's nn.Module)."""

    training: bool
    _version = 1
    call_super_init = False

    def __init__(self, *args, **kwargs) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                            f"argument '{next(iter(kwargs))}'" if kwargs else
                            f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", _Registry())
        setattr_(self, "_buffers", _Registry())
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", _Registry())
        setattr_(self, "_forward_pre_hooks", OrderedDict())
        setattr_(self, "_forward_pre_hooks_with_kwargs", OrderedDict())
        setattr_(self, "_forward_hooks", OrderedDict())
        setattr_(self, "_forward_hooks_with_kwargs", OrderedDict())
        setattr_(self, "_forward_hooks_always_called", OrderedDict())
        setattr_(self, "_backward_pre_hooks", OrderedDict())
        setattr_(self, "_backward_hooks", OrderedDict())
        setattr_(self, "_is_full_backward_hook", None)
        setattr_(self, "_state_dict_hooks", OrderedDict())
        setattr_(self, "_load_state_dict_post_hooks", OrderedDict())
        setattr_(self, "_parent_ref", None)
        setattr_(self, "_local_name", None)

    def forward(self, *input):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    # ------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        # The fast path: no hooks anywhere and nobody watching.
        if not (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks
                or self._backward_pre_hooks or trace.active or _global_forward_pre_hooks
                or _global_forward_hooks or _global_backward_pre_hooks
                or _global_backward_hooks):
            return self.forward(*args, **kwargs)
        from engine.nn.modules._call import call_with_hooks
        return call_with_hooks(self, args, kwargs)

    _call_impl = __call__

    def _trace_path(self) -> str:
        names = []
        module = self
        while module._parent_ref is not None:
            parent = module._parent_ref()
            if parent is None:
                break
            names.append(module._local_name)
            module = parent
        return ".".join(reversed(names)) if names else type(self).__name__

    def _adopt(self, name: str, child) -> None:
        if isinstance(child, Module):
            object.__setattr__(child, "_parent_ref", weakref.ref(self))
            object.__setattr__(child, "_local_name", name)

    # ------------------------------------------------------------ hooks
    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False):
        handle = _hooks.register(self._forward_pre_hooks, hook, "forward_pre",
                                 self._trace_path(), prepend=prepend,
                                 extra_dict=self._forward_pre_hooks_with_kwargs)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False):
        handle = _hooks.register(self._forward_hooks, hook, "forward", self._trace_path(),
                                 prepend=prepend,
                                 extra_dict=[self._forward_hooks_with_kwargs,
                                             self._forward_hooks_always_called])
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook, prepend: bool = False):
        return _hooks.register(self._backward_pre_hooks, hook, "full_backward_pre",
                               self._trace_path(), prepend=prepend)

    def register_backward_hook(self, hook):
        if self._is_full_backward_hook is True:
            raise RuntimeError(MIXED_HOOKS)
        object.__setattr__(self, "_is_full_backward_hook", False)
        return _hooks.register(self._backward_hooks, hook, "backward", self._trace_path())

    def register_full_backward_hook(self, hook, prepend: bool = False):
        if self._is_full_backward_hook is False:
            raise RuntimeError(MIXED_HOOKS)
        object.__setattr__(self, "_is_full_backward_hook", True)
        return _hooks.register(self._backward_hooks, hook, "full_backward", self._trace_path(),
                               prepend=prepend)

    def _get_backward_hooks(self) -> tuple[list, list]:
        """(full, non-full) backward hooks as (hook id, hook) pairs, globals first."""
        full, non_full = [], []
        if _global_backward_hooks:
            (full if _global_is_full_backward_hook else non_full).extend(
                _global_backward_hooks.items())
        if self._backward_hooks:
            (full if self._is_full_backward_hook else non_full).extend(
                self._backward_hooks.items())
        return full, non_full

    def _get_backward_pre_hooks(self) -> list:
        return [*_global_backward_pre_hooks.items(), *self._backward_pre_hooks.items()]

    # ------------------------------------------------------------ attributes
    def __getattr__(self, name: str):
        d = self.__dict__
        if "_parameters" in d and name in d["_parameters"]:
            return d["_parameters"][name]
        if "_buffers" in d and name in d["_buffers"]:
            return d["_buffers"][name]
        if "_modules" in d and name in d["_modules"]:
            return d["_modules"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._remove_name(name, self.__dict__, self._buffers, self._modules,
                              self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            modules = self.__dict__.get("_modules")
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._remove_name(name, self.__dict__, self._parameters, self._buffers,
                              self._non_persistent_buffers_set)
            modules[name] = value
            self._adopt(name, value)
        elif self.__dict__.get("_modules") is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            self._modules[name] = value
        else:
            buffers = self.__dict__.get("_buffers")
            if isinstance(value, Buffer) or (buffers is not None and name in buffers):
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                    "(torch.nn.Buffer, torch.Tensor or None expected)")
                persistent = value.persistent if isinstance(value, Buffer) else \
                    name not in self._non_persistent_buffers_set
                self.register_buffer(name, value, persistent)
            else:
                if name in _REGISTRIES:         # a registry replaced whole
                    _changed()
                object.__setattr__(self, name, value)

    @staticmethod
    def _remove_name(name: str, *containers) -> None:
        for container in containers:
            if name in container:
                if isinstance(container, dict):
                    del container[name]
                else:
                    container.discard(name)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            if name in _REGISTRIES:
                _changed()
            object.__delattr__(self, name)

    def __dir__(self):
        keys = (dir(type(self)) + list(self.__dict__) + list(self._parameters) +
                list(self._modules) + list(self._buffers))
        return sorted(k for k in keys if not k[0].isdigit())

    def _check_new_name(self, kind: str, name, registry: dict) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f"{kind} name can't contain \".\"")
        if name == "":
            raise KeyError(f"{kind} name can't be empty string \"\"")
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_new_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_new_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param is not None and param._grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly. To express '{name}' as a "
                             "function of another Tensor, compute the value in the forward() "
                             "method.")
        self._parameters[name] = param

    def add_module(self, name: str, module) -> None:
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError("module name can't be empty string \"\"")
        self._modules[name] = module
        self._adopt(name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        if target == "":
            return self
        module = self
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(module._get_name() + " has no attribute `" + item + "`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return module

    def get_parameter(self, target: str) -> Parameter:
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    # ------------------------------------------------------------ traversal
    def _named_members(self, get_members, prefix: str = "", recurse: bool = True,
                       remove_duplicate: bool = True):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in get_members(module):
                if value is None or (remove_duplicate and id(value) in memo):
                    continue
                if remove_duplicate:
                    memo.add(id(value))
                yield (module_prefix + ("." if module_prefix else "") + name, value)

    def parameters(self, recurse: bool = True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True):
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse,
                                   remove_duplicate)

    def buffers(self, recurse: bool = True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True):
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse,
                                   remove_duplicate)

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_children(self):
        memo = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True):
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub_prefix, remove_duplicate)

    # ------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> "Module":
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            param._zero_grad(set_to_none)

    def apply(self, fn) -> "Module":
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _cast(self, np_dtype) -> "Module":
        """Cast floating parameters (and their grads) and buffers in place, keeping objects."""
        for module in self.modules():
            for tensor in [*module._parameters.values(), *module._buffers.values()]:
                if tensor is None or tensor._data.dtype.kind != "f":
                    continue
                tensor._data = tensor._data.astype(np_dtype)
                if tensor._grad is not None:
                    tensor._grad._data = tensor._grad._data.astype(np_dtype)
        return self

    def float(self) -> "Module":
        return self._cast(np.float32)

    def double(self) -> "Module":
        return self._cast(np.float64)

    def half(self) -> "Module":
        return self._cast(np.float16)

    def to(self, *args, **kwargs) -> "Module":
        from engine._device import check_device
        from engine.dtypes import dtype as _dtype
        from engine.tensor import Tensor
        target = None
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, _dtype):
                target = arg
            elif isinstance(arg, Tensor):
                target = arg.dtype
            elif arg is not None and not isinstance(arg, bool):
                check_device(arg)
        return self if target is None else self._cast(target.np_dtype)

    def cpu(self) -> "Module":
        return self

    def cuda(self, device=None) -> "Module":
        from engine._device import NO_CUDA_MESSAGE
        raise AssertionError(NO_CUDA_MESSAGE)

    def share_memory(self) -> "Module":
        return self

    # ------------------------------------------------------------ state dict
    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _local_state(self) -> dict:
        state = {k: v for k, v in self._parameters.items() if v is not None}
        state.update((k, v) for k, v in self._buffers.items()
                     if v is not None and k not in self._non_persistent_buffers_set)
        return state

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, errors, expected = [], [], set()
        for prefix, module in self.named_modules():
            prefix = prefix + "." if prefix else ""
            for name, param in module._local_state().items():
                key = prefix + name
                expected.add(key)
                if key not in state_dict:
                    missing.append(key)
                    continue
                error = module._load_one(name, key, param, state_dict[key], assign)
                if error:
                    errors.append(error)
        unexpected = [k for k in state_dict.keys() if k not in expected]
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    def _load_one(self, name: str, key: str, param: Tensor, value, assign: bool):
        if not isinstance(value, Tensor):
            return (f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(value)}")
        if param._data.ndim == 0 and value._data.shape == (1,):
            value = value[0]
        if value._data.shape != param._data.shape:
            return (f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {param.shape}.")
        if assign:
            if isinstance(param, Parameter) and not isinstance(value, Parameter):
                value = Parameter(value, requires_grad=param._requires_grad)
            setattr(self, name, value)
        else:
            np.copyto(param._data, value._data, casting="unsafe")
            param._vc[0] += 1
        return None

    # ------------------------------------------------------------ compile
    _compiled_call_impl = None

    def compile(self, *args, **kwargs) -> None:
        """Module.compile: torch.compile's arguments are checked; the engine runs the
        module eagerly as before (engine/_compile.py)."""
        from engine._compile import compile
        self._compiled_call_impl = compile(self.forward, *args, **kwargs)

    # ------------------------------------------------------------ repr
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_parent_ref"] = None
        return state

    def __setstate__(self, state) -> None:
        _changed()
        state = dict(state)
        for name in _REGISTRIES:        # pickled as plain dicts (see _Registry.__reduce__)
            if type(state.get(name)) is dict:
                state[name] = _Registry(state[name])
        self.__dict__.update(state)
        for name, child in self._modules.items():
            self._adopt(name, child)
