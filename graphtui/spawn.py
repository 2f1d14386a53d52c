"""Starting a runner process (light: no numpy, no engine, so the CLI can start one first).

The runner spends most of its start importing the engine. ``prespawn()``, called by the CLI
before it imports anything heavy, starts one at once so that import runs while the debugger
imports Textual; the first ``Channel`` then takes it instead of starting its own.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


@dataclass
class Spawned:
    process: subprocess.Popen
    up: int                 # read end of the events pipe
    down: int               # write end of the commands pipe
    python: str
    capture_fds: bool


_ready: Spawned | None = None
_lock = threading.Lock()


def prespawn(python: str | None = None, capture_fds: bool = True) -> None:
    """Start a runner now for the next ``take`` with the same arguments."""
    global _ready
    spawned = spawn(python, capture_fds)
    with _lock:
        _ready = spawned


def take(python: str | None, capture_fds: bool) -> Spawned:
    """The runner started by ``prespawn`` if it fits, else a new one."""
    global _ready
    python = python or sys.executable
    with _lock:
        ready, _ready = _ready, None
    if ready is not None:
        if (ready.python, ready.capture_fds) == (python, capture_fds) \
                and ready.process.poll() is None:
            return ready
        discard(ready)
    return spawn(python, capture_fds)


def discard(spawned: Spawned) -> None:
    for fd in (spawned.up, spawned.down):
        os.close(fd)            # the runner reads end-of-file and ends itself
    spawned.process.wait()


def spawn(python: str | None = None, capture_fds: bool = True) -> Spawned:
    """``python -m graphtui.runner``: in a process group of its own, stdin /dev/null, its
    stdout and stderr piped to us (or inherited: ``capture_fds=False``)."""
    python = python or sys.executable
    up_read, up_write = os.pipe()
    down_read, down_write = os.pipe()
    args = [python, "-m", "graphtui.runner", str(up_write), str(down_read)]
    if threading.current_thread() is threading.main_thread():
        args += ["--parent", str(os.getpid())]     # see runner.main._die_with_parent
    env = dict(os.environ)
    if python != sys.executable:        # another Python: it may lack graphtui's packages
        from graphtui.runner.dependencies import environment
        env.update(environment())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", ""))
                                        if p)
    pipe = subprocess.PIPE if capture_fds else None
    try:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe,
                                   pass_fds=(up_write, down_read), start_new_session=True,
                                   env=env)
    except BaseException:
        os.close(up_read)
        os.close(down_write)
        raise
    finally:
        os.close(up_write)
        os.close(down_read)
    return Spawned(process, up_read, down_write, python, capture_fds)
