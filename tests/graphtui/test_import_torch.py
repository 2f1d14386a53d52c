"""``import torch`` under graphtui is the engine (--backend engine, the default), and what a
run says when the engine lacks something (graphtui/backends/engine_as_torch.py).

The finder is installed in a runner or a probe subprocess, never in this test process (it
imports real PyTorch as the oracle)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graphtui import cli
from graphtui.backends.engine_as_torch import add_backend_hint
from graphtui.model import events as ev
from graphtui.replay import ReplaySession
from graphtui.runner.main import install_backend
from graphtui.session import Session

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "tests" / "unmodified" / "quickstart.py"
HINT = "run with --backend torch to use real PyTorch"
TIMEOUT = 300


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT)


def script(tmp_path: Path, source: str, name: str = "prog.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def stdout_of_recording(jsonl: str) -> str:
    """What the program wrote to stdout, from a recording's OutputWritten events."""
    lines = [json.loads(line) for line in jsonl.splitlines()[1:]]
    return "".join(e["text"] + "\n" for e in lines
                   if e["$"] == "OutputWritten" and e["stream"] == "stdout")


# ------------------------------------------------------------ an unmodified PyTorch program

@pytest.fixture(scope="module")
def quickstart_with_torch() -> str:
    real = run(str(QUICKSTART))
    assert real.returncode == 0, real.stderr
    assert "Accuracy:" in real.stdout and real.stdout.endswith('Actual: "1"\n'), real.stdout
    return real.stdout


def dump_quickstart(backend: str) -> subprocess.CompletedProcess:
    dumped = run("-m", "graphtui", "dump", "--json", "--backend", backend,
                 str(QUICKSTART.relative_to(REPO)))
    assert dumped.returncode == 0, dumped.stderr
    assert json.loads(dumped.stdout.splitlines()[0])["backend"] == backend
    return dumped


@pytest.fixture(scope="module")
def quickstart_on_the_engine() -> str:
    return dump_quickstart("engine").stdout


def graph_of_recording(jsonl: str) -> set:
    """Each node once, as (name, its edges' node names and input numbers)."""
    nodes = [e for e in map(json.loads, jsonl.splitlines()[1:]) if e["$"] == "NodeCreated"]
    names = {e["node_id"]: e["name"] for e in nodes}
    return {(e["name"], tuple((names.get(child), nr) if child is not None else (None, nr)
                              for child, nr in e["next_functions"])) for e in nodes}


NUMBER = re.compile(r"-?\d+\.(\d+)")


def assert_prints_like_torch(on_engine: str, on_torch: str) -> None:
    """The same text; each number within one unit of its last printed digit: the logits
    differ in their last bits from the first step on (MKL's sgemm in torch, OpenBLAS in
    NumPy), so a loss one float32 step from torch's may print the digit after it."""
    assert NUMBER.sub("#", on_engine) == NUMBER.sub("#", on_torch)
    for got, want in zip(NUMBER.finditer(on_engine), NUMBER.finditer(on_torch)):
        unit = 10.0 ** -len(want.group(1))
        assert abs(float(got.group()) - float(want.group())) <= unit * 1.001, (got, want)


def test_the_quickstart_tutorial_prints_under_dump_what_it_prints_on_pytorch(
        quickstart_with_torch, quickstart_on_the_engine):
    assert_prints_like_torch(stdout_of_recording(quickstart_on_the_engine),
                             quickstart_with_torch)


def test_the_quickstart_tutorial_under_dump_backend_torch(quickstart_with_torch,
                                                          quickstart_on_the_engine):
    """The unmodified script on real PyTorch, watched: it prints what it prints on its own,
    byte for byte, and its graph is the engine's: the same nodes with the same edges."""
    on_torch = dump_quickstart("torch").stdout
    assert stdout_of_recording(on_torch) == quickstart_with_torch
    graph = graph_of_recording(on_torch)
    assert graph == graph_of_recording(quickstart_on_the_engine)
    assert {("AddmmBackward0", (("AccumulateGrad", 0), (None, 0), ("TBackward0", 0))),
            ("AddmmBackward0", (("AccumulateGrad", 0), ("ReluBackward0", 0),
                                ("TBackward0", 0)))} <= graph
    assert {"NllLossBackward0", "LogSoftmaxBackward0", "ReluBackward0"} <= \
        {name for name, _ in graph}


def test_the_quickstart_tutorial_under_record_prints_what_pytorch_prints(
        quickstart_with_torch, tmp_path):
    out = tmp_path / "run.jsonl"
    recorded = run("-m", "graphtui", "record", "-o", str(out), "--", sys.executable,
                   str(QUICKSTART))
    assert recorded.returncode == 0, recorded.stderr
    assert_prints_like_torch(recorded.stdout, quickstart_with_torch)   # echoed as it ran
    text = out.read_text()
    assert json.loads(text.splitlines()[0])["backend"] == "engine"
    assert "LinearBackward0" in text or "AddmmBackward0" in text   # the engine was watched
    assert ReplaySession.from_file(out).backend == "engine"


# ------------------------------------------------------------ what `torch` is in the runner

PROBE = """\
import importlib, importlib.util, json, pickle, sys
from graphtui.backends import engine_as_torch
engine_as_torch.install()
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import nn as nn2, optim
import torch.optim, torch.autograd, torch.utils.data, torch.utils.checkpoint, torch.nn.init
from torch.utils.data import DataLoader, TensorDataset
import engine
import engine as torch_too
import helper_lib
results = {
    "same modules": [torch is engine, nn is engine.nn, nn2 is engine.nn,
                     F is engine.nn.functional, optim is engine.optim,
                     torch.utils.data is engine.utils.data, torch_too is torch,
                     sys.modules["torch.nn.init"] is engine.nn.init,
                     helper_lib.torch is engine],
    "Tensor": torch.Tensor is engine.Tensor and isinstance(engine.ones(1), torch.Tensor),
    "pickled": pickle.loads(pickle.dumps(torch.arange(3))).tolist(),
    "engine spec kept": [engine.__spec__.name, engine.nn.__spec__.name],
    "find_spec": importlib.util.find_spec("torch").name,
    "version": torch.__version__ == engine.__version__,
    "tensor is a function": callable(torch.tensor),
    "errors": {},
    "real torch loaded": sorted(m for m in sys.modules if m.split(".")[0] == "torch"
                                and not sys.modules[m].__name__.startswith("engine")),
}
for statement in ["import torch.distributed", "from torch import fft", "import torch._C",
                  "import torch.nn.no_such_module", "import torch.ops",
                  "from torch.autograd import forward_ad"]:
    try:
        exec(statement)
        results["errors"][statement] = None
    except ImportError as error:
        engine_as_torch.add_backend_hint(error)
        results["errors"][statement] = f"{type(error).__name__}: {error}"
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> dict:
    where = tmp_path_factory.mktemp("probe")
    (where / "helper_lib.py").write_text("import torch\n")      # a third-party module
    (where / "probe.py").write_text(PROBE)
    env_run = subprocess.run([sys.executable, "probe.py"], cwd=where, capture_output=True,
                             text=True, timeout=TIMEOUT,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    assert env_run.returncode == 0, env_run.stderr
    return json.loads(env_run.stdout.splitlines()[-1])


def test_torch_and_its_submodules_are_the_engines_own_modules(probed):
    assert probed["same modules"] == [True] * 9
    assert probed["Tensor"] is True
    assert probed["pickled"] == [0, 1, 2]
    assert probed["tensor is a function"] is True       # engine/tensor.py is not torch.tensor


def test_the_engine_keeps_its_own_identity_and_version(probed):
    assert probed["engine spec kept"] == ["engine", "engine.nn"]
    assert probed["find_spec"] == "engine"              # torch is imported: its spec is engine's
    assert probed["version"] is True


def test_no_module_of_real_pytorch_is_loaded(probed):
    assert probed["real torch loaded"] == []


def test_a_torch_module_the_engine_lacks_says_so_and_what_to_do(probed):
    errors = probed["errors"]
    lacks = "is not supported by graphtui's engine; " + HINT
    assert errors["import torch.distributed"] == f"ModuleNotFoundError: torch.distributed {lacks}"
    assert errors["from torch import fft"] == f"ImportError: torch.fft {lacks}"
    assert errors["import torch._C"] == f"ModuleNotFoundError: torch._C {lacks}"
    assert errors["from torch.autograd import forward_ad"] == (
        f"ImportError: torch.autograd.forward_ad {lacks}")
    # Not a torch module at all: Python's own message (torch.ops is an object in PyTorch).
    assert errors["import torch.nn.no_such_module"] == (
        "ModuleNotFoundError: No module named 'torch.nn.no_such_module'")
    assert errors["import torch.ops"] == f"ModuleNotFoundError: torch.ops {lacks}"


# ------------------------------------------------------------ failures shown with the hint

def test_a_missing_op_ends_the_dump_with_one_line_naming_it(tmp_path):
    path = script(tmp_path, """\
        import torch
        x = torch.ones(4, requires_grad=True)
        spectrum = torch.fft.fft(x)
        """)
    dumped = run("-m", "graphtui", "dump", str(path))
    assert dumped.returncode == cli.EXIT_FAILED
    line = "torch.fft is not supported by graphtui's engine; " + HINT
    assert f"run failed: NotSupportedError: {line}\n" in dumped.stdout
    assert dumped.stdout.rstrip().endswith(f"NotSupportedError: {line}")
    assert "docs/supported.md" not in dumped.stdout.split("== run failed")[1]


def test_a_missing_module_ends_the_dump_with_one_line_naming_it(tmp_path):
    path = script(tmp_path, """\
        import torch
        import torch.distributed as dist
        """)
    dumped = run("-m", "graphtui", "dump", str(path))
    assert dumped.returncode == cli.EXIT_FAILED
    line = f"ModuleNotFoundError: torch.distributed is not supported by graphtui's engine; {HINT}"
    assert f"run failed: {line}\n" in dumped.stdout
    assert dumped.stdout.rstrip().endswith(line)
    assert "engine_as_torch" not in dumped.stdout          # graphtui's frames are left out


def test_the_hint_is_added_to_the_engines_errors_only():
    from engine._unsupported import not_supported

    error = not_supported("torch.linalg", "svd")
    add_backend_hint(error)
    assert str(error) == f"torch.linalg.svd is not supported by graphtui's engine; {HINT}"
    imported = ImportError("cannot import name 'compile' from 'engine' (/x/engine/__init__.py)")
    add_backend_hint(imported)
    assert str(imported) == f"torch.compile is not supported by graphtui's engine; {HINT}"
    for untouched in (RuntimeError("boom"), NotImplementedError("torch.x is mine"),
                      ImportError("cannot import name 'nothing_torch_has' from 'engine'")):
        text = str(untouched)
        add_backend_hint(untouched)
        assert str(untouched) == text


# ------------------------------------------------------------ --backend

def test_the_torch_backend_missing_from_the_build_fails_the_run_with_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphtui.backends.torch", None)   # as if not built
    finish = install_backend("torch", recorder=None, config={})
    assert finish == ev.RunFinished("failed", "RuntimeError",
                                    "the torch backend is not available in this build")


def test_backend_goes_from_the_command_line_to_the_runner_and_the_recording(tmp_path):
    path = script(tmp_path, "import torch\nprint(torch.ones(2) * 3)\n")
    out = tmp_path / "run.jsonl"
    dumped = run("-m", "graphtui", "dump", "--backend", "engine", "--record", str(out),
                 str(path))
    assert dumped.returncode == 0, dumped.stderr
    assert "run 1 of " in dumped.stdout and "started (backend engine)\n" in dumped.stdout
    assert "tensor([3., 3.])" in dumped.stdout
    header, events = json.loads(out.read_text().splitlines()[0]), out.read_text()
    assert header["backend"] == "engine" and '"backend":"engine"' in events
    session = Session(path, backend="torch")
    try:
        assert session.backend == "torch" and session._config()["backend"] == "torch"
    finally:
        session.stop()


def test_an_unknown_backend_is_a_usage_error(tmp_path, capsys):
    path = script(tmp_path, "import torch\n")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["dump", "--backend", "jax", str(path)])
    assert exit_.value.code == cli.EXIT_USAGE
    assert "invalid choice: 'jax'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="backend must be one of engine, torch, not 'jax'"):
        Session(path, backend="jax")


def test_the_status_line_says_what_the_scenario_runs_on():
    from graphtui.widgets.status_bar import StatusInfo, lay_out, status_fields

    for backend in ("engine", "torch"):
        fields = status_fields(StatusInfo(scenario="train.py", backend=backend))
        assert fields[0].plain == f"train.py on {backend}"     # one field: never split
    assert status_fields(StatusInfo(scenario="train.py"))[0].plain == "train.py"
    line = lay_out(status_fields(StatusInfo(scenario="train.py", backend="torch",
                                            phase="running")), 80).plain
    assert line.startswith("train.py on torch · running · event 0/0")
