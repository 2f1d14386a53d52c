"""A small character-level language model, as one writes it with PyTorch: words of
different lengths are embedded, packed, run through an LSTM and a GRU, unpacked, and
trained to predict each next character; then a GRUCell/LSTMCell pair samples greedily."""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

torch.manual_seed(0)

words = ["graph", "tensor", "node", "edge", "grad", "torch", "engine", "loss", "step"]
chars = sorted(set("".join(words)))
PAD, BOS = 0, 1
index = {ch: i + 2 for i, ch in enumerate(chars)}
vocab = len(chars) + 2


def encode(word):
    return torch.tensor([BOS] + [index[ch] for ch in word], dtype=torch.long)


class CharModel(nn.Module):
    def __init__(self, vocab, embed=8, hidden=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed, padding_idx=PAD)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.gru = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, vocab)

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.embed(tokens), lengths, batch_first=True,
                                      enforce_sorted=False)
        packed, (h, c) = self.lstm(packed)
        packed, h = self.gru(packed)
        out, _ = pad_packed_sequence(packed, batch_first=True, padding_value=0.0)
        return self.head(out), h


inputs = [encode(w) for w in words]
targets = [torch.cat([seq[1:], torch.tensor([PAD])]) for seq in inputs]
lengths = torch.tensor([len(seq) for seq in inputs])
tokens = pad_sequence(inputs, batch_first=True, padding_value=PAD)
labels = pad_sequence(targets, batch_first=True, padding_value=PAD)

model = CharModel(vocab)
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
criterion = nn.CrossEntropyLoss(ignore_index=PAD)
for step in range(8):
    optimizer.zero_grad()
    logits, h = model(tokens, lengths)
    loss = criterion(logits.reshape(-1, vocab), labels[:, :logits.shape[1]].reshape(-1))
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    print(f"step {step} loss {loss.item():.5f} grad norm {norm.item():.5f} "
          f"final state {h.abs().sum().item():.4f}")

cell = nn.LSTMCell(8, 12)
gru_cell = nn.GRUCell(12, 12)
readout = nn.Linear(12, vocab)
with torch.no_grad():
    token, state, hidden = torch.tensor([BOS]), None, None
    sampled = []
    for _ in range(5):
        state = cell(model.embed(token), state)
        hidden = gru_cell(state[0], hidden)
        token = readout(hidden).argmax(dim=1)
        sampled.append(token.item())
print("sampled", sampled, f"{hidden.sum().item():.5f}")
