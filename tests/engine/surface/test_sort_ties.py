"""sort / argsort / msort with stable=False against torch 2.13, live: the indices of equal
values are where ATen's std::sort (introsort) leaves them, for integers, floats with NaN,
-0.0 and infinities, bools, along any dim, ascending and descending; long 1-D integer
tensors (radix-sorted in ATen) and stable=True keep equal values in order."""
import numpy as np
import pytest

from surface_live import check


def _values(t, kind, shape):
    rng = np.random.default_rng(sum(shape) + len(kind))
    if kind == "int":
        return t.tensor(rng.integers(-3, 9, shape))
    if kind == "int32":
        return t.tensor(rng.integers(0, 5, shape).astype(np.int32))
    if kind == "bool":
        return t.tensor(rng.integers(0, 2, shape).astype(bool))
    values = np.round(rng.normal(size=shape), 0).astype(kind)
    flat = values.reshape(-1)
    flat[::7] = np.nan
    flat[3::11] = -0.0
    flat[5::13] = np.inf
    flat[6::17] = -np.inf
    return t.tensor(values)


def sort_case(kind, shape, dim=-1, descending=False, stable=False):
    def snippet(t):
        x = _values(t, kind, shape)
        values, indices = t.sort(x, dim=dim, descending=descending, stable=stable)
        return [values, indices, t.argsort(x, dim=dim, descending=descending, stable=stable),
                x.sort(dim, descending).indices]
    return snippet


CASES = {
    "int 1-D": sort_case("int", (200,)),
    "int 1-D descending": sort_case("int", (300,), descending=True),
    "int 1-D stable": sort_case("int", (200,), stable=True),
    "int 2-D dim 0": sort_case("int", (40, 3), dim=0),
    "int 3-D dim 1": sort_case("int", (2, 50, 3), dim=1, descending=True),
    "int32": sort_case("int32", (100,)),
    "bool": sort_case("bool", (90,)),
    "float32 specials": sort_case("float32", (4, 120)),
    "float64 specials descending": sort_case("float64", (150,), descending=True),
    "float32 dim 0": sort_case("float32", (70, 2), dim=0),
    "short rows": sort_case("int", (5, 12)),
    "long int radix": sort_case("int", (40000,)),
    "long int descending": sort_case("int", (40000,), descending=True),
    "long float": sort_case("float32", (40000,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_sort_ties(name):
    check(CASES[name], rtol=0, atol=0)


def test_msort_and_gradient_follow_the_indices():
    def snippet(t):
        x = t.tensor(np.round(np.random.default_rng(5).normal(size=(60, 2)), 0),
                     requires_grad=True)
        values = t.msort(x)
        values.backward(t.arange(120.0).reshape(60, 2))
        return [values, x.grad]
    check(snippet, rtol=0, atol=0)


def test_packing_unsorted_sequences_of_equal_lengths():
    """pack_padded_sequence(enforce_sorted=False) sorts the lengths with stable=False: with
    more than 16 sequences, equal lengths keep the order torch's sort leaves them in."""
    def snippet(t):
        lengths = t.tensor([3, 5, 3, 2, 5, 3, 1, 3, 5, 2, 3, 3, 4, 5, 3, 2, 3, 4, 1, 3])
        padded = t.arange(20 * 5 * 2, dtype=t.float32).reshape(5, 20, 2)
        packed = t.nn.utils.rnn.pack_padded_sequence(padded, lengths, enforce_sorted=False)
        return [packed.data, packed.batch_sizes, packed.sorted_indices,
                packed.unsorted_indices]
    check(snippet, rtol=0, atol=0)


def topk_case(kind, shape, k, dim=-1, largest=True, sorted=True):
    def snippet(t):
        x = _values(t, kind, shape)
        values, indices = t.topk(x, k, dim=dim, largest=largest, sorted=sorted)
        return [values, indices, x.topk(k, dim, largest, sorted).indices]
    return snippet


TOPK = {
    "int nth_element": topk_case("int", (200,), 9),
    "int partial_sort": topk_case("int", (300,), 3),
    "int smallest unsorted": topk_case("int", (120,), 40, largest=False, sorted=False),
    "int 2-D dim 0": topk_case("int", (50, 3), 7, dim=0, largest=False),
    "float32 specials": topk_case("float32", (3, 200), 12),
    "float64 specials smallest": topk_case("float64", (150,), 30, largest=False),
    "float32 unsorted": topk_case("float32", (90,), 20, sorted=False),
    "k = 0": topk_case("int", (40,), 0),
    "k = all": topk_case("int", (40,), 40, sorted=False),
    "short": topk_case("int", (6,), 4, sorted=False),
}


@pytest.mark.parametrize("name", sorted(TOPK))
def test_topk_ties(name):
    check(TOPK[name], rtol=0, atol=0)


def test_topk_gradient_follows_the_indices():
    def snippet(t):
        x = t.tensor(np.round(np.random.default_rng(6).normal(size=(3, 80)), 0),
                     requires_grad=True)
        values, indices = x.topk(10, sorted=False)
        values.backward(t.arange(30.0).reshape(3, 10))
        return [values, indices, x.grad]
    check(snippet, rtol=0, atol=0)


def selection_case(op, kind, shape, dim=-1, k=None):
    def snippet(t):
        x = _values(t, kind, shape)
        if kind != "int":
            x = x.nan_to_num(nan=7.0) if op == "mode" else x
        result = t.kthvalue(x, k, dim) if op == "kthvalue" else t.mode(x, dim)
        keep = t.kthvalue(x, k, dim, True) if op == "kthvalue" else x.mode(dim, True)
        return [result.values, result.indices, keep.indices]
    return snippet


SELECTIONS = {
    "kthvalue int": selection_case("kthvalue", "int", (3, 150), k=40),
    "kthvalue int dim 0": selection_case("kthvalue", "int", (90, 2), dim=0, k=90),
    "kthvalue float32 specials": selection_case("kthvalue", "float32", (2, 130), k=100),
    "kthvalue short": selection_case("kthvalue", "int", (4, 5), k=2),
    "mode int": selection_case("mode", "int", (4, 120)),
    "mode int dim 0": selection_case("mode", "int", (200, 2), dim=0),
    "mode float64": selection_case("mode", "float64", (3, 160)),
}


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_kthvalue_and_mode_ties(name):
    check(SELECTIONS[name], rtol=0, atol=0)
