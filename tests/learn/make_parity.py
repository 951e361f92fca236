#!/usr/bin/python3
"""Parity fixture for atelier's learning engine: builds a small U-Net in
PyTorch (train-mode batch norm), and writes to OUT (safetensors) its
initial weights (state_dict names), an input batch, a target, the output,
the L1 loss, every parameter gradient (grad.<name>) and the losses of 10
AdamW steps (losses).
Usage: make_parity.py OUT {2d|3d} [batch|group|instance|none] [relu|leaky]
   or: make_parity.py --dir DIR MODE:NORM:ACT...  (one file per case,
       DIR/parity_MODE_NORM_ACT.safetensors, in one interpreter)"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_torch import UNet, write_safetensors  # noqa: E402


def main():
    if sys.argv[1] == "--dir":
        for spec in sys.argv[3:]:
            mode, norm, act = spec.split(":")
            make(os.path.join(sys.argv[2], "parity_%s_%s_%s.safetensors" % (mode, norm, act)), mode, norm, act)
    else:
        make(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "batch",
             sys.argv[4] if len(sys.argv) > 4 else "relu")


def make(out, mode, norm, act):
    slope = 0.01 if act == "leaky" else 0.0
    torch.manual_seed(7)
    torch.set_num_threads(1)
    if mode == "2d":
        dims, batch, size, base, depth = 2, 2, 32, 4, 3
    else:
        dims, batch, size, base, depth = 3, 2, 16, 8, 2
    if norm != "batch" or slope:  # the other cases on smaller shapes (test time)
        size, depth = (16, 2) if dims == 2 else (8, 2)
    if norm == "none":  # base 8: the 8-channel-blocked (AVX2) layout in 2D
        base = 8
    model = UNet(dims, 1, 1, base, depth, norm=norm, groups=2, slope=slope).train()
    init = {k: v.detach().clone().numpy() for k, v in model.state_dict().items()}
    shape = (batch, 1) + (size,) * dims
    x = torch.randn(shape)
    y = torch.randn(shape) * 0.5 + x * 0.3
    pred = model(x)
    loss = torch.nn.functional.l1_loss(pred, y)
    loss.backward()
    tensors = dict(init)
    tensors["input"] = x.numpy()
    tensors["target"] = y.numpy()
    tensors["output"] = pred.detach().numpy()
    tensors["loss"] = np.array([loss.item()], dtype=np.float32)
    for name, p in model.named_parameters():
        tensors["grad." + name] = p.grad.detach().numpy().copy()
    # inference with the running statistics of that one training pass
    model.eval()
    with torch.no_grad():
        tensors["eval_output"] = model(x).numpy()
    model.train()
    # 10 AdamW steps from the initial weights on the same batch
    model.load_state_dict({k: torch.from_numpy(v) for k, v in init.items()})
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    losses = []
    for _ in range(10):
        opt.zero_grad()
        l = torch.nn.functional.l1_loss(model(x), y)
        l.backward()
        opt.step()
        losses.append(l.item())
    tensors["losses"] = np.array(losses, dtype=np.float32)

    meta = {"dims": dims, "batch": batch, "size": size, "base": base, "depth": depth, "norm": norm}
    write_safetensors(out, tensors, meta)


if __name__ == "__main__":
    main()
