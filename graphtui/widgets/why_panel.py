"""The Why pane (key `w`): the run's findings, one per row; enter or a click on one asks the
screen to show its node (or tensor) at its event."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from graphtui.model import EventNumbers
from graphtui.model.describe import short_paths

if TYPE_CHECKING:
    from graphtui.model.findings import Finding

LOOKING = "looking…"
# Keyed by graphtui.model.findings' ERROR, WARNING and INFO, spelt out: that module is
# imported when the findings are first looked for, not at start-up.
SEVERITY_MARKS = {"error": ("✗", "bold red"), "warning": ("!", "bold yellow"),
                  "info": ("·", "cyan")}


def finding_line(finding: Finding, numbers: EventNumbers | None) -> Text:
    """`✗ ExpBackward0 (made at a.py:19) saved ...  event 23`, its mark coloured by severity."""
    mark, style = SEVERITY_MARKS.get(finding.severity, ("·", ""))
    line = Text()
    line.append(f"{mark} ", style=style)
    line.append(short_paths(finding.text))
    link = []
    if finding.step is not None:
        number = numbers.number(finding.step) if numbers is not None else finding.step + 1
        if number is not None:
            link.append(f"event {number}")
    if finding.node_id is not None:
        link.append(f"node {finding.node_id}")
    if link:
        line.append(f"  {', '.join(link)}", style="dim")
    return line


class WhyPanel(OptionList):
    """The findings as a list; the screen computes them (``show``) only while it is open."""

    DEFAULT_CSS = """
    WhyPanel { height: 1fr; border: none; }
    WhyPanel > .option-list--option { padding: 0 1 0 0; }
    """

    class Picked(Message):
        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.findings: list[Finding] = []
        self.key: tuple | None = None            # what the findings shown were computed for
        self.pending: tuple | None = None        # what findings are being looked for
        self._numbers: EventNumbers | None = None

    def looking(self, key: tuple) -> None:
        """Findings for ``key`` are being looked for: say so above the ones shown."""
        self.pending = key
        self.clear_options()
        self.add_option(Option(Text(LOOKING, style="dim italic"), disabled=True))
        if self.findings:
            self.add_options(Option(finding_line(f, self._numbers), disabled=True)
                             for f in self.findings)

    def show(self, findings: list[Finding], numbers: EventNumbers | None, key: tuple,
             note: str | None = None, failed: bool = False) -> None:
        """List ``findings`` (computed for ``key``), keeping the highlighted row; ``note``
        goes first; ``failed``: they could not be computed (the note says why)."""
        highlighted = self.highlighted
        self.findings, self.key, self.pending = list(findings), key, None
        self._numbers = numbers
        self.clear_options()
        if note:
            self.add_option(Option(Text(note, style="red" if failed else "dim italic"),
                                   disabled=True))
        if failed:
            return
        if not findings:
            self.add_option(Option(Text("No findings: no in-place change of a saved value, "
                                        "no NaN/Inf, no .grad left None, no freed buffer needed "
                                        "again, no hook to report.", style="dim"),
                                   disabled=True))
            return
        self.add_options(Option(finding_line(f, numbers)) for f in findings)
        first = 1 if note else 0
        self.highlighted = min(max(highlighted or first, first), self.option_count - 1)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index - (self.option_count - len(self.findings))
        if 0 <= index < len(self.findings):
            self.post_message(self.Picked(self.findings[index]))

    @property
    def text(self) -> str:
        """Plain text of the rows (for tests)."""
        return "\n".join(str(self.get_option_at_index(i).prompt)
                         for i in range(self.option_count))
