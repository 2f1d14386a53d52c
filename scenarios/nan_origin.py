"""A NaN born in backward (where + sqrt); anomaly mode names SqrtBackward0 as its origin.

The classic masked-sqrt bug. `torch.where(x > 0, torch.sqrt(x), 0)` looks safe: the forward
output is finite. But sqrt is still computed for every element (giving NaN at x = -1), and
in backward WhereBackward0 sends a zero gradient to the masked element, which
SqrtBackward0 multiplies by 1 / (2 * sqrt(-1)) = NaN, and 0 * NaN = NaN. Look at, in graphtui:
- the forward: every value finite except sqrt's own output (NaN at element 0, never used);
- the first backward (plain): WhereBackward0 produces finite grads, SqrtBackward0 produces
  [nan, 0.25] -- the node where the NaN is born -- and x.grad ends [nan, 0.25];
- the second forward and backward, under torch.autograd.detect_anomaly(): the engine
  checks every node's output and stops at SqrtBackward0 with
  "RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output."
  (and, as PyTorch does, warns "Error detected in SqrtBackward0. Traceback of forward call
  that caused the error:" with the scenario line that called torch.sqrt).

Ends with that RuntimeError (exit status 1): the error is the point, it names the origin.
The fix is to make the unused branch safe too, e.g. torch.sqrt(torch.clamp(x, min=0)).
"""
import torch

x = torch.tensor([-1.0, 4.0], requires_grad=True)
y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))
print(y)  # finite: the masked NaN does not show in the forward

y.sum().backward()
print(x.grad)  # but the gradient is NaN where x < 0

# Find where it came from: anomaly mode checks every node's output during backward, and
# remembers where each node was created when the forward also runs under it.
x.grad = None
with torch.autograd.detect_anomaly():
    y = torch.where(x > 0, torch.sqrt(x), torch.zeros_like(x))
    y.sum().backward()  # RuntimeError: Function 'SqrtBackward0' returned nan values ...
