"""PyTorch's argument-parser error for a call no signature of a factory accepts: the text
lists the argument types it got and every signature (as torch 2.13 prints them)."""
from __future__ import annotations

_TAIL = ("Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
         "torch.device device = None, bool pin_memory = False, bool requires_grad = False")
_NO_OUT_TAIL = _TAIL.replace("Tensor out = None, ", "")
_START_END = ["Tensor start, Tensor end", "Number start, Tensor end", "Tensor start, Number end",
              "Number start, Number end"]

SIGNATURES = {
    "rand": [f"tuple of ints size, *, torch.Generator generator, {_TAIL}",
             f"tuple of ints size, *, {_TAIL}"],
    "eye": [f"int n, *, {_TAIL}", f"int n, int m, *, {_TAIL}"],
    "arange": [f"Number end, *, {_TAIL}", f"Number start, Number end, *, {_NO_OUT_TAIL}",
               f"Number start, Number end, Number step = 1, *, {_TAIL}"],
    "linspace": [f"{pair}, int steps, *, {_TAIL}" for pair in _START_END],
    "logspace": [f"{pair}, int steps, float base = 10.0, *, {_TAIL}" for pair in _START_END],
}
SIGNATURES["randn"] = SIGNATURES["rand"]

# The engine's classes under the names torch's parser gives its own.
_TORCH_TYPE_NAMES = {"Tensor": "Tensor", "Parameter": "Parameter", "dtype": "torch.dtype",
                     "device": "torch.device", "Generator": "torch._C.Generator"}


def type_name(value) -> str:
    kind = type(value)
    if kind.__module__ == "builtins":
        return kind.__name__
    if kind.__module__.split(".")[0] == "engine" and kind.__name__ in _TORCH_TYPE_NAMES:
        return _TORCH_TYPE_NAMES[kind.__name__]
    return f"{kind.__module__}.{kind.__name__}"


def _got(args: tuple, kwargs: dict) -> str:
    """torch lists keywords in the reverse of the call's order (its map's order), and leaves
    a trailing ', ' when there is no positional argument."""
    keywords = [f"{key}={type_name(value)}" for key, value in reversed(kwargs.items())]
    positional = [type_name(value) for value in args]
    if not positional:
        return "".join(f"{keyword}, " for keyword in keywords)
    return ", ".join(positional + keywords)


def invalid_arguments(function: str, args: tuple, kwargs: dict) -> TypeError:
    signatures = "".join(f" * ({signature})\n" for signature in SIGNATURES[function])
    return TypeError(f"{function}() received an invalid combination of arguments - got "
                     f"({_got(args, kwargs)}), but expected one of:\n{signatures}")

# torch.any / torch.all of something that is not a tensor (nnloss: gaussian_nll_loss's var)
SIGNATURES["any"] = SIGNATURES["all"] = [
    "Tensor input, *, Tensor out = None",
    "Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None",
    "Tensor input, int dim, bool keepdim = False, *, Tensor out = None"]
