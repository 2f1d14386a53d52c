"""torch.optim.swa_utils: AveragedModel (SWA and EMA of a model's weights), the averaging
functions, update_bn and SWALR, computed as torch computes them on the CPU (the SWA mean
parameter by parameter, EMA with lerp)."""
from __future__ import annotations

import copy
import itertools
import math
import warnings

from engine._unsupported import module_getattr
from engine.nn.modules.module import Module
from engine.optim import lr_scheduler as _schedulers


def _check_decay(decay) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        import engine
        with engine.no_grad():
            if ema_param_list[0].is_floating_point():
                for ema, current in zip(ema_param_list, current_param_list, strict=True):
                    ema.lerp_(current, 1 - decay)
            else:
                for ema, current in zip(ema_param_list, current_param_list, strict=True):
                    ema.copy_(ema * decay + current * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        import engine
        with engine.no_grad():
            if averaged_param_list[0].is_floating_point():
                for averaged, current in zip(averaged_param_list, current_param_list,
                                             strict=True):
                    averaged.lerp_(current, float(1 / (num_averaged + 1)))
            else:
                for averaged, current in zip(averaged_param_list, current_param_list,
                                             strict=True):
                    averaged.add_((current - averaged) / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of `model` whose parameters are the running average (SWA by default, or what
    avg_fn / multi_avg_fn compute) of the model's at each update_parameters()."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers=False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        import engine
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", engine.tensor(0, dtype=engine.long))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _pairs(self, model):
        if self.use_buffers:
            return zip(itertools.chain(self.module.parameters(), self.module.buffers()),
                       itertools.chain(model.parameters(), model.buffers()))
        return zip(self.parameters(), model.parameters())

    def update_parameters(self, model) -> None:
        import engine
        averaged, current = [], []
        first = self.n_averaged.item() == 0
        for p_averaged, p_model in self._pairs(model):
            averaged.append(p_averaged.detach())
            current.append(p_model.detach())
            if first:
                p_averaged.detach().copy_(p_model.detach())
        if self.n_averaged.item() > 0:
            self._average(averaged, current)
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_swa.detach().copy_(b_model.detach())
        with engine.no_grad():
            self.n_averaged += 1

    def _average(self, averaged: list, current: list) -> None:
        """On the CPU torch groups by dtype for multi_avg_fn, and without one averages each
        parameter with the SWA mean (CPU has no foreach kernels)."""
        if self.multi_avg_fn is not None:
            for dtype in dict.fromkeys(p.dtype for p in averaged):
                group = [i for i, p in enumerate(averaged) if p.dtype == dtype]
                self.multi_avg_fn([averaged[i] for i in group], [current[i] for i in group],
                                  self.n_averaged)
            return
        avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
        for p_averaged, p_model in zip(averaged, current, strict=True):
            p_averaged.detach().copy_(avg_fn(p_averaged.detach(), p_model, self.n_averaged))


def update_bn(loader, model, device=None) -> None:
    """Recompute every BatchNorm's running statistics with one pass over `loader` (a
    cumulative average: momentum None)."""
    from engine.nn.modules.batchnorm import _BatchNorm
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(_schedulers.LRScheduler):
    """Anneals each group's lr to swa_lr over anneal_epochs (cosine or linear), then holds."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1) -> None:
        for value, group in zip(_schedulers._per_group(optimizer, swa_lr, "swa_lr"),
                                optimizer.param_groups, strict=True):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._anneal_strategy = anneal_strategy
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t):
        if self._anneal_strategy == "cos":
            return (1 - math.cos(math.pi * t)) / 2
        return t

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list:
        if not self._get_lr_called_within_step:
            warnings.warn(_schedulers.GET_LR_WARNING, UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs, strict=True)]

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}


__all__ = ["AveragedModel", "SWALR", "get_ema_avg_fn", "get_ema_multi_avg_fn",
           "get_swa_avg_fn", "get_swa_multi_avg_fn", "update_bn"]
__getattr__ = module_getattr("torch.optim.swa_utils")
