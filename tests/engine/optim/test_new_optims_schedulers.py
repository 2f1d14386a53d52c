"""The lr schedulers drive LBFGS, NAdam, RAdam, Adamax, Adadelta, Rprop and ASGD as in
torch 2.13, live: six closure steps under OneCycleLR (which cycles NAdam's, RAdam's and
Adamax's betas), ReduceLROnPlateau and CosineAnnealingLR; the learning rates, the betas and
the parameters. Parameters are bit-identical where the update takes no square root
(torch's float32 sqrt is an ulp off for about 1 input in 5)."""
import numpy as np
import pytest

import oracle
from oracle import error_of

NAMES = ["LBFGS", "NAdam", "RAdam", "Adamax", "Adadelta", "Rprop", "ASGD"]
WITH_SQRT = {"NAdam", "RAdam", "Adadelta"}
WITH_BETAS = {"NAdam", "RAdam", "Adamax"}


def scheduled(torch, name, kind):
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = getattr(torch.optim, name)([p], lr=0.01)
    if kind == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10,
                                                        cycle_momentum=name in WITH_BETAS)
    elif kind == "plateau":
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    else:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)

    def closure():
        opt.zero_grad()
        loss = ((p - 3) ** 2).sum()
        loss.backward()
        return loss

    values, schedule = [], []
    for _ in range(6):
        loss = opt.step(closure)
        scheduler.step(loss.item()) if kind == "plateau" else scheduler.step()
        values.append(p.tolist())
        group = opt.param_groups[0]
        schedule.append((group["lr"], str(group.get("betas"))))
    return values, schedule


@pytest.mark.parametrize("kind", ["onecycle", "plateau", "cosine"])
@pytest.mark.parametrize("name", NAMES)
def test_schedulers_drive_the_new_optimizers(name, kind):
    want = oracle.run(lambda torch: scheduled(torch, name, kind), "torch")
    got = oracle.run(lambda torch: scheduled(torch, name, kind), "engine")
    assert got[1] == want[1]
    if name in WITH_SQRT:
        np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    else:
        assert got[0] == want[0]


@pytest.mark.parametrize("name", sorted(set(NAMES) - WITH_BETAS))
def test_cycling_momentum_needs_momentum_or_betas(name):
    def case(torch):
        opt = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], lr=0.01)
        return error_of(lambda: torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=4))
    assert oracle.agree(case)[0] == "ValueError"
