"""torch.save / torch.load of whole modules and optimizers, weights_only as torch 2.13 has
it (on by default, refusing classes with torch's text), and the state dict round trips of
optimizers and LR schedulers, live against torch."""
import argparse
import io

import pytest

from surface_live import check


def _saved(t, obj):
    buffer = io.BytesIO()
    t.save(obj, buffer)
    buffer.seek(0)
    return buffer


class Scale:
    """A callable object as lr_lambda: its __dict__ is what a scheduler's state keeps."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, step):
        return self.factor ** step


def _trained(t, scheduler="lambda"):
    t.manual_seed(0)
    model = t.nn.Sequential(t.nn.Linear(2, 3), t.nn.ReLU(), t.nn.Linear(3, 1))
    opt = t.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
    if scheduler == "lambda":
        sched = t.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 3))
    elif scheduler == "object":
        sched = t.optim.lr_scheduler.LambdaLR(opt, [Scale(0.5)])
    elif scheduler == "multiplicative":
        sched = t.optim.lr_scheduler.MultiplicativeLR(opt, lambda s: 0.9)
    elif scheduler == "cosine":
        sched = t.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=1e-4)
    elif scheduler == "onecycle":
        sched = t.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    elif scheduler == "sequential":
        warm = t.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=2)
        cos = t.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        sched = t.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[2])
    elif scheduler == "chained":
        sched = t.optim.lr_scheduler.ChainedScheduler(
            [t.optim.lr_scheduler.StepLR(opt, 2), t.optim.lr_scheduler.ExponentialLR(opt, 0.9)])
    for _ in range(3):
        opt.zero_grad()
        model(t.ones(4, 2)).pow(2).mean().backward()
        opt.step()
        sched.step()
    return model, opt, sched


def _whole_module(t, **load_kwargs):
    model, _, _ = _trained(t)
    loaded = t.load(_saved(t, model), **load_kwargs)
    return repr(loaded), loaded(t.ones(1, 2)).detach(), type(loaded).__name__


def _whole_optimizer(t):
    model, opt, _ = _trained(t)
    model2, opt2 = t.load(_saved(t, (model, opt)), weights_only=False)
    before = opt2.state_dict()
    opt2.zero_grad()
    model2(t.ones(4, 2)).sum().backward()
    opt2.step()
    return type(opt2).__name__, repr(opt2), before, list(model2.parameters())[0].detach()


def _optimizer_round_trip(t):
    model, opt, _ = _trained(t)
    fresh = t.optim.AdamW(model.parameters(), lr=5.0)
    fresh.load_state_dict(t.load(_saved(t, opt.state_dict())))
    return fresh.state_dict(), fresh.param_groups[0]["lr"]


def _scheduler_round_trip(t, kind):
    _, opt, sched = _trained(t, kind)
    saved = t.load(_saved(t, sched.state_dict()), weights_only=kind not in ("object",))
    _, opt2, sched2 = _trained(t, kind)
    sched2.load_state_dict(saved)
    opt2.step()
    sched2.step()
    return sched.state_dict(), saved, sched2.get_last_lr()


def _checkpoint(t):
    model, opt, sched = _trained(t)
    state = {"model": model.state_dict(), "optimizer": opt.state_dict(),
             "scheduler": sched.state_dict(), "epoch": 3, "best": 0.25, "name": "run"}
    loaded = t.load(_saved(t, state))
    return sorted(loaded), loaded["scheduler"], loaded["epoch"], loaded["best"]


def _namespace_allowed(t, how):
    state = {"args": argparse.Namespace(lr=0.1, epochs=2)}
    if how == "context":
        with t.serialization.safe_globals([argparse.Namespace]):
            inside = t.load(_saved(t, state))
        return inside, argparse.Namespace in t.serialization.get_safe_globals()
    t.serialization.add_safe_globals([argparse.Namespace])
    try:
        return t.load(_saved(t, state)), argparse.Namespace in t.serialization.get_safe_globals()
    finally:
        t.serialization.clear_safe_globals()


SNIPPETS = {
    "module refused by default": lambda t: _whole_module(t),
    "module with weights_only=False": lambda t: _whole_module(t, weights_only=False),
    "module allowlisted": lambda t: _allowlisted_module(t),
    "optimizer with its model": _whole_optimizer,
    "optimizer state dict": _optimizer_round_trip,
    "checkpoint dict": _checkpoint,
    "namespace refused": lambda t: t.load(_saved(t, {"args": argparse.Namespace(lr=0.1)})),
    "namespace allowlisted": lambda t: _namespace_allowed(t, "add"),
    "namespace in a context": lambda t: _namespace_allowed(t, "context"),
    "bad allowlist tuple": lambda t: _bad_tuple(t),
    "main class refused": lambda t: t.load(_saved(t, Scale(2.0))),
}
for _kind in ("lambda", "object", "multiplicative", "cosine", "onecycle", "sequential",
              "chained"):
    SNIPPETS[f"scheduler {_kind}"] = (lambda kind: lambda t: _scheduler_round_trip(t, kind))(
        _kind)


def _allowlisted_module(t):
    linear = t.nn.Linear(2, 1)
    with t.serialization.safe_globals([t.nn.Linear]):
        return repr(t.load(_saved(t, linear)))


def _bad_tuple(t):
    with t.serialization.safe_globals([(Scale, "a", "b")]):
        return t.load(_saved(t, {"a": 1}))


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_checkpoints(name):
    check(SNIPPETS[name])


def _plain_values(t):
    return {"dtype": t.float16, "long": t.long, "device": t.device("cpu"),
            "indexed": t.device("cpu", 0), "size": t.Size([2, 3]), "set": {1, 2},
            "bytes": b"ab", "complex": 1 + 2j, "big": 2**70, "inf": float("inf"),
            "nested": (1, (2.5, "x"), None, True), "param": t.nn.Parameter(t.ones(1))}


VALUES = {
    "values round trip": lambda t: repr(t.load(_saved(t, _plain_values(t)))),
    "numpy scalar refused": lambda t: t.load(_saved(t, {"acc": __import__("numpy").float64(1)})),
    "slice refused": lambda t: t.load(_saved(t, {"s": slice(1, 2)})),
    "map location": lambda t: [t.load(_saved(t, {"w": t.ones(2)}), map_location=where)
                               for where in ("cpu", t.device("cpu"), lambda s, loc: s)],
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values(name):
    check(VALUES[name])


def test_torch_loads_what_the_engine_saved_with_weights_only():
    import engine
    import torch
    buffer = io.BytesIO()
    engine.save(_plain_values(engine), buffer)
    buffer.seek(0)
    assert repr(torch.load(buffer)) == repr(_plain_values(torch))
