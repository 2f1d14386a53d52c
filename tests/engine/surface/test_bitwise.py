"""bitwise_and/or/xor/not, the shifts, their in-place forms and the operators & | ^ ~ << >>
against torch 2.13, live: values, dtypes (promotion), errors."""
import pytest

from surface_live import check


def _ints(t):
    return t.tensor([5, -3, 12, 0])


SNIPPETS = {
    "and_scalar": lambda t: _ints(t) & 3,
    "rand_scalar": lambda t: 3 & _ints(t),
    "or_bool": lambda t: _ints(t) | t.tensor([True, False, True, False]),
    "xor_bool": lambda t: t.tensor([True, False]) ^ t.tensor([True, True]),
    "rxor": lambda t: True ^ t.tensor([True, False]),
    "ror": lambda t: 8 | _ints(t),
    "invert_int": lambda t: ~_ints(t),
    "invert_bool": lambda t: ~t.tensor([True, False]),
    "invert_uint8": lambda t: ~t.tensor([0, 200], dtype=t.uint8),
    "invert_float": lambda t: ~t.ones(2),
    "lshift": lambda t: _ints(t) << 2,
    "rshift": lambda t: _ints(t) >> 1,
    "rlshift": lambda t: 2 << t.tensor([1, 0, 5]),
    "rrshift": lambda t: 100 >> t.tensor([1, 0, 5]),
    "shift_by_width": lambda t: [_ints(t) << 64, _ints(t) >> 64, _ints(t) << -1,
                                 _ints(t) >> -1, _ints(t) >> 70],
    "shift_small_types": lambda t: [t.tensor([1], dtype=t.uint8) << 9,
                                    t.tensor([200], dtype=t.uint8) >> 1,
                                    t.tensor([1], dtype=t.int8) << 7,
                                    t.tensor([-128], dtype=t.int8) >> 9,
                                    t.tensor([1], dtype=t.int32) << t.tensor([31, 32])],
    "shift_tensor_counts": lambda t: _ints(t) >> t.tensor([0, 1, 2, 3]),
    "and_float": lambda t: t.ones(2) & 1,
    "and_float_scalar": lambda t: t.bitwise_and(_ints(t), 1.5),
    "lshift_float": lambda t: t.ones(2) << 1,
    "lshift_by_float": lambda t: _ints(t) << 1.5,
    "rshift_float": lambda t: t.tensor([1.5]) >> 1,
    "bitwise_not_float": lambda t: t.ones(2).bitwise_not(),
    "bool_and_int": lambda t: t.tensor([True, False]) & 1,
    "bool_and_bool_scalar": lambda t: t.tensor([True, False]) & True,
    "functions": lambda t: [t.bitwise_and(_ints(t), 6), t.bitwise_or(_ints(t), 6),
                            t.bitwise_xor(_ints(t), 6), t.bitwise_not(_ints(t)),
                            t.bitwise_left_shift(_ints(t), 1),
                            t.bitwise_right_shift(_ints(t), 1),
                            t.bitwise_left_shift(3, t.tensor([1, 0]))],
    "methods": lambda t: [_ints(t).bitwise_and(6), _ints(t).bitwise_or(t.tensor(6)),
                          _ints(t).bitwise_xor(6), _ints(t).bitwise_not(),
                          _ints(t).bitwise_left_shift(2), _ints(t).bitwise_right_shift(2)],
    "mixed_int_types": lambda t: t.tensor([3], dtype=t.int8) & t.tensor([5], dtype=t.int32),
    "in_place": lambda t: [_ints(t).bitwise_and_(6), _ints(t).bitwise_or_(6),
                           _ints(t).bitwise_xor_(6), _ints(t).bitwise_not_(),
                           _ints(t).bitwise_left_shift_(1), _ints(t).bitwise_right_shift_(1)],
    "in_place_operators": lambda t: _in_place_operators(t),
    "in_place_bool_by_int": lambda t: t.tensor([True, False]).bitwise_or_(_ints(t)[:2]),
    "in_place_int_by_bool": lambda t: _ints(t).bitwise_and_(t.tensor([True, False, True, True])),
    "in_place_version": lambda t: (lambda x: (x.bitwise_xor_(1), x._version)[1])(_ints(t)),
    "broadcast_error": lambda t: t.ones(2, dtype=t.int64) & t.ones(3, dtype=t.int64),
    "mask_combination": lambda t: (lambda x: x[(x > 0) & (x < 10) | (x == -3)])(_ints(t)),
}


def _in_place_operators(t):
    x = _ints(t)
    x &= 6
    x |= 1
    x ^= 3
    x <<= 2
    x >>= 1
    return [x, x._version]


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
