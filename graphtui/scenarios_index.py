"""The bundled scenarios and their one-line lessons, for ``graphtui list``.

A scenario's lesson is the first line of its module docstring. Files are read and parsed,
never run or imported. The tutorial's lessons (``seed_NN_*``) come first, in lesson order,
then the others by name.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

#: Where the bundled scenarios live: the repository's ``scenarios/`` beside the package
#: (an editable install or a checkout), else a copy inside the package, if one is shipped.
SEARCH = (Path(__file__).resolve().parent.parent / "scenarios",
          Path(__file__).resolve().parent / "scenarios")


@dataclass(frozen=True)
class ScenarioInfo:
    name: str        # file stem, e.g. "seed_04_retain_graph"
    path: Path
    lesson: str      # first line of the docstring; "" when the file has none


def scenarios_dir() -> Path | None:
    """The first directory of ``SEARCH`` that exists, or None."""
    return next((directory for directory in SEARCH if directory.is_dir()), None)


def lesson_of(path: Path) -> str:
    """The first non-blank line of the file's module docstring ("" when there is none or
    the file does not parse)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return ""
    doc = ast.get_docstring(tree) or ""
    return next((line.strip() for line in doc.splitlines() if line.strip()), "")


def _order(path: Path) -> tuple[int, str]:
    return (0 if path.stem.startswith("seed_") else 1, path.stem)


def list_scenarios(directory: str | Path | None = None) -> list[ScenarioInfo]:
    """Every ``*.py`` scenario in ``directory`` (default: the bundled ones) with its lesson;
    files starting with ``_`` are skipped. An empty list when there is no such directory."""
    where = Path(directory) if directory is not None else scenarios_dir()
    if where is None or not where.is_dir():
        return []
    files = sorted((p for p in where.glob("*.py") if not p.name.startswith("_")), key=_order)
    return [ScenarioInfo(p.stem, p, lesson_of(p)) for p in files]


def bundled_path(name: str) -> Path | None:
    """The bundled scenario called ``name`` (its file stem, as ``list_scenarios`` names it),
    or None. Looks at that one file: reading every lesson costs a parse per scenario."""
    where = scenarios_dir()
    if where is None or name.startswith("_") or not name or "/" in name or "\\" in name:
        return None
    path = where / f"{name}.py"
    return path if path.is_file() else None


def format_list(scenarios: list[ScenarioInfo], width: int | None = None) -> str:
    """One line per scenario, ``name  lesson``, names padded to one column; lessons cut to
    ``width`` characters with an ellipsis when a width is given."""
    if not scenarios:
        return ""
    column = max(len(info.name) for info in scenarios)
    lines = []
    for info in scenarios:
        line = f"{info.name:<{column}}  {info.lesson}".rstrip()
        if width is not None and len(line) > width:
            line = line[:max(width - 1, column)] + "…"
        lines.append(line)
    return "\n".join(lines) + "\n"
