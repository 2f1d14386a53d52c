"""engine.nn.utils: gradient clipping, parameter/vector conversion and rnn's pad_sequence,
as torch.nn.utils."""
from engine.nn.utils.clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,
                                       clip_grads_with_norm_, get_total_norm)
from engine.nn.utils import rnn
from engine.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm", "parameters_to_vector", "rnn", "vector_to_parameters"]


from engine._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("torch.nn.utils")
