"""Builds states on a thread of its own, so the UI thread never does the model's work while
a scenario floods: it only pushes finished states into the widgets, and answers keys.

``request()`` from the UI thread; ``compute()`` runs on the fetcher's thread (it must only
read thread-safe things: the session's history is); ``deliver(result)`` is called there too
and must be thread-safe (``post_message``). Requests made while one is computed collapse.
After a state that took t seconds, the fetcher rests ``rest * t``: it shares the GIL with
the UI thread and the scenario, and must not take it all while a flood goes on.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


class StateFetcher:
    def __init__(self, compute: Callable[[], object], deliver: Callable[[object], None],
                 rest: float = 2.0) -> None:
        self._compute, self._deliver, self._rest = compute, deliver, rest
        self._wanted = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="graphtui-state-fetcher",
                                        daemon=True)
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopped = True
        self._wanted.set()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._stopped:
                return
            started = time.monotonic()
            try:
                result = self._compute()
            except Exception:      # a run replaced under our feet: the next request retries
                continue
            if not self._stopped:
                self._deliver(result)
            time.sleep(self._rest * (time.monotonic() - started))
