"""The scenario files themselves, read and parsed, never run: the set issue 5 asks for, each a
plain script whose docstring's first line is its one-line lesson and whose body says what to
look at and how it ends; PyTorch's API through ``engine``; no torch anywhere. And
``graphtui.scenarios_index``, which ``graphtui list`` is meant to print.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from scenario_support import ALL, FAILING, NEEDS_NN, REPO, SCENARIOS, TORCH_ONLY, TUTORIAL
from graphtui.scenarios_index import format_list, lesson_of, list_scenarios

LESSON_MAX = 90


def source(name: str) -> str:
    return (SCENARIOS / f"{name}.py").read_text(encoding="utf-8")


def docstring(name: str) -> str:
    return ast.get_docstring(ast.parse(source(name))) or ""


def test_exactly_the_scenarios_of_the_issue():
    assert sorted(p.stem for p in SCENARIOS.glob("*.py")) == sorted(ALL + TORCH_ONLY)


def test_scenarios_is_not_a_package():
    assert not (SCENARIOS / "__init__.py").exists()


@pytest.mark.parametrize("name", ALL + TORCH_ONLY)
def test_docstring_lesson_and_what_to_look_at(name):
    doc = docstring(name)
    lines = doc.splitlines()
    assert lines, f"{name} has no docstring"
    lesson = lines[0]
    assert lesson.strip() == lesson and lesson.endswith("."), lesson
    assert len(lesson) <= LESSON_MAX, f"{len(lesson)} characters: {lesson}"
    assert lines[1] == "", "a blank line after the lesson"
    body = "\n".join(lines[2:])
    assert "Look at" in body or "look at" in body, "the body says what to look at in graphtui"
    status = 1 if name in FAILING else 0
    assert f"exit status {status}" in body, f"the docstring states how it ends (exit {status})"


@pytest.mark.parametrize("name", ALL)
def test_imports_torch_as_pytorch_code_does_and_never_engine(name):
    """Scenarios are PyTorch code: under graphtui their torch is the engine (or real PyTorch
    with --backend torch); they never name the engine."""
    text = source(name)
    imports = [line for line in text.splitlines() if re.match(r"\s*(import|from)\s", line)]
    assert "import torch" in imports
    for line in imports:
        assert not re.match(r"\s*(import|from)\s+engine\b", line), line
    uses_nn = any("torch.nn" in line for line in imports)
    assert uses_nn == (name in NEEDS_NN), "NEEDS_NN in conftest must match the imports"
    if uses_nn:
        assert "import torch.nn as nn" in imports


@pytest.mark.parametrize("name", ALL)
def test_random_scenarios_seed_the_generator(name):
    text = source(name)
    if re.search(r"\brand(n|int|om)?\(|nn\.(Linear|Conv2d)\(", text):
        assert "torch.manual_seed(0)" in text


@pytest.mark.parametrize("name", ALL)
def test_failing_scenarios_end_with_the_failing_call(name):
    """The error is the lesson's last act: nothing after it is meant to run but (at most)
    the tutorial's own next line, which the error skips."""
    tree = ast.parse(source(name))
    last = tree.body[-1]
    text = ast.get_source_segment(source(name), last) or ""
    if name in FAILING:
        before_last = ast.get_source_segment(source(name), tree.body[-2]) or ""
        assert re.search(r"backward|gradcheck", text + before_last)


def test_tutorial_scenarios_follow_the_tutorials_cells():
    assert "y.backward(gradients, retain_graph=True)" in source("seed_04_retain_graph")
    assert "torch.randn(2, requires_grad=False)" in source("seed_02_requires_grad_false")
    for name in TUTORIAL[5:9]:
        text = source(name)
        for line in ("self.conv1 = nn.Conv2d(1, 10, 5)", "self.conv2 = nn.Conv2d(10, 20, 5)",
                     "self.fc = nn.Linear(320, 50)", "self.out = nn.Linear(50, 10)",
                     "x = x.view(x.size(0), -1)", "input = torch.randn(1, 1, 28, 28)"):
            assert line in text, f"{name}: {line}"
    assert "save_feat.append(output)" in source("seed_10_cam_features")


# ------------------------------------------------------------ graphtui.scenarios_index

def test_index_lists_every_bundled_scenario_tutorial_first():
    infos = list_scenarios()
    names = [info.name for info in infos]
    assert names[:10] == TUTORIAL
    assert sorted(names[10:]) == names[10:] and set(names) == set(ALL + TORCH_ONLY)
    for info in infos:
        assert info.lesson == docstring(info.name).splitlines()[0]
        assert info.path == SCENARIOS / f"{info.name}.py"


def test_a_bundled_scenario_is_found_by_name_as_the_list_names_it():
    from graphtui.cli import resolve_scenario
    from graphtui.scenarios_index import bundled_path

    for info in list_scenarios():
        assert bundled_path(info.name) == info.path
        assert resolve_scenario(info.name) == resolve_scenario(f"{info.name}.py") == str(info.path)
    for name in ("no_such_scenario", "", "_private", "../README"):
        assert bundled_path(name) is None
    assert resolve_scenario("no_such_scenario") == "no_such_scenario"


def test_index_format_is_one_aligned_line_each():
    infos = list_scenarios()
    text = format_list(infos)
    lines = text.splitlines()
    assert len(lines) == len(infos)
    column = max(len(info.name) for info in infos) + 2
    for line, info in zip(lines, infos):
        assert line.startswith(info.name) and line[column:] == info.lesson
    for line in format_list(infos, width=60).splitlines():
        assert len(line) <= 60


def test_index_of_another_directory_without_running_anything(tmp_path):
    (tmp_path / "b.py").write_text('"""Second.\n\nBody."""\nraise SystemExit("ran")\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "seed_01_z.py").write_text("'''  \n  First line after blanks.\n'''\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    (tmp_path / "_private.py").write_text('"""Hidden."""\n')
    infos = list_scenarios(tmp_path)
    assert [(i.name, i.lesson) for i in infos] == [
        ("seed_01_z", "First line after blanks."), ("a", ""), ("b", "Second."), ("broken", "")]
    assert list_scenarios(tmp_path / "missing") == []
    assert format_list([]) == ""
    assert lesson_of(tmp_path / "nope.py") == ""
