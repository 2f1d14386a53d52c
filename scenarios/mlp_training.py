"""Training is forward, backward, step, zero_grad: the loss falls over 8 SGD steps.

A 2-16-1 MLP (Linear, Tanh, Linear) fits y = x0 - 2*x1 + noise on 64 synthetic points with
MSELoss and SGD (lr 0.1), for 8 steps. Look at, in graphtui:
- one graph per step: MseLossBackward0 <- AddmmBackward0 <- TanhBackward0 <- AddmmBackward0,
  with TBackward0 on each weight and AccumulateGrad on each parameter;
- each backward writing the four parameters' .grad afresh ("0.weight.grad = ...", never
  "+=" as in seed_04): optimizer.zero_grad() set them back to None before -- without it
  they would add up across steps;
- optimizer.step() changing each parameter in place (its version counter goes up);
- the printed loss falling step after step.

Finishes normally (exit status 0).
"""
import torch
import torch.nn as nn

torch.manual_seed(0)

X = torch.randn(64, 2)
y = (X[:, 0] - 2 * X[:, 1]).unsqueeze(1) + 0.1 * torch.randn(64, 1)

model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

losses = []
for step in range(8):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    print(f'step {step}: loss {loss.item():.4f}')

print('loss fell at every step:', all(b < a for a, b in zip(losses, losses[1:])))
print('final loss below a tenth of the first:', losses[-1] < losses[0] / 10)
