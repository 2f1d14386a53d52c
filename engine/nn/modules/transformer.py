"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder: PyTorch's slow path
(the one autograd records), with its parameters drawn in torch's order."""
from __future__ import annotations

import copy
import warnings

from engine.nn import functional as F
from engine.nn import init
from engine.nn._ops import multihead_attention as M
from engine.nn.modules.container import ModuleList
from engine.nn.modules.dropout import Dropout
from engine.nn.modules.linear import Linear
from engine.nn.modules.module import Module
from engine.nn.modules.normalization import LayerNorm
from engine.nn.parameter import Parameter


class NonDynamicallyQuantizableLinear(Linear):
    pass


class MultiheadAttention(Module):
    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self._make_projections(embed_dim, bias, dtype)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(init._empty(1, 1, embed_dim, dtype=dtype))
            self.bias_v = Parameter(init._empty(1, 1, embed_dim, dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _make_projections(self, embed_dim, bias, dtype) -> None:
        names = ("q_proj_weight", "k_proj_weight", "v_proj_weight")
        if not self._qkv_same_embed_dim:
            for name, width in zip(names, (embed_dim, self.kdim, self.vdim)):
                setattr(self, name, Parameter(init._empty(embed_dim, width, dtype=dtype)))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(init._empty(3 * embed_dim, embed_dim, dtype=dtype))
            for name in names:
                self.register_parameter(name, None)
        if bias:
            self.in_proj_bias = Parameter(init._empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        for bias in (self.bias_k, self.bias_v):
            if bias is not None:
                init.xavier_normal_(bias)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        is_batched = query.dim() == 3
        key_padding_mask = M.canonical_mask(key_padding_mask, "key_padding_mask",
                                            M.none_or_dtype(attn_mask), "attn_mask",
                                            query.dtype)
        attn_mask = M.canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                     check_other=False)
        if self.batch_first and is_batched:
            query, key, value = _batch_second(query, key, value)
        separate = {} if self._qkv_same_embed_dim else {
            "use_separate_proj_weight": True, "q_proj_weight": self.q_proj_weight,
            "k_proj_weight": self.k_proj_weight, "v_proj_weight": self.v_proj_weight}
        out, weights = M.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            average_attn_weights=average_attn_weights, is_causal=is_causal, **separate)
        if self.batch_first and is_batched:
            return out.transpose(1, 0), weights
        return out, weights


def _batch_second(query, key, value):
    """(N, L, E) to (L, N, E), keeping which of query, key and value are the same tensor."""
    if key is value:
        if query is key:
            query = key = value = query.transpose(1, 0)
            return query, key, value
        query, key = (x.transpose(1, 0) for x in (query, key))
        return query, key, key
    return tuple(x.transpose(1, 0) for x in (query, key, value))


_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(Module):
    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise RuntimeError(f"activation should be relu/gelu, not {activation}")
            activation = _ACTIVATIONS[activation]
        self.activation = activation
        from engine.nn.modules.activation import GELU, ReLU
        self.activation_relu_or_gelu = 1 if activation is F.relu or isinstance(activation, ReLU) \
            else 2 if activation is F.gelu or isinstance(activation, GELU) else 0

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        src_key_padding_mask = M.canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                                M.none_or_dtype(src_mask), "src_mask",
                                                src.dtype)
        src_mask = M.canonical_mask(src_mask, "src_mask", None, "", src.dtype,
                                    check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerEncoder(Module):
    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check
        self.use_nested_tensor = enable_nested_tensor
        why_not = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False "
                          f"because {why_not}", stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        src_key_padding_mask = M.canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                                M.none_or_dtype(mask), "mask", src.dtype)
        mask = M.canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
        batch_first = self.layers[0].self_attn.batch_first
        seq_len = src.size(0) if src.dim() == 2 else src.size(1 if batch_first else 0)
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        nested = self._runs_nested(src, mask, src_key_padding_mask)
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=is_causal,
                           src_key_padding_mask=src_key_padding_mask)
        if nested:
            output = output.masked_fill(src_key_padding_mask.bool().unsqueeze(-1), 0.0)
        return output if self.norm is None else self.norm(output)

    def _runs_nested(self, src, mask, padding) -> bool:
        """Whether torch's sparsity fast path packs src into a nested tensor (inference,
        batched, a left-aligned padding mask and no other mask): the layers then never see
        the padded places, which come back as zeros before the final norm."""
        import engine
        first = self.layers[0]
        if not self.use_nested_tensor or first.training or src.dim() != 3 or padding is None:
            return False
        if getattr(self, "mask_check", True) and not _left_aligned(padding):
            return False
        if mask is not None:
            return False
        attention = first.self_attn
        weights = (src, attention.in_proj_weight, attention.in_proj_bias,
                   attention.out_proj.weight, attention.out_proj.bias, first.norm1.weight,
                   first.norm1.bias, first.norm2.weight, first.norm2.bias,
                   first.linear1.weight, first.linear1.bias, first.linear2.weight,
                   first.linear2.bias)
        if engine.is_grad_enabled() and any(t is not None and t.requires_grad for t in weights):
            return False
        from engine._cpp_warning import cpp_warning, warn_once
        warn_once(cpp_warning(_NESTED_PROTOTYPE, "aten/src/ATen/NestedTensorImpl.cpp:177"),
                  stacklevel=2)
        return True


_NESTED_PROTOTYPE = (
    "The PyTorch API of nested tensors is in prototype stage and will change in the near "
    "future. We recommend specifying layout=torch.jagged when constructing a nested tensor, "
    "as this layout receives active development, has better operator coverage, and works "
    "with torch.compile.")


def _left_aligned(padding) -> bool:
    """Every row's kept places (mask False / 0) come before its padded ones."""
    import numpy as np
    keep = padding._data == 0 if padding._data.dtype != np.bool_ else ~padding._data
    rows = keep.reshape(-1, keep.shape[-1])
    return bool(np.all(rows[:, 1:] <= rows[:, :-1]))


def _why_not_nested(layer) -> str:
    """Why torch's TransformerEncoder will not use nested tensors for this layer ("" if it
    would)."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    attention = layer.self_attn
    reasons = ((layer.norm_first, f"{name}.norm_first was True"),
               (not attention.batch_first, f"{name}.self_attn.batch_first was not True(use "
                                           f"batch_first for better inference performance)"),
               (not attention._qkv_same_embed_dim,
                f"{name}.self_attn._qkv_same_embed_dim was not True"),
               (attention.in_proj_bias is None, f"{name}.self_attn was passed bias=False"),
               (not layer.activation_relu_or_gelu,
                f"{name}.activation_relu_or_gelu was not True"),
               (layer.norm1.eps != layer.norm2.eps,
                f"{name}.norm1.eps was not equal to {name}.norm2.eps"),
               (attention.num_heads % 2 == 1, f"{name}.self_attn.num_heads is odd"))
    return next((text for failed, text in reasons if failed), "")


def _detect_is_causal_mask(mask, is_causal, size) -> bool:
    """is_causal as given; when None, whether mask is the square causal mask."""
    if is_causal is not None or mask is None:
        return is_causal is True
    import engine
    causal = engine.triu(engine.full((size, size), float("-inf"), dtype=mask.dtype),
                         diagonal=1)
    return tuple(mask.shape) == (size, size) and bool((mask == causal).all())
