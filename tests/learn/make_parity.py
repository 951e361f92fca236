#!/usr/bin/python3
"""Parity fixture for atelier's learning engine: builds a small U-Net in
PyTorch (train-mode batch norm), and writes to OUT (safetensors) its
initial weights (state_dict names), an input batch, a target (and a mask
for masked losses), the output, the loss, every parameter gradient
(grad.<name>) and the losses of 10 AdamW steps (losses).
Usage: make_parity.py --dir DIR SPEC...   one file per case,
       DIR/parity_SPEC.safetensors (':' -> '_'), in one interpreter
SPEC:  MODE:NORM:ACT[:LOSS[:BASE]]
       MODE 2d, 25d (2D with 3 input channels: the slice and one
       neighbour each side) or 3d; NORM batch, group (2 groups), instance
       or none; ACT relu or leaky (0.01); LOSS l1 (default), mse,
       masked_l1 or masked_mse (mean over the voxels where mask = 1);
       BASE overrides the base channels (16: the 16-channel-blocked
       layout of the default model, first convolution and head included;
       use it with mse: with L1's sign gradient, 10 AdamW steps of that
       larger model are chaotic, PyTorch f32 and f64 themselves part by
       1e-3 at step 8)"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_torch import UNet, write_safetensors  # noqa: E402


def main():
    if sys.argv[1] != "--dir":
        sys.exit(__doc__)
    for spec in sys.argv[3:]:
        make(os.path.join(sys.argv[2], "parity_%s.safetensors" % spec.replace(":", "_")), spec)


def loss_fn(kind, pred, y, mask):
    d = pred - y
    e = d.abs() if kind.endswith("l1") else d * d
    if kind.startswith("masked"):
        return (e * mask).sum() / mask.sum()
    return e.mean()


def make(out, spec):
    parts = spec.split(":")
    mode, norm, act = parts[:3]
    kind = parts[3] if len(parts) > 3 else "l1"
    slope = 0.01 if act == "leaky" else 0.0
    torch.manual_seed(7)
    torch.set_num_threads(1)
    if mode in ("2d", "25d"):
        dims, batch, size, base, depth = 2, 2, 32, 4, 3
    else:
        dims, batch, size, base, depth = 3, 2, 16, 8, 2
    if norm != "batch" or slope or kind != "l1" or mode == "25d":  # smaller shapes (test time)
        size, depth = (16, 2) if dims == 2 else (8, 2)
    if norm == "none":  # base 8: the 8-channel-blocked (AVX2) layout in 2D
        base = 8
    if len(parts) > 4:
        base = int(parts[4])
        size, depth = 32, 2  # a bottleneck of 8x8: batch statistics steady enough for 10 steps
    in_ch = 3 if mode == "25d" else 1
    model = UNet(dims, in_ch, 1, base, depth, norm=norm, groups=2, slope=slope).train()
    init = {k: v.detach().clone().numpy() for k, v in model.state_dict().items()}
    x = torch.randn((batch, in_ch) + (size,) * dims)
    y = torch.randn((batch, 1) + (size,) * dims) * 0.5 + x[:, in_ch // 2:in_ch // 2 + 1] * 0.3
    mask = (torch.rand(y.shape) < 0.6).float()
    pred = model(x)
    loss = loss_fn(kind, pred, y, mask)
    loss.backward()
    tensors = dict(init)
    tensors["input"] = x.numpy()
    tensors["target"] = y.numpy()
    tensors["mask"] = mask.numpy()
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
        l = loss_fn(kind, model(x), y, mask)
        l.backward()
        opt.step()
        losses.append(l.item())
    tensors["losses"] = np.array(losses, dtype=np.float32)

    meta = {"dims": dims, "batch": batch, "size": size, "base": base, "depth": depth, "norm": norm,
            "in_channels": in_ch, "loss": kind}
    write_safetensors(out, tensors, meta)


if __name__ == "__main__":
    main()
