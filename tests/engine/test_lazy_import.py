"""`import engine` is light; torch's names load on first use, whichever way a program comes
in (each case in a fresh process: the import order is what is tested)."""
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_events_alone_load_neither_the_ops_nor_numba():
    out = run("import sys\nfrom engine import trace\nimport engine\n"
              "print(sorted(m for m in sys.modules if m.startswith(('engine', 'numba'))))")
    assert out == "['engine', 'engine.trace']"


@pytest.mark.parametrize("first", [
    "import engine", "import engine as torch", "import engine.nn", "import engine._api",
    "from engine.tensor import Tensor", "import engine.optim", "from engine import nn",
    "import engine.autograd"])
def test_every_way_in_gives_torchs_names(first):
    out = run(f"{first}\nimport engine\n"
              "x = engine.tensor([1.0, 2.0], requires_grad=True)\n"
              "(engine.nn.Linear(2, 1)(x * 2)).sum().backward()\n"
              "print(type(engine.tensor).__name__, engine.random.__name__, x.grad is not None,"
              " engine.Tensor is engine.tensor([1.0]).__class__)")
    assert out == "function engine.random True True"


def test_the_namespace_lists_the_same_names_however_it_is_read():
    out = run("import engine\nnames = set(dir(engine))\n"
              "namespace = {}\nexec('from engine import *', namespace)\n"
              "public = {n for n in names if not n.startswith('_')}\n"
              "print(public == set(namespace) - {'__builtins__'}, 'ones' in public,"
              " 'no_grad' in vars(engine))")
    assert out == "True True True"


def test_a_torch_name_the_engine_lacks_still_says_so():
    out = run("import engine\ntry:\n    engine.fft\nexcept AttributeError as e:\n"
              "    print(type(e).__name__, e)\nprint(hasattr(engine, 'no_such_name'))")
    assert out.splitlines() == [
        "NotSupportedError torch.fft is not supported by graphtui's engine (see "
        "docs/supported.md for what is)", "False"]
