"""A forward hook keeps a layer's activation after forward -- here for a Grad-CAM map.

The tutorial's last lesson (the CAM example): hook_feat appends conv2's output to
save_feat, so the activation is reachable after the forward. The scenario then finishes
the Grad-CAM the tutorial points at: the gradient of the top class score with respect to
that activation (torch.autograd.grad), averaged per channel, weights the channels; their
ReLU'd sum is an 8x8 class activation map. Look at, in graphtui:
- the hook firing on conv2 and the saved activation: [1, 20, 8, 8], grad_fn
  ConvolutionBackward0, still part of the graph after the forward;
- the class score s[c] (SelectBackward0 on top of the net's graph) and
  torch.autograd.grad walking back only as far as the activation -- conv1 and the
  parameters get no .grad (autograd.grad does not accumulate);
- the 8x8 map (printed), built from the activation and its gradient.

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


save_feat = []


def hook_feat(module, input, output):
    save_feat.append(output)
    return output


model = SimpleNet()
for name, module in model.named_modules():
    if name == 'conv2':
        module.register_forward_hook(hook_feat)

img = torch.randn(1, 28, 28)
img = img.unsqueeze(0)
s = model(img)[0]

feat = save_feat[0]
print('saved activation:', feat.shape, feat.grad_fn.name())

c = int(s.argmax())
print('class:', c)
(grad,) = torch.autograd.grad(s[c], feat)
print('gradient of the class score:', grad.shape)

weights = grad.mean(dim=(2, 3), keepdim=True)   # one weight per channel: [1, 20, 1, 1]
cam = F.relu((weights * feat).sum(dim=1))[0]    # [8, 8]
cam = cam / (cam.max() + 1e-8)
print('cam:', cam.shape)
print(cam.detach())
print('conv1.weight.grad:', model.conv1.weight.grad)
