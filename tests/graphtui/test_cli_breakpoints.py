"""--break-on on the command line: bad specs, dump listing the hits, headless run pausing."""
from __future__ import annotations

import json

import pytest

from test_cli import graphtui, write_bytes

NAN = (b"import engine as torch\n"
       b"x = torch.tensor([-1.0, 4.0], requires_grad=True)\n"
       b"y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))\n"
       b"y.sum().backward()\n"
       b"print('grad', x.grad)\n")


@pytest.mark.parametrize("spec, expected", [
    ("nope", "graphtui: --break-on: unknown breakpoint 'nope': expected nan, node:NAME, "
             "module:NAME, hook[:NAME], backward[:N]"),
    ("backward:0", "graphtui: --break-on: backward:N counts backward calls from 1 "
                   "(got 'backward:0')"),
    ("node:", "graphtui: --break-on: 'node' needs a name: node:NAME (got 'node:')"),
    ("nan:3", "graphtui: --break-on: 'nan' takes no argument (got 'nan:3')"),
])
@pytest.mark.parametrize("command", ["run", "dump"])
def test_a_bad_spec_gets_one_line_and_exit_2(tmp_path, spec, expected, command):
    scenario = write_bytes(tmp_path, "nan.py", NAN)
    result = graphtui(command, scenario, "--break-on", "nan", "--break-on", spec)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [expected]
    assert result.stdout == ""


def test_a_recording_takes_no_breakpoints(tmp_path):
    scenario = write_bytes(tmp_path, "nan.py", NAN)
    recording = tmp_path / "nan.jsonl"
    assert graphtui("dump", scenario, "--record", recording).returncode == 0
    result = graphtui("dump", recording, "--break-on", "nan")
    assert result.returncode == 2
    assert result.stderr.strip() == ("graphtui: --break-on needs a scenario to run; a "
                                     "recording is replayed as it is")


def test_dump_runs_through_and_lists_where_the_breakpoints_hit(tmp_path):
    scenario = write_bytes(tmp_path, "nan.py", NAN)
    result = graphtui("dump", scenario, "--break-on", "nan", "--break-on",
                      "node:SqrtBackward0")
    assert result.returncode == 0, result.stderr             # it finished: breaks do not hold
    assert "grad tensor([   nan, 0.2500])" in result.stdout
    listing = result.stdout.split("== breakpoints hit: 3\n")[1].split("== run")[0]
    assert listing.splitlines() == [
        "at event 6: nan: NaN in the forward output of SqrtBackward0 (nan.py:3)",
        "at event 19: node:SqrtBackward0: SqrtBackward0 (node 1) about to run",
        "at event 20: nan: NaN in the gradient SqrtBackward0 produced"]
    assert "     ·  breakpoint nan: NaN in the gradient SqrtBackward0 produced\n" in result.stdout
    assert "paused" not in result.stdout


def test_dump_json_keeps_the_hits_and_reopens_them(tmp_path):
    scenario = write_bytes(tmp_path, "nan.py", NAN)
    out = tmp_path / "nan.jsonl"
    assert graphtui("dump", scenario, "--json", "-o", out, "--break-on", "nan").returncode == 0
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    hits = [e for e in events if e["$"] == "BreakpointHit"]
    assert [(h["spec"], h["where"]) for h in hits] == [("nan", "op"), ("nan", "after")]
    replayed = graphtui("dump", out)
    assert replayed.returncode == 0 and "== breakpoints hit: 2" in replayed.stdout


def test_a_headless_run_pauses_at_the_breakpoint(tmp_path):
    scenario = write_bytes(tmp_path, "nan.py", NAN)
    shot = tmp_path / "shot.svg"
    result = graphtui("run", scenario, "--break", "never", "--break-on", "nan",
                      "--press", "c", "--headless", "--screenshot", shot, "--size", "160x30")
    assert result.returncode == 0, result.stderr
    svg = shot.read_text(encoding="utf-8").replace("&#160;", " ")
    assert "NaN in the gradient SqrtBackward0 produced" in svg
    assert "1 breakpoint" in svg


def test_run_help_lists_break_on():
    result = graphtui("run", "--help")
    assert "--break-on SPEC" in result.stdout and "backward[:N]" in result.stdout
