"""``graphtui dump --explain``: the '== why' section of each scenario with findings, compared
with ``golden_why/NAME.txt``; ``--json --explain`` carries the same findings in its header
line; ``--why NAME`` adds a tensor's reason.

Regenerate after an intended change with ``GRAPHTUI_REGEN_GOLDEN=1 python -m pytest
tests/scenarios/test_explain.py``, then read every changed file before committing it.
"""
from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from scenario_support import FAILING, REPO, cached_run

REGEN = os.environ.get("GRAPHTUI_REGEN_GOLDEN") == "1"
GOLDEN_WHY = Path(__file__).resolve().parent / "golden_why"

#: A scenario for each finding (issue 14), and what it must say.
EXPLAINED = {
    "inplace_error": "[error] ExpBackward0 (made at scenarios/inplace_error.py:19) saved "
                     "`result`; `h.add_(1)` at scenarios/inplace_error.py:21 changed it "
                     "(version 0 -> 1); backward needs version 0  (event 23, node 1)",
    "inplace_warning": "[warning] SigmoidBackward0 (made at scenarios/inplace_warning.py:16) "
                       "saved `result`; `s.mul_(2)` at scenarios/inplace_warning.py:17 changed "
                       "it (version 0 -> 1); backward needs version 0: a backward through "
                       "SigmoidBackward0 will fail",
    "nan_origin": "[warning] Backward: in backward 1 (at scenarios/nan_origin.py:25), "
                  "SqrtBackward0 (made at scenarios/nan_origin.py:22) produced a gradient",
    "seed_03_backward_twice": "[error] backward 2 (at scenarios/seed_03_backward_twice.py:24) "
                              "needs `other` of MulBackward0",
    "grad_is_none": "[warning] `unused.grad` is None: not reachable from the root of backward 1",
    "hook_effects": "[warning] full backward hook `too_late` on `Linear` never fired",
}


def explain_args(name: str, *more: str) -> tuple[str, ...]:
    return ("-m", "graphtui", "dump", "--explain", *more, f"scenarios/{name}.py")


def why_section(stdout: str) -> str:
    return stdout[stdout.index("== why"):]


@pytest.mark.parametrize("name", sorted(EXPLAINED))
def test_explain_section_matches_golden(name):
    run = cached_run(explain_args(name))
    assert run.returncode == (1 if name in FAILING else 0), run.describe()
    actual = why_section(run.stdout).replace(str(REPO), "<repo>")
    assert EXPLAINED[name] in actual
    path = GOLDEN_WHY / f"{name}.txt"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden_why/{name}.txt", "dump --explain"))
        pytest.fail(f"the findings of {name} changed (GRAPHTUI_REGEN_GOLDEN=1 regenerates; "
                    f"review the diff first):\n{diff}")


def test_plain_dump_has_no_why_section():
    run = cached_run(("-m", "graphtui", "dump", "scenarios/inplace_error.py"))
    assert "== why" not in run.stdout


def test_json_explain_carries_the_findings_in_the_header():
    run = cached_run(("-m", "graphtui", "dump", "--json", "--explain",
                      "scenarios/inplace_error.py"))
    assert run.returncode == 1, run.describe()
    header = json.loads(run.stdout.splitlines()[0])
    assert header["findings"][0] == {
        "kind": "inplace", "severity": "error",
        "text": "ExpBackward0 (made at scenarios/inplace_error.py:19) saved `result`; "
                "`h.add_(1)` at scenarios/inplace_error.py:21 changed it (version 0 -> 1); "
                "backward needs version 0",
        "locations": ["scenarios/inplace_error.py:19", "scenarios/inplace_error.py:21"],
        "node_id": 1, "tensor_id": 2, "event": 23}
    assert [f["kind"] for f in header["findings"]] == ["inplace", "grad_none"]


def test_the_recording_with_findings_still_opens(tmp_path):
    out = tmp_path / "run.jsonl"
    run = cached_run(("-m", "graphtui", "dump", "--json", "--explain", "-o", str(out),
                      "scenarios/hook_effects.py"))
    assert run.returncode == 0, run.describe()
    reread = cached_run(("-m", "graphtui", "dump", "--explain", str(out)))
    assert reread.returncode == 0, reread.describe()
    fresh = cached_run(explain_args("hook_effects"))
    assert why_section(reread.stdout) == why_section(fresh.stdout)


def test_why_names_tensors_to_explain():
    run = cached_run(explain_args("grad_is_none", "--why", "detached", "--why", "frozen"))
    assert run.returncode == 0, run.describe()
    why = why_section(run.stdout)
    assert ("[info] `detached.grad` is None: made by detach() at "
            "scenarios/grad_is_none.py:22, which cuts it off the graph  (event 6)") in why
    assert "[info] `frozen.grad` is None: it never required grad (requires_grad=False)" in why


def test_why_an_unknown_name_is_a_usage_error():
    run = cached_run(("-m", "graphtui", "dump", "--why", "nosuch",
                      "scenarios/grad_is_none.py"))
    assert run.returncode == 2, run.describe()
    assert "graphtui: --why nosuch: no tensor of the run is named 'nosuch'" in run.stderr


def test_a_base_changed_under_a_saved_view_is_warned_and_then_the_error(
        saved_view_program, tmp_path):
    """`b.add_(1)` moves the version counter `v = b[:2]` shares: the finding says so at the
    edit and, when backward fails, at the error."""
    path = saved_view_program
    path.write_text(path.read_text() + "print('edited')\n" "y.sum().backward()\n",
                    encoding="utf-8")
    run = cached_run(("-m", "graphtui", "dump", "--explain", str(path)))
    assert run.returncode == 1, run.describe()
    why = why_section(run.stdout).replace(str(tmp_path) + "/", "")
    assert ("[error] SinBackward0 (made at saved_view.py:5) saved `self`; `b.add_(1)` at "
            "saved_view.py:6 changed it through `b`, which shares its memory (version 0 -> 1);"
            " backward needs version 0  (event ") in why
    before = path.with_name("before_backward.py")
    before.write_text(path.read_text().replace("y.sum().backward()\n", ""), encoding="utf-8")
    run = cached_run(("-m", "graphtui", "dump", "--explain", str(before)))
    assert run.returncode == 0, run.describe()
    assert ("[warning] SinBackward0 (made at before_backward.py:5) saved `self`; `b.add_(1)` "
            "at before_backward.py:6 changed it through `b`, which shares its memory "
            "(version 0 -> 1); backward needs version 0: a backward through SinBackward0 will "
            "fail  (event ") in why_section(run.stdout).replace(str(tmp_path) + "/", "")
