"""Watching a program that graphtui did not start: ``graphtui.record("run.gtr")``.

    import graphtui
    with graphtui.record("run.gtr"):
        loss = model(x).sum()
        loss.backward()

records the engine's events of the block (this process, every thread) with the same recorder
the runner uses, no step gate, and writes the recording when the block ends, also when it
raises (the exception goes on; the recording says the run failed, with its traceback). Tensors
are named after the variables of the frame that opened the block. A node made before the block
(a parameter's AccumulateGrad, a graph built earlier) appears under ``BEFORE_RECORDING``: the
recorder saw its id, never its creation.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from engine import trace
from graphtui import is_recording_name
from graphtui.budget import DEFAULT_VALUE_BUDGET
from graphtui.model import events as ev
from graphtui.model.history import EventLog, History
from graphtui.recording import NODE_REFERENCES, save
from graphtui.runner.execute import failure_event
from graphtui.runner.recorder import Recorder

MAX_EVENTS = 200_000             # as a live session: older events fold into a checkpoint
BEFORE_RECORDING = "(made before graphtui.record)"


class _LogSink:
    """The recorder's sender, in this process: events go straight into a log."""

    def __init__(self, log: EventLog, history: History) -> None:
        self.log, self.history = log, history
        self.every = max(256, MAX_EVENTS // 4)
        self.nodes_seen: set[int] = set()

    def add(self, event) -> None:
        refer = NODE_REFERENCES.get(type(event))
        if refer is not None:
            for node_id in refer(event):
                if node_id is not None and node_id not in self.nodes_seen:
                    self.nodes_seen.add(node_id)
                    self._append(trace.NodeCreated(node_id, BEFORE_RECORDING, 0, (), (), (),
                                                   None, None))
        if type(event) is trace.NodeCreated:
            self.nodes_seen.add(event.node_id)
        self._append(event)

    def _append(self, event) -> None:
        if self.log.append(event) % self.every == self.every - 1:
            self.history.compact()

    def flush(self, kind: int = 0) -> None:
        pass

    def send_raw(self, data: bytes) -> None:
        pass


TORCH_IN_PROCESS = (
    "graphtui.record(backend='torch') is not supported: in-process recording watches the "
    "engine only (the torch backend patches PyTorch for the whole process). Record a program "
    "on real PyTorch with `graphtui record --backend torch -o OUT.gtr -- python PROGRAM.py`")


def record(path: str | os.PathLike, value_budget: int = DEFAULT_VALUE_BUDGET,
           backend: str = "engine"):
    """Record the engine's events of the ``with`` block into the recording ``path``.
    ``backend`` is "engine"; "torch" is refused here, with the command that does it."""
    if not is_recording_name(os.fspath(path)):
        raise ValueError(f"graphtui.record({os.fspath(path)!r}): a recording's name ends in "
                         f".gtr (compact) or .jsonl (JSON lines)")
    if backend == "torch":
        raise ValueError(TORCH_IN_PROCESS)
    if backend != "engine":
        raise ValueError(f"graphtui.record(backend={backend!r}): the backend is 'engine' "
                         f"(or 'torch', under `graphtui record --backend torch -- python ...`)")
    return _record(path, value_budget)


@contextmanager
def _record(path: str | os.PathLike, value_budget: int):
    caller = sys._getframe(2)            # the frame with the ``with`` statement
    source = Path(caller.f_code.co_filename).resolve()
    log = EventLog()
    sink = _LogSink(log, History(log, max_events=MAX_EVENTS))
    recorder = Recorder(sink, source, None, value_budget)
    log.append(ev.RunStarted(str(source), tuple(sys.argv), 1))
    recorder.subscribe()
    finish = ev.RunFinished("finished")
    try:
        yield log
    except BaseException as error:
        finish = failure_event(error, source, recorder)
        raise
    finally:
        recorder.unsubscribe()
        recorder.name_visible_tensors(caller)
        log.append(finish)
        save(log, path, str(source))
