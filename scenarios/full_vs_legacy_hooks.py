"""Legacy backward hooks see the module's last node; full hooks see the module's inputs.

Two identical Conv2d(1, 4, 3) layers (same seed, same weights) on the same input, which
requires grad: one with register_backward_hook (legacy), one with
register_full_backward_hook. Look at, in graphtui:
- both hooks registered, both captured when the forward runs;
- in the backward, the legacy hook firing at ConvolutionBackward0 with grad_input of
  length 3: the input's gradient [1, 1, 8, 8], the weight's [4, 1, 3, 3] and the bias's [4]
  -- the node's inputs, parameters included;
- the full hook's BackwardHookFunctionBackward nodes, wrapped around the module's
  forward (PyTorch adds them too), and the hook firing at the one on the input side with
  grad_input of length 1: only the module's input, [1, 1, 8, 8];
  grad_output is [1, 4, 6, 6] for both, and the two input gradients are equal;
- a module whose forward makes two nodes (conv then relu): the legacy hook sees only the
  last node, ReluBackward0, so its "grad_input" is the gradient into the relu, not the
  module's input -- the reason it is deprecated. PyTorch's FutureWarning ("Using a
  non-full backward hook when the forward contains multiple autograd Nodes is
  deprecated ...") is raised at a legacy-hooked module's forward; Python shows it once.

Finishes normally (exit status 0).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

seen = {}


def shapes(grads):
    return [None if g is None else tuple(g.shape) for g in grads]


def recorder(label):
    def hook(module, grad_input, grad_output):
        seen[label] = grad_input
        print(f'{label:7s} grad_input {shapes(grad_input)}  grad_output {shapes(grad_output)}')
    return hook


torch.manual_seed(0)
legacy = nn.Conv2d(1, 4, 3)
torch.manual_seed(0)
full = nn.Conv2d(1, 4, 3)
legacy.register_backward_hook(recorder('legacy'))
full.register_full_backward_hook(recorder('full'))

x = torch.randn(1, 1, 8, 8, requires_grad=True)
legacy(x).sum().backward()
full(x).sum().backward()
print('same input gradient:', torch.equal(seen['legacy'][0], seen['full'][0]))


class ConvRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)

    def forward(self, x):
        return F.relu(self.conv(x))


torch.manual_seed(0)
legacy = ConvRelu()
torch.manual_seed(0)
full = ConvRelu()
legacy.register_backward_hook(recorder('legacy'))
full.register_full_backward_hook(recorder('full'))
legacy(x).sum().backward()  # legacy grad_input is the relu's: (1, 4, 6, 6)
full(x).sum().backward()
