"""A 50-step training loop: a backward per step, a fresh batch each, an evaluation every 10.

A 4-32-32-3 MLP (Linear, ReLU, Linear, ReLU, Linear) learns to classify 256 synthetic
points into 3 classes with CrossEntropyLoss and SGD with momentum (lr 0.05), in mini-batches
of 32 drawn at random each step. Every 10 steps it measures the accuracy on the whole set
with a forward pass that never calls backward -- without torch.no_grad(), so each builds a
graph that is then dropped.
Look at, in graphtui:
- the iterations: backward 1 of 50 ... 50 of 50, each with its loss (NllLossBackward0 ->
  loss), falling; < and > move from one step's graph to the next;
- the graphs of the evaluations, built and never backpropagated, folded into one line
  with their count instead of listed as pending;
- the printed loss every 10 steps and the accuracy climbing.

Finishes normally (exit status 0).
"""
import torch
import torch.nn as nn

torch.manual_seed(0)

CLASSES, POINTS, BATCH, STEPS = 3, 256, 32, 50

centres = torch.randn(CLASSES, 4) * 2
labels = torch.randint(0, CLASSES, (POINTS,))
points = centres[labels] + torch.randn(POINTS, 4)

model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                      nn.Linear(32, CLASSES))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def accuracy():
    predicted = model(points).argmax(dim=1)          # a graph nobody backpropagates
    return (predicted == labels).float().mean().item()


first_accuracy = accuracy()
losses = []
for step in range(STEPS):
    batch = torch.randint(0, POINTS, (BATCH,))
    optimizer.zero_grad()
    loss = loss_fn(model(points[batch]), labels[batch])
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if step % 10 == 9:
        print(f'step {step + 1}: loss {loss.item():.4f}  accuracy {accuracy():.3f}')

print('accuracy rose:', accuracy() > first_accuracy)
print('last 10 losses below the first 10 on average:',
      sum(losses[-10:]) < sum(losses[:10]))
