#!/usr/bin/python3
"""Load an atelier checkpoint into the PyTorch U-Net (strict state_dict),
run it in eval mode on the parity file's input and write the output.
Usage: torch_load.py CHECKPOINT PARITY_FILE OUT"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_torch import UNet, read_safetensors, write_safetensors  # noqa: E402


def main():
    ck, parity, out = sys.argv[1:4]
    tensors, meta = read_safetensors(ck)
    ptensors, pmeta = read_safetensors(parity)
    dims = int(pmeta["dims"])
    model = UNet(dims, 1, 1, int(meta["base"]), int(meta["depth"]), norm=meta["norm"], groups=2)
    state = {k: torch.from_numpy(v.copy()) for k, v in tensors.items() if not k.startswith("optim.")}
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(torch.from_numpy(ptensors["input"].copy()))
    write_safetensors(out, {"output": y.numpy()})


if __name__ == "__main__":
    main()
