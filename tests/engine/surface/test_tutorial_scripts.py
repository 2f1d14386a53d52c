"""Two programs written as PyTorch's beginner tutorials write them (device selection, a
TensorDataset in a DataLoader, nn.Sequential, CrossEntropyLoss / MSELoss, SGD / Adam, an
eval loop under no_grad, .item()), run once with torch and once with engine on the same
data and starting weights: what they print and the numbers they log agree."""
import contextlib
import io

import numpy as np
import torch

import engine

RNG = np.random.default_rng(2024)
IMAGES = RNG.uniform(0, 1, size=(48, 1, 6, 6)).astype(np.float32)
LABELS = (IMAGES.reshape(48, -1)[:, :3].sum(1) * 2).astype(np.int64) % 4
FEATURES = RNG.normal(size=(40, 3)).astype(np.float32)
TARGETS = (FEATURES @ np.array([[0.5], [-1.0], [2.0]], dtype=np.float32) + 0.3
           + 0.05 * RNG.normal(size=(40, 1)).astype(np.float32))
WEIGHT_SEED = 7


def set_weights(t, model):
    """Fixed starting weights (the same arrays in both libraries)."""
    rng = np.random.default_rng(WEIGHT_SEED)
    with t.no_grad():
        for p in model.parameters():
            p.copy_(t.tensor(rng.uniform(-0.3, 0.3, size=tuple(p.shape)), dtype=p.dtype))


def quickstart(t):
    """The quickstart: classify, train with SGD, test each epoch."""
    log = []
    device = (t.accelerator.current_accelerator().type if t.accelerator.is_available()
              else "cpu")
    print(f"Using {device} device")
    dataset = t.utils.data.TensorDataset(t.from_numpy(IMAGES), t.from_numpy(LABELS))
    train_loader = t.utils.data.DataLoader(dataset, batch_size=16)
    test_loader = t.utils.data.DataLoader(dataset, batch_size=20)
    for X, y in test_loader:
        print(f"Shape of X [N, C, H, W]: {X.shape}")
        print(f"Shape of y: {y.shape} {y.dtype}")
        break

    class NeuralNetwork(t.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = t.nn.Flatten()
            self.linear_relu_stack = t.nn.Sequential(
                t.nn.Linear(36, 16), t.nn.ReLU(), t.nn.Linear(16, 16), t.nn.ReLU(),
                t.nn.Linear(16, 4))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    model = NeuralNetwork().to(device)
    set_weights(t, model)
    print(model)
    loss_fn = t.nn.CrossEntropyLoss()
    optimizer = t.optim.SGD(model.parameters(), lr=0.5)
    for epoch in range(3):
        model.train()
        for batch, (X, y) in enumerate(train_loader):
            X, y = X.to(device), y.to(device)
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            log.append(("train loss", loss.item()))
        model.eval()
        test_loss, correct = 0, 0
        with t.no_grad():
            for X, y in test_loader:
                pred = model(X.to(device))
                test_loss += loss_fn(pred, y.to(device)).item()
                correct += (pred.argmax(1) == y).type(t.float).sum().item()
        log.append(("test loss", test_loss / len(test_loader)))
        log.append(("accuracy", correct / len(test_loader.dataset)))
        print(f"Epoch {epoch + 1}: accuracy {100 * correct / len(dataset):>0.1f}%")
    return log


def regression(t):
    """Fit a line with Adam on standardised inputs, batches of 8, the last one dropped."""
    log = []
    device = t.device("cuda" if t.cuda.is_available() else "cpu")
    x, y = t.tensor(FEATURES), t.tensor(TARGETS)
    x = (x - x.mean(0)) / x.std(0)
    loader = t.utils.data.DataLoader(t.utils.data.TensorDataset(x, y), batch_size=8,
                                     drop_last=True)
    model = t.nn.Sequential(t.nn.Linear(3, 8), t.nn.Tanh(), t.nn.LayerNorm(8),
                            t.nn.Linear(8, 1)).to(device)
    set_weights(t, model)
    optimizer = t.optim.Adam(model.parameters(), lr=0.05)
    criterion = t.nn.MSELoss()
    print(f"{len(loader)} batches per epoch on {device}")
    for epoch in range(4):
        total = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs.to(device)), targets.to(device))
            loss.backward()
            optimizer.step()
            total += loss.item()
        log.append(("epoch loss", total / len(loader)))
    with t.no_grad():
        prediction = model(x[:3])
        log.append(("prediction", prediction.squeeze(1).tolist()))
        log.append(("grad_fn under no_grad", prediction.grad_fn))
    log.append(("weight norm", model[0].weight.norm().item()))
    return log


def _run(program, module):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        log = program(module)
    return out.getvalue(), log


def _assert_same_log(expected, actual):
    assert [label for label, _ in actual] == [label for label, _ in expected]
    for (label, want), (_, got) in zip(expected, actual):
        np.testing.assert_allclose(np.asarray(got, dtype=float) if got is not None else np.nan,
                                   np.asarray(want, dtype=float) if want is not None else np.nan,
                                   rtol=2e-4, atol=2e-5, err_msg=label)


def test_quickstart_prints_and_trains_as_in_torch():
    torch_out, torch_log = _run(quickstart, torch)
    engine_out, engine_log = _run(quickstart, engine)
    assert engine_out == torch_out
    _assert_same_log(torch_log, engine_log)
    assert len(torch_log) == 3 * 3 + 3 * 2


def test_regression_prints_and_trains_as_in_torch():
    torch_out, torch_log = _run(regression, torch)
    engine_out, engine_log = _run(regression, engine)
    assert engine_out == torch_out
    _assert_same_log(torch_log, engine_log)
