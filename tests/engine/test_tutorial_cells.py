"""The tutorial's cells 1-6 (seed NOTES.md rows 1-6), run verbatim with `engine` for `torch`.

Each `sc_*` scenario takes the torch-like module as its argument and returns what a reader
sees (printed text, reprs, warnings, errors); each test runs it with torch 2.13 and with
`engine` (tests/oracle.py) and compares.
Cells 2-5 print values that do not depend on x, so they run with `randn` exactly as written;
cell 6 prints x-dependent values, so it uses an explicit x (and once with randn, for names).
"""
import contextlib
import io
import warnings

import pytest

import oracle
from oracle import warning_text


# ---------------------------------------------------------------- helpers (shared shape)


def run_cell(fn):
    """Run a cell: what it printed, the warnings it raised, and the error that stopped it."""
    out = io.StringIO()
    error = None
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the cell's error is the observation
            error = (type(e).__name__, str(e))
    return {"printed": out.getvalue(),
            "warnings": [(w.category.__name__, warning_text(w)) for w in caught],
            "error": error}


def edges(node):
    """next_functions as (name, input_nr), None for an input that needs no grad."""
    return [None if fn is None else (fn.name(), nr) for fn, nr in node.next_functions]


# ---------------------------------------------------------------- cells

def sc_cell1_grad_is_none_before_backward(torch):
    def cell():
        x = torch.randn(2, requires_grad=True)
        print(x.grad)
        print(x.shape, x.dtype, x.requires_grad, x.is_leaf, x.grad_fn)
    return run_cell(cell)


def sc_cell2_backward_with_gradient_argument(torch):
    def cell():
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        gradients = torch.tensor([100, 0.1], dtype=torch.float)
        y.backward(gradients)
        print(x.grad)
        print(y.grad)
    return run_cell(cell)


def sc_cell3_backward_again_fresh_graph(torch):
    def cell():
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        gradients = torch.tensor([100, 0.1], dtype=torch.float)
        y.backward(gradients)
        print(x.grad)
    return run_cell(cell)


def sc_cell4_requires_grad_false(torch):
    def cell():
        x = torch.randn(2, requires_grad=False)
        y = x * 3
        gradients = torch.tensor([100, 0.1], dtype=torch.float)
        y.backward(gradients)
        print(x.grad)
    return run_cell(cell)


def sc_cell5_backward_twice(torch):
    def cell():
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        gradients = torch.tensor([100, 0.1], dtype=torch.float)
        y.backward(gradients)
        print(x.grad)
        y.backward(gradients)
        print(x.grad)
    return run_cell(cell)


def sc_cell5b_retain_graph_accumulates(torch):
    def cell():
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        gradients = torch.tensor([100, 0.1], dtype=torch.float)
        y.backward(gradients, retain_graph=True)
        print(x.grad)
        y.backward(gradients)
        print(x.grad)
    return run_cell(cell)


def sc_cell6_grad_fn_reprs(torch):
    x = torch.tensor([2.0514, -1.6369], requires_grad=True)
    y = x * 3
    z = x / 2
    w = x + y
    return {"repr": repr((w, y, z)),
            "names": [w.grad_fn.name(), y.grad_fn.name(), z.grad_fn.name()],
            "w_next": edges(w.grad_fn),
            "y_next": edges(y.grad_fn),
            "z_next": edges(z.grad_fn),
            "acc_is_shared": w.grad_fn.next_functions[0][0] is y.grad_fn.next_functions[0][0],
            "acc_variable_is_x": y.grad_fn.next_functions[0][0].variable is x,
            "w_second_edge_is_y_node": w.grad_fn.next_functions[1][0] is y.grad_fn,
            "y_saved_other": repr(y.grad_fn._saved_other),
            "y_saved_self": repr(y.grad_fn._saved_self),
            "z_saved_other": repr(z.grad_fn._saved_other),
            "z_saved_self": repr(z.grad_fn._saved_self)}


def sc_cell6_with_randn(torch):
    x = torch.randn(2, requires_grad=True)
    y = x * 3
    z = x / 2
    w = x + y
    return {"names": [type(t.grad_fn).__name__ for t in (w, y, z)],
            "repr_suffixes": [repr(t).rsplit(", ", 1)[1] for t in (w, y, z)],
            "shapes": [tuple(t.shape) for t in (w, y, z)],
            "leaf": [x.is_leaf, y.is_leaf]}


def sc_cell_buffers_freed_by_first_backward(torch):
    """Row 4's picture: MulBackward0's saved `other` is readable, then freed by backward."""
    x = torch.randn(2, requires_grad=True)
    y = x * 3
    before = repr(y.grad_fn._saved_other)
    y.backward(torch.tensor([100, 0.1], dtype=torch.float))
    try:
        y.grad_fn._saved_other
        after = None
    except RuntimeError as e:
        after = str(e)
    return {"before": before, "after": after}


def sc_cell_retain_graph_keeps_buffers(torch):
    x = torch.randn(2, requires_grad=True)
    y = x * 3
    y.backward(torch.tensor([100, 0.1], dtype=torch.float), retain_graph=True)
    return {"saved_other": repr(y.grad_fn._saved_other), "grad": repr(x.grad)}


# ---------------------------------------------------------------- the tests

SCENARIOS = oracle.scenarios(globals())
KNOWN_DIVERGENCES = {
}


@pytest.mark.parametrize("name", oracle.params(SCENARIOS, KNOWN_DIVERGENCES))
def test_matches_torch(name):
    oracle.agree(SCENARIOS[name])
