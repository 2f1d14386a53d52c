"""Exploding gradients: weights a little too large, and the loss blows up within five steps.

Six Linear(32, 32) + ReLU layers whose weights are drawn with std 0.4, where PyTorch's own
initialisation gives about 0.1 and He's sqrt(2 / 32) = 0.25: each layer then multiplies
what flows through it by about 0.4 * sqrt(32 / 2) = 1.6, forward and backward, so the
gradients reaching the weights are in the hundreds to thousands from the first step, and
plain SGD (lr 0.0005, a rate that trains the same net well with the default
initialisation) overshoots further at every step.
Look at, in graphtui:
- the iterations (backward 1 of 5 ... 5 of 5): the loss at each, about 1e2, 6e3, 5e4,
  1e5, then 8e17;
- each weight's .grad as it lands: norms in the thousands already in the first backward,
  and ten orders of magnitude more by the last;
- the printed per-step loss and the largest weight gradient norm of each step.

Finishes normally (exit status 0): nothing raises, the numbers only explode (one step more
and they are NaN: try STEPS = 6).
"""
import torch
import torch.nn as nn

torch.manual_seed(0)

DEPTH, WIDTH, STEPS = 6, 32, 5

layers = []
for _ in range(DEPTH):
    layer = nn.Linear(WIDTH, WIDTH)
    nn.init.normal_(layer.weight, std=0.4)
    layers += [layer, nn.ReLU()]
net = nn.Sequential(*layers, nn.Linear(WIDTH, 1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.0005)

x = torch.randn(16, WIDTH)
target = torch.randn(16, 1)

losses = []
for step in range(STEPS):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(net(x), target)
    loss.backward()
    largest = max(m.weight.grad.norm().item() for m in net if isinstance(m, nn.Linear))
    print(f'step {step}: loss {loss.item():.3e}  largest weight grad norm {largest:.3e}')
    losses.append(loss.item())
    optimizer.step()

print('the loss grew at every step:', all(b > a for a, b in zip(losses, losses[1:])))
print('last loss over 1e12 times the first:', losses[-1] > 1e12 * losses[0])
