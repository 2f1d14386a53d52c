"""The view follows the run: a pause puts the cursor on the paused node however deep it is,
`j` brings it back there, and the status line names the node with its id (issue 16 item 3)."""
from __future__ import annotations

import textwrap

from graphtui.widgets import graph_tree
from graphtui.widgets.graph_tree import GraphTree
from tui_support import running

CHAIN = """
    import engine as torch
    x = torch.ones(3, requires_grad=True)
    y = x
    for _ in range(12):
        y = y * 1.5
    y.sum().backward()
"""


def write(tmp_path, source: str):
    path = tmp_path / "chain.py"
    path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return path


async def test_a_pause_deep_in_a_chain_puts_the_cursor_on_the_paused_node(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_tree, "MAX_REVEAL_DEPTH", 4)     # 10,000 deep, in small
    async with running(write(tmp_path, CHAIN)) as ui:
        await ui.press(*["n"] * 8)                             # 8 levels below SumBackward0
        paused = ui.state.paused_at
        graph = ui.screen.query_one(GraphTree)
        assert graph.entry.node_id == paused
        assert "8 levels below the root" in ui.selected_label()
        assert f"paused at MulBackward0 (node {paused})" in ui.status()
        assert "next to run" in ui.inspector("node")           # the inspector shows it too
        assert graph.cursor_line == 0                          # in view, at the top
        await ui.press("n")
        assert graph.entry.node_id == ui.state.paused_at != paused     # and follows a step


async def test_j_goes_back_to_the_paused_node(tmp_path):
    async with running(write(tmp_path, CHAIN)) as ui:
        await ui.press("n", "n", "n")
        paused = ui.state.paused_at
        graph = ui.screen.query_one(GraphTree)
        graph.focus()
        await ui.pilot.press("home")                            # the user looks elsewhere
        await ui.pilot.pause()
        assert graph.entry.node_id != paused
        await ui.press("j")
        assert graph.entry.node_id == paused
        assert "MulBackward0  ● next to run" in ui.inspector("node")


async def test_j_goes_back_to_a_paused_node_deep_in_a_chain(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_tree, "MAX_REVEAL_DEPTH", 4)
    async with running(write(tmp_path, CHAIN)) as ui:
        await ui.press(*["n"] * 8)
        paused = ui.state.paused_at
        graph = ui.screen.query_one(GraphTree)
        graph.focus()
        await ui.pilot.press("down", "down", "down")
        await ui.pilot.pause()
        assert graph.entry.node_id != paused
        await ui.press("j")
        assert graph.entry.node_id == paused
        assert "MulBackward0  ● next to run" in ui.inspector("node")
