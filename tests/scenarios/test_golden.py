"""Golden text: the whole ``graphtui dump`` of each tutorial scenario (and of memory_mlp, whose
lesson is in the saved-memory section), compared line by line
with ``golden/NAME.txt`` after normalising what legitimately varies:

- traceback caret lines (``^^^^``) are dropped: Python 3.11, 3.12 and 3.13 draw them
  differently;
- dump prints paths short already (relative to the working directory, the repository here;
  the file name alone elsewhere); what is left of the repository's absolute path becomes
  ``<repo>``, other absolute paths in tracebacks ``<python>/FILE``; memory addresses
  ``0x<addr>``;
- dump folds the traceback frames inside the engine into "… N frames inside the engine"; N
  becomes ``<n>``, and the line numbers of engine files in warnings become ``<line>``, so
  editing the engine does not churn these files;
- for the nn lessons (seed_06..10, memory_mlp) every decimal number except byte sizes becomes ``#``:
  those values go through BLAS and the Numba kernels, whose last bits may differ between
  CPUs; shapes, names, order, integers and byte counts still have to match. The tensor
  lessons (seed_01..05) are compared exactly.

Regenerate after an intended change with ``GRAPHTUI_REGEN_GOLDEN=1 python -m pytest
tests/scenarios/test_golden.py``, then read every changed file (``git diff
tests/scenarios/golden``) before committing it.
"""
from __future__ import annotations

import difflib
import os
import re

import pytest

from scenario_support import FAILING, GOLDEN, REPO, TUTORIAL, dump

REGEN = os.environ.get("GRAPHTUI_REGEN_GOLDEN") == "1"
#: The tutorial, and the scenarios whose lesson is in dump's summary sections.
GOLDEN_NAMES = TUTORIAL + ["memory_mlp"]
MASK_NUMBERS = {name for name in GOLDEN_NAMES if name >= "seed_06" or name == "memory_mlp"}

_FRAME = re.compile(r'^(?P<lead>.*?)  File "(?P<file>[^"]+)", line \d+, in .*$')
_CARETS = re.compile(r"\s*[\^~]+\s*")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
_ENGINE_LINE = re.compile(r"((?:<repo>/)?engine/[\w/]+\.py):\d+:")
_ENGINE_FRAMES = re.compile(r"… \d+ frames? inside the engine")
_DECIMAL = re.compile(r"(?<![\w.#])-?\d+\.\d+(?:e[-+]?\d+)?(?![\d.]| ?[KMG]?i?B\b)")


def normalise(text: str, name: str) -> str:
    text = text.replace(str(REPO), "<repo>")
    text = _ADDRESS.sub("0x<addr>", text)
    out: list[str] = []
    skipping = False          # dropping an engine frame's source and caret lines
    after_engine_warning = False
    for line in text.splitlines():
        frame = _FRAME.match(line)
        if frame:
            file = frame["file"]
            skipping = file.startswith("<repo>/engine/")
            if skipping:
                continue
            if file.startswith("/") and not file.startswith("<repo>"):
                line = line.replace(file, "<python>/" + file.rsplit("/", 1)[-1])
        elif skipping:
            body = line.split("[stderr] ", 1)[-1]
            if body.startswith("    "):
                continue
            skipping = False
        if _CARETS.fullmatch(line.split("[stderr]", 1)[-1]):
            continue
        if after_engine_warning:
            after_engine_warning = False
            if "[stderr]   " in line:
                line = line[:line.index("[stderr]   ") + 11] + "<engine source line>"
        if _ENGINE_LINE.search(line):
            line = _ENGINE_LINE.sub(r"\1:<line>:", line)
            after_engine_warning = "[stderr]" in line
        line = _ENGINE_FRAMES.sub("… <n> frames inside the engine", line)
        if name in MASK_NUMBERS:
            line = _DECIMAL.sub("#", line)
        out.append(line.rstrip())
    return "\n".join(out) + "\n"


def golden_path(name: str):
    return GOLDEN / f"{name}.txt"


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_dump_matches_golden(name):
    run = dump(name)
    # A run that crashed or failed unexpectedly says so here, not as a diff of everything.
    assert run.returncode == (1 if name in FAILING else 0), run.describe()
    actual = normalise(run.stdout, name)
    path = golden_path(name)
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path.relative_to(REPO)} is missing: run with GRAPHTUI_REGEN_GOLDEN=1, "
                    f"then read it before committing")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{name}.txt", tofile="graphtui dump (normalised)", n=2))
        pytest.fail(f"graphtui dump of {name} differs from its golden text "
                    f"(GRAPHTUI_REGEN_GOLDEN=1 regenerates; review the diff first):\n"
                    f"{diff[:8000]}")


def test_golden_files_are_only_the_ones_compared():
    files = {p.stem for p in GOLDEN.glob("*.txt")} if GOLDEN.exists() else set()
    assert files <= set(GOLDEN_NAMES), f"stray golden files: {sorted(files - set(GOLDEN_NAMES))}"


# The normaliser itself, on made-up text.

def test_normalise_drops_engine_frames_and_keeps_the_scenarios():
    text = (f'Traceback (most recent call last):\n'
            f'  File "{REPO}/scenarios/x.py", line 3, in <module>\n'
            f'    y.backward()\n'
            f'    ^^^^^^^^^^^^\n'
            f'  File "{REPO}/engine/tensor.py", line 222, in backward\n'
            f'    backward(self)\n'
            f'  File "{REPO}/engine/autograd/node.py", line 96, in unpack\n'
            f'    raise RuntimeError(msg)\n'
            f'RuntimeError: boom\n')
    assert normalise(text, "seed_03_backward_twice") == (
        'Traceback (most recent call last):\n'
        '  File "<repo>/scenarios/x.py", line 3, in <module>\n'
        '    y.backward()\n'
        'RuntimeError: boom\n')


def test_normalise_engine_warning_location_and_source_line():
    text = (f"    26  [stderr] {REPO}/engine/nn/modules/_call.py:48: FutureWarning: x\n"
            f"    27  [stderr]   result = _run(module, path, state)\n"
            f"    28  FutureWarning: x\n")
    assert normalise(text, "seed_08_backward_hook") == (
        "    26  [stderr] <repo>/engine/nn/modules/_call.py:<line>: FutureWarning: x\n"
        "    27  [stderr]   <engine source line>\n"
        "    28  FutureWarning: x\n")


def test_normalise_masks_decimals_only_for_the_nn_lessons():
    line = "x.grad = [10] float32 min -0.1251 max 1.2e-05 mean 3  freed (2.1 KiB) (8 B) [1, 28]"
    assert normalise(line, "seed_08_backward_hook") == (
        "x.grad = [10] float32 min # max # mean 3  freed (2.1 KiB) (8 B) [1, 28]\n")
    assert normalise(line, "seed_04_retain_graph") == line + "\n"


def test_normalise_addresses_and_foreign_paths():
    text = ('<RemovableHandle object at 0x7f3a2b1c9d90>\n'
            '  File "/usr/lib/python3.11/threading.py", line 1002, in _bootstrap\n')
    assert normalise(text, "seed_01_grad_basics") == (
        '<RemovableHandle object at 0x<addr>>\n'
        '  File "<python>/threading.py", line 1002, in _bootstrap\n')
