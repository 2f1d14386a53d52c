"""instance_norm's running stats, as ATen treats them: of another dtype than the input's
they are allowed (batch_norm refuses them), used and updated in the input's dtype; an
evaluation pass (use_input_stats=False) leaves them untouched, not even written back (nn
seed 1000615: InstanceNorm2d(track_running_stats=True) on a float64 input), live."""
import pytest

import oracle

DTYPES = [("float64", "float32"), ("float32", "float64"), ("float64", "float64")]


def stats_after(lib, input_dtype, stats_dtype, training):
    torch = lib.torch
    x = torch.tensor([[[0.3, -1.2, 2.0], [1.5, 0.1, -0.4]], [[-2.2, 0.8, 0.6], [0.2, -0.3, 1.7]]],
                     dtype=getattr(torch, input_dtype), requires_grad=True)
    mean = torch.full((2,), 0.3, dtype=getattr(torch, stats_dtype))
    var = torch.full((2,), 0.7, dtype=getattr(torch, stats_dtype))
    out = torch.nn.functional.instance_norm(x, mean, var, use_input_stats=training)
    out.sum().backward()
    # float64 stats to 12 digits: their last bit is float64 batch norm's own rounding
    return (str(out.dtype), [round(v, 12) for v in mean.tolist()],
            [round(v, 12) for v in var.tolist()], mean._version,
            [round(v, 5) for v in out.flatten().tolist()])


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("input_dtype,stats_dtype", DTYPES)
def test_running_stats_of_any_dtype(input_dtype, stats_dtype, training):
    oracle.agree(stats_after, input_dtype, stats_dtype, training, namespace_arg=True)


def test_the_module_on_a_double_input():
    def case(lib):
        norm = lib.nn.InstanceNorm2d(2, track_running_stats=True)
        x = lib.torch.tensor([[[[-0.59], [0.288]], [[-0.627], [0.434]]]], dtype=lib.torch.float64)
        out = norm(0.5 ** x)
        norm.eval()
        again = norm(0.5 ** x)
        return (str(out.dtype), norm.running_mean.tolist(), norm.running_var.tolist(),
                [round(v, 6) for v in again.flatten().tolist()])

    oracle.agree(case, namespace_arg=True)
