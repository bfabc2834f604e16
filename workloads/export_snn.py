#!/usr/bin/python3
"""Spiking networks in xbar's ONNX convention (docs/design.md §9b): the graph of one time step
with xbar::LIF nodes and the model metadata xbar.snn.timesteps = T.

  export_snn.py digits -o DIR    trains a small fully connected SNN and a small convolutional
                                 SNN on scikit-learn's digits (the split of train_digits.py)
                                 with surrogate gradients, and writes
                                   DIR/digits_snn_fc.onnx, DIR/digits_snn_conv.onnx,
                                   DIR/<model>.output.npy   PyTorch's output spike counts over
                                                            the test images, (450, 10)
                                   DIR/<model>.spikes.json  PyTorch's spikes per LIF layer and
                                                            time step, summed over the images
                                   DIR/snn_dataset/{inputs,labels,calibration}.npy
                                   DIR/digits_snn_fc_t{4,8,16,32}.onnx and .dataset/: the FC
                                   SNN at other T, each with its own inputs (a sweep over T)
  export_snn.py mlp -o DIR       the 784-800-10 fully connected SNN with T = 300, untrained:
                                 DIR/snn_784_800_10.onnx (weights) and .stripped.onnx, with one
                                 rate-coded input, DIR/snn_784_800_10.input.npy (1, 300, 784)

Inputs are rate coded: each pixel (in [0, 1]) spikes at each step with that probability,
drawn once with a fixed seed, so the input files hold (N, T, ...) spikes of 0 or 1.
Every LIF has the convention's parameters (alpha_i = alpha_v = 0.99, beta = 1, theta = 1) and
a bias per channel; the matrix layers have none (the bias enters V through beta_b).

The digits models are integer friendly: after training, each output channel's weights are
rounded to k x 2^e with |k| <= 7 and some |k| = 7 (4-bit codes whose scale is a power of two).
Spikes times such weights sum exactly in float32 in any order, so PyTorch, xbar's float
reference and a 4-bit crossbar with an exact ADC make the same synaptic inputs, and the LIF
below computes each product and sum in the order xbar's kernel does: the spike trains agree
bit for bit. Training: BPTT over T steps, a fast-sigmoid surrogate gradient, Adam, seeded.

Run with /usr/bin/python3.
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strip_weights import strip_weights  # noqa: E402
from train_digits import OPSET, SEED, digits_split, save  # noqa: E402

PARAMS = dict(alpha_i=0.99, alpha_v=0.99, beta_i=1.0, beta_v=1.0, beta_b=1.0, theta=1.0)
DIGITS_T = 16
TIMESTEP_SWEEP = (4, 8, 16, 32)


class SpikeFn(torch.autograd.Function):
    """s = 1[v >= theta]; the gradient of a fast sigmoid around the threshold."""

    @staticmethod
    def forward(ctx, v, theta):
        ctx.save_for_backward(v)
        ctx.theta = theta
        return (v >= theta).to(v.dtype)

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return grad / (1 + 5 * (v - ctx.theta).abs()) ** 2, None


class LifExport(torch.autograd.Function):
    """One step of xbar::LIF from rest, for the exporter: the graph is what matters."""

    @staticmethod
    def forward(ctx, x, b):
        return ((PARAMS["beta_v"] * PARAMS["beta_i"] * x + PARAMS["beta_b"] * b)
                >= PARAMS["theta"]).to(x.dtype)

    @staticmethod
    def symbolic(g, x, b):
        return g.op("xbar::LIF", x, b, **{k + "_f": v for k, v in PARAMS.items()})


class Lif(nn.Module):
    """A layer of LIF neurons with a bias per channel, run step by step with its state."""

    def __init__(self, channels, spatial):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))
        self.view = (1, channels, 1, 1) if spatial else (1, channels)
        self.exporting = False

    def forward(self, syn, state):
        b = self.bias.reshape(self.view)
        if self.exporting:
            return LifExport.apply(syn, self.bias.reshape(self.view[1:])), None
        p = PARAMS
        if state is None:
            zeros = torch.zeros_like(syn)
            state = (zeros, zeros, zeros)
        i, v, s = state
        keep = 1.0 - s
        # The order of xbar's kernel (reference/lif_neurons.h): every product, then the sums.
        i = p["beta_i"] * syn + (p["alpha_i"] * keep) * i
        drive = p["beta_v"] * i + p["beta_b"] * b
        v = drive + (p["alpha_v"] * keep) * v
        s = SpikeFn.apply(v, p["theta"])
        return s, (i, v, s)


class FcSnn(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.fcs = nn.ModuleList(nn.Linear(a, b, bias=False) for a, b in zip(sizes, sizes[1:]))
        self.lifs = nn.ModuleList(Lif(b, False) for b in sizes[1:])

    def step(self, x, states):
        x = x.flatten(1)
        out = []
        for fc, lif, state in zip(self.fcs, self.lifs, states):
            x, state = lif(fc(x), state)
            out.append((x, state))
        return out


class ConvSnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.lif1 = Lif(16, True)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.lif2 = Lif(32, True)
        self.fc = nn.Linear(32 * 2 * 2, 10, bias=False)
        self.lif3 = Lif(10, False)

    def step(self, x, states):
        s1, st1 = self.lif1(self.conv1(x), states[0])
        s2, st2 = self.lif2(self.conv2(F.max_pool2d(s1, 2)), states[1])
        s3, st3 = self.lif3(self.fc(F.max_pool2d(s2, 2).flatten(1)), states[2])
        return [(s1, st1), (s2, st2), (s3, st3)]


class OneStep(nn.Module):
    """The exported graph: one time step, LIF nodes in place of the stateful neurons."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        for m in net.modules():
            if isinstance(m, Lif):
                m.exporting = True

    def forward(self, x):
        return self.net.step(x, [None] * 3)[-1][0]


def run(net, spikes):
    """Output spike counts (N, 10) and each LIF layer's spikes per step, over (N, T, ...)."""
    states = [None] * 3
    counts, per_layer = 0, []
    for t in range(spikes.shape[1]):
        out = net.step(spikes[:, t], states)
        states = [state for _, state in out]
        per_layer.append([float(s.sum()) for s, _ in out])
        counts = counts + out[-1][0]
    return counts, per_layer


def rate_code(images, steps, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(images).unsqueeze(1).expand(-1, steps, *images.shape[1:])
    return (torch.rand(x.shape, generator=gen) < x).float()


def to_grid(net):
    """Each output channel's weights to k x 2^e, |k| <= 7, some |k| = 7 (4-bit codes)."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                w = m.weight.flatten(1)
                peak = w.abs().max(1, keepdim=True).values.clamp_min(1e-8)
                step = torch.exp2(torch.round(torch.log2(peak / 7)))
                k = torch.clamp(torch.round(w / step), -7, 7)
                top = k.abs().argmax(1)
                rows = torch.arange(k.shape[0])
                k[rows, top] = 7 * torch.sign(w[rows, top])
                m.weight.copy_((k * step).reshape(m.weight.shape))
            if isinstance(m, Lif):
                m.bias.copy_(torch.round(m.bias * 64) / 64)


def train(net, spikes, labels, epochs):
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(epochs):
        order = torch.randperm(len(spikes), generator=gen)
        for i in range(0, len(spikes), 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            counts, _ = run(net, spikes[idx])
            F.cross_entropy(counts, labels[idx]).backward()
            opt.step()
    return net


def export(net, example, path, timesteps, stripped=False):
    torch.onnx.export(OneStep(net), example, path + ".tmp", opset_version=OPSET,
                      input_names=["input"], output_names=["spikes"],
                      custom_opsets={"xbar": 1})
    for m in net.modules():  # OneStep switched the neurons to their export form
        if isinstance(m, Lif):
            m.exporting = False
    model = onnx.load(path + ".tmp")
    entry = model.metadata_props.add()
    entry.key, entry.value = "xbar.snn.timesteps", str(timesteps)
    if stripped:
        model = strip_weights(model)
    onnx.save(model, path + ".tmp")
    os.replace(path + ".tmp", path)


def digits(out):
    torch.manual_seed(SEED)
    torch.set_num_threads(os.cpu_count() or 1)
    x_train, x_test, y_train, y_test = digits_split()
    train_spikes = rate_code(x_train, DIGITS_T, SEED)
    test_spikes = rate_code(x_test, DIGITS_T, SEED + 1)
    data = os.path.join(out, "snn_dataset")
    os.makedirs(data, exist_ok=True)
    save(os.path.join(data, "inputs.npy"), test_spikes.numpy())
    save(os.path.join(data, "labels.npy"), y_test.astype(np.int64))
    save(os.path.join(data, "calibration.npy"), train_spikes[:128].numpy())
    labels = torch.from_numpy(y_train).long()
    for name, make, epochs, gain in (("digits_snn_fc", lambda: FcSnn([64, 128, 10]), 20, 1),
                                     ("digits_snn_conv", ConvSnn, 40, 3)):
        torch.manual_seed(SEED)
        net = make()
        with torch.no_grad():  # the conv net's default init leaves most neurons silent
            for m in net.modules():
                if isinstance(m, (nn.Linear, nn.Conv2d)):
                    m.weight.mul_(gain)
        train(net, train_spikes, labels, epochs)
        to_grid(net)
        with torch.no_grad():
            counts, per_layer = run(net, test_spikes)
        accuracy = (counts.argmax(1).numpy() == y_test).mean()
        stem = os.path.join(out, name)
        save(stem + ".output.npy", counts.numpy())
        with open(stem + ".spikes.json.tmp", "w") as f:
            json.dump({"timesteps": DIGITS_T, "images": len(y_test),
                       "spikes_per_layer_and_step": [list(r) for r in zip(*per_layer)]}, f)
        os.replace(stem + ".spikes.json.tmp", stem + ".spikes.json")
        export(net, test_spikes[:1, 0], stem + ".onnx", DIGITS_T)
        print(f"{name}: T = {DIGITS_T}, test accuracy {accuracy * 100:.2f} % over "
              f"{len(y_test)} images (PyTorch, 4-bit grid weights)")
        if name == "digits_snn_fc":
            timestep_variants(net, x_train, x_test, y_test, out)


def timestep_variants(net, x_train, x_test, y_test, out):
    """The FC SNN run at other numbers of time steps (its weights as trained at T = 16), each
    with its own rate-coded dataset, for a sweep of accuracy against energy over T."""
    for steps in TIMESTEP_SWEEP:
        stem = os.path.join(out, f"digits_snn_fc_t{steps}")
        data = stem + ".dataset"
        os.makedirs(data, exist_ok=True)
        test_spikes = rate_code(x_test, steps, SEED + 1)
        save(os.path.join(data, "inputs.npy"), test_spikes.numpy())
        save(os.path.join(data, "labels.npy"), y_test.astype(np.int64))
        save(os.path.join(data, "calibration.npy"), rate_code(x_train[:128], steps, SEED).numpy())
        with torch.no_grad():
            counts, _ = run(net, test_spikes)
        export(net, test_spikes[:1, 0], stem + ".onnx", steps)
        print(f"digits_snn_fc_t{steps}: T = {steps}, test accuracy "
              f"{(counts.argmax(1).numpy() == y_test).mean() * 100:.2f} % (PyTorch)")


def mlp(out):
    torch.manual_seed(SEED)
    net = FcSnn([784, 800, 10])
    with torch.no_grad():  # enough drive that spikes reach the output layer
        for fc in net.fcs:
            fc.weight.mul_(4)
    stem = os.path.join(out, "snn_784_800_10")
    image = torch.rand(1, 784, generator=torch.Generator().manual_seed(SEED))
    spikes = rate_code(image.numpy(), 300, SEED)
    save(stem + ".input.npy", spikes.numpy())
    export(net, spikes[:, 0], stem + ".onnx", 300)
    export(net, spikes[:, 0], stem + ".stripped.onnx", 300, stripped=True)
    print("snn_784_800_10: T = 300, untrained")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["digits", "mlp"])
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    digits(args.out) if args.what == "digits" else mlp(args.out)


if __name__ == "__main__":
    main()
