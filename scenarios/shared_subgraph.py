"""A diamond: a tensor used twice gets both paths' gradients summed; its node runs once.

a = x * 2 feeds two branches, b = sin(a) and c = cos(a), joined by d = b + c. In backward
the gradients from SinBackward0 and CosBackward0 are added before MulBackward0 runs, so
MulBackward0 (and AccumulateGrad of x) run once, not twice. Look at, in graphtui:
- the graph: AddBackward0 -> SinBackward0 and CosBackward0, both pointing at the same
  MulBackward0 (the tree shows it twice; it is one node);
- the backward order: AddBackward0, then CosBackward0 and SinBackward0 (descending
  sequence number), and MulBackward0 only when both have delivered;
- the hook on a printing the summed gradient cos(a) - sin(a) that arrives at a;
- x.grad = 2 * (cos(2x) - sin(2x)), checked against the formula.

Finishes normally (exit status 0).
"""
import torch

x = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)
a = x * 2
a.register_hook(lambda grad: print("gradient arriving at a:", grad))
b = torch.sin(a)
c = torch.cos(a)
d = b + c
d.sum().backward()
print(x.grad)
expected = 2 * (torch.cos(2 * x) - torch.sin(2 * x))
print(torch.allclose(x.grad, expected.detach()))
