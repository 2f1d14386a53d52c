"""Every warning a run shows is a warning event on the engine, as on the torch backend: the
scenario's own, a library's (an lr scheduler's order warning), and those the engine names a
tensor in (a non-leaf's .grad), each once."""
from scenario_support import cached_run

PROGRAM = ("import warnings\n"
           "import torch\n"
           "x = torch.ones(2, requires_grad=True)\n"
           "y = x * 2\n"
           "y.sum().backward()\n"
           "print(y.grad)\n"
           "warnings.warn('the scenario warns itself')\n"
           "opt = torch.optim.SGD([x], lr=0.1)\n"
           "sched = torch.optim.lr_scheduler.StepLR(opt, 1)\n"
           "sched.step()\n")


def test_every_shown_warning_is_one_event(tmp_path):
    path = tmp_path / "warns.py"
    path.write_text(PROGRAM, encoding="utf-8")
    run = cached_run(("-m", "graphtui", "dump", str(path)))
    assert run.returncode == 0, run.describe()
    events = [line for line in run.stdout.splitlines() if "[stderr]" not in line]
    for text in ("UserWarning: The .grad attribute of a Tensor that is not a leaf",
                 "UserWarning: the scenario warns itself",
                 "UserWarning: Detected call of `lr_scheduler.step()` before"):
        assert sum(text in line for line in events) == 1, (text, run.stdout)
