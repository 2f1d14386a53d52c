"""An append-only sequence shared by a builder and its clones, viewed as frozen prefixes.

A ``State`` from step k and one from step m > k of the same log see the same first lines
of output; copying them into every snapshot would cost O(lines) per snapshot. Instead all
forks of one builder share one list and each remembers its own length. Forks must replay
the same log, which is what checkpoints do, so whatever a fork appends past the shared
list's end is what any other fork would have appended there.
"""
from __future__ import annotations

from array import array
from collections.abc import Sequence


def checked_index(index: int, length: int) -> int:
    """A sequence's index, a negative one counted from the end; IndexError outside."""
    if index < 0:
        index += length
    if not 0 <= index < length:
        raise IndexError(index)
    return index


class PrefixView(Sequence):
    """The first ``length`` items of a list that only ever grows: immutable in effect."""
    __slots__ = ("_items", "_length")

    def __init__(self, items: list, length: int):
        self._items = items
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._items[:self._length][index]
        return self._items[checked_index(index, self._length)]

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"PrefixView({self._length} items)"


class SharedAppendOnly:
    def __init__(self, cap: int):
        self._items: list = []
        self._length = 0
        self.cap = cap
        self.dropped = 0                          # appends refused because of the cap

    def append(self, item) -> None:
        if self._length >= self.cap:
            self.dropped += 1
            return
        if self._length == len(self._items):
            self._items.append(item)
        self._length += 1

    def fork(self) -> "SharedAppendOnly":
        twin = object.__new__(SharedAppendOnly)
        twin._items, twin._length, twin.cap, twin.dropped = (
            self._items, self._length, self.cap, self.dropped)
        return twin

    def view(self) -> PrefixView:
        return PrefixView(self._items, self._length)

    def __len__(self) -> int:
        return self._length


class PairsView(Sequence):
    """The first ``length`` (int, int) pairs of a flat array that only ever grows."""
    __slots__ = ("_flat", "_length")

    def __init__(self, flat: array, length: int):
        self._flat = flat
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        index = checked_index(index, self._length)
        return self._flat[2 * index], self._flat[2 * index + 1]

    def __iter__(self):
        flat = self._flat[:2 * self._length]
        return zip(flat[::2], flat[1::2])

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"PairsView({self._length} pairs)"


class SharedIntPairs:
    """``SharedAppendOnly`` for pairs of integers, kept flat in one array of int64 (16 bytes
    a pair instead of a tuple and two int objects, ~100 bytes): a view yields tuples."""

    def __init__(self, cap: int):
        self._flat = array("q")
        self._length = 0
        self.cap = cap
        self.dropped = 0

    def append(self, first: int, second: int) -> None:
        if self._length >= self.cap:
            self.dropped += 1
            return
        if 2 * self._length == len(self._flat):
            self._flat.append(first)
            self._flat.append(second)
        self._length += 1

    def fork(self) -> "SharedIntPairs":
        twin = object.__new__(SharedIntPairs)
        twin._flat, twin._length, twin.cap, twin.dropped = (
            self._flat, self._length, self.cap, self.dropped)
        return twin

    def view(self) -> PairsView:
        return PairsView(self._flat, self._length)

    def __len__(self) -> int:
        return self._length
