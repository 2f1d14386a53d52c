"""Dropout and nn.init: the distributions, scales and bounds they promise (their values are
compared with torch's bit for bit in tests/engine/test_random_torch.py)."""
import math

import numpy as np
import pytest

import engine
import engine.nn as nn
import engine.nn.functional as F
from engine.nn import init


def test_dropout_zeroes_about_p_and_scales_the_rest():
    engine.manual_seed(0)
    x = engine.ones(200, 100, requires_grad=True)
    out = F.dropout(x, 0.3)
    values = out.detach().numpy()
    assert abs((values == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(values[values != 0], 1 / 0.7, rtol=1e-6)
    assert out.grad_fn.name() == "MulBackward0"
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)


def test_dropout_eval_p0_p1_and_errors():
    x = engine.ones(3, 4)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x
    assert F.dropout(x, 0.0) is x
    assert float(F.dropout(x, 1.0).sum()) == 0.0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        nn.Dropout(1.5)


@pytest.mark.parametrize("layer, fan_in", [(lambda: nn.Linear(500, 400), 500),
                                           (lambda: nn.Conv2d(8, 300, 3), 72)])
def test_default_init_is_kaiming_uniform_with_torch_bounds(layer, fan_in):
    module = layer()
    weight, bias = module.weight.detach().numpy(), module.bias.detach().numpy()
    # kaiming_uniform_(a=sqrt(5)) gives bound sqrt(6 / ((1 + 5) * fan_in)) = 1 / sqrt(fan_in)
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.99 * bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert np.abs(bias).max() <= bound and np.abs(bias).max() > 0.9 * bound
    assert weight.dtype == np.float32


def test_init_functions():
    t = engine.empty(300, 200)
    init.xavier_uniform_(t)
    bound = math.sqrt(6 / 500)
    assert np.abs(t.numpy()).max() <= bound and np.abs(t.numpy()).max() > 0.99 * bound
    init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert abs(t.numpy().std() - math.sqrt(2 / 300)) < 0.005
    init.normal_(t, 2.0, 0.5)
    assert abs(t.numpy().mean() - 2.0) < 0.01 and abs(t.numpy().std() - 0.5) < 0.01
    init.uniform_(t, -3, -2)
    assert t.numpy().min() >= -3 and t.numpy().max() <= -2
    version = t._version
    init.constant_(t, 0.25)
    assert set(np.unique(t.numpy())) == {0.25} and t._version == version + 1
    init.zeros_(t)
    assert not t.numpy().any()
    init.ones_(t)
    assert t.numpy().all()
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor "
                                         "with fewer than 2 dimensions"):
        init.xavier_uniform_(engine.empty(3))


def test_batch_norm_counts_batches_and_cumulative_momentum():
    bn = nn.BatchNorm1d(2, momentum=None)
    for shift in (0.0, 2.0):
        bn(engine.tensor([[1.0 + shift, 0.0], [3.0 + shift, 4.0]]))
    assert int(bn.num_batches_tracked) == 2
    np.testing.assert_allclose(bn.running_mean.numpy(), [3.0, 2.0])   # the mean of the means
