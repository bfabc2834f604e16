#!/usr/bin/python3
"""Trains two small networks on scikit-learn's digits (1,797 8x8 images shipped inside Debian's
python3-sklearn: no download) and exports them for `xbar validate --dataset`, so that xbar's
accuracy numbers come from a real task.

Writes into OUT:
  digits_mlp.onnx, digits_cnn.onnx   batch-1 models, opset 13
  dataset/inputs.npy                 (450, 1, 8, 8) float32 test images, pixels in [0, 1]
  dataset/labels.npy                 (450,) int64 class indices
  dataset/calibration.npy            (128, 1, 8, 8) float32 from the training split
The split is sklearn's train_test_split(test_size=0.25, random_state=0, stratified); training
is seeded, on the CPU, in a few seconds. The MLP reads the image flattened (a Flatten node).

Run with /usr/bin/python3:  /usr/bin/python3 workloads/train_digits.py -o build/workloads/digits
"""

import argparse
import os

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
OPSET = 13


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32),
                                 nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.net(x)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def train(net, x, y, epochs, cosine=False):
    """Adam at 3e-3, batches of 64 in a seeded order; with cosine, the rate anneals to 0 over
    the epochs (export_bnn.py's binary nets)."""
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs) if cosine else None
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(epochs):
        net.train()
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            loss_fn(net(x[idx]), y[idx]).backward()
            opt.step()
        if sched is not None:
            sched.step()
    return net.eval()


def digits_split():
    """The digits images scaled to [0, 1] as (N, 1, 8, 8) float32, split 75/25, stratified,
    seeded: x_train, x_test, y_train, y_test."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    return train_test_split(images, digits.target, test_size=0.25, random_state=SEED,
                            stratify=digits.target)


def save(path, array):
    np.save(path + ".tmp.npy", array)
    os.replace(path + ".tmp.npy", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "dataset"), exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(os.cpu_count() or 1)
    x_train, x_test, y_train, y_test = digits_split()
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train).long()
    for name, net, epochs in (("digits_mlp", Mlp(), 30), ("digits_cnn", Cnn(), 40)):
        net = train(net, xt, yt, epochs)
        with torch.no_grad():
            accuracy = (net(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
        stem = os.path.join(args.out, name)
        torch.onnx.export(net, torch.from_numpy(x_test[:1]), stem + ".onnx.tmp",
                          opset_version=OPSET, input_names=["input"], output_names=["logits"])
        os.replace(stem + ".onnx.tmp", stem + ".onnx")
        print(f"{name}: test accuracy {accuracy * 100:.2f} % over {len(y_test)} images (PyTorch)")
    save(os.path.join(args.out, "dataset", "inputs.npy"), x_test)
    save(os.path.join(args.out, "dataset", "labels.npy"), y_test.astype(np.int64))
    save(os.path.join(args.out, "dataset", "calibration.npy"), x_train[:128])


if __name__ == "__main__":
    main()
