"""lgamma, digamma, polygamma, mvlgamma, erfinv, i0, logaddexp2, logcumsumexp, ldexp,
frexp, nextafter, heaviside, gcd/lcm, float_power, dist and renorm against torch 2.13,
live: values (to a few units in the last place: torch's special functions use other
expansions, see engine/kernels/special.py), dtypes, nodes, saved values, gradients and
double backward, errors."""
import pytest

from surface_live import check
from tensorops_live import compare

A = [[0.31, -0.42, 0.77, 1.5], [-2.5, 0.5, 2.25, 0.1], [1.25, -0.75, 0.2, -1.1]]
B = [[1.2, 0.6, -0.9, 0.4], [0.7, -1.3, 2.0, 0.35], [-0.45, 1.6, 0.8, 2.2]]
POSITIVE = [[0.31, 0.42, 0.77, 1.5], [2.5, 0.5, 2.25, 3.1], [1.25, 0.75, 4.2, 1.1]]
UNIT = [[0.3, -0.1, 0.7, 0.95], [-0.5, 0.05, 0.6, -0.2], [0.4, -0.85, 0.15, 0.55]]
ROW = [0.5, -1.5, 2.0, 0.25]

OPS = {
    "lgamma": (lambda t, x: t.lgamma(x), (A,)),
    "lgamma_method": (lambda t, x: x.lgamma(), (POSITIVE,)),
    "digamma": (lambda t, x: t.digamma(x), (A,)),
    "polygamma_1": (lambda t, x: t.polygamma(1, x), (POSITIVE,)),
    "polygamma_2": (lambda t, x: x.polygamma(2), (POSITIVE,)),
    "polygamma_negative_x": (lambda t, x: t.polygamma(2, x), (A,)),
    "mvlgamma": (lambda t, x: t.mvlgamma(x + 2, 3), (POSITIVE,)),
    "erfinv": (lambda t, x: t.erfinv(x), (UNIT,)),
    "i0": (lambda t, x: t.i0(x), (A,)),
    "logaddexp2": (lambda t, x, y: t.logaddexp2(x, y), (A, B)),
    "logaddexp2_broadcast": (lambda t, x, y: x.logaddexp2(y), (A, ROW)),
    "logcumsumexp": (lambda t, x: t.logcumsumexp(x, 1), (A,)),
    "logcumsumexp_dim0": (lambda t, x: x.logcumsumexp(-2), (A,)),
    "ldexp": (lambda t, x, y: t.ldexp(x, y), (A, B)),
    "ldexp_int_exponent": (lambda t, x: x.ldexp(t.tensor([1, -2, 3, 0])), (A,)),
    "frexp": (lambda t, x: t.frexp(x).mantissa, (A,)),
    "nextafter": (lambda t, x, y: t.nextafter(x, y) * x, (A, B)),
    "float_power": (lambda t, x: t.float_power(x, 2), (A,)),
    "float_power_tensor": (lambda t, x, y: x.abs().float_power(y), (A, B)),
    "float_power_scalar_base": (lambda t, y: t.float_power(2, y), (B,)),
    "dist": (lambda t, x, y: t.dist(x, y), (A, B)),
    "dist_p3": (lambda t, x, y: x.dist(y, 3), (A, B)),
    "dist_p1": (lambda t, x, y: t.dist(x, y, 1), (A, B)),
    "dist_p_half": (lambda t, x, y: t.dist(x, y, 0.5), (A, B)),
    "dist_inf": (lambda t, x, y: t.dist(x, y, float("inf")), (A, B)),
    "dist_broadcast": (lambda t, x, y: t.dist(x, y), (A, ROW)),
    "renorm": (lambda t, x: t.renorm(x, 2, 0, 1.0), (A,)),
    "renorm_dim1_p1": (lambda t, x: x.renorm(1, 1, 1.5), (A,)),
    "renorm_inf": (lambda t, x: x.renorm(float("inf"), 0, 1.2), (A,)),
    "renorm_": (lambda t, x: (x * 1).renorm_(3, 0, 0.8), (A,)),
    "lgamma_": (lambda t, x: (x * 1).lgamma_(), (POSITIVE,)),
    "digamma_": (lambda t, x: (x * 1).digamma_(), (POSITIVE,)),
    "erfinv_": (lambda t, x: (x * 1).erfinv_(), (UNIT,)),
    "polygamma_": (lambda t, x: (x * 1).polygamma_(1), (POSITIVE,)),
}
# the double-backward graphs of these hold ATen-internal ops (logcumsumexp_backward's
# where/flip chain, i1_backward, mvlgamma_backward's arange, renorm_backward, norm_backward):
# their values are compared, not the names.
VALUES_ONLY = {"mvlgamma", "i0", "logcumsumexp", "logcumsumexp_dim0", "erfinv", "erfinv_",
               "renorm", "renorm_dim1_p1", "renorm_inf", "renorm_", "logaddexp2",
               "logaddexp2_broadcast", "ldexp", "ldexp_int_exponent", "frexp",
               # the engine's mul and pow (PowBackward1) record other double-backward
               # graphs than torch's, before and apart from these ops
               "nextafter", "float_power_tensor"}
# torch's special functions are within a few ulps of ours (float32: its own float32
# expansions), so these compare at a looser tolerance.
TOLERANCE = {"float32": 2e-5, "float64": 1e-11}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", OPS)
def test_values_gradients_and_graphs(name, dtype):
    fn, data = OPS[name]
    compare(fn, data, dtype, graph=name not in VALUES_ONLY, tol=TOLERANCE[dtype])


SNIPPETS = {
    "lgamma_int": lambda t: t.lgamma(t.tensor([1, 2, 5])),
    "lgamma_poles": lambda t: t.lgamma(t.tensor([0.0, -1.0, -2.5, float("inf")])),
    "digamma_special": lambda t: t.digamma(t.tensor([0.0, -0.0, -1.0, -1.5, 1.0])),
    "polygamma_negative_n": lambda t: t.polygamma(-1, t.ones(2)),
    "polygamma_int": lambda t: t.polygamma(1, t.tensor([1, 2])),
    "polygamma_poles": lambda t: t.polygamma(3, t.tensor([0.0, -2.0])),
    "mvlgamma_int": lambda t: t.mvlgamma(t.tensor([2, 3]), 2),
    "mvlgamma_small": lambda t: t.mvlgamma(t.tensor([0.4]), 2),
    "erfinv_edges": lambda t: t.erfinv(t.tensor([1.0, -1.0, 1.5, 0.0, -0.0])),
    "erfinv_int": lambda t: t.erfinv(t.tensor([0, 1])),
    "erfinv_int_in_place": lambda t: t.tensor([0, 1]).erfinv_(),
    "i0_int": lambda t: t.i0(t.tensor([1, 2])),
    "i0_in_place": lambda t: t.i0_(t.tensor([0.5, -2.0])),
    "logaddexp2_int": lambda t: t.logaddexp2(t.tensor([1]), t.tensor([2])),
    "logaddexp2_infinities": lambda t: t.logaddexp2(t.tensor([float("-inf"), float("inf")]),
                                                    t.tensor([float("-inf"), float("inf")])),
    "logcumsumexp_int": lambda t: t.logcumsumexp(t.tensor([1, 2]), 0),
    "logcumsumexp_0dim": lambda t: t.logcumsumexp(t.tensor(1.5), 0),
    "logcumsumexp_infs": lambda t: t.tensor([float("-inf"), 0.0, float("inf")]).logcumsumexp(0),
    "ldexp_ints": lambda t: t.ldexp(t.tensor([1, 2]), t.tensor([3])),
    "ldexp_float_exponent": lambda t: t.ldexp(t.tensor([1.0]), t.tensor([3.5])),
    "ldexp_in_place": lambda t: t.tensor([1.0, 3.0]).ldexp_(t.tensor([2, -1])),
    "frexp_values": lambda t: t.frexp(t.tensor([0.0, 1.0, -3.5, 1e-40, float("inf")])),
    "frexp_int": lambda t: t.frexp(t.tensor([1, 2])),
    "frexp_float64": lambda t: t.tensor([8.0, 0.1], dtype=t.float64).frexp(),
    "nextafter_values": lambda t: t.nextafter(t.tensor([1.0, 0.0]), t.tensor([2.0, -1.0])) -
    t.tensor([1.0, 0.0]),
    "nextafter_backward": lambda t: (lambda a: (t.nextafter(a, t.tensor([0.0, 5.0])).sum()
                                               .backward(), a.grad)[1])(
        t.tensor([1.0, 2.0], requires_grad=True)),
    "heaviside": lambda t: t.heaviside(t.tensor([-1.0, 0.0, 2.0, float("nan")]),
                                       t.tensor([0.5])),
    "heaviside_int": lambda t: t.tensor([-1, 0, 3]).heaviside(t.tensor([7])),
    "heaviside_dtypes": lambda t: t.heaviside(t.ones(2), t.tensor([0.5], dtype=t.float64)),
    "heaviside_grad_fn": lambda t: t.heaviside(t.tensor([1.0, 2.0], requires_grad=True),
                                               t.tensor(0.5)).grad_fn.name(),
    "heaviside_backward": lambda t: t.heaviside(t.tensor([1.0, 2.0], requires_grad=True),
                                                t.tensor(0.5)).sum().backward(),
    "heaviside_in_place": lambda t: t.tensor([-1.0, 0.0]).heaviside_(t.tensor([0.5])),
    "gcd": lambda t: t.gcd(t.tensor([-4, 0, 12]), t.tensor([6, 0, 18])),
    "lcm": lambda t: t.lcm(t.tensor([-4, 0, 3]), t.tensor([6, 3, 5])),
    "gcd_float": lambda t: t.gcd(t.ones(2), t.ones(2)),
    "lcm_float": lambda t: t.tensor([2]).lcm(t.tensor([1.5])),
    "gcd_in_place": lambda t: t.tensor([4, 9]).gcd_(t.tensor([6, 6])),
    "gcd_types": lambda t: t.gcd(t.tensor([4], dtype=t.int16), t.tensor([6], dtype=t.int32)),
    "float_power_float32": lambda t: t.tensor([1.0]).float_power_(2),
    "float_power_in_place": lambda t: t.tensor([3.0], dtype=t.float64).float_power_(2),
    "float_power_ints": lambda t: t.float_power(t.tensor([2]), 2),
    "float_power_int_exponent_tensor": lambda t: t.float_power(t.tensor([2.0]), t.tensor([3])),
    "dist_ints": lambda t: t.dist(t.tensor([1, 2]), t.tensor([1, 2])),
    "dist_zero": lambda t: t.dist(t.tensor([1.0, 2.0]), t.tensor([1.5, 2.0]), 0),
    "dist_neg_inf": lambda t: t.dist(t.tensor([1.0, 2.0]), t.tensor([1.5, 2.0]), -float("inf")),
    "dist_p0_grad": lambda t: (lambda a: t.autograd.grad(t.dist(a, a.detach() * 2, 0), a,
                                                          create_graph=True)[0].requires_grad)(
        t.tensor([1.0, 2.0], requires_grad=True)),
    "dist_p0_backward": lambda t: (lambda a: (t.dist(a * 1, a.detach() * 2, 0).backward(),
                                              a.grad)[1])(t.tensor([1.0, 2.0], requires_grad=True)),
    "dist_same_grad": lambda t: (lambda a: (t.dist(a, a.detach()).backward(), a.grad)[1])(
        t.tensor([1.0, 2.0], requires_grad=True)),
    "renorm_negative_p": lambda t: t.renorm(t.ones(2, 3), -1, 0, 1),
    "renorm_negative_maxnorm": lambda t: t.renorm(t.ones(2, 3), 2, 0, -1),
    "renorm_below": lambda t: t.renorm(t.ones(2, 3), 2, 0, 5),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_as_torch(name):
    check(SNIPPETS[name])
