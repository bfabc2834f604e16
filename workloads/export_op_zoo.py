#!/usr/bin/python3
"""Exports small PyTorch modules that exercise every op the float reference computes, each
with PyTorch's own output beside it, so the reference is checked against PyTorch op by op:
activations, softmax, unfolded batch norm, grouped and dilated 1-D and 2-D convolution and
transposed convolution,
pooling with ceil_mode and padding (one through a constant Pad), Transpose, Concat, batched MatMul,
broadcasting arithmetic, and the normalisations, activations, reductions and data movement of
the newer torchvision models (the transformer module). Opset 13 like the torchvision exports, but opset 14 for the
activations, where HardSwish became an ONNX op. (F.pad exports through Slice and
ConstantOfShape at opset 13, which xbar does not load yet.)

Run with /usr/bin/python3 (Debian's torch):
  /usr/bin/python3 workloads/export_op_zoo.py -o build/workloads/ops
"""

import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OPSET = 13
SEED = 3


class Activations(nn.Module):
    def forward(self, x):
        a = F.leaky_relu(x, 0.1) + F.hardsigmoid(x) - F.hardswish(x)
        b = torch.tanh(x) * torch.sigmoid(x) / (F.relu6(x) + 1.0)
        return torch.cat([F.softmax(a, dim=1), b, x.clamp(-0.5, 0.5)], dim=1)


class Conv1dChain(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 3, padding=2, dilation=2, groups=2)
        self.bn = nn.BatchNorm1d(8)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        y = self.bn(F.relu(self.conv(x)))  # BN after ReLU: not folded into the conv
        return self.fc(y.transpose(1, 2))  # a MatMul over a batch of positions


class Pooling(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, stride=2, padding=(1, 0), bias=False)

    def forward(self, x):
        y = self.conv(x)
        a = F.max_pool2d(y, 3, 2, padding=1, ceil_mode=True)
        b = F.avg_pool2d(y, 3, 2, padding=1, ceil_mode=False, count_include_pad=False)
        c = F.avg_pool2d(y, 3, 2, padding=1, count_include_pad=True)
        g = F.adaptive_avg_pool2d(y, 1)
        return torch.cat([a.flatten(1), b.flatten(1), c.flatten(1), g.flatten(1)], dim=1)


class Shapes(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(2, 60, 5))
        self.scale = nn.Parameter(torch.randn(1, 5))

    def forward(self, x):
        f = x.reshape(1, 2, 30)
        y = torch.cat([f, 2 * f], dim=2)  # (1, 2, 60)
        y = y.permute(1, 0, 2)  # (2, 1, 60)
        z = torch.matmul(y, self.w)  # batched over 2
        return (z - self.scale) / (self.scale * self.scale + 1.0)


class Transformer(nn.Module):
    """What the newer torchvision models use beside convolutions, as torch exports it at
    opset 13: LayerNorm, GELU, SiLU and Mish decomposed (xbar fuses each back into one op),
    InstanceNorm, GroupNorm (Reshape, InstanceNormalization, Reshape, affine), Einsum, reductions, slicing with steps, split, expand, repeat, where, min and max and
    the element-wise functions."""

    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(10)
        self.fc = nn.Linear(10, 10)
        self.inorm = nn.InstanceNorm2d(4, affine=True)
        self.gnorm = nn.GroupNorm(2, 4)  # opset 13: Reshape, InstanceNormalization, Reshape, affine
        self.register_buffer("mask", torch.rand(1, 1, 5, 10, generator=torch.Generator()
                                                .manual_seed(SEED + 2)) < 0.5)

    def forward(self, x):  # (2, 4, 5, 10)
        a = F.gelu(self.fc(self.ln(x)))
        b = F.silu(x) + F.mish(x)
        c = self.inorm(x)
        d = x[:, 1:4:2, ::2, :].mean(dim=2, keepdim=True)
        e = torch.maximum(x, c).amax(dim=-1, keepdim=True) + torch.minimum(x, a)
        f = x.sum(dim=1, keepdim=True).expand(-1, 4, -1, -1)
        g = torch.sqrt(x.abs() + 1) * torch.exp(-x.abs()) + torch.erf(x) + torch.pow(x, 3)
        h = 1 / (x * x + 1)
        p, q = torch.split(x, [1, 3], dim=1)
        r = torch.where(self.mask, x, c) + q.repeat(1, 1, 1, 2)[..., :10].sum(1, keepdim=True) + p
        i = x[:, 0]  # a Gather on an activation, as ViT reads its class token
        j = self.gnorm(x)
        k = torch.einsum("bchw,bcvw->bchv", x, c)  # attention as MaxViT writes it
        return torch.cat([t.flatten(1) for t in (a, b, c, d, e, f, g, h, r, i, j, k)], dim=1)


class Resizing(nn.Module):
    """The segmentation heads' upsampling: nearest by a scale, bilinear to a size (sizes from
    Shape arithmetic, as torchvision's heads compute them), with and without align_corners."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)

    def forward(self, x):  # (1, 3, 9, 11)
        y = self.conv(x)  # (1, 4, 5, 6)
        a = F.interpolate(y, scale_factor=2, mode="nearest")
        b = F.interpolate(y, size=x.shape[-2:], mode="bilinear", align_corners=False)
        c = F.interpolate(y, size=(7, 9), mode="bilinear", align_corners=True)
        return torch.cat([a.flatten(1), b.flatten(1), c.flatten(1)], dim=1)


class Deconv(nn.Module):
    """ConvTranspose as decoders use it: strided with output_padding, grouped without bias,
    dilated, and 1-D."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
        self.grouped = nn.ConvTranspose2d(6, 4, 4, stride=2, padding=1, groups=2, bias=False)
        self.dilated = nn.ConvTranspose2d(4, 3, 3, padding=2, dilation=2)
        self.line = nn.ConvTranspose1d(3, 2, 5, stride=3, padding=(1,))

    def forward(self, x):  # (1, 4, 5, 6)
        y = self.dilated(F.relu(self.grouped(F.relu(self.up(x)))))  # (1, 3, 20, 24)
        z = self.line(y.mean(dim=2))  # (1, 2, 72)
        return torch.cat([y.flatten(1), z.flatten(1)], dim=1)


MODELS = {
    "activations": (Activations, (2, 3, 4, 5)),
    "conv1d_chain": (Conv1dChain, (1, 4, 17)),
    "pooling": (Pooling, (1, 3, 19, 18)),
    "shapes": (Shapes, (1, 2, 6, 5)),
    "transformer": (Transformer, (2, 4, 5, 10)),
    "resizing": (Resizing, (1, 3, 9, 11)),
    "deconv": (Deconv, (1, 4, 5, 6)),
}


def export(name, out_dir):
    torch.manual_seed(SEED)
    cls, shape = MODELS[name]
    net = cls().eval()
    for m in net.modules():  # running statistics that are not the identity
        if isinstance(m, (nn.LayerNorm, nn.InstanceNorm2d, nn.GroupNorm)):  # a real affine part
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(SEED + 1))
    with torch.no_grad():
        y = net(x)
    stem = os.path.join(out_dir, name)
    opset = 14 if name == "activations" else OPSET
    torch.onnx.export(net, x, stem + ".onnx.tmp", opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    for suffix, array in ((".input.npy", x.numpy()), (".output.npy", y.numpy())):
        np.save(stem + suffix + ".tmp.npy", array)
        os.replace(stem + suffix + ".tmp.npy", stem + suffix)
    os.replace(stem + ".onnx.tmp", stem + ".onnx")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--out", required=True, help="output directory")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in MODELS:
        export(name, args.out)
        print(f"exported {os.path.join(args.out, name)}.onnx")


if __name__ == "__main__":
    main()
