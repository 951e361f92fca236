# A synthetic regression data set (no patient, no network): y = 3 x1 - 2 x2 + 0.5 + noise.
import json
import os
import sys

import torch

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
g = torch.Generator().manual_seed(7)
x = torch.randn(n, 2, generator=g)
y = 3 * x[:, 0] - 2 * x[:, 1] + 0.5 + 0.05 * torch.randn(n, generator=g)
with open("/out/data.csv", "w") as f:
    f.write("x1,x2,y\n")
    for i in range(n):
        f.write(f"{x[i,0]:.6f},{x[i,1]:.6f},{y[i]:.6f}\n")
with open("/out/README.txt", "w") as f:
    f.write("synthetic: y = 3 x1 - 2 x2 + 0.5 + N(0, 0.05)\n")
os.write(int(os.environ["ATELIER_PROGRESS_FD"]), json.dumps({"phase": "generate", "step": n, "total": n}).encode() + b"\n")
