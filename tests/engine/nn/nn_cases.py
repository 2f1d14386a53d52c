"""Cases run with torch and with engine by test_nn_values.py (through tests/oracle.py). Each
case takes a namespace `lib` with `torch`, `nn`, `F`, `optim` and returns (leaves, output).
The same source on both sides is what makes the values comparable; no case draws random
numbers.
"""
import numpy as np


def det(shape, seed, scale=1.0, offset=0.0):
    """Deterministic float32 data: a sine over the flat index."""
    n = int(np.prod(shape)) if shape else 1
    values = np.sin(np.arange(n) * 0.7 + seed * 1.3) * scale + offset
    return values.reshape(shape).astype(np.float32)


def leaf(lib, shape, seed, scale=1.0, offset=0.0):
    return lib.torch.tensor(det(shape, seed, scale, offset), requires_grad=True)


def const(lib, shape, seed, scale=1.0, offset=0.0):
    return lib.torch.tensor(det(shape, seed, scale, offset))


def longs(lib, values):
    return lib.torch.tensor(values, dtype=lib.torch.long)


def _one(fn, *shapes_and_seeds):
    """A case with leaves of the given (shape, seed) and output fn(lib, *leaves)."""
    def case(lib):
        leaves = [leaf(lib, shape, seed) for shape, seed in shapes_and_seeds]
        return leaves, fn(lib, *leaves)
    return case


def _batch_norm_train(lib, dims):
    bn = lib.nn.BatchNorm2d(3) if dims == 4 else lib.nn.BatchNorm1d(3)
    x = leaf(lib, (4, 3, 3, 2) if dims == 4 else (5, 3), 1, 2.0, 0.5)
    out = bn(x)
    return [x, bn.weight, bn.bias], out, bn


def batch_norm_train_2d(lib):
    leaves, out, _ = _batch_norm_train(lib, 4)
    return leaves, out


def batch_norm_train_1d(lib):
    leaves, out, _ = _batch_norm_train(lib, 2)
    return leaves, out


def batch_norm_running_stats(lib):
    _, _, bn = _batch_norm_train(lib, 4)
    return [], lib.torch.cat([bn.running_mean, bn.running_var])


def batch_norm_eval(lib):
    bn = lib.nn.BatchNorm2d(3)
    bn(const(lib, (4, 3, 3, 2), 2, 1.5, 0.2))
    bn.eval()
    x = leaf(lib, (2, 3, 3, 2), 3)
    return [x, bn.weight, bn.bias], bn(x)


def max_pool_indices(lib):
    x = leaf(lib, (2, 3, 6, 5), 4)
    out, indices = lib.F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    return [x], indices.float()


def embedding_padding(lib):
    emb = lib.nn.Embedding(6, 3, padding_idx=1)
    with lib.torch.no_grad():
        emb.weight.copy_(const(lib, (6, 3), 5))
    return [emb.weight], emb(longs(lib, [[0, 1, 4], [4, 4, 2]]))


CASES = {
    "linear_2d": _one(lambda lib, x, w, b: lib.F.linear(x, w, b), ((3, 4), 1), ((5, 4), 2), ((5,), 3)),
    "linear_3d": _one(lambda lib, x, w, b: lib.F.linear(x, w, b), ((2, 3, 4), 1), ((5, 4), 2), ((5,), 3)),
    "linear_1d": _one(lambda lib, x, w, b: lib.F.linear(x, w, b), ((4,), 1), ((5, 4), 2), ((5,), 3)),
    "linear_no_bias": _one(lambda lib, x, w: lib.F.linear(x, w), ((3, 4), 1), ((5, 4), 2)),
    "linear_3d_no_bias": _one(lambda lib, x, w: lib.F.linear(x, w), ((2, 3, 4), 1), ((5, 4), 2)),
    "conv": _one(lambda lib, x, w, b: lib.F.conv2d(x, w, b),
                 ((2, 3, 7, 6), 1), ((4, 3, 3, 3), 2), ((4,), 3)),
    "conv_stride_pad_dilation": _one(
        lambda lib, x, w, b: lib.F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(2, 1)),
        ((2, 3, 9, 8), 1), ((4, 3, 3, 2), 2), ((4,), 3)),
    "conv_groups_no_bias": _one(lambda lib, x, w: lib.F.conv2d(x, w, groups=2, padding=1),
                                ((2, 4, 5, 5), 1), ((6, 2, 3, 3), 2)),
    "conv_same_even_kernel": _one(lambda lib, x, w: lib.F.conv2d(x, w, padding="same"),
                                  ((1, 2, 6, 5), 1), ((3, 2, 4, 2), 2)),
    "conv_valid_unbatched": _one(lambda lib, x, w: lib.F.conv2d(x, w, padding="valid"),
                                 ((2, 6, 5), 1), ((3, 2, 3, 3), 2)),
    "max_pool": _one(lambda lib, x: lib.F.max_pool2d(x, 2), ((2, 3, 8, 6), 1)),
    "max_pool_options": _one(lambda lib, x: lib.F.max_pool2d(x, 3, 2, 1, 2, ceil_mode=True),
                             ((2, 3, 9, 8), 1)),
    "max_pool_indices": max_pool_indices,
    "max_pool_unbatched": _one(lambda lib, x: lib.F.max_pool2d(x, 2, 1), ((3, 5, 4), 1)),
    "avg_pool": _one(lambda lib, x: lib.F.avg_pool2d(x, 2), ((2, 3, 8, 6), 1)),
    "avg_pool_options": _one(lambda lib, x: lib.F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                            count_include_pad=False),
                             ((2, 3, 8, 7), 1)),
    "avg_pool_divisor": _one(lambda lib, x: lib.F.avg_pool2d(x, 2, divisor_override=3),
                             ((1, 2, 4, 4), 1)),
    "adaptive_avg_pool_1": _one(lambda lib, x: lib.nn.AdaptiveAvgPool2d(1)(x), ((2, 3, 5, 4), 1)),
    "adaptive_avg_pool_3x2": _one(lambda lib, x: lib.F.adaptive_avg_pool2d(x, (3, 2)),
                                  ((2, 3, 7, 5), 1)),
    "adaptive_avg_pool_none": _one(lambda lib, x: lib.F.adaptive_avg_pool2d(x, (None, 2)),
                                   ((2, 3, 4, 5), 1)),
    "batch_norm_train_2d": batch_norm_train_2d,
    "batch_norm_train_1d": batch_norm_train_1d,
    "batch_norm_running_stats": batch_norm_running_stats,
    "batch_norm_eval": batch_norm_eval,
    "relu": _one(lambda lib, x: lib.F.relu(x), ((3, 5), 1)),
    "leaky_relu": _one(lambda lib, x: lib.nn.LeakyReLU(0.2)(x), ((3, 5), 1)),
    "gelu": _one(lambda lib, x: lib.F.gelu(x), ((3, 5), 1)),
    "gelu_tanh": _one(lambda lib, x: lib.nn.GELU("tanh")(x), ((3, 5), 1)),
    "sigmoid": _one(lambda lib, x: lib.nn.Sigmoid()(x), ((3, 5), 1)),
    "tanh": _one(lambda lib, x: lib.nn.Tanh()(x), ((3, 5), 1)),
    "softmax": _one(lambda lib, x: lib.nn.Softmax(dim=1)(x), ((3, 5), 1)),
    "log_softmax": _one(lambda lib, x: lib.nn.LogSoftmax(dim=0)(x), ((3, 5), 1)),
    "flatten": _one(lambda lib, x: lib.nn.Flatten()(x), ((2, 3, 2, 2), 1)),
    "cross_entropy": _one(lambda lib, x: lib.nn.CrossEntropyLoss()(x, longs(lib, [1, 0, 4])),
                          ((3, 5), 1)),
    "cross_entropy_sum": _one(lambda lib, x: lib.F.cross_entropy(x, longs(lib, [1, 0, 4]),
                                                                reduction="sum"), ((3, 5), 1)),
    "cross_entropy_none": _one(lambda lib, x: lib.F.cross_entropy(x, longs(lib, [1, 0, 4]),
                                                                 reduction="none"), ((3, 5), 1)),
    "cross_entropy_weight_ignore": _one(
        lambda lib, x: lib.F.cross_entropy(x, longs(lib, [1, -100, 4, 2]),
                                           weight=const(lib, (5,), 3, 0.4, 1.0)),
        ((4, 5), 1)),
    "cross_entropy_label_smoothing": _one(
        lambda lib, x: lib.nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=2)(
            x, longs(lib, [1, 2, 4, 0])), ((4, 5), 1)),
    "cross_entropy_probabilities": _one(
        lambda lib, x: lib.F.cross_entropy(x, lib.torch.softmax(const(lib, (3, 5), 4), 1)),
        ((3, 5), 1)),
    "cross_entropy_smoothing_weight_sum": _one(
        lambda lib, x: lib.F.cross_entropy(x, longs(lib, [1, 0, 4, 0]), reduction="sum",
                                           weight=const(lib, (5,), 3, 0.4, 1.0),
                                           label_smoothing=0.2, ignore_index=0), ((4, 5), 1)),
    "cross_entropy_smoothing_weight_mean": _one(
        lambda lib, x: lib.F.cross_entropy(x, longs(lib, [1, -100, 4, 2]), label_smoothing=0.3,
                                           weight=const(lib, (5,), 3, 0.4, 1.0)), ((4, 5), 1)),
    "cross_entropy_smoothing_none": _one(
        lambda lib, x: lib.F.cross_entropy(x, longs(lib, [3, 2, 3, 0]), reduction="none",
                                           label_smoothing=0.25, ignore_index=3), ((4, 5), 1)),
    "cross_entropy_smoothing_4d": _one(
        lambda lib, x: lib.F.cross_entropy(x, longs(lib, [[[0, 2], [1, 1]], [[2, 0], [0, 1]]]),
                                           weight=const(lib, (3,), 2, 0.3, 1.0),
                                           label_smoothing=0.2, ignore_index=1),
        ((2, 3, 2, 2), 1)),
    "cross_entropy_smoothing_1d": _one(
        lambda lib, x: lib.F.cross_entropy(x, longs(lib, 3), label_smoothing=0.2), ((5,), 1)),
    "cross_entropy_probabilities_4d": _one(
        lambda lib, x: lib.F.cross_entropy(x, lib.torch.softmax(const(lib, (2, 3, 2, 2), 4), 1)),
        ((2, 3, 2, 2), 1)),
    "cross_entropy_probabilities_weight_smoothing": _one(
        lambda lib, x: lib.F.cross_entropy(x, lib.torch.softmax(const(lib, (3, 5), 4), 1),
                                           weight=const(lib, (5,), 3, 0.4, 1.0),
                                           label_smoothing=0.2, reduction="none"), ((3, 5), 1)),
    "cross_entropy_probabilities_1d_weight_sum": _one(
        lambda lib, x: lib.F.cross_entropy(x, lib.torch.softmax(const(lib, (5,), 4), 0),
                                           weight=const(lib, (5,), 3, 0.4, 1.0), reduction="sum"),
        ((5,), 1)),
    "cross_entropy_soft_target_grad": _one(
        lambda lib, x, t: lib.F.cross_entropy(x, t, label_smoothing=0.1),
        ((3, 5), 1), ((3, 5), 4)),
    "cross_entropy_4d": _one(
        lambda lib, x: lib.F.cross_entropy(x, longs(lib, [[[0, 2], [1, 1]], [[2, 0], [0, 1]]])),
        ((2, 3, 2, 2), 1)),
    "nll_loss": _one(lambda lib, x: lib.nn.NLLLoss()(x, longs(lib, [1, 0, 4])), ((3, 5), 1)),
    "mse_loss": _one(lambda lib, x, t: lib.nn.MSELoss()(x, t), ((3, 4), 1), ((3, 4), 2)),
    "mse_loss_sum": _one(lambda lib, x: lib.F.mse_loss(x, const(lib, (3, 4), 2), reduction="sum"),
                         ((3, 4), 1)),
    "l1_loss": _one(lambda lib, x: lib.nn.L1Loss()(x, const(lib, (3, 4), 2)), ((3, 4), 1)),
    "bce": _one(lambda lib, x: lib.nn.BCELoss()(lib.torch.sigmoid(x), const(lib, (3, 4), 2, 0.4, 0.5)),
                ((3, 4), 1)),
    "bce_weight_none": _one(
        lambda lib, x: lib.F.binary_cross_entropy(lib.torch.sigmoid(x), const(lib, (3, 4), 2, 0.4, 0.5),
                                                  weight=const(lib, (4,), 3, 0.5, 1.0),
                                                  reduction="none"), ((3, 4), 1)),
    "bce_with_logits": _one(lambda lib, x, t: lib.nn.BCEWithLogitsLoss()(x, t),
                            ((3, 4), 1), ((3, 4), 2)),
    "bce_with_logits_pos_weight": _one(
        lambda lib, x, t: lib.F.binary_cross_entropy_with_logits(
            x, t, pos_weight=const(lib, (4,), 3, 1.0, 1.5), reduction="sum"),
        ((3, 4), 1), ((3, 4), 2)),
    "embedding": _one(lambda lib, w: lib.F.embedding(longs(lib, [[0, 3], [3, 1]]), w),
                      ((5, 3), 1)),
    "embedding_padding": embedding_padding,
    "pad": _one(lambda lib, x: lib.F.pad(x, (1, 2, 0, 1), value=0.5), ((2, 3, 4), 1)),
    "pad_constant_negative": _one(lambda lib, x: lib.F.pad(x, (-1, 2, 1, -1), value=9.0),
                                  ((2, 3, 4), 1)),
    "pad_reflect_1d": _one(lambda lib, x: lib.F.pad(x, (3, -2), mode="reflect"), ((2, 3, 4), 1)),
    "pad_reflect_1d_unbatched": _one(lambda lib, x: lib.F.pad(x, (2, 3), mode="reflect"),
                                     ((3, 4), 2)),
    "pad_reflect_2d": _one(lambda lib, x: lib.F.pad(x, (1, 2, -1, 3), mode="reflect"),
                           ((2, 3, 4, 5), 1)),
    "pad_reflect_3d": _one(lambda lib, x: lib.F.pad(x, (1, 1, 2, 0, 1, 2), mode="reflect"),
                           ((2, 3, 4, 5), 3)),
    "pad_replicate_1d": _one(lambda lib, x: lib.F.pad(x, (-1, 5), mode="replicate"),
                             ((2, 3, 4), 1)),
    "pad_replicate_2d": _one(lambda lib, x: lib.F.pad(x, (2, 1, 4, 0), mode="replicate"),
                             ((3, 4, 5), 2)),
    "pad_replicate_3d": _one(lambda lib, x: lib.F.pad(x, (0, 2, 1, 1, 3, -1), mode="replicate"),
                             ((1, 2, 3, 4, 5), 1)),
    "pad_circular_1d": _one(lambda lib, x: lib.F.pad(x, (1, 2), mode="circular"), ((2, 3, 4), 1)),
    "pad_circular_2d": _one(lambda lib, x: lib.F.pad(x, (2, -1, 1, 3), mode="circular"),
                            ((2, 3, 4, 5), 1)),
    "pad_circular_3d": _one(lambda lib, x: lib.F.pad(x, (1, 0, 0, 1, 1, 1), mode="circular"),
                            ((2, 3, 2, 3), 4)),
}


# ---------------------------------------------------------------- gradient penalties

def penalty(lib, loss, wrt):
    """sum of squares of d loss / d wrt, made with create_graph=True: its backward runs the
    double-backward nodes (the graph and every leaf's gradient are second order)."""
    grads = lib.torch.autograd.grad(loss, wrt, create_graph=True)
    total = (grads[0] * grads[0]).sum()
    for grad in grads[1:]:
        total = total + (grad * grad).sum()
    return total


def _penalized(fn, *shapes_and_seeds, squared=True):
    """A case: the leaves of the given (shape, seed) and the penalty of fn(lib, *leaves)
    (squared and summed first unless it is a loss already) with respect to all of them."""
    def case(lib):
        leaves = [leaf(lib, shape, seed, *rest) for shape, seed, *rest in shapes_and_seeds]
        out = fn(lib, *leaves)
        return leaves, penalty(lib, (out * out).sum() if squared else out, leaves)
    return case


def _losses(fn, *shapes_and_seeds):
    return _penalized(fn, *shapes_and_seeds, squared=False)


def penalty_simplenet(lib):
    """A small SimpleNet-like net (conv, batch norm, leaky_relu, max pool, conv, gelu, avg
    pool, linear, cross-entropy) and the WGAN-GP style penalty on its input gradient."""
    nn = lib.nn
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.LeakyReLU(0.1),
                        nn.MaxPool2d(2), nn.Conv2d(3, 4, 3, padding=1), nn.GELU(),
                        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(16, 5))
    net.load_state_dict({name: lib.torch.tensor(det(tuple(value.shape), index, 0.3))
                         for index, (name, value) in enumerate(net.state_dict().items())})
    x = leaf(lib, (2, 1, 10, 10), 7)
    loss = lib.F.cross_entropy(net(x), longs(lib, [3, 1]))
    (grad_x,) = lib.torch.autograd.grad(loss, x, create_graph=True)
    return [x] + list(net.parameters()), ((grad_x.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


PENALTY_CASES = {
    "penalty_conv": _penalized(
        lambda lib, x, w, b: lib.F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2),
        ((2, 4, 5, 4), 1), ((6, 2, 3, 2), 2), ((6,), 3)),
    "penalty_gelu": _penalized(lambda lib, x: lib.F.gelu(x), ((3, 5), 1, 2.0)),
    "penalty_gelu_tanh": _penalized(lambda lib, x: lib.F.gelu(x, approximate="tanh"),
                                    ((3, 5), 1, 2.0)),
    "penalty_leaky_relu": _penalized(lambda lib, x: lib.F.leaky_relu(x, 0.2), ((3, 5), 1)),
    "penalty_mse": _losses(lambda lib, x, t: lib.F.mse_loss(x, t), ((3, 4), 1), ((3, 4), 2)),
    "penalty_mse_none": _penalized(lambda lib, x, t: lib.F.mse_loss(x, t, reduction="none"),
                                   ((3, 4), 1), ((3, 4), 2)),
    "penalty_bce": _losses(
        lambda lib, x, t: lib.F.binary_cross_entropy(x, t, weight=const(lib, (4,), 3, 0.5, 1.0)),
        ((3, 4), 1, 0.4, 0.5), ((3, 4), 2, 0.4, 0.5)),
    "penalty_bce_with_logits": _losses(
        lambda lib, x, t: lib.F.binary_cross_entropy_with_logits(x, t), ((3, 4), 1), ((3, 4), 2)),
    "penalty_bce_with_logits_weights": _penalized(
        lambda lib, x, t: lib.F.binary_cross_entropy_with_logits(
            x, t, weight=const(lib, (4,), 3, 0.5, 1.0), pos_weight=const(lib, (4,), 4, 1.0, 1.5),
            reduction="none"), ((3, 4), 1), ((3, 4), 2, 0.4, 0.5)),
    "penalty_cross_entropy": _losses(
        lambda lib, x: lib.F.cross_entropy(x, longs(lib, [1, 0, 4])), ((3, 5), 1)),
    "penalty_nll_2d": _losses(
        lambda lib, x: lib.F.nll_loss(x, longs(lib, [[[0, 2], [1, 1]], [[2, 0], [0, 1]]]),
                                      reduction="sum"), ((2, 3, 2, 2), 1)),
    "penalty_softmax": _penalized(lambda lib, x: lib.F.softmax(x, 1), ((3, 5), 1)),
    "penalty_max_pool": _penalized(lambda lib, x: lib.F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
                                   ((2, 3, 6, 5), 1)),
    "penalty_avg_pool": _penalized(
        lambda lib, x: lib.F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), ((2, 3, 6, 5), 1)),
    "penalty_adaptive_avg_pool": _penalized(lambda lib, x: lib.F.adaptive_avg_pool2d(x, (3, 2)),
                                            ((2, 3, 7, 5), 1)),
    # Scaled per element: the sum of squares of a batch norm's output hardly depends on x.
    "penalty_batch_norm_train": _penalized(
        lambda lib, x, w, b: lib.F.batch_norm(x, None, None, w, b, training=True)
        * const(lib, (4, 3, 3, 2), 6, 1.0, 0.5),
        ((4, 3, 3, 2), 1, 2.0, 0.5), ((3,), 2), ((3,), 3)),
    "penalty_batch_norm_eval": _penalized(
        lambda lib, x, w, b: lib.F.batch_norm(x, const(lib, (3,), 4), const(lib, (3,), 5, 0.5, 1.0),
                                              w, b), ((4, 3, 2), 1), ((3,), 2), ((3,), 3)),
    "penalty_embedding": _penalized(
        lambda lib, w: lib.F.embedding(longs(lib, [[0, 3], [3, 1]]), w, padding_idx=1),
        ((5, 3), 1)),
    "penalty_pad_constant": _penalized(lambda lib, x: lib.F.pad(x, (1, -1, 2, 0), value=0.5),
                                       ((2, 3, 4), 1)),
    "penalty_pad_reflect_2d": _penalized(
        lambda lib, x: lib.F.pad(x, (1, 2, -1, 3), mode="reflect"), ((2, 3, 5, 4), 1)),
    "penalty_pad_replicate_3d": _penalized(
        lambda lib, x: lib.F.pad(x, (0, 2, 1, 1, 3, -1), mode="replicate"),
        ((1, 2, 3, 3, 2), 1)),
    "penalty_simplenet": penalty_simplenet,
}
CASES.update(PENALTY_CASES)


# ---------------------------------------------------------------- SimpleNet (the tutorial's)

def simplenet_class(lib):
    nn, F = lib.nn, lib.F

    class SimpleNet(nn.Module):
        def __init__(self):
            super(SimpleNet, self).__init__()
            self.conv1 = nn.Conv2d(1, 10, 5)
            self.pool1 = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(10, 20, 5)
            self.pool2 = nn.MaxPool2d(2, 2)
            self.fc = nn.Linear(320, 50)
            self.out = nn.Linear(50, 10)

        def forward(self, input):
            x = self.pool1(F.relu(self.conv1(input)))
            x = self.pool2(F.relu(self.conv2(x)))
            x = x.view(x.size(0), -1)
            x = F.relu(self.fc(x))
            x = F.relu(self.out(x))
            return x

    return SimpleNet


def simplenet(lib):
    """The tutorial's SimpleNet with deterministic weights (both libraries load the same)."""
    net = simplenet_class(lib)()
    state = {name: lib.torch.tensor(det(tuple(value.shape), index, 0.1))
             for index, (name, value) in enumerate(net.state_dict().items())}
    net.load_state_dict(state)
    return net


def simplenet_batch(lib, batch):
    x = lib.torch.tensor(det((batch, 1, 28, 28), 7))
    target = lib.torch.tensor([(3 + 7 * i) % 10 for i in range(batch)], dtype=lib.torch.long)
    return x, target


def saved_names(tensor):
    """`name:_saved_a,_saved_b` for every distinct node reachable from tensor.grad_fn."""
    lines, seen, stack = [], set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names = sorted(a for a in dir(node) if a.startswith("_saved_"))
        lines.append(f"{node.name()}:{','.join(names)}")
        stack.extend(child for child, _ in node.next_functions)
    return sorted(lines)


def graph_names(tensor):
    """Every node reachable from tensor.grad_fn, depth first, as `depth:name` strings."""
    lines, seen = [], set()

    def visit(node, depth):
        if node is None:
            lines.append(f"{depth}:None")
            return
        lines.append(f"{depth}:{node.name()}")
        if node in seen:
            return
        seen.add(node)
        for child, _ in node.next_functions:
            visit(child, depth + 1)

    visit(tensor.grad_fn, 0)
    return lines


# ---------------------------------------------------------------- optimisers

def _quadratic_params(lib):
    w = lib.nn.Parameter(lib.torch.tensor(det((3, 4), 1, 0.5)))
    b = lib.nn.Parameter(lib.torch.tensor(det((3,), 2, 0.5)))
    return [w, b]


def _quadratic_loss(lib, params):
    w, b = params
    x = lib.torch.tensor(det((4, 5), 3))
    y = lib.torch.tensor(det((3, 5), 4))
    return ((w @ x + b.unsqueeze(1) - y) ** 2).mean()


OPTIMIZERS = {
    "sgd": lambda lib, p: lib.optim.SGD(p, lr=0.1),
    "sgd_momentum_dampening_wd": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9,
                                                              dampening=0.3, weight_decay=0.01),
    "sgd_nesterov_maximize": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.8,
                                                          nesterov=True, maximize=True),
    "adam": lambda lib, p: lib.optim.Adam(p, lr=0.01),
    "adam_wd_amsgrad": lambda lib, p: lib.optim.Adam(p, lr=0.02, betas=(0.8, 0.9),
                                                     weight_decay=0.1, amsgrad=True),
    "adamw": lambda lib, p: lib.optim.AdamW(p, lr=0.02),
}


def optimizer_trajectory(lib, name, steps=5):
    """Parameters (flattened, concatenated) after each step, and the loss before each."""
    params = _quadratic_params(lib)
    optimizer = OPTIMIZERS[name](lib, params)
    rows, losses = [], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = _quadratic_loss(lib, params)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        rows.append(np.concatenate([p.detach().numpy().reshape(-1) for p in params]))
    return np.array(losses), np.stack(rows)


def step_lr_trajectory(lib, epochs=7):
    params = _quadratic_params(lib)
    optimizer = lib.optim.SGD(params, lr=0.5, momentum=0.5)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    lrs, rows = [], []
    for _ in range(epochs):
        optimizer.zero_grad()
        _quadratic_loss(lib, params).backward()
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
        rows.append(np.concatenate([p.detach().numpy().reshape(-1) for p in params]))
    return np.array(lrs), np.stack(rows)


def simplenet_sgd_steps(lib, steps=3):
    net = simplenet(lib)
    x, target = simplenet_batch(lib, 4)
    optimizer = lib.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = lib.nn.CrossEntropyLoss()(net(x), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses), net
