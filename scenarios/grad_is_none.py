"""Why is .grad None? One reason per tensor: unused, detached, no_grad, frozen, non-leaf.

After `loss.backward()` only `w` holds a gradient. Look at, in graphtui (the Why panel, key
`w`, or `graphtui dump --explain --why NAME`):
- `unused` requires grad but no op on the way to `loss` used it: not reachable from the root;
- `detached = w.detach()` is cut off the graph (detach, and where);
- `scaled` was made under `torch.no_grad()`: no graph was recorded for it;
- `frozen` never required grad (requires_grad=False);
- `hidden = w * frozen` is not a leaf: backward keeps its gradient only after retain_grad()
  (reading `hidden.grad` warns, as PyTorch does);
- `side` belongs to a graph whose backward never runs, so `other.grad` stays None.

Ends normally (exit status 0).
"""
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
unused = torch.tensor([3.0], requires_grad=True)
frozen = torch.tensor([4.0, 5.0])
other = torch.tensor([6.0], requires_grad=True)

detached = w.detach()
with torch.no_grad():
    scaled = w * 10
hidden = w * frozen
side = other * 2          # a graph of its own: nothing calls backward on it

loss = (hidden + detached + scaled).sum()
loss.backward()
print(w.grad)
print(unused.grad, detached.grad, scaled.grad, frozen.grad, other.grad)
print(hidden.grad)        # UserWarning: .grad of a non-leaf Tensor is being accessed
