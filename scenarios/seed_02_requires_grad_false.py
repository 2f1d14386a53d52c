"""Without requires_grad there is no graph: y = x*3 has no grad_fn and backward fails.

The tutorial's requires_grad lesson (cells 4-5). Look at, in graphtui:
- first run (requires_grad=True): MulBackward0 -> AccumulateGrad (x), x.grad = [300, 0.3];
- second run (requires_grad=False): no node is recorded for y = x*3 (nothing requires a
  gradient, so nothing is remembered), and the backward call fails at once:
  "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn".
  The error names y as the root; there is nothing to walk.

Ends with that RuntimeError, as the tutorial's cell does (exit status 1; the last print
never runs).
"""
import torch

torch.manual_seed(0)

# In [4]: requires_grad=True -- backward works.
x = torch.randn(2, requires_grad=True)
y = x * 3
gradients = torch.tensor([100, 0.1], dtype=torch.float)
y.backward(gradients)
print(x.grad)

# In [5]: requires_grad=False -- y has no grad_fn, so there is no graph to go back through.
x = torch.randn(2, requires_grad=False)
y = x * 3
print(y.grad_fn)
gradients = torch.tensor([100, 0.1], dtype=torch.float)
y.backward(gradients)  # RuntimeError: element 0 of tensors does not require grad ...
print(x.grad)
