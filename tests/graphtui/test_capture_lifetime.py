"""A routing stream must outlive every print() that may still be using it."""
import subprocess
import sys
import textwrap

SWAPS_WHILE_A_THREAD_PRINTS = textwrap.dedent("""
    import sys, threading
    from graphtui import capture

    family = capture.Family(lambda stream, line: None, lambda: None)
    stop = threading.Event()

    def printer():
        capture.capture_thread(family)
        i = 0
        while not stop.is_set():
            print("line", i)
            i += 1

    worker = threading.Thread(target=printer, daemon=True)
    worker.start()
    for _ in range(200000):
        # What Textual does when an app starts or ends: put another stream in place.
        sys.stdout = sys.__stdout__
        capture.ensure_installed()
    stop.set()
    worker.join()
    print("survived")
""")


def test_swapping_sys_stdout_while_a_scenario_prints_does_not_crash():
    """CPython 3.11's print() holds a borrowed sys.stdout; a routing stream freed during
    the print was a use-after-free (a segfault when a printing run was stopped)."""
    result = subprocess.run([sys.executable, "-X", "faulthandler", "-c",
                             SWAPS_WHILE_A_THREAD_PRINTS],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "survived"
