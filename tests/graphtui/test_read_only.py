"""`graphtui open`: a recording has nothing to run, so the keys that drive a run are not
offered — not in the footer, the help, the palette — and pressing them does nothing
(issue 16 item 6)."""
from __future__ import annotations

from graphtui.app import GraphtuiApp
from graphtui.headless import settle
from graphtui.replay import ReplaySession
from graphtui.session import Session
from tui_support import reset_engine_ids, screen_text, write_lesson

LIVE_KEYS = ["n Step", "c Continue", "p Pause", "b Break", "h Mute hook", "r Re-run"]


def recorded(tmp_path) -> ReplaySession:
    reset_engine_ids()
    live = Session(write_lesson(tmp_path, "lesson2_mul.py"), break_on_backward=False)
    live.start()
    assert live.wait_until_finished(60)
    return ReplaySession(list(live.log), tmp_path / "lesson2_mul.jsonl")


async def test_a_recording_offers_only_the_keys_that_work_there(tmp_path):
    replay = recorded(tmp_path)
    app = GraphtuiApp(replay, animations=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, replay)
        screen = screen_text(app)
        footer = screen.splitlines()[-1]
        assert not [key for key in LIVE_KEYS if key in footer], footer
        assert all(key in footer for key in ("/ Find", "? Help", "[ Back", "j Current"))
        assert "break:" not in screen.splitlines()[0]               # nothing runs to break
        titles = [command.title for command in app.get_system_commands(app.main)]
        assert not [t for t in titles if t.endswith(("(n)", "(c)", "(p)", "(b)", "(h)", "(r)"))]
        assert any(t.endswith("(/)") for t in titles)

        for key in ("r", "b", "n"):
            await pilot.press(key)
        await pilot.pause()
        assert not list(app._notifications)                        # no "Re-running ..."

        await pilot.press("question_mark")
        await pilot.pause()
        help_text = screen_text(app)
        assert "(a recording: read-only)" in help_text
        assert "Run the scenario again" not in help_text
        assert "Run the next backward node" not in help_text
        assert "Jump to a grad_fn node" in help_text
