"""Trains a small Fashion-MNIST classifier in PyTorch and exports it with torch.onnx.export: the
kind of file users bring (batch norm, the module's own names in its node names).

Usage: python3 torch_classifier.py OUT_DIR   (writes OUT_DIR/fashion-cnn.onnx)

Seeded; one epoch on 10,000 training images from Debian's dataset-fashion-mnist, on the CPU.
"""
import gzip
import os
import sys

import numpy as np
import torch
from torch import nn


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        return self.fc(self.flatten(x))


def load(part, n):
    root = "/usr/share/datasets/fashion-mnist/"
    prefix = "train" if part == "train" else "t10k"
    with gzip.open(root + prefix + "-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16)[: n * 784].reshape(n, 1, 28, 28)
    with gzip.open(root + prefix + "-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    return torch.tensor(x, dtype=torch.float32) / 255.0, torch.tensor(y, dtype=torch.long)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1)
    torch.set_num_threads(1)
    x, y = load("train", 10000)
    model = FashionCnn()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for i in torch.randperm(len(x)).split(64):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[i]), y[i]).backward()
        opt.step()
    model.eval()
    tx, ty = load("test", 2000)
    with torch.no_grad():
        acc = (model(tx).argmax(1) == ty).float().mean().item()
    path = os.path.join(out, "fashion-cnn.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17)
    print(f"{path}: test accuracy {acc:.4f} on the first 2,000 test images")


if __name__ == "__main__":
    main()
