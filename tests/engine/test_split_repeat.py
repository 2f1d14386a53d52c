"""split / chunk / unbind / repeat against torch 2.13 (nodes, saved values, views, gradients
and error texts recorded from torch by hand; torch is never imported here)."""
import numpy as np
import pytest

import engine

MINUS_1, MINUS_2 = 2 ** 64 - 1, 2 ** 64 - 2      # negative dims as torch shows them saved


def x24():
    return engine.arange(24.).reshape(2, 3, 4).requires_grad_()


def saved(node):
    return {name[7:]: getattr(node, name) for name in dir(node) if name.startswith("_saved_")}


# (call, output shapes, node name, saved values)
CASES = {
    "split": (lambda x: x.split(2, -1), [(2, 3, 2), (2, 3, 2)], "SplitBackward0",
              {"dim": MINUS_1, "self_sym_sizes": (2, 3, 4), "split_size": 2}),
    "split uneven": (lambda x: engine.split(x, 3, 2), [(2, 3, 3), (2, 3, 1)], "SplitBackward0",
                     {"dim": 2, "self_sym_sizes": (2, 3, 4), "split_size": 3}),
    "split larger than dim": (lambda x: x.split(5, 2), [(2, 3, 4)], "SplitBackward0",
                              {"dim": 2, "self_sym_sizes": (2, 3, 4), "split_size": 5}),
    "split keywords": (lambda x: x.split(split_size=2, dim=1), [(2, 2, 4), (2, 1, 4)],
                       "SplitBackward0", {"dim": 1, "self_sym_sizes": (2, 3, 4),
                                          "split_size": 2}),
    "split sizes": (lambda x: x.split([1, 3], 2), [(2, 3, 1), (2, 3, 3)],
                    "SplitWithSizesBackward0",
                    {"dim": 2, "self_sym_sizes": (2, 3, 4), "split_sizes": (1, 3)}),
    "split sizes tuple": (lambda x: engine.split(x, (3, 1), dim=-1), [(2, 3, 3), (2, 3, 1)],
                          "SplitWithSizesBackward0",
                          {"dim": MINUS_1, "self_sym_sizes": (2, 3, 4), "split_sizes": (3, 1)}),
    "chunk": (lambda x: x.chunk(3, 2), [(2, 3, 2), (2, 3, 2)], "SplitBackward0",
              {"dim": 2, "self_sym_sizes": (2, 3, 4), "split_size": 2}),
    "chunk more than size": (lambda x: engine.chunk(x, 5, dim=1), [(2, 1, 4)] * 3,
                             "SplitBackward0",
                             {"dim": 1, "self_sym_sizes": (2, 3, 4), "split_size": 1}),
    "chunk empty dim": (lambda x: engine.ones(0, 2, requires_grad=True).chunk(3), [(0, 2)] * 3,
                        "SplitWithSizesBackward0",
                        {"dim": 0, "self_sym_sizes": (0, 2), "split_sizes": (0, 0, 0)}),
    "unbind": (lambda x: x.unbind(1), [(2, 4)] * 3, "UnbindBackward0", {"dim": 1}),
    "unbind negative": (lambda x: engine.unbind(x, dim=-2), [(2, 4)] * 3, "UnbindBackward0",
                        {"dim": MINUS_2}),
    "iterate": (lambda x: tuple(x), [(3, 4)] * 2, "UnbindBackward0", {"dim": 0}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_share_one_node(name):
    call, shapes, node_name, expected_saved = CASES[name]
    outs = call(x24())
    assert isinstance(outs, tuple) and [tuple(o.shape) for o in outs] == shapes
    node = outs[0].grad_fn
    assert node.name() == node_name and all(o.grad_fn is node for o in outs)
    assert [o.output_nr for o in outs] == list(range(len(outs)))
    assert saved(node) == expected_saved


def test_outputs_are_views_sharing_the_version_counter():
    x = engine.tensor(np.arange(24.).reshape(2, 3, 4))
    a, b = x.split(2, -1)
    assert a._base is x and b._base is x and a.grad_fn is None
    a.mul_(2)
    assert x._version == b._version == 1 and x[0, 0, 0].item() == 0 and x[0, 0, 1].item() == 2


@pytest.mark.parametrize("use, expected", [
    (lambda x: (x.split([1, 3], -1)[0] * 2).sum(), [[[2.0, 0.0, 0.0, 0.0]] * 3] * 2),
    (lambda x: (x.unbind(1)[0] + x.unbind(1)[2] * 3).sum(),
     [[[1.0] * 4, [0.0] * 4, [3.0] * 4]] * 2),
    (lambda x: (x.chunk(3, 2)[1] ** 2).sum(),
     [[[0.0, 0.0, 4.0, 6.0], [0.0, 0.0, 12.0, 14.0], [0.0, 0.0, 20.0, 22.0]],
      [[0.0, 0.0, 28.0, 30.0], [0.0, 0.0, 36.0, 38.0], [0.0, 0.0, 44.0, 46.0]]]),
])
def test_unused_outputs_get_zero_gradients(use, expected):
    x = x24()
    use(x).backward()
    assert x.grad.tolist() == expected


def test_repeat():
    x = x24()
    y = x.repeat(2, 1, 1, 2)
    assert tuple(y.shape) == (2, 2, 3, 8) and y.grad_fn.name() == "RepeatBackward0"
    assert saved(y.grad_fn) == {"repeats": (2, 1, 1, 2), "self_sym_sizes": (2, 3, 4)}
    y.backward(engine.arange(float(y.numel())).reshape(tuple(y.shape)))
    assert x.grad.tolist() == [
        [[104.0, 108.0, 112.0, 116.0], [136.0, 140.0, 144.0, 148.0],
         [168.0, 172.0, 176.0, 180.0]],
        [[200.0, 204.0, 208.0, 212.0], [232.0, 236.0, 240.0, 244.0],
         [264.0, 268.0, 272.0, 276.0]]]


@pytest.mark.parametrize("call, shape, repeats", [
    (lambda x: x.repeat((2, 1, 1)), (4, 3, 4), (2, 1, 1)),
    (lambda x: x.repeat(repeats=[1, 2, 1]), (2, 6, 4), (1, 2, 1)),
    (lambda x: x.repeat(engine.Size([2, 0, 1])), (4, 0, 4), (2, 0, 1)),
    (lambda x: x.repeat(np.int64(2), 1, 1), (4, 3, 4), (2, 1, 1)),
    (lambda x: engine.tensor(2.0, requires_grad=True).repeat(3), (3,), (3,)),
])
def test_repeat_arguments(call, shape, repeats):
    y = call(x24())
    assert tuple(y.shape) == shape and y.grad_fn._saved_repeats == repeats


def test_repeat_values():
    assert engine.tensor([[1, 2], [3, 4]]).repeat(2, 2).tolist() == [
        [1, 2, 1, 2], [3, 4, 3, 4], [1, 2, 1, 2], [3, 4, 3, 4]]


MULTI_VIEW = ("This view is the output of a function that returns multiple views. Such functions "
              "do not allow the output views to be modified inplace. You should replace the "
              "inplace operation by an out-of-place one.")
EDITED = "Output {} of {} is a view and is being modified inplace. " + MULTI_VIEW
BASE_EDITED = ("Output {} of {} is a view and its base or another view of its base has been "
               "modified inplace. " + MULTI_VIEW)


def _edit_base_then_use(x):
    y = x * 1
    a, _ = y.split(2, -1)
    y.mul_(2)
    return a * 1


def _edit_under_no_grad_then_use(x):
    a, _ = (x * 1).split(2, -1)
    with engine.no_grad():
        a.mul_(2)
    return a * 1


def _setitem(x):
    a, _ = (x * 1).split(2, -1)
    a[0] = 1.0


def _edit_a_view_of_an_output(x):
    a, _ = (x * 1).unbind(0)
    a[0].mul_(2)


ERRORS = [
    (lambda x: x.split(0, 2), RuntimeError,
     "split_size can only be 0 if dimension size is 0, but got dimension size of 4"),
    (lambda x: x.split(-1, 7), RuntimeError,
     "split expects split_size be non-negative, but got split_size=-1"),
    (lambda x: x.split([1, 2], -1), RuntimeError,
     "split_with_sizes expects split_sizes to sum exactly to 4 (input tensor's size at dimension "
     "-1), but got split_sizes=[1, 2]"),
    (lambda x: x.split([5, -1], 2), RuntimeError, "split_with_sizes expects split_sizes have only "
     "non-negative entries, but got split_sizes=[5, -1]"),
    (lambda x: x.split([1, -1], 7), IndexError,
     "Dimension out of range (expected to be in range of [-3, 2], but got 7)"),
    (lambda x: engine.tensor(1.0).split(1), RuntimeError,
     "split expects at least a 1-dimensional tensor"),
    (lambda x: x.chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"),
    (lambda x: engine.tensor(1.0).chunk(1), RuntimeError,
     "chunk expects at least a 1-dimensional tensor"),
    (lambda x: x.chunk(2, 5), IndexError,
     "Dimension out of range (expected to be in range of [-3, 2], but got 5)"),
    (lambda x: x.unbind(3), IndexError,
     "Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
    (lambda x: engine.tensor(1.0, requires_grad=True).unbind(), IndexError,
     "Dimension specified as 0 but tensor has no dimensions"),
    (lambda x: x.repeat(2, 2), RuntimeError, "Number of dimensions of repeat dims can not be "
     "smaller than number of dimensions of tensor"),
    (lambda x: x.repeat(1, -1, -2), RuntimeError,
     "Trying to create tensor with negative dimension -3: [2, -3, -8]"),
    (lambda x: x.repeat(), TypeError, 'repeat() missing 1 required positional arguments: '
     '"repeats"'),
    (lambda x: x.repeat((1, 2), 1), TypeError, "repeat() takes 1 positional argument but 2 were "
     "given"),
    (lambda x: x.split(2, -1)[0].mul_(2), RuntimeError, EDITED.format(0, "Split")),
    (lambda x: x.chunk(2, 2)[1].add_(1), RuntimeError, EDITED.format(1, "Split")),
    (lambda x: x.split([1, 3], 2)[1].zero_(), RuntimeError, EDITED.format(1, "SplitWithSizes")),
    (lambda x: list(x)[0].mul_(2), RuntimeError, EDITED.format(0, "Unbind")),
    (_setitem, RuntimeError, EDITED.format(0, "Select")),
    (_edit_a_view_of_an_output, RuntimeError, EDITED.format(0, "Select")),
    (_edit_base_then_use, RuntimeError, BASE_EDITED.format(0, "Split")),
    (_edit_under_no_grad_then_use, RuntimeError, BASE_EDITED.format(0, "Split")),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_match_torch(index):
    fn, kind, text = ERRORS[index]
    with pytest.raises(kind) as raised:
        fn(x24())
    assert str(raised.value) == text


@pytest.mark.parametrize("op", [
    lambda x: x.split([1, 2], 1)[1] ** 3,
    lambda x: x.unbind(0)[1] ** 3,
    lambda x: x.repeat(2, 1) ** 3,
])
def test_second_derivative_through_the_node(op):
    from engine.autograd import gradcheck

    def first_grad(x):
        return engine.autograd.grad(op(x).sum(), x, create_graph=True)[0]

    x = engine.tensor([[0.3, -0.8, 1.1], [0.5, 0.2, -1.3]], dtype=engine.float64,
                      requires_grad=True)
    assert gradcheck(first_grad, (x,), eps=1e-6, atol=1e-5, rtol=1e-4)
