"""The gradients in ``graphtui dump``: the per-parameter table of the last iteration as text,
and every iteration's statistics as JSON (the ``gradients`` key of ``dump --json``'s header)."""
from __future__ import annotations

import math
from typing import TextIO

from graphtui.model.gradient_rows import number, shape_text, table_rows
from graphtui.model.gradients import (
    EXPLODING_NORM, THRESHOLDS, VANISHING_DROP, VANISHING_NORM, GradientTracker, Iteration,
)

TREND_WIDTH = 16
COLUMNS = ("parameter", "shape", "‖g‖", "min", "max", "mean|g|", "NaN/Inf", "upd/w",
           "‖g‖ over iterations", "flag")


def findings_line(tracker: GradientTracker) -> str:
    """Which iterations are flagged and how, e.g. "vanishing gradients in backward 1
    (0.weight ‖g‖ 1.2e-09 < 1e-07)"; "none" when nothing is."""
    parts = [f"{f.kind} gradients in backward {_ranges(list(f.iterations))} ({f.example})"
             for f in tracker.findings()]
    return "; ".join(parts) or "none"


def _ranges(numbers: list[int], limit: int = 6) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    more = len(numbers) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def iteration_title(tracker: GradientTracker, iteration: Iteration) -> str:
    last = tracker.iterations[-1].number
    loss = "" if iteration.loss is None else f", loss {iteration.loss:.6g}"
    return f"backward {iteration.number} of {last}{loss}"


def write_gradients(tracker: GradientTracker, out: TextIO) -> None:
    """The per-parameter table of the last iteration that wrote gradients."""
    iteration = next((it for it in reversed(tracker.iterations) if it.grads), None)
    if iteration is None:
        return
    out.write(f"== gradients: {iteration_title(tracker, iteration)}\n")
    out.write(f"findings: {findings_line(tracker)}\n")
    for note in tracker.notes():
        out.write(f"note: {note.text}\n")
    out.write(f"thresholds: {THRESHOLDS}\n")
    rows = [COLUMNS]
    for row in table_rows(tracker, iteration, TREND_WIDTH):
        if row.param is None:
            rows.append((row.label,) + ("",) * (len(COLUMNS) - 1))
            continue
        stat = row.stat
        if stat is None:                  # frozen, or no gradient in this backward
            rows.append(("  " + row.label, shape_text(row.param.shape), "—", "", "", "", "",
                         "", row.trend, row.missing))
            continue
        bad = stat.nan + stat.inf
        flag = f"{row.flag.kind}: {row.flag.reason}" if row.flag else ""
        rows.append(("  " + row.label, shape_text(row.param.shape), number(stat.norm),
                     number(stat.min), number(stat.max), number(stat.abs_mean),
                     f"{stat.nan}/{stat.inf}" if bad else "0",
                     number(stat.update_ratio), row.trend, flag))
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS) - 1)]
    for r in rows:
        cells = [cell.ljust(width) for cell, width in zip(r, widths)] + [r[-1]]
        out.write("  ".join(cells).rstrip() + "\n")
    if tracker.thinned:
        out.write(f"(older iterations were thinned to keep at most "
                  f"{len(tracker.iterations)}; the series show those kept)\n")


def gradients_json(tracker: GradientTracker) -> dict:
    """Every iteration kept: the root's value, each parameter's statistics, the flags."""
    params = tracker.layer_order()
    return {
        "thresholds": {"vanishing_norm": VANISHING_NORM, "vanishing_drop": VANISHING_DROP,
                       "exploding_norm": EXPLODING_NORM},
        "parameters": [{"tensor_id": p.tensor_id, "name": p.name, "module": p.module,
                        "shape": list(p.shape), "requires_grad": p.requires_grad}
                       for p in params],
        "thinned": tracker.thinned,
        "notes": [{"parameter": n.name, "cancelled_by": n.norm_module, "text": n.text}
                  for n in tracker.notes()],
        "iterations": [_iteration_json(tracker, it) for it in tracker.iterations],
    }


def _iteration_json(tracker: GradientTracker, iteration: Iteration) -> dict:
    names = {p.tensor_id: p.name for p in tracker.params.values()}
    return {
        "number": iteration.number,
        "loss": _finite(iteration.loss),
        "grads": {names[tid]: {"norm": _finite(s.norm), "min": _finite(s.min),
                               "max": _finite(s.max), "abs_mean": _finite(s.abs_mean),
                               "nan": s.nan, "inf": s.inf,
                               "update_ratio": _finite(s.update_ratio)}
                  for tid, s in iteration.grads.items() if tid in names},
        "flags": [{"kind": f.kind, "parameter": names.get(f.tensor_id), "reason": f.reason}
                  for f in tracker.flags(iteration)],
    }


def _finite(value: float | None) -> float | None:
    # JSON has no NaN or Infinity: a statistic that overflowed reads as unknown.
    return value if value is not None and math.isfinite(value) else None
