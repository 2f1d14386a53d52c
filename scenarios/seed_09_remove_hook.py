"""A hook stays until handle.remove(): the first forward prints from it, the second doesn't.

The tutorial's "removing hooks" lesson (cells 20-22). Look at, in graphtui:
- the forward hook registered on conv1 (handle h) and firing in the first forward
  ([1, 1, 28, 28] -> [1, 10, 24, 24]);
- h.remove(): the hook's removal in the event log;
- the second forward on the same input: conv1's forward runs, no hook fires, nothing printed.

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
h = net.conv1.register_forward_hook(hook_func)
input = torch.randn(1, 1, 28, 28)
out = net(input)

h.remove()
out = net(input)  # no hook any more: prints nothing
print('second forward done, hook removed')
