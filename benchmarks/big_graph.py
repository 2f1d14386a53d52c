"""Big graphs in the debugger: scenarios/long_chain.py (10,000 MulBackward0 in a chain).

Measures, as medians of several runs (wall time: this is what a person waits for):
- record: the whole run under the recorder, no UI, until the live state is built;
- first graph: a headless TUI (App.run_test) from launch until the graph pane shows rows
  (what the forward recorded so far);
- first frame: from launch until the screen shows the graph paused at the first backward
  node (so the whole forward, 10,000 ops, is recorded meanwhile);
- step: `n` until the screen shows the run paused at the next node;
- tree move: cursor down one row, and folding / unfolding a row (space), until the tree
  shows it.
Keys are posted as the terminal driver would, without Pilot's wait-for-idle.
Targets (issue 6): record <= 2 s, first graph and first frame <= 2 s, step or tree move
<= 50 ms.

Usage: python benchmarks/big_graph.py [--repeats R] [--moves M]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from pathlib import Path

from textual import events

from graphtui.app import GraphtuiApp
from graphtui.session import Session
from graphtui.widgets.graph_tree import GraphTree

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "long_chain.py"
TARGETS = {"record": 2.0, "first graph": 2.0, "first frame": 2.0, "step": 0.05,
           "cursor down": 0.05, "fold/unfold": 0.05}


RECORD_CPU: list[float] = []         # the process's CPU seconds per record (less noisy)


def record_once() -> float:
    cpu = time.process_time()
    started = time.perf_counter()
    session = Session(SCENARIO, break_on_backward=False)
    session.start()
    session.wait_until_finished(120)
    state = session.state()
    took = time.perf_counter() - started
    RECORD_CPU.append(time.process_time() - cpu)
    assert state.run_state == "finished" and len(state.nodes) > 10_000, state.run_state
    session.stop()
    return took


async def until(condition, timeout: float = 60.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the screen never showed it")
        await asyncio.sleep(0.0005)
    return time.perf_counter() - started


def press(app, key: str) -> None:
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


async def tui_once(moves: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in TARGETS if name != "record"}
    started = time.perf_counter()
    session = Session(SCENARIO, break_on_backward=True)
    app = GraphtuiApp(session, animations=False)
    try:
        async with app.run_test(size=(120, 36)):
            screen = app.main
            tree = screen.query_one(GraphTree)
            await until(lambda: tree.last_line >= 0)
            times["first graph"].append(time.perf_counter() - started)
            await until(lambda: screen.state is not None and screen.state.paused_at is not None
                        and tree.cursor_node is not None and tree.last_line > 0)
            times["first frame"].append(time.perf_counter() - started)
            for _ in range(moves):
                at = screen.state.paused_at
                press(app, "n")
                times["step"].append(await until(
                    lambda: screen.state.paused_at not in (None, at)
                    and tree.entry is not None and tree.entry.node_id == screen.state.paused_at))
            tree.focus()
            await until(lambda: tree.has_focus)
            press(app, "home")
            await until(lambda: tree.cursor_line == 0)
            for _ in range(moves):
                node = tree.cursor_node
                for _ in range(2 if node.allow_expand else 0):   # fold, unfold (or back)
                    was = node.is_expanded
                    press(app, "space")
                    times["fold/unfold"].append(await until(lambda: node.is_expanded != was))
                line = tree.cursor_line
                press(app, "down")
                times["cursor down"].append(await until(lambda: tree.cursor_line == line + 1))
    finally:
        session.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--moves", type=int, default=10)
    options = parser.parse_args()

    record_once()                                  # warm-up: imports, Numba caches
    results: dict[str, list[float]] = {"record": [record_once() for _ in range(options.repeats)]}
    for _ in range(options.repeats):
        for name, samples in asyncio.run(tui_once(options.moves)).items():
            results.setdefault(name, []).extend(samples)

    print(f"{SCENARIO.name}: medians of {options.repeats} runs "
          f"({options.moves} steps / moves per run); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  record CPU   median {statistics.median(RECORD_CPU[1:]):8.1f} s   (this process, "
          "all threads; wall time above waits for a shared CPU too)")
    for name, samples in results.items():
        median, worst = statistics.median(samples), max(samples)
        unit, scale = ("s", 1) if TARGETS[name] >= 1 else ("ms", 1000)
        verdict = "ok" if median <= TARGETS[name] else "MISSED"
        print(f"  {name:<12} median {median * scale:8.1f} {unit}   worst {worst * scale:8.1f} "
              f"{unit}   target {TARGETS[name] * scale:g} {unit}  {verdict}")


if __name__ == "__main__":
    main()
