"""F.binary_cross_entropy's range check live against torch: element by element, input before
target, NaN out of range."""
import pytest

from surface_live import check

NAN = float("nan")


@pytest.mark.parametrize("input, target", [([0.5, NAN], [0.5, 0.5]), ([0.5, 0.5], [NAN, 0.5]),
                                           ([NAN, 0.5], [2.0, 0.5]), ([0.5, 2.0], [-1.0, 0.5]),
                                           ([0.25, 0.5], [0.5, 1.0])])
def test_range_check(input, target):
    check(lambda t: t.nn.functional.binary_cross_entropy(t.tensor(input), t.tensor(target)))
