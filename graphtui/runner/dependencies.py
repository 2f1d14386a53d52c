"""A runner started with another Python (``graphtui record -- python3 train.py``) runs the
program on graphtui's engine, which needs NumPy and Numba. That Python may lack them: it is
the user's, graphtui may live in its own environment (pipx, a venv not activated).

The debugger passes where its own packages are (``environment``); the runner, when it is the
same Python version, appends them to ``sys.path`` after the program's own packages
(``extend_path``), so the program's libraries win and only what it lacks comes from
graphtui's. When they still cannot be imported (another Python version), the engine
backend fails the run with ``missing_text``: what is missing and which Python to use.
"""
from __future__ import annotations

import importlib.util
import os
import site
import sys

PATH_VARIABLE = "GRAPHTUI_DEPENDENCY_PATH"
PYTHON_VARIABLE = "GRAPHTUI_DEPENDENCY_PYTHON"      # "3.11 /path/to/graphtui's python"
ENGINE_NEEDS = ("numpy", "numba")


def environment() -> dict[str, str]:
    """The variables a runner of another Python needs to find graphtui's packages."""
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    places = [p for p in [*site.getsitepackages(), user_site] if p and os.path.isdir(p)]
    version = "%d.%d" % sys.version_info[:2]
    return {PATH_VARIABLE: os.pathsep.join(places),
            PYTHON_VARIABLE: f"{version} {sys.executable}"}


def extend_path() -> None:
    """Append graphtui's package directories when this Python can use them."""
    places = os.environ.pop(PATH_VARIABLE, "")
    version, _, _ = os.environ.get(PYTHON_VARIABLE, "").partition(" ")
    if not places or version != "%d.%d" % sys.version_info[:2]:
        return
    for place in places.split(os.pathsep):
        if place and place not in sys.path:
            sys.path.append(place)


def missing_text() -> str | None:
    """Why the engine cannot run in this Python, or None when it can."""
    missing = [name for name in ENGINE_NEEDS if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    version, _, executable = os.environ.get(PYTHON_VARIABLE, "").partition(" ")
    this = "%d.%d" % sys.version_info[:2]
    names = " and ".join(missing)
    text = (f"graphtui's engine needs {names}, which {sys.executable} (Python {this}) "
            f"cannot import.")
    if executable:
        text += (f" graphtui runs in {executable} (Python {version}): name that Python in "
                 f"the command, or install graphtui into this one.")
    return text
