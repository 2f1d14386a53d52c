"""A "modern" training script: argparse, seeding everything, torch.compile, AdamW with
decay and no-decay parameter groups, a LambdaLR linear-warmup cosine schedule,
clip_grad_norm_, random_split and DataLoader with two workers, a collate_fn, a
worker_init_fn and an augmenting dataset, autocast (off on CPU), a GradScaler, and a
checkpoint of model, optimizer, scheduler and scaler that a second run resumes from.
Written for PyTorch; run unchanged on graphtui's engine."""
import argparse
import math
import os
import random
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, random_split


def parse_args():
    parser = argparse.ArgumentParser(description="two spirals with a small MLP")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--warmup-steps", type=int, default=10)
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--amp", action="store_true", help="bfloat16 autocast on CUDA only")
    parser.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--seed", type=int, default=1337)
    return parser.parse_args()


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    torch.set_float32_matmul_precision("high")
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True


class Spirals(Dataset):
    """Two interleaved spirals; each read jitters the point (augmentation in the worker)."""

    def __init__(self, n, noise=0.05):
        t = torch.linspace(0.0, 3 * math.pi, n // 2)
        r = t / (3 * math.pi)
        a = torch.stack([r * torch.cos(t), r * torch.sin(t)], 1)
        self.points = torch.cat([a, -a])
        self.labels = torch.cat([torch.zeros(n // 2), torch.ones(n // 2)]).long()
        self.noise = noise
        self.augment = True

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = self.points[i]
        if self.augment:
            x = x + self.noise * torch.randn(2)
            if random.random() < 0.5:
                x = x * float(np.random.uniform(0.9, 1.1))
        return {"x": x, "y": self.labels[i].item(), "id": i}


def collate(samples):
    return {"x": torch.stack([s["x"] for s in samples]),
            "y": torch.tensor([s["y"] for s in samples]),
            "ids": [s["id"] for s in samples]}


def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


class MLP(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        self.inp = nn.Linear(2, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.GELU(),
                          nn.Dropout(0.0)) for _ in range(2))
        self.head = nn.Linear(width, 2)

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h)
        return self.head(h)


def param_groups(model, weight_decay):
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    return [{"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0}]


def warmup_cosine(warmup, total):
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))
    return factor


def build(args, device, steps_total):
    model = MLP().to(device)
    compiled = torch.compile(model) if args.compile else model
    optimizer = torch.optim.AdamW(param_groups(model, args.weight_decay), lr=args.lr,
                                  betas=(0.9, 0.95), eps=1e-8)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, warmup_cosine(args.warmup_steps, steps_total))
    scaler = torch.amp.GradScaler(device.type, enabled=True)
    return model, compiled, optimizer, scheduler, scaler


def train_epoch(args, device, compiled, optimizer, scheduler, scaler, loader):
    compiled.train()
    total, count, norms = 0.0, 0, []
    for batch in loader:
        x, y = batch["x"].to(device), batch["y"].to(device)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, enabled=args.amp):
            logits = compiled(x)
            loss = F.cross_entropy(logits, y, label_smoothing=0.05)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        norm = torch.nn.utils.clip_grad_norm_(compiled.parameters(), args.clip)
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        total += loss.item() * len(y)
        count += len(y)
        norms.append(norm.item())
    return total / count, max(norms)


@torch.no_grad()
def evaluate(compiled, loader, device):
    compiled.eval()
    correct, total, loss = 0, 0, 0.0
    for batch in loader:
        logits = compiled(batch["x"].to(device))
        y = batch["y"].to(device)
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(-1) == y).sum().item()
        total += len(y)
    return loss / total, correct / total


def main():
    args = parse_args()
    seed_everything(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    print(f"device {device.type}  threads {torch.get_num_threads()}  "
          f"matmul precision {torch.get_float32_matmul_precision()}  "
          f"deterministic {torch.are_deterministic_algorithms_enabled()}")

    data = Spirals(400)
    train_set, val_set = random_split(data, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
    print(f"train {len(train_set)}  val {len(val_set)}  first val ids {val_set.indices[:5]}")
    loader_gen = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.workers, collate_fn=collate, drop_last=True,
                              worker_init_fn=seed_worker, generator=loader_gen,
                              persistent_workers=args.workers > 0, pin_memory=False)
    val_loader = DataLoader(val_set, batch_size=64, collate_fn=collate)
    first = next(iter(DataLoader(train_set, batch_size=4, shuffle=True, collate_fn=collate,
                                 generator=torch.Generator().manual_seed(1))))
    print(f"a batch: ids {first['ids']}  x {first['x'].shape}  y {first['y'].tolist()}")

    steps_total = args.epochs * len(train_loader)
    model, compiled, optimizer, scheduler, scaler = build(args, device, steps_total)
    print(f"compiled {type(compiled).__name__}  "
          f"params {sum(p.numel() for p in model.parameters())}  "
          f"scaler enabled {scaler.is_enabled()} scale {scaler.get_scale():.0f}")

    data.augment = False
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ckpt.pt")
        for epoch in range(args.epochs):
            data.augment = True
            train_loss, max_norm = train_epoch(args, device, compiled, optimizer, scheduler,
                                               scaler, train_loader)
            data.augment = False
            val_loss, accuracy = evaluate(compiled, val_loader, device)
            print(f"epoch {epoch}  train {train_loss:.4f}  val {val_loss:.4f}  "
                  f"acc {accuracy:.3f}  max grad norm {max_norm:.3f}  "
                  f"lr {scheduler.get_last_lr()[0]:.6f}  scale {scaler.get_scale():.0f}")
            if epoch == args.epochs // 2 - 1:
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "scheduler": scheduler.state_dict(), "scaler": scaler.state_dict(),
                            "epoch": epoch, "rng": torch.get_rng_state(),
                            "args": vars(args)}, path)
                print(f"saved epoch {epoch}: {len(compiled.state_dict())} tensors, "
                      f"compiled keys like {next(iter(compiled.state_dict()))}")
        final = [p.detach().clone() for p in model.parameters()]

        checkpoint = torch.load(path, map_location=device)
        print(f"checkpoint keys {sorted(checkpoint)}  scheduler steps "
              f"{checkpoint['scheduler']['last_epoch']}  lambdas {checkpoint['scheduler']['lr_lambdas']}")
        resumed, resumed_compiled, opt2, sched2, scaler2 = build(args, device, steps_total)
        resumed.load_state_dict(checkpoint["model"])
        opt2.load_state_dict(checkpoint["optimizer"])
        sched2.load_state_dict(checkpoint["scheduler"])
        scaler2.load_state_dict(checkpoint["scaler"])
        torch.set_rng_state(checkpoint["rng"])
        print(f"resumed lr {sched2.get_last_lr()[0]:.6f}  "
              f"step {opt2.state[resumed.inp.weight]['step'].item():.0f}")
        loader2 = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                             num_workers=args.workers, collate_fn=collate, drop_last=True,
                             worker_init_fn=seed_worker)
        for epoch in range(checkpoint["epoch"] + 1, args.epochs):
            data.augment = True
            train_loss, max_norm = train_epoch(args, device, resumed_compiled, opt2, sched2,
                                               scaler2, loader2)
            data.augment = False
            val_loss, accuracy = evaluate(resumed_compiled, val_loader, device)
            print(f"resumed epoch {epoch}  train {train_loss:.4f}  val {val_loss:.4f}  "
                  f"acc {accuracy:.3f}  lr {sched2.get_last_lr()[0]:.6f}")
        try:
            torch.load(path, weights_only=True)
        except Exception as error:
            print("weights_only refuses nothing here:", type(error).__name__)
        else:
            print("weights_only load ok")
        torch.save(model, path)
        try:
            torch.load(path)
        except Exception as error:
            print("whole model:", type(error).__name__, str(error).splitlines()[-3][:60])
        whole = torch.load(path, weights_only=False)
        same = all(torch.equal(a, b) for a, b in zip(whole.parameters(), final))
        print(f"whole model reloaded: {type(whole).__name__}, same weights {same}")

    with torch.random.fork_rng():
        torch.rand(100)
    print(f"after fork_rng {torch.rand(1).item():.6f}  initial seed {torch.initial_seed()}")


if __name__ == "__main__":
    main()
