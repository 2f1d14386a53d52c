"""engine.nn.functional: PyTorch's torch.nn.functional for the supported subset."""
from __future__ import annotations

import warnings

import numpy as np

from engine import random as _random
from engine.nn._ops.activation import gelu, leaky_relu, leaky_relu_, log_sigmoid as logsigmoid
from engine.nn._ops.attention import scaled_dot_product_attention
from engine.nn._ops.conv import conv1d, conv2d
from engine.nn._ops.interpolate import interpolate, upsample_bilinear, upsample_nearest
from engine.nn._ops.interpolate import upsample_deprecated as upsample
from engine.nn._ops.linear import linear
from engine.nn._ops.more_activations import (elu, elu_, hardtanh, hardtanh_, mish, relu6, silu,
                                             softplus)
from engine.nn._ops.more_losses import huber_loss, kl_div
from engine.nn._ops.shrink_and_gate import (celu, glu, hardshrink, hardsigmoid, hardswish,
                                            prelu, selu, softmin, softshrink, softsign,
                                            tanhshrink, threshold, threshold_)
from engine.nn._ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits,
                                 cross_entropy, l1_loss, mse_loss, nll_loss)
from engine.nn._ops.group_norm import group_norm
from engine.nn._ops.layer_norm import layer_norm
from engine.nn._ops.normalization import batch_norm as _batch_norm
from engine.nn._ops.smooth_l1 import smooth_l1_loss
from engine.nn._ops.padding import pad
from engine.nn._ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from engine.nn._ops.sparse import embedding
from engine.ops import elementwise as _E
from engine.ops import inplace as _I
from engine.ops import reductions as _R
from engine.ops import shape as _S
from engine.tensor import Tensor

__all__ = ["relu", "relu_", "leaky_relu", "gelu", "logsigmoid", "sigmoid", "tanh", "softmax",
           "log_softmax", "linear", "conv1d", "conv2d", "max_pool2d", "max_pool2d_with_indices",
           "avg_pool2d", "adaptive_avg_pool2d", "dropout", "dropout2d", "batch_norm", "layer_norm", "group_norm",
           "embedding", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "one_hot", "pad",
           "scaled_dot_product_attention", "silu", "mish", "elu", "softplus", "hardtanh",
           "relu6", "huber_loss", "kl_div", "normalize", "leaky_relu_", "elu_",
           "hardtanh_", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "celu", "glu", "hardshrink", "hardsigmoid", "hardswish", "prelu", "selu", "softmin",
           "softshrink", "softsign", "tanhshrink", "threshold", "threshold_"]


def relu(input, inplace: bool = False):
    return _I.relu_(input) if inplace else _E.relu(input)


def relu_(input):
    return _I.relu_(input)


def sigmoid(input):
    return _E.sigmoid(input)


def tanh(input):
    return _E.tanh(input)


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    return _R.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    return _R.log_softmax(input, dim, dtype)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode,
                      return_indices=True)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """torch's CPU dropout: a Bernoulli(1 - p) noise shaped like input, divided by 1 - p in
    input's dtype, times input (MulBackward0; in place with inplace=True)."""
    _check_dropout_p(p)
    if not training or p == 0.0 or input._data.size == 0:
        return input
    noise = _dropout_noise(input._data, np.empty_like(input._data), p)
    return _I.mul_(input, noise) if inplace else _E.mul(input, noise)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Channel-wise dropout: one Bernoulli draw per (N, C) of an (N, C, ...) input; a 3-D
    input is taken as (N, C, L), with torch's warnings."""
    _check_dropout_p(p)
    ndim = input._data.ndim
    if ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that dropout2d "
                      "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
                      "a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", stacklevel=2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def _feature_dropout(input, p, training, inplace):
    if not training or p == 0.0 or input._data.size == 0:
        return input
    data = input._data
    noise_shape = data.shape[:2] + (1,) * (data.ndim - 2)
    noise = _dropout_noise(data, np.empty(noise_shape, data.dtype), p)
    return _I.mul_(input, noise) if inplace else _E.mul(input, noise)


def _check_dropout_p(p) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_noise(data: np.ndarray, like: np.ndarray, p: float) -> Tensor:
    if p == 1.0:
        return Tensor._make(np.zeros((), data.dtype))
    keep = _random.bernoulli(_random.default_generator, like, 1.0 - p).astype(data.dtype)
    return Tensor._make(keep / data.dtype.type(1.0 - p))


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """input / max(norm over dim, eps), as torch composes it (DivBackward0 <-
    ExpandBackward0 <- ClampMinBackward0 <- LinalgVectorNormBackward0)."""
    from engine.ops.clamp_bounds import clamp_min, clamp_min_
    norm = _R.norm(input, p, dim, keepdim=True)
    if out is None:
        return _E.div(input, _S.expand_as(clamp_min(norm, eps), input))
    import engine
    return engine.div(input, _S.expand_as(clamp_min_(norm, eps), input), out=out)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def one_hot(tensor, num_classes: int = -1):
    data = tensor._data
    if data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(data.max()) + 1 if data.size else 0
    if data.size and (data.min() < 0 or data.max() >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes."
                           if data.max() >= num_classes else
                           "Class values must be non-negative.")
    out = np.zeros(data.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, data[..., None], 1, axis=-1)
    return Tensor._make(out)


from engine.nn._ops.multihead_attention import multi_head_attention_forward  # noqa: E402
from engine.nn._ops.pixel_shuffle import pixel_shuffle, pixel_unshuffle  # noqa: E402
from engine.nn._ops.fold import fold, unfold  # noqa: E402
from engine.nn._ops.instance_norm import instance_norm  # noqa: E402
__all__ += ["multi_head_attention_forward", "pixel_shuffle", "pixel_unshuffle", "fold",
            "unfold", "instance_norm"]

# convolution and pooling surface (issue #11)
from engine.nn._ops.adaptive_max_pool import (adaptive_max_pool2d,  # noqa: E402
                                              adaptive_max_pool2d_with_indices)
from engine.nn._ops.pooling1d import (adaptive_avg_pool1d, adaptive_max_pool1d,  # noqa: E402
                                      adaptive_max_pool1d_with_indices, avg_pool1d,
                                      max_pool1d, max_pool1d_with_indices)
from engine.nn._ops.conv import conv3d  # noqa: E402
from engine.nn._ops.conv_transpose import (conv_transpose1d, conv_transpose2d,  # noqa: E402
                                           conv_transpose3d)
from engine.nn._ops.pooling3d import (adaptive_avg_pool3d, avg_pool3d,  # noqa: E402
                                      max_pool3d, max_pool3d_with_indices)
from engine.nn._ops.max_unpool import max_unpool1d, max_unpool2d  # noqa: E402
__all__ += ["max_unpool1d", "max_unpool2d"]
__all__ += ["max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d"]
__all__ += ["conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
            "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices", "adaptive_avg_pool1d",
            "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices", "avg_pool1d",
            "max_pool1d", "max_pool1d_with_indices"]

# rms_norm: ATen's composite (engine/nn/_ops/rms_norm.py)
from engine.nn._ops.rms_norm import rms_norm  # noqa: E402
__all__ += ["rms_norm"]

from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.nn.functional")

# losses, distances and small layers (nnloss)
from engine.nn._ops.bilinear import bilinear  # noqa: E402
from engine.nn._ops.distance import cosine_similarity, pairwise_distance, pdist  # noqa: E402
from engine.nn._ops.embedding_losses import (cosine_embedding_loss,  # noqa: E402
                                             gaussian_nll_loss, hinge_embedding_loss,
                                             margin_ranking_loss, multilabel_soft_margin_loss,
                                             poisson_nll_loss, triplet_margin_loss,
                                             triplet_margin_with_distance_loss)
from engine.nn._ops.gumbel import gumbel_softmax  # noqa: E402
from engine.nn._ops.margin_losses import (multi_margin_loss,  # noqa: E402
                                          multilabel_margin_loss, soft_margin_loss)
__all__ += ["bilinear", "cosine_similarity", "pairwise_distance", "pdist",
            "cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss",
            "margin_ranking_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
            "triplet_margin_loss", "triplet_margin_with_distance_loss", "gumbel_softmax",
            "multi_margin_loss", "multilabel_margin_loss", "soft_margin_loss"]
# nnlayers: the other dropouts, rrelu, celu_ and selu_ (engine/nn/_ops/random_layers.py)
from engine.nn._ops.random_layers import (alpha_dropout, dropout1d, dropout3d,  # noqa: E402
                                          feature_alpha_dropout, rrelu, rrelu_)


def celu_(input, alpha: float = 1.0):
    return celu(input, alpha, inplace=True)


def selu_(input):
    return selu(input, inplace=True)


__all__ += ["alpha_dropout", "dropout1d", "dropout3d", "feature_alpha_dropout", "rrelu",
            "rrelu_", "celu_", "selu_"]

# nnlayers: channel_shuffle and local_response_norm (engine/nn/_ops/channel_ops.py)
# nnlayers: the missing nn layers' functions (engine/nn/_ops/random_layers.py, channel_ops.py,
# pooling3d_extra.py, grid_sample.py)
from engine.nn._ops.random_layers import (alpha_dropout, celu_, dropout1d,  # noqa: E402
                                          dropout3d, feature_alpha_dropout, rrelu, rrelu_,
                                          selu_)
from engine.nn._ops.channel_ops import channel_shuffle, local_response_norm  # noqa: E402
from engine.nn._ops.pooling3d_extra import (adaptive_max_pool3d,  # noqa: E402
                                            adaptive_max_pool3d_with_indices, lp_pool1d,
                                            lp_pool2d, lp_pool3d, max_unpool3d)
from engine.nn._ops.grid_sample import (GRID_SAMPLE_INTERPOLATION_MODES,  # noqa: E402
                                        GRID_SAMPLE_PADDING_MODES, affine_grid, grid_sample)
__all__ += ["alpha_dropout", "dropout1d", "dropout3d", "feature_alpha_dropout", "rrelu",
            "rrelu_", "celu_", "selu_", "channel_shuffle", "local_response_norm", "lp_pool1d",
            "lp_pool2d", "lp_pool3d", "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices",
            "max_unpool3d", "grid_sample", "affine_grid"]

# breadth: embedding_bag (engine/nn/_ops/embedding_bag.py)
from engine.nn._ops.embedding_bag import embedding_bag  # noqa: E402
__all__ += ["embedding_bag"]
