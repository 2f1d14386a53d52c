"""torch.save / torch.load in PyTorch's file format, checked against torch 2.13 live: files
the engine writes load in torch, files torch writes load in the engine (values, dtypes,
views sharing memory, Parameters, requires_grad, nested containers), weights_only's refusal
with torch's text, and a tutorial's save-and-reload under `import torch`."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import engine
import oracle

RUN_WITH_ENGINE = Path(__file__).resolve().parents[1].parent / "scenarios" / "run_with_engine.py"


class Unlisted:
    """A class weights_only refuses."""


def checkpoint(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(lib.ones(5, 3)).sum().backward()
    opt.step()
    base = lib.arange(12).reshape(3, 4)
    return {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 7,
            "view": base[1:, ::2], "base": base, "param": model[0].bias,
            "f64": lib.linspace(0, 1, 3, dtype=lib.float64), "mask": lib.tensor([True, False]),
            "leaf": lib.ones(2, requires_grad=True), "scalar": lib.tensor(2.5),
            "empty": lib.zeros(0, 3), "nested": [(lib.ones(1), {"k": lib.zeros(2)})]}


def described(value):
    """A plain description of a loaded object, the same for both libraries' tensors."""
    if hasattr(value, "shape") and hasattr(value, "requires_grad"):
        return ("tensor", type(value).__name__, str(value.dtype).replace("torch.", ""),
                tuple(value.shape), value.requires_grad, value.detach().numpy().tolist())
    if isinstance(value, dict):
        return {key: described(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)([described(item) for item in value])
    return value


@pytest.mark.parametrize("writer, reader", [(engine, torch), (torch, engine), (engine, engine)])
def test_checkpoints_pass_both_ways(tmp_path, writer, reader):
    path = tmp_path / "ckpt.pth"
    writer.save(checkpoint(writer), path)
    loaded = reader.load(path)
    assert described(loaded) == described(torch.load(_torch_written(tmp_path)))
    loaded["view"][0, 0] = 100                      # a view still shares its base's memory
    assert loaded["base"][1, 0].item() == 100


def _torch_written(tmp_path) -> Path:
    path = tmp_path / "reference.pth"
    torch.save(checkpoint(torch), path)
    return path


def test_a_state_dict_loads_into_the_other_librarys_model(tmp_path):
    engine.manual_seed(3)
    source = engine.nn.Linear(4, 2)
    engine.save(source.state_dict(), tmp_path / "w.pt")
    target = torch.nn.Linear(4, 2)
    assert str(target.load_state_dict(torch.load(tmp_path / "w.pt", weights_only=True))) == \
        "<All keys matched successfully>"
    np.testing.assert_array_equal(target.weight.detach().numpy(), source.weight.detach().numpy())


def test_weights_only_refuses_other_globals_with_torchs_text(tmp_path):
    def refusal(lib):
        path = tmp_path / f"{lib.__name__}.pt"
        lib.save({"obj": Unlisted()}, path)
        error = oracle.error_of(lambda: lib.load(path))
        allowed = type(lib.load(path, weights_only=False)["obj"]).__name__
        return error, allowed
    (kind, text), allowed = oracle.agree(refusal)
    assert kind == "UnpicklingError" and "Unsupported global: GLOBAL" in text
    assert allowed == "Unlisted"


def test_file_objects_and_a_non_zip_file(tmp_path):
    import io
    buffer = io.BytesIO()
    engine.save({"x": engine.ones(2)}, buffer)
    buffer.seek(0)
    assert torch.load(buffer)["x"].tolist() == [1.0, 1.0]
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    error = oracle.error_of(lambda: engine.load(tmp_path / "junk.pt"))
    assert error[0] == "RuntimeError"


def test_the_quickstart_save_and_reload_prints_as_torch(tmp_path):
    script = tmp_path / "save_reload.py"
    script.write_text(
        "import torch\n"
        "from torch import nn\n"
        "torch.manual_seed(0)\n"
        "model = nn.Sequential(nn.Flatten(), nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))\n"
        "opt = torch.optim.SGD(model.parameters(), lr=1e-1)\n"
        "x, y = torch.randn(16, 2, 2), torch.randint(0, 3, (16,))\n"
        "for _ in range(5):\n"
        "    loss = nn.functional.cross_entropy(model(x), y)\n"
        "    opt.zero_grad(); loss.backward(); opt.step()\n"
        "torch.save(model.state_dict(), 'model.pth')\n"
        "print('Saved PyTorch Model State to model.pth')\n"
        "model = nn.Sequential(nn.Flatten(), nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))\n"
        "print(model.load_state_dict(torch.load('model.pth', weights_only=True)))\n"
        "with torch.no_grad():\n"
        "    print(model(x[:2]).argmax(1), round(loss.item(), 4))\n", encoding="utf-8")
    on_torch = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              cwd=tmp_path)
    on_engine = subprocess.run([sys.executable, str(RUN_WITH_ENGINE), str(script)],
                               capture_output=True, text=True, cwd=tmp_path)
    assert on_torch.returncode == 0, on_torch.stderr
    assert on_engine.stdout == on_torch.stdout, on_engine.stderr
    assert "<All keys matched successfully>" in on_torch.stdout
