"""ATen's _pack_padded_sequence (one PackPaddedSequenceBackward0 node saving the input's
sizes, the batch sizes and batch_first) and _pad_packed_sequence (a composite: a full
tensor of the padding value, one copy per run of equal batch sizes)."""
from __future__ import annotations

import numpy as np

from engine import creation
from engine.dtypes import int64
from engine.autograd.node import node_class
from engine.ops._core import record
from engine.tensor import Tensor


def _batch_sizes(lengths: list, steps: int) -> list:
    return [sum(1 for length in lengths if length > step) for step in range(steps)]


def _check_lengths(input: Tensor, lengths: list, batch_first: bool) -> None:
    if input.dim() < 2:     # ATen's input.size(1) (or transpose(0, 1)) on a 1-D input
        raise IndexError("Dimension out of range (expected to be in range of "
                         f"[{-max(input.dim(), 1)}, {max(input.dim(), 1) - 1}], but got 1)")
    if input._data.size == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    batch = input.shape[0 if batch_first else 1]
    if len(lengths) != batch:
        raise RuntimeError("Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if any(later > earlier for earlier, later in zip(lengths, lengths[1:])):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                           "to pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")


def _pack_rule(n, grad):
    """The rows of each step's batch back in their slots of a zero [T, B, *] gradient."""
    sizes = list(n._attrs["input_sym_sizes"])
    if n._attrs["batch_first"]:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grad_input = np.zeros(sizes, dtype=grad.dtype)
    offset = 0
    for step, size in enumerate(n._attrs["_batch_sizes"]):
        grad_input[step, :size] = grad[offset:offset + size]
        offset += size
    return (grad_input.swapaxes(0, 1) if n._attrs["batch_first"] else grad_input,)


def _pack_double(n, grad):
    """ATen's _pack_padded_sequence_backward, op by op, so the gradient is differentiable."""
    sizes = list(n._attrs["input_sym_sizes"])
    if n._attrs["batch_first"]:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grad_input = creation.zeros(*sizes, dtype=grad.dtype)
    offset = 0
    for step, size in enumerate(n._attrs["_batch_sizes"]):
        grad_input.select(0, step).narrow(0, 0, size).copy_(grad.narrow(0, offset, size))
        offset += size
    return (grad_input.transpose(0, 1) if n._attrs["batch_first"] else grad_input,)


PackPaddedSequenceBackward0 = node_class("PackPaddedSequenceBackward0", _pack_rule,
                                         arrays=True, double=_pack_double)


def pack_padded(input: Tensor, lengths: list, batch_first: bool):
    """(data, batch_sizes): each step's rows of the still running sequences, one after
    another; `lengths` sorted in decreasing order."""
    _check_lengths(input, lengths, batch_first)
    padded = input._data.swapaxes(0, 1) if batch_first else input._data
    sizes = _batch_sizes(lengths, lengths[0])
    data = np.concatenate([padded[step, :size] for step, size in enumerate(sizes)], axis=0)
    batch_sizes = creation.tensor(sizes, dtype=int64)
    attrs = {"batch_first": batch_first, "input_sym_sizes": tuple(input.shape),
             "_batch_sizes": sizes}
    out = record(PackPaddedSequenceBackward0, np.ascontiguousarray(data), (input,),
                 {"result1": batch_sizes}, attrs)
    return out, batch_sizes


def pad_packed(data: Tensor, batch_sizes: Tensor, batch_first: bool, padding_value,
               total_length: int):
    """(padded [T, B, *] or [B, T, *], lengths) as ATen builds it."""
    sizes = [int(size) for size in batch_sizes.tolist()]
    steps = max(total_length, len(sizes))
    output = creation.full((steps, sizes[0]) + tuple(data.shape[1:]), padding_value,
                           dtype=data.dtype)
    lengths = [0] * sizes[0]
    offset, run_start = 0, 0
    for step in range(len(sizes) + 1):
        size = sizes[step] if step < len(sizes) else 0
        previous = sizes[run_start]
        if size != previous:
            rows = previous * (step - run_start)
            run = data.narrow(0, offset, rows).view(
                (step - run_start, previous) + tuple(data.shape[1:]))
            output.narrow(0, run_start, step - run_start).narrow(1, 0, previous).copy_(run)
            offset += rows
            for batch in range(size, previous):
                lengths[batch] = step
            run_start = step
    if batch_first:
        output = output.transpose(0, 1)
    return output, creation.tensor(lengths, dtype=int64)
