"""Writes fixtures/torch_recorded.npz from torch 2.13 (run by hand, never by pytest):

    /work/torchenv/bin/python tests/engine/nn/record_torch.py

Runs recorded_cases.py with torch; the tests run the same cases with engine.
"""
import pathlib
import sys
import types

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import recorded_cases as cases  # noqa: E402

LIB = types.SimpleNamespace(torch=torch, nn=torch.nn, F=torch.nn.functional, optim=torch.optim)
OUT = pathlib.Path(__file__).parent / "fixtures" / "torch_recorded.npz"


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


def main():
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
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
