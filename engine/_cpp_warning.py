"""PyTorch's warnings raised in C++ (TORCH_WARN) end with where torch's build raised them:
" (Triggered internally at /__w/pytorch/pytorch/aten/src/....cpp:976.)". The engine prints
torch 2.13's text whole, suffix included, so a script's stderr and the debugger's log read
as PyTorch's, and the oracle tests compare warnings verbatim. Warnings torch raises from
Python (F.softmax's implicit dim, mse_loss's target size, ...) have no suffix."""
from __future__ import annotations

import warnings

_BUILD_ROOT = "/__w/pytorch/pytorch/"


def cpp_warning(text: str, source: str) -> str:
    """`text` as torch's C++ code raised it at `source` ("aten/src/...cpp:976")."""
    return f"{text} (Triggered internally at {_BUILD_ROOT}{source}.)"


# TORCH_WARN_ONCE: a warning given once per process from each place that raises it, every
# time while torch.set_warn_always is on. A re-run of a scenario (trace.reset_ids) warns
# again, as a fresh process would.
_warn_always = False
_given_once: set = set()


def set_warn_always(b: bool) -> None:
    global _warn_always
    _warn_always = bool(b)


def is_warn_always_enabled() -> bool:
    return _warn_always


def warn_once(text: str, category=UserWarning, stacklevel: int = 2, *, site=None) -> None:
    """warnings.warn(text) unless `site` (the text itself by default; a warning whose text
    varies names the place that raises it) gave one before in this process."""
    key = text if site is None else site
    if key in _given_once and not _warn_always:
        return
    _given_once.add(key)
    warnings.warn(text, category, stacklevel=stacklevel + 1)


def forget_warnings_given() -> None:
    _given_once.clear()
