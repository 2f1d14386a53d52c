"""Two fidelity details torch.distributions leans on, held to PyTorch live: bernoulli of an
expanded or transposed probability tensor draws in the result's row-major order (torch's
result is contiguous whatever the input's strides), and a Size concatenated with a tuple on
either side is a Size."""
import pytest
import torch

import engine


def _layouts(lib):
    return {"expanded": lib.tensor([0.2, 0.9]).expand(3, 2),
            "transposed": lib.rand(3, 4).t(),
            "broadcast middle": lib.rand(3, 1, 2).expand(3, 4, 2)}


@pytest.mark.parametrize("layout", ["expanded", "transposed", "broadcast middle"])
def test_bernoulli_of_a_strided_tensor_draws_what_torch_draws(layout):
    draws = {}
    for lib in (torch, engine):
        lib.manual_seed(3)
        probs = _layouts(lib)[layout]
        result = lib.bernoulli(probs)
        draws[lib.__name__] = (result.tolist(), result.stride())
    assert draws["engine"] == draws["torch"]


def test_size_plus_tuple_is_a_size_either_side():
    def case(lib):
        shapes = [lib.Size([2]) + (3,), (1,) + lib.Size([3]), lib.Size([2]) + lib.Size([3])]
        try:
            lib.Size([2]) + [3]
        except TypeError as error:
            return [repr(s) for s in shapes], str(error)
    assert case(engine) == case(torch)
