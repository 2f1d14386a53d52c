"""PyTorch's warnings raised in C++ (TORCH_WARN) end with where torch's build raised them:
" (Triggered internally at /__w/pytorch/pytorch/aten/src/....cpp:976.)". The engine prints
torch 2.13's text whole, suffix included, so a script's stderr and the debugger's log read
as PyTorch's, and the oracle tests compare warnings verbatim. Warnings torch raises from
Python (F.softmax's implicit dim, mse_loss's target size, ...) have no suffix."""
from __future__ import annotations

_BUILD_ROOT = "/__w/pytorch/pytorch/"


def cpp_warning(text: str, source: str) -> str:
    """`text` as torch's C++ code raised it at `source` ("aten/src/...cpp:976")."""
    return f"{text} (Triggered internally at {_BUILD_ROOT}{source}.)"
