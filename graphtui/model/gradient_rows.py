"""What the gradients view, the dump and the plots show, as plain data and text. Pure.

- ``table_rows``: the per-parameter table of one iteration, grouped by module in layer order;
- ``layer_flow``: mean and max |grad| per layer (module) in layer order, for the flow chart;
- ``sparkline``: a series squeezed into a few block characters, on a log scale;
- ``LogScale``: positions of positive values on a decade axis.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

from graphtui.model.gradients import Flag, GradientTracker, GradStat, Iteration, Param

BLOCKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class Row:
    """A module's header row (param None) or one parameter's row (stat None: it got no
    gradient in the iteration, and ``missing`` says why)."""
    module: str
    label: str
    param: Param | None = None
    stat: GradStat | None = None
    flag: Flag | None = None
    trend: str = ""
    missing: str = ""


FROZEN = "frozen: requires_grad=False"
NO_GRAD = "no gradient in this backward"
NOT_YET = "no .grad yet"


@dataclass(frozen=True, slots=True)
class LayerFlow:
    name: str                 # the module's label
    mean: float | None        # mean |grad| over the layer's parameters' elements
    max: float | None         # largest |grad| in the layer
    flagged: str | None       # the kind of flag one of its parameters has


def table_rows(tracker: GradientTracker, iteration: Iteration, trend_width: int = 12) -> list[Row]:
    flags = {flag.tensor_id: flag for flag in tracker.flags(iteration)}
    rows: list[Row] = []
    module = None
    for param in tracker.listed(iteration):
        if param.module != module:
            module = param.module
            rows.append(Row(module, tracker.module_label(module)))
        stat = iteration.grads.get(param.tensor_id)
        trend = _trend(tracker, param.tensor_id, trend_width)
        rows.append(Row(module, param.short_name, param, stat, flags.get(param.tensor_id), trend,
                        "" if stat is not None else _missing(param, iteration)))
    return rows


def _missing(param: Param, iteration: Iteration) -> str:
    if not param.requires_grad:
        return FROZEN
    return NO_GRAD if iteration.finished else NOT_YET


# tracker -> (its step, {(tensor id, width): sparkline}). A trend covers every iteration, so
# it is the same for each one shown: moving between iterations draws none of them again.
_trends: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _trend(tracker: GradientTracker, tensor_id: int, width: int) -> str:
    step, drawn = _trends.get(tracker, (None, None))
    if step != tracker.step:
        drawn = {}
        _trends[tracker] = (tracker.step, drawn)
    key = (tensor_id, width)
    trend = drawn.get(key)
    if trend is None:
        trend = drawn[key] = sparkline(tracker.norms(tensor_id), width)
    return trend


def layer_flow(tracker: GradientTracker, iteration: Iteration) -> list[LayerFlow]:
    flags = {flag.tensor_id: flag.kind for flag in tracker.flags(iteration)}
    layers: dict[str, list] = {}
    for param in tracker.layer_order():
        stat = iteration.grads.get(param.tensor_id)
        if stat is not None:
            layers.setdefault(param.module, []).append((param, stat))
    return [_flow(tracker.module_label(module), members, flags)
            for module, members in layers.items()]


def _flow(name: str, members: list, flags: dict) -> LayerFlow:
    total = count = 0.0
    largest = None
    for param, stat in members:
        numel = math.prod(param.shape) or 1
        if stat.abs_mean is not None:
            total += stat.abs_mean * numel
            count += numel
        if stat.min is not None and stat.max is not None:
            top = max(abs(stat.min), abs(stat.max))
            largest = top if largest is None else max(largest, top)
    kinds = [flags[p.tensor_id] for p, _ in members if p.tensor_id in flags]
    return LayerFlow(name, total / count if count else None, largest,
                     kinds[0] if kinds else None)


def sparkline(values: list[float | None], width: int) -> str:
    """The series in at most ``width`` block characters (buckets averaged on a log scale,
    a gap where a bucket has no value), low to high between the series' own extremes."""
    logs = [math.log10(v) if v is not None and v > 0 else None for v in values]
    buckets = _buckets(logs, width)
    known = [b for b in buckets if b is not None]
    if not known:
        return " " * len(buckets)
    low, high = min(known), max(known)
    span = high - low
    return "".join(" " if b is None else
                   BLOCKS[0 if span < 1e-12 else round((b - low) / span * (len(BLOCKS) - 1))]
                   for b in buckets)


def _buckets(values: list, width: int) -> list:
    if len(values) <= width:
        return list(values)
    out = []
    for i in range(width):
        part = [v for v in values[i * len(values) // width:(i + 1) * len(values) // width]
                if v is not None]
        out.append(sum(part) / len(part) if part else None)
    return out


def downsample(points: list[tuple[int, float]], width: int) -> list[tuple[int, float]]:
    """At most ``width`` points: each bucket's mean value at its last x."""
    if len(points) <= width:
        return list(points)
    out = []
    for i in range(width):
        part = points[i * len(points) // width:(i + 1) * len(points) // width]
        out.append((part[-1][0], sum(v for _, v in part) / len(part)))
    return out


class LogScale:
    """Decades from the smallest to the largest positive value given."""

    def __init__(self, values) -> None:
        positive = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
        if not positive:
            self.low, self.high = -1, 0
            return
        self.low = math.floor(math.log10(min(positive)))
        self.high = max(math.ceil(math.log10(max(positive))), self.low + 1)

    @property
    def decades(self) -> list[int]:
        return list(range(self.low, self.high + 1))

    def fraction(self, value: float | None) -> float | None:
        """Where ``value`` sits between the ends, 0..1; None for zero, None or NaN."""
        if value is None or not value > 0 or not math.isfinite(value):
            return None
        return min(1.0, max(0.0, (math.log10(value) - self.low) / (self.high - self.low)))


def number(value: float | None) -> str:
    """A statistic in the table: three significant digits, scientific."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    return f"{value:.2e}"


def shape_text(shape: tuple) -> str:
    return "×".join(str(n) for n in shape) if shape else "scalar"
