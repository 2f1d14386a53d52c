"""Generator ops for the margin, embedding and likelihood losses, the distances and
bilinear (nnloss): random reductions, functional or module form, float inputs the program
already has when their shape fits."""
from __future__ import annotations

from tests.differential.ops_nn import _input, _module

_REDUCTIONS = ["'mean'", "'mean'", "'sum'", "'none'"]


def _signs(gen, shape) -> str:
    return f"{gen.const(shape)}.sign()"


def op_pointwise_loss(gen):
    """A loss of one input against a target of its shape."""
    x = gen.pick_float(lambda t: t.dim() >= 1 and t.numel() > 0)
    if x is None:
        return None
    shape, reduction, out = gen.shape(x), gen.choice(_REDUCTIONS), gen.name("v")
    kind = gen.choice(["hinge", "soft_margin", "poisson", "poisson_full", "gaussian",
                       "multilabel_soft_margin", "margin_ranking"])
    if kind == "hinge":
        call = f"F.hinge_embedding_loss({x}, {_signs(gen, shape)}, margin=0.5"
    elif kind == "soft_margin":
        call = f"F.soft_margin_loss({x}, {_signs(gen, shape)}"
    elif kind == "poisson":
        call = f"F.poisson_nll_loss({x}, {gen.const(shape, low=0.0, high=4.0)}"
    elif kind == "poisson_full":
        call = (f"F.poisson_nll_loss({x}.abs(), {gen.const(shape, low=0.0, high=4.0)}, "
                "log_input=False, full=True")
    elif kind == "gaussian":
        var = gen.const(shape, low=0.1, high=2.0)
        call = f"F.gaussian_nll_loss({x}, {gen.const(shape)}, {var}, full={gen.chance(0.5)}"
    elif kind == "multilabel_soft_margin":
        call = f"F.multilabel_soft_margin_loss({x}, {gen.const(shape, low=0.0, high=1.0)}"
    else:
        other = _input(gen, lambda t: tuple(t.shape) == shape, lambda: shape)
        call = f"F.margin_ranking_loss({x}, {other}, {_signs(gen, shape)}, margin=0.3"
    return f"{out} = {call}, reduction={reduction})"


def op_distance(gen):
    shape = (gen.int(1, 3), gen.int(1, 4))
    x = _input(gen, lambda t: t.dim() == 2 and t.shape[1] >= 1, lambda: shape)
    shape = gen.shape(x)
    other = _input(gen, lambda t: tuple(t.shape) == shape, lambda: shape)
    out = gen.name("v")
    kind = gen.choice(["cosine", "cosine_module", "pairwise", "pairwise_module", "pdist"])
    if kind == "cosine":
        return f"{out} = F.cosine_similarity({x}, {other}, dim={gen.choice([0, 1, -1])})"
    if kind == "cosine_module":
        return f"{out} = nn.CosineSimilarity(dim=1, eps=1e-6)({x}, {other})"
    if kind == "pairwise":
        p = gen.choice(["2.0", "1.0", "3.0"])
        return f"{out} = F.pairwise_distance({x}, {other}, p={p}, keepdim={gen.chance(0.3)})"
    if kind == "pairwise_module":
        return f"{out} = nn.PairwiseDistance()({x}, {other})"
    return f"{out} = F.pdist({x}, p={gen.choice(['2', '1', '1.5'])})"


def op_triplet(gen):
    shape = (gen.int(1, 3), gen.int(1, 4))
    anchor = _input(gen, lambda t: t.dim() == 2, lambda: shape)
    shape = gen.shape(anchor)
    positive = _input(gen, lambda t: tuple(t.shape) == shape, lambda: shape)
    negative = gen.leaf(shape)
    reduction, out = gen.choice(_REDUCTIONS), gen.name("v")
    swap = gen.chance(0.3)
    if gen.chance(0.3):
        return (f"{out} = F.triplet_margin_with_distance_loss({anchor}, {positive}, "
                f"{negative}, margin=0.5, swap={swap}, reduction={reduction})")
    if gen.chance(0.3):
        return (f"{out} = nn.TripletMarginLoss(margin=0.8, swap={swap}, "
                f"reduction={reduction})({anchor}, {positive}, {negative})")
    return (f"{out} = F.triplet_margin_loss({anchor}, {positive}, {negative}, margin=1.5, "
            f"p={gen.choice([1, 2])}, swap={swap}, reduction={reduction})")


def op_class_margin(gen):
    classes = gen.int(2, 4)
    x = _input(gen, lambda t: t.dim() == 2 and t.shape[1] == classes,
               lambda: (gen.int(1, 3), classes))
    batch, reduction, out = gen.shape(x)[0], gen.choice(_REDUCTIONS), gen.name("v")
    kind = gen.choice(["multi_margin", "multilabel_margin", "cosine_embedding"])
    if kind == "multi_margin":
        target = gen.const((batch,), "int64", low=0, high=classes)
        return (f"{out} = F.multi_margin_loss({x}, {target}, p={gen.choice([1, 2])}, "
                f"margin=0.7, reduction={reduction})")
    if kind == "multilabel_margin":
        target = gen.const((batch, classes), "int64", low=-1, high=classes)
        if batch == 0:      # torch 2.13 reduces an empty batch to uninitialised memory
            reduction = "'none'"
        return f"{out} = F.multilabel_margin_loss({x}, {target}, reduction={reduction})"
    other = _input(gen, lambda t: tuple(t.shape) == (batch, classes), lambda: (batch, classes))
    return (f"{out} = F.cosine_embedding_loss({x}, {other}, {_signs(gen, (batch,))}, "
            f"margin=0.2, reduction={reduction})")


def op_bilinear(gen):
    in1, in2, out_features = gen.int(1, 3), gen.int(1, 3), gen.int(1, 3)
    x1 = _input(gen, lambda t: t.dim() == 2 and t.shape[1] == in1, lambda: (gen.int(1, 3), in1))
    batch = gen.shape(x1)[0]
    x2 = _input(gen, lambda t: tuple(t.shape) == (batch, in2), lambda: (batch, in2))
    m = gen.name("m")
    _module(gen, m, f"nn.Bilinear({in1}, {in2}, {out_features})",
            {".weight": (out_features, in1, in2), ".bias": (out_features,)})
    return f"{gen.name('v')} = {m}({x1}, {x2})"


LOSS_OPS = {
    "pointwise_loss": (2, op_pointwise_loss), "distance": (2, op_distance),
    "triplet": (1, op_triplet), "class_margin": (1, op_class_margin),
    "bilinear": (1, op_bilinear),
}
