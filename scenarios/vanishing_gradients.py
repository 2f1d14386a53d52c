"""Deep sigmoid MLP: gradients shrink at every layer going back; early layers barely learn.

Ten Linear(32, 32) + Sigmoid layers. sigmoid'(z) <= 0.25, so every layer the backward
passes through multiplies the gradient by at most a quarter (times the weights), and the
first layer's weight gradient ends up orders of magnitude smaller than the last's.
Look at, in graphtui:
- the backward walking SigmoidBackward0 / AddmmBackward0 pairs from the loss down to
  layer 0, and each layer's weight .grad as it lands: the Sequential names its modules by
  index, so the Linear layers are 0, 2, ..., 18 (20 is the output layer), and the grads'
  min/max fall from about 1e-2 at 18.weight to about 1e-9 at 0.weight;
- the printed per-layer gradient norms (layer 9 first, the one nearest the loss), with the
  ratio between the last and the first layer;
- the same net with ReLU instead (second part): the norms shrink too (PyTorch's default
  initialisation is on the small side), but far less than with sigmoid -- the printed
  ratios differ by orders of magnitude.

Finishes normally (exit status 0).
"""
import torch
import torch.nn as nn

torch.manual_seed(0)

DEPTH, WIDTH = 10, 32


def make_net(activation):
    layers = []
    for _ in range(DEPTH):
        layers += [nn.Linear(WIDTH, WIDTH), activation()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, 1))


def weight_grad_norms(net):
    linears = [m for m in net if isinstance(m, nn.Linear)][:DEPTH]
    return [layer.weight.grad.norm().item() for layer in linears]


x = torch.randn(16, WIDTH)
target = torch.randn(16, 1)

ratios = {}
for activation in (nn.Sigmoid, nn.ReLU):
    net = make_net(activation)
    loss = nn.functional.mse_loss(net(x), target)
    loss.backward()
    norms = weight_grad_norms(net)
    print(activation.__name__)
    for i in reversed(range(DEPTH)):
        print(f'  layer {i}: weight grad norm {norms[i]:.3e}')
    ratios[activation.__name__] = norms[-1] / norms[0]
    print(f'  last/first layer ratio: {ratios[activation.__name__]:.1e}')
print('sigmoid shrinks the gradient over 100x more than ReLU:',
      ratios['Sigmoid'] > 100 * ratios['ReLU'])
