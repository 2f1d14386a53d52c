"""A small ResNet (Conv-BN-ReLU blocks with skip connections, adaptive pooling, dropout)
trained with Adam, StepLR, label smoothing and gradient clipping from a shuffling
DataLoader, then evaluated under no_grad. Written for PyTorch; run unchanged on graphtui's
engine."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)

class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + x)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.blocks = nn.Sequential(*[ResBlock(8) for _ in range(2)])
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = torch.flatten(self.pool(x), 1)
        return self.fc(self.drop(x))

X = torch.randn(64, 3, 8, 8)
y = torch.randint(0, 5, (64,))
loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
scaler_losses = []
for epoch in range(3):
    model.train()
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad(set_to_none=True)
        logits = model(xb)
        loss = F.cross_entropy(logits, yb, label_smoothing=0.1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        total += loss.item() * xb.size(0)
    sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(dim=1) == y).float().mean().item()
    print(f"epoch {epoch} loss {total / len(X):.4f} acc {acc:.3f} lr {sched.get_last_lr()[0]:.2e}")
print(sum(p.numel() for p in model.parameters()))
print(model.fc.weight.grad.norm())
