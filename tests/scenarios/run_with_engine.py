"""Run scenarios/NAME.py as a plain script on graphtui's engine, without the debugger:
``python run_with_engine.py NAME`` (or a path to any script). The scenario says ``import torch``; the engine's
import redirection (graphtui/backends/engine_as_torch.py, what the runner installs) makes
that the engine, as under ``graphtui run``. The scenario runs as ``__main__`` under its own
path, so warnings and tracebacks name the same file and line as a plain ``python`` run.
"""
import runpy
import sys
from pathlib import Path

from graphtui.backends import engine_as_torch

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def main(name: str) -> None:
    path = Path(name) if name.endswith(".py") else SCENARIOS / f"{name}.py"
    engine_as_torch.install()
    sys.argv = [str(path)]
    sys.path[0] = str(path.parent)
    runpy.run_path(str(path), run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1])
