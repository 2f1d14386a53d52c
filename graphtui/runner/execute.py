"""Running the scenario in the runner process, and how it ended.

``execute`` runs ``runpy.run_path(path, run_name="__main__")`` on the process's main thread
under the recorder, waits (as Python's exit does) for the non-daemon threads the scenario
started, and returns the ``RunFinished`` event: finished, or failed with the scenario's own
traceback (graphtui's and runpy's frames left out) and the backward node it was raised in.
"""
from __future__ import annotations

import runpy
import sys
import threading
from pathlib import Path

from engine import trace
from engine.autograd.node import Node
from graphtui import gc_tuning, naming
from graphtui.backends import engine_as_torch
from graphtui.model import events as ev
from graphtui.runner.recorder import Recorder
from graphtui.scenario import scenario_traceback

# Frames of the debugger (and of runpy, which starts the scenario) are not the scenario's:
# the engine leaves them out of the locations and anomaly tracebacks it records.
trace.register_host_files(str(Path(__file__).parents[1]) + "/", runpy.__file__,
                          "<frozen runpy>")


def execute(recorder: Recorder, scenario: Path, argv: list[str],
            backend: str = "engine") -> ev.RunFinished:
    sys.argv = [str(scenario), *argv[1:]]
    sys.path[0] = str(scenario.parent)
    recorder.subscribe()
    try:
        # Each op makes several short-lived event objects (tracked by the cyclic GC): fewer
        # young collections while the scenario runs watched.
        with gc_tuning.recording():
            globals_after = runpy.run_path(str(scenario), run_name="__main__")
        recorder.name_from(naming.names_in_namespace(globals_after))
        del globals_after
        _wait_for_scenario_threads()
        return ev.RunFinished("finished")
    except SystemExit as error:
        return exit_event(error, scenario)
    except BaseException as error:          # the scenario's failure is the show
        if backend == "engine":
            engine_as_torch.add_backend_hint(error)
        return failure_event(error, scenario, recorder)
    finally:
        recorder.unsubscribe()


def scenario_threads() -> list[threading.Thread]:
    """Threads the scenario started that are still running (not graphtui's or the engine's
    own service threads)."""
    return [t for t in threading.enumerate()
            if t is not threading.main_thread() and t.is_alive()
            and not getattr(t, "graphtui_own", False)
            and not getattr(t, "engine_service", False)]


def _wait_for_scenario_threads() -> None:
    """As Python does before it exits: wait for the non-daemon threads (they may start more
    while we wait)."""
    while True:
        waiting = [t for t in scenario_threads() if not t.daemon]
        if not waiting:
            return
        for thread in waiting:
            thread.join()


def threads_left_notice() -> str | None:
    left = scenario_threads()
    if not left:
        return None
    names = ", ".join(t.name for t in left[:3]) + (", ..." if len(left) > 3 else "")
    return (f"graphtui: the run ended with {len(left)} thread(s) of the scenario still "
            f"running ({names}); they end with the scenario's process, unrecorded")


def exit_event(error: SystemExit, scenario: Path) -> ev.RunFinished:
    code = error.code
    if code is None or code == 0:
        return ev.RunFinished("finished", "SystemExit", str(code or 0), exit_code=code or 0)
    text, location = scenario_traceback(error, scenario)
    return ev.RunFinished("failed", "SystemExit", str(code), text, code, location)


def failure_event(error: BaseException, scenario: Path, recorder: Recorder) -> ev.RunFinished:
    text, location = scenario_traceback(error, scenario)
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        recorder.name_from(naming.names_in_frames(
            naming.scenario_frames(scenario, tb.tb_frame)))
    return ev.RunFinished("failed", type(error).__name__, str(error), text, None, location,
                          _node_running_in(error.__traceback__))


def _node_running_in(tb) -> int | None:
    """The id of the innermost backward node the engine was running (or about to run: its
    hooks) where the traceback passes, read from the executor's frames; None outside one."""
    node_id = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__", "").startswith("engine.autograd"):
            node = frame.f_locals.get("node")
            if isinstance(node, Node) and getattr(node, "_id", None) is not None:
                node_id = node._id
        tb = tb.tb_next
    return node_id
