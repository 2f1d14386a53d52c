"""What a person sees at the sizes people use (80x24 up to 200x55): every key, every field
of the status line and every column stays reachable, and the find box shows what is typed
(issue 16, items 1-2)."""
from __future__ import annotations

import re

import pytest

from tui_support import running, screen_text, write_lesson

SMALL = (80, 24)


@pytest.mark.parametrize("size", [(140, 40), (200, 55), SMALL])
async def test_the_find_box_shows_what_is_typed(tmp_path, size):
    async with running(write_lesson(tmp_path, "lesson2_mul.py"), size=size) as ui:
        await ui.pilot.press("slash", "M", "u", "l", "B")
        await ui.pilot.pause()
        lines = screen_text(ui.app).splitlines()
        top = next(i for i, line in enumerate(lines) if "find a node or tensor" in line)
        assert "│MulB " in lines[top + 1]              # the typed text, on the box's first row
        assert "MulBackward0  node 1" in lines[top + 2]  # then what matches it, with its id


async def test_help_fits_80x24_and_scrolls_to_its_end(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py"), size=SMALL) as ui:
        await ui.pilot.press("question_mark")
        await ui.pilot.pause()
        lines = screen_text(ui.app).splitlines()
        assert lines[0].startswith("╭─ graphtui keys") and lines[0].endswith("╮")
        assert lines[-1].startswith("╰") and lines[-1].endswith("╯")     # bottom in view
        assert all(line.startswith("│") and line.endswith("│") for line in lines[1:-1])
        assert "'↑ above'" not in "\n".join(lines)                      # the end is below
        await ui.pilot.press("end")
        await ui.pilot.pause()
        assert "'↑ above': a node already shown above." in words_in_box(screen_text(ui.app))
        await ui.pilot.press("home", "pagedown")
        await ui.pilot.pause()
        assert "Run the next backward node" not in screen_text(ui.app)   # a page further


async def test_every_footer_key_and_status_field_is_on_an_80x24_screen(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py"), size=SMALL) as ui:
        lines = screen_text(ui.app).splitlines()
        footer = "\n".join(lines[-2:])
        for key, words in [("n", "Step"), ("c", "Continue"), ("b", "Break"), ("h", "Mute hook"),
                           ("[", "Back"), ("]", "Fwd"), ("r", "Re-run"), ("/", "Find"),
                           ("?", "Help"), ("^q", "Quit"), ("^p", "palette")]:
            assert f"{key} {words}" in footer, (key, footer)
        top = "\n".join(lines[:2])
        for field in ["lesson2_mul.py on engine", "paused at MulBackward0 (node 1)",
                      "event 10/10", "hooks 0 on / 0 muted", "break: backward"]:
            assert field in top, (field, top)


@pytest.mark.parametrize("size", [SMALL, (140, 40)])
async def test_the_saved_tab_keeps_bytes_and_state_in_view(tmp_path, size):
    async with running(write_lesson(tmp_path, "conv1_backward_hook.py"), size=size) as ui:
        await ui.press("3")
        # The memory summary comes first; the buffers' table is below it (scrolled to).
        ui.screen.query_one("#saved-view").scroll_end(animate=False)
        await ui.pilot.pause()
        lines = [line.split("││")[1] for line in screen_text(ui.app).splitlines() if "││" in line]
        # Each buffer's row keeps its bytes and its state in view (the column header may
        # have scrolled above them at 80x24).
        rows = [line for line in lines if re.search(r"\d (B|KiB) retained", line)]
        assert any("result" in row for row in rows)


def words_in_box(screen: str) -> str:
    """The text inside a bordered box, its lines joined by spaces (wrapping undone)."""
    rows = (line.strip().strip("│").strip() for line in screen.splitlines())
    return " ".join(row for row in rows if row)
