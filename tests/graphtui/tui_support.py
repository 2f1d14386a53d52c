"""Shared by the TUI tests (test_app*, test_snap*): the tutorial's lessons as scenario
files, id resets for deterministic screens, and helpers that drive the app like a person."""
from __future__ import annotations

import textwrap
from contextlib import asynccontextmanager
from pathlib import Path

from graphtui.app import GraphtuiApp
from graphtui.headless import press_and_settle, settle
from graphtui.session import Session

SIZE = (120, 36)

LESSONS = {
    # Lesson 2: the gradient argument flows into MulBackward0, then AccumulateGrad of x.
    "lesson2_mul.py": """
        import engine as torch
        torch.manual_seed(0)
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        y.backward(torch.tensor([100, 0.1]))
        print(x.grad)
    """,
    # Lesson 4: backward twice without retain_graph fails on MulBackward0's freed buffers.
    "lesson4_twice.py": """
        import engine as torch
        torch.manual_seed(0)
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        gradients = torch.tensor([100, 0.1], dtype=torch.float)
        y.backward(gradients)
        print(x.grad)
        y.backward(gradients)
    """,
    # Lesson 5: retain_graph=True keeps the buffers; x.grad accumulates to [600, 0.6].
    "lesson5_retain.py": """
        import engine as torch
        torch.manual_seed(0)
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        gradients = torch.tensor([100, 0.1], dtype=torch.float)
        y.backward(gradients, retain_graph=True)
        print(x.grad)
        y.backward(gradients)
        print(x.grad)
    """,
    # A tensor hook that prints what it sees (muted, it is skipped and logged as muted).
    "tensor_hook.py": """
        import engine as torch
        torch.manual_seed(0)
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        def print_grad(grad):
            print("hook saw", grad)
        handle = y.register_hook(print_grad)
        y.backward(torch.tensor([100, 0.1]))
        print(x.grad)
    """,
    # Lesson 6: three ops on one leaf, no backward: the graph as recorded.
    "lesson6_ops.py": """
        import engine as torch
        torch.manual_seed(0)
        x = torch.randn(2, requires_grad=True)
        y = x * 3
        w = x + y
        z = w / 2
        loss = (z * z).sum()
        print(w.grad_fn, y.grad_fn, z.grad_fn)
        loss.backward()
        print(x.grad)
    """,
    # Lesson 9 in small: a legacy backward hook on conv1 fires at ConvolutionBackward0.
    "conv1_backward_hook.py": """
        import engine as torch
        import engine.nn as nn
        torch.manual_seed(0)
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 2, kernel_size=3)
            def forward(self, x):
                return torch.relu(self.conv1(x))
        net = Net()
        def hook_grad(module, grad_input, grad_output):
            print("grad_input len:", len(grad_input), "grad_output len:", len(grad_output))
        handle = net.conv1.register_backward_hook(hook_grad)
        image = torch.randn(1, 1, 6, 6)
        net(image).sum().backward()
    """,
    # Scale: a 10,000-node chain; the graph pane must open lazily and stay fast.
    "chain_10k.py": """
        import engine as torch
        x = torch.ones(3, requires_grad=True)
        y = x
        for _ in range(10_000):
            y = y * 1.0001
        y.sum().backward()
        print(x.grad)
    """,
    # The masked sqrt (nan_origin): NaN in sqrt's forward output, a NaN gradient born there.
    "masked_sqrt.py": """
        import engine as torch
        x = torch.tensor([-1.0, 4.0], requires_grad=True)
        y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))
        y.sum().backward()
        print(x.grad)
    """,
    # Saved memory (memory_mlp in small): ReLU outputs saved twice, weights as views.
    "mlp_memory.py": """
        import engine as torch
        import engine.nn as nn
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                              nn.Linear(512, 10))
        x = torch.randn(64, 256)
        loss = model(x).sum()
        loss.backward(retain_graph=True)
        loss.backward()
    """,
    # A forward that takes a while, to pause in the middle of it.
    "long_forward.py": """
        import engine as torch
        x = torch.ones(3, requires_grad=True)
        y = x
        for _ in range(10_000):
            y = y * 1.0
        print("forward done")
    """,
    # Lessons 7-9 in small: conv1 forward hook, backward through conv (needs engine.nn).
    "conv1_hook.py": """
        import engine as torch
        import engine.nn as nn
        torch.manual_seed(0)
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 2, kernel_size=3)
            def forward(self, x):
                return self.conv1(x)
        net = Net()
        def show(module, input, output):
            print("conv1 forward", tuple(input[0].shape), "->", tuple(output.shape))
        handle = net.conv1.register_forward_hook(show)
        image = torch.randn(1, 1, 6, 6)
        out = net(image)
        out.sum().backward()
    """,
    # A training loop: six SGD steps of a small MLP, the loss printed at each.
    "mlp_loop.py": """
        import engine as torch
        import engine.nn as nn
        torch.manual_seed(0)
        X, y = torch.randn(32, 2), torch.randn(32, 1)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(6):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X), y)
            loss.backward()
            optimizer.step()
            print(f"step {step}: loss {loss.item():.4f}")
    """,
}


def write_lesson(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(LESSONS[name]).lstrip(), encoding="utf-8")
    return path


def reset_engine_ids() -> None:
    """Start the engine's id counters afresh, so screens do not depend on earlier tests."""
    from engine import trace
    trace.reset_ids()


def new_app(path: Path, break_on_backward: bool = True) -> tuple[GraphtuiApp, Session]:
    reset_engine_ids()
    session = Session(path, break_on_backward=break_on_backward)
    return GraphtuiApp(session, animations=False), session


@asynccontextmanager
async def running(path: Path, break_on_backward: bool = True, settled: bool = True,
                  size: tuple[int, int] = SIZE):
    """The app on a scenario, headless (120x36 unless ``size``), settled at its first pause
    or its end (unless ``settled`` is False: then it is still starting or running)."""
    app, session = new_app(path, break_on_backward)
    try:
        async with app.run_test(size=size) as pilot:
            if settled:
                await settle(pilot, session)
            yield Driver(app, pilot, session)
    finally:
        session.stop()


def screen_text(app) -> str:
    """The terminal as a person sees it, one line per row (a modal screen over the main one
    included), plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


class Driver:
    """What a person does and sees: press keys, read panes."""

    def __init__(self, app: GraphtuiApp, pilot, session: Session) -> None:
        self.app, self.pilot, self.session = app, pilot, session

    async def press(self, *keys: str) -> None:
        await press_and_settle(self.pilot, self.session, list(keys))

    @property
    def screen(self):
        return self.app.main

    @property
    def state(self):
        return self.screen.state

    def status(self) -> str:
        from graphtui.widgets.status_bar import StatusBar
        return self.screen.query_one(StatusBar).render().plain

    def screen_text(self) -> str:
        """The whole terminal as a person sees it (modal screens included), plain text."""
        return screen_text(self.app)

    def inspector(self, tab: str) -> str:
        from graphtui.widgets.inspector import Inspector
        return self.screen.query_one(Inspector).text(tab)

    def events(self) -> list[str]:
        from graphtui.widgets.events_pane import EventsPane
        return self.screen.query_one(EventsPane).timeline.visible_texts()

    def selected_label(self) -> str:
        from graphtui.widgets.graph_tree import GraphTree
        node = self.screen.query_one(GraphTree).cursor_node
        return str(node.label) if node is not None else ""

    async def find(self, text: str) -> None:
        """`/`, type, enter."""
        await self.pilot.press("slash")
        await self.pilot.pause()
        await self.pilot.press(*[("space" if ch == " " else ch) for ch in text], "enter")
        await self.pilot.pause()
        await settle(self.pilot, self.session)
