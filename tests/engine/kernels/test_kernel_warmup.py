"""warm_up compiles (or loads) every kernel of the families it covers, in both dtypes.

Checked in a fresh interpreter: in the test process, kernels other tests called are compiled
already, whatever warm_up does."""

import json
import subprocess
import sys

import engine.kernels as kernels

# Called only from inside other kernels: compiled into them, so a caller loaded from Numba's
# cache never compiles these on their own.
INNER = {"engine.kernels.pooling._max_pool_plane"}

PROBE = """
import json
import numpy as np
from numba.core.dispatcher import Dispatcher
import engine.kernels as kernels
from engine.kernels import batch_norm, conv, elementwise, loss, pooling
kernels.warm_up(dtypes=(np.float32, np.float64))
print(json.dumps({
    f"{module.__name__}.{name}": sorted({str(arg.dtype) for signature in obj.signatures
                                         for arg in signature if hasattr(arg, "dtype")})
    for module in (batch_norm, conv, elementwise, loss, pooling)
    for name, obj in vars(module).items() if isinstance(obj, Dispatcher)}))
"""


def test_warm_up_compiles_every_kernel_for_both_dtypes():
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                           timeout=600)
    assert probe.returncode == 0, probe.stderr
    compiled = json.loads(probe.stdout)
    assert len(compiled) >= 15
    missing = {name: dtypes for name, dtypes in compiled.items()
               if name not in INNER and not {"float32", "float64"} <= set(dtypes)}
    assert missing == {}


def test_every_public_kernel_is_exported():
    public = [name for name in kernels.__all__ if not hasattr(kernels, name)]
    assert public == []
