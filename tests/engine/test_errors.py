"""Errors and warnings with PyTorch's exact texts (full message, not only the first sentence).

Every case in ERROR_CASES is a function of the torch-like module that must raise; the
scenario returns (exception type, message). Each test runs a scenario with torch 2.13 and with
`engine` (tests/oracle.py) and compares.
"""
import warnings

import pytest

import oracle
from oracle import error_of, warning_text


def leaf(torch, values=(1.0, 2.0)):
    return torch.tensor(list(values), requires_grad=True)


# ---------------------------------------------------------------- backward entry

def backward_twice(t):
    y = leaf(t) * 3
    y.sum().backward()
    y.sum().backward()


def backward_element_1(t):
    a = leaf(t) * 2
    t.autograd.backward([a.sum(), t.tensor(1.0)])


def inplace_on_saved_sigmoid_output(t):
    x = leaf(t)
    y = x.sigmoid()             # SigmoidBackward0 saves its result y
    y.mul_(2)
    y.sum().backward()


def inplace_on_saved_sigmoid_output_no_grad(t):
    x = leaf(t)
    y = x.sigmoid()
    with t.no_grad():
        y.add_(1)
    y.sum().backward()


def inplace_on_saved_input(t):
    x = leaf(t)
    a = x * 1
    b = a * a                   # MulBackward0 saves a as self and other
    a.add_(1)
    b.sum().backward()


def inplace_on_saved_leaf_data(t):
    x = leaf(t)
    w = t.tensor([3.0, 4.0])
    y = x * w                   # saves w
    w.add_(1)
    y.sum().backward()


def inplace_twice_on_saved_exp(t):
    x = leaf(t)
    y = x.exp()
    y.add_(1)
    y.add_(1)
    y.sum().backward()


def inplace_through_detach_on_saved_exp(t):
    x = leaf(t)
    y = x.exp()
    y.detach().zero_()          # detach shares the version counter
    y.sum().backward()


def inplace_on_saved_view_base(t):
    x = leaf(t, (1.0, 2.0, 3.0))
    y = x * 1
    v = y[:2]
    z = v.exp()                 # saves its result; v itself is not saved, so edit base
    w = v * v                   # saves v (a view of y)
    y.add_(1)                   # bumps y's (shared) version
    (z.sum() + w.sum()).backward()


def custom_function_wrong_grad_count(t):
    class Twice(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad

    Twice.apply(leaf(t), leaf(t)).sum().backward()


def grad_assigned_wrong_shape(t):
    x = leaf(t)
    x.grad = t.tensor([1.0, 2.0, 3.0])


def grad_assigned_wrong_dtype(t):
    x = leaf(t)
    x.grad = t.tensor([1.0, 2.0], dtype=t.float64)


def hook_changes_shape(t):
    x = leaf(t)
    x.register_hook(lambda g: t.tensor([1.0, 2.0, 3.0]))
    (x * 2).sum().backward()


def nonleaf_hook_changes_shape(t):
    x = leaf(t)
    a = x * 2
    a.register_hook(lambda g: t.tensor([1.0, 2.0, 3.0]))
    a.sum().backward()


ERROR_CASES = {
    # the list
    "no_grad_fn": lambda t: (t.tensor([1.0, 2.0]) * 3).backward(t.tensor([100.0, 0.1])),
    "no_grad_fn_element_1": backward_element_1,
    "backward_twice": backward_twice,
    "implicit_grad_not_scalar": lambda t: (leaf(t) * 2).backward(),
    "grad_shape_mismatch": lambda t: (leaf(t) * 2).backward(t.tensor([1.0, 2.0, 3.0])),
    "grad_shape_mismatch_2d": lambda t: (leaf(t) * 2).backward(t.ones(2, 1)),
    "inplace_on_saved_sigmoid_output": inplace_on_saved_sigmoid_output,
    "inplace_on_saved_sigmoid_output_no_grad": inplace_on_saved_sigmoid_output_no_grad,
    "inplace_on_saved_input": inplace_on_saved_input,
    "inplace_on_saved_leaf_data": inplace_on_saved_leaf_data,
    "inplace_twice_on_saved_exp": inplace_twice_on_saved_exp,
    "inplace_through_detach_on_saved_exp": inplace_through_detach_on_saved_exp,
    "inplace_on_saved_view_base": inplace_on_saved_view_base,
    "leaf_inplace_add_": lambda t: leaf(t).add_(1),
    "leaf_inplace_mul_": lambda t: leaf(t).mul_(2),
    "leaf_inplace_zero_": lambda t: leaf(t).zero_(),
    "leaf_inplace_setitem": lambda t: leaf(t).__setitem__(0, 5.0),
    "requires_grad_false_on_nonleaf": lambda t: setattr(leaf(t) * 2, "requires_grad", False),
    "requires_grad_false_on_nonleaf_method": lambda t: (leaf(t) * 2).requires_grad_(False),
    "int_requires_grad_factory": lambda t: t.tensor([1, 2], requires_grad=True),
    "int_requires_grad_method": lambda t: t.tensor([1, 2]).requires_grad_(),
    "int_requires_grad_attribute": lambda t: setattr(t.tensor([1, 2]), "requires_grad", True),
    "int_requires_grad_zeros": lambda t: t.zeros(2, dtype=t.long, requires_grad=True),
    "numpy_requires_grad": lambda t: leaf(t).numpy(),
    "numpy_nonleaf": lambda t: (leaf(t) * 2).numpy(),
    "retain_grad_no_grad": lambda t: t.tensor([1.0]).retain_grad(),
    "hook_no_grad": lambda t: t.tensor([1.0]).register_hook(lambda g: g),
    "post_acc_hook_no_grad": lambda t: t.tensor([1.0]).register_post_accumulate_grad_hook(
        lambda p: None),
    # more from the brief
    "view_non_contiguous": lambda t: t.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).t().view(6),
    "view_bad_size": lambda t: t.zeros(2, 3).view(4),
    "reshape_bad_size": lambda t: t.zeros(2, 3).reshape(4, 2),
    "mm_shape_mismatch": lambda t: t.mm(t.zeros(2, 3), t.zeros(2, 3)),
    "mm_not_matrix": lambda t: t.mm(t.zeros(3), t.zeros(3, 2)),
    "matmul_shape_mismatch": lambda t: t.zeros(2, 3) @ t.zeros(4),
    "dot_size_mismatch": lambda t: t.dot(t.zeros(2), t.zeros(3)),
    "item_many_elements": lambda t: t.tensor([1.0, 2.0]).item(),
    "bool_many_elements": lambda t: bool(t.tensor([1.0, 2.0])),
    "post_acc_hook_non_leaf": lambda t: (leaf(t) * 2).register_post_accumulate_grad_hook(
        lambda p: None),
    "grad_unused_input": lambda t: t.autograd.grad((leaf(t) * 2).sum(), [leaf(t)]),
    "grad_unused_second_input": lambda t: (lambda x, u: t.autograd.grad(
        (x * 2).sum(), [x, u]))(leaf(t), leaf(t)),
    "grad_input_no_grad": lambda t: t.autograd.grad((leaf(t) * 2).sum(), [t.tensor([1.0])]),
    "grad_twice": lambda t: (lambda s, x: (t.autograd.grad(s, x), t.autograd.grad(s, x)))(
        *(lambda x: ((x * x).sum(), x))(leaf(t))),
    "backward_empty_inputs": lambda t: (leaf(t) * 2).sum().backward(inputs=[]),
    "broadcast_mismatch": lambda t: t.zeros(2) + t.zeros(3),
    "broadcast_mismatch_2d": lambda t: t.zeros(2, 3) * t.zeros(2, 2),
    "dim_out_of_range": lambda t: t.zeros(2, 3).sum(2),
    "index_out_of_range": lambda t: t.zeros(2)[5],
    "cat_size_mismatch": lambda t: t.cat([t.zeros(2, 2), t.zeros(2, 3)]),
    "mean_of_int": lambda t: t.tensor([1, 2]).mean(),
    "inplace_result_type": lambda t: t.tensor([1, 2]).add_(1.5),
    "custom_function_wrong_grad_count": custom_function_wrong_grad_count,
    "grad_assigned_wrong_shape": grad_assigned_wrong_shape,
    "grad_assigned_wrong_dtype": grad_assigned_wrong_dtype,
    "hook_changes_shape": hook_changes_shape,
    "nonleaf_hook_changes_shape": nonleaf_hook_changes_shape,
    "len_of_0d": lambda t: len(t.tensor(1.0)),
    "iter_of_0d": lambda t: iter(t.tensor(1.0)),
}


def _error_scenario(case):
    def scenario(torch):
        return error_of(lambda: ERROR_CASES[case](torch))
    scenario.__name__ = f"sc_{case}"
    return scenario


for _case in ERROR_CASES:
    globals()[f"sc_{_case}"] = _error_scenario(_case)


# ---------------------------------------------------------------- warnings

def sc_warning_nonleaf_grad(torch):
    x = leaf(torch)
    y = x * 3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = y.grad
    return {"value": value, "warnings": [(w.category.__name__, warning_text(w)) for w in caught]}


def sc_warning_nonleaf_grad_not_when_retained(torch):
    x = leaf(torch)
    y = x * 3
    y.retain_grad()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = y.grad
    return {"value": value, "warnings": [(w.category.__name__, warning_text(w)) for w in caught]}


def sc_warning_detect_anomaly_enabled(torch):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with torch.autograd.detect_anomaly():
            pass
    return [(w.category.__name__, warning_text(w)) for w in caught]


def sc_no_warning_for_leaf_grad_or_plain_backward(torch):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = leaf(torch)
        (x * 2).sum().backward()
        value = repr(x.grad)
    return {"value": value, "warnings": [(w.category.__name__, warning_text(w)) for w in caught]}


# ---------------------------------------------------------------- the tests

SCENARIOS = oracle.scenarios(globals())
KNOWN_DIVERGENCES = {
}


@pytest.mark.parametrize("name", oracle.params(SCENARIOS, KNOWN_DIVERGENCES))
def test_matches_torch(name):
    oracle.agree(SCENARIOS[name])


def test_every_error_case_raises_in_torch():
    assert all(oracle.run(SCENARIOS[case], "torch") is not None for case in ERROR_CASES)
