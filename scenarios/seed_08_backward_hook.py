"""A legacy backward hook fires in backward with grad_input and grad_output of conv1's node.

The tutorial's register_backward_hook lesson (cells 18-19). Look at, in graphtui:
- the hook registered on conv1 (captured at forward time: removing it after the forward
  would not stop it for this graph);
- CrossEntropyLoss in the graph: NllLossBackward0 <- LogSoftmaxBackward0 <- ReluBackward0 ...;
- the backward reaching conv1's ConvolutionBackward0 and the hook firing there with
  grad_input of length 3 -- (None for the input, which needs no gradient, the weight's
  [10, 1, 5, 5], the bias's [10]) -- and grad_output of length 1 ([1, 10, 24, 24]);
- the FutureWarning raised during the forward, when conv1 runs with the legacy hook:
  "Using a non-full backward hook when the forward contains multiple autograd Nodes is
  deprecated ..." (PyTorch warns here because ConvolutionBackward0's next_functions, the
  weight's and bias's AccumulateGrad, are not the input's grad_fn; see
  full_vs_legacy_hooks.py for the full hook).

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


def hook_grad(self, grad_input, grad_output):
    print('Inside ' + self.__class__.__name__ + ' backward')
    print()
    print('grad_input len: ', len(grad_input))
    print('grad_input[1] shape: ', grad_input[1].shape)
    print('grad_input[2] shape: ', grad_input[2].shape)

    print('grad_output len: ', len(grad_output))
    print('grad_output[0] shape: ', grad_output[0].shape)


net = SimpleNet()
net.conv1.register_backward_hook(hook_grad)

input = torch.randn(1, 1, 28, 28)
out = net(input)

target = torch.tensor([3], dtype=torch.long)
loss_fn = nn.CrossEntropyLoss()
err = loss_fn(out, target)
err.backward()
