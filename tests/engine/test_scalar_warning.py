"""float() of a tensor that requires grad: PyTorch 2.13's UserWarning, once per process,
compared with torch live in a fresh process (tests/oracle.py run_fresh)."""
import json

import engine
import oracle
from engine import trace
from engine.tensor import SCALAR_OF_GRAD_WARNING


def scalar_conversions(torch):
    """int(), .item(), bool() and .tolist() say nothing; the first float() of a tensor that
    requires grad warns; later float() calls, from any line, do not."""
    import warnings

    def caught(fn):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            value = fn()
        return value, [str(w.message) for w in seen if w.category is UserWarning]

    x = torch.tensor(2.5, requires_grad=True)
    return [caught(lambda: (int(x), x.item(), bool(x), x.tolist())),
            caught(lambda: float(torch.tensor(1.0))),
            caught(lambda: float(x)),
            caught(lambda: float(x * 2))]


def in_a_fresh_engine(case):
    trace.reset_ids()                       # as a fresh process (or a graphtui re-run)
    return json.loads(json.dumps(case(engine)))


def test_only_the_first_float_of_a_tensor_needing_grad_warns_with_torchs_text():
    expected = oracle.run_fresh(scalar_conversions, "torch")
    assert in_a_fresh_engine(scalar_conversions) == expected
    assert expected[2][1] == [SCALAR_OF_GRAD_WARNING]


def test_a_rerun_warns_again():
    first = in_a_fresh_engine(scalar_conversions)
    assert in_a_fresh_engine(scalar_conversions) == first


def test_float_of_a_tensor_that_requires_grad_is_silent_under_no_grad():
    """PyTorch warns only while grad mode is on (LBFGS.step converts the closure's loss
    under no_grad, and says nothing)."""
    def case(torch):
        import warnings
        p = torch.nn.Parameter(torch.ones(2))
        loss = (p * p).sum()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with torch.no_grad():
                value = float(loss)
        return value, [str(w.message) for w in caught]
    assert oracle.agree(case) == (2.0, [])
