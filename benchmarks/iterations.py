"""Switching iterations in the TUI on long training loops: `<` / `>` key to screen.

Two loops, each run to its end in a headless TUI (App.run_test, 120x36), then the keys:
- mlp: a 2-16-1 MLP (Linear, Tanh, Linear), MSELoss, SGD, 500 steps (500 backward passes);
- cnn: the tutorial's SimpleNet-sized CNN (conv 1->10 k5, pool, conv 10->20 k5, pool, fc
  320->50, ReLU, fc 50->10), CrossEntropyLoss, SGD, batch 8, 200 steps.
From the end, `<` is pressed ``--moves`` times (each shows the previous backward pass: its
graph, status line, inspector and events), then `>` back to the last pass. A key's time runs from
posting it (as the terminal driver would, without Pilot's wait-for-idle) until the screen's
state is the pass asked for, the graph pane's header row names it and the screen has
painted it (``frames.until_painted``). Target (issue 15):
at most 50 ms per key. The UI thread's CPU time over the same span is printed too: on a
loaded machine the wall time mostly measures the wait for a core.

Usage: python benchmarks/iterations.py [--repeats R] [--moves M] [--loops mlp,cnn]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import textwrap
from pathlib import Path

from graphtui.app import GraphtuiApp
from graphtui.model import ITERATION
from graphtui.session import Session
from graphtui.widgets.graph_tree import GraphTree

from big_graph import press, until        # benchmarks/ is sys.path[0] when run as a script
from frames import Frames, until_painted

TARGET = 0.05

LOOPS = {
    "mlp": (500, """
        import engine as torch
        import engine.nn as nn
        torch.manual_seed(0)
        X = torch.randn(64, 2)
        y = (X[:, 0] - 2 * X[:, 1]).unsqueeze(1)
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for step in range(STEPS):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X), y)
            loss.backward()
            optimizer.step()
    """),
    "cnn": (200, """
        import engine as torch
        import engine.nn as nn
        import engine.nn.functional as F
        torch.manual_seed(0)
        class CNN(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 10, 5)
                self.conv2 = nn.Conv2d(10, 20, 5)
                self.fc1 = nn.Linear(320, 50)
                self.fc2 = nn.Linear(50, 10)
            def forward(self, x):
                x = F.max_pool2d(self.conv1(x), 2)
                x = F.max_pool2d(self.conv2(x), 2)
                return self.fc2(F.relu(self.fc1(x.view(-1, 320))))
        net = CNN()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        for step in range(STEPS):
            images, labels = torch.randn(8, 1, 28, 28), torch.randint(0, 10, (8,))
            optimizer.zero_grad()
            loss = loss_fn(net(images), labels)
            loss.backward()
            optimizer.step()
    """),
}


def shows(screen, tree: GraphTree, number: int) -> bool:
    state = screen.state
    if state is None or state.iterations.current is None:
        return False
    if state.iterations.current.number != number:
        return False
    return any(node.data is not None and node.data.kind == ITERATION
               and node.data.key == (f"i{number}",)
               and str(node.label).startswith(f"backward {number}")
               for node in tree.root.children)


async def keys_once(path: Path, steps: int, moves: int
                    ) -> tuple[list[float], list[float], int]:
    session = Session(path, break_on_backward=False)
    app = GraphtuiApp(session, animations=False)
    times: list[float] = []
    cpu: list[float] = []                  # the UI thread's CPU seconds per key
    try:
        async with app.run_test(size=(120, 36)):
            screen = app.main
            tree = screen.query_one(GraphTree)
            await until(lambda: session.is_finished and screen.state is not None
                        and screen.state.step >= len(session.log) - 1
                        and shows(screen, tree, steps), timeout=600.0)
            events_recorded = len(session.log)
            # Live after the end, the first `<` shows the last pass's end; then one pass
            # back per key, and forward again to the last.
            back = [("less_than_sign", steps - k) for k in range(moves)]
            forward = [("greater_than_sign", steps - k) for k in reversed(range(moves - 1))]
            frames = Frames(app)
            for key, number in back + forward:
                press(app, key)
                seconds, cpu_seconds = await until_painted(
                    frames, lambda: shows(screen, tree, number))
                times.append(seconds)
                cpu.append(cpu_seconds)
    finally:
        session.stop()
    return times, cpu, events_recorded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--loops", default="mlp,cnn")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for name in options.loops.split(","):
            steps, source = LOOPS[name]
            path = Path(directory) / f"{name}_loop.py"
            path.write_text(textwrap.dedent(source).replace("STEPS", str(steps)))
            samples: list[float] = []
            cpu: list[float] = []
            for _ in range(options.repeats):
                times, cpu_times, recorded = asyncio.run(keys_once(path, steps, options.moves))
                samples += times
                cpu += cpu_times
            median, worst = statistics.median(samples), max(samples)
            verdict = "ok" if median <= TARGET else "MISSED"
            print(f"{name}: {steps} iterations, {recorded:,} events; {len(samples)} keys "
                  f"(< then >) over {options.repeats} runs; load average "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            print(f"  switch iteration  median {median * 1000:7.1f} ms   worst "
                  f"{worst * 1000:7.1f} ms   UI thread CPU {statistics.median(cpu) * 1000:6.1f} ms"
                  f"   target {TARGET * 1000:g} ms  {verdict}")


if __name__ == "__main__":
    main()
