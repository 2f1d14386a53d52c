"""The advice an in-place error on a view ends with follows PyTorch's creation meta, as
propagate_creation_meta passes it through views of views: the latest mode that set one
wins (a split made with grad enabled of a view made under no_grad is MULTI_OUTPUT_NODE:
core seed 1007823), inference mode's sticks. Texts live against torch."""
import pytest

import oracle


def no_grad_view_then_split(torch, x):
    with torch.no_grad():
        view = x[1:]
    return torch.split(view, [1, 1], 1)[0]


def split_then_no_grad_view(torch, x):
    piece = torch.split(x, [1, 1], 1)[0]
    with torch.no_grad():
        return piece[:]


def no_grad_split_then_view(torch, x):
    with torch.no_grad():
        piece = torch.split(x, [1, 1], 1)[0]
    return piece.view(-1)


def split_view_no_grad_view_view(torch, x):
    with torch.no_grad():
        view = x[:]
    piece = torch.split(view, [1, 1], 1)[0]
    with torch.no_grad():
        again = piece[:]
    return again.view(-1)


def unbind_of_no_grad_view(torch, x):
    with torch.no_grad():
        view = x.t()
    return view.unbind(0)[1]


MAKERS = {f.__name__: f for f in (no_grad_view_then_split, split_then_no_grad_view,
                                  no_grad_split_then_view, split_view_no_grad_view_view,
                                  unbind_of_no_grad_view)}


def edit_error(lib, name, base_requires_grad):
    torch = lib.torch
    x = torch.tensor([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], requires_grad=base_requires_grad)
    if base_requires_grad:
        x = x * 1
    view = MAKERS[name](torch, x)
    value = torch.ones(view.shape, requires_grad=True)
    return oracle.error_of(lambda: view.copy_(value))


@pytest.mark.parametrize("base_requires_grad", [False, True])
@pytest.mark.parametrize("name", sorted(MAKERS))
def test_the_advice_follows_the_latest_creation_meta(name, base_requires_grad):
    oracle.agree(edit_error, name, base_requires_grad, namespace_arg=True)


# A view made under no_grad whose base was then changed in place with grad enabled raises
# when an op collects its edge, which autograd does before the op's kernel checks its
# arguments: the stale view's error comes first (core seeds 1132939, 1134932).
BAD_CALLS = {
    "view of a wrong size": lambda torch, stale: stale.view(5),
    "view across strides": lambda torch, stale: stale.t().view(-1),
    "mv of mismatched sizes": lambda torch, stale: torch.ones(2, 1) @ stale,
    "mm of mismatched shapes": lambda torch, stale: torch.mm(stale.view(3, 1), torch.ones(2, 2)),
    "dot of mismatched sizes": lambda torch, stale: torch.dot(stale, torch.ones(2)),
    "bmm of a matrix": lambda torch, stale: torch.bmm(stale.view(1, 3), torch.ones(1, 3, 1)),
    "a good view": lambda torch, stale: stale.view(3, 1),
}


def stale_view_call(lib, name):
    torch = lib.torch
    x = torch.tensor([[0.5, -1.0, 2.0], [0.25, -0.75, 1.5]], requires_grad=True)
    base = x * 2
    with torch.no_grad():
        stale = base[0]
    base.mul_(3)
    try:
        BAD_CALLS[name](torch, stale.t() if name == "view across strides" else stale)
    except (RuntimeError, IndexError) as error:
        return type(error).__name__, str(error)
    return "no error"


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_a_stale_view_raises_before_the_kernel_checks(name):
    oracle.agree(stale_view_call, name, namespace_arg=True)
