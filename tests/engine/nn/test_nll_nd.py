"""NLL over more than 2-D inputs as ATen's nll_loss_nd records it (the 2-D loss on a view,
ViewBackward0 under NllLoss2DBackward0), its target checks and texts, ignored targets'
gradients, and GELU of a 0-d tensor. Each sc_* takes the torch-like module; each test runs it
with torch 2.13 and with `engine` (tests/oracle.py) and compares."""
import pytest

import oracle
from oracle import error_of


def chain(t):
    names, fn = [], t.grad_fn
    while fn is not None:
        names.append(fn.name())
        nxt = [f for f, _ in fn.next_functions if f is not None]
        fn = nxt[0] if nxt else None
    return names


def sc_nll_3d(torch):
    lp = torch.log_softmax(torch.arange(12.0).reshape(2, 3, 2) / 7, 1).detach().requires_grad_()
    target = torch.tensor([[0, 2], [1, -100]])
    loss = torch.nn.functional.nll_loss(lp, target)
    node = loss.grad_fn
    saved = [tuple(node._saved_self.shape), tuple(node._saved_target.shape)]
    loss.backward()
    return [chain(loss), round(loss.item(), 5), saved,
            [round(v, 5) for v in lp.grad.flatten().tolist()]]


def sc_nll_5d_unreduced(torch):
    lp = torch.log_softmax(torch.arange(48.0).reshape(2, 3, 2, 2, 2) / 11, 1).requires_grad_()
    target = torch.tensor([0, 1, 2, 1, 0, 2, 1, 0] * 2).reshape(2, 2, 2, 2)
    out = torch.nn.functional.nll_loss(lp, target, reduction="none")
    return [chain(out), tuple(out.shape), [round(v, 5) for v in out.flatten().tolist()]]


def sc_cross_entropy_over_a_transposed_sequence(torch):
    x = (torch.arange(24.0).reshape(2, 4, 3) / 5).requires_grad_()
    loss = torch.nn.functional.cross_entropy(x.transpose(1, 2), torch.tensor([[0, 1, 2, 0], [2, 2, 1, 0]]))
    loss.backward()
    return [chain(loss), round(loss.item(), 5), [round(v, 5) for v in x.grad.flatten().tolist()]]


def sc_softmax_of_a_transposed_input_is_contiguous(torch):
    x = torch.arange(6.0).reshape(2, 3).t()
    return [torch.softmax(x, 1).is_contiguous(), torch.log_softmax(x, 0).is_contiguous()]


def sc_nll_target_errors(torch):
    F = torch.nn.functional
    lp3 = torch.zeros(2, 3, 2)
    lp4 = torch.zeros(2, 3, 2, 2)
    lp2 = torch.zeros(2, 3)
    return [error_of(lambda: F.nll_loss(lp3, torch.zeros(2, 3, dtype=torch.long))),
            error_of(lambda: F.nll_loss(torch.zeros(2, 3, 2, 2, 2), torch.zeros(2, 2, 2, 3, dtype=torch.long))),
            error_of(lambda: F.nll_loss(lp4, torch.zeros(2, 2, 3, dtype=torch.long))),
            error_of(lambda: F.nll_loss(lp4, torch.zeros(2, 4, dtype=torch.long))),
            error_of(lambda: F.nll_loss(lp2, torch.tensor([0, -1]), ignore_index=5)),
            error_of(lambda: F.nll_loss(lp2, torch.tensor([0, 3])))]


def sc_nll_ignored_and_zero_weight_gradients(torch):
    F = torch.nn.functional
    lp = torch.log_softmax(torch.ones(2, 3), 1).detach().requires_grad_()
    loss = F.nll_loss(lp, torch.tensor([-100, -100]))
    loss.backward()
    all_ignored = [str(loss.item()), lp.grad.tolist()]
    lp = torch.log_softmax(torch.ones(2, 3), 1).detach().requires_grad_()
    loss = F.nll_loss(lp, torch.tensor([0, -100]), weight=torch.tensor([0.0, 1.0, 1.0]))
    loss.backward()
    return [all_ignored, [str(loss.item()), str(lp.grad.tolist())]]


def sc_gelu_of_a_scalar(torch):
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.nn.functional.gelu(x)
    y.backward()
    t = torch.tensor(-0.5, requires_grad=True)
    z = torch.nn.functional.gelu(t, approximate="tanh")
    z.backward()
    return [tuple(y.shape), round(y.item(), 6), round(x.grad.item(), 6),
            tuple(z.shape), round(z.item(), 6), round(t.grad.item(), 6)]


SCENARIOS = oracle.scenarios(globals())


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_matches_torch(name):
    oracle.agree(SCENARIOS[name])
