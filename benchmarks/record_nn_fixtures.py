"""Records the torch 2.13 values that tests/engine/nn compares engine.nn against. Run by
hand, never by pytest (tests and engine never import torch; benchmarks/ is where torch may
be imported):

    /work/torchenv/bin/python benchmarks/record_nn_fixtures.py

It runs tests/engine/nn/recorded_cases.py and hook_scenarios.py with torch and writes
tests/engine/nn/fixtures/torch_recorded.npz (values, graphs, saved names, gradients,
optimiser trajectories) and torch_hook_outputs.json (what each scenario prints).
"""
import contextlib
import io
import json
import pathlib
import sys
import types

import numpy as np
import torch

CASES_DIR = pathlib.Path(__file__).resolve().parent.parent / "tests" / "engine" / "nn"
sys.path.insert(0, str(CASES_DIR))
import hook_scenarios  # noqa: E402
import recorded_cases as cases  # noqa: E402

LIB = types.SimpleNamespace(torch=torch, nn=torch.nn, F=torch.nn.functional, optim=torch.optim)
FIXTURES = CASES_DIR / "fixtures"


def seed_gradient(out):
    return torch.tensor(cases.det(tuple(out.shape), 99))


def record_case(name, case, arrays):
    leaves, out = case(LIB)
    arrays[f"{name}/out"] = out.detach().numpy()
    arrays[f"{name}/graph"] = np.array(cases.graph_names(out) if out.grad_fn else [])
    arrays[f"{name}/saved"] = np.array(cases.saved_names(out) if out.grad_fn else [])
    if out.grad_fn is None:
        return
    out.backward(seed_gradient(out))
    for index, tensor in enumerate(leaves):
        if tensor.grad is not None:
            arrays[f"{name}/grad{index}"] = tensor.grad.numpy()


def record_simplenet(arrays):
    for batch in (1, 4):
        net = cases.simplenet(LIB)
        x, target = cases.simplenet_batch(LIB, batch)
        loss = torch.nn.CrossEntropyLoss()(net(x), target)
        loss.backward()
        arrays[f"simplenet{batch}/loss"] = loss.detach().numpy()
        arrays[f"simplenet{batch}/graph"] = np.array(cases.graph_names(loss))
        for pname, param in net.named_parameters():
            grad = param.grad.numpy()
            # Batch 1 (the tutorial's) is kept whole; batch 4 as summaries, to keep this small.
            arrays[f"simplenet{batch}/grad/{pname}"] = grad if batch == 1 else cases.summary(grad)
    losses, net = cases.simplenet_sgd_steps(LIB)
    arrays["simplenet_sgd/losses"] = losses
    for pname, param in net.named_parameters():
        arrays[f"simplenet_sgd/param/{pname}"] = cases.summary(param.detach().numpy())


def record_values():
    arrays = {}
    for name, case in cases.CASES.items():
        record_case(name, case, arrays)
    record_simplenet(arrays)
    for name in cases.OPTIMIZERS:
        losses, rows = cases.optimizer_trajectory(LIB, name)
        arrays[f"optim/{name}/losses"], arrays[f"optim/{name}/params"] = losses, rows
    lrs, rows = cases.step_lr_trajectory(LIB)
    arrays["optim/step_lr/lrs"], arrays["optim/step_lr/params"] = lrs, rows
    arrays["torch_version"] = np.array(torch.__version__)
    path = FIXTURES / "torch_recorded.npz"
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(arrays)} arrays to {path} ({path.stat().st_size} bytes)")


def record_printed():
    outputs = {}
    for scenario in hook_scenarios.SCENARIOS:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            scenario(LIB)
        outputs[scenario.__name__] = buffer.getvalue()
    path = FIXTURES / "torch_hook_outputs.json"
    path.write_text(json.dumps(outputs, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(outputs)} scenarios to {path}")


if __name__ == "__main__":
    record_values()
    record_printed()
