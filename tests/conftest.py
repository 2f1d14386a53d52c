"""Shared by every test directory: `oracle` (torch 2.13 CPU as the oracle) is importable by
name from here, and its asserts are rewritten so a mismatch shows both sides."""
import pytest

pytest.register_assert_rewrite("oracle")
