"""The top line: scenario, run state, where in history we are, hooks, breaking, and what
the scenario's torch runs on (the backend).

Fields are separated by `·`; when they do not fit the width, the line breaks between two
fields (never inside one), so every field stays readable at 80 columns.
"""
from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


@dataclass(frozen=True)
class StatusInfo:
    scenario: str = ""
    phase: str = "starting"          # starting | running | paused | finished | failed
    node: str | None = None          # the node paused at, or failing
    node_id: int | None = None       # its id (two nodes may share a name)
    event: int = 0                   # the number of the last event shown (the moment)
    total: int = 0                   # events recorded (numbered as the events pane does)
    live: bool = True
    hooks_on: int = 0
    hooks_muted: int = 0
    break_on_backward: bool = True
    error: str | None = None
    pause_pending: bool = False      # p was pressed; the run has not reached an op or node
    first_nan: str | None = None     # the first node whose output or gradient held NaN/Inf
    read_only: bool = False          # a recording: nothing runs, so no break field
    backend: str = ""                # what the scenario's torch is: "engine" or "torch"
    breakpoints: int = 0             # breakpoints set
    paused_why: str | None = None    # what the breakpoint the run is paused at saw
    iteration: int = 0               # the backward pass shown (0: none yet)
    iterations: int = 0              # backward passes recorded so far
    root_value: str | None = None    # "loss 0.1875": the shown pass's root, when a scalar


WHY_CHARS = 64            # a breakpoint's detail; whole in the events pane
ERROR_CHARS = 40          # the rest of the line (step, hooks) stays in view; whole in Node tab
SEPARATOR = " · "

PHASE_STYLES = {
    "starting": "$text-muted",
    "running": "$success",
    "paused": "$warning",
    "finished": "$primary",
    "failed": "$error",
}


def short(text: str, limit: int = ERROR_CHARS) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def status_fields(info: StatusInfo) -> list[Content]:
    """The status line's fields, in order."""
    scenario = Content.from_markup("[b]$scenario[/]", scenario=info.scenario or "—")
    if info.backend:        # "on engine" / "on torch": what the scenario's torch runs on
        scenario += Content.from_markup(" [dim]on $backend[/]", backend=info.backend)
    fields = [scenario, _phase(info)]
    if info.first_nan:
        fields.append(Content.from_markup("[b magenta]⚠ NaN/Inf first at $nan[/]",
                                          nan=info.first_nan))
    if info.iteration:
        fields.append(Content.from_markup(
            "[b]backward $n of $total[/]" + (" [i]$value[/]" if info.root_value else ""),
            n=str(info.iteration), total=str(info.iterations), value=info.root_value or ""))
    position = "event $event/$total" if info.live else "[reverse b]history $event/$total[/]"
    fields.append(Content.from_markup(position, event=str(info.event), total=str(info.total)))
    fields.append(Content.from_markup("hooks $on on / $muted muted", on=str(info.hooks_on),
                                      muted=str(info.hooks_muted)))
    if not info.read_only:
        fields.append(Content.from_markup(
            "[dim]break: $brk[/]", brk="backward" if info.break_on_backward else "never"))
        if info.breakpoints:
            fields.append(Content.from_markup("[b]$n breakpoint$s[/]", n=str(info.breakpoints),
                                              s="" if info.breakpoints == 1 else "s"))
    return fields


def lay_out(fields: list[Content], width: int) -> Content:
    """The fields joined by `·`, a line break between two fields where one would not fit."""
    lines: list[Content] = []
    line = Content("")
    for field in fields:
        if line.cell_length and line.cell_length + len(SEPARATOR) + field.cell_length > width:
            lines.append(line)
            line = field
        else:
            line = line + SEPARATOR + field if line.cell_length else field
    lines.append(line)
    return Content("\n").join(lines)


def _phase(info: StatusInfo) -> Content:
    style = PHASE_STYLES.get(info.phase, "")
    node = info.node or ""
    if info.node_id is not None:
        node += f" (node {info.node_id})"
    if info.phase == "paused" and info.paused_why:
        return Content.from_markup(f"[b {style}]paused:[/] [b]$why[/]",
                                   why=short(info.paused_why, WHY_CHARS))
    if info.phase == "paused" and info.node:
        return Content.from_markup(f"[b {style}]paused[/] at [b]$node[/]", node=node)
    if info.phase == "failed" and info.error:
        return Content.from_markup(f"[b {style}]failed[/] [{style}]$error[/]",
                                   error=short(info.error))
    if info.phase == "running" and info.pause_pending:
        # Plain Python code records nothing: the pause waits, and says so.
        return Content.from_markup(f"[b {style}]running[/] [b $warning]pause requested: "
                                   "waits for the next engine op[/]")
    return Content.from_markup(f"[b {style}]{info.phase}[/]")


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: auto; background: $panel; color: $foreground; padding: 0 1; }
    """

    info: reactive[StatusInfo] = reactive(StatusInfo, layout=False)

    def render(self) -> Content:
        return lay_out(status_fields(self.info), self.content_region.width or 10_000)

    def watch_info(self) -> None:
        # A new layout costs the whole screen: only when the line count changes.
        width = self.content_region.width
        if width and self.get_content_height(None, None, width) != self.content_region.height:
            self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(lay_out(status_fields(self.info), width).split("\n"))
