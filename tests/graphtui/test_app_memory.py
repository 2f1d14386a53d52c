"""The TUI's answers about memory and NaN: the Saved tab counts each storage once and says
what retain_graph keeps; a NaN mark sits beside a node's status, naming forward or gradient."""
from __future__ import annotations

import re

from tui_support import running, write_lesson


def squeeze(text: str) -> str:
    return " ".join(text.split())


async def test_saved_tab_counts_activations_once_and_weights_not_at_all(tmp_path):
    async with running(write_lesson(tmp_path, "mlp_memory.py")) as ui:
        assert "paused at SumBackward0" in ui.status()        # the forward is done
        saved = squeeze(ui.inspector("saved"))
        # Two ReLU outputs of 64 x 512 float32: 256 KiB, not the 1.5 MiB of buffers listed.
        assert saved.startswith("retained 256.0 KiB of activations · peak 256.0 KiB · freed 0 B")
        assert "not counted: parameters 1.0 MiB, inputs 64.0 KiB" in saved
        assert re.search(r"timeline [ ▁▂▃▄▅▆▇█]*█ events 1-60 ", saved)
        assert "mat2 [512, 512] float32 · parameter (no extra memory) 0 B retained" in saved
        assert "mat1 [64, 512] float32 · same memory as ReluBackward0.result (node 5) 0 B" in saved
        assert "result [64, 512] float32 · activation 128.0 KiB retained" in saved
        assert "mat1 [64, 256] float32 · input leaf (not counted) 0 B retained" in saved

        await ui.press("c")                                   # backward 1, retain_graph=True
        saved = squeeze(ui.inspector("saved"))
        assert ("backward 1 (retain_graph) kept 4 saved activations alive: 256.0 KiB "
                "(ReluBackward0.result, AddmmBackward0.mat1, ReluBackward0.result …)") in saved
        assert saved.startswith("retained 256.0 KiB")

        await ui.press("c")                                   # backward 2 frees them
        assert "finished" in ui.status()
        saved = squeeze(ui.inspector("saved"))
        assert saved.startswith("retained 0 B of activations · peak 256.0 KiB · freed 256.0 KiB")


async def test_node_tab_says_whose_memory_each_buffer_is(tmp_path):
    async with running(write_lesson(tmp_path, "mlp_memory.py")) as ui:
        await ui.find("AddmmBackward0")
        node = squeeze(ui.inspector("node"))
        assert "_saved_mat1 [64, 512] float32 128.0 KiB retained same memory as " \
               "ReluBackward0.result" in node
        assert "_saved_mat2 [512, 10] float32 20.0 KiB retained parameter (no extra memory)" \
               in node
        assert "memory kept: 128.0 KiB" in node      # this node alone keeps the ReLU output


async def test_nan_in_a_forward_output_is_marked_as_such_beside_next_to_run(tmp_path):
    async with running(write_lesson(tmp_path, "masked_sqrt.py")) as ui:
        # Before any backward: sqrt's output holds NaN; no gradient has been computed.
        assert "⚠ NaN/Inf first at SqrtBackward0 (forward output)" in ui.status()
        await ui.press("n", "n")                              # SumBackward0, WhereBackward0 ran
        assert "paused at SqrtBackward0" in ui.status()
        label = ui.selected_label()
        assert label.startswith("● SqrtBackward0 ⚠ NaN fwd")  # next to run, and the mark
        node = ui.inspector("node")
        assert "next to run" in node and "⚠ NaN/Inf in forward output" in node
        assert "gradient" not in node.splitlines()[0]
        assert "[0.0000, 1.0000]" in node                     # the gradient it receives: finite

        await ui.press("n")                                   # it makes [nan, 0.25]
        await ui.find("SqrtBackward0")
        assert "NaN/Inf in forward output, gradient produced" in ui.inspector("node")
        assert "⚠ NaN fwd+grad" in ui.selected_label()
