"""Hooks keyed by what they are, not by their id (ids restart with every run), so a hook
muted in one run is muted again when a re-run registers it."""
from __future__ import annotations

HookKey = tuple   # (kind, target, callable name, how many such hooks came before)


class HookKeys:
    def __init__(self) -> None:
        self._counts: dict[tuple, int] = {}

    def key_of(self, kind: str, target: str, callable_name: str) -> HookKey:
        """The key of the next hook registered with these: call once per registration."""
        target = target.split(":")[0] if ":" in target else target
        base = (kind, target, callable_name)
        count = self._counts.get(base, 0)
        self._counts[base] = count + 1
        return (*base, count)
