"""A sequence-to-sequence nn.Transformer learning to copy (reverse) digit strings, as the
"language translation with nn.Transformer" tutorial builds it: token embeddings scaled by
sqrt(d_model), a sinusoidal positional-encoding buffer, generate_square_subsequent_mask,
padding masks, label smoothing, Adam with a Noam warm-up, gradient clipping and greedy
decoding in eval mode. Written for PyTorch; run unchanged on graphtui's engine."""
import math
import torch
import torch.nn as nn

torch.manual_seed(0)
PAD, BOS, EOS = 0, 1, 2
VOCAB, D_MODEL, MAX_LEN = 13, 32, 12


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, maxlen=64):
        super().__init__()
        den = torch.exp(-torch.arange(0, d_model, 2) * math.log(10000) / d_model)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pe = torch.zeros((maxlen, d_model))
        pe[:, 0::2] = torch.sin(pos * den)
        pe[:, 1::2] = torch.cos(pos * den)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer('pos_embedding', pe.unsqueeze(0))

    def forward(self, x):
        return self.dropout(x + self.pos_embedding[:, :x.size(1)])


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.Transformer(d_model=D_MODEL, nhead=4, num_encoder_layers=2,
                                          num_decoder_layers=2, dim_feedforward=64,
                                          dropout=0.1, batch_first=True)
        self.src_emb = nn.Embedding(VOCAB, D_MODEL, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(VOCAB, D_MODEL, padding_idx=PAD)
        self.pos = PositionalEncoding(D_MODEL)
        self.generator = nn.Linear(D_MODEL, VOCAB)

    def embed(self, emb, tokens):
        return self.pos(emb(tokens) * math.sqrt(D_MODEL))

    def encode(self, src):
        return self.transformer.encoder(self.embed(self.src_emb, src),
                                        src_key_padding_mask=src == PAD)

    def decode(self, tgt, memory, memory_pad):
        mask = nn.Transformer.generate_square_subsequent_mask(tgt.size(1))
        return self.transformer.decoder(self.embed(self.tgt_emb, tgt), memory, tgt_mask=mask,
                                        tgt_key_padding_mask=tgt == PAD,
                                        memory_key_padding_mask=memory_pad)

    def forward(self, src, tgt):
        src_pad = src == PAD
        tgt_mask = self.transformer.generate_square_subsequent_mask(tgt.size(1))
        out = self.transformer(self.embed(self.src_emb, src), self.embed(self.tgt_emb, tgt),
                               tgt_mask=tgt_mask, src_key_padding_mask=src_pad,
                               tgt_key_padding_mask=tgt == PAD,
                               memory_key_padding_mask=src_pad)
        return self.generator(out)


def batch(n):
    lengths = torch.randint(3, 8, (n,))
    src = torch.full((n, MAX_LEN), PAD)
    tgt = torch.full((n, MAX_LEN), PAD)
    for i, length in enumerate(lengths.tolist()):
        digits = torch.randint(3, VOCAB, (length,))
        src[i, :length] = digits
        tgt[i, 0] = BOS
        tgt[i, 1:length + 1] = digits.flip(0)
        tgt[i, length + 1] = EOS
    return src, tgt


model = Seq2Seq()
print(f"parameters: {sum(p.numel() for p in model.parameters())}")
print(f"first weight sum: {model.transformer.encoder.layers[0].self_attn.in_proj_weight.sum():.4f}")
loss_fn = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=0.1)
opt = torch.optim.Adam(model.parameters(), lr=0.05, betas=(0.9, 0.98), eps=1e-9)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda step: D_MODEL ** -0.5 * min((step + 1) ** -0.5, (step + 1) * 10 ** -1.5))

for step in range(30):
    model.train()
    src, tgt = batch(16)
    logits = model(src, tgt[:, :-1])
    loss = loss_fn(logits.reshape(-1, VOCAB), tgt[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % 5 == 0 or step == 29:
        print(f"step {step:2d} loss {loss.item():.4f} grad norm {norm.item():.4f} "
              f"lr {sched.get_last_lr()[0]:.6f}")


@torch.no_grad()
def greedy(src):
    model.eval()
    memory = model.encode(src)
    ys = torch.full((src.size(0), 1), BOS)
    for _ in range(MAX_LEN - 1):
        out = model.decode(ys, memory, src == PAD)
        next_token = model.generator(out[:, -1]).argmax(-1, keepdim=True)
        ys = torch.cat([ys, next_token], dim=1)
    return ys


src, tgt = batch(4)
with torch.no_grad():
    model.eval()
    logits = model(src, tgt[:, :-1])
    print(f"eval loss {loss_fn(logits.reshape(-1, VOCAB), tgt[:, 1:].reshape(-1)).item():.4f}")
decoded = greedy(src)
for row in range(4):
    print("src", src[row].tolist(), "->", decoded[row, 1:6].tolist())
