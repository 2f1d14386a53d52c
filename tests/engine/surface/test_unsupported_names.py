"""A torch name the engine lacks raises NotImplementedError naming it; a name torch lacks
too raises a plain AttributeError; hasattr() stays usable for both."""
import importlib
import pathlib
import subprocess
import sys

import pytest
import torch

import engine
import engine.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[3]
# Names torch has in each namespace and graphtui's engine does not (each checked below to be
# in torch, so a list gone stale fails here rather than passing quietly).
MISSING = [("torch", engine, "fft"), ("torch", engine, "lobpcg"),
           ("torch.nn", engine.nn, "SyncBatchNorm"), ("torch.nn.functional", F, "ctc_loss"),
           ("torch.optim", engine.optim, "SparseAdam"),
           ("torch.optim", engine.optim, "Muon"),   # nn.init now has every name (breadth)
           ("torch.autograd", engine.autograd, "forward_ad"),
           ("torch.cuda", engine.cuda, "mem_get_info"),
           ("torch.utils.data", engine.utils.data, "DistributedSampler"),
           ("torch.linalg", engine.linalg, "ldl_factor")]


def _torch_namespace(path: str):
    return importlib.import_module(path)


@pytest.mark.parametrize("namespace, module, name", MISSING, ids=[m[2] for m in MISSING])
def test_a_torch_name_the_engine_lacks_is_not_supported(namespace, module, name):
    assert hasattr(_torch_namespace(namespace), name)
    with pytest.raises(NotImplementedError) as caught:
        getattr(module, name)
    assert str(caught.value) == (f"{namespace}.{name} is not supported by graphtui's engine "
                                 "(see docs/supported.md for what is)")
    assert not hasattr(module, name)


def test_a_tensor_method_the_engine_lacks_is_not_supported():
    x = engine.ones(2)
    assert hasattr(torch.ones(2), "geqrf")
    with pytest.raises(NotImplementedError, match=r"^torch\.Tensor\.geqrf is not supported "):
        x.geqrf()
    assert not hasattr(x, "geqrf")


@pytest.mark.parametrize("owner, module_text", [(engine, "engine"), (engine.nn, "engine.nn"),
                                                (F, "engine.nn.functional")])
def test_a_name_torch_lacks_too_is_an_attribute_error(owner, module_text):
    with pytest.raises(AttributeError) as caught:
        owner.no_such_thing
    assert type(caught.value) is AttributeError
    assert str(caught.value) == f"module '{module_text}' has no attribute 'no_such_thing'"


def test_a_tensor_attribute_torch_lacks_is_an_attribute_error():
    with pytest.raises(AttributeError) as caught:
        engine.nn.Parameter(engine.ones(1)).no_such_thing
    assert type(caught.value) is AttributeError
    assert str(caught.value) == "'Parameter' object has no attribute 'no_such_thing'"


def test_private_names_are_plain_attribute_errors():
    with pytest.raises(AttributeError) as caught:
        engine._C
    assert type(caught.value) is AttributeError


def test_the_names_file_is_what_the_script_writes_for_this_torch():
    """engine/_torch_names.py is regenerable: the script, run in a fresh process, renders
    the same text."""
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_torch_names.py"),
                          "--stdout"], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout == (ROOT / "engine" / "_torch_names.py").read_text()


def test_importing_engine_does_not_read_the_names_file():
    code = "import sys, engine; print('engine._torch_names' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
