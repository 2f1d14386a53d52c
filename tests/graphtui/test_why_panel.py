"""The Why pane (key w) on the bundled scenarios: it lists the findings, and enter on one
shows its moment with its node (or tensor) in the inspector."""
from __future__ import annotations

import threading
from pathlib import Path

from graphtui.widgets.events_pane import EventsPane
from graphtui.widgets.graph_tree import GraphTree
from graphtui.widgets.why_panel import WhyPanel
from tui_support import running

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def why_text(ui) -> str:
    return ui.screen.query_one(WhyPanel).text


async def open_why(ui) -> WhyPanel:
    await ui.press("w")
    return ui.screen.query_one(WhyPanel)


async def pick(ui, why: WhyPanel, fragment: str) -> None:
    """Put the cursor on the finding whose text holds ``fragment`` and press enter."""
    index = next(i for i, f in enumerate(why.findings) if fragment in f.text)
    why.highlighted = index + (why.option_count - len(why.findings))
    await ui.press("enter")


async def test_w_opens_the_why_pane_in_place_of_the_events_and_closes_it(tmp_path):
    async with running(SCENARIOS / "inplace_error.py", break_on_backward=False) as ui:
        events = ui.screen.query_one(EventsPane)
        why = await open_why(ui)
        assert why.display and not events.display and why.has_focus
        assert "✗ ExpBackward0 (made at " in why_text(ui)
        assert ("saved `result`; `h.add_(1)` at " in why_text(ui))
        await ui.press("w")
        assert events.display and not why.display


async def test_picking_the_inplace_error_shows_expbackward_at_the_error(tmp_path):
    async with running(SCENARIOS / "inplace_error.py", break_on_backward=False) as ui:
        why = await open_why(ui)
        await pick(ui, why, "saved `result`")
        assert ui.screen.query_one(GraphTree).entry.node_id == 1
        node = ui.inspector("node")
        assert node.splitlines()[0].startswith("ExpBackward0")
        finding = next(f for f in why.findings if "saved `result`" in f.text)
        assert ui.screen.moment == finding.step + 1        # the error's moment
        assert "history 23/25" in ui.status()


async def test_picking_a_grad_none_finding_shows_the_tensor(tmp_path):
    async with running(SCENARIOS / "grad_is_none.py", break_on_backward=False) as ui:
        why = await open_why(ui)
        assert "`unused.grad` is None: not reachable from the root of backward 1" in why_text(ui)
        await pick(ui, why, "`unused.grad` is None")
        tensor = ui.inspector("tensor")
        assert tensor.splitlines()[0].startswith("unused")


async def test_the_tensor_selected_when_opening_gets_its_reason(tmp_path):
    async with running(SCENARIOS / "grad_is_none.py", break_on_backward=False) as ui:
        await ui.press("slash")
        for key in "frozen":
            await ui.pilot.press(key)
        await ui.press("enter")
        why = await open_why(ui)
        assert "`frozen.grad` is None: it never required grad (requires_grad=False)" \
            in why_text(ui)


async def test_nan_findings_tell_forward_from_backward(tmp_path):
    async with running(SCENARIOS / "nan_origin.py", break_on_backward=False) as ui:
        why = await open_why(ui)
        text = why_text(ui)
        assert "Forward: the output of SqrtBackward0" in text
        assert "Backward: in backward 1" in text
        await pick(ui, why, "Backward: in backward 1")
        assert ui.inspector("node").splitlines()[0].startswith("SqrtBackward0")


async def test_backward_twice_finding_shows_the_node_whose_buffers_were_freed(tmp_path):
    async with running(SCENARIOS / "seed_03_backward_twice.py", break_on_backward=False) as ui:
        why = await open_why(ui)
        assert ("✗ backward 2 (at scenarios/seed_03_backward_twice.py:24) needs `other` of "
                "MulBackward0") in why_text(ui)
        await pick(ui, why, "needs `other`")
        assert ui.inspector("node").splitlines()[0].startswith("MulBackward0")
        assert "freed" in ui.inspector("saved")


async def test_hook_findings_show_each_effect_and_the_hooks_that_never_fired(tmp_path):
    async with running(SCENARIOS / "hook_effects.py", break_on_backward=False) as ui:
        why = await open_why(ui)
        text = why_text(ui)
        assert "· tensor hook `double` on `y` fired once; the last time replaced the " \
               "gradient: norm 1.701 -> 3.401" in text
        assert "! tensor hook `never_removed` on `x` never fired: it was removed before it " \
               "had a chance to fire" in text
        await pick(ui, why, "`double`")
        assert ui.inspector("node").splitlines()[0].startswith("MulBackward0")   # y's grad_fn


async def test_a_finder_failure_is_said_in_the_pane_not_a_crash(tmp_path, monkeypatch):
    import graphtui.model.findings as findings   # the screen imports find() when it looks

    def broken(events, selected=()):
        raise KeyError("boom")
    monkeypatch.setattr(findings, "find", broken)
    async with running(SCENARIOS / "inplace_error.py", break_on_backward=False) as ui:
        why = await open_why(ui)
        assert why_text(ui) == "the findings could not be computed: KeyError: 'boom'"
        assert why.findings == []


async def test_a_clean_run_says_there_is_nothing_to_report(tmp_path):
    path = tmp_path / "clean.py"
    path.write_text("import engine as torch\n"
                    "x = torch.ones(2, requires_grad=True)\n"
                    "(x * x).sum().backward()\n", encoding="utf-8")
    async with running(path, break_on_backward=False) as ui:
        await open_why(ui)                     # the cursor is on the loss: why no .grad
        assert why_text(ui) == (
            "· `tensor 3.grad` is None: not a leaf: its grad_fn is SumBackward0 (made at "
            "clean.py:3), and backward keeps a non-leaf's gradient only after retain_grad()  "
            "event 8, node 3")
        await ui.press("w", "slash")
        await ui.pilot.press("x")
        await ui.press("enter")                # now x, whose .grad is set, is looked at
        await open_why(ui)
        assert why_text(ui).startswith("No findings: no in-place change of a saved value")


async def test_the_findings_are_looked_for_off_the_ui_thread(monkeypatch):
    """A slow scan (held here until the test lets it go) leaves the keys working: the pane
    says it is looking, w closes and opens it meanwhile, and the findings come when it ends."""
    import graphtui.model.findings as findings   # the screen imports find() when it looks
    release, scans = threading.Event(), []
    real_find = findings.find

    def slow_find(events, selected=()):
        scans.append(threading.current_thread())
        assert release.wait(60), "the test never let the scan go"
        return real_find(events, selected)
    monkeypatch.setattr(findings, "find", slow_find)
    async with running(SCENARIOS / "inplace_error.py", break_on_backward=False) as ui:
        events = ui.screen.query_one(EventsPane)
        await ui.pilot.press("w")
        await ui.pilot.pause()
        why = ui.screen.query_one(WhyPanel)
        assert why.display and why_text(ui) == "looking…"
        await ui.pilot.press("w")              # handled while the scan is held
        await ui.pilot.pause()
        assert events.display and not why.display
        assert not release.is_set() and scans and scans[0] is not threading.current_thread()
        await ui.pilot.press("w")
        await ui.pilot.pause()
        assert why.display and why_text(ui) == "looking…"
        release.set()
        await ui.app.workers.wait_for_complete()
        await ui.pilot.pause()
        assert "✗ ExpBackward0 (made at " in why_text(ui)
        assert "looking" not in why_text(ui)


async def test_a_base_changed_under_a_saved_view_is_warned_before_backward(
        saved_view_program):
    async with running(saved_view_program, break_on_backward=False) as ui:
        why = await open_why(ui)
        assert ("! SinBackward0 (made at saved_view.py:5) saved `self`; `b.add_(1)` at "
                "saved_view.py:6 changed it through `b`, which shares its memory (version 0 -> "
                "1); backward needs version 0: a backward through SinBackward0 will fail"
                ) in why_text(ui)
        await pick(ui, why, "saved `self`")
        assert ui.inspector("node").splitlines()[0].startswith("SinBackward0")
