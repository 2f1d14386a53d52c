"""A forward hook runs after its module's forward, with the module, input tuple and output.

The tutorial's register_forward_hook lesson (cells 9-15) on its SimpleNet (conv1 1->10 k5,
pool, conv2 10->20 k5, pool, fc 320->50, out 50->10). Look at, in graphtui:
- the two hooks registered (on conv1 and conv2); registering returns a RemovableHandle;
- the forward: each module's forward, and each hook firing right after its Conv2d, in order:
  conv1 with input[0] [1, 1, 28, 28] -> output [1, 10, 24, 24], then conv2 with
  [1, 10, 12, 12] -> [1, 20, 8, 8]; what each hook printed sits beside its firing;
- the graph the forward built (no backward here): ReluBackward0 <- AddmmBackward0 <- ...
  ConvolutionBackward0, MaxPool2DWithIndicesBackward0, ViewBackward0, TBackward0.
(The tutorial's hook prints "forwrd"; the typo is fixed here.)

Finishes normally (exit status 0).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class SimpleNet(nn.Module):
    def __init__(self):
        super(SimpleNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.pool1 = nn.MaxPool2d(2, 2)

        self.conv2 = nn.Conv2d(10, 20, 5)
        self.pool2 = nn.MaxPool2d(2, 2)

        self.fc = nn.Linear(320, 50)
        self.out = nn.Linear(50, 10)

    def forward(self, input):
        x = self.pool1(F.relu(self.conv1(input)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc(x))
        x = F.relu(self.out(x))
        return x


def hook_func(self, input, output):
    print('Inside ' + self.__class__.__name__ + ' forward')
    print('')
    print('input:', type(input))
    print('input[0] shape:', input[0].shape)
    print('output shape:', output.shape)
    print('')


net = SimpleNet()

# register on conv1 and conv2; each call returns a handle that can remove the hook
handle1 = net.conv1.register_forward_hook(hook_func)
handle2 = net.conv2.register_forward_hook(hook_func)
print(type(handle1).__name__, type(handle2).__name__)
print('')

# the hooks fire during the forward pass
input = torch.randn(1, 1, 28, 28)
out = net(input)
print(out.shape, out.grad_fn.name())
