#!/usr/bin/python3
"""PyTorch peer of `atelier learn bench`: the same U-Net (tests/learn/unet_torch.py),
same batch, size and threads, random data, AdamW, L1 loss. Prints one JSON line."""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "learn"))
from unet_torch import UNet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="unet2d")
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--bf16", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dims = 3 if a.model == "unet3d" else 2
    model = UNet(dims, 1, 1, a.base, a.depth).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-2)
    shape = (a.batch, 1) + (a.size,) * dims
    x, y = torch.randn(shape), torch.randn(shape)
    ctx = torch.autocast("cpu", dtype=torch.bfloat16) if a.bf16 else torch.autocast("cpu", enabled=False)
    t_train = 0.0
    for s in range(a.steps + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        with ctx:
            loss = torch.nn.functional.l1_loss(model(x).float(), y)
        loss.backward()
        opt.step()
        if s:
            t_train += time.perf_counter() - t0
    model.eval()
    t_infer = 0.0
    with torch.no_grad(), ctx:
        for s in range(a.steps + 1):
            t0 = time.perf_counter()
            model(x)
            if s:
                t_infer += time.perf_counter() - t0
    n = a.batch * a.steps
    print(json.dumps({"peer": "pytorch " + torch.__version__, "threads": a.threads, "bf16": a.bf16,
                      "train_slices_per_s": n / t_train, "infer_slices_per_s": n / t_infer}))


if __name__ == "__main__":
    main()
