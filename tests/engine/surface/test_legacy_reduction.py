"""The deprecated size_average / reduce arguments of every torch.nn.functional loss and
loss module the engine has, against torch 2.13 live: the reduction they choose and the
warning that says which one to use instead."""
import pytest

from surface_live import check

LEGACY = [(None, False), (False, None), (False, True), (True, False), (True, True)]


def inputs(t, classes: bool):
    t.manual_seed(0)
    x = t.rand(3, 4).requires_grad_()
    target = t.tensor([1, 0, 3]) if classes else t.rand(3, 4)
    return x, target


LOSSES = {
    "mse_loss": (False, lambda F, x, y, **kw: F.mse_loss(x, y, **kw)),
    "l1_loss": (False, lambda F, x, y, **kw: F.l1_loss(x, y, **kw)),
    "smooth_l1_loss": (False, lambda F, x, y, **kw: F.smooth_l1_loss(x, y, **kw)),
    "nll_loss": (True, lambda F, x, y, **kw: F.nll_loss(x, y, **kw)),
    "cross_entropy": (True, lambda F, x, y, **kw: F.cross_entropy(x, y, **kw)),
    "binary_cross_entropy": (False, lambda F, x, y, **kw: F.binary_cross_entropy(x, y, **kw)),
    "binary_cross_entropy_with_logits": (
        False, lambda F, x, y, **kw: F.binary_cross_entropy_with_logits(x, y, **kw)),
    "kl_div": (False, lambda F, x, y, **kw: F.kl_div(x, y, **kw)),
    "kl_div batchmean": (False, lambda F, x, y, **kw: F.kl_div(x, y, reduction="batchmean",
                                                               **kw)),
    "soft_margin_loss": (False, lambda F, x, y, **kw: F.soft_margin_loss(x, y, **kw)),
    "multi_margin_loss": (True, lambda F, x, y, **kw: F.multi_margin_loss(x, y, **kw)),
    "multilabel_soft_margin_loss": (
        False, lambda F, x, y, **kw: F.multilabel_soft_margin_loss(x, y, **kw)),
    "poisson_nll_loss": (False, lambda F, x, y, **kw: F.poisson_nll_loss(x, y, **kw)),
    "hinge_embedding_loss": (False, lambda F, x, y, **kw: F.hinge_embedding_loss(x, y, **kw)),
}


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("size_average, reduce", LEGACY)
def test_functional_legacy_arguments(name, size_average, reduce):
    classes, loss = LOSSES[name]

    def run(t):
        x, target = inputs(t, classes)
        return loss(t.nn.functional, x, target, size_average=size_average, reduce=reduce)
    check(run)


MODULES = ["MSELoss", "L1Loss", "SmoothL1Loss", "BCELoss", "KLDivLoss", "SoftMarginLoss",
           "MultiLabelSoftMarginLoss", "PoissonNLLLoss", "HingeEmbeddingLoss"]


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize("size_average, reduce", LEGACY)
def test_module_legacy_arguments(name, size_average, reduce):
    def run(t):
        module = getattr(t.nn, name)(size_average=size_average, reduce=reduce)
        x, target = inputs(t, False)
        return module.reduction, module(x, target)
    check(run)
