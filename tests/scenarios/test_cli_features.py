"""The command-line features around scenarios, through real subprocesses: recordings (the
JSON round trip, spelt ``--record OUT.jsonl`` or ``dump --json``), ``dump --dot``,
``graphtui open``, ``graphtui list`` and headless screenshots of three scenarios. Every
feature is required: a removed one fails here.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape

import pytest

from scenario_support import REPO, TIMEOUT, subprocess_env
from graphtui.scenarios_index import list_scenarios


def graphtui(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphtui", *map(str, args)], cwd=REPO,
                          env=subprocess_env(), capture_output=True, text=True,
                          timeout=TIMEOUT)


# a failing run with freed buffers, and a module run with hooks and warnings
ROUND_TRIP = ["seed_03_backward_twice", "seed_08_backward_hook"]


# ------------------------------------------------------------ recordings (today's spelling)

@pytest.mark.parametrize("name", ROUND_TRIP)
def test_recording_round_trip_prints_the_same_dump(name, tmp_path):
    """``dump X.py --record R.jsonl`` then ``dump R.jsonl``: the same text and exit status,
    i.e. the reopened recording rebuilds the same model state (graph, tensors, buffers,
    hooks, error), and nothing in the file is executed."""
    recording = tmp_path / f"{name}.jsonl"
    live = graphtui("dump", f"scenarios/{name}.py", "--record", recording)
    assert recording.exists(), live.stderr
    lines = recording.read_text(encoding="utf-8").splitlines()
    assert all(isinstance(json.loads(line), dict) for line in lines)
    replay = graphtui("dump", recording)
    assert replay.returncode == live.returncode, replay.stderr
    assert replay.stdout == live.stdout


def test_recording_opens_in_the_tui_headless(tmp_path):
    recording = tmp_path / "r.jsonl"
    graphtui("dump", "scenarios/seed_03_backward_twice.py", "--record", recording)
    shot = tmp_path / "r.svg"
    result = graphtui("run", recording, "--headless", "--screenshot", shot)
    assert result.returncode == 1, result.stderr       # the recorded run failed, as the lesson does
    assert "MulBackward0" in svg_text(shot)


# ------------------------------------------------------------ the spelling

def _json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "no JSON lines written"
    records = [json.loads(line) for line in lines]
    assert all(isinstance(record, dict) for record in records)
    return records


def test_dump_json_writes_one_event_per_line(tmp_path):
    result = graphtui("dump", "scenarios/seed_04_retain_graph.py", "--json")
    assert result.returncode == 0, result.stderr
    records = _json_lines(result.stdout)
    text = result.stdout
    for fragment in ("MulBackward0", "AccumulateGrad", "retain_graph"):
        assert fragment in text
    assert len(records) > 10


def test_dump_json_to_a_file_with_o(tmp_path):
    out = tmp_path / "run.jsonl"
    result = graphtui("dump", "scenarios/seed_04_retain_graph.py", "--json", "-o", out)
    assert result.returncode == 0, result.stderr
    _json_lines(out.read_text(encoding="utf-8"))


def test_dump_json_round_trip_gives_the_same_state(tmp_path):
    """``dump --json -o R.jsonl`` then reading R.jsonl back (``dump R.jsonl``) prints what the
    live run printed: the same model state."""
    out = tmp_path / "run.jsonl"
    written = graphtui("dump", "scenarios/seed_03_backward_twice.py", "--json", "-o", out)
    assert written.returncode == 1, written.stderr
    live = graphtui("dump", "scenarios/seed_03_backward_twice.py")
    replay = graphtui("dump", out)
    assert (replay.returncode, replay.stdout) == (live.returncode, live.stdout)


def test_open_reopens_a_json_recording_in_the_tui(tmp_path):
    out = tmp_path / "run.jsonl"
    graphtui("dump", "scenarios/seed_03_backward_twice.py", "--json", "-o", out)
    shot = tmp_path / "open.svg"
    opened = graphtui("open", out, "--headless", "--screenshot", shot)
    assert opened.returncode == 1, opened.stderr       # the recorded run failed, as the lesson does
    assert "MulBackward0" in svg_text(shot)


def _dot_nodes(dot: str) -> dict[str, str]:
    """Node statements of a DOT digraph: id -> label (a deliberately small parser)."""
    match = re.fullmatch(r"\s*(strict\s+)?digraph\b[^{]*\{(?P<body>.*)\}\s*", dot, flags=re.S)
    assert match, "not a DOT digraph"
    body = match["body"]
    assert body.count("{") == body.count("}") and body.count("[") == body.count("]")
    nodes = {}
    # Attribute lists may hold quoted strings with brackets in them (labels like "[2]").
    for statement in re.finditer(r'^\s*("(?:[^"\\]|\\.)*"|\w+)\s*'
                                 r'\[(?P<attrs>(?:"(?:[^"\\]|\\.)*"|[^\]"])*)\]', body,
                                 flags=re.M):
        node_id = statement.group(1)
        if node_id in ("node", "edge", "graph"):
            continue
        label = re.search(r'label\s*=\s*("(?:[^"\\]|\\.)*"|<.*>|\w+)', statement["attrs"],
                          flags=re.S)
        nodes[node_id] = label.group(1) if label else node_id
    return nodes


DOT_NODES = {
    "seed_04_retain_graph": {"MulBackward0": 1, "AccumulateGrad": 1},
    "seed_08_backward_hook": {"NllLossBackward0": 1, "LogSoftmaxBackward0": 1,
                              "ReluBackward0": 4, "AddmmBackward0": 2, "TBackward0": 2,
                              "ViewBackward0": 1, "MaxPool2DWithIndicesBackward0": 2,
                              "ConvolutionBackward0": 2, "AccumulateGrad": 8},
}


@pytest.mark.parametrize("name", sorted(DOT_NODES))
def test_dump_dot_is_a_digraph_with_every_node(name):
    result = graphtui("dump", f"scenarios/{name}.py", "--dot")
    assert result.returncode == 0, result.stderr
    labels = list(_dot_nodes(result.stdout).values())
    for node_name, count in DOT_NODES[name].items():
        found = sum(1 for label in labels if re.search(rf"\b{node_name}\b", label))
        assert found == count, f"{node_name}: {found} DOT nodes, expected {count}"
    assert "->" in result.stdout


def test_graphtui_list_names_every_scenario_with_its_lesson():
    result = graphtui("list")
    assert result.returncode == 0, result.stderr
    for info in list_scenarios():
        line = next((l for l in result.stdout.splitlines() if info.name in l), None)
        assert line is not None, f"{info.name} not listed"
        shown = line.split(info.name, 1)[1].strip().rstrip("…")
        assert shown and info.lesson.startswith(shown), (info.lesson, line)


# ------------------------------------------------------------ headless screenshots

def svg_text(path) -> str:
    """The visible text of a Textual SVG screenshot (spaces come as &#160;)."""
    return unescape(path.read_text(encoding="utf-8")).replace("\xa0", " ")


SCREENSHOTS = [
    # scenario, keys, what the screen must show
    ("seed_03_backward_twice", "n,n,c,n", ["MulBackward0", "AccumulateGrad"]),
    ("seed_04_retain_graph", "n", ["MulBackward0", "x"]),
    ("seed_08_backward_hook", "c", ["NllLossBackward0", "LogSoftmaxBackward0", "finished",
                                    "conv1.weight.grad"]),
]


@pytest.mark.parametrize("name, keys, shown", SCREENSHOTS)
def test_headless_screenshot(name, keys, shown, tmp_path):
    shot = tmp_path / f"{name}.svg"
    result = graphtui("run", f"scenarios/{name}.py", "--headless", "--press", keys,
                      "--screenshot", shot)
    # seed_03's second backward fails, as the lesson means it to: a failed run exits 1.
    assert result.returncode == (1 if name == "seed_03_backward_twice" else 0), result.stderr
    text = svg_text(shot)
    assert text.lstrip().startswith("<svg")
    for fragment in shown:
        assert fragment in text, f"{fragment!r} not on the screen of {name}"

