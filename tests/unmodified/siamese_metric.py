"""A small metric-learning script as people write them from the docs: a siamese embedding
net trained a few steps on seeded clusters with a triplet loss, a cosine-embedding loss
and a margin-ranking loss, per-class learnable temperatures in a ParameterDict and
per-layer scales in a ParameterList, a Bilinear scorer trained with MultiMarginLoss, and
a straight-through Gumbel-softmax codebook. Written for PyTorch; run unchanged on
graphtui's engine."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
CLASSES, DIM, EMB = 3, 6, 4
centers = torch.randn(CLASSES, DIM) * 2


def batch(n):
    labels = torch.randint(0, CLASSES, (n,))
    return centers[labels] + 0.3 * torch.randn(n, DIM), labels


class Embedder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(DIM, 8), nn.Linear(8, EMB)])
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(8)), torch.ones(EMB)])
        self.act = nn.LogSigmoid()

    def forward(self, x):
        for layer, scale in zip(self.layers, self.scales):
            x = self.act(layer(x)) * scale
        return F.normalize(x, dim=1)


net = Embedder()
temps = nn.ParameterDict({f"class{c}": nn.Parameter(torch.tensor(1.0)) for c in range(CLASSES)})
scorer = nn.Bilinear(EMB, EMB, CLASSES)
print(net)
print(temps)
print(scorer)
print([name for name, _ in net.named_parameters()])
print(list(temps.state_dict().keys()))

params = list(net.parameters()) + list(temps.parameters()) + list(scorer.parameters())
opt = torch.optim.Adam(params, lr=0.05)
triplet = nn.TripletMarginLoss(margin=0.5)
cos_loss = nn.CosineEmbeddingLoss(margin=0.1)
rank_loss = nn.MarginRankingLoss(margin=0.2)
multi = nn.MultiMarginLoss()
cos = nn.CosineSimilarity(dim=1)
dist = nn.PairwiseDistance()

for step in range(6):
    x, labels = batch(12)
    emb = net(x)
    anchor, positive_pool = emb[:6], emb[6:]
    same = (labels[:6] == labels[6:]).float() * 2 - 1
    order = torch.argsort(labels[6:])
    negative = positive_pool.flip(0)
    loss_t = triplet(anchor, positive_pool[order.argsort()], negative)
    loss_c = cos_loss(anchor, positive_pool, same)
    closer = dist(anchor, positive_pool)
    farther = dist(anchor, negative)
    loss_r = rank_loss(farther, closer, torch.ones(6))
    t = torch.stack([temps[f"class{int(c)}"] for c in labels])
    logits = scorer(emb, emb.flip(0)) / t[:, None]
    loss_m = multi(logits, labels)
    loss = loss_t + loss_c + loss_r + loss_m
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"step {step}: total {loss.item():.4f} triplet {loss_t.item():.4f} "
          f"cosine {loss_c.item():.4f} rank {loss_r.item():.4f} multi {loss_m.item():.4f}")

with torch.no_grad():
    x, labels = batch(6)
    emb = net(x)
    print("similarity", cos(emb, emb.roll(1, 0)))
    print("distances", F.pdist(emb))
    print("soft margin", F.soft_margin_loss(emb.sum(1), (labels > 0).float() * 2 - 1))

codes = torch.randn(5, CLASSES, requires_grad=True)
onehot = F.gumbel_softmax(codes, tau=0.7, hard=True)
(onehot * torch.arange(CLASSES.__float__())).sum().backward()
print(onehot)
print(codes.grad)
print(onehot.grad_fn.name(), loss.grad_fn.name())
print({k: round(v.item(), 4) for k, v in temps.items()})
