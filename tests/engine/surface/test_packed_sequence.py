"""torch.nn.utils.rnn's packed sequences live against torch: pack_padded_sequence (sorted or
not, batch_first or not), pad_packed_sequence (padding value, total_length), pack_sequence,
unpack_sequence: values, batch sizes, the index permutations, the graph node by node, the
saved values, the gradients and the errors."""
import pytest

from surface_live import check
from test_rnn import graph
from tests.oracle import error_of


def packed_round_trip(batch_first=False, enforce_sorted=True, total_length=None):
    def snippet(t):
        rnn_utils = t.nn.utils.rnn
        x = t.arange(24.0).reshape(4, 3, 2).requires_grad_()
        padded = x.transpose(0, 1) * 1 if batch_first else x * 1
        lengths = [4, 3, 2] if enforce_sorted else t.tensor([2, 4, 3])
        packed = rnn_utils.pack_padded_sequence(padded, lengths, batch_first=batch_first,
                                                enforce_sorted=enforce_sorted)
        node = packed.data.grad_fn
        saved = node._saved_batch_first, node._saved_input_sym_sizes, node._saved_result1
        out, out_lengths = rnn_utils.pad_packed_sequence(
            packed, batch_first=batch_first, padding_value=-1.0, total_length=total_length)
        weights = t.arange(float(out.numel())).reshape(out.shape)
        (out * weights).sum().backward()
        return [packed.data, packed.batch_sizes, packed.sorted_indices,
                packed.unsorted_indices, graph(packed.data.grad_fn), out, out_lengths,
                graph(out.grad_fn), x.grad, saved, type(packed).__name__,
                list(packed._fields), isinstance(packed, tuple)]
    return snippet


CASES = {
    "sorted": packed_round_trip(),
    "sorted, batch_first": packed_round_trip(batch_first=True),
    "unsorted": packed_round_trip(enforce_sorted=False),
    "unsorted, batch_first, total_length": packed_round_trip(batch_first=True,
                                                             enforce_sorted=False,
                                                             total_length=6),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_pack_and_pad(name):
    check(CASES[name])


def pack_sequence_and_back(t):
    rnn_utils = t.nn.utils.rnn
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b, c = t.tensor([4.0]), t.tensor([5.0, 6.0])
    packed = rnn_utils.pack_sequence([a, b, c], enforce_sorted=False)
    pieces = rnn_utils.unpack_sequence(packed)
    (packed.data * t.arange(6.0)).sum().backward()
    return [*packed, graph(packed.data.grad_fn), pieces, a.grad,
            rnn_utils.pack_sequence([a, c, b]).batch_sizes,
            rnn_utils.invert_permutation(t.tensor([2, 0, 1]))]


def test_pack_sequence_and_unpack_sequence():
    check(pack_sequence_and_back)


def test_a_packed_sequence_converts_its_data():
    def snippet(t):
        packed = t.nn.utils.rnn.pack_sequence([t.ones(2, 3), t.ones(1, 3)])
        same = packed.to(t.float32) is packed
        return [same, *packed.double(), packed.double().float().data, packed.is_cuda,
                t.nn.utils.rnn.PackedSequence(packed.data, packed.batch_sizes).sorted_indices]
    check(snippet)


def packing_errors(t):
    pack = t.nn.utils.rnn.pack_padded_sequence
    x = t.ones(3, 2, 1)
    packed = pack(x, [3, 2])
    return [error_of(f) for f in (
        lambda: pack(x, [2, 3]), lambda: pack(x, [3, 0]), lambda: pack(x, [3, 2, 1]),
        lambda: pack(t.ones(0, 2, 1), [1, 1]), lambda: pack(t.ones(3), [3]),
        lambda: pack(t.ones(3), [3], batch_first=True),
        lambda: t.nn.utils.rnn.pad_packed_sequence(packed, total_length=2),
        lambda: t.nn.utils.rnn.PackedSequence(x))]


def test_errors():
    check(packing_errors)


def test_printing_and_tensor_lengths():
    def snippet(t):
        rnn_utils = t.nn.utils.rnn
        packed = rnn_utils.pack_sequence([t.tensor([1.0, 2.0]), t.tensor([3.0, 4.0, 5.0])],
                                         enforce_sorted=False)
        lengths = t.tensor([2, 3], dtype=t.int32)
        from_padded = rnn_utils.pack_padded_sequence(t.ones(2, 3, 1), lengths.cpu(),
                                                     batch_first=True, enforce_sorted=False)
        return [repr(packed), str(from_padded), len(packed), packed.is_pinned(),
                repr(rnn_utils.PackedSequence((packed.data, packed.batch_sizes)))]
    check(snippet)
