"""A tiny DCGAN, as the tutorials write one: a generator of ConvTranspose2d, BatchNorm2d and
ReLU up to 16x16 with Tanh, a discriminator of strided Conv2d and LeakyReLU, trained a few
alternating Adam steps on random "images"."""
import torch
from torch import nn

torch.manual_seed(0)
latent, width = 8, 8
generator = nn.Sequential(
    nn.ConvTranspose2d(latent, width * 2, 4, 1, 0, bias=False), nn.BatchNorm2d(width * 2),
    nn.ReLU(True),
    nn.ConvTranspose2d(width * 2, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width),
    nn.ReLU(True),
    nn.ConvTranspose2d(width, 1, 4, 2, 1, bias=False), nn.Tanh())
discriminator = nn.Sequential(
    nn.Conv2d(1, width, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
    nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
    nn.Conv2d(width * 2, 1, 4, 1, 0, bias=False), nn.Flatten())
criterion = nn.BCEWithLogitsLoss()
g_opt = torch.optim.Adam(generator.parameters(), lr=2e-3, betas=(0.5, 0.999))
d_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-3, betas=(0.5, 0.999))
real = torch.rand(6, 1, 16, 16) * 2 - 1
ones, zeros = torch.ones(6, 1), torch.zeros(6, 1)

for step in range(4):
    noise = torch.randn(6, latent, 1, 1)
    fake = generator(noise)
    d_opt.zero_grad()
    d_loss = criterion(discriminator(real), ones) + criterion(discriminator(fake.detach()), zeros)
    d_loss.backward()
    d_opt.step()
    g_opt.zero_grad()
    g_loss = criterion(discriminator(fake), ones)
    g_loss.backward()
    g_opt.step()
    print(f"step {step}: d {d_loss.item():.5f} g {g_loss.item():.5f} "
          f"fake mean {fake.mean().item():.5f}")

print(tuple(fake.shape), fake.grad_fn.name(), fake.grad_fn.next_functions[0][0].name())
print(generator[0].weight.grad.abs().sum().item() > 0, generator[6])
