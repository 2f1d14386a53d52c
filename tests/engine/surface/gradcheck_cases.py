"""Finite-difference cases (float64) for the node classes of the surface ops; the walker in
tests/engine/test_gradcheck_table.py loads SURFACE_CASES with its own."""
import numpy as np

import engine

RNG = np.random.default_rng(11)


def leaf(*shape, low=-1.0, high=1.0):
    return engine.tensor(RNG.uniform(low, high, size=shape), dtype=engine.float64,
                         requires_grad=True)


def away_from_zero(*shape):
    signs = RNG.choice([-1.0, 1.0], size=shape)
    return engine.tensor(signs * RNG.uniform(0.5, 1.5, size=shape), dtype=engine.float64,
                         requires_grad=True)


def _index(rows):
    return engine.tensor(rows)


SURFACE_CASES = {
    "ProdBackward0": lambda: (lambda a: a.prod(), (away_from_zero(2, 3),)),
    "ProdBackward1": lambda: (lambda a: a.prod(1, keepdim=True), (away_from_zero(2, 3),)),
    "VarBackward0": lambda: (lambda a: a.var(0) + a.var(correction=0), (leaf(3, 4),)),
    "StdBackward0": lambda: (lambda a: a.std(1, keepdim=True), (leaf(3, 4),)),
    "IndexSelectBackward0": lambda: (lambda a: a.index_select(1, _index([2, 0, 2])),
                                     (leaf(2, 3),)),
    "GatherBackward0": lambda: (lambda a: a.gather(1, _index([[0, 0], [2, 1]])), (leaf(2, 3),)),
    "ScatterBackward0": lambda: (lambda a, s: a.scatter(1, _index([[0, 2], [1, 0]]), s),
                                 (leaf(2, 3), leaf(2, 2))),
    "ScatterBackward1": lambda: (lambda a: a.scatter(0, _index([[1, 0, 1]]), 0.5),
                                 (leaf(2, 3),)),
    "ScatterAddBackward0": lambda: (lambda a, s: a.scatter_add(1, _index([[0, 0], [2, 0]]), s),
                                    (leaf(2, 3), leaf(2, 2))),
    # engine/ops/clamp_bounds.py: points kept away from the bound, where the rule is a step.
    "ClampMinBackward0": lambda: (lambda a: a.clamp_min(0.1), (away_from_zero(2, 3),)),
    "ClampMaxBackward0": lambda: (lambda a: engine.clamp_max(a, -0.1), (away_from_zero(2, 3),)),
    "ClampMinBackward1": lambda: (lambda a, m: engine.clamp_min(a, m * 0.1),
                                  (away_from_zero(2, 3), away_from_zero(3))),
    "ClampMaxBackward1": lambda: (lambda a, m: a.reshape(3, 2, 1).clamp_max(m * 0.1),
                                  (away_from_zero(2, 3), away_from_zero(4))),
}

SURFACE_CASES["DiagonalBackward0"] = lambda: (lambda a: a.diagonal(1, 0, 2), (leaf(3, 2, 4),))
SURFACE_CASES["UnsafeSplitBackward0"] = lambda: (
    lambda a: engine.cat([p * (i + 1) for i, p in enumerate(a.unsafe_chunk(3, 1)[1:])], 1),
    (leaf(2, 7),))

# engine/ops/ordering.py; values kept apart so sort/topk choose the same order under the
# finite differences' small steps.
SURFACE_CASES.update({
    "CumsumBackward0": lambda: (lambda a: a.cumsum(-1), (leaf(2, 4),)),
    "FlipBackward0": lambda: (lambda a: a.flip(0, -1), (leaf(2, 3),)),
    "RollBackward0": lambda: (lambda a: a.roll((1, -2), (0, 1)) * a, (leaf(3, 4),)),
    "TrilBackward0": lambda: (lambda a: a.tril(-1), (leaf(3, 3),)),
    "TriuBackward0": lambda: (lambda a: a.triu(1), (leaf(2, 3, 3),)),
    "LogsumexpBackward0": lambda: (lambda a: a.logsumexp((0, 2)), (leaf(2, 3, 2),)),
    "SortBackward0": lambda: (lambda a: a.sort(1, descending=True).values * a,
                              (away_from_zero(2, 4),)),
    "TopkBackward0": lambda: (lambda a: a.topk(2, 0).values, (away_from_zero(4, 3),)),
})

# convolution and pooling surface (issue #11): values kept apart, so each bin's maximum
# stays where it is under the finite differences' steps.


def _apart(*shape):
    values = RNG.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0
    return engine.tensor(values, dtype=engine.float64, requires_grad=True)


def _grads_joined(fn):
    def grads(x):
        found, = engine.autograd.grad((fn(x) ** 2).sum(), x, create_graph=True)
        return found.reshape(-1)
    return grads


SURFACE_CASES.update({
    "AdaptiveMaxPool2DBackward0": lambda: (
        lambda x: engine.nn.functional.adaptive_max_pool2d(x, (2, 3)), (_apart(2, 2, 5, 7),)),
    "AdaptiveMaxPool2DBackwardBackward0": lambda: (
        _grads_joined(lambda x: engine.nn.functional.adaptive_max_pool1d(x, 3)),
        (_apart(2, 7),)),
    "MaxPool3DWithIndicesBackward0": lambda: (
        lambda x: engine.nn.functional.max_pool3d(x, 2, 1, 1, ceil_mode=True),
        (_apart(1, 2, 3, 4, 3),)),
    "MaxPool3DWithIndicesBackwardBackward0": lambda: (
        _grads_joined(lambda x: engine.nn.functional.max_pool3d(x, (2, 1, 2))),
        (_apart(2, 4, 3, 4),)),
    "AvgPool3DBackward0": lambda: (
        lambda x: engine.nn.functional.avg_pool3d(x, (2, 3, 2), 2, 1, count_include_pad=False),
        (leaf(1, 2, 3, 4, 5),)),
    "AvgPool3DBackwardBackward0": lambda: (
        _grads_joined(lambda x: engine.nn.functional.avg_pool3d(x, 2, ceil_mode=True)),
        (leaf(2, 3, 5, 4),)),
    "AdaptiveAvgPool3DBackward0": lambda: (
        lambda x: engine.nn.functional.adaptive_avg_pool3d(x, (2, 3, 2)), (leaf(1, 2, 3, 5, 4),)),
    "MaxUnpool2DBackward0": lambda: (
        lambda x: engine.nn.functional.max_unpool2d(
            x, engine.tensor([[[[0, 3], [9, 14]]]]), 2, output_size=(4, 4)),
        (leaf(1, 1, 2, 2),)),
    "AdaptiveAvgPool3DBackwardBackward0": lambda: (
        _grads_joined(lambda x: engine.nn.functional.adaptive_avg_pool3d(x, (3, 2, 2))),
        (leaf(2, 4, 5, 3),)),
})

# linear algebra (issue #11): matrices kept well conditioned (and positive-definite for
# Cholesky) by a multiple of the identity, so that the finite differences stay accurate.


def _conditioned(a):
    return a + 3 * engine.eye(a.shape[-1], dtype=a.dtype)


SURFACE_CASES.update({
    "LinalgInvExBackward0": lambda: (lambda a: engine.linalg.inv(_conditioned(a)),
                                     (leaf(2, 3, 3),)),
    "LinalgDetBackward0": lambda: (lambda a: engine.linalg.det(_conditioned(a)), (leaf(3, 3),)),
    "LinalgSlogdetBackward0": lambda: (
        lambda a: engine.linalg.slogdet(_conditioned(a)).logabsdet, (leaf(2, 3, 3),)),
    "LinalgSolveExBackward0": lambda: (lambda a, b: engine.linalg.solve(_conditioned(a), b),
                                       (leaf(2, 3, 3), leaf(3, 2))),
    "LinalgCholeskyExBackward0": lambda: (
        lambda a: engine.linalg.cholesky(_conditioned(a @ a.mT)), (leaf(3, 3),)),
})
SURFACE_CASES.update({
    "LinalgEighBackward0": lambda: (
        lambda a: (lambda e: e.eigenvalues.unsqueeze(0) * e.eigenvectors.abs())(
            engine.linalg.eigh(a + a.mT)), (leaf(3, 3),)),
    "LinalgSvdBackward0": lambda: (
        lambda a: (lambda s: s.S * s.U.abs() + s.Vh.abs())(
            engine.linalg.svd(a, full_matrices=False)), (leaf(3, 3),)),
    "LinalgQrBackward0": lambda: (lambda a: (lambda q: q.Q[:3] * q.R)(engine.linalg.qr(a)),
                                  (leaf(4, 3),)),
    "LinalgPinvBackward0": lambda: (lambda a: engine.linalg.pinv(a), (leaf(3, 4),)),
})
SURFACE_CASES.update({
    "CdistBackward0": lambda: (lambda a, b: engine.cdist(a, b, p=3), (leaf(2, 3, 2), leaf(4, 2))),
    "EuclideanDistBackward0": lambda: (
        lambda a, b: engine.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        (leaf(2, 3, 2), leaf(2, 4, 2))),
    "LinalgCrossBackward0": lambda: (lambda a, b: engine.linalg.cross(a, b),
                                     (leaf(2, 3), leaf(1, 3))),
    "TraceBackward0": lambda: (lambda a: engine.trace(a) * a, (leaf(2, 3),)),
})
SURFACE_CASES.update({
    "LinalgSolveTriangularBackward0": lambda: (
        lambda a, b: engine.linalg.solve_triangular(_conditioned(a), b, upper=True),
        (leaf(3, 3), leaf(2, 3, 2))),
    "CholeskySolveBackward0": lambda: (
        lambda b, a: engine.cholesky_solve(b, _conditioned(a).tril()), (leaf(3, 2), leaf(3, 3))),
    "CholeskyInverseBackward0": lambda: (
        lambda a: engine.cholesky_inverse(_conditioned(a).triu(), upper=True), (leaf(3, 3),)),
    "CholeskyBackward0": lambda: (lambda a: _conditioned(a @ a.mT).cholesky(), (leaf(3, 3),)),
    "LinalgLstsqBackward0": lambda: (
        lambda a, b: (lambda r: r.solution.sum() * r.residuals)(
            engine.linalg.lstsq(a, b, driver="gelsd")), (leaf(4, 2), leaf(4, 3))),
})
SURFACE_CASES["LinalgMatrixExpBackward0"] = lambda: (lambda a: engine.linalg.matrix_exp(a),
                                                     (leaf(2, 3, 3),))


def _diagonal_grad(a):
    g, = engine.autograd.grad((a.diagonal(1, 0, 2) ** 3).sum(), a, create_graph=True)
    return g


SURFACE_CASES["DiagonalBackwardBackward0"] = lambda: (_diagonal_grad, (leaf(3, 2, 4),))
SURFACE_CASES["DiagEmbedBackward0"] = lambda: (lambda a: engine.diag_embed(a, 1, 0, 2),
                                               (leaf(3, 2),))
# normseeds: torch.rsub of two tensors (its own node, with alpha)
SURFACE_CASES["RsubBackward0"] = lambda: (lambda a, b: engine.rsub(a, b, alpha=-1.5),
                                          (leaf(2, 3), leaf(3)))


# tensorops (issue #11): strided views, aliases and more math
def _unfold_grad(a):
    g, = engine.autograd.grad((a.unfold(1, 2, 1) ** 3).sum(), a, create_graph=True)
    return g


SURFACE_CASES.update({
    "UnfoldBackward0": lambda: (lambda a: a.unfold(1, 3, 2), (leaf(2, 7),)),
    "UnfoldBackwardBackward0": lambda: (_unfold_grad, (leaf(3, 4),)),
})


def _compared_in_place(method, other):
    def fn(a):
        y = a * 1
        getattr(y, method)(other() if callable(other) else other)
        return y * a
    return fn


SURFACE_CASES.update({
    f"{name.capitalize()}Backward{kind}": (lambda name=name, kind=kind: (
        _compared_in_place(f"{name}_", 0.1 if kind == 0 else
                           (lambda: engine.full((3,), 0.1, dtype=engine.float64))),
        (leaf(3),)))
    for name in ("eq", "ne", "lt", "le", "gt", "ge") for kind in (0, 1)})
SURFACE_CASES.update({
    "AddmvBackward0": lambda: (lambda c, m, v: engine.addmv(c, m, v, beta=0.5, alpha=2),
                               (leaf(2), leaf(2, 3), leaf(3))),
    "AddrBackward0": lambda: (lambda c, a, b: engine.addr(c, a, b, beta=2, alpha=0.5),
                              (leaf(2, 1), leaf(2), leaf(3))),
    "AddbmmBackward0": lambda: (lambda c, a, b: engine.addbmm(c, a, b, alpha=3),
                                (leaf(2, 4), leaf(3, 2, 5), leaf(3, 5, 4))),
})
SURFACE_CASES.update({
    "DiagonalBackward0_copy": lambda: (lambda a: engine.diag(a, 1), (leaf(3, 4),)),
    "Rot90Backward0": lambda: (lambda a: a.rot90(3, [1, 0]), (leaf(2, 3),)),
    "TakeBackward0": lambda: (lambda a: a.take(_index([0, 4, 4, -1])), (leaf(2, 3),)),
    "PutBackward0": lambda: (lambda a, s: a.put(_index([1, 4, 1]), s, accumulate=True),
                             (leaf(2, 3), leaf(3))),
    "MaskedScatterBackward0": lambda: (lambda a, s: a.masked_scatter(
        engine.tensor([True, False, True]), s), (leaf(2, 3), leaf(5))),
    "SelectScatterBackward0": lambda: (lambda a, s: engine.select_scatter(a, s, 1, 0),
                                       (leaf(2, 3), leaf(2))),
    "SliceScatterBackward0": lambda: (lambda a, s: engine.slice_scatter(a, s, 1, 1),
                                      (leaf(2, 3), leaf(2, 2))),
    "DiagonalScatterBackward0": lambda: (lambda a, s: engine.diagonal_scatter(a, s, -1),
                                         (leaf(3, 3), leaf(2))),
    "VdotBackward0": lambda: (engine.vdot, (leaf(4), leaf(4))),
})


def _positive(*shape):
    return leaf(*shape, low=0.5, high=3.0)


def _in_place_polygamma(a):
    y = a * 1
    y.polygamma_(1)
    return y


SURFACE_CASES.update({
    "LgammaBackward0": lambda: (engine.lgamma, (_positive(3),)),
    "DigammaBackward0": lambda: (engine.digamma, (_positive(3),)),
    "PolygammaBackward0": lambda: (lambda a: engine.polygamma(2, a), (_positive(3),)),
    "PolygammaBackward1": lambda: (_in_place_polygamma, (_positive(3),)),
    "MvlgammaBackward0": lambda: (lambda a: engine.mvlgamma(a + 2, 3), (_positive(3),)),
    "ErfinvBackward0": lambda: (engine.erfinv, (leaf(3, low=-0.8, high=0.8),)),
    "I0Backward0": lambda: (engine.i0, (leaf(3),)),
    "SpecialI1Backward0": lambda: (
        lambda a: engine.autograd.grad(engine.i0(a).sum(), a, create_graph=True)[0],
        (leaf(3),)),
    "Logaddexp2Backward0": lambda: (engine.logaddexp2, (leaf(2, 3), leaf(3))),
    "LogcumsumexpBackward0": lambda: (lambda a: engine.logcumsumexp(a, 1), (leaf(2, 4),)),
    "LdexpBackward0": lambda: (engine.ldexp, (leaf(3), leaf(3))),
    "FrexpBackward0": lambda: (lambda a: engine.frexp(a).mantissa, (_positive(3),)),
    "NextafterBackward0": lambda: (engine.nextafter, (leaf(3), leaf(3))),
    "DistBackward0": lambda: (lambda a, b: engine.dist(a, b, 3), (leaf(2, 3), leaf(3))),
    "RenormBackward0": lambda: (lambda a: engine.renorm(a, 2, 0, 0.5), (leaf(3, 4),)),
})
SURFACE_CASES.update({
    "SpecialEntrBackward0": lambda: (engine.special.entr, (_positive(3),)),
    "SpecialXlog1PyBackward0": lambda: (engine.special.xlog1py, (leaf(2, 3), _positive(3))),
})
SURFACE_CASES["ScatterReduceBackward0"] = lambda: (
    lambda a, s: a.scatter_reduce(1, _index([[0, 0, 2], [1, 2, 2]]), s, "prod"),
    (away_from_zero(2, 3), away_from_zero(2, 3)))
SURFACE_CASES.update({
    "AngleBackward0": lambda: (lambda a: engine.angle(a) * a, (away_from_zero(3),)),
    "NarrowCopyBackward0": lambda: (lambda a: a.narrow_copy(1, 1, 2), (leaf(2, 4),)),
})
SURFACE_CASES["UnsafeSplitWithSizesBackward0"] = lambda: (
    lambda a: engine.stack([p.sum() for p in a.unsafe_split_with_sizes([1, 2], 1)]),
    (leaf(2, 3),))
SURFACE_CASES.update({
    "StdMeanBackward0": lambda: (lambda a: (lambda s, m: s * 2 + m)(*engine.std_mean(a, 1)),
                                 (leaf(3, 4),)),
    "VarMeanBackward0": lambda: (lambda a: (lambda v, m: v - m * 3)(*engine.var_mean(a, 0)),
                                 (leaf(3, 4),)),
    "BlockDiagBackward0": lambda: (lambda a, b: engine.block_diag(a, b, b.sum()),
                                   (leaf(2, 3), leaf(4))),
})
SURFACE_CASES.update({
    "FillBackward0": lambda: (lambda a: engine.fill(a, 2.0) * a, (leaf(3),)),
    "FillBackward1": lambda: (lambda a, v: engine.fill(a, v) * a, (leaf(3), leaf())),
})
SURFACE_CASES["IndexReduceBackward0"] = lambda: (
    lambda a, s: a.index_reduce(1, _index([0, 2, 0]), s, "prod"),
    (away_from_zero(2, 3), away_from_zero(2, 3)))
