"""The events pane from the keyboard: a cursor and enter, jumps by number and to the next
landmark, filters that show what they are called, and numbers that agree with dump
(issue 16 items 4 and 10)."""
from __future__ import annotations

import io

from graphtui.dump import write_state
from graphtui.session import Session
from graphtui.widgets.events_log import EventsLog
from graphtui.widgets.events_pane import EventsPane
from tui_support import reset_engine_ids, running, write_lesson


def numbered(lines: list[str]) -> dict[int, str]:
    """{number: text} of the numbered lines (the debugger's own events have a dot)."""
    out = {}
    for line in lines:
        head, _, text = line.strip().partition(" ")
        if head.isdigit():
            out[int(head)] = text.strip()
    return out


async def test_the_arrows_and_enter_pick_an_event(tmp_path):
    async with running(write_lesson(tmp_path, "lesson2_mul.py"), break_on_backward=False) as ui:
        timeline = ui.screen.query_one(EventsLog)
        timeline.focus()
        await ui.pilot.press("up", "up", "enter")
        await ui.pilot.pause()
        last = len(ui.session.log) - 1
        assert timeline.cursor_event == last - 2
        assert ui.screen.moment == last - 1             # the state just after that event
        number = ui.screen.numbers.number(last - 2)
        assert f"history {number}/" in ui.status()
        await ui.pilot.press("home", "enter")
        await ui.pilot.pause()
        assert ui.screen.moment == 1 and "history 1/" in ui.status()


async def test_t_goes_to_an_event_by_its_number(tmp_path):
    async with running(write_lesson(tmp_path, "lesson5_retain.py"), break_on_backward=False) as ui:
        await ui.pilot.press("t", "1", "2", "enter")
        await ui.pilot.pause()
        assert "history 12/" in ui.status()
        moment_line = ui.screen.query_one(EventsLog).moment_text().plain
        assert moment_line.split()[0] == "12"


async def test_braces_jump_between_backward_passes_and_to_the_error(tmp_path):
    async with running(write_lesson(tmp_path, "lesson4_twice.py"), break_on_backward=False) as ui:
        await ui.press("t")
        await ui.pilot.press("1", "enter")
        await ui.pilot.pause()
        stops = []
        for _ in range(4):
            await ui.pilot.press("right_curly_bracket")
            await ui.pilot.pause()
            stops.append(ui.screen.query_one(EventsLog).moment_text().plain.split(None, 2)[2])
        assert stops == ["backward started from y", "backward finished",
                         "backward started from y", stops[3]]
        assert stops[3].startswith("RuntimeError: Trying to backward through the graph")
        await ui.pilot.press("left_curly_bracket")
        await ui.pilot.pause()
        assert ui.screen.query_one(EventsLog).moment_text().plain.endswith("started from y")


async def test_filters_show_what_their_names_say(tmp_path):
    async with running(write_lesson(tmp_path, "tensor_hook.py"), break_on_backward=False) as ui:
        pane = ui.screen.query_one(EventsPane)
        shown = {}
        for key in ("backward", "hooks", "graph"):
            pane.filter = key
            await ui.pilot.pause()
            shown[key] = ui.events()
        assert any("MulBackward0 receives" in line for line in shown["backward"])
        assert not any("receives" in line or "produced" in line for line in shown["graph"])
        assert any("MulBackward0 recorded" in line for line in shown["graph"])
        assert shown["hooks"] and all(line.split()[1] == "hook" for line in shown["hooks"])


async def test_a_stepped_run_numbers_its_events_as_dump_does(tmp_path):
    path = write_lesson(tmp_path, "lesson4_twice.py")
    async with running(path) as ui:                    # breaks, then steps: pauses logged
        await ui.press("n", "n", "c", "n", "c")
        assert ui.session.is_finished
        tui = numbered(ui.events())
        assert any(" gate " in line and line.split()[0] == "·" for line in ui.events())
    reset_engine_ids()
    session = Session(path, break_on_backward=False)
    session.start()
    assert session.wait_until_finished(60)
    out = io.StringIO()
    write_state(session.log, session.state(), out)
    events = out.getvalue().split("== graph")[0].splitlines()[1:]
    dump = numbered(events)
    assert len(dump) == len(tui) > 20
    for number, text in dump.items():
        assert tui[number].split(None, 1)[1] == text, number     # after the kind column


async def test_a_grad_accumulation_shows_what_was_added_and_the_new_total(tmp_path):
    async with running(write_lesson(tmp_path, "lesson5_retain.py"), break_on_backward=False) as ui:
        lines = [line for line in ui.events() if "x.grad" in line]
        assert lines[0].endswith("x.grad = [2] float32 [300, 0.3]")
        assert lines[1].endswith("x.grad += [300, 0.3], now [2] float32 [600, 0.6]")
        await ui.find("tensor x")
        await ui.press("2")
        history = ui.inspector("tensor").split(".grad history")[1]
        assert "event 23 .grad += [300.0000, 0.3000]  now [600.0000, 0.6000]" in history
