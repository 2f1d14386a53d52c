"""nn.NLLLoss2d and the nn.init names without the underscore, live against torch 2.13: the
FutureWarnings word for word (and where they point), the same values as the new names give
for the same seed, NLLLoss2d's graph and its subclass warning."""
import warnings

import pytest

import oracle

INIT_CALLS = {
    "uniform": lambda t, x: t.nn.init.uniform(x, -0.5, 2.0),
    "normal": lambda t, x: t.nn.init.normal(x, 1.0, 0.5),
    "constant": lambda t, x: t.nn.init.constant(x, 0.25),
    "eye": lambda t, x: t.nn.init.eye(x),
    "dirac": lambda t, x: t.nn.init.dirac(x.view(3, 1, 4, 1)),
    "xavier_uniform": lambda t, x: t.nn.init.xavier_uniform(x, gain=2.0),
    "xavier_normal": lambda t, x: t.nn.init.xavier_normal(x),
    "kaiming_uniform": lambda t, x: t.nn.init.kaiming_uniform(x, a=0.1),
    "kaiming_normal": lambda t, x: t.nn.init.kaiming_normal(x, mode="fan_out"),
    "orthogonal": lambda t, x: t.nn.init.orthogonal(x),
    "sparse": lambda t, x: t.nn.init.sparse(x, 0.5, std=0.2),
}


def _rounded(values, places=6):
    """Values to float32 precision: orthogonal's QR and log_softmax's sums are LAPACK's and
    SLEEF's in torch, within an ulp of the engine's."""
    if isinstance(values, list):
        return [_rounded(v, places) for v in values]
    return round(values, places)


def _caught(call):
    """call()'s result, and each warning's category, text and line number."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [(w.category.__name__, str(w.message), w.lineno) for w in caught]


@pytest.mark.parametrize("name", INIT_CALLS)
def test_deprecated_init_name(name):
    def case(torch):
        torch.manual_seed(0)
        x = torch.empty(3, 4)
        result, caught = _caught(lambda: INIT_CALLS[name](torch, x))
        function = getattr(torch.nn.init, name)
        return (result is x or result.data_ptr() == x.data_ptr(), _rounded(x.tolist()), caught,
                function.__name__, function.__doc__)
    oracle.agree(case)


def test_nll_loss_2d():
    def case(torch):
        torch.manual_seed(0)
        x = torch.randn(2, 3, 4, 4, requires_grad=True)
        target = torch.randint(0, 3, (2, 4, 4))
        loss_module, caught = _caught(lambda: torch.nn.NLLLoss2d(
            weight=torch.tensor([1.0, 2.0, 0.5]), ignore_index=1))
        loss = loss_module(x.log_softmax(1), target)
        loss.backward()
        _, legacy = _caught(lambda: torch.nn.NLLLoss2d(size_average=False))

        def subclass():
            class Mine(torch.nn.NLLLoss2d):
                pass
            return Mine()
        mine, subclassed = _caught(subclass)
        return (repr(loss_module), _rounded(loss.item()), loss.grad_fn.name(),
                _rounded(x.grad.tolist()), caught,
                [c[:2] for c in legacy], subclassed, isinstance(mine, torch.nn.NLLLoss),
                torch.nn.NLLLoss2d.__deprecated__, mine.reduction)
    oracle.agree(case)
