"""pytest hooks for the scenario tests; the helpers live in ``scenario_support`` (imported
by name, since several test directories have a ``conftest``)."""
from scenario_support import pytest_collection_finish, pytest_sessionfinish  # noqa: F401
