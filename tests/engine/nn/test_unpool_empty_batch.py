"""max_unpool of an empty batch (nn seed 550513: NumPy cannot infer a -1 size over no
elements), forward and backward, live against torch."""
import oracle


def empty_batch_unpool(lib):
    x = lib.torch.zeros(0, 1, 3, 4, requires_grad=True)
    pooled, indices = lib.F.max_pool2d(x, 3, 1, return_indices=True)
    y = lib.F.max_unpool2d(pooled, indices, 3, 1, output_size=[3, 4])
    y.sum().backward()
    z = lib.F.max_unpool1d(lib.torch.zeros(0, 2, 3),
                           lib.torch.zeros(0, 2, 3, dtype=lib.torch.int64), 2)
    return [tuple(y.shape), y.grad_fn.name(), tuple(x.grad.shape), tuple(z.shape)]


def test_an_empty_batch_unpools_as_torch():
    oracle.agree(empty_batch_unpool, namespace_arg=True)
