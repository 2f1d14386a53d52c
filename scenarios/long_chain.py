"""Scale: 10,000 chained ops make a 10,000-node graph for backward to walk.

y = x, then 10,000 times y = y * 1.0001 (each a MulBackward0). Look at, in graphtui:
- the graph tree: a chain 10,000 MulBackward0 deep ending in AccumulateGrad (x) -- fold it,
  search it (/), and step a few nodes of the backward to see it move;
- the saved buffers: each MulBackward0 keeps its `other`, freed one by one in backward;
- x.grad: 1.0001 ** 10000 = 2.7181 (close to e) in exact arithmetic, printed last; the
  float32 chain gives 2.7186 for every element (PyTorch too): 10,000 roundings add up.

Finishes normally (exit status 0).
"""
import torch

N = 10_000
x = torch.ones(3, requires_grad=True)
y = x
for _ in range(N):
    y = y * 1.0001
y.sum().backward()
print(y.grad_fn.name())
print(x.grad)
print(round(1.0001 ** N, 4))
