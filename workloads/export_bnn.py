#!/usr/bin/python3
"""Binarized networks in xbar's ONNX conventions (docs/design.md §9b), for `xbar validate` and
for cost studies.

  export_bnn.py digits -o DIR      trains three BNNs on scikit-learn's digits (the split of
                                   train_digits.py) and writes DIR/digits_bnn.onnx,
                                   digits_bnn_shifted.onnx and digits_bnn_insta.onnx
  export_bnn.py resnet18 -o DIR    ResNet-18 binarized in the Bi-Real-Net manner, untrained:
                                   DIR/resnet18_bnn.onnx (weights, batch 1) and
                                   DIR/resnet18_bnn.stripped.onnx (no weight data)

The digits BNNs, in the XNOR-Net manner, keep the first and last layers in full precision:
  conv 1->32 3x3 pad 1 (full precision) + BN, binary activation,
  binary conv 32->64 3x3 (no padding: 6x6) + BN, binary activation,
  binary conv 64->64 3x3 (4x4) + BN, binary activation, global average pool, fc 64->10.
Binary weights are torch.sign(W) times XNOR-Net's alpha = mean |W| per output channel, which
the export takes as a constant of the trained weights: the graph holds Sign(W) x alpha (or,
where torch.onnx.export's constant folding evaluates it, an initializer of +-alpha per
channel), and a batch norm after it. The variants differ in the binary activation:
  digits_bnn          Sign(x)
  digits_bnn_shifted  Sign(x - delta), delta a learned constant per channel
  digits_bnn_shift{000,050,100,150,200}  the shifted model with its deltas times 0 to 2, for
                      a sweep over the threshold shift
  digits_bnn_insta    Sign(x - delta(x)), INSTA-BNN's instance-aware threshold: the global
                      average pools of x and x*x per channel, concatenated, through
                      fc 2C -> C/2, ReLU, fc C/2 -> C
The binary convs have no padding: the chip feeds a zero of a binary input as +1, PyTorch
pads with 0, so a padded binary conv would differ at the borders by construction.
Training: straight-through estimators (the gradient of sign(x) is 1 where |x| <= 1), Adam,
seeded, on the CPU in seconds. The printed accuracies are PyTorch's.

ResNet-18 BNN: torchvision's resnet18 with each basic block's 3x3 convs binary, each preceded
by its own binary activation Sign(x) and followed by BN and the real-valued shortcut of
Bi-Real-Net (a block's input added after every conv); the stem conv, the downsampling 1x1
convs and the fc stay full precision. alpha is a parameter here, so the stripped export
(constant folding off) keeps Sign(W) x alpha as nodes, which xbar folds and marks binary.

Run with /usr/bin/python3.
"""

import argparse
import os
import sys

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strip_weights import strip_weights  # noqa: E402
from train_digits import OPSET, SEED, digits_split, save, train  # noqa: E402

SHIFT_SWEEP = (0.0, 0.5, 1.0, 1.5, 2.0)


class SignSTE(torch.autograd.Function):
    """sign(x) forward; the gradient passes where |x| <= 1 (hard tanh)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


def binarize(x, training):
    return SignSTE.apply(x) if training else torch.sign(x)


class BinaryConv(nn.Conv2d):
    """A conv whose weights are sign(W) x alpha per output channel; alpha = mean |W| (XNOR-Net)
    unless learned_alpha, where it is a parameter of its own."""

    def __init__(self, *args, learned_alpha=False, **kwargs):
        super().__init__(*args, bias=False, **kwargs)
        self.alpha = (nn.Parameter(self.weight.detach().abs().mean((1, 2, 3), keepdim=True))
                      if learned_alpha else None)

    def forward(self, x):
        alpha = (self.alpha if self.alpha is not None else
                 self.weight.abs().mean((1, 2, 3), keepdim=True))
        w = binarize(self.weight, self.training) * alpha
        return F.conv2d(x, w, None, self.stride, self.padding, self.dilation, self.groups)


class BinaryActivation(nn.Module):
    """Sign(x), Sign(x - delta) with delta per channel, or INSTA-BNN's Sign(x - delta(x))."""

    def __init__(self, channels, kind):
        super().__init__()
        self.kind = kind
        if kind == "shifted":
            self.delta = nn.Parameter(torch.zeros(channels, 1, 1))
        elif kind == "insta":
            self.fc1 = nn.Linear(2 * channels, max(channels // 2, 4))
            self.fc2 = nn.Linear(max(channels // 2, 4), channels)

    def forward(self, x):
        if self.kind == "shifted":
            x = x - self.delta
        elif self.kind == "insta":
            stats = torch.cat([F.adaptive_avg_pool2d(x, 1).flatten(1),
                               F.adaptive_avg_pool2d(x * x, 1).flatten(1)], 1)
            delta = self.fc2(F.relu(self.fc1(stats)))
            x = x - delta.reshape(x.shape[0], x.shape[1], 1, 1)
        return binarize(x, self.training)


class DigitsBnn(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.act1 = BinaryActivation(32, kind)
        self.conv2 = BinaryConv(32, 64, 3)
        self.bn2 = nn.BatchNorm2d(64)
        self.act2 = BinaryActivation(64, kind)
        self.conv3 = BinaryConv(64, 64, 3)
        self.bn3 = nn.BatchNorm2d(64)
        self.act3 = BinaryActivation(64, kind)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.act2(self.bn2(self.conv2(x)))
        x = self.act3(self.bn3(self.conv3(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def export(net, example, path, fold=True):
    torch.onnx.export(net, example, path + ".tmp", opset_version=OPSET,
                      do_constant_folding=fold, input_names=["input"],
                      output_names=["logits"])
    os.replace(path + ".tmp", path)


def digits(out):
    torch.manual_seed(SEED)
    torch.set_num_threads(os.cpu_count() or 1)
    x_train, x_test, y_train, y_test = digits_split()
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train).long()
    for kind, name in (("plain", "digits_bnn"), ("shifted", "digits_bnn_shifted"),
                       ("insta", "digits_bnn_insta")):
        torch.manual_seed(SEED)
        net = train(DigitsBnn(kind), xt, yt, 60, cosine=True)
        with torch.no_grad():
            accuracy = (net(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
        for m in net.modules():  # XNOR-Net's alpha as a constant of the trained weights
            if isinstance(m, BinaryConv) and m.alpha is None:
                m.alpha = nn.Parameter(m.weight.detach().abs().mean((1, 2, 3), keepdim=True))
        export(net, torch.from_numpy(x_test[:1]), os.path.join(out, name + ".onnx"))
        print(f"{name}: test accuracy {accuracy * 100:.2f} % over {len(y_test)} images "
              "(PyTorch)")
        if kind == "shifted":
            shift_variants(net, x_test, y_test, out)


def shift_variants(net, x_test, y_test, out):
    """The shifted-threshold BNN with every learned delta scaled by f, as trained otherwise:
    digits_bnn_shift{100 f}.onnx, for a sweep of accuracy against energy over the shift."""
    deltas = [m.delta.detach().clone() for m in net.modules()
              if isinstance(m, BinaryActivation) and m.kind == "shifted"]
    for factor in SHIFT_SWEEP:
        with torch.no_grad():
            for m, d in zip((m for m in net.modules()
                             if isinstance(m, BinaryActivation) and m.kind == "shifted"), deltas):
                m.delta.copy_(d * factor)
            accuracy = (net(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
        name = f"digits_bnn_shift{round(factor * 100):03d}"
        export(net, torch.from_numpy(x_test[:1]), os.path.join(out, name + ".onnx"))
        print(f"{name}: thresholds x {factor}, test accuracy {accuracy * 100:.2f} % (PyTorch)")
    with torch.no_grad():
        for m, d in zip((m for m in net.modules()
                         if isinstance(m, BinaryActivation) and m.kind == "shifted"), deltas):
            m.delta.copy_(d)


class BiRealBlock(nn.Module):
    """A basic block with binary 3x3 convs, each with its own real-valued shortcut."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = BinaryConv(cin, cout, 3, stride=stride, padding=1, learned_alpha=True)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = BinaryConv(cout, cout, 3, padding=1, learned_alpha=True)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        shortcut = x if self.down is None else self.down(x)
        y = self.bn1(self.conv1(binarize(x, self.training))) + shortcut
        return self.bn2(self.conv2(binarize(y, self.training))) + y


class ResNet18Bnn(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
                                  nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        blocks, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            blocks += [BiRealBlock(cin, cout, stride), BiRealBlock(cout, cout, 1)]
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def resnet18(out):
    torch.manual_seed(SEED)
    net = ResNet18Bnn().eval()
    example = torch.randn(1, 3, 224, 224)
    path = os.path.join(out, "resnet18_bnn.onnx")
    export(net, example, path)
    # No PyTorch output beside it: an untrained BNN has many pre-activations within float
    # rounding of their thresholds, and the float reference sums in another order than PyTorch
    # (and folds the batch norms into the weights), so a few signs flip and the difference
    # grows through 16 binary layers: its logits are no test of the float kernels.
    save(os.path.join(out, "resnet18_bnn.input.npy"), example.numpy())
    stripped = os.path.join(out, "resnet18_bnn.stripped.onnx")
    export(net, example, stripped + ".full", fold=False)
    onnx.save(strip_weights(onnx.load(stripped + ".full")), stripped + ".tmp")
    os.remove(stripped + ".full")
    os.replace(stripped + ".tmp", stripped)
    print(f"resnet18_bnn: {sum(p.numel() for p in net.parameters())} parameters")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["digits", "resnet18"])
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    digits(args.out) if args.what == "digits" else resnet18(args.out)


if __name__ == "__main__":
    main()
