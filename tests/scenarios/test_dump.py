"""Every scenario under ``python -m graphtui dump``: exit status, and the key lines of its
lesson in the order they happen (node names, hook firings, buffers freed, grads, warnings,
errors, the scenario's own prints). Fragments are matched in order, each after the last.
"""
from __future__ import annotations

import re
import sys

import pytest
import torch

import oracle
from scenario_support import ALL, FAILING, REPO, assert_in_order, dump

sys.path.insert(0, str(REPO / "tests" / "engine" / "nn"))
import nn_cases  # noqa: E402  (the tutorial's SimpleNet, for torch)

FREED_TWICE = ("Trying to backward through the graph a second time (or directly access saved "
               "tensors after they have already been freed)")
NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"
NON_LEAF = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"
LEGACY_WARNING = ("FutureWarning: Using a non-full backward hook when the forward contains "
                  "multiple autograd Nodes is deprecated")
VERSION_ERROR = ("RuntimeError: one of the variables needed for gradient computation has been "
                 "modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 "
                 "of Exp, is at version 1; expected version 0 instead.")

#: The SimpleNet forward, as the timeline shows it.
SIMPLENET_FORWARD = [
    "SimpleNet (SimpleNet) forward start [1, 1, 28, 28]",
    "conv1 (Conv2d) forward start [1, 1, 28, 28]", "ConvolutionBackward0 recorded in conv1",
    "conv1 (Conv2d) forward end [1, 10, 24, 24]", "ReluBackward0 recorded",
    "MaxPool2DWithIndicesBackward0 recorded in pool1",
    "conv2 (Conv2d) forward end [1, 20, 8, 8]", "MaxPool2DWithIndicesBackward0 recorded in pool2",
    "ViewBackward0 recorded", "TBackward0 recorded in fc", "AddmmBackward0 recorded in fc",
    "AddmmBackward0 recorded in out", "SimpleNet (SimpleNet) forward end [1, 10]",
]
#: SimpleNet's graph as the tree prints it (the root's subtree, indentation ignored).
SIMPLENET_TREE = [
    "ReluBackward0", "AddmmBackward0", "AccumulateGrad (out.bias)", "ReluBackward0",
    "AddmmBackward0", "AccumulateGrad (fc.bias)", "ViewBackward0",
    "MaxPool2DWithIndicesBackward0", "ReluBackward0", "ConvolutionBackward0",
    "MaxPool2DWithIndicesBackward0", "ReluBackward0", "ConvolutionBackward0", "None",
    "AccumulateGrad (conv1.weight)", "AccumulateGrad (conv1.bias)",
    "AccumulateGrad (conv2.weight)", "AccumulateGrad (conv2.bias)", "TBackward0",
    "AccumulateGrad (fc.weight)", "TBackward0", "AccumulateGrad (out.weight)",
]

EXPECTED: dict[str, list[str]] = {
    "seed_01_grad_basics": [
        "== events", "  None\n", "tensor x [2] float32 requires_grad",
        "MulBackward0 recorded at", "tensor y [2] float32 requires_grad",
        "backward started from y", "MulBackward0 receives [2]",
        "MulBackward0 produced [2], None", "MulBackward0 freed other",
        "AccumulateGrad (x) receives [2]", "x.grad = [2] float32 [300, 0.3]",
        "backward finished", "tensor([300.0000,   0.3000])", NON_LEAF, "None",
        "run finished",
        "== graph", "MulBackward0  [freed]", "AccumulateGrad (x)  [done]", "None",
        "== tensors", "x: [2] float32", "grad [2] float32 [300, 0.3]", "y: [2] float32",
        "grad None", "== run finished",
    ],
    "seed_02_requires_grad_false": [
        "MulBackward0 recorded at", "backward started from y",
        "x.grad = [2] float32 [300, 0.3]", "tensor([300.0000,   0.3000])",
        "tensor x [2] float32\n", "tensor y [2] float32\n", "None",
        "RuntimeError: " + NO_GRAD_FN, "run failed: RuntimeError: " + NO_GRAD_FN,
        "== graph", "MulBackward0  [freed]", "\ny\n", "== run failed",
        "Traceback (most recent call last):", "seed_02_requires_grad_false.py\", line",
        "y.backward(gradients)", "RuntimeError: " + NO_GRAD_FN,
    ],
    "seed_03_backward_twice": [
        "MulBackward0 recorded at", "backward started from y", "MulBackward0 receives [2]",
        "MulBackward0 freed other (8 B of activations)", "x.grad = [2] float32 [300, 0.3]",
        "backward finished", "tensor([300.0000,   0.3000])",
        "backward started from y", "MulBackward0 receives [2]", "RuntimeError: " + FREED_TWICE,
        "backward failed", "run failed: RuntimeError: " + FREED_TWICE,
        "== graph", "MulBackward0  [error]", "AccumulateGrad (x)", "== run failed",
        "seed_03_backward_twice.py\", line", "RuntimeError: " + FREED_TWICE,
    ],
    "seed_04_retain_graph": [
        "MulBackward0 recorded at", "backward started from y (retain_graph)",
        "MulBackward0 produced [2], None", "x.grad = [2] float32 [300, 0.3]",
        "backward finished", "tensor([300.0000,   0.3000])",
        "backward started from y\n", "MulBackward0 produced [2], None",
        "MulBackward0 freed other (8 B of activations)", "x.grad += [300, 0.3], now [2] float32 [600, 0.6]",
        "backward finished", "tensor([600.0000,   0.6000])", "run finished",
        "== graph", "MulBackward0  [freed]", "AccumulateGrad (x)  [done]",
        "grad [2] float32 [600, 0.6]", "== saved memory retained: 0 B", "== run finished",
    ],
    "seed_05_grad_fn": [
        "MulBackward0 recorded at", "tensor y [2] float32 requires_grad",
        "DivBackward0 recorded at", "tensor z [2] float32 requires_grad",
        "AddBackward0 recorded at", "tensor w [2] float32 requires_grad",
        "grad_fn=<AddBackward0>)", "grad_fn=<MulBackward0>)", "grad_fn=<DivBackward0>)",
        "w AddBackward0 [('AccumulateGrad', 0), ('MulBackward0', 0)]",
        "y MulBackward0 [('AccumulateGrad', 0), (None, 0)]",
        "z DivBackward0 [('AccumulateGrad', 0), (None, 0)]", "run finished",
        "== graph", "DivBackward0  [pending]", "AccumulateGrad (x)  [pending]", "None",
        "AddBackward0  [pending]", "AccumulateGrad (x)  [pending]", "MulBackward0  [pending]",
        "AccumulateGrad (x)  [pending]", "None", "== run finished",
    ],
    "seed_06_forward_hooks": [
        "registered forward hook hook_func on conv1",
        "registered forward hook hook_func on conv2", "RemovableHandle RemovableHandle",
        "conv1 (Conv2d) forward start [1, 1, 28, 28]", "Inside Conv2d forward",
        "input: <class 'tuple'>", "input[0] shape: torch.Size([1, 1, 28, 28])",
        "output shape: torch.Size([1, 10, 24, 24])",
        "fired forward hook hook_func on conv1", "([1, 1, 28, 28]), [1, 10, 24, 24]",
        "conv1 (Conv2d) forward end [1, 10, 24, 24]",
        "conv2 (Conv2d) forward start [1, 10, 12, 12]", "Inside Conv2d forward",
        "input[0] shape: torch.Size([1, 10, 12, 12])",
        "output shape: torch.Size([1, 20, 8, 8])",
        "fired forward hook hook_func on conv2", "([1, 10, 12, 12]), [1, 20, 8, 8]",
        "SimpleNet (SimpleNet) forward end [1, 10]",
        "torch.Size([1, 10]) ReluBackward0", "run finished",
        "== graph", *SIMPLENET_TREE, "== run finished",
    ],
    "seed_07_forward_pre_hook": [
        "registered forward_pre hook hook_pre on conv1",
        "conv1 (Conv2d) forward start [1, 1, 28, 28]", "Inside Conv2d forward",
        "input:  <class 'tuple'>", "input[0] shape:  torch.Size([1, 1, 28, 28])",
        "fired forward_pre hook hook_pre on conv1", "([1, 1, 28, 28])",
        "ConvolutionBackward0 recorded in conv1", "conv1 (Conv2d) forward end [1, 10, 24, 24]",
        "SimpleNet (SimpleNet) forward end [1, 10]", "run finished",
    ],
    "seed_08_backward_hook": [
        "registered backward hook hook_grad on conv1", *SIMPLENET_FORWARD[:3],
        LEGACY_WARNING, "conv1 (Conv2d) forward end [1, 10, 24, 24]",
        "CrossEntropyLoss (CrossEntropyLoss) forward start [1, 10], [1]",
        "LogSoftmaxBackward0 recorded in CrossEntropyLoss",
        "NllLossBackward0 recorded in CrossEntropyLoss", "tensor err [] float32 requires_grad",
        "backward started from err", "NllLossBackward0 receives []",
        "LogSoftmaxBackward0 receives [1, 10]", "AddmmBackward0 produced [10], [1, 50], [50, 10]",
        "out.bias.grad = [10]", "ViewBackward0 produced [1, 20, 4, 4]",
        "MaxPool2DWithIndicesBackward0 produced [1, 20, 8, 8]",
        "ConvolutionBackward0 produced [1, 10, 12, 12], [20, 10, 5, 5], [20]",
        "ConvolutionBackward0 receives [1, 10, 24, 24]", "Inside Conv2d backward",
        "grad_input len:  3", "grad_input[1] shape:  torch.Size([10, 1, 5, 5])",
        "grad_input[2] shape:  torch.Size([10])", "grad_output len:  1",
        "grad_output[0] shape:  torch.Size([1, 10, 24, 24])",
        "fired backward hook hook_grad on conv1 args (None, [10, 1, 5, 5], [10]), "
        "([1, 10, 24, 24])",
        "ConvolutionBackward0 produced None, [10, 1, 5, 5], [10]",
        "conv1.weight.grad = [10, 1, 5, 5]", "conv1.bias.grad = [10]", "backward finished",
        "run finished", "== graph", "NllLossBackward0  [freed]", "LogSoftmaxBackward0  [freed]",
        "== saved memory retained: 0 B", "== run finished",
    ],
    "seed_09_remove_hook": [
        "registered forward hook hook_func on conv1", "Inside Conv2d forward",
        "input[0] shape: torch.Size([1, 1, 28, 28])",
        "output shape: torch.Size([1, 10, 24, 24])", "fired forward hook hook_func on conv1",
        "SimpleNet (SimpleNet) forward end [1, 10]", "removed forward hook hook_func on conv1",
        "SimpleNet (SimpleNet) forward start [1, 1, 28, 28]",
        "conv1 (Conv2d) forward end [1, 10, 24, 24]", "SimpleNet (SimpleNet) forward end [1, 10]",
        "second forward done, hook removed", "run finished",
    ],
    "seed_10_cam_features": [
        "registered forward hook hook_feat on conv2", "ConvolutionBackward0 recorded in conv2",
        "fired forward hook hook_feat on conv2", "([1, 10, 12, 12]), [1, 20, 8, 8]",
        "SelectBackward0 recorded",
        "saved activation: torch.Size([1, 20, 8, 8]) ConvolutionBackward0", "class: ",
        "SelectBackward0 recorded", "SelectBackward0 receives []", "ReluBackward0 receives [1, 10]",
        "ViewBackward0 produced [1, 20, 4, 4]", "ReluBackward0 receives [1, 20, 8, 8]",
        "backward finished", "gradient of the class score: torch.Size([1, 20, 8, 8])",
        "cam: torch.Size([8, 8])", "tensor([[", "conv1.weight.grad: None", "run finished",
        "== graph", "SelectBackward0  [done]", "ConvolutionBackward0  [pending]",
        "== tensors", "save_feat[0]: [1, 20, 8, 8] float32", "grad None",
        "cam: [8, 8] float32", "== run finished",
    ],
    "mlp_training": [
        "0 (Linear) forward start [64, 2]", "AddmmBackward0 recorded in 0",
        "TanhBackward0 recorded", "AddmmBackward0 recorded in 2", "MseLossBackward0 recorded",
        "MseLossBackward0 receives []", "TanhBackward0 receives [64, 16]",
        "0.weight.grad = [16, 2]", "backward finished", "0.weight modified in place by",
        "step 0: loss", "MseLossBackward0 receives []", "0.weight.grad = [16, 2]",
        "step 1: loss", "step 7: loss", "loss fell at every step: True",
        "final loss below a tenth of the first: True", "run finished",
        "== graph", "MseLossBackward0", "AddmmBackward0", "TanhBackward0", "== run finished",
    ],
    "vanishing_gradients": [
        "SigmoidBackward0 recorded", "MseLossBackward0 recorded", "MseLossBackward0 receives []",
        "SigmoidBackward0 receives [16, 32]", "18.weight.grad = [32, 32]",
        "2.weight.grad = [32, 32]", "0.weight.grad = [32, 32]", "Sigmoid",
        "layer 9: weight grad norm",
        "layer 0: weight grad norm", "last/first layer ratio:",
        "ReluBackward0 recorded", "ReLU", "layer 9: weight grad norm",
        "layer 0: weight grad norm",
        "sigmoid shrinks the gradient over 100x more than ReLU: True", "run finished",
    ],
    "full_vs_legacy_hooks": [
        "registered backward hook", "registered full_backward hook",
        "ConvolutionBackward0 recorded in Conv2d", LEGACY_WARNING,
        "ConvolutionBackward0 receives [1, 4, 6, 6]",
        "legacy  grad_input [(1, 1, 8, 8), (4, 1, 3, 3), (4,)]  grad_output [(1, 4, 6, 6)]",
        "fired backward hook", "([1, 1, 8, 8], [4, 1, 3, 3], [4]), ([1, 4, 6, 6])",
        "BackwardHookFunctionBackward recorded in Conv2d",
        "full    grad_input [(1, 1, 8, 8)]  grad_output [(1, 4, 6, 6)]",
        "fired full_backward hook", "([1, 1, 8, 8]), ([1, 4, 6, 6])",
        "same input gradient: True",
        "ReluBackward0 recorded in ConvRelu", "ReluBackward0 receives [1, 4, 6, 6]",
        "legacy  grad_input [(1, 4, 6, 6)]  grad_output [(1, 4, 6, 6)]",
        "full    grad_input [(1, 1, 8, 8)]  grad_output [(1, 4, 6, 6)]", "run finished",
    ],
    "nan_origin": [
        "SqrtBackward0 recorded at", "WhereBackward0 recorded at",
        "tensor([0., 2.], grad_fn=<WhereBackward0>)", "WhereBackward0 produced [2], None",
        "SqrtBackward0 receives [2]", "SqrtBackward0 produced [2]",
        "x.grad = [2] float32 [nan, 0.25]", "tensor([   nan, 0.2500])",
        "Anomaly Detection has been enabled", "SqrtBackward0 receives [2]",
        "RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.",
        "backward failed", "run failed", "== graph", "SqrtBackward0  [error", "== run failed",
        "nan_origin.py\", line",
        "RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.",
    ],
    "inplace_error": [
        "ExpBackward0 recorded at", "0\n", "AddBackward0 recorded at",
        "h modified in place by add_ (version 1)", "1\n", "AddBackward0 ExpBackward0",
        "backward started from loss", "AddBackward0 produced [3], None",
        "ExpBackward0 receives [3]", VERSION_ERROR, "backward failed", "run failed",
        "== graph", "ExpBackward0  [error]", "== run failed", "inplace_error.py\", line",
        VERSION_ERROR,
    ],
    "shared_subgraph": [
        "MulBackward0 recorded at", "SinBackward0 recorded at", "CosBackward0 recorded at",
        "AddBackward0 recorded at", "AddBackward0 produced [3], [3]",
        "CosBackward0 receives [3]", "SinBackward0 receives [3]",
        "gradient arriving at a: tensor([ 1.0000, -0.3012, -1.3254])",
        "MulBackward0 receives [3]", "x.grad = [3] float32 [2, -0.6023, -2.651]",
        "backward finished", "tensor([ 2.0000, -0.6023, -2.6509])", "True", "run finished",
        "== graph", "AddBackward0  [done]", "SinBackward0  [freed]", "MulBackward0  [freed]",
        "CosBackward0  [freed]", "MulBackward0  [freed]  (shown above)", "== run finished",
    ],
    "custom_function": [
        "CubeBackward recorded at", "CubeBackward receives [2]", "CubeBackward produced [2]",
        "x.grad = [2] float32 [3, 12]", "tensor([ 3., 12.])",
        "BadCubeBackward recorded at", "BadCubeBackward\n", "BadCubeBackward produced [2]",
        "x.grad = [2] float32 [1, 4]", "tensor([1., 4.])", "True",
        "run failed: GradcheckError: Jacobian mismatch for output 0 with respect to input 0",
        "== graph", "CubeBackward", "BadCubeBackward", "== run failed",
        "custom_function.py\", line",
        "GradcheckError: Jacobian mismatch for output 0 with respect to input 0,",
        "numerical:tensor([[ 3.0000,  0.0000],", "analytical:tensor([[1., 0.],",
    ],
    "grad_is_none": [
        "tensor w [2] float32 requires_grad", "backward started from loss", "w.grad = [2]",
        "tensor([4., 5.])", "None None None None None", "UserWarning: The .grad attribute",
        "run finished", "== graph", "SumBackward0  [done]", "== run finished",
    ],
    "hook_effects": [
        "registered tensor hook", "registered post_accumulate_grad hook", "AddmmBackward0 recorded",
        "registered full_backward hook", "backward started from loss", "fired tensor hook",
        "y's gradient: tensor([1.9894, 2.7586])", "x.grad = [2] float32 [5.968, 8.276]",
        "run finished", "== run finished",
    ],
    "inplace_warning": [
        "SigmoidBackward0 recorded at", "s modified in place by mul_ (version 1)", "1\n",
        "SumBackward0 recorded at", "tensor(3., grad_fn=<SumBackward0>)", "run finished",
        "== graph", "SumBackward0  [pending]", "== run finished",
    ],
    "long_chain": [
        "MulBackward0 recorded at", "backward started from", "MulBackward0 receives [3]",
        "x.grad = [3] float32 [2.719, 2.719, 2.719]", "backward finished", "MulBackward0\n",
        "tensor([2.7186, 2.7186, 2.7186])", "2.7181", "run finished",
        "== graph", "MulBackward0  [freed]", "== saved memory retained: 0 B", "== run finished",
    ],
    "memory_mlp": [
        "AddmmBackward0 recorded in 0", "ReluBackward0 recorded in 1", "MseLossBackward0 recorded",
        "loss torch.Size([]) MseLossBackward0", "backward started from loss (retain_graph)",
        "backward finished", "backward started from loss", "ReluBackward0 freed result (128.0 KiB of activations)",
        "backward finished", "weight grad torch.Size([512, 256])", "run finished",
        "== saved memory retained: 0 B (activations; peak 386.5 KiB after event ",
        "; freed 386.5 KiB)",
        "not counted (their owners hold them), retained now: parameters 0 B, inputs 0 B",
        "timeline |", "backward 1 (retain_graph) kept 7 saved activations alive, 386.5 KiB: "
        "ReluBackward0.result, AddmmBackward0.mat1, ReluBackward0.result, AddmmBackward0.mat1, "
        "ReluBackward0.result, AddmmBackward0.mat1, … 1 more\n",
        "backward 2 freed 12 saved buffers, 386.5 KiB of memory",
        "by module (retained / freed):", "  1  0 B / 128.0 KiB", "  (top level)  0 B / 2.5 KiB",
        "    mat1 [64, 256] float32 64.0 KiB  input leaf (not counted)  freed",
        "    result [64, 512] float32 128.0 KiB  activation  freed",
        "    mat1 [64, 512] float32 128.0 KiB  same memory as ReluBackward0.result (node 5)",
        "    mat2 [512, 512] float32 1.0 MiB  parameter (no extra memory)  freed",
        "  MseLossBackward0 (node 20)  retained 0 B, freed 2.5 KiB", "== run finished",
    ],
    "exploding_gradients": [
        "MseLossBackward0 recorded", "backward started from loss", "0.weight.grad = [32, 32]",
        "step 0: loss", "step 4: loss", "the loss grew at every step: True", "run finished",
        "== graph", "backward 5 of 5 · MseLossBackward0 → loss = 7.829e+17",
        "== iterations: 5 backward passes", "    1  MseLossBackward0 → loss", "118.791",
        "exploding_gradients.py:41", "    5  MseLossBackward0 → loss", "7.82866e+17",
    ],
    "training_loop": [
        "step 10: loss", "step 50: loss", "accuracy rose: True",
        "run finished", "== graph", "44 earlier backward passes",
        "backward 49 · NllLossBackward0 → loss", "backward 50 of 50 · NllLossBackward0 → loss",
        "5 graphs built without a backward", "== iterations: 50 backward passes",
        "   50  NllLossBackward0 → loss",
    ],
}


def test_every_scenario_has_expectations():
    assert sorted(EXPECTED) == sorted(ALL)


@pytest.mark.parametrize("name", ALL)
def test_dump_exit_status(name):
    run = dump(name)
    expected = 1 if name in FAILING else 0
    assert run.returncode == expected, run.describe()
    assert "internal error" not in run.stderr, run.describe()


@pytest.mark.parametrize("name", ALL)
def test_dump_key_lines(name):
    run = dump(name)
    assert_in_order(run.stdout, EXPECTED[name], what=f"dump of {name}")


@pytest.mark.parametrize("name", ALL)
def test_dump_sections_and_status_line(name):
    out = dump(name).stdout
    assert_in_order(out, ["== events\n", "== graph\n", "== tensors\n",
                          "== saved memory retained: "])
    status = "failed" if name in FAILING else "finished"
    assert f"\n== run {status}\n" in out


@pytest.mark.parametrize("name", sorted(FAILING))
def test_failing_scenarios_print_the_scenarios_traceback_not_graphtuis(name):
    out = dump(name).stdout
    traceback = out[out.index("\n== run failed\n"):]
    assert f'scenarios/{name}.py", line' in traceback
    assert "graphtui/" not in traceback.replace(f"scenarios/{name}.py", "")
    assert "runpy" not in traceback


@pytest.mark.parametrize("name", ["seed_03_backward_twice", "seed_04_retain_graph"])
def test_buffer_freed_only_by_the_backward_that_does_not_retain(name):
    events = dump(name).stdout.split("== graph")[0]
    backwards = events.split("backward started from y")[1:]
    assert len(backwards) == 2
    if name == "seed_04_retain_graph":
        assert "freed other" not in backwards[0] and "freed other" in backwards[1]
    else:
        assert "freed other" in backwards[0] and "RuntimeError" in backwards[1]


def test_mlp_training_zero_grad_means_fresh_grads_every_step():
    out = dump("mlp_training").stdout
    assert out.count("0.weight.grad = [16, 2]") == 8
    assert ".grad +=" not in out


def test_nan_origin_names_the_forward_line_under_anomaly_mode():
    out = dump("nan_origin").stdout
    assert "Error detected in SqrtBackward0" in out
    assert 'nan_origin.py", line 32, in <module>' in out


def test_nan_origin_forward_traceback_has_only_the_scenarios_frames():
    """As under plain python (and PyTorch): the forward's traceback starts at the scenario."""
    out = dump("nan_origin").stdout
    start = out.index("Error detected in SqrtBackward0")
    warning = out[start:out.index("returned nan values", start)]
    frames = re.findall(r'File "([^"]+)", line \d+', warning)
    assert frames and all(f.endswith("scenarios/nan_origin.py") for f in frames), frames


def test_long_chain_under_dump_shows_every_node():
    """10,000 chained ops, each node's backward in the dump. (How long it takes is
    benchmarks/chain_100k.py's business: a timed test fails on a busy machine.)"""
    run = dump("long_chain")
    assert run.returncode == 0, run.describe()
    events = re.findall(r"^\s*\d+  MulBackward0 receives", run.stdout, flags=re.M)
    assert len(events) == 10_000


def torch_node_label(node, parameter_names) -> str:
    if node is None:
        return "None"
    if hasattr(node, "variable"):
        return f"AccumulateGrad ({parameter_names[id(node.variable)]})"
    return node.name()


def torch_tree(node, parameter_names, depth=0) -> str:
    """A grad_fn tree as the dump's graph section draws it (depth first, next_functions
    order, two spaces a level)."""
    text = "  " * depth + torch_node_label(node, parameter_names) + "\n"
    for child, _ in (node.next_functions if node is not None else ()):
        text += torch_tree(child, parameter_names, depth + 1)
    return text


def torch_simplenet():
    """The tutorial's SimpleNet in torch 2.13: its output's grad_fn tree, and the order its
    nodes run in CrossEntropyLoss's backward (a pre-hook on every node)."""
    net = nn_cases.simplenet_class(oracle.namespace(torch))()
    parameter_names = {id(param): name for name, param in net.named_parameters()}
    out = net(torch.randn(1, 1, 28, 28))
    loss = torch.nn.CrossEntropyLoss()(out, torch.tensor([3]))
    order, stack, seen = [], [loss.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        label = torch_node_label(node, parameter_names)
        node.register_prehook(lambda grads, label=label: order.append(label))
        stack.extend(child for child, _ in node.next_functions)
    loss.backward()
    return torch_tree(out.grad_fn, parameter_names), order


def test_simplenet_graph_is_torchs_tree():
    out = dump("seed_06_forward_hooks").stdout
    graph = out.split("== graph\n")[1]
    graph = graph[:graph.index("\n== ") + 1]          # up to the next section
    assert re.sub(r"  \[\w+\]", "", graph) == torch_simplenet()[0]


def test_simplenet_backward_runs_nodes_in_torchs_order():
    out = dump("seed_08_backward_hook").stdout
    ran = re.findall(r"^\s*\d+  (\w+(?: \([\w.]+\))?) receives", out, flags=re.M)
    assert ran == torch_simplenet()[1]
