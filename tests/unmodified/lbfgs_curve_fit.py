# Fit a damped oscillation with L-BFGS: the closure pattern from the torch.optim docs.
import math

import torch

torch.manual_seed(0)

t = torch.linspace(0, 4, 60)
y = 1.5 * torch.exp(-0.6 * t) * torch.cos(2.2 * t) + 0.05 * torch.randn(60)

amplitude = torch.tensor(1.0, requires_grad=True)
decay = torch.tensor(0.3, requires_grad=True)
frequency = torch.tensor(2.0, requires_grad=True)
params = [amplitude, decay, frequency]


def model(t):
    return amplitude * torch.exp(-decay * t) * torch.cos(frequency * t)


optimizer = torch.optim.LBFGS(params, lr=1, max_iter=20, history_size=10,
                              line_search_fn="strong_wolfe")
evaluations = 0


def closure():
    global evaluations
    evaluations += 1
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(t), y)
    loss.backward()
    return loss


for step in range(4):
    loss = optimizer.step(closure)
    print(f"step {step}: loss {loss.item():.6f}  evaluations so far {evaluations}")

print("amplitude %.4f  decay %.4f  frequency %.4f" % tuple(p.item() for p in params))
state = optimizer.state[params[0]]
print("iterations", state["n_iter"], "function evaluations", state["func_evals"])
print("history", len(state["old_dirs"]), "pairs")
print("period", round(2 * math.pi / frequency.item(), 3))

# a second fit, plain L-BFGS steps without line search
weights = torch.zeros(3, requires_grad=True)
features = torch.stack([torch.ones(60), t, t * t], dim=1)
target = 0.5 - 0.25 * t + 0.1 * t * t
plain = torch.optim.LBFGS([weights], lr=0.5, max_iter=5)


def quadratic_closure():
    plain.zero_grad()
    loss = ((features @ weights - target) ** 2).mean()
    loss.backward()
    return loss


for step in range(3):
    print("quadratic", step, round(plain.step(quadratic_closure).item(), 5))
print("weights", [round(w, 3) for w in weights.tolist()])
