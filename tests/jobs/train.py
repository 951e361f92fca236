# A user's own PyTorch training script, run by the room in its sandbox:
# reads /data/ds/data.csv, trains a linear model, reports its loss as
# progress events on $ATELIER_PROGRESS_FD, writes /out/model.pt and
# /out/metrics.json.
import json
import os
import sys

import torch

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
fd = int(os.environ.get("ATELIER_PROGRESS_FD", "2"))
rows = [line.strip().split(",") for line in open("/data/ds/data.csv").readlines()[1:]]
data = torch.tensor([[float(v) for v in r] for r in rows])
x, y = data[:, :2], data[:, 2:]
torch.manual_seed(1)
model = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.05)
first = None
for epoch in range(1, epochs + 1):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    if first is None:
        first = loss.item()
    if epoch % 10 == 0 or epoch == epochs:
        ev = {"phase": "train", "step": epoch, "total": epochs, "metrics": {"loss": loss.item()}}
        os.write(fd, (json.dumps(ev) + "\n").encode())
torch.save(model.state_dict(), "/out/model.pt")
w = model.weight.detach().tolist()[0]
json.dump({"first_loss": first, "last_loss": loss.item(), "weights": w, "bias": model.bias.item()},
          open("/out/metrics.json", "w"))
print(f"trained: loss {first:.4f} -> {loss.item():.6f}, weights {w}")
