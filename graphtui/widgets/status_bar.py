"""The top line: scenario, run state, where in history we are, hooks."""
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
    step: int = 0                    # events shown (the moment)
    total: int = 0                   # events recorded
    live: bool = True
    hooks_on: int = 0
    hooks_muted: int = 0
    break_on_backward: bool = True
    error: str | None = None
    pause_pending: bool = False      # p was pressed; the run has not reached an op or node
    first_nan: str | None = None     # the first node whose output or gradient held NaN/Inf


ERROR_CHARS = 40          # the rest of the line (step, hooks) stays in view; whole in Node tab

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


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    info: reactive[StatusInfo] = reactive(StatusInfo, layout=False)

    def render(self) -> Content:
        info = self.info
        return Content.from_markup(
            "[b]$scenario[/] · " + self._phase_markup(info)
            + (" · [b magenta]⚠ NaN/Inf first at $nan[/]" if info.first_nan else "")
            + " · " + self._step_markup(info)
            + " · hooks $on on / $muted muted · [dim]break: $brk[/]",
            scenario=info.scenario or "—", node=info.node or "", error=short(info.error or ""),
            step=str(info.step), total=str(info.total), on=str(info.hooks_on),
            muted=str(info.hooks_muted), nan=info.first_nan or "",
            brk="backward" if info.break_on_backward else "never",
        )

    @staticmethod
    def _phase_markup(info: StatusInfo) -> str:
        style = PHASE_STYLES.get(info.phase, "")
        if info.phase == "paused" and info.node:
            return f"[b {style}]paused[/] at [b]$node[/]"
        if info.phase == "failed" and info.error:
            return f"[b {style}]failed[/] [{style}]$error[/]"
        if info.phase == "running" and info.pause_pending:
            # Plain Python code records nothing: the pause waits, and says so.
            return (f"[b {style}]running[/] [b $warning]pause requested: waits for the next "
                    "engine op[/]")
        return f"[b {style}]{info.phase}[/]"

    @staticmethod
    def _step_markup(info: StatusInfo) -> str:
        if info.live:
            return "step $step/$total"
        return "[reverse b]history $step/$total[/]"
