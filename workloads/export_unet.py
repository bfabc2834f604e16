#!/usr/bin/python3
"""Exports a UNet with the block structure of Stable Diffusion v1.5's denoiser to ONNX.

The network is built here in plain PyTorch, module for module as diffusers'
UNet2DConditionModel builds SD v1.5's UNet (block_out_channels 320, 640, 1280, 1280; two
layers per block; 8 attention heads; a 768-wide text context of 77 tokens; GroupNorm of 32
groups), with random weights:
  - ResNet blocks: GroupNorm, SiLU, 3x3 conv, the time embedding's projection added, GroupNorm,
    SiLU, 3x3 conv, and a 1x1 shortcut where the channels change;
  - transformer blocks: GroupNorm, 1x1 projection in, LayerNorm + self-attention, LayerNorm +
    cross-attention over the text context, LayerNorm + GEGLU feed-forward, 1x1 projection out,
    residual;
  - down-sampling by a stride-2 conv, up-sampling by nearest x2 and a conv, the skip
    connections concatenated on the way up.

One choice differs from diffusers: the timestep's sinusoidal features (diffusers'
get_timestep_embedding, 320 wide) are an input of the graph, computed by this script, rather
than computed inside it from the timestep: they are sin and cos of constants, the same for
every layer, and everything after them (the time MLP, each block's projection) is in the graph.

The script checks the parameter count against its own layer arithmetic (param_arithmetic) and
prints both. `sd` is the full size, exported stripped (its 3.4 GB of float weights are dims
only: export_params=False, then the parameters become data-less initializers, as
strip_weights.py marks them); `mini` is a small configuration of the same code, exported with
its weights and PyTorch's output for validation.

  /usr/bin/python3 workloads/export_unet.py -o build/workloads sd mini
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strip_weights import STRIPPED_KEY, STRIPPED_VALUE  # noqa: E402

OPSET = 13
SEED = 0
TRACE_LATENT = 8  # the stripped export's traced latent size (export below)

# name -> configuration. sd: Stable Diffusion v1.5's UNet (diffusers' unet/config.json:
# block_out_channels, layers_per_block, attention_head_dim 8 = heads, cross_attention_dim,
# norm_num_groups; a 512 x 512 image is a 64 x 64 latent; CLIP's context is 77 x 768).
CONFIGS = {
    "sd": dict(channels=(320, 640, 1280, 1280), layers=2, heads=8, context_dim=768,
               context_len=77, groups=32, latent=64, time_features=320),
    "mini": dict(channels=(32, 64, 64, 64), layers=1, heads=2, context_dim=32, context_len=8,
                 groups=8, latent=16, time_features=32),
}


class ResnetBlock(nn.Module):
    def __init__(self, cin, cout, temb, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(nn.functional.silu(self.norm1(x)))
        h = h + self.time_emb_proj(nn.functional.silu(temb))[:, :, None, None]
        h = self.conv2(nn.functional.silu(self.norm2(h)))
        return (self.shortcut(x) if self.shortcut is not None else x) + h


class Attention(nn.Module):
    def __init__(self, dim, kv_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(kv_dim, dim, bias=False)
        self.to_v = nn.Linear(kv_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context):
        b, n, c = x.shape
        d = c // self.heads

        def split(t):  # (b, tokens, c) -> (b, heads, tokens, d)
            return t.reshape(b, t.shape[1], self.heads, d).permute(0, 2, 1, 3)

        q, k, v = split(self.to_q(x)), split(self.to_k(context)), split(self.to_v(context))
        a = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * d ** -0.5, dim=-1)
        return self.to_out(torch.matmul(a, v).permute(0, 2, 1, 3).reshape(b, n, c))


class TransformerBlock(nn.Module):
    """diffusers' Transformer2DModel with one BasicTransformerBlock (SD v1.5: 1x1 conv
    projections, GEGLU feed-forward of 4x the width)."""

    def __init__(self, dim, context_dim, heads, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, dim, eps=1e-6)
        self.proj_in = nn.Conv2d(dim, dim, 1)
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, context_dim, heads)
        self.norm3 = nn.LayerNorm(dim)
        self.ff_proj = nn.Linear(dim, 8 * dim)  # GEGLU: value and gate, 4 x dim each
        self.ff_out = nn.Linear(4 * dim, dim)
        self.proj_out = nn.Conv2d(dim, dim, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        t = self.proj_in(self.norm(x)).permute(0, 2, 3, 1).reshape(b, h * w, c)
        n1 = self.norm1(t)
        t = self.attn1(n1, n1) + t
        t = self.attn2(self.norm2(t), context) + t
        value, gate = self.ff_proj(self.norm3(t)).chunk(2, dim=-1)
        t = self.ff_out(value * nn.functional.gelu(gate)) + t
        return self.proj_out(t.reshape(b, h, w, c).permute(0, 3, 1, 2)) + x


class UNet(nn.Module):
    def __init__(self, channels, layers, heads, context_dim, groups, time_features, **_):
        super().__init__()
        temb = 4 * channels[0]
        self.time_1 = nn.Linear(time_features, temb)
        self.time_2 = nn.Linear(temb, temb)
        self.conv_in = nn.Conv2d(4, channels[0], 3, padding=1)
        last = len(channels) - 1
        # Down: cross-attention in every block but the last, a stride-2 conv after each but it.
        self.down = nn.ModuleList()
        skips = [channels[0]]
        cin = channels[0]
        for i, c in enumerate(channels):
            block = nn.Module()
            block.resnets = nn.ModuleList(
                ResnetBlock(cin if j == 0 else c, c, temb, groups) for j in range(layers))
            block.attentions = nn.ModuleList(
                TransformerBlock(c, context_dim, heads, groups) for _ in range(layers)
                if i < last)
            block.downsample = nn.Conv2d(c, c, 3, stride=2, padding=1) if i < last else None
            skips += [c] * layers + ([c] if i < last else [])
            self.down.append(block)
            cin = c
        self.mid_resnet1 = ResnetBlock(channels[-1], channels[-1], temb, groups)
        self.mid_attention = TransformerBlock(channels[-1], context_dim, heads, groups)
        self.mid_resnet2 = ResnetBlock(channels[-1], channels[-1], temb, groups)
        # Up: layers + 1 ResNet blocks each, reading a skip each; cross-attention in every
        # block but the first, nearest x2 and a conv after each but the last.
        self.up = nn.ModuleList()
        rev = list(reversed(channels))
        prev = rev[0]
        for i, c in enumerate(rev):
            block = nn.Module()
            block.resnets = nn.ModuleList()
            for j in range(layers + 1):
                skip = skips.pop()
                block.resnets.append(ResnetBlock((prev if j == 0 else c) + skip, c, temb, groups))
            block.attentions = nn.ModuleList(
                TransformerBlock(c, context_dim, heads, groups) for _ in range(layers + 1)
                if i > 0)
            block.upsample = nn.Conv2d(c, c, 3, padding=1) if i < last else None
            self.up.append(block)
            prev = c
        self.norm_out = nn.GroupNorm(groups, channels[0], eps=1e-5)
        self.conv_out = nn.Conv2d(channels[0], 4, 3, padding=1)

    def forward(self, latent, time_features, context):
        temb = self.time_2(nn.functional.silu(self.time_1(time_features)))
        x = self.conv_in(latent)
        skips = [x]
        for block in self.down:
            for j, resnet in enumerate(block.resnets):
                x = resnet(x, temb)
                if len(block.attentions) > 0:
                    x = block.attentions[j](x, context)
                skips.append(x)
            if block.downsample is not None:
                x = block.downsample(x)
                skips.append(x)
        x = self.mid_resnet2(self.mid_attention(self.mid_resnet1(x, temb), context), temb)
        for block in self.up:
            for j, resnet in enumerate(block.resnets):
                x = resnet(torch.cat([x, skips.pop()], dim=1), temb)
                if len(block.attentions) > 0:
                    x = block.attentions[j](x, context)
            if block.upsample is not None:
                x = block.upsample(nn.functional.interpolate(x, scale_factor=2.0, mode="nearest"))
        return self.conv_out(nn.functional.silu(self.norm_out(x)))


def param_arithmetic(channels, layers, heads, context_dim, groups, time_features, **_):
    """The parameter count from each layer's shape, independently of the modules above."""
    def conv(k, cin, cout):
        return k * k * cin * cout + cout

    def linear(cin, cout, bias=True):
        return cin * cout + (cout if bias else 0)

    def resnet(cin, cout):
        return (2 * cin + conv(3, cin, cout) + linear(temb, cout) + 2 * cout +
                conv(3, cout, cout) + (conv(1, cin, cout) if cin != cout else 0))

    def transformer(c):
        attention = 3 * linear(c, c, False) + linear(c, c)
        cross = linear(c, c, False) + 2 * linear(context_dim, c, False) + linear(c, c)
        return (2 * c + 2 * conv(1, c, c) + 3 * 2 * c + attention + cross + linear(c, 8 * c) +
                linear(4 * c, c))

    temb = 4 * channels[0]
    total = linear(time_features, temb) + linear(temb, temb) + conv(3, 4, channels[0])
    last = len(channels) - 1
    skips, cin = [channels[0]], channels[0]
    for i, c in enumerate(channels):
        for j in range(layers):
            total += resnet(cin if j == 0 else c, c) + (transformer(c) if i < last else 0)
        if i < last:
            total += conv(3, c, c)
        skips += [c] * layers + ([c] if i < last else [])
        cin = c
    total += 2 * resnet(channels[-1], channels[-1]) + transformer(channels[-1])
    prev = channels[-1]
    for i, c in enumerate(reversed(channels)):
        for j in range(layers + 1):
            total += resnet((prev if j == 0 else c) + skips.pop(), c) + (transformer(c) if i > 0
                                                                          else 0)
        if i < last:
            total += conv(3, c, c)
        prev = c
    return total + 2 * channels[0] + conv(3, channels[0], 4)


def strip_parameters(model: onnx.ModelProto, shapes: dict) -> None:
    """Turns the parameter inputs of an export_params=False graph into data-less initializers
    of their dims, marked stripped (strip_weights.py's convention)."""
    kept = []
    for value in model.graph.input:
        if value.name in shapes:
            t = model.graph.initializer.add()
            t.name = value.name
            t.data_type = onnx.TensorProto.FLOAT
            t.dims.extend(shapes[value.name])
        else:
            kept.append(value)
    del model.graph.input[:]
    model.graph.input.extend(kept)
    entry = model.metadata_props.add()
    entry.key, entry.value = STRIPPED_KEY, STRIPPED_VALUE


def resize_latent(model: onnx.ModelProto, size: int) -> None:
    """Sets the latent input's height and width, and the output's, and drops the traced
    intermediate shapes (they were for the traced size)."""
    for value in list(model.graph.input) + list(model.graph.output):
        if value.name in ("latent", "noise"):
            dims = value.type.tensor_type.shape.dim
            for d in (2, 3):
                dims[d].Clear()
                dims[d].dim_value = size
    del model.graph.value_info[:]


def export(name: str, out_dir: str) -> str:
    cfg = CONFIGS[name]
    torch.manual_seed(SEED)
    if name == "sd":  # stripped: the values are never used, so skip drawing 860 M of them
        saved = {cls: cls.reset_parameters for cls in (nn.Linear, nn.Conv2d)}
        for cls in saved:
            cls.reset_parameters = lambda self: [nn.init.zeros_(p) for p in self.parameters()]
        try:
            net = UNet(**cfg).eval()
        finally:
            for cls, reset in saved.items():
                cls.reset_parameters = reset
    else:
        net = UNet(**cfg).eval()
    params = sum(p.numel() for p in net.parameters())
    expected = param_arithmetic(**cfg)
    print(f"unet_{name}: {params:,} parameters; layer arithmetic {expected:,}")
    if params != expected:
        print(f"export_unet.py: unet_{name} has {params:,} parameters but its layers' "
              f"arithmetic gives {expected:,}", file=sys.stderr)
        sys.exit(1)
    if name == "mini":  # GroupNorm's and LayerNorm's identity affine would hide a wrong axis
        for m in net.modules():
            if isinstance(m, (nn.GroupNorm, nn.LayerNorm)):
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.5, 0.5)
    g = torch.Generator().manual_seed(SEED + 1)
    stripped = name == "sd"
    # The stripped export is traced at a small latent and then given its real size: one
    # forward of the full UNet at 64 x 64 takes minutes on two cores, and the graph computes
    # every shape from its input's (tokens = H x W: Shape, Gather and Reshape, not constants),
    # so only the input's dims and the traced value shapes change (cleared for xbar to infer).
    size = TRACE_LATENT if stripped else cfg["latent"]
    latent = torch.randn(1, 4, size, size, generator=g)
    # diffusers' get_timestep_embedding(t, dim) with flip_sin_to_cos and shift 0, at t = 500
    half = cfg["time_features"] // 2
    freqs = torch.exp(-np.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    angle = 500.0 * freqs
    time_features = torch.cat([torch.cos(angle), torch.sin(angle)])[None, :]
    context = torch.randn(1, cfg["context_len"], cfg["context_dim"], generator=g)
    inputs = (latent, time_features, context)
    stem = os.path.join(out_dir, f"unet_{name}" + (".stripped" if name == "sd" else ""))
    tmp = stem + ".onnx.tmp"
    torch.onnx.export(net, inputs, tmp, opset_version=OPSET,
                      input_names=["latent", "time_features", "context"],
                      output_names=["noise"], export_params=not stripped,
                      keep_initializers_as_inputs=stripped, do_constant_folding=not stripped,
                      # symbolic while traced, so that torch keeps the shape arithmetic
                      dynamic_axes={"latent": {2: "height", 3: "width"},
                                    "noise": {2: "height", 3: "width"}} if stripped else None)
    model = onnx.load(tmp)
    model.producer_name = "xbar export_unet.py"
    entry = model.metadata_props.add()
    entry.key, entry.value = "xbar.source", f"workloads/export_unet.py {name}, seed {SEED}"
    if stripped:
        strip_parameters(model, {n: list(p.shape) for n, p in net.named_parameters()})
        resize_latent(model, cfg["latent"])
        latent = torch.randn(1, 4, cfg["latent"], cfg["latent"], generator=g)
        inputs = (latent, time_features, context)
    onnx.save(model, tmp)
    arrays = [(f".{n}.npy", t.numpy()) for n, t in
              zip(("latent", "time_features", "context"), inputs)]
    if not stripped:
        with torch.no_grad():
            arrays.append((".output.npy", net(*inputs).numpy()))
    for suffix, array in arrays:
        np.save(stem + suffix + ".tmp.npy", array)
        os.replace(stem + suffix + ".tmp.npy", stem + suffix)
    os.replace(tmp, stem + ".onnx")
    return stem + ".onnx"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("configs", nargs="+", help=f"any of {', '.join(CONFIGS)}")
    parser.add_argument("-o", "--out", required=True, help="output directory")
    args = parser.parse_args()
    for name in args.configs:
        if name not in CONFIGS:
            print(f"export_unet.py: unknown configuration '{name}'; expected one of "
                  f"{', '.join(CONFIGS)}", file=sys.stderr)
            return 1
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    for name in args.configs:
        path = export(name, args.out)
        print(f"exported {path} ({os.path.getsize(path) / 2**20:.2f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
