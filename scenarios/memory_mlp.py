"""Saved memory, counted truly: an MLP's graph keeps its activations, not its weights.

A 256-512-512-512-10 MLP (ReLU between the layers) on a batch of 64, MSE loss, two
backward passes. Look at, in graphtui (the Saved tab; `graphtui dump`'s "== saved memory"):
- retained 386.5 KiB: the three ReLU outputs (64 x 512 float32, 128 KiB each) and the
  model's output that MseLossBackward0 saved (2.5 KiB). Each ReLU output is saved twice,
  as ReluBackward0.result and as the next AddmmBackward0.mat1, but is one block of memory;
- AddmmBackward0.mat2 is weight.t(), a view of a parameter: it costs nothing extra
  ("parameter"), nor does the first layer's mat1, the input batch x, or the target (the
  caller holds them: listed, not counted);
- the first backward (retain_graph=True) keeps those 386.5 KiB alive; the second frees
  them: the timeline climbs during the forward, stays up, and drops to 0 B.

Finishes normally (exit status 0).
"""
import torch
import torch.nn as nn

torch.manual_seed(0)

model = nn.Sequential(
    nn.Linear(256, 512), nn.ReLU(),
    nn.Linear(512, 512), nn.ReLU(),
    nn.Linear(512, 512), nn.ReLU(),
    nn.Linear(512, 10),
)
x = torch.randn(64, 256)
target = torch.randn(64, 10)

loss = nn.functional.mse_loss(model(x), target)
print("loss", loss.shape, loss.grad_fn.name())

loss.backward(retain_graph=True)   # the saved activations stay: a second backward may come
loss.backward()                    # this one frees them
print("weight grad", model[0].weight.grad.shape)
