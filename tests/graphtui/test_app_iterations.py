"""Iterations in the TUI: the status line and the graph say which backward pass is shown,
`<` / `>` move between passes, and older graphs never show their nodes as pending."""
from __future__ import annotations

from graphtui.model import ITERATION, PENDING
from textual.widgets import Tree

from graphtui.widgets.graph_tree import GraphTree
from tui_support import running, write_lesson


def printed_losses(state) -> list[str]:
    return [line.text.rsplit(" ", 1)[1] for line in state.output if line.stream == "stdout"]


def top_labels(driver) -> list[str]:
    graph = driver.screen.query_one(GraphTree)
    return [str(node.label) for node in graph.root.children]


async def test_the_status_line_names_the_pass_and_its_loss(tmp_path):
    async with running(write_lesson(tmp_path, "mlp_loop.py"), break_on_backward=False) as ui:
        it = ui.state.iterations.current
        assert f"{it.root_value:.4f}" == printed_losses(ui.state)[-1]
        assert f"backward 6 of 6 loss {it.root_value:.4g}" in ui.status()
        labels = top_labels(ui)
        assert [label.split(" ·")[0] for label in labels[:6]] == [
            "backward 1", "backward 2", "backward 3", "backward 4", "backward 5",
            "backward 6 of 6"]
        assert labels[5] == (f"backward 6 of 6 · MseLossBackward0 → loss = "
                             f"{it.root_value:.4g} · mlp_loop.py:10")
        assert labels[6].startswith("✓ MseLossBackward0 → loss")   # its graph, open


async def test_angle_brackets_move_between_passes_and_the_panes_follow(tmp_path):
    async with running(write_lesson(tmp_path, "mlp_loop.py"), break_on_backward=False) as ui:
        await ui.press("less_than_sign")
        assert "backward 6 of 6" in ui.status() and "history" in ui.status()
        await ui.press("less_than_sign", "less_than_sign")
        assert "backward 4 of 6" in ui.status()
        state = ui.state
        it = state.iterations.current
        assert it.number == 4 and state.step == it.end        # the moment it ended
        graph = ui.screen.query_one(GraphTree)
        assert graph.entry.node_id == it.root_node_id          # the cursor on its root
        assert "MseLossBackward0" in ui.inspector("node")
        await ui.press("greater_than_sign")
        assert "backward 5 of 6" in ui.status()
        await ui.press("greater_than_sign", "greater_than_sign")
        assert ui.screen.moment is None                        # past the last: live
        await ui.press("less_than_sign")
        for _ in range(6):
            await ui.press("less_than_sign")
        assert "backward 1 of 6" in ui.status()


async def test_older_graphs_never_show_pending_while_a_later_pass_waits(tmp_path):
    """Paused at the start of the third backward (the default break): the AccumulateGrad
    nodes every step shares were reset to pending by it; under the older passes they read
    as run."""
    async with running(write_lesson(tmp_path, "mlp_loop.py")) as ui:
        await ui.press("c", "c")
        state = ui.state
        assert state.iterations.current.number == 3 and state.paused_at is not None
        graph = ui.screen.query_one(GraphTree)
        older = [node for node in graph.root.children
                 if node.data.kind == ITERATION and node.data.has_children]
        assert [str(node.label).split(" ·")[0] for node in older] == ["backward 1", "backward 2"]
        for node in older:
            node.expand()
        await ui.pilot.pause()
        rows = []
        stack = list(older)
        while stack:
            node = stack.pop()
            graph._fill(node)
            stack.extend(node.children)
            if node.data.node_id is not None:
                rows.append((node.data, state.nodes[node.data.node_id]))
        shared = [entry for entry, node in rows if node.is_accumulate_grad]
        assert shared and all(node.status == PENDING for _, node in rows if node.is_accumulate_grad)
        assert all(not str(graph._loaded[entry.key].label).startswith("○") for entry in shared)
        assert all(entry.status != PENDING for entry, _ in rows)


async def test_a_finished_loop_starts_on_its_last_pass_and_shows_its_root(tmp_path):
    async with running(write_lesson(tmp_path, "mlp_loop.py"), break_on_backward=False) as ui:
        graph = ui.screen.query_one(GraphTree)
        assert graph.entry.kind == ITERATION and graph.entry.key == ("i6",)
        node = ui.inspector("node")
        assert "MseLossBackward0" in node and "has no grad_fn" not in node


def drawn(graph: GraphTree) -> list[list]:
    return [list(graph.render_line(y)) for y in range(graph.size.height)]


def drawn_by_tree(graph: GraphTree) -> list[list]:
    """The lines as Textual's Tree draws them, without the lines the pane keeps."""
    graph._line_cache.clear()
    x, top = graph.scroll_offset
    return [list(Tree._render_line(graph, y + top, x, x + graph.size.width, graph.rich_style))
            for y in range(graph.size.height)]


async def test_lines_kept_across_passes_draw_what_tree_draws(tmp_path):
    """The graph pane keeps drawn lines by what they show: moving between passes (each a
    rebuild of the tree), every line is what Tree draws anew, and most lines of a pass's
    graph, the same shape each pass, are not drawn again."""
    # Twelve passes: the five older passes' rows shift by one at each key, in place.
    path = write_lesson(tmp_path, "mlp_loop.py")
    path.write_text(path.read_text().replace("range(6)", "range(12)"))
    async with running(path, break_on_backward=False) as ui:
        graph = ui.screen.query_one(GraphTree)
        kept_before, lines_shown = len(graph._drawn_lines), 0
        for key in ["less_than_sign"] * 6 + ["greater_than_sign"] * 5 + ["down", "up"]:
            await ui.press(key)
            shown = drawn(graph)
            assert shown == drawn_by_tree(graph), key
            lines_shown += sum(1 for line in shown if "".join(s.text for s in line).strip())
        assert "backward 12 of 12" in ui.status()
        assert len(graph._drawn_lines) - kept_before < lines_shown / 2


async def test_the_inspector_redraws_a_node_as_tall_as_the_one_before(tmp_path):
    """`<` shows the same root node of another pass: as many lines (no layout), other
    values; the screen shows the new ones."""
    async with running(write_lesson(tmp_path, "mlp_loop.py"), break_on_backward=False) as ui:
        seen = []
        for _ in range(3):
            await ui.press("less_than_sign")
            node_text = ui.inspector("node")
            produced = next(line for line in node_text.splitlines()
                            if line.startswith("grad_inputs out"))
            norm = produced.split("norm ", 1)[1].split()[0]
            assert f"norm {norm}" in ui.screen_text()
            seen.append(norm)
        assert len(set(seen)) == 3                  # each pass's own gradient
