"""The SGD kernel against the optimizer's NumPy update, over every option, shape and dtype."""

import itertools

import numpy as np
import pytest

from engine.kernels import nn_extra as K
from engine.optim.sgd import _numpy_sgd

# (momentum, dampening, weight_decay, nesterov, maximize, first_step); SGD refuses Nesterov
# without momentum or with dampening.
OPTIONS = [case for case in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.01],
                                              [False, True], [False, True], [False, True])
           if not (case[3] and (case[0] == 0 or case[1] != 0))]


@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 2, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("momentum, dampening, weight_decay, nesterov, maximize, first_step",
                         OPTIONS)
def test_sgd_update_matches_numpy(shape, dtype, momentum, dampening, weight_decay, nesterov,
                                  maximize, first_step):
    rng = np.random.default_rng(0)
    param, grad, buffer = (rng.standard_normal(shape).astype(dtype) for _ in range(3))
    expected_param, expected_buffer = param.copy(), buffer.copy()
    _numpy_sgd(expected_param, grad, expected_buffer, 0.1, momentum, dampening, weight_decay,
               nesterov, maximize, first_step)
    flags = (K.SGD_NESTEROV if nesterov else 0) | (K.SGD_MAXIMIZE if maximize else 0) | \
        (K.SGD_FIRST_STEP if first_step else 0)
    K.sgd_update(param, grad, buffer, K.sgd_scalars(dtype, 0.1, momentum, dampening,
                                                    weight_decay), flags)
    tolerance = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(param, expected_param, rtol=tolerance, atol=tolerance)
    if momentum != 0:
        np.testing.assert_allclose(buffer, expected_buffer, rtol=tolerance, atol=tolerance)
