"""Tensor.pin_memory / is_pinned as a CPU-only build of PyTorch has them: nothing is pinned,
and pinning needs an accelerator (scripts call pin_memory() only when on CUDA)."""
from __future__ import annotations


def pin_memory(self, device=None):
    raise RuntimeError("Cannot access accelerator device when none is available.")


def is_pinned(self, device=None) -> bool:
    return False


METHODS = {"pin_memory": pin_memory, "is_pinned": is_pinned}
