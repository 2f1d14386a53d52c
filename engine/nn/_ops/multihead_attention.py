"""F.multi_head_attention_forward, composed of the ops PyTorch's Python composes it of, so its
graph is torch's node for node: the packed in-projection (AddmmBackward0 of linear,
ViewBackward0 of unflatten, Unsqueeze/Transpose/Squeeze, CloneBackward0 of contiguous,
SelectBackward0), the heads as views, then either the explicit weights (MulBackward0,
BaddbmmBackward0 or BmmBackward0, SoftmaxBackward0, BmmBackward0, MeanBackward1) or, with
need_weights=False, scaled_dot_product_attention."""
from __future__ import annotations

import math
import warnings


def _engine():
    import engine
    return engine


def _fail(text: str):
    raise AssertionError(text)


def canonical_mask(mask, mask_name: str, other_type, other_name: str, target_type,
                   check_other: bool = True):
    """A boolean mask as a float one (0 where False, -inf where True); a float mask as is."""
    if mask is None:
        return None
    engine = _engine()
    is_float = mask.is_floating_point()
    if mask.dtype != engine.bool and not is_float:
        _fail(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if is_float:
        return mask
    return engine.zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))


def none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, _engine().Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Whether the call is batched (3-D query), with torch's AssertionErrors otherwise."""
    if query.dim() == 3:
        _check_ranks("batched (3-D)", 3, key, value, key_padding_mask, 2, attn_mask)
        return True
    if query.dim() == 2:
        _check_ranks("unbatched (2-D)", 2, key, value, key_padding_mask, 1, attn_mask)
        if attn_mask is not None and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                _fail(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    _fail(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
          f"query tensor")


def _check_ranks(kind, rank, key, value, key_padding_mask, mask_rank, attn_mask) -> None:
    if key.dim() != rank or value.dim() != rank:
        _fail(f"For {kind} `query`, expected `key` and `value` to be {rank}-D but found "
              f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != mask_rank:
        _fail(f"For {kind} `query`, expected `key_padding_mask` to be `None` or {mask_rank}-D "
              f"but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None and attn_mask.dim() not in (2, 3):
        _fail(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
              f"{attn_mask.dim()}-D tensor instead")


def _packed_projection(q, k, v, w, b):
    """torch's _in_projection_packed: one linear for self-attention, two for k is v."""
    from engine.nn._ops.linear import linear
    E = q.size(-1)
    if k is v and q is k:
        proj = linear(q, w, b).unflatten(-1, (3, E)).unsqueeze(0).transpose(0, -2)
        proj = proj.squeeze(-2).contiguous()
        return proj[0], proj[1], proj[2]
    if k is v:
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        q_proj = linear(q, w_q, b_q)    # first: the order of the nodes is the backward's
        kv = linear(k, w_kv, b_kv).unflatten(-1, (2, E)).unsqueeze(0).transpose(0, -2)
        kv = kv.squeeze(-2).contiguous()
        return q_proj, kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _separate_projection(q, k, v, w_q, w_k, w_v, b_q, b_k, b_v):
    from engine.nn._ops.linear import linear
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    for what, weight, shape in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)),
                                ("value", w_v, (Eq, Ev))):
        if tuple(weight.shape) != shape:
            _fail(f"expecting {what} weights shape of {shape}, but got {weight.shape}")
    for what, bias in (("query", b_q), ("key", b_k), ("value", b_v)):
        if bias is not None and tuple(bias.shape) != (Eq,):
            _fail(f"expecting {what} bias shape of {(Eq,)}, but got {bias.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _checked_attn_mask(attn_mask, tgt_len, src_len, bsz, num_heads):
    if attn_mask is None:
        return None
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                               f"be {(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if attn_mask.dim() == 3:
        if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                               f"be {(bsz * num_heads, tgt_len, src_len)}.")
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def _heads(x, static, bsz, num_heads, head_dim, name):
    if static is None:
        return x.view(x.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static.size(0) != bsz * num_heads:
        _fail(f"expecting {name}.size(0) of {bsz * num_heads}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        _fail(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static


def _pad_last(mask):
    from engine.nn._ops.padding import pad
    return None if mask is None else pad(mask, (0, 1))


def multi_head_attention_forward(
        query, key, value, embed_dim_to_check: int, num_heads: int, in_proj_weight,
        in_proj_bias, bias_k, bias_v, add_zero_attn: bool, dropout_p: float, out_proj_weight,
        out_proj_bias, training: bool = True, key_padding_mask=None, need_weights: bool = True,
        attn_mask=None, use_separate_proj_weight: bool = False, q_proj_weight=None,
        k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
        average_attn_weights: bool = True, is_causal: bool = False):
    engine = _engine()
    is_batched = mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask",
                                      none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                   check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        _fail(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        _fail(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            _fail(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                  f"{value.shape[:2]}")
    elif key.shape != value.shape:
        _fail(f"key shape {key.shape} does not match value shape {value.shape}")
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            _fail("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _packed_projection(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, weight in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if weight is None:
                _fail(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        biases = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _separate_projection(query, key, value, q_proj_weight, k_proj_weight,
                                       v_proj_weight, *biases)
    attn_mask = _checked_attn_mask(attn_mask, tgt_len, src_len, bsz, num_heads)
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            _fail("bias cannot be added to static key.")
        if static_v is not None:
            _fail("bias cannot be added to static value.")
        k = engine.cat([k, bias_k.repeat(1, bsz, 1)])
        v = engine.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    elif bias_k is not None:
        _fail("bias_k is set but bias_v is None")
    elif bias_v is not None:
        _fail("bias_v is set but bias_k is None")
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, bsz, num_heads, head_dim, "static_k")
    v = _heads(v, static_v, bsz, num_heads, head_dim, "static_v")
    if add_zero_attn:
        zeros_shape = (bsz * num_heads, 1, head_dim)
        k = engine.cat([k, engine.zeros(zeros_shape, dtype=k.dtype)], dim=1)
        v = engine.cat([v, engine.zeros(zeros_shape, dtype=v.dtype)], dim=1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            _fail(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                  f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            _fail(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                  f"{key_padding_mask.shape[1]}")
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(
            -1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    shape = (tgt_len, bsz, embed_dim, src_len, num_heads, is_batched)
    if need_weights:
        return _with_weights(q, k, v, attn_mask, dropout_p, is_causal, out_proj_weight,
                             out_proj_bias, average_attn_weights, shape)
    return _without_weights(q, k, v, attn_mask, dropout_p, is_causal, out_proj_weight,
                            out_proj_bias, shape)


def _with_weights(q, k, v, attn_mask, dropout_p, is_causal, out_proj_weight, out_proj_bias,
                  average, shape):
    from engine.nn import functional as F
    engine = _engine()
    tgt_len, bsz, embed_dim, src_len, num_heads, is_batched = shape
    q_scaled = q * math.sqrt(1.0 / float(q.shape[2]))
    if is_causal and attn_mask is None:
        _fail("FIXME: is_causal not implemented for need_weights")
    if attn_mask is not None:
        weights = engine.baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
    else:
        weights = engine.bmm(q_scaled, k.transpose(-2, -1))
    weights = F.softmax(weights, dim=-1)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    out = engine.bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = F.linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.size(1))
    weights = weights.view(bsz, num_heads, tgt_len, src_len)
    if average:
        weights = weights.mean(dim=1)
    if not is_batched:
        out, weights = out.squeeze(1), weights.squeeze(0)
    return out, weights


def _without_weights(q, k, v, attn_mask, dropout_p, is_causal, out_proj_weight,
                     out_proj_bias, shape):
    from engine.nn import functional as F
    tgt_len, bsz, embed_dim, src_len, num_heads, is_batched = shape
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, q.shape[2])
    k = k.view(bsz, num_heads, src_len, k.shape[2])
    v = v.view(bsz, num_heads, src_len, v.shape[2])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = F.linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.size(1))
    if not is_batched:
        out = out.squeeze(1)
    return out, None

