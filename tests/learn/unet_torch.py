"""The atelier benchmark U-Net in PyTorch, with the same module names as
atelier's checkpoints (enc.N.conv1.weight, enc.N.bn1.running_mean, up.N,
dec.N, bottleneck, head), and a small safetensors writer (no package
needed: struct + json + numpy)."""
import json
import struct

import numpy as np
import torch
import torch.nn as nn


class Block(nn.Module):
    """norm: "batch" (bn1, bn2), "group" / "instance" (gn1, gn2) or "none"."""

    def __init__(self, ic, oc, dims, norm="batch", groups=4, slope=0.0, eps=1e-5):
        super().__init__()
        self.slope = slope
        Conv = nn.Conv2d if dims == 2 else nn.Conv3d
        BN = nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d
        IN = nn.InstanceNorm2d if dims == 2 else nn.InstanceNorm3d
        self.norm = norm
        self.conv1 = Conv(ic, oc, 3, padding=1, bias=norm == "none")
        self.conv2 = Conv(oc, oc, 3, padding=1, bias=norm == "none")
        if norm == "batch":
            self.bn1, self.bn2 = BN(oc, eps=eps), BN(oc, eps=eps)
        elif norm == "group":
            self.gn1, self.gn2 = nn.GroupNorm(groups, oc, eps=eps), nn.GroupNorm(groups, oc, eps=eps)
        elif norm == "instance":
            self.gn1, self.gn2 = IN(oc, affine=True, eps=eps), IN(oc, affine=True, eps=eps)

    def _n(self, i, x):
        if self.norm == "batch":
            return getattr(self, "bn%d" % i)(x)
        if self.norm in ("group", "instance"):
            return getattr(self, "gn%d" % i)(x)
        return x

    def _act(self, x):
        return torch.nn.functional.leaky_relu(x, self.slope) if self.slope > 0 else torch.relu(x)

    def forward(self, x):
        x = self._act(self._n(1, self.conv1(x)))
        return self._act(self._n(2, self.conv2(x)))


class UNet(nn.Module):
    def __init__(self, dims=2, in_ch=1, out_ch=1, base=16, depth=4, norm="batch", groups=4, slope=0.0,
                 eps=1e-5):
        super().__init__()
        ConvT = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d
        Conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.depth = depth
        self.enc = nn.ModuleList(
            [Block(in_ch if l == 0 else base << (l - 1), base << l, dims, norm, groups, slope, eps)
             for l in range(depth)])
        self.bottleneck = Block(base << (depth - 1), base << depth, dims, norm, groups, slope, eps)
        levels = list(reversed(range(depth)))
        self.up = nn.ModuleList([ConvT(base << (l + 1), base << l, 2, stride=2) for l in levels])
        self.dec = nn.ModuleList([Block(2 * (base << l), base << l, dims, norm, groups, slope, eps)
                                  for l in levels])
        self.head = Conv(base, out_ch, 1)
        self.pool = nn.MaxPool2d(2) if dims == 2 else nn.MaxPool3d(2)

    def forward(self, x):
        skips = []
        for e in self.enc:
            x = e(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for i in range(self.depth):
            x = self.up[i](x)
            x = torch.cat([x, skips[self.depth - 1 - i]], 1)
            x = self.dec[i](x)
        return self.head(x)


def unet_from_metadata(meta):
    """The U-Net an atelier checkpoint describes, from its __metadata__
    alone (every value is a string): mode 2d, 2.5d (2D with 2k+1 input
    channels) or 3d, channels, base, depth, norm (batch, instance, group,
    none), groups, activation (relu, leaky_relu) and its slope, norm eps."""
    dims = 3 if meta["mode"] == "3d" else 2
    slope = float(meta["leaky_slope"]) if meta.get("activation") == "leaky_relu" else 0.0
    return UNet(dims, int(meta["in_channels"]), int(meta["out_channels"]), int(meta["base"]),
                int(meta["depth"]), norm=meta["norm"], groups=int(meta.get("groups", 4)),
                slope=slope, eps=float(meta.get("norm_eps", 1e-5)))


def load_checkpoint(path):
    """An atelier checkpoint as a PyTorch model (strict state_dict; the
    optimiser moments optim.* are left out), built from the file alone."""
    tensors, meta = read_safetensors(path)
    model = unet_from_metadata(meta)
    state = {k: torch.from_numpy(v.copy()) for k, v in tensors.items() if not k.startswith("optim.")}
    model.load_state_dict(state, strict=True)
    return model


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> numpy array (float32 or int64)."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blobs, off = [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        if arr.dtype == np.float32:
            dt, raw = "F32", arr.astype("<f4").tobytes()
        elif arr.dtype == np.int64:
            dt, raw = "I64", arr.astype("<i8").tobytes()
        else:
            raise ValueError(name + ": unsupported dtype")
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": "<f4", "I64": "<i8", "BF16": None}[e["dtype"]]
        b, en = e["data_offsets"]
        out[name] = np.frombuffer(data[base + b:base + en], dtype=dt).reshape(e["shape"])
    return out, header.get("__metadata__", {})
