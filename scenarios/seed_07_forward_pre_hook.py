"""A forward pre-hook runs just before its module's forward, so it sees the input only.

The tutorial's register_forward_pre_hook lesson (cells 16-17). Look at, in graphtui:
- the pre-hook registered on conv1, and firing as conv1 is called, before its forward
  computes anything (before ConvolutionBackward0 is recorded), with the input tuple
  (input[0] [1, 1, 28, 28]) and no output yet;
- the rest of the forward running with no other hook.

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


def hook_pre(self, input):
    print('Inside ' + self.__class__.__name__ + ' forward')
    print()
    print('input: ', type(input))
    print('input[0] shape: ', input[0].shape)


net = SimpleNet()
net.conv1.register_forward_pre_hook(hook_pre)

input = torch.randn(1, 1, 28, 28)
out = net(input)
