"""Shared by every test directory: `oracle` (torch 2.13 CPU as the oracle) is importable by
name from here, and its asserts are rewritten so a mismatch shows both sides."""
import pytest

pytest.register_assert_rewrite("oracle")


# A base edited in place while a view of it is saved (Why pane and `dump --explain` tests).
SAVED_VIEW_PROGRAM = ("import torch\n"
                      "a = torch.ones(4, requires_grad=True)\n"
                      "b = a * 2\n"
                      "v = b[:2]\n"
                      "y = v.sin()\n"
                      "b.add_(1)\n")


@pytest.fixture
def saved_view_program(tmp_path):
    """`saved_view.py` in tmp_path: the base `b` of the saved view `v` is edited on line 6;
    nothing runs backward yet (tests append the lines they need)."""
    path = tmp_path / "saved_view.py"
    path.write_text(SAVED_VIEW_PROGRAM, encoding="utf-8")
    return path
