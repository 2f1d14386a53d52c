"""An in-place edit of a value backward needs, caught before any backward runs.

`s = x.sigmoid()` records SigmoidBackward0, which saves its own output `result` at version
0; `s.mul_(2)` changes s in place (version 1). Nothing has failed yet: the error comes only
when a backward reaches SigmoidBackward0. Look at, in graphtui:
- the warning at the edit (the Why panel, key `w`, or `graphtui dump --explain`): the saved
  value is stale, so that backward would fail with "one of the variables needed for
  gradient computation has been modified by an inplace operation";
- `s` at version 1 in the Tensor tab, SigmoidBackward0's saved `result` in the Saved tab.
The scenario ends before any backward: it finishes (exit status 0). The fix:
`s = x.sigmoid() * 2` (out of place), or `s = x.sigmoid().clone()` before editing.
"""
import torch

x = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
s = x.sigmoid()
s.mul_(2)
print(s._version)
loss = s.sum()
print(loss)
