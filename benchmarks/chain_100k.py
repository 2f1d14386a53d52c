"""Scale, as a person waits: a 100,000-node chain (`h = h * 1.0001`, then backward).

Each figure is the wall time from launching a command (a fresh Python process, as typed)
and the peak resident memory of the debugger's own process (the parent; the runner, where
the scenario runs, is not counted), medians of several runs:
- plain: the scenario on the engine without graphtui (what the run itself costs);
- tui: `graphtui run CHAIN --screenshot` (a headless TUI, 120x36) until the screen shows
  the run paused at its backward; the process then writes the SVG and ends;
- dump: `graphtui dump CHAIN -o /dev/null` (the whole run as text);
- first frame: `graphtui run seed_03_backward_twice` until the first frame is painted
  (the main screen composed, before the runner's first events);
- key under flood: a headless TUI on the chain with breaks off (the runner floods about
  500,000 events); `?` opens the help screen and `escape` closes it, each from posting the
  key (as the terminal driver would) until the screen is shown and painted
  (``frames.until_painted``); the UI thread's CPU over the same span is printed too;
- key when idle: the same keys once a 1,000-node chain has finished (what the load alone
  costs).
Targets (issue 12): tui <= 2 s and <= 300 MB; first frame <= 0.6 s; key <= 50 ms.
The machine is shared: the load average is printed with the figures. The cache is warm:
graphtui's and the engine's bytecode is compiled first, whatever PYTHONDONTWRITEBYTECODE
says.

Usage: python benchmarks/chain_100k.py [--nodes N] [--repeats R] [--only tui,dump,...]
"""
from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ("plain", "tui", "dump", "first frame", "key under flood", "key when idle")
TARGETS = {"tui": (2.0, 300), "first frame": (0.6, None), "key under flood": (0.05, None)}

CHAIN = """
    import sys
    import torch

    N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    x = torch.ones(3, requires_grad=True)
    h = x
    for _ in range(N):
        h = h * 1.0001
    h.sum().backward()
    print(x.grad)
"""

# Runs in the measured process: the command as typed (it ends its process itself), its own
# peak RSS and CPU time written on stderr just before it does.
WRAPPER = """
import resource, sys, time
sys.argv = ["graphtui", *sys.argv[1:]]
{prelude}
import graphtui.cli as cli
leave = cli._leave_now
def measured_leave(status):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write("\\nMEASURED " + str(usage.ru_maxrss / 1024) + " "
                     + str(usage.ru_utime + usage.ru_stime) + "\\n")
    leave(status)
cli._leave_now = measured_leave
cli.main()
"""

PLAIN = """
import resource, runpy, sys
import engine
sys.modules["torch"] = engine
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
usage = resource.getrusage(resource.RUSAGE_SELF)
sys.stderr.write("\\nMEASURED " + str(usage.ru_maxrss / 1024) + " "
                 + str(usage.ru_utime + usage.ru_stime) + "\\n")
"""

# The first frame: the main screen's first refresh after mount, timed from launch.
FIRST_FRAME = """
import graphtui.headless as headless
from graphtui.screens.main import MainScreen
_mount = MainScreen.on_mount
def on_mount(self):
    result = _mount(self)
    def painted():
        sys.stderr.write("\\nFRAME " + repr(time.time()) + " " + repr(time.process_time())
                         + "\\n")
        sys.stderr.flush()
        import os; os._exit(0)
    self.call_after_refresh(painted)
    return result
MainScreen.on_mount = on_mount
"""


def warm_bytecode() -> None:
    """Compile graphtui's and the engine's modules (as a user's earlier run would have)."""
    for package in ("graphtui", "engine"):
        compileall.compile_dir(ROOT / package, quiet=1)


def command(args: list[str], prelude: str = "") -> list[str]:
    return [sys.executable, "-c", WRAPPER.format(prelude=prelude), *args]


def launch(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, the process's peak RSS (MB) and CPU seconds, and its stderr."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    started = time.time()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.time() - started
    measured = [line for line in done.stderr.splitlines() if line.startswith("MEASURED ")]
    if done.returncode != 0 or not measured:
        raise RuntimeError(f"{argv[3:]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    _, rss, cpu = measured[-1].split()
    return wall, float(rss), float(cpu), done.stderr


def plain(scenario: Path, nodes: int) -> tuple[float, float, float]:
    return launch([sys.executable, "-c", PLAIN, str(scenario), str(nodes)])[:3]


def tui(scenario: Path, nodes: int, workdir: Path) -> tuple[float, float, float]:
    shot = workdir / "chain.svg"
    return launch(command(["run", str(scenario), "--screenshot", str(shot),
                           "--", str(nodes)]))[:3]


def dump(scenario: Path, nodes: int) -> tuple[float, float, float]:
    return launch(command(["dump", str(scenario), "-o", os.devnull, "--", str(nodes)]))[:3]


def first_frame(workdir: Path) -> tuple[float, None, float]:
    """Wall seconds from launch to the first frame, and the CPU seconds the process spent
    until then (less sensitive to the machine's load than the wall time)."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    argv = command(["run", "seed_03_backward_twice", "--screenshot", str(workdir / "first.svg")],
                   prelude=FIRST_FRAME)
    started = time.time()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    frames = [line for line in done.stderr.splitlines() if line.startswith("FRAME ")]
    if not frames:
        raise RuntimeError(f"no first frame:\n{done.stderr[-2000:]}")
    _, painted, cpu = frames[-1].split()
    return float(painted) - started, None, float(cpu)


def key_under_flood(scenario: Path, nodes: int, moves: int, flood: bool = True
                    ) -> tuple[list[float], list[float]]:
    """Key times (wall, UI thread's CPU) during the flood, or (``flood`` False) after the run
    ended: the floor that the machine's load sets."""
    from graphtui.app import GraphtuiApp
    from graphtui.screens.help import HelpScreen
    from graphtui.session import Session
    from graphtui.widgets.graph_tree import GraphTree

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from big_graph import press, until
    from frames import Frames, until_painted

    async def run() -> tuple[list[float], list[float]]:
        session = Session(scenario, [str(nodes)], break_on_backward=False)
        app = GraphtuiApp(session, animations=False)
        times, cpus = [], []
        try:
            async with app.run_test(size=(120, 36)):
                frames = Frames(app)
                tree = app.main.query_one(GraphTree)
                await until(lambda: tree.last_line >= 1)
                if not flood:
                    await until(lambda: session.is_finished, timeout=600)
                for _ in range(moves):
                    if flood and session.is_finished:
                        break
                    for key, shown in (("question_mark", lambda: isinstance(app.screen, HelpScreen)),
                                       ("escape", lambda: app.screen is app.main)):
                        press(app, key)
                        wall, cpu = await until_painted(frames, shown)
                        times.append(wall)
                        cpus.append(cpu)
                        await asyncio.sleep(0.05)
                if flood and session.is_finished:
                    print(f"  (the run ended after {len(times)} keys: give it more --nodes)")
        finally:
            session.stop()
        return times, cpus

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--only", default=",".join(MEASURES),
                        help=f"comma-separated, of: {', '.join(MEASURES)}")
    options = parser.parse_args()
    wanted = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = set(wanted) - set(MEASURES)
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        scenario = workdir / "chain.py"
        scenario.write_text(textwrap.dedent(CHAIN))
        warm_bytecode()
        plain(scenario, 10)                          # warm-up: imports, Numba caches
        runs = {"plain": lambda: plain(scenario, options.nodes),
                "tui": lambda: tui(scenario, options.nodes, workdir),
                "dump": lambda: dump(scenario, options.nodes),
                "first frame": lambda: first_frame(workdir)}
        print(f"{options.nodes:,}-node chain: medians of {options.repeats} runs")
        for name in wanted:
            loads = []
            if name.startswith("key "):
                loads.append(os.getloadavg()[0])
                samples, cpus = key_under_flood(
                    scenario, options.nodes if name == "key under flood" else 1000,
                    options.moves, name == "key under flood")
                report(name, samples, None, cpus, loads, cpu_label="UI thread CPU")
                continue
            results = []
            for _ in range(options.repeats):
                loads.append(os.getloadavg()[0])
                results.append(runs[name]())
            walls, rss, cpu = zip(*results)
            report(name, list(walls), rss, cpu, loads)


def report(name: str, walls: list[float], rss, cpu, loads: list[float],
           cpu_label: str = "parent CPU") -> None:
    wall = statistics.median(walls)
    target_s, target_mb = TARGETS.get(name, (None, None))
    scale, unit = (1000, "ms") if wall < 1 else (1, "s")
    line = f"  {name:<16} wall {wall * scale:8.1f} {unit}"
    if cpu and cpu[0] is not None:
        cpu_median = statistics.median(cpu)
        line += (f"   {cpu_label} {cpu_median:6.2f} s" if cpu_median >= 1
                 else f"   {cpu_label} {cpu_median * 1000:6.1f} ms")
    if rss and rss[0] is not None:
        line += f"   peak RSS {statistics.median(rss):6.0f} MB"
    if target_s is not None:
        ok = wall <= target_s and (target_mb is None or statistics.median(rss) <= target_mb)
        line += f"   target {target_s * scale:g} {unit}"
        line += f" / {target_mb} MB" if target_mb else ""
        line += "  ok" if ok else "  MISSED"
    line += f"   (load {statistics.median(loads):.1f}; worst {max(walls) * scale:.1f} {unit})"
    print(line, flush=True)


if __name__ == "__main__":
    main()
