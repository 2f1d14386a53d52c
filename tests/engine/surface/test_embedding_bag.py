"""nn.EmbeddingBag, F.embedding_bag and torch.embedding_bag live against torch: the four
outputs of every path, EmbeddingBagBackward0's edges and saved values, gradients of the
weight and of per_sample_weights bit for bit, the double-backward nodes, reprs, the module's
options and the error texts."""
import pytest

from surface_live import check
from test_dropouts_rrelu import _node_names

SAVED = ("_saved_indices", "_saved_mode", "_saved_offsets", "_saved_padding_idx",
         "_saved_per_sample_weights", "_saved_result1", "_saved_result2", "_saved_result3",
         "_saved_scale_grad_by_freq", "_saved_sparse", "_saved_weight",
         "_saved_weight_sym_argsize_0")


def _saved(node) -> list:
    return [[name for name in dir(node) if name.startswith("_saved")]] + \
        [getattr(node, name) for name in SAVED]


def bag_case(indices, offsets=None, dtype="float64", psw=False, weight_grad=True,
             rows=12, dim=5, **options):
    """F.embedding_bag on seeded weights: output, graph, saved values, gradients."""
    def snippet(t):
        t.manual_seed(0)
        weight = t.randn(rows, dim, dtype=getattr(t, dtype)).requires_grad_(weight_grad)
        index = t.tensor(indices, dtype=t.int64 if indices == [] else None)
        sample_weights = t.randn(index.shape, dtype=weight.dtype).requires_grad_() \
            if psw else None
        out = t.nn.functional.embedding_bag(
            index, weight, None if offsets is None else t.tensor(offsets, dtype=t.int64),
            per_sample_weights=sample_weights, **options)
        grad_out = t.randn(out.shape, dtype=out.dtype)
        leaves = [x for x in (weight, sample_weights) if x is not None and x.requires_grad]
        saved = _saved(out.grad_fn)     # before the backward frees them
        grads = t.autograd.grad(out, leaves, grad_out)
        return [out, _node_names(out.grad_fn), saved, list(grads)]
    return snippet


def aten_case(mode, offsets, dtype="float32", weight_grad=True, padding_idx=None,
              include_last_offset=False, index_dtype="int64", psw=False):
    """torch.embedding_bag's four outputs (offset2bag, bag_size, max_indices by path)."""
    def snippet(t):
        t.manual_seed(1)
        weight = t.randn(10, 3, dtype=getattr(t, dtype), requires_grad=weight_grad)
        index = t.tensor([1, 2, 4, 5, 4, 3, 2, 9, 2, 2], dtype=getattr(t, index_dtype))
        sample_weights = t.rand(10, dtype=weight.dtype) if psw else None
        return list(t.embedding_bag(weight, index, t.tensor(offsets), False, mode, False,
                                    sample_weights, include_last_offset, padding_idx))
    return snippet


LONG = [(i * 7 + i // 3) % 12 for i in range(40)]
CASES = {
    "sum": bag_case([1, 2, 4, 5, 4, 3, 2, 9], [0, 4], mode="sum"),
    "sum float32": bag_case([1, 2, 4, 5, 4, 3, 2, 9], [0, 4], "float32", mode="sum"),
    "mean": bag_case([1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 3, 6]),
    "mean float32": bag_case(LONG[:16], [0, 5, 5, 11], "float32"),
    "max": bag_case([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], mode="max"),
    "max float32 2-D": bag_case([[1, 2, 1], [4, 5, 4]], None, "float32", mode="max"),
    "2-D mean": bag_case([[1, 2, 4], [5, 4, 3]], None, "float32"),
    "psw float32": bag_case(LONG[:16], [0, 3, 9], "float32", psw=True, mode="sum"),
    "psw float64": bag_case(LONG[:16], [0, 3, 9], psw=True, mode="sum"),
    "psw only": bag_case(LONG[:16], [0, 3, 9], "float32", psw=True, weight_grad=False,
                         mode="sum"),
    "psw padding": bag_case(LONG[:16], [0, 3, 9], "float32", psw=True, mode="sum",
                            padding_idx=7),
    "padding sum": bag_case(LONG[:16], [0, 3, 3, 9], "float32", mode="sum", padding_idx=7),
    "padding mean": bag_case(LONG[:16], [0, 3, 3, 9], mode="mean", padding_idx=-5),
    "padding max": bag_case([2, 2, 2, 1, 5, 1], [0, 0, 3, 3], "float32", mode="max",
                            padding_idx=2),
    "last offset": bag_case(LONG[:16], [0, 3, 3, 16], mode="mean", include_last_offset=True),
    "scale_grad_by_freq sum": bag_case(LONG[:16], [0, 4, 7], mode="sum",
                                       scale_grad_by_freq=True),
    "scale_grad_by_freq mean": bag_case(LONG[:16], [0, 4, 7], "float32", mode="mean",
                                        scale_grad_by_freq=True),
    "empty bags": bag_case([3, 1, 4], [0, 0, 3, 3], "float32", mode="max"),
    # (No offsets at all: torch 2.13 segfaults, so there is no oracle for it.)
    # no index at all, bags empty, with scale_grad_by_freq (nn seed 1117984)
    "no indices freq mean": bag_case([], [0, 0, 0], "float32", mode="mean", padding_idx=3,
                                     scale_grad_by_freq=True),
    "no indices freq sum": bag_case([], [0, 0], mode="sum", scale_grad_by_freq=True),
    "int32 indices": bag_case([[3, 1], [4, 1]], None, mode="mean"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_embedding_bag(name):
    # The per-sample weights' gradient is one BLAS dot per index in ATen (MKL's sdot/ddot,
    # whose order of summation we do not follow): it agrees to a unit in the last place.
    tolerance = 1e-6 if name.startswith("psw") else 0
    check(CASES[name], rtol=tolerance, atol=0)


ATEN = {
    f"{mode} {dtype} {grad} {padding} {last}": aten_case(
        mode, [0, 2, 2, 7] if not last else [0, 2, 2, 7, 10], dtype, grad, padding, last)
    for mode in (0, 1, 2) for dtype in ("float32", "float64") for grad in (True, False)
    for padding in (None, 2) for last in (False, True)}
ATEN.update({
    "int32": aten_case(1, [0, 3], index_dtype="int32"),
    "int32 sum": aten_case(0, [0, 3], "float64", index_dtype="int32"),
    "psw float32": aten_case(0, [0, 3, 7], psw=True),
    "psw float64 padding": aten_case(0, [0, 3, 7], "float64", padding_idx=4, psw=True),
})


@pytest.mark.parametrize("name", sorted(ATEN))
def test_aten_outputs(name):
    check(ATEN[name], rtol=0, atol=0)


def test_double_backward():
    def snippet(t):
        t.manual_seed(2)
        weight = t.randn(6, 3, dtype=t.float64, requires_grad=True)
        psw = t.rand(5, dtype=t.float64, requires_grad=True)
        index, offsets = t.tensor([1, 2, 1, 5, 0]), t.tensor([0, 2])
        results = []
        for mode, sample_weights in (("mean", None), ("max", None), ("sum", psw)):
            out = t.nn.functional.embedding_bag(index, weight, offsets, mode=mode,
                                                per_sample_weights=sample_weights)
            leaves = [weight] if sample_weights is None else [weight, psw]
            grads = t.autograd.grad((out * out).sum(), leaves, create_graph=True)
            results += [grads, [_node_names(g.grad_fn) for g in grads]]
            for g in grads:
                try:
                    g.sum().backward(retain_graph=True)
                except Exception as error:      # noqa: BLE001
                    results.append((type(error).__name__, str(error)))
        return results
    # per_sample_weights' gradient is a dot product per sample: BLAS's order, not ours
    check(snippet, rtol=1e-15, atol=0)


def test_module():
    def snippet(t):
        nn = t.nn
        t.manual_seed(3)
        bags = [nn.EmbeddingBag(10, 3), nn.EmbeddingBag(10, 3, mode="sum", padding_idx=-2),
                nn.EmbeddingBag(10, 3, max_norm=1.5, norm_type=1.0, mode="max"),
                nn.EmbeddingBag(10, 3, scale_grad_by_freq=True, include_last_offset=True)]
        pretrained = nn.EmbeddingBag.from_pretrained(t.randn(10, 3), mode="sum")
        trainable = nn.EmbeddingBag.from_pretrained(t.randn(10, 3), freeze=False,
                                                    padding_idx=1)
        index, offsets = t.tensor([1, 2, 4, 5, 4, 3, 8]), t.tensor([0, 3, 7])
        outs = [bag(index, offsets) for bag in bags + [pretrained, trainable]]
        return [repr(m) for m in bags + [pretrained, trainable]] + outs + [
            bags[0].weight, bags[1].weight, bags[2].weight,
            pretrained.weight.requires_grad, trainable.weight.requires_grad,
            bags[1](t.tensor([[1, 8], [3, 3]]), per_sample_weights=t.rand(2, 2)),
            sorted(bags[3].state_dict())]
    check(snippet, rtol=0, atol=0)


def error_case(call):
    def snippet(t):
        t.manual_seed(0)
        weight = t.randn(10, 3, requires_grad=True)
        return call(t, t.nn.functional, weight, t.tensor([1, 2, 4, 5, 4, 3, 2, 9]))
    return snippet


ERRORS = {
    "offsets[0]": lambda t, F, w, i: F.embedding_bag(i, w, t.tensor([1, 4])),
    "offsets[0] int32": lambda t, F, w, i: F.embedding_bag(
        i.int(), w, t.tensor([-1, 4], dtype=t.int32)),
    "offsets[-1]": lambda t, F, w, i: F.embedding_bag(i, w, t.tensor([0, 9])),
    "last offset too far": lambda t, F, w, i: F.embedding_bag(
        i, w, t.tensor([0, 4, 20]), include_last_offset=True),
    "decreasing offsets": lambda t, F, w, i: F.embedding_bag(i, w, t.tensor([0, 5, 4])),
    "no offsets for last": lambda t, F, w, i: F.embedding_bag(
        i, w, t.tensor([], dtype=t.long), include_last_offset=True),
    "index too large": lambda t, F, w, i: F.embedding_bag(t.tensor([1, 10]), w, t.tensor([0])),
    "negative index": lambda t, F, w, i: F.embedding_bag(t.tensor([1, -1]), w, t.tensor([0])),
    "float indices": lambda t, F, w, i: F.embedding_bag(t.tensor([1., 2]), w, t.tensor([0])),
    "float offsets": lambda t, F, w, i: F.embedding_bag(i, w, t.tensor([0.])),
    "offsets None": lambda t, F, w, i: F.embedding_bag(i, w),
    "offsets 2-D": lambda t, F, w, i: F.embedding_bag(i, w, t.tensor([[0]])),
    "2-D with offsets": lambda t, F, w, i: F.embedding_bag(i[None], w, t.tensor([0])),
    "3-D input": lambda t, F, w, i: F.embedding_bag(i[None, None], w),
    "mode": lambda t, F, w, i: F.embedding_bag(i[None], w, mode="foo"),
    "max freq": lambda t, F, w, i: F.embedding_bag(i[None], w, mode="max",
                                                   scale_grad_by_freq=True),
    "max sparse": lambda t, F, w, i: F.embedding_bag(i[None], w, mode="max", sparse=True),
    "psw mean": lambda t, F, w, i: F.embedding_bag(i[None], w, per_sample_weights=t.rand(1, 8)),
    "psw shape": lambda t, F, w, i: F.embedding_bag(i[None], w, mode="sum",
                                                    per_sample_weights=t.rand(8)),
    "psw dtype": lambda t, F, w, i: F.embedding_bag(
        i[None], w, mode="sum", per_sample_weights=t.rand(1, 8, dtype=t.float64)),
    "weight 1-D": lambda t, F, w, i: F.embedding_bag(i[None], w[0]),
    "padding_idx": lambda t, F, w, i: F.embedding_bag(i[None], w, padding_idx=10),
    "padding_idx negative": lambda t, F, w, i: F.embedding_bag(i[None], w, padding_idx=-11),
    "int weight": lambda t, F, w, i: F.embedding_bag(i[None], w.int()),
    "aten mode": lambda t, F, w, i: t.embedding_bag(w, i, t.tensor([0]), False, 3),
    "aten psw mean": lambda t, F, w, i: t.embedding_bag(w, i, t.tensor([0]), False, 1, False,
                                                        t.rand(8)),
    "aten psw numel": lambda t, F, w, i: t.embedding_bag(w, i, t.tensor([0]), False, 0, False,
                                                         t.rand(7)),
    "aten psw 2-D": lambda t, F, w, i: t.embedding_bag(w, i, t.tensor([0]), False, 0, False,
                                                       t.rand(1, 8)),
    "aten offsets 2-D": lambda t, F, w, i: t.embedding_bag(w, i, t.tensor([[0]])),
    "module padding_idx": lambda t, F, w, i: t.nn.EmbeddingBag(5, 2, padding_idx=5),
    "module weight shape": lambda t, F, w, i: t.nn.EmbeddingBag(5, 2, _weight=t.zeros(5, 3)),
    "from_pretrained 1-D": lambda t, F, w, i: t.nn.EmbeddingBag.from_pretrained(t.zeros(5)),
    "2-D empty rows": lambda t, F, w, i: F.embedding_bag(t.zeros(2, 0, dtype=t.long), w),
    "2-D no rows": lambda t, F, w, i: F.embedding_bag(t.zeros(0, 3, dtype=t.long), w),
    "argument order": lambda t, F, w, i: F.embedding_bag(w.detach(), i[None].long()),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check(error_case(ERRORS[name]))


def long_case(mode, dtype, **options):
    """3,000 indices over 40 rows in 25 bags: each row's gradient adds ~75 occurrences, in
    the order ATen's unstable sort of the indices leaves them."""
    def snippet(t):
        t.manual_seed(4)
        weight = t.randn(40, 24, dtype=getattr(t, dtype), requires_grad=True)
        index = t.randint(0, 40, (3000,))
        offsets = t.cat([t.zeros(1, dtype=t.long), t.randperm(2999)[:24].sort().values + 1])
        psw = t.randn(3000, dtype=weight.dtype) if mode == "sum" else None
        out = t.nn.functional.embedding_bag(index, weight, offsets, mode=mode,
                                            per_sample_weights=psw, **options)
        out.backward(t.randn(out.shape, dtype=out.dtype))
        return [out, weight.grad]
    return snippet


LONG_CASES = {f"{mode} {dtype}{' freq' if freq else ''}": long_case(
    mode, dtype, **({"scale_grad_by_freq": True} if freq else {}))
    for mode in ("sum", "mean", "max") for dtype in ("float32", "float64")
    for freq in (False, True) if not (freq and mode == "max")}


@pytest.mark.parametrize("name", sorted(LONG_CASES))
def test_long_bags(name):
    check(LONG_CASES[name], rtol=0, atol=0)


def test_embedding_from_pretrained():
    def snippet(t):
        rows = t.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3], [0.5, -1.0, 2.0]])
        frozen = t.nn.Embedding.from_pretrained(rows)
        trainable = t.nn.Embedding.from_pretrained(rows.clone(), freeze=False, padding_idx=2,
                                                   max_norm=4.0)
        out = trainable(t.tensor([[0, 2], [1, 1]]))
        out.sum().backward()
        return [repr(frozen), repr(trainable), frozen(t.tensor([1, 0])),
                frozen.weight.requires_grad, out, trainable.weight.grad, trainable.weight]
    check(snippet, rtol=0, atol=0)


@pytest.mark.parametrize("call", ["1-D", "shape"])
def test_embedding_weight_errors(call):
    def snippet(t):
        if call == "1-D":
            return t.nn.Embedding.from_pretrained(t.zeros(4))
        return t.nn.Embedding(4, 2, _weight=t.zeros(4, 3))
    check(snippet)


@pytest.mark.parametrize("make", [
    lambda e: e.nn.EmbeddingBag(5, 3, sparse=True),
    lambda e: e.nn.EmbeddingBag.from_pretrained(e.ones(5, 3), sparse=True),
    lambda e: e.nn.functional.embedding_bag(e.tensor([[0, 2]]), e.ones(5, 3), sparse=True),
    lambda e: e.embedding_bag(e.ones(5, 3), e.tensor([0, 2]), e.tensor([0]), False, 0, True),
])
def test_sparse_gradients_are_not_supported(make):
    """As for nn.Embedding: engine has no sparse tensors (engine's wording; torch has them)."""
    import engine
    with pytest.raises(NotImplementedError, match="no sparse tensors; use sparse=False"):
        make(engine)


@pytest.mark.parametrize("function", ["embedding", "embedding_bag"])
def test_max_norm_moves_the_weights_version(function):
    """The renorm is in place: a value saved from the weight before is then stale."""
    def snippet(t):
        weight = t.ones(5, 3, requires_grad=True) * 3
        saved = weight.sin()
        call = getattr(t.nn.functional, function)
        out = call(t.tensor([[0, 1]]), weight, max_norm=1.0)
        versions = [weight._version]
        call(t.tensor([[2]]), weight, max_norm=100.0)
        versions.append(weight._version)
        try:
            saved.sum().backward()
        except RuntimeError as error:
            versions.append(str(error))
        return [out, weight, versions]
    check(snippet, rtol=0, atol=0)


def test_torch_level_embedding_and_renorm():
    def snippet(t):
        t.manual_seed(5)
        weight = t.randn(5, 3, requires_grad=True)
        results = []
        for padding_idx in (1, -1, -2):
            out = t.embedding(weight, t.tensor([[1, 2], [4, 1]]), padding_idx)
            grad, = t.autograd.grad(out.sum(), weight)
            results += [out, grad, out.grad_fn._saved_padding_idx]
        try:
            t.embedding_renorm_(weight, t.tensor([1]), 1.0, 2.0)
        except RuntimeError as error:
            results.append(str(error))
        rows = weight.detach().clone()
        same = t.embedding_renorm_(rows, t.tensor([1, 3, 1]), 1.0, 1.0)
        return results + [same is rows, rows, rows._version]
    check(snippet, rtol=0, atol=0)
