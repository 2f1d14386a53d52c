"""retain_graph=True keeps saved tensors: a second backward works, x.grad accumulates.

The tutorial's retain_graph lesson (cell 7), the fix for seed_03. Look at, in graphtui:
- MulBackward0's saved buffer (`other`) stays retained through the first backward
  (retain_graph=True), and is freed only by the second one (which does not retain);
- x.grad after each backward: [300, 0.3], then [600, 0.6] -- gradients add up in .grad,
  they are not replaced (step back and forth through history to watch it grow);
- the same graph walked twice: MulBackward0 then AccumulateGrad (x), once per backward.

Finishes normally (exit status 0).
"""
import torch

torch.manual_seed(0)

x = torch.randn(2, requires_grad=True)
y = x * 3
gradients = torch.tensor([100, 0.1], dtype=torch.float)
y.backward(gradients, retain_graph=True)
print(x.grad)
y.backward(gradients)
print(x.grad)
