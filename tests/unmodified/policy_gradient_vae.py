# A REINFORCE policy-gradient loop with a Categorical policy, then a small VAE trained
# through Normal's reparameterised sample and kl_divergence: PyTorch code as its users write
# it, run unchanged on torch and on graphtui's engine.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical, Normal, kl_divergence

torch.manual_seed(0)

# ---- REINFORCE: act 1 when the first feature of the state is positive
policy = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 2))
optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
gamma = 0.9

for episode in range(6):
    states = torch.randn(12, 4)
    dist = Categorical(logits=policy(states))
    actions = dist.sample()
    rewards = (actions == (states[:, 0] > 0).long()).float()

    returns, running = [], 0.0
    for r in reversed(rewards.tolist()):
        running = r + gamma * running
        returns.insert(0, running)
    returns = torch.tensor(returns)
    advantage = (returns - returns.mean()) / (returns.std() + 1e-8)

    loss = -(dist.log_prob(actions) * advantage).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"episode {episode}: reward {rewards.sum().item():.0f} "
          f"loss {loss.item():.4f} entropy {dist.entropy().mean().item():.4f}")

print("actions", actions.tolist())
print("policy loss node", loss.grad_fn.name())
print(dist)


# ---- VAE: a Gaussian encoder, the reparameterisation trick and KL to a unit prior
class VAE(nn.Module):
    def __init__(self, features=8, latent=2):
        super().__init__()
        self.encoder = nn.Linear(features, 2 * latent)
        self.decoder = nn.Linear(latent, features)

    def forward(self, x):
        mu, log_var = self.encoder(x).chunk(2, dim=-1)
        posterior = Normal(mu, torch.exp(0.5 * log_var))
        z = posterior.rsample()
        return torch.sigmoid(self.decoder(z)), posterior


vae = VAE()
opt = torch.optim.SGD(vae.parameters(), lr=0.1)
data = torch.rand(16, 8)
prior = Normal(torch.zeros(2), torch.ones(2))

for step in range(6):
    recon, posterior = vae(data)
    reconstruction = F.binary_cross_entropy(recon, data, reduction="sum")
    kl = kl_divergence(posterior, prior).sum()
    loss = (reconstruction + kl) / len(data)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"step {step}: reconstruction {reconstruction.item():.4f} kl {kl.item():.4f}")

print(posterior)
print("kl node", kl.grad_fn.name(), "sample node", posterior.rsample().grad_fn.name())
print("encoder grad norm", vae.encoder.weight.grad.norm())
print("log density", prior.log_prob(torch.tensor([0.5, -1.0])))
