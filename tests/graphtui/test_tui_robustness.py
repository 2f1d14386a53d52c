"""A debugger is used on broken code: a scenario that raises, never ends or floods must
leave the TUI showing what happened and answering keys (issue 6, the TUI half)."""
from __future__ import annotations

import textwrap

import pytest

from graphtui.widgets.graph_tree import GraphTree
from tui_support import running

RAISES = {
    # name: (source, the node the failure is placed at, marked ✗ there, the line that raised)
    "forward": ("""
        import engine as torch
        x = torch.ones(3, requires_grad=True)
        y = x * 2
        z = y + 1
        def broken(t):
            raise ValueError("bad forward value")
        w = broken(z)
        """, "AddBackward0", False, 'line 6, in broken'),
    "hook": ("""
        import engine as torch
        x = torch.ones(3, requires_grad=True)
        y = x * 2
        def bad_hook(grad):
            raise ValueError("hook exploded")
        y.register_hook(bad_hook)
        (y * y).sum().backward()
        """, "MulBackward0", True, 'line 5, in bad_hook'),
    "backward": ("""
        import engine as torch
        x = torch.ones(3, requires_grad=True)
        y = (x * 2).sum()
        y.backward()
        y.backward()
        """, "MulBackward0", True, 'line 5, in <module>'),
    "custom_forward": ("""
        import engine as torch
        class Bad(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                raise ArithmeticError("custom forward broke")
            @staticmethod
            def backward(ctx, grad):
                return grad
        x = torch.ones(3, requires_grad=True)
        y = Bad.apply(x * 3)
        """, "MulBackward0", False, 'line 5, in forward'),
    "custom_backward": ("""
        import engine as torch
        class Bad(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2
            @staticmethod
            def backward(ctx, grad):
                raise ZeroDivisionError("custom backward broke")
        x = torch.ones(3, requires_grad=True)
        Bad.apply(x * 3).sum().backward()
        """, "BadBackward", True, 'line 9, in backward'),
}


def squeeze(text: str) -> str:
    return " ".join(text.split())


def write(tmp_path, name: str, source: str):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(RAISES))
async def test_a_raising_scenario_shows_its_traceback_where_it_failed(tmp_path, case):
    source, node, marked, raised_at = RAISES[case]
    async with running(write(tmp_path, case, source), break_on_backward=False) as ui:
        assert "failed" in ui.status()
        assert ui.state.error is not None
        selected = ui.selected_label()
        assert node in selected and (("✗" in selected) == marked), selected
        text = ui.inspector("node")
        assert squeeze(ui.state.error.message) in squeeze(text)   # the scenario's exception
        assert f'File "{case}.py", {raised_at}' in text        # ... and its own traceback
        recorded = ui.events()
        assert recorded[0].split()[1:3] == ["run", "run"]      # everything kept, from the start
        assert len(recorded) == len(ui.session.log)

        # Still usable: move in the tree, travel in history, re-run.
        tree = ui.screen.query_one(GraphTree)
        await ui.pilot.press("home", "down")
        await ui.pilot.pause()
        assert tree.cursor_line == 1
        await ui.press("left_square_bracket")
        assert "history" in ui.status()
        await ui.press("right_square_bracket")
        assert "history" not in ui.status()
        await ui.press("r")
        assert "failed" in ui.status() and ui.state.run_number == 2
