"""engine.autograd: backward, grad, grad modes, custom Functions, anomaly detection."""
from __future__ import annotations

from engine.autograd.anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled,
                                          is_anomaly_enabled, set_detect_anomaly)
from engine.autograd.function import Function, FunctionCtx, once_differentiable
from engine.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                                       set_grad_enabled)
from engine.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from engine.autograd.api import backward, grad
from engine.autograd import functional, profiler

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "gradcheck", "gradgradcheck", "GradcheckError",
           "functional"]


from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.autograd")
