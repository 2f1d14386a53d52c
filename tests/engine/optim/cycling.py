"""What the cycling-scheduler tests share: the optimizers they drive (two SGD groups with
momentum; Adam with betas) and the trace of a scheduler's steps."""


def sgd(torch, momentum=0.9):
    params = [torch.nn.Parameter(torch.ones(2)) for _ in range(2)]
    return torch.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.2}],
                           lr=0.1, momentum=momentum)


def adam(torch):
    return torch.optim.Adam([torch.nn.Parameter(torch.ones(2))], lr=0.1, betas=(0.8, 0.99))


def stepped(opt, scheduler, steps: int) -> list:
    """After each of ``steps`` optimizer and scheduler steps: the last lr and each group's
    lr, momentum and betas."""
    seen = []
    for _ in range(steps):
        opt.step()
        scheduler.step()
        seen.append([scheduler.get_last_lr()] + [
            (g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups])
    return seen
