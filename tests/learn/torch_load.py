#!/usr/bin/python3
"""Load an atelier checkpoint into the PyTorch U-Net from the file alone
(architecture from its __metadata__, strict state_dict), run it in eval
mode on the tensor "input" of INPUT_FILE (a safetensors file) and write
the output as "output" to OUT.
Usage: torch_load.py CHECKPOINT INPUT_FILE OUT"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_torch import load_checkpoint, read_safetensors, write_safetensors  # noqa: E402


def main():
    ck, inp, out = sys.argv[1:4]
    torch.set_num_threads(1)
    model = load_checkpoint(ck)
    model.eval()
    tensors, _ = read_safetensors(inp)
    with torch.no_grad():
        y = model(torch.from_numpy(tensors["input"].copy()))
    write_safetensors(out, {"output": y.numpy()})


if __name__ == "__main__":
    main()
