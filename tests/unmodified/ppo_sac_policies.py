# Continuous-action policies as RL code writes them: a PPO clipped-objective update with a
# diagonal Gaussian policy (Independent Normal), then a SAC actor step with a tanh-squashed
# Gaussian (TransformedDistribution + TanhTransform). Plain PyTorch, run unchanged on torch
# and on graphtui's engine.
import torch
import torch.nn as nn
from torch.distributions import Independent, Normal, TransformedDistribution
from torch.distributions.transforms import TanhTransform

torch.manual_seed(1)

obs_dim, act_dim = 6, 2


class GaussianPolicy(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, 32), nn.Tanh(), nn.Linear(32, act_dim))
        self.log_std = nn.Parameter(torch.full((act_dim,), -0.5))

    def forward(self, obs):
        return Independent(Normal(self.body(obs), self.log_std.exp()), 1)


policy = GaussianPolicy()
optimizer = torch.optim.Adam(policy.parameters(), lr=3e-3)
clip = 0.2

obs = torch.randn(64, obs_dim)
with torch.no_grad():
    old_dist = policy(obs)
    actions = old_dist.sample()
    old_log_prob = old_dist.log_prob(actions)
advantages = torch.randn(64)

for epoch in range(4):
    dist = policy(obs)
    ratio = torch.exp(dist.log_prob(actions) - old_log_prob)
    clipped = torch.clamp(ratio, 1 - clip, 1 + clip)
    loss = -torch.min(ratio * advantages, clipped * advantages).mean()
    loss = loss - 0.01 * dist.entropy().mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"ppo epoch {epoch}: loss {loss.item():.5f} "
          f"ratio {ratio.mean().item():.5f} entropy {dist.entropy().mean().item():.4f}")

print(old_dist)
print("batch", old_dist.batch_shape, "event", old_dist.event_shape)
print("log_std", policy.log_std.data)


# ---- SAC actor: reparameterised, squashed actions and their corrected log-probability
actor = nn.Sequential(nn.Linear(obs_dim, 32), nn.ReLU(), nn.Linear(32, 2 * act_dim))
critic = nn.Sequential(nn.Linear(obs_dim + act_dim, 32), nn.ReLU(), nn.Linear(32, 1))
actor_opt = torch.optim.Adam(actor.parameters(), lr=1e-3)
alpha = 0.2

for step in range(3):
    mu, log_std = actor(obs).chunk(2, dim=-1)
    log_std = torch.clamp(log_std, -5, 2)
    squashed = TransformedDistribution(Normal(mu, log_std.exp()), [TanhTransform(cache_size=1)])
    action = squashed.rsample()
    log_prob = squashed.log_prob(action).sum(-1)
    q = critic(torch.cat([obs, action], dim=-1)).squeeze(-1)
    actor_loss = (alpha * log_prob - q).mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()
    print(f"sac step {step}: actor loss {actor_loss.item():.5f} "
          f"log_prob {log_prob.mean().item():.4f} |a| max {action.abs().max().item():.4f}")

print("action node", action.grad_fn.name(), "log_prob node", log_prob.grad_fn.name())
print(squashed.support)
