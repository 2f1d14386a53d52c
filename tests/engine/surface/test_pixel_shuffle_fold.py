"""F.pixel_shuffle / pixel_unshuffle, F.unfold / fold and their modules live against torch:
values, node names and saved values, gradients, double backward, error texts, reprs."""
import numpy as np
import pytest

from surface_live import check


def _leaf(t, shape, seed=0):
    rng = np.random.default_rng(seed)
    return t.tensor(rng.normal(size=shape), dtype=t.float32, requires_grad=True)


def graded(op, shape, saved=()):
    def snippet(t):
        x = _leaf(t, shape)
        out = op(t, x)
        node = out.grad_fn
        weights = t.tensor(np.random.default_rng(1).normal(size=tuple(out.shape)),
                           dtype=t.float32)
        (grad,) = t.autograd.grad((out * out * weights).sum(), x, create_graph=True)
        (second,) = t.autograd.grad((grad * grad).sum(), x)
        return [out, node.name(), [getattr(node, f"_saved_{k}") for k in saved], grad,
                grad.grad_fn.name(), second]
    return snippet


F_CASES = {
    "pixel_shuffle": (lambda t, x: t.nn.functional.pixel_shuffle(x, 2), (2, 8, 3, 3),
                      ("upscale_factor",)),
    "pixel_shuffle 3-D": (lambda t, x: t.nn.functional.pixel_shuffle(x, 3), (9, 2, 2), ()),
    "pixel_shuffle 5-D": (lambda t, x: t.nn.functional.pixel_shuffle(x, 2), (1, 2, 4, 2, 3),
                          ()),
    "pixel_unshuffle": (lambda t, x: t.nn.functional.pixel_unshuffle(x, 2), (2, 3, 4, 6),
                        ("downscale_factor",)),
    "module shuffle": (lambda t, x: t.nn.PixelShuffle(2)(x.transpose(2, 3)), (1, 4, 3, 2), ()),
    "unfold": (lambda t, x: t.nn.functional.unfold(x, 2, padding=1, stride=2), (2, 3, 3, 3),
               ("kernel_size", "dilation", "padding", "stride", "self_sym_argsize_minus_1",
                "self_sym_argsize_minus_2")),
    "unfold dilation": (lambda t, x: t.nn.functional.unfold(x, (2, 3), dilation=(2, 1)),
                        (1, 2, 5, 6), ()),
    "unfold unbatched": (lambda t, x: t.nn.Unfold(2)(x), (3, 4, 4), ()),
    "fold": (lambda t, x: t.nn.functional.fold(x, (4, 4), 2), (2, 12, 9),
             ("kernel_size", "dilation", "padding", "stride")),
    "fold overlapping": (lambda t, x: t.nn.Fold((5, 4), (3, 2), padding=1, stride=(1, 2))(x),
                         (1, 12, 15), ()),
    "fold unbatched": (lambda t, x: t.nn.functional.fold(x, 4, 2, stride=2), (8, 4), ()),
}


@pytest.mark.parametrize("name", sorted(F_CASES))
def test_values_nodes_and_grads(name):
    op, shape, saved = F_CASES[name]
    check(graded(op, shape, saved), rtol=1e-5, atol=1e-5)


ERRORS = {
    "shuffle rank": lambda t: t.nn.functional.pixel_shuffle(t.ones(2, 3), 2),
    "shuffle channels": lambda t: t.nn.functional.pixel_shuffle(t.ones(1, 7, 2, 2), 2),
    "shuffle factor": lambda t: t.nn.functional.pixel_shuffle(t.ones(1, 8, 2, 2), 0),
    "unshuffle height": lambda t: t.nn.functional.pixel_unshuffle(t.ones(1, 8, 3, 2), 2),
    "unshuffle width": lambda t: t.nn.functional.pixel_unshuffle(t.ones(1, 8, 4, 3), 2),
    "unshuffle factor": lambda t: t.nn.functional.pixel_unshuffle(t.ones(1, 8, 2, 2), -1),
    "unfold rank": lambda t: t.nn.functional.unfold(t.ones(2, 3), 2),
    "unfold too big": lambda t: t.nn.functional.unfold(t.ones(1, 1, 2, 2), 3),
    "unfold stride": lambda t: t.nn.functional.unfold(t.ones(1, 1, 3, 3), 2, stride=0),
    "fold blocks": lambda t: t.nn.functional.fold(t.ones(1, 4, 5), (3, 3), 2),
    "fold channels": lambda t: t.nn.functional.fold(t.ones(1, 5, 4), (3, 3), 2),
    # ATen's im2col/col2im shape checks: empty dims (only the batch may be 0), ranks, order
    "unfold empty height": lambda t: t.nn.functional.unfold(t.ones(4, 1, 0, 4), 2),
    "unfold empty channels": lambda t: t.nn.functional.unfold(t.ones(1, 0, 3, 4), 2),
    "unfold empty unbatched": lambda t: t.nn.functional.unfold(t.ones(0, 3, 4), 2),
    "unfold empty batch": lambda t: t.nn.functional.unfold(t.ones(0, 1, 3, 4), 2),
    "unfold 5-D": lambda t: t.nn.functional.unfold(t.ones(2, 3, 4, 5, 6), 2),
    "unfold 2-D empty": lambda t: t.nn.functional.unfold(t.ones(3, 0), 2),
    "unfold 1-D": lambda t: t.nn.functional.unfold(t.ones(4), 2),
    "unfold kernel before rank": lambda t: t.nn.functional.unfold(t.ones(3, 4), 0),
    "fold empty channels": lambda t: t.nn.functional.fold(t.ones(4, 0, 4), 3, 2),
    "fold empty blocks": lambda t: t.nn.functional.fold(t.ones(4, 4, 0), 3, 2),
    "fold empty batch": lambda t: t.nn.functional.fold(t.ones(0, 4, 4), 3, 2),
    "fold 1-D": lambda t: t.nn.functional.fold(t.ones(4), 3, 2),
    "fold 4-D": lambda t: t.nn.functional.fold(t.ones(1, 4, 4, 2), 3, 2),
    # An empty input: unshuffle returns it as it is (fuzz seed 1108204), shuffle reshapes
    # it; the backward of either gets the other's shape and refuses, in PyTorch too.
    "empty unshuffle": lambda t: _empty_shuffles(t, t.nn.functional.pixel_unshuffle),
    "empty shuffle": lambda t: _empty_shuffles(t, t.nn.functional.pixel_shuffle),
}


def _empty_shuffles(t, op):
    shapes = []
    for shape in ((2, 4, 0, 2), (0, 4, 2, 2), (2, 0, 2, 2), (2, 8, 0, 4)):
        x = t.zeros(shape, requires_grad=True)
        out = op(x, 2)
        shapes.append((tuple(out.shape), out.stride(), out.grad_fn.name()))
    try:
        out.sum().backward()
    except RuntimeError as error:
        return shapes, str(error)
    return shapes, None


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(ERRORS[name])


def test_reprs():
    check(lambda t: [repr(t.nn.PixelShuffle(2)), repr(t.nn.PixelUnshuffle(3)),
                     repr(t.nn.Unfold(2)), repr(t.nn.Fold((4, 4), 2, stride=2))])


def test_factor_one_gives_new_memory():
    def snippet(t):
        x = t.arange(4.).reshape(1, 1, 2, 2)
        shuffled, unshuffled = t.nn.functional.pixel_shuffle(x, 1), \
            t.nn.functional.pixel_unshuffle(x, 1)
        shuffled[0, 0, 0, 0] = 9.0
        unshuffled[0, 0, 1, 1] = 7.0
        return [x, shuffled, unshuffled]
    check(snippet)
