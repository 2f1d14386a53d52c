"""Run scenarios/NAME.py with PyTorch instead of engine: ``python run_with_torch.py NAME``.

The scenario's engine imports become torch's (`import engine as torch` -> `import torch`,
`engine.nn` -> `torch.nn`), one line for one line, and the source is compiled under the
scenario's own path, so warnings and tracebacks name the same file and line as under engine.
"""
import re
import sys
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def as_torch(source: str) -> str:
    return re.sub(r"^(\s*)import engine(\.\S+)? as (\w+)$",
                  lambda m: f"{m[1]}import torch{m[2] or ''} as {m[3]}".replace(
                      "import torch as torch", "import torch"),
                  source, flags=re.MULTILINE)


def main(name: str) -> None:
    path = SCENARIOS / f"{name}.py"
    source = as_torch(path.read_text())
    if re.search(r"\bengine\b", source.split('"""', 2)[-1]):
        raise SystemExit(f"{path} still uses engine after its imports were rewritten")
    sys.argv = [str(path)]
    exec(compile(source, str(path), "exec"), {"__name__": "__main__", "__file__": str(path)})


if __name__ == "__main__":
    main(sys.argv[1])
