"""torch.utils.checkpoint.checkpoint live against torch: values, gradients, the graph and
how often the function runs."""
import numpy as np
import pytest

from surface_live import check

X = np.array([0.3, -0.5, 1.2])


def _checkpointed(use_reentrant, count_runs=True):
    def snippet(t):
        runs = []

        def block(a, b):
            runs.append("run")
            return (a.sin() * b).exp(), a * 3

        x = t.tensor(X, requires_grad=True)
        w = t.tensor([2.0, 0.5, -1.0], requires_grad=True)
        kwargs = {} if use_reentrant == "unset" else {"use_reentrant": use_reentrant}
        y, z = t.utils.checkpoint.checkpoint(block, x, w, **kwargs)
        names = [y.grad_fn.name(), [n is None or n.name() for n, _ in y.grad_fn.next_functions]]
        (y.sum() + (z * z).sum()).backward()
        return [y, z, x.grad, w.grad, names] + ([len(runs)] if count_runs else [])
    return snippet


@pytest.mark.parametrize("mode", [True, "unset"])
def test_reentrant_checkpoint(mode):
    check(_checkpointed(mode))


def test_non_reentrant_checkpoint_records_the_functions_graph():
    """Values, gradients and graph as torch's; torch also reruns the function during the
    backward (the engine keeps the activations instead), so the runs are not compared."""
    check(_checkpointed(False, count_runs=False))
