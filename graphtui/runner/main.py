"""The runner's life: start, wait for the configuration, run the scenario, report its end.

Threads of graphtui's own in this process (marked ``graphtui_own``): the command thread,
which reads the channel's commands and ends the process when the debugger goes away (its end
of the channel closes), and the flush timer. The scenario runs on the main thread.
"""
from __future__ import annotations

import faulthandler
import importlib
import json
import os
import sys
import threading
import warnings
from pathlib import Path

from graphtui import wire
from graphtui.model import events as ev
from graphtui.runner import execute as run
from graphtui.runner.gate import StepGate
from graphtui.runner.recorder import Recorder, Sender
from graphtui.runner.streams import INPUT_NOTICE, EndOfFile, LineStream


def main(args: list[str]) -> None:
    up_fd, down_fd = int(args[0]), int(args[1])
    for fd in (up_fd, down_fd):
        os.set_inheritable(fd, False)       # a program the scenario starts must not hold them
    if "--parent" in args:
        _die_with_parent(int(args[args.index("--parent") + 1]))
    faulthandler.enable(file=sys.__stderr__, all_threads=True)   # a crash says where
    import engine._api  # noqa: F401  (the slow part of starting, done while the debugger starts)

    down = os.fdopen(down_fd, "rb")
    first = down.readline()
    if not first:                     # discarded before it ran (or the debugger is gone)
        os._exit(0)
    Runner(json.loads(first), Sender(up_fd), down).run()


class Runner:
    def __init__(self, config: dict, sender: Sender, down) -> None:
        self.config = config
        self.sender = sender
        self.down = down
        self.scenario = Path(config["scenario"])
        self.gate = StepGate(config["break"], config.get("breakpoints", ()),
                             config.get("hold_breakpoints", True)) \
            if config.get("gate", True) else None
        self.recorder = Recorder(sender, self.scenario, self.gate, config["value_budget"],
                                 map(tuple, config.get("muted_keys", ())),
                                 config["output_kept"])
        echo = config.get("echo", False)
        self.recorder.debugger_reads_output_fds = not echo
        self.streams = [LineStream("stdout", 1, self.recorder.output, echo),
                        LineStream("stderr", 2, self.recorder.output, echo)]
        self._finishing = threading.Lock()

    def run(self) -> None:
        sys.stdout, sys.stderr = self.streams
        sys.stdin = EndOfFile(lambda: self.recorder.output("graphtui", INPUT_NOTICE))
        os.register_at_fork(after_in_child=self._in_forked_child)
        _start_own_thread(self._serve_commands, "graphtui-commands")
        _start_own_thread(self.sender.flush_periodically, "graphtui-flush")
        config = self.config
        backend = config.get("backend", "engine")
        self.recorder.record(ev.RunStarted(config["given"], tuple(config["argv"]),
                                           config["number"], backend))
        finish = install_backend(backend, self.recorder, config)
        if finish is None:
            finish = run.execute(self.recorder, self.scenario, config["argv"], backend)
        self._finish(finish, run.threads_left_notice())

    def _finish(self, event: ev.RunFinished, notice: str | None = None) -> None:
        with self._finishing:             # the scenario's end and a stop: whichever is first
            for stream in self.streams:
                stream.flush_pending()
            if notice:
                self.recorder.record(ev.OutputWritten("graphtui", notice))
            self.recorder.flush_folded_output()
            self.recorder.record(event)
            self.sender.flush(wire.FINISHED)
            os._exit(0)         # threads the scenario left running end with the process

    def _serve_commands(self) -> None:
        gate = self.gate
        for line in self.down:
            try:
                name, argument = wire.parse_command(line)
            except (wire.WireError, ValueError):
                continue
            if name == "stop":
                self._finish(ev.RunFinished("stopped"))
            elif name == "mute":
                from engine import trace
                trace.muted_hooks.add(argument)
            elif name == "unmute":
                from engine import trace
                trace.muted_hooks.discard(argument)
            elif gate is not None:
                _GATE_COMMANDS[name](gate, argument)
        os._exit(0)          # the debugger is gone: so is the run

    def _in_forked_child(self) -> None:
        self.recorder.detach()
        self.sender.closed = True


def install_backend(backend: str, recorder: Recorder, config: dict
                    ) -> ev.RunFinished | None:
    """Make the scenario's ``import torch`` the engine ("engine") or real PyTorch, watched
    ("torch"); the failed run's end when that cannot be had."""
    if backend == "engine":
        from graphtui.backends import engine_as_torch
        from graphtui.runner.dependencies import missing_text
        missing = missing_text()
        if missing:
            return ev.RunFinished("failed", "ModuleNotFoundError", missing)
        try:
            engine_as_torch.install()
        except RuntimeError as error:       # real torch imported already (a sitecustomize)
            return ev.RunFinished("failed", "RuntimeError", str(error))
        _watch_engine_warnings()
        return None
    try:
        torch_backend = importlib.import_module("graphtui.backends.torch")
    except ImportError as error:
        if error.name == "graphtui.backends.torch":
            message = "the torch backend is not available in this build"
        elif error.name == "torch":
            message = (f"--backend torch needs PyTorch ({error}); install it with "
                       "pip install 'graphtui[torch]'")
        else:
            message = f"the torch backend cannot start: {error}"
        return ev.RunFinished("failed", "RuntimeError", message)
    torch_backend.install(recorder, config)
    return None


_GATE_COMMANDS = {
    "step": lambda gate, _: gate.step(),
    "continue": lambda gate, _: gate.continue_(),
    "pause": lambda gate, _: gate.pause(),
    "break": lambda gate, on: gate.set_break(bool(on)),
    "breakpoints": lambda gate, specs: _set_breakpoints(gate, specs),
}


def _set_breakpoints(gate: StepGate, specs) -> None:
    from graphtui.breakpoints import BreakpointError

    try:
        gate.set_breakpoints(str(spec) for spec in specs)
    except (BreakpointError, TypeError):    # the session checks specs; a bad line is ignored
        pass


def _start_own_thread(target, name: str) -> None:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.graphtui_own = True
    thread.start()


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when the debugger's thread that started it
    dies, even by SIGKILL (the channel's end-of-file covers the rest)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:          # it died before the call above
        os._exit(0)


def _watch_engine_warnings() -> None:
    """Every warning shown while the scenario runs is a WarningRaised, as under the torch
    backend (an lr scheduler's, a library's, the scenario's own), except those the engine
    announces itself with their node or tensor (engine.warning_events)."""
    from engine import trace, warning_events
    original = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        original(message, category, filename, lineno, file, line)
        if trace.active and not warning_events.announcing():
            trace.emit(trace.WarningRaised(category.__name__, str(message)))

    warnings.showwarning = showwarning
