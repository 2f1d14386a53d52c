"""Watching a program graphtui did not start: ``graphtui record -- python train.py`` and the
``graphtui.record`` context manager both write a recording that ``graphtui open`` reads."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import graphtui
from engine import trace
from graphtui.embed import BEFORE_RECORDING
from graphtui.model import events as ev
from graphtui.recording import load
from graphtui.replay import ReplaySession

TRAIN = """
    import sys
    import engine as torch
    steps = int(sys.argv[sys.argv.index("--steps") + 1])
    w = torch.ones(3, requires_grad=True)
    for step in range(steps):
        loss = (w * 3).sum()
        loss.backward()
        print("step", step, w.grad.tolist())
"""


def graphtui_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "graphtui", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def of_type(events, kind):
    return [e for e in events if type(e) is kind]


@pytest.fixture
def program(tmp_path):
    def write(source: str, name: str = "train.py"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path
    return write


def test_record_runs_a_python_program_and_writes_a_recording(tmp_path, program):
    script = program(TRAIN)
    out = tmp_path / "run.jsonl"
    result = graphtui_cli("record", "-o", out, "--", sys.executable, script, "--steps", "2")
    assert result.returncode == 0, result.stderr
    # The program's output goes to the terminal as usual ...
    assert result.stdout.splitlines() == ["step 0 [3.0, 3.0, 3.0]", "step 1 [6.0, 6.0, 6.0]"]
    assert f"written to {out}" in result.stderr
    # ... and into the recording, with everything the engine did.
    header, events = load(out)
    assert header["scenario"] == str(script)
    (started,) = of_type(events, ev.RunStarted)
    assert started.argv == (str(script), "--steps", "2")
    assert [e.name for e in of_type(events, trace.NodeCreated)].count("MulBackward0") == 2
    assert len(of_type(events, trace.BackwardStarted)) == 2
    assert [e.text for e in of_type(events, ev.OutputWritten)] == [
        "step 0 [3.0, 3.0, 3.0]", "step 1 [6.0, 6.0, 6.0]"]
    assert events[-1] == ev.RunFinished("finished")
    state = ReplaySession.from_file(out).state()          # what `graphtui open` shows
    w = next(t for t in state.tensors.values() if t.name == "w")
    assert w.grad.values.tolist() == [6.0, 6.0, 6.0]


def test_record_takes_the_script_without_an_interpreter_and_exits_1_when_it_fails(
        tmp_path, program):
    script = program("import engine as torch\nx = torch.ones(2) * 2\nraise ValueError('bad')\n")
    out = tmp_path / "fails.jsonl"
    result = graphtui_cli("record", "-o", out, "--", script)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-2] == "ValueError: bad"       # its own traceback
    _, events = load(out)
    assert (events[-1].status, events[-1].exc_type) == ("failed", "ValueError")


def test_record_without_a_program_is_a_usage_error(tmp_path):
    result = graphtui_cli("record", "-o", tmp_path / "x.jsonl")
    assert result.returncode == 2 and "record needs a program" in result.stderr


def test_the_record_context_manager_records_its_block(tmp_path):
    import engine as torch

    out = tmp_path / "block.jsonl"
    x = torch.ones(2, requires_grad=True)
    outside = x * 5                                    # before the block: not recorded
    with graphtui.record(out):
        y = x * 3
        y.backward(torch.tensor([100, 0.1]))
    assert outside.grad_fn is not None
    header, events = load(out)
    # x's AccumulateGrad was made for `outside`, before the block: known by its id only.
    assert [e.name for e in of_type(events, trace.NodeCreated)] == [
        BEFORE_RECORDING, "MulBackward0"]
    assert events[0].scenario == __file__ and events[-1] == ev.RunFinished("finished")
    state = ReplaySession.from_file(out).state()
    y_state = next(t for t in state.tensors.values() if t.name == "y")
    assert y_state.grad_fn_id is not None
    assert state.run_state == "finished"


def test_the_record_context_manager_saves_a_failing_block_and_lets_the_error_go(tmp_path):
    import engine as torch

    out = tmp_path / "fails.jsonl"
    with pytest.raises(RuntimeError, match="does not require grad"):
        with graphtui.record(out):
            z = torch.ones(2) * 2
            z.backward(torch.ones(2))
    _, events = load(out)
    assert (events[-1].status, events[-1].exc_type) == ("failed", "RuntimeError")
    assert "z.backward(torch.ones(2))" in events[-1].traceback


def test_the_record_context_manager_refuses_the_torch_backend_naming_the_command(tmp_path):
    out = tmp_path / "torch.jsonl"
    with pytest.raises(ValueError) as refused:
        graphtui.record(out, backend="torch")
    assert str(refused.value) == (
        "graphtui.record(backend='torch') is not supported: in-process recording watches the "
        "engine only (the torch backend patches PyTorch for the whole process). Record a "
        "program on real PyTorch with `graphtui record --backend torch -o OUT.gtr -- python "
        "PROGRAM.py`")
    with pytest.raises(ValueError, match=r"backend='jax'\): the backend is 'engine'"):
        graphtui.record(out, backend="jax")
    assert not out.exists()
    import engine as torch
    with graphtui.record(out, backend="engine"):
        (torch.ones(2, requires_grad=True) * 2).sum().backward()
    _, events = load(out)
    assert "MulBackward0" in [e.name for e in of_type(events, trace.NodeCreated)]


def test_record_with_a_python_that_lacks_numpy_and_numba_runs_on_graphtuis(tmp_path,
                                                                           program):
    """The named Python is a bare environment (no NumPy, no Numba): the runner finds them in
    graphtui's own environment, after that Python's own packages."""
    import venv
    bare = tmp_path / "bare"
    venv.create(bare, with_pip=False)
    python = bare / "bin" / "python"
    lacks = subprocess.run([python, "-c", "import numpy"], capture_output=True)
    assert lacks.returncode != 0                      # truly bare
    script = program(TRAIN.replace("import engine as torch", "import torch"))
    out = tmp_path / "run.jsonl"
    result = graphtui_cli("record", "-o", out, "--", python, script, "--steps", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["step 0 [3.0, 3.0, 3.0]"]
    _, events = load(out)
    assert events[-1] == ev.RunFinished("finished")


def test_a_python_that_cannot_use_graphtuis_packages_is_told_which_to_use(monkeypatch):
    from graphtui.runner import dependencies
    monkeypatch.setattr(dependencies, "ENGINE_NEEDS", ("numpy", "graphtui_no_such_module"))
    monkeypatch.setenv(dependencies.PYTHON_VARIABLE, "3.99 /opt/graphtui/bin/python")
    text = dependencies.missing_text()
    assert text.startswith("graphtui's engine needs graphtui_no_such_module, which "
                           f"{sys.executable} (Python 3.")
    assert text.endswith("graphtui runs in /opt/graphtui/bin/python (Python 3.99): name that "
                         "Python in the command, or install graphtui into this one.")
    # Another Python version: graphtui's directories are not added to its path.
    monkeypatch.setenv(dependencies.PATH_VARIABLE, "/opt/graphtui/site-packages")
    dependencies.extend_path()
    assert "/opt/graphtui/site-packages" not in sys.path
