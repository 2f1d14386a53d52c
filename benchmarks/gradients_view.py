"""The gradients view (key G) on long training loops: how long each key takes to show.

Two loops run to their end in the debugger (no breaks), then the view is opened and driven:
- mlp: a 3-layer MLP (20-64-64-10, ReLU, CrossEntropyLoss, SGD with momentum), batch 32,
  500 steps (written to a temporary file by this benchmark);
- cnn: benchmarks/training_loop.py's SimpleNet-sized CNN, batch 32, 200 steps.
Timed, as a person waits for it: from the key posted as the terminal driver would, until
the view shows the result and the screen has painted it (``frames.until_painted``; the
UI thread's CPU time over the same span is printed too, the better guide on a loaded
machine): G the first time, escape, G again (only new events), right / left (another
iteration: table, flow chart), 2 and 3 (flow and loss tabs). Before the first G the
benchmark waits ``--think`` seconds after the run's end is on the screen, as a person reads
it before pressing a key: the debugger makes the view then, unseen (screens/unseen.py).
``--think 0`` presses G in the same millisecond as the end's frame: the worst case, where
the key waits for the view being made.
Target (issue 15): every key <= 50 ms. Medians over --repeats rounds of the keys in one run.

Usage: PYTHONPATH=. python benchmarks/gradients_view.py [--repeats 5] [--only mlp|cnn]
       [--think 0.5]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

from textual import events

from graphtui.app import GraphtuiApp
from graphtui.screens.gradients import GradientsScreen
from graphtui.screens.main import MainScreen
from graphtui.session import Session

from frames import Frames, until_painted   # benchmarks/ is sys.path[0] when run as a script

HERE = Path(__file__).resolve().parent
TARGET = 0.05

MLP = """
import engine as torch
import engine.nn as nn
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                    nn.Linear(64, 10))
optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for step in range(500):
    x, y = torch.randn(32, 20), torch.randint(0, 10, (32,))
    optimizer.zero_grad()
    loss = loss_fn(net(x), y)
    loss.backward()
    optimizer.step()
"""


def press(app, key: str) -> None:
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


UI_CPU: dict[str, list[float]] = {}     # CPU seconds of the UI thread per key


def view(app):
    screen = app.screen
    return screen if isinstance(screen, GradientsScreen) and screen.shown else None


async def drive(path: Path, args: list[str], repeats: int, think: float
                ) -> tuple[dict, int, int]:
    times: dict[str, list[float]] = {}
    session = Session(path, args, break_on_backward=False)
    app = GraphtuiApp(session, animations=False)

    async def timed(name, key, condition):
        press(app, key)
        seconds, cpu = await until_painted(frames, condition)
        times.setdefault(name, []).append(seconds)
        UI_CPU.setdefault(name, []).append(cpu)

    try:
        async with app.run_test(size=(120, 36)):
            frames = Frames(app)
            await until_painted(frames, lambda: session.is_finished and app.main.state
                                is not None and app.main.state.step >= len(session.log),
                                timeout=1800)
            await asyncio.sleep(think)
            first = True
            for _ in range(repeats):
                await timed("G (first)" if first else "G (again)", "G", lambda: view(app))
                first = False
                screen = view(app)
                last = screen.shown[0]
                await timed("left", "left", lambda: screen.shown[0] == last - 1)
                await timed("right", "right", lambda: screen.shown[0] == last)
                for key, tab in (("2", "grad-flow"), ("3", "grad-loss"), ("1", "grad-table")):
                    await timed(f"tab {key}", key, lambda: screen.shown[1] == tab)
                await timed("escape", "escape", lambda: isinstance(app.screen, MainScreen))
            iterations = len(screen.tracker.iterations)
    finally:
        session.stop()
    return times, iterations, len(session.log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=("mlp", "cnn"))
    parser.add_argument("--think", type=float, default=0.5,
                        help="seconds between the run's end shown and the first G")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mlp = Path(tmp) / "mlp_500.py"
        mlp.write_text(MLP, encoding="utf-8")
        loops = {"mlp": (mlp, []),
                 "cnn": (HERE / "training_loop.py", ["--scenario", "--steps", "200"])}
        for name, (path, args) in loops.items():
            if options.only and name != options.only:
                continue
            times, iterations, events_count = asyncio.run(drive(path, args, options.repeats,
                                                                options.think))
            print(f"{name}: {iterations} iterations, {events_count:,} events; load average "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            for key, samples in times.items():
                median = statistics.median(samples)
                cpu = statistics.median(UI_CPU[key])
                verdict = "ok" if median <= TARGET else "MISSED"
                print(f"  {key:<10} median {median * 1000:7.1f} ms   worst "
                      f"{max(samples) * 1000:7.1f} ms   UI thread CPU {cpu * 1000:6.1f} ms   "
                      f"target {TARGET * 1000:g} ms  {verdict}")
            UI_CPU.clear()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
