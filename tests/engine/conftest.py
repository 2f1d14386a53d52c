"""Shared by the engine's tests: `events`, every event the engine emits during a test."""
import pytest

from engine import trace


@pytest.fixture
def events():
    log = []
    trace.subscribe(log.append)
    yield log
    trace.unsubscribe(log.append)
    trace.muted_hooks.clear()
