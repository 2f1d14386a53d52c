"""The Inspector: tabs Node | Tensor | Saved | Hooks for the selected item, at the moment shown."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from graphtui.model import EventNumbers, State
from graphtui.widgets.hooks_view import HooksView
from graphtui.widgets.node_view import NodeView
from graphtui.widgets.saved_view import SavedView
from graphtui.widgets.selection import Selection
from graphtui.widgets.tensor_view import TensorView

TABS = ("node", "tensor", "saved", "hooks")


class Inspector(Widget):
    DEFAULT_CSS = """
    Inspector { height: 1fr; }
    Inspector TabbedContent { height: 1fr; }
    Inspector ContentSwitcher { height: 1fr; }
    Inspector TabPane { padding: 0; height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._state: State | None = None
        self._stale: set[str] = set()
        self._numbers: EventNumbers | None = None
        self.selection = Selection()

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="node"):
            with TabPane("Node", id="node"):
                yield NodeView(id="node-view")
            with TabPane("Tensor", id="tensor"):
                yield TensorView(id="tensor-view")
            with TabPane("Saved", id="saved"):
                yield SavedView(id="saved-view")
            with TabPane("Hooks", id="hooks"):
                yield HooksView(id="hooks-view")

    def show(self, state: State, selection: Selection, numbers: EventNumbers | None = None
             ) -> None:
        """Render the visible tab now; the others when they are opened (see below).
        ``numbers``: the events' numbers, for the views that name an event."""
        self._state, self.selection, self._numbers = state, selection, numbers
        self._stale = set(TABS)
        self._render_tab(self.active_tab)

    def is_showing(self, state: State, selection: Selection) -> bool:
        """Whether the visible tab shows this selection in this state (states are frozen)."""
        return (state is self._state and selection == self.selection
                and self.active_tab not in self._stale)

    def _render_tab(self, tab: str) -> None:
        if self._state is None or tab not in self._stale:
            return
        self._stale.discard(tab)
        self.query_one(f"#{tab}-view").show(self._state, self.selection, self._numbers)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._render_tab(event.pane.id or "")

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    @active_tab.setter
    def active_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @property
    def selected_hook_id(self) -> int | None:
        return self.query_one(HooksView).selected_hook_id

    def text(self, tab: str) -> str:
        """Plain text of one tab's view (for tests)."""
        self._render_tab(tab)
        return self.query_one(f"#{tab}-view").text
