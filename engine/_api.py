"""PyTorch's top-level names: what `engine.X` (and `torch.X` under graphtui) gives.

Loaded all together the first time one of them is read (see engine/__init__.py); a torch
name the engine gains is one line here.
"""
from __future__ import annotations

from engine import trace
from engine._device import device, get_default_device, set_default_device
from engine._tensor_str import get_printoptions, set_printoptions
from engine.dtypes import (Size, bool_ as bool, double, dtype, float, float16, float32, float64,
                           get_default_dtype, half, int, int8, int16, int32, int64, long, short,
                           set_default_dtype, uint8)
from engine.tensor import Tensor, is_tensor
from engine import ops as _ops
from engine.ops.elementwise import (abs, add, all, allclose, any, clamp, clip, cos, div, eq, equal, exp,
                                    floor_divide,
                                    ge, gt, isfinite, isnan, le, log, maximum, minimum, logical_and, logical_not,
                                    logical_or, lt, masked_fill, mul, ne, neg, pow, reciprocal,
                                    relu, rsub, sgn, sigmoid, sign, sin, sqrt, sub, tanh, where)
from engine.ops.clamp_bounds import clamp_max, clamp_max_, clamp_min, clamp_min_
from engine.ops.reductions import argmax, argmin, max, mean, min, norm, sum
from engine.ops.reductions import log_softmax_with_dim as log_softmax
from engine.ops.reductions import softmax_with_dim as softmax
from engine.ops.indexing import select
from engine.ops.gather import gather, index_select, scatter, scatter_add
from engine.ops.inplace import (abs_, cos_, exp_, log_, neg_, reciprocal_, relu_, sigmoid_,
                                sin_, sqrt_, tanh_)
from engine.ops.statistics import prod, std, var
from engine.ops.ordering import (argsort, cumsum, flip, logsumexp, roll, sort, topk, tril,
                                 triu)
from engine.ops.shape import (cat, clone, concat, concatenate, diagonal, flatten, permute,
                              reshape, squeeze, stack, t, transpose, unsqueeze)
from engine.ops.grids import broadcast_shapes, broadcast_tensors, meshgrid
from engine.ops.unary_math import (acos, arccos, arcsin, arctan, arctan2, asin, atan, atan2,
                                   ceil, cosh, erf, expm1, floor, frac, log1p, log2, log10,
                                   round, rsqrt, sinh, square, tan, trunc)
from engine.ops.unary_math import IN_PLACE as _unary_in_place
from engine.ops.composite import (atleast_3d, broadcast_to, column_stack, dsplit, dstack, fliplr,
                                  flipud, hsplit, ravel, swapaxes, swapdims, take_along_dim,
                                  tensor_split, vsplit)
from engine.ops.gather import masked_select
from engine.ops.index_write import index_add, index_copy, index_fill
from engine.ops.sets import (bincount, bucketize, isin, searchsorted, unique,
                             unique_consecutive)
from engine.ops.composite import (atleast_1d, atleast_2d, count_nonzero, diff, hstack, isclose,
                                  movedim, moveaxis, narrow, nonzero, outer, repeat_interleave,
                                  tile, vstack)
from engine.ops.binary_math import (addcdiv, addcmul, copysign, fmax, fmin, fmod, hypot,
                                    isinf, isneginf, isposinf, lerp, logaddexp, logical_xor,
                                    nan_to_num, remainder, signbit, xlogy)
from engine.ops.binary_math import IN_PLACE as _binary_in_place
from engine.ops.selective_reductions import (amax, amin, aminmax, cummax, cummin, cumprod,
                                             kthvalue, median, mode, nanmean, nanmedian,
                                             nansum)
from engine.ops.unary_math import (acosh, arccosh, arcsinh, arctanh, asinh, atanh, deg2rad,
                                   erfc, exp2, logit, rad2deg, sinc)
from engine.ops.split import chunk, split, unbind, unsafe_chunk, unsafe_split
from engine.ops.linalg import bmm, dot, matmul, mm, mv
from engine.ops.einsum import einsum
from engine.ops.baddbmm import baddbmm, unflatten
from engine.creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full,
                             full_like, linspace, logspace, manual_seed, ones, ones_like, rand, rand_like,
                             randint, randint_like, randn, randn_like, randperm, seed, tensor,
                             zeros, zeros_like)
from engine import random
from engine.random import (Generator, default_generator, get_rng_state, initial_seed,
                           set_rng_state)
from engine.ops.random import bernoulli, multinomial, normal
from engine.serialization import load, save
from engine.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                                       set_grad_enabled, is_inference_mode_enabled)
from engine._cpp_warning import is_warn_always_enabled, set_warn_always
from engine import autograd
from engine.autograd.anomaly_mode import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                          set_detect_anomaly)

subtract, multiply, divide, true_divide, negative, absolute = sub, mul, div, div, neg, abs
globals().update({name: op for name, op in _unary_in_place.items() if name != "square_"})
globals().update({name: op for name, op in _binary_in_place.items()
                  if name == "nan_to_num_"})
fix = trunc
ger, row_stack = outer, vstack

from engine.ops.out import add_out_keywords as _add_out_keywords  # noqa: E402

_add_out_keywords(globals())


def numel(input) -> int:
    return input.numel()


def is_floating_point(input) -> bool:
    return input.is_floating_point()


from engine import nn, optim  # noqa: E402  (last: they import the rest of engine)
from engine.nn._ops.linear import addmm  # noqa: E402
from engine import accelerator, backends, cuda, linalg, utils  # noqa: E402
import engine.utils.checkpoint  # noqa: E402,F401  (after autograd, which it needs)

# distributions (torch.distributions)
from engine import distributions  # noqa: E402,F401


# linear algebra (issue #11): inverses, determinants, decompositions, distances
from engine.ops.linalg_solve import det, inv as inverse, logdet  # noqa: E402
from engine.ops.linalg_solve import torch_slogdet as slogdet  # noqa: E402
from engine.ops.linalg_products import cdist, cross, diag_embed, kron  # noqa: E402  (trace.py: trace)
from engine.ops.linalg_triangular import cholesky, cholesky_inverse, cholesky_solve  # noqa: E402
from engine.ops.linalg_exp import matrix_exp  # noqa: E402
from engine.ops.linalg_compat import pinverse, svd  # noqa: E402
from engine.ops.linalg_compat import torch_qr as qr  # noqa: E402




# rnncells: ATen's recurrent cells as torch exposes them
from engine.nn._ops.rnn_layers import (gru_cell_checked as gru_cell,  # noqa: E402
                                       lstm_cell_checked as lstm_cell, rnn_relu_cell,
                                       rnn_tanh_cell)


# convolution and pooling surface (issue #11): torch's own names for the nn ops
from engine.nn._ops.conv import conv1d, conv2d, conv3d  # noqa: E402,F401
from engine.nn._ops.conv_transpose import (conv_transpose1d, conv_transpose2d,  # noqa: E402,F401
                                           conv_transpose3d)
from engine.nn._ops.pooling1d import (adaptive_avg_pool1d,  # noqa: E402,F401
                                      adaptive_max_pool1d_with_indices as adaptive_max_pool1d,
                                      avg_pool1d, max_pool1d_with_indices)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    from engine.nn._ops.pooling1d import max_pool1d as pool
    return pool(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    from engine.nn._ops.pooling import max_pool2d as pool
    return pool(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    from engine.nn._ops.pooling3d import max_pool3d as pool
    return pool(input, kernel_size, stride, padding, dilation, ceil_mode)


from engine.nn._ops.rms_norm import rms_norm  # noqa: E402,F401


# tensorops (issue #11): metadata, strided views, aliases, more math
from engine.ops import tensor_meta as _tensor_meta  # noqa: E402
globals().update(_tensor_meta.FUNCTIONS)
globals().update(_tensor_meta.MORE_FUNCTIONS)
from engine.ops import aliases as _aliases  # noqa: E402
globals().update(_aliases.FUNCTIONS)
from engine.ops import bitwise as _bitwise  # noqa: E402
globals().update(_bitwise.FUNCTIONS)
from engine.ops import structural as _structural  # noqa: E402
globals().update(_structural.FUNCTIONS)
from engine.ops import special_math as _special_math  # noqa: E402
globals().update(_special_math.FUNCTIONS)
from engine import special  # noqa: E402,F401
from engine.ops import quantiles as _quantiles  # noqa: E402
globals().update(_quantiles.FUNCTIONS)
from engine.ops import scatter_reduce as _scatter_reduce  # noqa: E402
globals().update(_scatter_reduce.FUNCTIONS)
from engine.ops import leftovers as _leftovers  # noqa: E402
globals().update(_leftovers.FUNCTIONS)
from engine.ops import namespace as _namespace  # noqa: E402
globals().update(_namespace.FUNCTIONS)
from engine.ops import torch_level as _torch_level  # noqa: E402
globals().update(_torch_level.FUNCTIONS)

# losses, distances and bilinear at torch level, ATen's signatures (nnloss)
from engine.nn._ops.bilinear import _trilinear, bilinear  # noqa: E402,F401
from engine.nn._ops.distance import cosine_similarity, pairwise_distance, pdist  # noqa: E402,F401
from engine.nn._ops.embedding_losses import (  # noqa: E402,F401
    aten_cosine_embedding_loss as cosine_embedding_loss,
    aten_hinge_embedding_loss as hinge_embedding_loss,
    aten_margin_ranking_loss as margin_ranking_loss,
    aten_poisson_nll_loss as poisson_nll_loss,
    aten_triplet_margin_loss as triplet_margin_loss)

# nnlayers: torch's own names for the new nn layers' functions
from engine.nn._ops.channel_ops import channel_shuffle  # noqa: E402,F401
from engine.nn._ops.grid_sample import affine_grid_generator, grid_sampler  # noqa: E402,F401
from engine.nn._ops.random_layers import (  # noqa: E402,F401
    alpha_dropout_, celu_, feature_alpha_dropout_, feature_dropout_, rrelu_, selu_,
    alpha_dropout_at_torch_level as alpha_dropout,
    feature_alpha_dropout_at_torch_level as feature_alpha_dropout,
    feature_dropout_at_torch_level as feature_dropout, rrelu_at_torch_level as rrelu)

# training-script scaffolding (issue #11): compile, runtime switches, amp, jit markers
from engine import (amp, compiler, cpu, jit, multiprocessing, profiler,  # noqa: E402,F401
                    version)
from engine._compile import compile  # noqa: E402,F401
from engine._runtime_config import (  # noqa: E402,F401
    are_deterministic_algorithms_enabled, get_deterministic_debug_mode,
    get_float32_matmul_precision, get_num_interop_threads, get_num_threads,
    is_deterministic_algorithms_warn_only_enabled, set_deterministic_debug_mode,
    set_float32_matmul_precision, set_num_interop_threads, set_num_threads,
    use_deterministic_algorithms)
from engine.amp.autocast_mode import autocast, is_autocast_enabled  # noqa: E402,F401
from engine.dtypes import bfloat16  # noqa: E402,F401  (a name only: no bfloat16 arrays)

# breadth: torch.embedding_bag, torch.embedding, torch.embedding_renorm_
from engine.nn._ops.embedding_bag import (  # noqa: E402,F401
    aten_embedding_bag as embedding_bag)
from engine.nn._ops.sparse import (  # noqa: E402,F401
    aten_embedding as embedding, embedding_renorm_)

from engine import _numpy_names  # noqa: E402  (last: every torch-level name is bound)
_numpy_names.apply(globals(), Tensor)
