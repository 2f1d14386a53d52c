"""The PyTorch text-classification tutorial's model (EmbeddingBag + Linear), trained as the
tutorial trains it (CrossEntropyLoss, SGD lr=5, clip_grad_norm_ 0.1, StepLR), on fixed
token ids in place of AG_NEWS; then the tutorial's data pipeline (random_split, DataLoader
with shuffle and its collate_fn) for one more epoch and its evaluate()."""
import torch
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.data.dataset import random_split


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for _label, _text in batch:
        label_list.append(_label)
        processed_text = torch.tensor(_text, dtype=torch.int64)
        text_list.append(processed_text)
        offsets.append(processed_text.size(0))
    label_list = torch.tensor(label_list, dtype=torch.int64)
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    text_list = torch.cat(text_list)
    return label_list, text_list, offsets


def fake_batch(step, size=8, vocab=60):
    """Texts of 5 to 30 token ids, the label from the ids (so that there is something
    to learn)."""
    batch = []
    for k in range(size):
        length = 5 + (7 * step + 11 * k) % 26
        ids = [(3 * step + 5 * k + i * i) % vocab for i in range(length)]
        batch.append((sum(ids) % 4, ids))
    return batch


torch.manual_seed(0)
model = TextClassificationModel(60, 16, 4)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
print(model)
label, text, offsets = collate_batch(fake_batch(0))
node = model(text, offsets).grad_fn
print(node.name(), [(f.name(), nr) if f is not None else None for f, nr in node.next_functions])
bag_node = node.next_functions[1][0]
print(bag_node.name(), bag_node.next_functions[1], bag_node._saved_offsets.tolist())
for epoch in range(3):
    total_acc, total_count = 0, 0
    for step in range(4):
        label, text, offsets = collate_batch(fake_batch(4 * epoch + step))
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
        print(f"epoch {epoch} step {step} loss {loss.item():.9g}")
    scheduler.step()
    print(f"epoch {epoch} accuracy {total_acc / total_count:.4f} lr {scheduler.get_last_lr()}")
with torch.no_grad():
    label, text, offsets = collate_batch(fake_batch(99))
    print("eval", model(text, offsets).argmax(1).tolist(), label.tolist())
print("weight sum", f"{model.embedding.weight.sum().item():.9g}")


def evaluate(dataloader):
    model.eval()
    total_acc, total_count = 0, 0
    with torch.no_grad():
        for idx, (label, text, offsets) in enumerate(dataloader):
            predicted_label = model(text, offsets)
            loss = criterion(predicted_label, label)
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_acc / total_count


dataset = [item for step in range(6) for item in fake_batch(20 + step)]
num_train = int(len(dataset) * 0.75)
split_train_, split_valid_ = random_split(dataset, [num_train, len(dataset) - num_train])
train_dataloader = DataLoader(split_train_, batch_size=8, shuffle=True,
                              collate_fn=collate_batch)
valid_dataloader = DataLoader(split_valid_, batch_size=8, shuffle=True,
                              collate_fn=collate_batch)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
model.train()
for idx, (label, text, offsets) in enumerate(train_dataloader):
    optimizer.zero_grad()
    predicted_label = model(text, offsets)
    loss = criterion(predicted_label, label)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    optimizer.step()
    print(f"batch {idx} size {label.size(0)} loss {loss.item():.9g} offsets {offsets.tolist()}")
print(f"valid accuracy {evaluate(valid_dataloader):.4f}")
