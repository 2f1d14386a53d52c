"""torch.amp.GradScaler. For "cuda" (the default device) a CPU-only build warns and
disables the scaler, which then passes everything through: scale() returns the loss,
unscale_() and update() do nothing, step() is optimizer.step(). For "cpu" it scales as
torch's does: loss x scale, gradients x 1/scale (float32), a step skipped on inf/NaN and
the scale backed off, grown after growth_interval clean steps."""
from __future__ import annotations

import collections
import enum
import warnings


class OptState(enum.Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> dict:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


class GradScaler:
    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = collections.defaultdict(_refresh_per_optimizer_state)

    # ------------------------------------------------------------ scaling
    def _lazy_init_scale_growth_tracker(self) -> None:
        import engine
        self._scale = engine.full((), self._init_scale, dtype=engine.float32)
        self._growth_tracker = engine.full((), self._init_growth_tracker, dtype=engine.int32)

    def scale(self, outputs):
        if not self._enabled:
            return outputs
        from engine.tensor import Tensor
        if self._scale is None:
            self._lazy_init_scale_growth_tracker()
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        return self._scale_iterable(outputs)

    def _scale_iterable(self, value):
        from engine.tensor import Tensor
        if isinstance(value, Tensor):
            return value * self._scale
        if isinstance(value, collections.abc.Iterable):
            scaled = map(self._scale_iterable, value)
            return type(value)(scaled) if isinstance(value, (list, tuple)) else scaled
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer) -> None:
        if not self._enabled:
            return
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        if self._scale is None:
            raise AssertionError("Attempted unscale_ but _scale is None.  This may indicate "
                                 "your script did not use scaler.scale(loss or outputs) "
                                 "earlier in the iteration.")
        state["found_inf_per_device"] = {"cpu": self._unscale_grads_(optimizer)}
        state["stage"] = OptState.UNSCALED

    def _unscale_grads_(self, optimizer):
        """Each gradient times 1/scale (the reciprocal taken in float64, used in float32),
        and a float32 1.0 when any gradient held an inf or NaN."""
        import engine
        inv_scale = self._scale.double().reciprocal().float()
        found_inf = engine.zeros((), dtype=engine.float32)
        with engine.no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    if not param.grad.isfinite().all().item():
                        found_inf.fill_(1.0)
                    param.grad.mul_(inv_scale)
        return found_inf

    def step(self, optimizer, *args, **kwargs):
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if not state["found_inf_per_device"]:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not sum(v.item() for v in state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        if not self._enabled:
            return
        if new_scale is not None:
            self._set_scale(new_scale)
        else:
            found_infs = [found for state in self._per_optimizer_states.values()
                          for found in state["found_inf_per_device"].values()]
            if not found_infs:
                raise AssertionError("No inf checks were recorded prior to update.")
            self._update_scale(any(found.item() for found in found_infs))
        self._per_optimizer_states = collections.defaultdict(_refresh_per_optimizer_state)

    def _set_scale(self, new_scale) -> None:
        from engine.tensor import Tensor
        if isinstance(new_scale, float):
            self._scale.fill_(new_scale)
            return
        if not isinstance(new_scale, Tensor) or new_scale.numel() != 1 or \
                new_scale.requires_grad:
            raise AssertionError("new_scale should be a float or a 1-element "
                                 "torch.cuda.FloatTensor or torch.FloatTensor with "
                                 "requires_grad=False.")
        self._scale.copy_(new_scale)

    def _update_scale(self, found_inf: bool) -> None:
        if found_inf:
            self._scale.mul_(self._backoff_factor)
            self._growth_tracker.fill_(0)
            return
        grown = self._growth_tracker.item() + 1
        if grown == self._growth_interval:
            scaled = self._scale * self._growth_factor
            if scaled.isfinite().item():
                self._scale.copy_(scaled)
            grown = 0
        self._growth_tracker.fill_(grown)

    # ------------------------------------------------------------ settings
    def get_scale(self) -> float:
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale.item()

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return self._growth_tracker.item()

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict:
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict["_growth_tracker"])


def deprecated_grad_scaler(device_type: str):
    """torch.cpu.amp.GradScaler / torch.cuda.amp.GradScaler: a FutureWarning at the caller,
    then torch.amp.GradScaler(device_type)."""
    class _GradScaler(GradScaler):
        def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                     backoff_factor: float = 0.5, growth_interval: int = 2000,
                     enabled: bool = True) -> None:
            warnings.warn(f"`torch.{device_type}.amp.GradScaler(args...)` is deprecated. "
                          f"Please use `torch.amp.GradScaler('{device_type}', args...)` "
                          "instead.", FutureWarning, stacklevel=2)
            super().__init__(device_type, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval,
                             enabled=enabled)
    _GradScaler.__name__ = _GradScaler.__qualname__ = "GradScaler"
    return _GradScaler
