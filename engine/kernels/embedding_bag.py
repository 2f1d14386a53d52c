"""embedding_bag's loops, in ATen's order of additions: each bag's rows added one after the
other (fused with their per-sample weights for fbgemm's float32 kernel), each bag's
running maximum, and the weight gradient added occurrence by occurrence with fused
multiply-adds (BLAS axpy) in the order of the sorted indices.

Compiled without fast-math: the order and the rounding of every addition is the point.
"""
import numba

from engine.kernels.mt19937 import _fma


def exact_kernel(function):
    return numba.njit(cache=True, nogil=True)(function)


@exact_kernel
def bag_sums(weight, indices, bags, positions, out):
    """out[bag] += weight[index], position by position (`positions`: those that count)."""
    for p in positions:
        row, bag = indices[p], bags[p]
        for d in range(out.shape[1]):
            out[bag, d] += weight[row, d]


@exact_kernel
def weighted_bag_sums(weight, indices, bags, positions, sample_weights, fused, out):
    """out[bag] += weight[index] * sample weight: one rounding when `fused` (fbgemm's
    float32 kernel), two otherwise (ATen's axpy loop for float64)."""
    for p in positions:
        row, bag, scale = indices[p], bags[p], sample_weights[p]
        for d in range(out.shape[1]):
            if fused:
                out[bag, d] = _fma(weight[row, d], scale, out[bag, d])
            else:
                product = weight[row, d] * scale
                out[bag, d] += product


@exact_kernel
def bag_maxes(weight, indices, bags, positions, out, max_indices):
    """ATen's loop: a bag's first row, then any strictly greater element (NaN never is)."""
    last_bag = -1
    for p in positions:
        row, bag = indices[p], bags[p]
        first = bag != last_bag
        last_bag = bag
        for d in range(out.shape[1]):
            if first or weight[row, d] > out[bag, d]:
                out[bag, d] = weight[row, d]
                max_indices[bag, d] = row


@exact_kernel
def scaled_row_sums(grad_out, rows, bags, scales, out):
    """out[rows[j]] = fma(scales[j], grad_out[bags[j]], out[rows[j]]) for j in order."""
    for j in range(rows.size):
        row, bag, scale = rows[j], bags[j], scales[j]
        for d in range(out.shape[1]):
            out[row, d] = _fma(scale, grad_out[bag, d], out[row, d])
