# The training benchmark's job: an MLP on a synthetic table (made by
# bench/jobs/run), a fixed number of steps; prints TRAIN samples/s.
# Inside the room: $ATELIER_DATA is /data; outside, the bench sets it.
import os
import sys
import time

import torch

data_dir = os.path.join(os.environ.get("ATELIER_DATA", "/data"), "ds")
threads = int(os.environ.get("ATELIER_THREADS", "2"))
torch.set_num_threads(threads)
x, y = torch.load(os.path.join(data_dir, "table.pt"))
model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                            torch.nn.ReLU(), torch.nn.Linear(256, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
batch, steps = 512, int(sys.argv[1]) if len(sys.argv) > 1 else 400
torch.manual_seed(0)
for warm in range(20):
    i = torch.randint(0, x.shape[0], (batch,))
    loss = torch.nn.functional.mse_loss(model(x[i]), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
t0, c0 = time.perf_counter(), time.process_time()
for step in range(steps):
    i = torch.randint(0, x.shape[0], (batch,))
    loss = torch.nn.functional.mse_loss(model(x[i]), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
dt, dc = time.perf_counter() - t0, time.process_time() - c0
print(f"TRAIN {steps * batch / dt:.1f} samples/s {steps * batch / dc:.1f} samples/cpu-s "
      f"({dt:.2f} s, {dc:.2f} cpu-s, loss {loss.item():.4f}, {threads} threads)")
