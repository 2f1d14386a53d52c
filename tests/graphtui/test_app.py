"""The real app on the tutorial's lessons: press keys as a person would, read the panes."""
from __future__ import annotations

from tui_support import running, write_lesson


def squeeze(text: str) -> str:
    return " ".join(text.split())


async def test_stepping_x_times_3_shows_the_gradient_arrive(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py")) as ui:
        assert "paused at MulBackward0" in ui.status()
        node = ui.inspector("node")
        assert "MulBackward0" in node and "next to run" in node
        assert "[100.0000, 0.1000]" in node            # the gradient argument arrived

        await ui.press("n")
        assert "paused at AccumulateGrad" in ui.status()
        assert "AccumulateGrad (x)" in ui.selected_label()
        assert "[300.0000, 0.3000]" in ui.inspector("node")   # grad_outputs of x's accumulator
        assert ".grad None" in squeeze(ui.inspector("tensor"))     # not accumulated yet

        await ui.press("n")
        assert "finished" in ui.status()
        tensor = ui.inspector("tensor")
        assert tensor.splitlines()[0].startswith("x")
        assert "[300.0000, 0.3000]" in tensor


async def test_backward_twice_frees_buffers_then_fails_at_them(tmp_path):
    async with running(write_lesson(tmp_path, "lesson4_twice.py")) as ui:
        saved = ui.inspector("saved")
        buffers = saved.split("_saved_ shape dtype", 1)[1]      # the rows, not the totals
        assert "retained" in buffers and "freed" not in buffers
        assert saved.startswith("retained 8 B of activations · peak 8 B · freed 0 B")

        await ui.press("c")                               # the first backward runs through
        assert "paused at MulBackward0" in ui.status()    # the second one breaks at its start
        saved = ui.inspector("saved")
        buffers = saved.split("_saved_ shape dtype", 1)[1]
        assert "freed" in buffers and "retained" not in buffers
        assert saved.startswith("retained 0 B of activations · peak 8 B · freed 8 B")

        await ui.press("c")
        status = ui.status()
        assert "failed" in status and "RuntimeError" in status
        node = ui.inspector("node")
        assert "MulBackward0" in node
        assert "Trying to backward through the graph a second time" in node
        assert 'File "lesson4_twice.py", line 8' in node          # the scenario's traceback
        assert any("Trying to backward through the graph a second time" in line
                   for line in ui.events())
        await ui.find("tensor x")                          # everything stays inspectable
        assert "[300.0000, 0.3000]" in ui.inspector("tensor")


async def test_history_goes_back_to_the_earlier_grad(tmp_path):
    async with running(write_lesson(tmp_path, "lesson5_retain.py"), break_on_backward=False) as ui:
        assert "finished" in ui.status()
        await ui.find("tensor x")
        assert "[600.0000, 0.6000]" in ui.inspector("tensor")
        assert "+=" in ui.inspector("tensor")             # accumulation, step by step

        for _ in range(60):
            await ui.press("left_square_bracket")
            if "[600.0000, 0.6000]" not in ui.inspector("tensor"):
                break
        assert "history" in ui.status()
        tensor = ui.inspector("tensor")
        assert "[300.0000, 0.3000]" in tensor and "[600.0000, 0.6000]" not in tensor
        assert ui.screen.moment is not None

        while ui.screen.moment is not None:
            await ui.press("right_square_bracket")
        assert "history" not in ui.status()
        assert "[600.0000, 0.6000]" in ui.inspector("tensor")


async def test_muted_hook_is_logged_as_muted_after_a_rerun(tmp_path):
    async with running(write_lesson(tmp_path, "tensor_hook.py"), break_on_backward=False) as ui:
        assert any("hook saw" in line for line in ui.events())
        await ui.press("4")
        assert "print_grad" in ui.inspector("hooks")
        await ui.press("h")
        assert "muted" in ui.inspector("hooks")

        await ui.press("r")
        assert "finished" in ui.status()
        lines = ui.events()
        assert any("muted (skipped)" in line and "print_grad" in line for line in lines)
        assert not any("hook saw" in line for line in lines)
        assert "1 muted" in ui.status()


async def test_muted_conv1_forward_hook_is_logged_as_muted(tmp_path):
    async with running(write_lesson(tmp_path, "conv1_hook.py"), break_on_backward=False) as ui:
        assert any("conv1 forward (1, 1, 6, 6) -> (1, 2, 4, 4)" in line for line in ui.events())
        await ui.press("4")
        assert "conv1" in ui.inspector("hooks")
        await ui.press("h", "r")
        lines = ui.events()
        assert any("muted (skipped)" in line and "conv1" in line for line in lines)
        assert not any("conv1 forward (1" in line for line in lines)


async def test_help_lists_every_key_and_find_jumps(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py")) as ui:
        await ui.pilot.press("question_mark")
        await ui.pilot.pause()
        from graphtui.screens.help import HelpScreen
        assert isinstance(ui.app.screen, HelpScreen)
        await ui.pilot.press("escape")
        await ui.pilot.pause()
        assert ui.app.screen is ui.screen

        await ui.find("AccumulateGrad")
        assert "AccumulateGrad (x)" in ui.selected_label()


async def test_help_opens_again_with_every_key_after_closing(tmp_path):
    from textual.widgets import Static

    from graphtui.screens.help import HelpScreen
    async with running(write_lesson(tmp_path, "lesson2_mul.py")) as ui:
        shown_screens = []
        for _ in range(2):
            await ui.pilot.press("question_mark")
            await ui.pilot.pause()
            assert isinstance(ui.app.screen, HelpScreen)
            shown_screens.append(ui.app.screen)
            shown = "\n".join(strip.text for strip in ui.app.screen._compositor.render_strips())
            assert "graphtui keys" in shown and "Run the next backward node" in shown
            assert len(ui.app.screen.query(Static)) == 2
            await ui.pilot.press("escape")
            await ui.pilot.pause()
            assert ui.app.screen is ui.screen
        assert shown_screens[0] is shown_screens[1]      # kept, not composed again
        await ui.press("n")                        # the main screen still answers its keys
        assert "paused at AccumulateGrad" in ui.status()


async def test_events_filter_by_kind(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py"), break_on_backward=False) as ui:
        everything = ui.events()
        await ui.pilot.click("#filter-output")
        await ui.pilot.pause()
        output = ui.events()
        assert 0 < len(output) < len(everything)
        assert any("tensor([300.0000,   0.3000])" in line for line in output)
        assert all(" output " in line or " run " in line for line in output)


async def test_the_status_line_names_the_first_node_that_made_a_nan(tmp_path):
    scenario = tmp_path / "nan.py"
    scenario.write_text("import engine as torch\n"
                        "x = torch.tensor([-1.0, 4.0], requires_grad=True)\n"
                        "y = x * 2\n"
                        "z = torch.sqrt(y)\n"
                        "(z * 3).sum().backward()\n", encoding="utf-8")
    async with running(scenario, break_on_backward=False) as ui:
        assert "finished" in ui.status()
        assert "⚠ NaN/Inf first at SqrtBackward0" in ui.status()
    async with running(write_lesson(tmp_path, "lesson2_mul.py")) as ui:
        assert "NaN" not in ui.status()
