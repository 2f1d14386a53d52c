"""Conv1d/2d/3d with padding_mode reflect / replicate / circular live against torch: the
input padded by F.pad (its pad node) and convolved unpadded, values and gradients, the
module's repr and _reversed_padding_repeated_twice, and the bad-mode text."""
import numpy as np
import pytest

from surface_live import check

RNG = np.random.default_rng(13)
INPUTS = {1: RNG.normal(size=(2, 2, 7)), 2: RNG.normal(size=(2, 2, 5, 6)),
          3: RNG.normal(size=(1, 2, 4, 4, 5))}
LAYERS = {
    "1d reflect": (1, dict(kernel_size=3, padding=1, padding_mode="reflect")),
    "1d circular same, even kernel": (1, dict(kernel_size=4, padding="same",
                                              padding_mode="circular")),
    "1d replicate strided": (1, dict(kernel_size=3, stride=2, padding=2,
                                     padding_mode="replicate")),
    "2d reflect": (2, dict(kernel_size=3, padding=1, padding_mode="reflect")),
    "2d replicate, two paddings": (2, dict(kernel_size=(3, 2), padding=(1, 2),
                                           padding_mode="replicate")),
    "2d circular valid": (2, dict(kernel_size=2, padding="valid", padding_mode="circular")),
    "3d replicate": (3, dict(kernel_size=2, padding=1, padding_mode="replicate")),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_padding_mode(name):
    spatial, options = LAYERS[name]

    def snippet(t):
        t.manual_seed(0)
        layer = getattr(t.nn, f"Conv{spatial}d")(2, 4, **options)
        x = t.tensor(INPUTS[spatial], dtype=t.float32, requires_grad=True)
        out = layer(x)
        node = out.grad_fn
        grads = t.autograd.grad((out * out).sum(), [x, layer.weight])
        return [repr(layer), list(layer._reversed_padding_repeated_twice), out, node.name(),
                node.next_functions[0][0].name(), node._saved_padding] + list(grads)
    check(snippet, rtol=1e-5, atol=1e-5)


def test_an_unknown_padding_mode():
    """torch prints a set of the modes, whose order changes from process to process: the
    text is compared with the set's entries sorted."""
    def snippet(t):
        try:
            t.nn.Conv2d(2, 3, 3, padding_mode="foo")
        except ValueError as error:
            text = str(error)
            start, end = text.index("{"), text.index("}") + 1
            modes = sorted(m.strip(" '") for m in text[start + 1:end - 1].split(","))
            return [text[:start], modes, text[end:]]
    check(snippet)
