"""The margin, embedding and likelihood losses and the distances against torch 2.13 live:
values (float32 and float64, each reduction), the graph node for node, the inputs'
gradients, the deprecated size_average / reduce arguments and their warnings, the argument
errors word for word, and the modules."""
import pytest

from surface_live import check


def leaf(t, *shape, dtype="float32", seed=0):
    t.manual_seed(seed)
    return t.randn(*shape, dtype=getattr(t, dtype)).requires_grad_()


def signs(t, *shape, seed=1):
    t.manual_seed(seed)
    return t.randn(*shape).sign()


def graph(y):
    names, stack = [], [y.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None:
            names.append(node.name())
            stack.extend(f for f, _ in reversed(node.next_functions))
    return names


def traced(fn, *shapes, dtype="float32"):
    """fn(t, *leaves): its value, graph and each leaf's gradient of (y * y).sum()."""
    def run(t):
        leaves = [leaf(t, *shape, dtype=dtype, seed=k) for k, shape in enumerate(shapes)]
        y = fn(t, *leaves)
        (y * y).sum().backward()
        return y, graph(y), [x.grad for x in leaves]
    return run


def F(t):
    return t.nn.functional


REDUCTIONS = ("none", "mean", "sum")

CALLS = {}
for dtype in ("float32", "float64"):
    for red in REDUCTIONS:
        CALLS[f"margin_ranking {dtype} {red}"] = traced(
            lambda t, a, b, r=red: F(t).margin_ranking_loss(a, b, signs(t, 6).to(a.dtype), 0.2,
                                                            reduction=r), (6,), (6,),
            dtype=dtype)
        CALLS[f"hinge_embedding {dtype} {red}"] = traced(
            lambda t, x, r=red: F(t).hinge_embedding_loss(x, signs(t, 4, 5).to(x.dtype), 0.7,
                                                          reduction=r), (4, 5), dtype=dtype)
        CALLS[f"cosine_embedding {dtype} {red}"] = traced(
            lambda t, a, b, r=red: F(t).cosine_embedding_loss(a, b, signs(t, 4), 0.1,
                                                              reduction=r), (4, 5), (4, 5),
            dtype=dtype)
        CALLS[f"triplet {dtype} {red}"] = traced(
            lambda t, a, p, n, r=red: F(t).triplet_margin_loss(a, p, n, reduction=r),
            (4, 5), (4, 5), (4, 5), dtype=dtype)
        CALLS[f"triplet swap p1 {dtype} {red}"] = traced(
            lambda t, a, p, n, r=red: F(t).triplet_margin_loss(a, p, n, 2.0, 1, 1e-3, True,
                                                               reduction=r),
            (4, 5), (4, 5), (4, 5), dtype=dtype)
        CALLS[f"triplet with distance {dtype} {red}"] = traced(
            lambda t, a, p, n, r=red: F(t).triplet_margin_with_distance_loss(
                a, p, n, distance_function=lambda x, y: 1 - F(t).cosine_similarity(x, y),
                margin=0.5, swap=True, reduction=r), (4, 5), (4, 5), (4, 5), dtype=dtype)
        CALLS[f"poisson {dtype} {red}"] = traced(
            lambda t, x, r=red: F(t).poisson_nll_loss(x, (x.detach() * 3).abs(), reduction=r),
            (4, 5), dtype=dtype)
        CALLS[f"poisson full {dtype} {red}"] = traced(
            lambda t, x, r=red: F(t).poisson_nll_loss(x.abs(), (x.detach() * 3).abs(), False,
                                                      True, reduction=r), (4, 5), dtype=dtype)
        CALLS[f"gaussian {dtype} {red}"] = traced(
            lambda t, x, y, v, r=red: F(t).gaussian_nll_loss(x, y, v.abs(), reduction=r),
            (4, 5), (4, 5), (4, 5), dtype=dtype)
        CALLS[f"gaussian full homoscedastic {dtype} {red}"] = traced(
            lambda t, x, y, v, r=red: F(t).gaussian_nll_loss(x, y, v.abs(), full=True,
                                                             reduction=r),
            (4, 5), (4, 5), (4,), dtype=dtype)
        CALLS[f"soft_margin {dtype} {red}"] = traced(
            lambda t, x, r=red: F(t).soft_margin_loss(x, signs(t, 4, 5).to(x.dtype),
                                                      reduction=r), (4, 5), dtype=dtype)
        CALLS[f"multilabel_soft_margin {dtype} {red}"] = traced(
            lambda t, x, r=red: F(t).multilabel_soft_margin_loss(
                x, (signs(t, 4, 5) > 0).to(x.dtype), reduction=r), (4, 5), dtype=dtype)
        CALLS[f"multi_margin {dtype} {red}"] = traced(
            lambda t, x, r=red: F(t).multi_margin_loss(x, t.tensor([0, 4, 2, 2]),
                                                       reduction=r), (4, 5), dtype=dtype)
        CALLS[f"multilabel_margin {dtype} {red}"] = traced(
            lambda t, x, r=red: F(t).multilabel_margin_loss(
                x, t.tensor([[0, 1, -1, 0, 0], [4, -1, 2, 2, 2], [-1, 0, 0, 0, 0],
                             [3, 3, 1, 0, -1]]), reduction=r), (4, 5), dtype=dtype)
    CALLS[f"cosine_similarity {dtype}"] = traced(
        lambda t, a, b: F(t).cosine_similarity(a, b), (4, 5), (4, 5), dtype=dtype)
    CALLS[f"pairwise_distance {dtype}"] = traced(
        lambda t, a, b: F(t).pairwise_distance(a, b), (4, 5), (4, 5), dtype=dtype)
    CALLS[f"pdist {dtype}"] = traced(lambda t, x: F(t).pdist(x), (5, 3), dtype=dtype)

CALLS.update({
    "cosine_similarity broadcast dim -1": traced(
        lambda t, a, b: t.cosine_similarity(a, b, dim=-1, eps=1e-6), (3, 4, 5), (5,)),
    "cosine_similarity zero row": lambda t: F(t).cosine_similarity(t.zeros(2, 3), t.ones(2, 3)),
    "cosine_similarity mixed dtypes": lambda t: F(t).cosine_similarity(
        leaf(t, 3, 4), leaf(t, 3, 4, dtype="float64")),
    "cosine_similarity int and float": lambda t: F(t).cosine_similarity(
        t.ones(3, dtype=t.long), t.ones(3), 0),
    "cosine_similarity ints": lambda t: F(t).cosine_similarity(
        t.ones(3, dtype=t.long), t.ones(3, dtype=t.long), 0),
    "cosine_similarity sizes": lambda t: F(t).cosine_similarity(t.ones(3, 4), t.ones(3, 5)),
    "pairwise_distance p3 keepdim": traced(
        lambda t, a, b: t.pairwise_distance(a, b, 3, 1e-4, True), (4, 5), (4, 5)),
    "pairwise_distance p inf": traced(
        lambda t, a, b: F(t).pairwise_distance(a, b, float("inf")), (4, 5), (4, 5)),
    "pairwise_distance 0-dim": lambda t: F(t).pairwise_distance(t.tensor(1.), t.tensor(3.)),
    "pairwise_distance broadcast": traced(
        lambda t, a, b: F(t).pairwise_distance(a, b), (4, 5), (5,)),
    "pairwise_distance saved": lambda t: (lambda n: (n._saved_p, n._saved_dim,
                                                     n._saved_keepdim))(
        F(t).pairwise_distance(leaf(t, 3, 4), leaf(t, 3, 4)).grad_fn),
    "pdist p1": traced(lambda t, x: t.pdist(x, 1), (5, 3)),
    "pdist p0.5": traced(lambda t, x: t.pdist(x, 0.5), (4, 3)),
    "pdist p inf": traced(lambda t, x: t.pdist(x, float("inf")), (4, 3)),
    "pdist 1D": lambda t: F(t).pdist(t.ones(3)),
    "pdist negative p": lambda t: F(t).pdist(t.ones(3, 2), -1),
    "pdist ints": lambda t: F(t).pdist(t.ones(3, 2, dtype=t.long)),
    "pdist double backward": lambda t: _pdist_double(t),
    "margin_ranking legacy size_average": lambda t: F(t).margin_ranking_loss(
        leaf(t, 3), leaf(t, 3), t.ones(3), size_average=False),
    "hinge legacy reduce": lambda t: F(t).hinge_embedding_loss(leaf(t, 3), t.ones(3),
                                                               reduce=False),
    "soft_margin legacy": lambda t: F(t).soft_margin_loss(leaf(t, 3), t.ones(3),
                                                          size_average=True, reduce=True),
    "multilabel_soft_margin legacy": lambda t: F(t).multilabel_soft_margin_loss(
        leaf(t, 2, 3), t.ones(2, 3), None, False),
    "multilabel_soft_margin weight": traced(
        lambda t, x: F(t).multilabel_soft_margin_loss(x, t.ones(2, 3), t.tensor([1., 2, 3])),
        (2, 3)),
    "poisson legacy": lambda t: F(t).poisson_nll_loss(leaf(t, 3), t.ones(3), reduce=False),
    "elementwise_mean": lambda t: F(t).triplet_margin_loss(leaf(t, 2, 3), leaf(t, 2, 3),
                                                           leaf(t, 2, 3),
                                                           reduction="elementwise_mean"),
    "bad reduction": lambda t: F(t).margin_ranking_loss(t.ones(3), t.ones(3), t.ones(3),
                                                        reduction="x"),
    "margin_ranking dims": lambda t: F(t).margin_ranking_loss(t.ones(3), t.ones(3, 1),
                                                              t.ones(3)),
    "triplet dims": lambda t: F(t).triplet_margin_loss(t.ones(3, 4), t.ones(4), t.ones(3, 4)),
    "triplet margin": lambda t: F(t).triplet_margin_loss(t.ones(3, 4), t.ones(3, 4),
                                                         t.ones(3, 4), margin=0),
    "triplet with distance reduction": lambda t: F(t).triplet_margin_with_distance_loss(
        t.ones(3), t.ones(3), t.ones(3), reduction="x"),
    "triplet with distance dims": lambda t: F(t).triplet_margin_with_distance_loss(
        t.ones(3), t.ones(3), t.ones(2, 3)),
    "cosine_embedding 2D target": lambda t: F(t).cosine_embedding_loss(
        t.ones(3, 4), t.ones(3, 4), t.ones(3, 1)),
    "cosine_embedding 1D target": lambda t: F(t).cosine_embedding_loss(
        t.ones(3, 4), t.ones(3), t.ones(3)),
    "cosine_embedding 0D target": lambda t: F(t).cosine_embedding_loss(
        t.ones(3, 4), t.ones(3, 4), t.tensor(1.)),
    "cosine_embedding 0D": traced(lambda t, a, b: F(t).cosine_embedding_loss(
        a, b, t.tensor(-1.), margin=-0.5), (5,), (5,)),
    "poisson bad reduction": lambda t: F(t).poisson_nll_loss(t.ones(3), t.ones(3),
                                                             reduction="x"),
    "gaussian var size": lambda t: F(t).gaussian_nll_loss(t.ones(3), t.ones(3), t.ones(2)),
    "gaussian negative float": lambda t: F(t).gaussian_nll_loss(t.ones(3), t.ones(3), -1.0),
    "gaussian negative": lambda t: F(t).gaussian_nll_loss(t.ones(3), t.ones(3),
                                                          -t.ones(3)),
    "gaussian bad reduction": lambda t: F(t).gaussian_nll_loss(t.ones(3), t.ones(3),
                                                               t.ones(3), reduction="x"),
    "gaussian float var": traced(lambda t, x, y: F(t).gaussian_nll_loss(x, y, 0.5),
                                 (3, 2), (3, 2)),
    "gaussian var needs grad": traced(
        lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v * v, eps=0.1), (3, 4), (3, 4),
        (3, 1)),
    "multilabel_soft_margin bad reduction": lambda t: F(t).multilabel_soft_margin_loss(
        t.ones(3), t.ones(3), reduction="x"),
    "soft_margin broadcast target": lambda t: F(t).soft_margin_loss(leaf(t, 3, 4), t.ones(4)),
    "soft_margin mixed dtypes": lambda t: (
        F(t).soft_margin_loss(leaf(t, 3, 4), t.ones(3, 4, dtype=t.float64)),
        F(t).soft_margin_loss(leaf(t, 3, 4, dtype="float64"), t.ones(3, 4))),
    "soft_margin target needs grad": lambda t: F(t).soft_margin_loss(leaf(t, 3), leaf(t, 3)),
    "soft_margin ints": lambda t: F(t).soft_margin_loss(t.ones(3, dtype=t.long), t.ones(3)),
    "soft_margin double backward": lambda t: _double(t, lambda x: F(t).soft_margin_loss(
        x, signs(t, 3, 4).double())),
    "soft_margin double backward none": lambda t: _double(t, lambda x: F(t).soft_margin_loss(
        x, signs(t, 3, 4).double(), reduction="none")),
    "multi_margin p2 weight margin": traced(
        lambda t, x: F(t).multi_margin_loss(x, t.tensor([1, 0, 3]), 2, 0.5,
                                            t.tensor([1., 2, 3, 4])), (3, 4)),
    "multi_margin saved": lambda t: (lambda n: (n._saved_p, n._saved_margin,
                                                n._saved_reduction, n._saved_target))(
        F(t).multi_margin_loss(leaf(t, 3, 4), t.tensor([1, 0, 3]), 2).grad_fn),
    "multi_margin 1D": traced(lambda t, x: F(t).multi_margin_loss(x, t.tensor([2]),
                                                                  reduction="none"), (4,)),
    "multi_margin 1D 0-dim target": lambda t: F(t).multi_margin_loss(
        leaf(t, 4), t.tensor(1), reduction="none"),
    "multi_margin 0-dim": lambda t: F(t).multi_margin_loss(t.tensor(0.5), t.tensor(0),
                                                           reduction="none"),
    "multi_margin target range": lambda t: F(t).multi_margin_loss(t.ones(3, 4),
                                                                  t.tensor([0, 1, 4])),
    "multi_margin target size": lambda t: F(t).multi_margin_loss(t.ones(3, 4),
                                                                 t.tensor([0, 1])),
    "multi_margin p3": lambda t: F(t).multi_margin_loss(t.ones(3, 4), t.tensor([0, 1, 2]),
                                                        p=3),
    "multi_margin weight size": lambda t: F(t).multi_margin_loss(
        t.ones(3, 4), t.tensor([0, 1, 2]), weight=t.ones(3)),
    "multi_margin weight dims": lambda t: F(t).multi_margin_loss(
        t.ones(3, 4), t.tensor([0, 1, 2]), weight=t.ones(2, 2)),
    "multi_margin 3D": lambda t: F(t).multi_margin_loss(t.ones(2, 3, 4), t.tensor([1, 1])),
    "multi_margin empty classes": lambda t: F(t).multi_margin_loss(
        t.ones(3, 0), t.zeros(3, dtype=t.long)),
    "multi_margin float target": lambda t: F(t).multi_margin_loss(
        t.ones(3, 4), t.tensor([0., 1, 2])),
    "multi_margin long input": lambda t: F(t).multi_margin_loss(
        t.ones(3, 4, dtype=t.long), t.tensor([0, 1, 2])),
    "multi_margin weight needs grad": lambda t: F(t).multi_margin_loss(
        leaf(t, 3, 4), t.tensor([0, 3, 1]), weight=leaf(t, 4)),
    "multi_margin double backward": lambda t: _double(t, lambda x: F(t).multi_margin_loss(
        x, t.tensor([0, 2, 3]))),
    "multilabel_margin 1D": traced(lambda t, x: F(t).multilabel_margin_loss(
        x, t.tensor([3, 0, -1, 1]), reduction="none"), (4,)),
    "multilabel_margin saved is_target": lambda t: F(t).multilabel_margin_loss(
        leaf(t, 2, 4), t.tensor([[0, 1, -1, 0], [3, -1, 0, 0]])).grad_fn._saved_is_target,
    "multilabel_margin target range": lambda t: F(t).multilabel_margin_loss(
        t.ones(2, 4), t.tensor([[0, -1, 7, 0], [1, -1, 0, 0]])),
    "multilabel_margin target below -1": lambda t: F(t).multilabel_margin_loss(
        t.ones(1, 4), t.tensor([[-2, 1, 1, 1]])),
    "multilabel_margin target size": lambda t: F(t).multilabel_margin_loss(
        t.ones(3, 4), t.tensor([[0, 1, -1, 0], [3, -1, 0, 0]])),
    "multilabel_margin 1D target size": lambda t: F(t).multilabel_margin_loss(
        t.ones(4), t.tensor([0, 1, -1])),
    "multilabel_margin int target": lambda t: F(t).multilabel_margin_loss(
        t.ones(1, 4), t.tensor([[1, 1, 1, 1]], dtype=t.int32)),
    "multilabel_margin double backward": lambda t: _double(
        t, lambda x: F(t).multilabel_margin_loss(x, t.tensor([[0, 1, -1, 0]] * 3))),
    "torch.margin_ranking_loss enum": lambda t: t.margin_ranking_loss(
        leaf(t, 3), leaf(t, 3), t.ones(3), 0.5, 2),
    "torch.triplet_margin_loss enum": lambda t: t.triplet_margin_loss(
        leaf(t, 2, 3), leaf(t, 2, 3), leaf(t, 2, 3), 1.0, 2, 1e-6, False, 0),
    "torch.hinge_embedding_loss": lambda t: t.hinge_embedding_loss(leaf(t, 3), -t.ones(3)),
    "torch.cosine_embedding_loss": lambda t: t.cosine_embedding_loss(
        leaf(t, 2, 3), leaf(t, 2, 3), t.ones(2)),
    "torch.poisson_nll_loss": lambda t: t.poisson_nll_loss(leaf(t, 3), t.ones(3), True,
                                                           False, 1e-8, 1),
})


def _double(t, loss_of):
    x = leaf(t, 3, 4, dtype="float64")
    grad, = t.autograd.grad(loss_of(x), x, create_graph=True)
    names = graph(grad)
    try:
        second, = t.autograd.grad((grad * grad).sum(), x)
    except RuntimeError as error:
        return names, str(error)
    return names, second


def _pdist_double(t):
    x = leaf(t, 4, 3, dtype="float64")
    grad, = t.autograd.grad(F(t).pdist(x).sum(), x, create_graph=True)
    try:
        grad.sum().backward()
    except NotImplementedError as error:
        return graph(grad), str(error)
    return graph(grad)


@pytest.mark.parametrize("name", CALLS)
def test_as_torch(name):
    check(CALLS[name])


MODULES = {
    "MarginRankingLoss": lambda t: t.nn.MarginRankingLoss(0.5, reduction="sum"),
    "MarginRankingLoss legacy": lambda t: t.nn.MarginRankingLoss(size_average=False),
    "HingeEmbeddingLoss": lambda t: t.nn.HingeEmbeddingLoss(2.0),
    "CosineEmbeddingLoss": lambda t: t.nn.CosineEmbeddingLoss(reduce=False),
    "TripletMarginLoss": lambda t: t.nn.TripletMarginLoss(0.5, 1.0, swap=True),
    "TripletMarginLoss margin": lambda t: t.nn.TripletMarginLoss(margin=-1),
    "TripletMarginWithDistanceLoss": lambda t: t.nn.TripletMarginWithDistanceLoss(
        margin=0.3),
    "TripletMarginWithDistanceLoss margin": lambda t: t.nn.TripletMarginWithDistanceLoss(
        margin=0),
    "PoissonNLLLoss": lambda t: t.nn.PoissonNLLLoss(False, True, eps=1e-4),
    "GaussianNLLLoss": lambda t: t.nn.GaussianNLLLoss(full=True, reduction="sum"),
    "SoftMarginLoss": lambda t: t.nn.SoftMarginLoss(),
    "MultiLabelSoftMarginLoss": lambda t: t.nn.MultiLabelSoftMarginLoss(t.ones(3)),
    "MultiMarginLoss": lambda t: t.nn.MultiMarginLoss(2, 0.5, t.ones(3)),
    "MultiMarginLoss p": lambda t: t.nn.MultiMarginLoss(3),
    "MultiMarginLoss weight": lambda t: t.nn.MultiMarginLoss(weight=t.ones(1, 3)),
    "MultiLabelMarginLoss": lambda t: t.nn.MultiLabelMarginLoss(reduction="none"),
    "CosineSimilarity": lambda t: t.nn.CosineSimilarity(0, 1e-3),
    "PairwiseDistance": lambda t: t.nn.PairwiseDistance(1.0, keepdim=True),
}

MODULE_INPUTS = {
    "MarginRankingLoss": lambda t: (leaf(t, 3), leaf(t, 3, seed=1), signs(t, 3)),
    "HingeEmbeddingLoss": lambda t: (leaf(t, 3), signs(t, 3)),
    "CosineEmbeddingLoss": lambda t: (leaf(t, 2, 3), leaf(t, 2, 3, seed=1), signs(t, 2)),
    "TripletMarginLoss": lambda t: (leaf(t, 2, 3), leaf(t, 2, 3, seed=1), leaf(t, 2, 3, seed=2)),
    "TripletMarginWithDistanceLoss": lambda t: (leaf(t, 2, 3), leaf(t, 2, 3, seed=1),
                                                leaf(t, 2, 3, seed=2)),
    "PoissonNLLLoss": lambda t: (leaf(t, 2, 3).abs(), t.tensor([[0., 1, 2], [3, 4, 5]])),
    "GaussianNLLLoss": lambda t: (leaf(t, 2, 3), leaf(t, 2, 3, seed=1), t.ones(2, 1)),
    "SoftMarginLoss": lambda t: (leaf(t, 2, 3), signs(t, 2, 3)),
    "MultiLabelSoftMarginLoss": lambda t: (leaf(t, 2, 3), (signs(t, 2, 3) > 0).float()),
    "MultiMarginLoss": lambda t: (leaf(t, 2, 3), t.tensor([2, 0])),
    "MultiLabelMarginLoss": lambda t: (leaf(t, 2, 3), t.tensor([[2, -1, 0], [0, 1, -1]])),
    "CosineSimilarity": lambda t: (leaf(t, 2, 3), leaf(t, 2, 3, seed=1)),
    "PairwiseDistance": lambda t: (leaf(t, 2, 3), leaf(t, 2, 3, seed=1)),
}


def _module_run(name):
    def run(t):
        module = MODULES[name](t)
        inputs = MODULE_INPUTS[name.split()[0]](t)
        y = module(*inputs)
        return repr(module), getattr(module, "reduction", None), y, graph(y)
    return run


@pytest.mark.parametrize("name", MODULES)
def test_module_as_torch(name):
    check(_module_run(name))


def test_torch_level_losses_default_to_no_reduction():
    check(lambda t: (t.hinge_embedding_loss(leaf(t, 3), -t.ones(3)),
                     t.margin_ranking_loss(leaf(t, 3), leaf(t, 3, seed=1), t.ones(3)),
                     t.triplet_margin_loss(leaf(t, 2, 3), leaf(t, 2, 3, seed=1),
                                           leaf(t, 2, 3, seed=2))))


def _not_implemented_edges(t, loss_of):
    x = leaf(t, 3, 4)
    y = loss_of(x)
    edges = []
    for grad_output in (t.ones_like(y), t.ones_like(y).requires_grad_()):
        grad, = t.autograd.grad(y, x, grad_output, create_graph=True, retain_graph=True)
        edges.append((grad.grad_fn.name(), [None if f is None else f.name()
                                            for f, _ in grad.grad_fn.next_functions]))
    return edges


@pytest.mark.parametrize("loss", ["multi_margin", "multilabel_margin"])
def test_not_implemented_node_edges_go_to_what_requires_grad(loss):
    def loss_of(t):
        F = t.nn.functional
        if loss == "multi_margin":
            return lambda x: F.multi_margin_loss(x, t.tensor([0, 2, 3]), reduction="none")
        return lambda x: F.multilabel_margin_loss(x, t.zeros(3, 4, dtype=t.long))
    check(lambda t: _not_implemented_edges(t, loss_of(t)))


SECOND_ORDER = {
    "cosine_similarity": (lambda t, a, b: t.nn.functional.cosine_similarity(a, b), 2),
    "pairwise_distance": (lambda t, a, b: t.nn.functional.pairwise_distance(a, b), 2),
    "pairwise_distance p3": (lambda t, a, b: t.nn.functional.pairwise_distance(a, b, 3), 2),
    "margin_ranking": (lambda t, a, b: t.nn.functional.margin_ranking_loss(
        a[:, 0], b[:, 0], t.tensor([1., -1, 1], dtype=t.float64), 0.3, reduction="sum"), 2),
    "triplet swap": (lambda t, a, b, c: t.nn.functional.triplet_margin_loss(
        a, b, c, margin=2.0, swap=True), 3),
    "cosine_embedding": (lambda t, a, b: t.nn.functional.cosine_embedding_loss(
        a, b, t.tensor([1., -1, -1], dtype=t.float64), margin=-0.2), 2),
    "hinge_embedding": (lambda t, a: t.nn.functional.hinge_embedding_loss(
        a, t.tensor([[1.], [-1], [-1]], dtype=t.float64), margin=2.0), 1),
    "poisson full": (lambda t, a, b: t.nn.functional.poisson_nll_loss(
        a.abs(), b.abs().detach() * 3, log_input=False, full=True), 2),
    "gaussian": (lambda t, a, b, c: t.nn.functional.gaussian_nll_loss(a, b, c * c), 3),
    "multilabel_soft_margin": (lambda t, a: t.nn.functional.multilabel_soft_margin_loss(
        a, t.tensor([[1., 0, 1, 0]], dtype=t.float64).expand(3, 4)), 1),
    "soft_margin sum": (lambda t, a: t.nn.functional.soft_margin_loss(
        a, t.tensor([1., -1, 1, -1], dtype=t.float64), reduction="sum"), 1),
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_as_torch(name):
    fn, count = SECOND_ORDER[name]

    def run(t):
        xs = [leaf(t, 3, 4, dtype="float64", seed=k) for k in range(count)]
        grads = t.autograd.grad(fn(t, *xs), xs, create_graph=True)
        second = t.autograd.grad(sum((g * g).sum() for g in grads), xs)
        return [graph(g) for g in grads], grads, second
    check(run)


def _pdist_grad_of_equal_rows(t):
    x = t.ones(3, 2, requires_grad=True)
    return t.autograd.grad(F(t).pdist(x).sum(), x)


def _loss_leaf(t, values, dtype="float32"):
    return t.tensor(values, dtype=getattr(t, dtype), requires_grad=True)


EDGES = {
    "poisson zero target": lambda t: F(t).poisson_nll_loss(
        _loss_leaf(t, [0.5, 1.0, 2.0]), t.tensor([0.0, 1.0, 3.0]), full=True),
    "pdist one row": lambda t: F(t).pdist(t.ones(1, 3, requires_grad=True)),
    "pdist zero rows": lambda t: F(t).pdist(t.ones(0, 3, requires_grad=True)),
    "pdist zero cols": lambda t: F(t).pdist(t.ones(3, 0, requires_grad=True)),
    "pdist p0": lambda t: F(t).pdist(_loss_leaf(t, [[1., 2], [1, 3], [0, 0]]), 0),
    "pdist equal rows grad": _pdist_grad_of_equal_rows,
    "cos dim err": lambda t: F(t).cosine_similarity(t.ones(2, 3), t.ones(2, 3), dim=2),
    "cos empty": lambda t: F(t).cosine_similarity(t.ones(0, 3), t.ones(0, 3)),
    "cos 1d dim0": lambda t: F(t).cosine_similarity(t.ones(3), t.ones(3) * 2, dim=0),
    "pairwise int": lambda t: F(t).pairwise_distance(t.ones(2, 3, dtype=t.long),
                                                     t.zeros(2, 3, dtype=t.long)),
    "pairwise 1d vs 2d": lambda t: F(t).pairwise_distance(t.ones(3), t.zeros(2, 3)),
    "pairwise p0": lambda t: F(t).pairwise_distance(t.ones(2, 3, requires_grad=True),
                                                    t.zeros(2, 3), p=0),
    "pairwise neg p": lambda t: F(t).pairwise_distance(t.ones(2, 3), t.zeros(2, 3), p=-1),
    "margin ranking 0d": lambda t: F(t).margin_ranking_loss(t.tensor(1.), t.tensor(2.),
                                                            t.tensor(1.)),
    "margin ranking broadcast": lambda t: F(t).margin_ranking_loss(t.ones(3, 1), t.ones(1, 3),
                                                                   t.ones(1, 1)),
    "hinge long target": lambda t: F(t).hinge_embedding_loss(t.tensor([0.5, -0.2, 2.0]),
                                                             t.tensor([1, -1, -1])),
    "hinge int margin": lambda t: F(t).hinge_embedding_loss(
        t.tensor([0.5, -0.2, 2.0], dtype=t.float64), t.tensor([1., -1, -1]), margin=2),
    "triplet 1d": lambda t: F(t).triplet_margin_loss(t.ones(3), t.zeros(3), t.ones(3) * 2),
    "triplet broadcast": lambda t: F(t).triplet_margin_loss(t.ones(2, 3), t.zeros(1, 3),
                                                            t.ones(2, 3) * 2),
    "gaussian int var": lambda t: F(t).gaussian_nll_loss(t.ones(3), t.ones(3), 1),
    "gaussian broadcast var": lambda t: F(t).gaussian_nll_loss(t.ones(4, 3, 2), t.zeros(4, 3, 2),
                                                               t.ones(4, 1, 2)),
    "gaussian scalar var tensor": lambda t: F(t).gaussian_nll_loss(t.ones(4, 3), t.zeros(4, 3),
                                                                   t.tensor(2.)),
    "gaussian mismatched 2": lambda t: F(t).gaussian_nll_loss(t.ones(4, 3, 2), t.zeros(4, 3, 2),
                                                              t.ones(4, 1, 1)),
    "mlsm 1d": lambda t: F(t).multilabel_soft_margin_loss(t.tensor([0.5, -1.0]),
                                                          t.tensor([1., 0])),
    "mlsm 3d": lambda t: F(t).multilabel_soft_margin_loss(t.ones(2, 3, 4), t.zeros(2, 3, 4),
                                                          reduction="none"),
    "softmax2d 4d dtype": lambda t: t.nn.Softmax2d()(t.ones(1, 2, 1, 1, dtype=t.float64)),
    "soft margin 0d": lambda t: F(t).soft_margin_loss(t.tensor(0.3), t.tensor(-1.)),
    "soft margin big": lambda t: F(t).soft_margin_loss(t.tensor([100., -100.]),
                                                       t.tensor([-1., -1])),
    "mm 0 rows none": lambda t: F(t).multi_margin_loss(t.ones(0, 4), t.zeros(0, dtype=t.long),
                                                       reduction="none"),
    "mlm 0 rows none": lambda t: F(t).multilabel_margin_loss(
        t.ones(0, 4), t.zeros(0, 4, dtype=t.long), reduction="none"),
    "bilinear 3d": lambda t: F(t).bilinear(t.ones(2, 3, 4), t.ones(2, 3, 5),
                                           t.ones(6, 4, 5)).shape,
    "bilinear 0d": lambda t: F(t).bilinear(t.tensor(1.), t.tensor(2.), t.ones(1, 1, 1)),
    "gumbel dim0": lambda t: (t.manual_seed(0), F(t).gumbel_softmax(t.zeros(3, 2), dim=0,
                                                                   hard=True))[1],
    "cos_emb int target": lambda t: F(t).cosine_embedding_loss(t.ones(2, 3), t.ones(2, 3),
                                                               t.tensor([1, -1])),
    "any of a bool": lambda t: (t.any(False), t.all(3, 0)),
    "norms of one element": lambda t: [t.linalg.vector_norm(t.tensor([[1e-30], [3e20]]), p, 1)
                                       for p in (2, 3, 0.5, 1)],
}


@pytest.mark.parametrize("name", EDGES)
def test_edge_cases_as_torch(name):
    check(EDGES[name])


NOT_TENSORS = {
    "cosine_similarity": lambda t, x: F(t).cosine_similarity([1.], x),
    "pdist": lambda t, x: F(t).pdist([[1.]]),
    "pairwise_distance": lambda t, x: F(t).pairwise_distance(x, 2.0),
    "margin_ranking_loss": lambda t, x: F(t).margin_ranking_loss(x, x, 1.0),
    "torch.margin_ranking_loss": lambda t, x: t.margin_ranking_loss(x, x, 1.0),
    "soft_margin_loss": lambda t, x: F(t).soft_margin_loss(x, [1.]),
    "bilinear weight": lambda t, x: F(t).bilinear(x, x, 3),
    "bilinear bias": lambda t, x: F(t).bilinear(x, x, t.ones(1, 3, 3), 2),
    "hinge_embedding_loss": lambda t, x: F(t).hinge_embedding_loss(x, [1.]),
    "cosine_embedding_loss": lambda t, x: F(t).cosine_embedding_loss(x, 1, x),
    "triplet_margin_loss": lambda t, x: F(t).triplet_margin_loss(x, x, None),
    "poisson_nll_loss": lambda t, x: F(t).poisson_nll_loss(x, 2),
    "multilabel_margin_loss": lambda t, x: F(t).multilabel_margin_loss(x, 2),
    "multi_margin_loss": lambda t, x: F(t).multi_margin_loss(x, 2),
}


@pytest.mark.parametrize("name", NOT_TENSORS)
def test_an_argument_that_is_no_tensor_as_torch(name):
    check(lambda t: NOT_TENSORS[name](t, t.ones(2, 3)))


def _bits(t, fn, dtype):
    t.manual_seed(0)
    x = t.randn(40, 6, 37, dtype=getattr(t, dtype))
    return [v.numpy().tobytes().hex() for v in fn(t, x)]


NORM_ORDERS = {
    "sum and mean": lambda t, x: (x.sum(2), x.sum((1, 2)), x.mean(), x.mean(-1, keepdim=True)),
    "2-norms": lambda t, x: (t.linalg.vector_norm(x, dim=-1), t.norm(x, dim=(1, 2)),
                             t.nn.functional.normalize(x, dim=2)),
    "p-norms": lambda t, x: (t.linalg.vector_norm(x, 1, -1), t.linalg.vector_norm(x, 3, 0),
                             t.linalg.vector_norm(x, 1.5, (0, 2), keepdim=True)),
    "distances": lambda t, x: (t.nn.functional.pairwise_distance(x[0], x[1], 3),
                               t.nn.functional.cosine_similarity(x[0], x[1], 1),
                               t.pdist(x[0], 2), t.pdist(x[1], 1)),
    "loss means": lambda t, x: (t.nn.functional.mse_loss(x[0], x[1]),
                                t.nn.functional.soft_margin_loss(x[0], x[1].sign()),
                                t.nn.functional.triplet_margin_loss(x[0], x[1], x[2])),
    "nll means": lambda t, x: (t.nn.functional.nll_loss(x[0], x[1].argmax(1)),
                               t.nn.functional.nll_loss(x[2, :5], x[3, :5].argmax(1),
                                                        t.rand(37, dtype=x.dtype)),
                               t.nn.functional.nll_loss(x[0], x[1].argmax(1), reduction="sum",
                                                        ignore_index=3)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NORM_ORDERS)
def test_reductions_have_torchs_last_bits(name, dtype):
    import torch
    import engine
    assert _bits(engine, NORM_ORDERS[name], dtype) == _bits(torch, NORM_ORDERS[name], dtype)
