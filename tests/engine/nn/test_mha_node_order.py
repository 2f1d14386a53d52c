"""MultiheadAttention with key is value but another query: torch projects the query first,
then key and value, so backward runs the key / value branch first (nn seed 530307: an
in-place edit of the query made backward fail before or after the key's gradient was
stored). The order nodes run in, live against torch."""
import numpy as np

import oracle


def node_order(lib):
    rng = np.random.RandomState(0)
    q = lib.torch.tensor(rng.randn(2, 1, 4).astype("float32"), requires_grad=True)
    kv = lib.torch.tensor(rng.randn(3, 1, 4).astype("float32"), requires_grad=True)
    m = lib.nn.MultiheadAttention(4, 2)
    _, weights = m(q, kv, kv, need_weights=True)
    order, seen = [], set()

    def hook(fn):
        fn.register_prehook(lambda grads, fn=fn: order.append(fn.name()))
        for child, _ in fn.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                hook(child)
    hook(weights.grad_fn)
    weights.sum().backward()
    return order


def test_key_value_branch_runs_first():
    order = oracle.agree(node_order, namespace_arg=True)
    assert order.index("CloneBackward0") < order.index("AddmmBackward0")
