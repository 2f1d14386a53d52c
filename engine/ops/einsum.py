"""einsum, recorded op by op as ATen's einsum records it (so the graph shows the same nodes):
each operand is diagonalised for repeated labels, unsqueezed for missing labels and
permuted into one label order (output labels, then contracted ones); operands are then
combined left to right, each pair by sumproduct_pair (permute, reshape, bmm, view,
permute), or a mul when nothing is contracted; a final view drops the contracted dims.
"""
from __future__ import annotations

import string

from engine.ops import elementwise as E
from engine.ops import linalg as L
from engine.ops import reductions as R
from engine.ops import shape as S
from engine.tensor import Tensor

_LABELS = string.ascii_uppercase + string.ascii_lowercase      # ATen's label order
ELLIPSIS = "..."


def _parse(equation: str, num_ops: int) -> tuple[list[list[str]], list[str] | None]:
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != num_ops:
        which = "more" if num_ops > len(terms) else "fewer"
        raise RuntimeError(f"einsum(): {which} operands were provided than specified in the "
                           "equation")
    return [_labels(term) for term in terms], (_labels(rhs) if arrow else None)


def _labels(term: str) -> list[str]:
    labels, i = [], 0
    while i < len(term):
        if term.startswith(ELLIPSIS, i):
            labels.append(ELLIPSIS)
            i += 3
            continue
        if term[i] not in _LABELS:
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
        labels.append(term[i])
        i += 1
    return labels


def _label_positions(op_labels, out_labels, ell_num_dim: int):
    """Each label's position in the common order, the ellipsis's first position, the
    number of output dims and of all dims."""
    counts = {label: 0 for label in _LABELS}
    for labels in op_labels:
        for label in labels:
            if label != ELLIPSIS:
                counts[label] += 1
    position, perm_index, ell_index = {}, 0, 0
    if out_labels is None:
        if ell_num_dim:
            ell_index, perm_index = perm_index, perm_index + ell_num_dim
        for label in _LABELS:
            if counts[label] == 1:
                position[label], perm_index = perm_index, perm_index + 1
    else:
        for label in out_labels:
            if label == ELLIPSIS:
                ell_index, perm_index = perm_index, perm_index + ell_num_dim
            else:
                position[label], perm_index = perm_index, perm_index + 1
    out_size = perm_index
    out_has_ellipsis = out_labels is None or ELLIPSIS in out_labels
    if not out_has_ellipsis:
        ell_index, perm_index = perm_index, perm_index + ell_num_dim
    for label in _LABELS:
        if counts[label] and label not in position:
            position[label], perm_index = perm_index, perm_index + 1
    return position, ell_index, out_size, perm_index


def _prepare(operand: Tensor, index: int, labels, position, ell_index, ell_num_dim,
             perm_index):
    """Diagonal for repeated labels, unsqueeze for missing ones, permute to the order."""
    perm_shape = [-1] * perm_index
    label_dim: dict = {}
    j = 0
    for label in labels:
        if label == ELLIPSIS:
            for _ in range(ell_num_dim - (operand._data.ndim - len(labels) + 1)):
                operand = S.unsqueeze(operand, j)
            for k in range(ell_num_dim):
                perm_shape[ell_index + k], j = j, j + 1
        elif label in label_dim:
            dim = label_dim[label]
            if operand._data.shape[j] != operand._data.shape[dim]:
                raise RuntimeError(f"einsum(): subscript {label} is repeated for operand "
                                   f"{index} but the sizes don't match, "
                                   f"{operand._data.shape[j]} != {operand._data.shape[dim]}")
            operand = _movedim_last_to(S.diagonal(operand, 0, dim, j), dim)
        else:
            label_dim[label] = j
            perm_shape[position[label]], j = j, j + 1
    for index, value in enumerate(perm_shape):
        if value == -1:
            operand = S.unsqueeze(operand, -1)
            perm_shape[index], j = j, j + 1
    return S.permute(operand, *perm_shape)


def _movedim_last_to(t: Tensor, dim: int) -> Tensor:
    order = list(range(t._data.ndim - 1))
    order.insert(dim, t._data.ndim - 1)
    return S.permute(t, *order)


def _check_operand(operand: Tensor, labels, index: int) -> int:
    """The operand's ellipsis dims (its dims beyond its labels)."""
    named = len([label for label in labels if label != ELLIPSIS])
    ndim = operand._data.ndim
    if ELLIPSIS in labels:
        if ndim < named:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) "
                               f"is more than the number of dimensions ({ndim}) for operand "
                               f"{index}")
        return ndim - named
    if ndim != named:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) does "
                           f"not match the number of dimensions ({ndim}) for operand {index} "
                           "and no ellipsis was given")
    return 0


def einsum(equation: str, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    op_labels, out_labels = _parse(equation, len(operands))
    ell_num_dim = max(_check_operand(op, labels, i)
                      for i, (op, labels) in enumerate(zip(operands, op_labels)))
    position, ell_index, out_size, perm_index = _label_positions(op_labels, out_labels,
                                                                 ell_num_dim)
    permuted = [_prepare(op, i, labels, position, ell_index, ell_num_dim, perm_index)
                for i, (op, labels) in enumerate(zip(operands, op_labels))]
    if len(permuted) == 1:
        result = permuted[0]
        if perm_index > out_size:
            result = R.sum(result, tuple(range(out_size, perm_index)))
        return result
    return _contract(permuted, out_size, perm_index)


def _contract(permuted: list, out_size: int, perm_index: int) -> Tensor:
    dim_counts = [0] * perm_index
    for dim in range(out_size, perm_index):
        dim_counts[dim] = sum(1 for op in permuted if op._data.shape[dim] != 1)
    result = permuted[0]
    for b in permuted[1:]:
        a, sum_dims = result, []
        for dim in range(out_size, perm_index):
            if a._data.shape[dim] != 1 and b._data.shape[dim] != 1:
                dim_counts[dim] -= 1
                if dim_counts[dim] == 1:
                    sum_dims.append(dim)
                    dim_counts[dim] = 0
            elif dim_counts[dim] == 1:
                if a._data.shape[dim] != 1:
                    a, dim_counts[dim] = R.sum(a, dim, keepdim=True), 0
                elif b._data.shape[dim] != 1:
                    b, dim_counts[dim] = R.sum(b, dim, keepdim=True), 0
        result = sumproduct_pair(a, b, sum_dims)
    if perm_index > out_size:
        result = S.view(result, result._data.shape[:out_size])
    return result


def sumproduct_pair(left: Tensor, right: Tensor, sum_dims: list) -> Tensor:
    """ATen's sumproduct_pair with keepdim=True: sum over sum_dims of left * right, as a bmm
    of the two permuted and flattened."""
    if not sum_dims:
        return E.mul(left, right)
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(left._data.ndim):
        sl, sr = left._data.shape[i] != 1, right._data.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                sum_size *= left._data.shape[i]
            elif sl:
                left = R.sum(left, i, keepdim=True)
            elif sr:
                right = R.sum(right, i, keepdim=True)
        elif sl and sr:
            lro.append(i)
            lro_size *= left._data.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left._data.shape[i]
        else:
            ro.append(i)
            ro_size *= right._data.shape[i]
    out_size = ([left._data.shape[d] for d in lro] + [left._data.shape[d] for d in lo]
                + [1] * len(sum_dims) + [right._data.shape[d] for d in ro])
    order = lro + lo + list(sum_dims) + ro
    output_permutation = [0] * len(order)
    for i, dim in enumerate(order):
        output_permutation[dim] = i
    left = S.reshape(S.permute(left, *(lro + lo + list(sum_dims) + ro)),
                     (lro_size, lo_size, sum_size))
    right = S.reshape(S.permute(right, *(lro + list(sum_dims) + ro + lo)),
                      (lro_size, sum_size, ro_size))
    result = L.bmm(left, right)
    return S.permute(S.view(result, tuple(out_size)), *output_permutation)
