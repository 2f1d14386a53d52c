"""The Tensor methods of the linear-algebra ops (a.inverse(), a.det(), ...)."""
from __future__ import annotations

from engine.ops import linalg_compat as LC
from engine.ops import linalg_exp as LE
from engine.ops import linalg_products as LP
from engine.ops import linalg_solve as LS
from engine.ops import linalg_triangular as LT

METHODS = {
    "inverse": LS.inv, "det": LS.det, "logdet": LS.logdet, "slogdet": LS.torch_slogdet,
    "matrix_power": LS.matrix_power, "trace": LP.trace, "cross": LP.cross, "kron": LP.kron,
    "diag_embed": LP.diag_embed,
    "cholesky": LT.cholesky, "cholesky_solve": LT.cholesky_solve,
    "cholesky_inverse": LT.cholesky_inverse, "matrix_exp": LE.matrix_exp,
    "svd": LC.svd, "qr": LC.torch_qr, "pinverse": LC.pinverse,
}
