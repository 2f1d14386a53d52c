"""engine.kernels.blas_threads: one OpenBLAS thread unless the user chose a count."""
import os
import subprocess
import sys

import pytest

CODE = ("from engine.kernels.blas_threads import limit_blas_threads, _loaded_openblas_paths\n"
        "import numpy\n"
        "print(bool(_loaded_openblas_paths()), limit_blas_threads(1), limit_blas_threads(1))\n")


def run(extra_env):
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    env.update(extra_env)
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env,
                         check=True)
    return out.stdout.split()


def test_sets_one_thread_once():
    has_openblas, first, second = run({})
    if has_openblas == "False":
        pytest.skip("NumPy here does not use OpenBLAS")
    assert (first, second) == ("True", "False")


def test_a_users_thread_count_wins():
    assert run({"OPENBLAS_NUM_THREADS": "2"})[1:] == ["False", "False"]
