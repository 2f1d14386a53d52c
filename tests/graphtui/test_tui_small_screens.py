"""What a person sees at the sizes people use (80x24 up to 200x55): every key, every field
of the status line and every column stays reachable, and the find box shows what is typed
(issue 16, items 1-2)."""
from __future__ import annotations

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
