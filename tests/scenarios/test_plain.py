"""Every scenario as a plain script: what it prints, its warnings and, for the scenarios
whose lesson is an error, the error it ends with. Every expectation below is checked twice:
against the script run on the engine (run_with_engine.py: its ``import torch`` is the
engine, as under graphtui) and against ``python scenarios/NAME.py`` on PyTorch 2.13, so none
of it is taken on trust.

Lines are exact strings, or regular expressions (``Rx(...)``) where a value comes from the
random generator: ``engine.manual_seed(0)`` is deterministic but is not PyTorch's stream,
so random values differ from the tutorial's (their shapes and formats do not).
"""
from __future__ import annotations

import re

import pytest

from scenario_support import ALL, FAILING, assert_in_order, dump, plain, with_torch


class Rx:
    """A printed line given as a regular expression (matched in full)."""

    def __init__(self, pattern: str):
        self.pattern = re.compile(pattern)

    def __repr__(self):
        return f"Rx({self.pattern.pattern!r})"


NUM = r"-?\d+\.\d{4}"
HOOK_CONV1 = ["Inside Conv2d forward", "", "input: <class 'tuple'>",
              "input[0] shape: torch.Size([1, 1, 28, 28])",
              "output shape: torch.Size([1, 10, 24, 24])", ""]
HOOK_CONV2 = ["Inside Conv2d forward", "", "input: <class 'tuple'>",
              "input[0] shape: torch.Size([1, 10, 12, 12])",
              "output shape: torch.Size([1, 20, 8, 8])", ""]
CAM_ROW = r"(tensor\(\[|\s+)\[(0\.\d{4}|1\.0000)(, (0\.\d{4}|1\.0000)){7}\]\]?\)?,?"

STDOUT: dict[str, list] = {
    "seed_01_grad_basics": ["None", "tensor([300.0000,   0.3000])", "None"],
    "seed_02_requires_grad_false": ["tensor([300.0000,   0.3000])", "None"],
    "seed_03_backward_twice": ["tensor([300.0000,   0.3000])"],
    "seed_04_retain_graph": ["tensor([300.0000,   0.3000])", "tensor([600.0000,   0.6000])"],
    "seed_05_grad_fn": [
        Rx(rf"tensor\(\[\s*{NUM},\s+{NUM}\], grad_fn=<AddBackward0>\)"),
        Rx(rf"tensor\(\[\s*{NUM},\s+{NUM}\], grad_fn=<MulBackward0>\)"),
        Rx(rf"tensor\(\[\s*{NUM},\s+{NUM}\], grad_fn=<DivBackward0>\)"),
        "w AddBackward0 [('AccumulateGrad', 0), ('MulBackward0', 0)]",
        "y MulBackward0 [('AccumulateGrad', 0), (None, 0)]",
        "z DivBackward0 [('AccumulateGrad', 0), (None, 0)]",
    ],
    "seed_06_forward_hooks": ["RemovableHandle RemovableHandle", "", *HOOK_CONV1, *HOOK_CONV2,
                              "torch.Size([1, 10]) ReluBackward0"],
    "memory_mlp": ["loss torch.Size([]) MseLossBackward0", "weight grad torch.Size([512, 256])"],
    "seed_07_forward_pre_hook": ["Inside Conv2d forward", "", "input:  <class 'tuple'>",
                                 "input[0] shape:  torch.Size([1, 1, 28, 28])"],
    "seed_08_backward_hook": [
        "Inside Conv2d backward", "", "grad_input len:  3",
        "grad_input[1] shape:  torch.Size([10, 1, 5, 5])",
        "grad_input[2] shape:  torch.Size([10])", "grad_output len:  1",
        "grad_output[0] shape:  torch.Size([1, 10, 24, 24])",
    ],
    "seed_09_remove_hook": [*HOOK_CONV1, "second forward done, hook removed"],
    "seed_10_cam_features": [
        "saved activation: torch.Size([1, 20, 8, 8]) ConvolutionBackward0",
        Rx(r"class: \d"), "gradient of the class score: torch.Size([1, 20, 8, 8])",
        "cam: torch.Size([8, 8])", *[Rx(CAM_ROW)] * 8, "conv1.weight.grad: None",
    ],
    "mlp_training": [*[Rx(rf"step {i}: loss \d+\.\d{{4}}") for i in range(8)],
                     "loss fell at every step: True",
                     "final loss below a tenth of the first: True"],
    "vanishing_gradients": [
        "Sigmoid", *[Rx(rf"  layer {i}: weight grad norm \d\.\d{{3}}e[-+]\d\d")
                     for i in reversed(range(10))],
        Rx(r"  last/first layer ratio: \d\.\de\+\d\d"),
        "ReLU", *[Rx(rf"  layer {i}: weight grad norm \d\.\d{{3}}e[-+]\d\d")
                  for i in reversed(range(10))],
        Rx(r"  last/first layer ratio: \d\.\de\+\d\d"),
        "sigmoid shrinks the gradient over 100x more than ReLU: True",
    ],
    "full_vs_legacy_hooks": [
        "legacy  grad_input [(1, 1, 8, 8), (4, 1, 3, 3), (4,)]  grad_output [(1, 4, 6, 6)]",
        "full    grad_input [(1, 1, 8, 8)]  grad_output [(1, 4, 6, 6)]",
        "same input gradient: True",
        "legacy  grad_input [(1, 4, 6, 6)]  grad_output [(1, 4, 6, 6)]",
        "full    grad_input [(1, 1, 8, 8)]  grad_output [(1, 4, 6, 6)]",
    ],
    "nan_origin": ["tensor([0., 2.], grad_fn=<WhereBackward0>)", "tensor([   nan, 0.2500])"],
    "inplace_error": ["0", "1", "AddBackward0 ExpBackward0"],
    "shared_subgraph": ["gradient arriving at a: tensor([ 1.0000, -0.3012, -1.3254])",
                        "tensor([ 2.0000, -0.6023, -2.6509])", "True"],
    "custom_function": ["tensor([ 3., 12.])", "BadCubeBackward", "tensor([1., 4.])", "True"],
    "long_chain": ["MulBackward0", "tensor([2.7186, 2.7186, 2.7186])", "2.7181"],
    "grad_is_none": ["tensor([4., 5.])", "None None None None None", "None"],
    "hook_effects": [Rx(r"weight grad norm: 6\.7082\d*"), "y's gradient: tensor([1.9894, 2.7586])",
                     "MulBackward0 receives tensor([1.9894, 2.7586])",
                     "MulBackward0 gives x tensor([5.9682, 8.2759])", "tensor([5.9682, 8.2759])"],
    "inplace_warning": ["1", "tensor(3., grad_fn=<SumBackward0>)"],
    "exploding_gradients": [
        *[Rx(rf"step {i}: loss \d\.\d{{3}}e\+\d\d  largest weight grad norm "
             rf"\d\.\d{{3}}e\+\d\d") for i in range(5)],
        "the loss grew at every step: True", "last loss over 1e12 times the first: True"],
    "training_loop": [
        *[Rx(rf"step {i}: loss \d\.\d{{4}}  accuracy \d\.\d{{3}}") for i in range(10, 51, 10)],
        "accuracy rose: True", "last 10 losses below the first 10 on average: True"],
}

#: What each scenario writes to stderr: warnings in order, then the error's last line.
STDERR: dict[str, list[str]] = {
    "seed_01_grad_basics": [
        "seed_01_grad_basics.py:29: UserWarning: The .grad attribute of a Tensor that is not a "
        "leaf Tensor is being accessed. Its .grad attribute won't be populated during "
        "autograd.backward().", "print(y.grad)"],
    "seed_02_requires_grad_false": [
        "Traceback (most recent call last):", "y.backward(gradients)",
        "RuntimeError: element 0 of tensors does not require grad and does not have a "
        "grad_fn\n"],
    "seed_03_backward_twice": [
        "Traceback (most recent call last):", "y.backward(gradients)",
        "RuntimeError: Trying to backward through the graph a second time (or directly access "
        "saved tensors after they have already been freed). Saved intermediate values of the "
        "graph are freed when you call .backward() or autograd.grad(). Specify "
        "retain_graph=True if you need to backward through the graph a second time or if you "
        "need to access saved tensors after calling backward.\n"],
    "seed_08_backward_hook": [
        "FutureWarning: Using a non-full backward hook when the forward contains multiple "
        "autograd Nodes is deprecated and will be removed in future versions. This hook will "
        "be missing some grad_input. Please use register_full_backward_hook to get the "
        "documented behavior."],
    "full_vs_legacy_hooks": [
        "FutureWarning: Using a non-full backward hook when the forward contains multiple "
        "autograd Nodes is deprecated"],
    "nan_origin": [
        "UserWarning: Anomaly Detection has been enabled. This mode will increase the runtime "
        "and should only be enabled for debugging.",
        "UserWarning: Error detected in SqrtBackward0. Traceback of forward call that caused "
        "the error:", 'nan_origin.py", line 32, in <module>',
        "y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))",
        "Traceback (most recent call last):",
        "RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.\n"],
    "inplace_error": [
        "Traceback (most recent call last):", "loss.backward()",
        "RuntimeError: one of the variables needed for gradient computation has been modified "
        "by an inplace operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at "
        "version 1; expected version 0 instead. Hint: enable anomaly detection to find the "
        "operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).\n"],
    "grad_is_none": [
        "grad_is_none.py:32: UserWarning: The .grad attribute of a Tensor that is not a leaf "
        "Tensor is being accessed.", "print(hidden.grad)"],
    "custom_function": [
        "Traceback (most recent call last):", "gradcheck(BadCube.apply, inputs)",
        "GradcheckError: Jacobian mismatch for output 0 with respect to input 0,\n"
        "numerical:tensor([[ 3.0000,  0.0000],\n        [ 0.0000, 12.0000]], "
        "dtype=torch.float64)\nanalytical:tensor([[1., 0.],\n        [0., 4.]], "
        "dtype=torch.float64)\n"],
}


def match_lines(actual: list[str], expected: list) -> None:
    assert len(actual) == len(expected), (
        f"{len(actual)} lines printed, {len(expected)} expected:\n" + "\n".join(actual))
    for number, (line, want) in enumerate(zip(actual, expected), 1):
        if isinstance(want, Rx):
            assert want.pattern.fullmatch(line), f"line {number}: {line!r} !~ {want!r}"
        else:
            assert line == want, f"line {number}: {line!r} != {want!r}"


def test_every_scenario_has_expectations():
    assert sorted(STDOUT) == sorted(ALL)


RUNS = {"engine": plain, "torch": with_torch}


@pytest.mark.parametrize("library", RUNS)
@pytest.mark.parametrize("name", ALL)
def test_plain_run_prints_what_torch_prints(name, library):
    run = RUNS[library](name)
    assert run.returncode == (1 if name in FAILING else 0), run.describe()
    match_lines(run.stdout.splitlines(), STDOUT[name])


@pytest.mark.parametrize("library", RUNS)
@pytest.mark.parametrize("name", ALL)
def test_plain_run_warnings_and_error(name, library):
    run = RUNS[library](name)
    expected = STDERR.get(name, [])
    if expected:
        assert_in_order(run.stderr, expected, what=f"stderr of {name}")
    else:
        assert run.stderr == "", run.describe()
    if name in FAILING:
        assert run.stderr.rstrip().endswith(expected[-1].rstrip()), run.describe()


@pytest.mark.parametrize("name", ALL)
def test_dump_shows_every_line_the_script_prints(name):
    """The scenario's own output appears in the dump's timeline, in the same order."""
    printed = [line for line in plain(name).stdout.splitlines() if line.strip()]
    events = dump(name).stdout.split("\n== graph\n")[0]
    assert_in_order(events, [f"  {line}\n" for line in printed], what=f"dump of {name}")
