"""torch.optim.swa_utils (issue #11): AveragedModel with SWA and EMA averaging, update_bn
and SWALR, live against torch: the averaged weights bit for bit, state dicts, errors."""
import pytest

from surface_live import check


def _net(t, batch_norm=False):
    t.manual_seed(0)
    middle = t.nn.BatchNorm1d(4) if batch_norm else t.nn.Tanh()
    return t.nn.Sequential(t.nn.Linear(3, 4), middle, t.nn.ReLU(), t.nn.Linear(4, 2))


def _averaged(t, steps=4, batch_norm=False, **kwargs):
    """New weights drawn at each step (training itself is not what is compared here),
    averaged; the BatchNorm's statistics come from forward passes in training mode."""
    model = _net(t, batch_norm)
    swa = t.optim.swa_utils.AveragedModel(model, **kwargs)
    x = t.randn(8, 3)
    for _ in range(steps):
        with t.no_grad():
            for p in model.parameters():
                p.copy_(t.randn(p.shape))
        model(x)
        swa.update_parameters(model)
    return list(swa.state_dict().items()), swa.n_averaged, repr(swa).splitlines()[:2]


def _bn_updated(t):
    model = _net(t, batch_norm=True)
    data = t.utils.data.DataLoader(t.utils.data.TensorDataset(t.randn(10, 3), t.zeros(10)),
                                   batch_size=4)
    model.eval()
    t.optim.swa_utils.update_bn(data, model)
    bn = model[1]
    return bn.running_mean, bn.running_var, bn.num_batches_tracked, bn.momentum, model.training


def _swalr(t, **kwargs):
    model = _net(t)
    opt = t.optim.SGD(model.parameters(), lr=0.5)
    sched = t.optim.swa_utils.SWALR(opt, **kwargs)
    lrs = []
    for _ in range(6):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    return lrs, sched.state_dict()


SNIPPETS = {
    "swa": lambda t: _averaged(t),
    "swa with buffers": lambda t: _averaged(t, batch_norm=True, use_buffers=True),
    "swa copies buffers": lambda t: _averaged(t, batch_norm=True),
    "ema multi": lambda t: _averaged(t, multi_avg_fn=t.optim.swa_utils.get_ema_multi_avg_fn(0.9)),
    "ema single": lambda t: _averaged(t, avg_fn=t.optim.swa_utils.get_ema_avg_fn(0.75)),
    "swa multi": lambda t: _averaged(t, multi_avg_fn=t.optim.swa_utils.get_swa_multi_avg_fn()),
    "ema with buffers": lambda t: _averaged(
        t, batch_norm=True, use_buffers=True,
        multi_avg_fn=t.optim.swa_utils.get_ema_multi_avg_fn(0.99)),
    "both functions": lambda t: t.optim.swa_utils.AveragedModel(
        _net(t), avg_fn=t.optim.swa_utils.get_ema_avg_fn(),
        multi_avg_fn=t.optim.swa_utils.get_ema_multi_avg_fn()),
    "bad decay": lambda t: t.optim.swa_utils.get_ema_multi_avg_fn(1.5),
    "update bn": _bn_updated,
    "forward": lambda t: (lambda m: t.optim.swa_utils.AveragedModel(m)(t.ones(2, 3)).detach())(
        _net(t)),
    "swalr cos": lambda t: _swalr(t, swa_lr=0.05, anneal_epochs=3),
    "swalr linear": lambda t: _swalr(t, swa_lr=0.05, anneal_epochs=2, anneal_strategy="linear"),
    "swalr no anneal": lambda t: _swalr(t, swa_lr=0.01, anneal_epochs=0),
    "swalr bad strategy": lambda t: _swalr(t, swa_lr=0.01, anneal_strategy="step"),
    "swalr bad epochs": lambda t: _swalr(t, swa_lr=0.01, anneal_epochs=-1),
}


# The engine's BatchNorm training and matmul can differ from torch's in the last bit of a
# float32, so the cases with them compare to the usual tolerance; the averaging bit for bit.
WITH_BATCH_NORM = {"swa with buffers", "swa copies buffers", "ema with buffers", "update bn",
                   "forward"}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_swa_utils(name):
    if name in WITH_BATCH_NORM:
        check(SNIPPETS[name])
    else:
        check(SNIPPETS[name], rtol=0, atol=0)
