"""`graphtui dump`: the gradient table (text), the `gradients` key of --json's header and the
SVG of --plot, for a small training loop whose gradients torch computes in the test."""
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

from graphtui.model.gradient_rows import number

LOOP = """
import {lib} as torch
import {lib}.nn as nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
x = torch.linspace(-1, 1, 24).reshape(8, 3)
y = x.sum(1, keepdim=True)
for step in range(3):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(net(x), y)
    loss.backward()
    optimizer.step()
"""


def torch_run():
    scope = {}
    exec(LOOP.format(lib="torch"), scope)
    return scope


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("gradients") / "loop.py"
    path.write_text(LOOP.format(lib="engine"), encoding="utf-8")
    return path


def dump(*args):
    return subprocess.run([sys.executable, "-m", "graphtui", "dump", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_text_dump_ends_with_the_last_iterations_table(scenario):
    result = dump(scenario)
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("== gradients: ", 1)[1].splitlines()
    scope = torch_run()
    assert section[0] == f"backward 3 of 3, loss {scope['loss'].item():.6g}"
    assert section[1] == "findings: none"
    assert section[2].startswith("thresholds: vanishing: ‖g‖ < 1e-07")
    assert section[3].split()[:3] == ["parameter", "shape", "‖g‖"]
    assert section[4] == "0 (Linear)"
    rows = {}
    module = None
    for line in section[4:]:
        if not line.startswith("  "):
            module = line.split()[0]
            continue
        cells = line.split()
        rows[f"{module}.{cells[0]}"] = cells
    assert sorted(rows) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    for name, param in scope["net"].named_parameters():
        grad = param.grad.numpy().astype(np.float64)
        cells = rows[name]
        assert cells[2] == number(float(np.linalg.norm(grad))), name
        assert cells[5] == number(float(np.abs(grad).mean())), name
        assert cells[6] == "0"
        assert len(cells[8]) == 3                          # one block per iteration


def test_json_header_carries_every_iterations_statistics(scenario, tmp_path):
    out = tmp_path / "run.jsonl"
    result = dump(scenario, "--json", "-o", out)
    assert result.returncode == 0, result.stderr
    header = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    gradients = header["gradients"]
    assert [p["name"] for p in gradients["parameters"]] == ["0.weight", "0.bias", "2.weight",
                                                            "2.bias"]
    assert [it["number"] for it in gradients["iterations"]] == [1, 2, 3]
    scope = torch_run()
    last = gradients["iterations"][-1]
    assert last["loss"] == pytest.approx(scope["loss"].item(), rel=1e-5)
    for name, param in scope["net"].named_parameters():
        stat = last["grads"][name]
        assert stat["norm"] == pytest.approx(float(param.grad.norm()), rel=1e-5)
        assert stat["max"] == pytest.approx(float(param.grad.max()), rel=1e-5, abs=1e-8)
        assert stat["update_ratio"] > 0
    assert gradients["thresholds"] == {"vanishing_norm": 1e-7, "vanishing_drop": 1e-4,
                                       "exploding_norm": 1e3}
    reopened = subprocess.run([sys.executable, "-m", "graphtui", "dump", str(out)],
                              capture_output=True, text=True, timeout=120)
    assert reopened.returncode == 0 and "== gradients: backward 3 of 3" in reopened.stdout


def test_plot_writes_a_valid_svg_with_both_charts(scenario, tmp_path):
    out = tmp_path / "charts.svg"
    result = dump(scenario, "--plot", out)
    assert result.returncode == 0, result.stderr
    root = ElementTree.fromstring(out.read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("Gradient flow, backward 3 of 3") for t in texts)
    assert "0 (Linear)" in texts and "2 (Linear)" in texts
    assert any(t.startswith("Loss over iterations") for t in texts)
    bars = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert len(bars) >= 1 + 2 * 2                          # background, max and mean per layer
    line = next(root.iter("{http://www.w3.org/2000/svg}polyline"))
    assert len(line.get("points").split()) == 3            # one point per iteration


def test_plot_refuses_a_png_name(scenario, tmp_path):
    out = tmp_path / "charts.png"
    result = dump(scenario, "--plot", out)
    assert result.returncode == 2
    assert "--plot writes SVG only" in result.stderr and not out.exists()


def test_a_run_without_backward_has_no_gradient_section(tmp_path):
    path = tmp_path / "forward.py"
    path.write_text("import engine\nx = engine.ones(2) * 2\n", encoding="utf-8")
    plot = tmp_path / "p.svg"
    result = dump(path, "--plot", plot)
    assert result.returncode == 0 and "== gradients" not in result.stdout
    assert "nothing to draw" in plot.read_text(encoding="utf-8")


def test_a_bias_before_a_batchnorm_is_explained_not_flagged(tmp_path):
    path = tmp_path / "bn.py"
    path.write_text(
        "import torch\n"
        "torch.manual_seed(0)\n"
        "net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4),\n"
        "                          torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(16, 1))\n"
        "x = torch.randn(8, 1, 4, 4)\n"
        "for step in range(2):\n"
        "    net.zero_grad()\n"
        "    net(x).pow(2).mean().backward()\n", encoding="utf-8")
    result = dump(path)
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("== gradients: ", 1)[1].splitlines()
    assert section[1] == "findings: none"
    assert section[2].startswith("note: 0.bias is not flagged: 1 (BatchNorm2d) normalises")
    bias_row = next(line for line in section if line.startswith("  bias") and "4  " in line)
    assert "vanishing" not in bias_row
    header = json.loads(dump(path, "--json").stdout.splitlines()[0])
    [note] = header["gradients"]["notes"]
    assert (note["parameter"], note["cancelled_by"]) == ("0.bias", "1 (BatchNorm2d)")


@pytest.mark.parametrize("backend", ["engine", "torch"])
def test_a_frozen_layer_is_listed_frozen_in_the_table_and_the_json(tmp_path, backend):
    path = tmp_path / "frozen.py"
    path.write_text(
        "import torch\n"
        "torch.manual_seed(0)\n"
        "net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 1))\n"
        "net[0].requires_grad_(False)\n"
        "net(torch.randn(5, 3)).sum().backward()\n", encoding="utf-8")
    out = tmp_path / "run.jsonl"
    result = dump(path, "--backend", backend, "--json", "-o", out)
    assert result.returncode == 0, result.stderr
    text = dump(path, "--backend", backend).stdout.split("== gradients: ", 1)[1].splitlines()
    assert [line.split() for line in text[4:7]] == [
        ["0", "(Linear)"], ["weight", "4×3", "—", "frozen:", "requires_grad=False"],
        ["bias", "4", "—", "frozen:", "requires_grad=False"]]
    assert text[7] == "1 (Linear)"
    header = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    params = {p["name"]: p["requires_grad"] for p in header["gradients"]["parameters"]}
    assert params == {"0.weight": False, "0.bias": False, "1.weight": True, "1.bias": True}
    assert sorted(header["gradients"]["iterations"][0]["grads"]) == ["1.bias", "1.weight"]
