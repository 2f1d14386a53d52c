"""Engine events the model turns into state: retain_grad, zero_grad, parameters."""


def by_name(state, name):
    return next(t for t in state.tensors.values() if t.name == name)


def test_retain_grad_shows_before_any_gradient_arrives(finished_state):
    state = finished_state("""
        import engine as torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
    """)
    assert by_name(state, "y").retains_grad is True
    assert by_name(state, "y").grad is None


def test_zero_grad_clears_parameter_grads(finished_state):
    state = finished_state("""
        import engine as torch
        import engine.nn as nn
        layer = nn.Linear(3, 2)
        layer(torch.ones(1, 3)).sum().backward()
        layer.zero_grad()
    """)
    weight = by_name(state, "Linear.weight")      # a module nobody owns is named by its class
    assert weight.grad is None
    assert [change.grad is None for change in weight.grad_history] == [False, True]
