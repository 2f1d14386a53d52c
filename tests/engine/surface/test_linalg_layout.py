"""What linalg's outputs look like in memory, as torch 2.13's: LAPACK's column-major
matrices where torch returns them (so stride(), is_contiguous() and whether a view or a
reshape-alias follows are torch's), row-major elsewhere."""
import pytest

from surface_live import check

A = "t.tensor([[[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]]]).expand(2, 3, 3)"
R = "t.arange(24.0).reshape(2, 4, 3).sin()"

OUTPUTS = {
    "inv": f"t.linalg.inv({A})", "inv_2d": f"t.linalg.inv({A}[0])",
    "inv_ex": f"t.linalg.inv_ex({A})", "solve": f"t.linalg.solve({A}, {R}[:, :3])",
    "solve_right": f"t.linalg.solve({A}, {R}[:, :3].mT, left=False)",
    "cholesky": f"t.linalg.cholesky({A})", "cholesky_upper": f"t.linalg.cholesky({A}, upper=True)",
    "qr": f"t.linalg.qr({R})", "svd": f"t.linalg.svd({R}, full_matrices=False)",
    "svd_full": f"t.linalg.svd({R})", "eigh": f"t.linalg.eigh({A})",
    "pinv": f"t.linalg.pinv({R})",
    "solve_triangular": f"t.linalg.solve_triangular({A}, {R}[:, :3], upper=True)",
    "cholesky_solve": f"t.cholesky_solve({R}[:, :3], {A})",
    "cholesky_inverse": f"t.cholesky_inverse({A})",
    "matrix_exp": f"t.linalg.matrix_exp({A})", "cdist": f"t.cdist({R}, {R})",
    "cross": f"t.linalg.cross({R}, {R}.flip(1))", "det": f"t.linalg.det({A})",
}


def _strides(value):
    return value.stride() if hasattr(value, "stride") else [_strides(v) for v in value]


@pytest.mark.parametrize("name", OUTPUTS)
def test_strides_as_torch(name):
    check(lambda t: _strides(eval(OUTPUTS[name], {"t": t})))


def test_a_column_major_inverse_does_not_view_flat():
    check(lambda t: t.linalg.inv(t.eye(3) * 2).view(-1))


def test_tensorinv_reshapes_an_alias():
    check(lambda t: t.linalg.tensorinv((t.eye(9) * 2).reshape(9, 3, 3).requires_grad_(), ind=1))
