"""engine.kernels.heap: freed memory stays in the heap once the kernels are loaded."""
import os
import subprocess
import sys

import pytest

# Three 12 MB arrays made and freed ten times: with glibc's defaults each round hands the
# memory back and faults it in again (~10,000 minor faults); kept, it faults once.
CODE = """
import resource, sys
import numpy as np
if sys.argv[1] == "load":
    import engine.kernels
def rounds(n):
    for _ in range(n):
        arrays = [np.ones(3 << 20, np.float32) for _ in range(3)]
        del arrays
rounds(1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
rounds(10)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults(mode, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.update(extra_env or {})
    out = subprocess.run([sys.executable, "-c", CODE, mode], capture_output=True, text=True,
                         env=env, check=True)
    return int(out.stdout.split()[-1])


@pytest.fixture(scope="module")
def glibc_defaults_fault():
    if faults("plain") < 5000:
        pytest.skip("this C library keeps freed memory anyway (not glibc's defaults)")


def test_loading_the_kernels_keeps_freed_memory(glibc_defaults_fault):
    assert faults("load") < 1000


def test_a_users_malloc_setting_wins(glibc_defaults_fault):
    assert faults("load", {"MALLOC_TRIM_THRESHOLD_": "131072"}) > 5000


def test_set_once():
    code = "import engine.kernels.heap as h; print(h.keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False"]      # the package import already set it
