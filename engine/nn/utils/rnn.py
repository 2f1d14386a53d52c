"""torch.nn.utils.rnn: pad_sequence, as ATen builds it (a full tensor of the padding value,
then each sequence copied into its slot, so the graph is a chain of CopySlices), and the
packed sequences of engine.nn.utils.packed."""
from __future__ import annotations

from collections.abc import Iterable

from engine import creation
from engine._unsupported import module_getattr as _module_getattr
from engine.tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pack_sequence",
           "pad_packed_sequence", "pad_sequence", "unpack_sequence", "unpad_sequence"]


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of "
                           f"type: {type(sequences)}")
    sequences = tuple(sequences)
    _check_arguments(sequences, batch_first, padding_value, padding_side)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    first = sequences[0]
    if first.dim() == 0:
        raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
    max_len = max(sequence.shape[0] for sequence in sequences)
    leading = (len(sequences), max_len) if batch_first else (max_len, len(sequences))
    out = creation.full(leading + tuple(first.shape[1:]), padding_value, dtype=first.dtype)
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    for i, sequence in enumerate(sequences):
        length = sequence.shape[0]
        start = max_len - length if padding_side == "left" else 0
        slot = out.select(0, i).narrow(0, start, length) if batch_first \
            else out.narrow(0, start, length).select(1, i)
        slot.copy_(sequence)
    return out


def _check_arguments(sequences: tuple, batch_first, padding_value, padding_side) -> None:
    """torch's argument parser, before the kernel runs."""
    for i, sequence in enumerate(sequences):
        if not isinstance(sequence, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(sequence).__name__}")
    checks = (("batch_first", 2, batch_first, "bool", lambda v: isinstance(v, bool)),
              ("padding_value", 3, padding_value, "float", _is_real),
              ("padding_side", 4, padding_side, "str", lambda v: isinstance(v, str)))
    for name, position, value, kind, accepts in checks:
        if not accepts(value):
            raise TypeError(f"pad_sequence(): argument '{name}' (position {position}) must be "
                            f"{kind}, not {type(value).__name__}")


def _is_real(value) -> bool:
    from engine.ops._core import is_scalar
    return is_scalar(value) and not isinstance(value, complex)


from engine.nn.utils.packed import (PackedSequence, invert_permutation,  # noqa: E402
                                    pack_padded_sequence, pack_sequence, pad_packed_sequence,
                                    unpack_sequence, unpad_sequence)

__getattr__ = _module_getattr("torch.nn.utils.rnn")
