"""What the engine and the debugger's default path import: never textual or rich from the
engine, and never torch from either (torch is only the tests' oracle)."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
LOADED = ("import sys; print('loaded:' + ','.join(sorted({m.split('.')[0] for m in sys.modules}"
          " & {%s})))")


def loaded_after(code: str, *names: str) -> list[str]:
    """Which of the top-level modules `names` are in sys.modules after `code` ran."""
    probe = code + "\n" + LOADED % ", ".join(repr(n) for n in names)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=REPO, timeout=300)
    last_line = out.stdout.strip().splitlines()[-1]
    assert last_line.startswith("loaded:"), out.stdout
    return [m for m in last_line.removeprefix("loaded:").split(",") if m]


def test_import_engine_loads_neither_textual_nor_rich_nor_torch():
    assert loaded_after("import engine, engine.trace, engine.nn, engine.optim",
                        "textual", "rich", "torch") == []


def test_the_debugger_never_imports_torch():
    code = ("import engine, graphtui, graphtui.cli, graphtui.session, graphtui.dump, "
            "graphtui.app")
    assert loaded_after(code, "torch") == []


def test_a_headless_dump_of_a_scenario_never_imports_torch():
    code = ("import contextlib, io\nfrom graphtui import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    status = cli.main(['dump', 'scenarios/seed_10_cam_features.py'])\n"
            "assert status == 0, status")
    assert loaded_after(code, "torch") == []


def test_a_scenario_that_says_import_torch_gets_the_engine_and_never_real_torch(tmp_path):
    """Under graphtui (the default backend) the runner's `torch` is the engine: no module of
    real PyTorch is loaded in the scenario's process, nor in the debugger's."""
    scenario = tmp_path / "uses_torch.py"
    scenario.write_text(
        "import sys\nimport torch\nimport torch.nn as nn\nimport engine\n"
        "x = nn.Linear(2, 1)(torch.ones(1, 2)).sum()\nx.backward()\n"
        "real = sorted(m for m in sys.modules if m.split('.')[0] == 'torch'\n"
        "              and not sys.modules[m].__name__.startswith('engine'))\n"
        "print('torch is engine:', torch is engine, 'real torch modules:', real)\n")
    code = ("import contextlib, io\nfrom graphtui import cli\nout = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            f"    status = cli.main(['dump', {str(scenario)!r}])\n"
            "assert status == 0, (status, out.getvalue())\n"
            "assert 'torch is engine: True real torch modules: []' in out.getvalue(), "
            "out.getvalue()")
    assert loaded_after(code, "torch") == []


def test_the_engine_api_loads_numba_only_when_a_kernel_runs():
    """Numba (~0.3 s, ~70 MB) is paid for on the first kernel, not by `import torch` and the
    API's first use: the debugger imports the engine too, and must start quickly."""
    code = ("import engine, engine.nn, engine.nn.functional as F, engine.optim\n"
            "x = engine.ones(3, requires_grad=True) * 2\n"
            "engine.special, engine.lgamma, engine.Tensor.erfinv, F.cosine_similarity")
    assert loaded_after(code, "numba") == []
