"""Editing a saved tensor in place bumps its version, and backward refuses the stale value.

Look at, in graphtui:
- the forward: h = x.exp() records ExpBackward0, which saves its own output `result`
  (d exp(x)/dx = exp(x)) at version 0;
- h.add_(1) changes h in place: h._version goes 0 -> 1 (the print shows it), and the graph
  gets an AddBackward0 on top (in-place ops are recorded too);
- the backward reaching ExpBackward0, whose saved `result` is now at version 1, and failing:
  "RuntimeError: one of the variables needed for gradient computation has been modified
  by an inplace operation: [torch.FloatTensor [3]], which is output 0 of Exp,
  is at version 1; expected version 0 instead. ..."
The fix: h = x.exp() + 1 (out of place), or clone before editing.

Ends with that RuntimeError (exit status 1).
"""
import torch

x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
h = x.exp()
print(h._version)
h.add_(1)  # in place: overwrites the value ExpBackward0 saved for backward
print(h._version)
print(h.grad_fn.name(), h.grad_fn.next_functions[0][0].name())
loss = h.sum()
loss.backward()  # RuntimeError: one of the variables needed for gradient computation ...
