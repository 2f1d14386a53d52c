"""x.grad is None until backward; y.backward(v) on y = x*3 puts 3*v in x.grad, not y.grad.

The tutorial's first lessons (cells 2-3). Look at, in graphtui:
- the leaf x before any backward: its .grad is None (the first print);
- the graph: MulBackward0 (y = x*3) with one edge to AccumulateGrad of x and None for the
  constant 3;
- the backward: the gradient argument [100, 0.1] flowing into MulBackward0, which sends
  3 * [100, 0.1] = [300, 0.3] into AccumulateGrad, which writes it into x.grad;
- `print(y.grad)`: y is not a leaf, so its .grad stays None and the engine warns
  ("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed...");
  the warning sits in the event log next to the print.

Finishes normally (exit status 0).
"""
import torch

torch.manual_seed(0)

# In [2]: a fresh leaf has no gradient yet.
x = torch.randn(2, requires_grad=True)
print(x.grad)

# In [3]: backward with an explicit gradient (y is not a scalar).
x = torch.randn(2, requires_grad=True)
y = x * 3
gradients = torch.tensor([100, 0.1], dtype=torch.float)
y.backward(gradients)
print(x.grad)
print(y.grad)  # warns: y is not a leaf, so backward never fills y.grad
