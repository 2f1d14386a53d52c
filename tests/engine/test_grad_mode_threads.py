"""Grad mode and inference mode belong to a thread, as in PyTorch (recorded from torch 2.13:
a thread started inside no_grad(), inference_mode() or after set_grad_enabled(False) sees
grad enabled and inference off)."""
import threading

import engine


def modes_in_a_new_thread():
    seen = {}

    def look():
        seen["grad"] = engine.is_grad_enabled()
        seen["inference"] = engine.is_inference_mode_enabled()
        seen["records"] = (engine.ones(2, requires_grad=True) * 2).grad_fn is not None
    worker = threading.Thread(target=look)
    worker.start()
    worker.join()
    return seen


FRESH = {"grad": True, "inference": False, "records": True}


def test_a_new_thread_starts_with_grad_on_whatever_its_parent_switched():
    with engine.no_grad():
        assert modes_in_a_new_thread() == FRESH
    with engine.inference_mode():
        assert modes_in_a_new_thread() == FRESH
    engine.set_grad_enabled(False)
    try:
        assert modes_in_a_new_thread() == FRESH
        assert not engine.is_grad_enabled()
    finally:
        engine.set_grad_enabled(True)


def test_no_grad_in_one_thread_does_not_stop_another_recording():
    inside, leave = threading.Event(), threading.Event()

    def hold_no_grad():
        with engine.no_grad():
            inside.set()
            leave.wait(10)
    holder = threading.Thread(target=hold_no_grad)
    holder.start()
    inside.wait(10)
    try:
        y = engine.ones(3, requires_grad=True) * 3
        assert engine.is_grad_enabled() and y.grad_fn.name() == "MulBackward0"
    finally:
        leave.set()
        holder.join()
