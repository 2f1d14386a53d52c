"""Grad mode and inference mode belong to a thread, as in PyTorch (compared with torch 2.13
live, tests/oracle.py): a thread started inside no_grad(), inference_mode() or after
set_grad_enabled(False) sees grad enabled and inference off."""
import threading

import oracle


def modes_in_a_new_thread(torch):
    seen = {}

    def look():
        seen["grad"] = torch.is_grad_enabled()
        seen["inference"] = torch.is_inference_mode_enabled()
        seen["records"] = (torch.ones(2, requires_grad=True) * 2).grad_fn is not None
    worker = threading.Thread(target=look)
    worker.start()
    worker.join()
    return seen


def parent_modes_do_not_reach_a_new_thread(torch):
    seen = []
    with torch.no_grad():
        seen.append(modes_in_a_new_thread(torch))
    with torch.inference_mode():
        seen.append(modes_in_a_new_thread(torch))
    torch.set_grad_enabled(False)
    try:
        seen.append(modes_in_a_new_thread(torch))
        seen.append(torch.is_grad_enabled())
    finally:
        torch.set_grad_enabled(True)
    return seen


def test_a_new_thread_starts_with_grad_on_whatever_its_parent_switched():
    seen = oracle.agree(parent_modes_do_not_reach_a_new_thread)
    assert seen[0] == {"grad": True, "inference": False, "records": True}


def no_grad_held_by_another_thread(torch):
    inside, leave = threading.Event(), threading.Event()

    def hold_no_grad():
        with torch.no_grad():
            inside.set()
            leave.wait(10)
    holder = threading.Thread(target=hold_no_grad)
    holder.start()
    inside.wait(10)
    try:
        y = torch.ones(3, requires_grad=True) * 3
        return torch.is_grad_enabled(), y.grad_fn.name()
    finally:
        leave.set()
        holder.join()


def test_no_grad_in_one_thread_does_not_stop_another_recording():
    assert oracle.agree(no_grad_held_by_another_thread) == (True, "MulBackward0")
