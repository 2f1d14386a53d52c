"""A small 1-D convolutional autoencoder, as one writes it for PyTorch: strided and padded
Conv1d, MaxPool1d, AdaptiveAvgPool1d in the encoder, ConvTranspose1d (one with output_size)
in the decoder, trained a few steps of SGD with momentum on noisy sine waves."""
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
phase = torch.rand(8, 1, 1) * 6.28
signal = torch.sin(torch.linspace(0, 12.56, 64) + phase) + 0.1 * torch.randn(8, 1, 64)


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv1d(1, 8, 5, stride=2, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(8, 16, 3, padding=1), nn.Tanh(), nn.AdaptiveAvgPool1d(8))
        self.up = nn.ConvTranspose1d(16, 8, 4, stride=2, padding=1)
        self.out = nn.ConvTranspose1d(8, 1, 5, stride=4, padding=1)

    def forward(self, x):
        code = self.encoder(x)
        hidden = F.relu(self.up(code))
        return self.out(hidden, output_size=x.shape[-1:])


model = AutoEncoder()
print(model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(6):
    optimizer.zero_grad()
    reconstruction = model(signal)
    loss = F.mse_loss(reconstruction, signal)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.6f}, "
          f"decoder grad {model.out.weight.grad.norm().item():.6f}")

print(reconstruction.shape, reconstruction.grad_fn.name())
node, names = reconstruction.grad_fn, []
while node is not None and len(names) < 8:
    names.append(node.name())
    node = node.next_functions[0][0]
print(" <- ".join(names))
code, indices = F.max_pool1d(signal[:2], 4, return_indices=True)
print(code.shape, indices[0, 0, :6].tolist())
print(model.up.weight.grad.sum().item() != 0, model.out.transposed)
