"""The footer rebuilds its key widgets only when the keys it would show change."""
from __future__ import annotations

from pathlib import Path

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from graphtui.widgets.events_log import EventsLog
from graphtui.widgets.graph_tree import GraphTree
from graphtui.widgets.keys_footer import KeysFooter
from tui_support import running

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "seed_05_grad_fn.py"


class Zapper(Widget, can_focus=True):
    BINDINGS = [Binding("z", "zap", "Zap")]


async def test_a_focus_change_keeps_the_keys_and_new_keys_are_shown():
    async with running(SCENARIO, break_on_backward=False) as ui:
        footer = ui.screen.query_one(KeysFooter)
        built = list(footer.query(FooterKey))
        assert any(key.description == "Help" for key in built)
        ui.screen.query_one(EventsLog).focus()
        await ui.pilot.pause()
        ui.screen.query_one(GraphTree).focus()
        await ui.pilot.pause()
        assert list(footer.query(FooterKey)) == built          # the same widgets
        await ui.screen.mount(Zapper())
        ui.screen.query_one(Zapper).focus()
        await ui.pilot.pause()
        await ui.pilot.pause()
        descriptions = [key.description for key in footer.query(FooterKey)]
        assert "Zap" in descriptions and "Help" in descriptions
        ui.screen.query_one(GraphTree).focus()
        await ui.pilot.pause()
        await ui.pilot.pause()
        assert "Zap" not in [key.description for key in footer.query(FooterKey)]
