"""Backward frees saved tensors, so a second backward through y = x*3 fails.

The tutorial's backward lesson (cell 6). Look at, in graphtui:
- MulBackward0's saved buffer (`other`, the 3 it must multiply the gradient by) is retained
  after the forward; step the first backward node by node and watch it turn to freed as
  MulBackward0 runs (a BufferFreed event);
- x.grad = [300, 0.3] after the first backward;
- the second y.backward(gradients) reaching MulBackward0 and failing on the freed buffer:
  "RuntimeError: Trying to backward through the graph a second time (or directly access
  saved tensors after they have already been freed). ..." -- seed_04 shows the fix.

Ends with that RuntimeError, as the tutorial's cell does (exit status 1; the last print
never runs).
"""
import torch

torch.manual_seed(0)

x = torch.randn(2, requires_grad=True)
y = x * 3
gradients = torch.tensor([100, 0.1], dtype=torch.float)
y.backward(gradients)
print(x.grad)
y.backward(gradients)  # RuntimeError: Trying to backward through the graph a second time ...
print(x.grad)
