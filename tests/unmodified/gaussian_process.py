"""Gaussian-process regression as people write it in plain PyTorch: an RBF kernel from
torch.cdist, the negative log marginal likelihood through a Cholesky factor
(cholesky_solve, the log-determinant from the factor's diagonal, checked against
torch.logdet and torch.linalg.slogdet), its hyperparameters fitted with Adam, then the
posterior mean and variance at test points through linalg.solve_triangular.

This file is ordinary PyTorch code and is never edited for graphtui: the tests run it with
real PyTorch and with graphtui's engine as its ``import torch`` and compare what it prints.
"""
import math

import torch

torch.set_default_dtype(torch.float64)

x_train = torch.linspace(0, 5, 24).unsqueeze(-1)
y_train = torch.sin(2 * x_train).squeeze(-1) + 0.1 * torch.cos(7 * x_train).squeeze(-1)
x_test = torch.linspace(0.25, 4.75, 6).unsqueeze(-1)


class GP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.log_lengthscale = torch.nn.Parameter(torch.tensor(0.0))
        self.log_signal = torch.nn.Parameter(torch.tensor(0.0))
        self.log_noise = torch.nn.Parameter(torch.tensor(-1.0))

    def kernel(self, a, b):
        sq_dist = torch.cdist(a, b).pow(2)
        return self.log_signal.exp() ** 2 * torch.exp(-0.5 * sq_dist / self.log_lengthscale.exp() ** 2)

    def nll(self, x, y):
        n = x.shape[0]
        K = self.kernel(x, x) + (self.log_noise.exp() ** 2 + 1e-6) * torch.eye(n)
        L = torch.linalg.cholesky(K)
        alpha = torch.cholesky_solve(y.unsqueeze(-1), L)
        logdet = 2 * torch.log(torch.diagonal(L)).sum()
        return 0.5 * (y @ alpha.squeeze(-1)) + 0.5 * logdet + 0.5 * n * math.log(2 * math.pi), K

    def predict(self, x, y, x_new):
        K = self.kernel(x, x) + (self.log_noise.exp() ** 2 + 1e-6) * torch.eye(x.shape[0])
        L = torch.linalg.cholesky(K)
        K_s = self.kernel(x, x_new)
        v = torch.linalg.solve_triangular(L, K_s, upper=False)
        alpha = torch.cholesky_solve(y.unsqueeze(-1), L)
        mean = (K_s.mT @ alpha).squeeze(-1)
        var = self.kernel(x_new, x_new).diagonal() - (v * v).sum(0)
        return mean, var


model = GP()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
for step in range(30):
    optimizer.zero_grad()
    loss, K = model.nll(x_train, y_train)
    loss.backward()
    optimizer.step()
    if step % 5 == 0:
        sign, logabsdet = torch.linalg.slogdet(K.detach())
        print(f"step {step:2d}  nll {loss.item():.6f}  logdet {torch.logdet(K.detach()).item():.6f}"
              f"  sign {sign.item():+.0f}  |det| {logabsdet.exp().item():.6e}")

with torch.no_grad():
    mean, var = model.predict(x_train, y_train, x_test)
print("lengthscale", f"{model.log_lengthscale.exp().item():.6f}",
      "signal", f"{model.log_signal.exp().item():.6f}",
      "noise", f"{model.log_noise.exp().item():.6f}")
print("mean", " ".join(f"{m:.6f}" for m in mean.tolist()))
print("std ", " ".join(f"{s:.6f}" for s in var.clamp_min(0).sqrt().tolist()))

# The same likelihood through the dense inverse and solve, with its gradient.
x = torch.tensor([[0.5, -0.2], [0.1, 0.9], [-0.7, 0.3]], requires_grad=True)
cov = torch.eye(2) + 0.5 * x.mT @ x
precision = torch.linalg.inv(cov)
quad = torch.einsum("ni,ij,nj->n", x, precision, x)
nll = 0.5 * (quad.sum() + x.shape[0] * torch.logdet(cov))
nll.backward()
print("dense nll", f"{nll.item():.6f}", "grad", " ".join(f"{g:.6f}" for g in x.grad.flatten().tolist()))
print("solve agrees", torch.allclose(torch.linalg.solve(cov, x.mT).mT, x @ precision))
print("grad_fn", type(precision.grad_fn).__name__, type(cov.grad_fn).__name__)
