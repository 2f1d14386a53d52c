"""Tensor metadata and creation methods, byte/char/short, positive, as_strided, unfold and
sum_to_size against torch 2.13, live: values, dtypes, node names, saved values, gradients
and double backward, errors."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.0], [1.25, -0.75, 0.2, -1.1]]
ROW = [0.5, -1.5, 2.0, 0.25, 1.0]

OPS = {
    "as_strided": (lambda t, x: x.as_strided((2, 2), (1, 2), 1), (A,)),
    "as_strided_overlapping": (lambda t, x: t.as_strided(x, (3, 3), (1, 1)), (A,)),
    "as_strided_of_transpose": (lambda t, x: x.t().as_strided((3,), (2,)), (A,)),
    "as_strided_broadcast": (lambda t, x: x.as_strided((2, 3), (0, 1)), (A,)),
    "unfold": (lambda t, x: x.unfold(1, 2, 1), (A,)),
    "unfold_step": (lambda t, x: x.unfold(0, 2, 2) * 1, (A,)),
    "unfold_1d_gaps": (lambda t, x: x.unfold(0, 2, 3), (ROW,)),
    "sum_to_size": (lambda t, x: x.sum_to_size(1, 4), (A,)),
    "sum_to_size_lead": (lambda t, x: x.sum_to_size(4), (A,)),
    "sum_to_size_tuple": (lambda t, x: x.sum_to_size((3, 1)), (A,)),
    "positive": (lambda t, x: t.positive(x) * 2, (A,)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype)


def _view_offsets(t):
    x = t.arange(12.0).reshape(3, 4)
    return [x[1:].storage_offset(), x[:, 2].storage_offset(), x.t()[3:].storage_offset(),
            x.storage_offset(), x[1:].detach().storage_offset(),
            x[2].data_ptr() - x.data_ptr(), x.unfold(1, 2, 1)._base is x]


SNIPPETS = {
    "new_full": lambda t: t.ones(2).new_full((2, 3), 3),
    "new_full_dtype": lambda t: t.ones(2).new_full([2], 1.5, dtype=t.int64),
    "new_full_bool_value": lambda t: t.ones(2).new_full((2,), True),
    "new_full_requires_grad": lambda t: t.ones(2).new_full((2,), 1.0, requires_grad=True),
    "new_tensor": lambda t: t.ones(2, dtype=t.float64).new_tensor([1, 2]),
    "new_tensor_dtype": lambda t: t.ones(2).new_tensor([1.5], dtype=t.int64),
    "new_tensor_scalar": lambda t: t.ones(2).new_tensor(3),
    "new_tensor_from_tensor": lambda t: t.ones(2).new_tensor(t.tensor([1, 2])),
    "new_tensor_int_self": lambda t: t.ones(2, dtype=t.int32).new_tensor([1.7, 2.2]),
    "new_empty_strided": lambda t: (lambda e: (tuple(e.shape), e.stride(), str(e.dtype)))(
        t.ones(2).new_empty_strided((2, 3), (1, 2))),
    "nbytes_itemsize": lambda t: (t.ones(3, 4).nbytes, t.ones(3, dtype=t.int16).itemsize,
                                  t.ones(2, 2, dtype=t.float64).nbytes),
    "is_cpu": lambda t: t.ones(2).is_cpu,
    "storage_offsets": _view_offsets,
    "is_complex": lambda t: (t.ones(2).is_complex(), t.is_complex(t.ones(2, dtype=t.int64))),
    "is_signed": lambda t: [t.ones(1, dtype=d).is_signed() for d in
                            (t.float32, t.float64, t.int64, t.int8, t.uint8, t.bool)],
    "torch_is_signed": lambda t: t.is_signed(t.ones(1, dtype=t.uint8)),
    "is_nonzero": lambda t: (t.tensor([0.0]).is_nonzero(), t.tensor(2).is_nonzero(),
                             t.is_nonzero(t.tensor([[True]]))),
    "is_nonzero_many": lambda t: t.ones(2).is_nonzero(),
    "is_nonzero_empty": lambda t: t.ones(0).is_nonzero(),
    "is_same_size": lambda t: (t.ones(2, 3).is_same_size(t.zeros(2, 3)),
                               t.is_same_size(t.ones(2, 3), t.ones(3, 2))),
    "ndimension": lambda t: (t.ones(2, 3, 1).ndimension(), t.tensor(1.0).ndimension()),
    "positive_is_self": lambda t: (lambda x: t.positive(x) is x and x.positive() is x)(t.ones(2)),
    "positive_bool": lambda t: t.tensor([True]).positive(),
    "torch_positive_bool": lambda t: t.positive(t.tensor([True])),
    "byte": lambda t: t.tensor([1.7, -1.0, 300.0]).byte(),
    "char": lambda t: t.tensor([1.7, -1.0, 3.0]).char(),
    "short": lambda t: t.tensor([1.7, -1.0, 3.0], requires_grad=True).short(),
    "byte_of_bool": lambda t: t.tensor([True, False]).byte(),
    "as_strided_out_of_bounds": lambda t: t.ones(3, 4).as_strided((5, 4), (4, 1)),
    "as_strided_negative_offset": lambda t: t.ones(3, 4).as_strided((2,), (1,), -1),
    "as_strided_lengths": lambda t: t.ones(3, 4).as_strided((2, 2), (1,)),
    "as_strided_offset_of_view": lambda t: t.arange(12.0)[4:].as_strided((2, 2), (1, 2)),
    "as_strided_explicit_offset": lambda t: t.arange(12.0)[4:].as_strided((2,), (3,), 1),
    "as_strided_writes_through": lambda t: (lambda x: (x.as_strided((2,), (5,)).fill_(7.0), x)[1])(
        t.zeros(3, 4)),
    "as_strided_version": lambda t: (lambda x: (x.as_strided((2,), (5,)).add_(1), x._version)[1])(
        t.zeros(3, 4)),
    "unfold_shape_strides": lambda t: (lambda u: (tuple(u.shape), u.stride()))(
        t.arange(24.0).reshape(2, 3, 4).unfold(2, 3, 1)),
    "unfold_too_big": lambda t: t.ones(3, 4).unfold(1, 5, 1),
    "unfold_step_zero": lambda t: t.ones(3, 4).unfold(1, 2, 0),
    "unfold_bad_dim": lambda t: t.ones(3, 4).unfold(2, 1, 1),
    "unfold_negative_dim": lambda t: t.arange(6.0).reshape(2, 3).unfold(-1, 2, 1),
    "unfold_0dim": lambda t: t.tensor(2.0).unfold(0, 1, 1),
    "unfold_int": lambda t: t.arange(5).unfold(0, 2, 2),
    "sum_to_size_same": lambda t: (lambda x: x.sum_to_size(3, 4) is x)(t.ones(3, 4)),
    "sum_to_size_bad": lambda t: t.ones(3, 4).sum_to_size(2, 4),
    "sum_to_size_longer": lambda t: t.ones(3, 4).sum_to_size(1, 1, 4),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])


# ---------------------------------------------------------------- the complex API of real
# tensors, storage and layout queries, element-by-element methods, resize_, new

def _apply(t):
    x = t.tensor([1.0, 2.0, 3.0])
    x.apply_(lambda v: v * 3 + 1)
    y = t.tensor([[1, 2], [3, 4]])
    y.map_(t.tensor([10, 20]), lambda a, b: a * b)
    return [x, x._version, y]


MORE_OPS = {
    "adjoint": (lambda t, x: x.adjoint(), (A,)),
    "mH": (lambda t, x: x.mH * 2, (A,)),
    "H": (lambda t, x: x.H * 2, (A,)),
    "angle": (lambda t, x: t.angle(x) * x, (A,)),
    "narrow_copy": (lambda t, x: x.narrow_copy(1, 1, 2), (A,)),
    "hardshrink": (lambda t, x: x.hardshrink(0.45), (A,)),
    "prelu": (lambda t, x: x.prelu(t.tensor([0.1], dtype=x.dtype)), (A,)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", MORE_OPS)
def test_more_values_gradients_and_graphs(name, dtype):
    fn, data = MORE_OPS[name]
    compare(fn, data, dtype, graph=name not in ("angle", "narrow_copy", "prelu"))


MORE_SNIPPETS = {
    "identities": lambda t: (lambda x: [x.conj() is x, x.conj_physical() is x,
                                        x.resolve_conj() is x, x.resolve_neg() is x,
                                        x.real is x, t.real(x) is x, t.conj(x) is x,
                                        x.is_conj(), x.is_neg(), t.is_conj(x)])(t.ones(2)),
    "imag": lambda t: t.ones(2).imag,
    "torch_imag": lambda t: t.imag(t.ones(2)),
    "mH_1d": lambda t: t.ones(3).mH,
    "H_1d": lambda t: t.ones(3).H,
    "H_3d": lambda t: t.ones(2, 3, 4).H,
    "adjoint_1d": lambda t: t.ones(3).adjoint(),
    "adjoint_batch": lambda t: t.adjoint(t.arange(24.0).reshape(2, 3, 4)),
    "angle_values": lambda t: t.angle(t.tensor([-0.0, float("nan"), -2.0, 3.0])),
    "angle_int": lambda t: t.tensor([-1, 2]).angle(),
    "angle_grad": lambda t: (lambda x: t.autograd.grad(x.angle().sum(), x,
                                                       create_graph=True)[0])(
        t.tensor([-1.0, 2.0], requires_grad=True)),
    "argwhere": lambda t: t.tensor([[0, 1], [2, 0]]).argwhere(),
    "torch_argwhere": lambda t: t.argwhere(t.tensor([0.0, 1.5, 0.0, 2.0])),
    "isreal": lambda t: [t.isreal(t.ones(2, 3)), t.tensor([1, 2]).isreal()],
    "narrow_copy_negative_start_backward": lambda t: t.narrow_copy(
        t.ones(3, 4, requires_grad=True), 0, -2, 2).sum().backward(),
    "narrow_copy_negative_start": lambda t: t.narrow_copy(t.arange(12.0).reshape(3, 4), 1, -3,
                                                          2),
    "narrow_copy_too_long": lambda t: t.ones(2).narrow_copy(0, 1, 5),
    "layout": lambda t: [repr(t.ones(2).layout), repr(t.strided), t.ones(1).layout == t.strided],
    "dim_order": lambda t: [t.ones(2, 3).dim_order(), t.ones(2, 3, 4).permute(2, 0, 1).dim_order()],
    "queries": lambda t: (lambda x: [x.is_sparse, x.is_quantized, x.is_meta, x.is_nested,
                                     x.is_mkldnn, x.is_sparse_csr, x.is_xla, x.is_mps,
                                     x.is_xpu, x.is_ipu, x.is_vulkan, x.is_maia, x.is_mtia,
                                     x.is_pinned(), x.is_shared()])(t.ones(2)),
    "apply_map": _apply,
    "apply_requires_grad": lambda t: t.ones(2, requires_grad=True).apply_(lambda v: v),
    "map_requires_grad": lambda t: t.ones(2, requires_grad=True).map_(t.ones(2),
                                                                       lambda a, b: a),
    "resize_smaller": lambda t: t.arange(6.0).reshape(2, 3).resize_(2, 2),
    "resize_same": lambda t: t.arange(6.0).resize_(3, 2),
    "resize_bigger_shape": lambda t: t.ones(2).resize_(3).shape,
    "resize_requires_grad": lambda t: t.ones(2, requires_grad=True).resize_(3),
    "resize_as_": lambda t: t.arange(6.0).resize_as_(t.ones(2, 3)),
    "new_sizes": lambda t: (lambda x: (tuple(x.shape), str(x.dtype)))(
        t.ones(2, dtype=t.float64).new(2, 3)),
    "new_data": lambda t: t.ones(2).new([1, 2]),
    "new_empty": lambda t: t.ones(2).new(),
    "new_tensor_arg": lambda t: t.ones(2).new(t.tensor([3.0, 4.0])),
    "new_dtype": lambda t: t.ones(2).new(2, dtype=t.int64),
}


@pytest.mark.parametrize("name", MORE_SNIPPETS)
def test_more_as_torch(name):
    check(MORE_SNIPPETS[name])


def _unsafe_split(t):
    x = t.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    first, rest = x.unsafe_split_with_sizes([1, 2])
    rest.mul_(2)                    # not views: in place is allowed
    (first.sum() + rest.sum()).backward()
    return [first, rest, rest.grad_fn.name(), x.grad,
            t.unsafe_split_with_sizes(x.detach(), [2, 1], 1)[1]]


LEFTOVER_SNIPPETS = {
    "unsafe_split_with_sizes": _unsafe_split,
    "unsafe_split_with_sizes_bad": lambda t: t.ones(3).unsafe_split_with_sizes([1, 1]),
    "nonzero_static": lambda t: t.tensor([0, 1, 2, 0, 3]).nonzero_static(size=4),
    "nonzero_static_fill": lambda t: t.nonzero_static(t.tensor([[0, 1], [2, 0]]), size=3,
                                                      fill_value=9),
    "nonzero_static_negative": lambda t: t.tensor([0, 1]).nonzero_static(size=-1),
    "histogram": lambda t: t.histogram(t.tensor([1.0, 2.0, 1.0, 4.0]), bins=3),
    "histogram_range": lambda t: t.tensor([1.0, 2.0, 1.0, 4.0]).histogram(3, range=(1.0, 3.0)),
    "histogram_edges": lambda t: t.histogram(t.tensor([1.0, 2.0, 1.0, 4.0]),
                                             t.tensor([0.0, 1.5, 5.0])),
    "histogram_weight_density": lambda t: t.histogram(
        t.tensor([1.0, 2.0, 1.0]), 2, range=(0.0, 4.0), weight=t.tensor([1.0, 2.0, 3.0]),
        density=True),
    "histogram_constant": lambda t: t.histogram(t.tensor([1.0, 1.0]), 2),
    "histogram_float64": lambda t: t.histogram(t.tensor([0.1, 0.7, 0.4], dtype=t.float64), 2),
    "histogram_int": lambda t: t.histogram(t.tensor([1, 2]), 2),
    "histogram_bins": lambda t: t.histogram(t.tensor([1.0, 2.0]), 0),
    "histogram_min_max": lambda t: t.histogram(t.tensor([1.0, 2.0]), 2, range=(3.0, 1.0)),
    "map2_": lambda t: t.ones(2).map2_(t.ones(2), t.ones(2) * 2, lambda a, b, c: a + b * c),
    "to_dense": lambda t: (lambda x: x.to_dense() is x)(t.ones(2)),
    "const_data_ptr": lambda t: (lambda x: x.const_data_ptr() == x.data_ptr())(t.ones(2)),
    "conj_physical_": lambda t: (lambda x: x.conj_physical_() is x)(t.ones(2)),
    "grad_dtype": lambda t: [t.ones(2).grad_dtype, t.ones(2, dtype=t.float64).grad_dtype],
}


@pytest.mark.parametrize("name", LEFTOVER_SNIPPETS)
def test_leftovers_as_torch(name):
    check(LEFTOVER_SNIPPETS[name])


def _unsafe_pieces_share_memory(t):
    x = t.ones(3, 3)
    a, b = x.unsafe_split_with_sizes([1, 2])
    b.mul_(2)
    c, d = x.unsafe_split(2)
    d.mul_(3)
    return [x, x._version, b._version, a._version, b._base is None, d._version]


def test_unsafe_pieces_share_memory_as_torch():
    check(_unsafe_pieces_share_memory)
