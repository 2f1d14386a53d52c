"""Each op records its grad_fn: AddBackward0, MulBackward0, DivBackward0, and their edges.

The tutorial's grad_fn lesson (cell 8). Look at, in graphtui:
- three graphs built from one leaf x, with no backward at all: w = x + y (AddBackward0),
  y = x*3 (MulBackward0), z = x/2 (DivBackward0);
- the tree under AddBackward0: its next_functions are AccumulateGrad (x) and MulBackward0,
  and MulBackward0's are AccumulateGrad (x) and None (the constant 3 needs no gradient);
  x's AccumulateGrad is shared by all three graphs;
- the saved buffers each node keeps for a backward that never comes (all still retained).

Finishes normally (exit status 0).
"""
import torch

torch.manual_seed(0)

x = torch.randn(2, requires_grad=True)
y = x * 3
z = x / 2
w = x + y
print(w)
print(y)
print(z)

# Where each grad_fn sends gradients: (next node, input number); None for a constant.
for name, t in (("w", w), ("y", y), ("z", z)):
    edges = [(type(fn).__name__ if fn is not None else None, nr)
             for fn, nr in t.grad_fn.next_functions]
    print(name, t.grad_fn.name(), edges)
