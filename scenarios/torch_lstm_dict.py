"""A real model the engine cannot run: an LSTM language model that returns a dict.

A character-level language model on a 12-character text: Embedding(vocab, 16), a 2-layer
LSTM with projections (hidden 32, proj_size 16: the engine has no projected LSTM) and a
Linear decoder; its forward returns a dict of outputs (logits, the final hidden state and
the loss), as many real models do. Three Adam steps on the next-character loss. Run it as
``graphtui run scenarios/torch_lstm_dict.py --backend torch``; under the engine it stops at
the LSTM with "torch.nn.LSTM(proj_size=...) is not supported by graphtui's engine". Look at,
in graphtui (--backend torch):
- the graph PyTorch builds for the projected LSTM: its cells unrolled step by step
  (AddmmBackward0, UnsafeSplitBackward0, SigmoidBackward0, TanhBackward0, MmBackward0 for
  the projection), the weights of both layers (lstm.weight_ih_l0, lstm.weight_hr_l0, ...)
  as AccumulateGrad leaves, and the warning PyTorch gives for oneDNN;
- the dict's entries as named tensors (out["loss"] is the backward's root);
- the tensor hook on the embedding's output printing its gradient's norm each step;
- each step's .grad writes and optimizer.zero_grad() clearing them; the loss falling.

Finishes normally under --backend torch (exit status 0); fails under the engine.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

TEXT = "hello, world"
VOCAB = sorted(set(TEXT))
INDEX = {ch: i for i, ch in enumerate(VOCAB)}


class CharLM(nn.Module):
    def __init__(self, vocab: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, 16)
        self.lstm = nn.LSTM(16, 32, num_layers=2, proj_size=16, batch_first=True)
        self.decoder = nn.Linear(16, vocab)

    def forward(self, tokens, targets):
        embedded = self.embed(tokens)
        embedded.register_hook(lambda grad: print(f"embedding grad norm {grad.norm():.4f}"))
        hidden, (h, c) = self.lstm(embedded)
        logits = self.decoder(hidden)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        return {"logits": logits, "hidden": h, "loss": loss}


ids = torch.tensor([[INDEX[ch] for ch in TEXT]])
inputs, targets = ids[:, :-1], ids[:, 1:]
model = CharLM(len(VOCAB))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

for step in range(3):
    optimizer.zero_grad()
    out = model(inputs, targets)
    out["loss"].backward()
    optimizer.step()
    print(f"step {step}: loss {out['loss'].item():.4f}")
