"""Writes the small ONNX models the float-input teacher tests load, built with onnx.helper.

Usage: python3 onnx_models.py OUT_DIR

Each model is seeded, so the files are the same on every run. Node names follow what
torch.onnx.export gives (/conv1/Conv, /bn1/BatchNormalization, ...), as a user's export would.
"""
import gzip
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def weights(rng, name, shape, scale):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def fashion_mnist(n):
    """The first n training images of Fashion-MNIST from Debian's dataset-fashion-mnist, in [0, 1], and their labels."""
    root = os.environ.get("DISTILLERY_DATA", "/usr/share/datasets") + "/fashion-mnist/"
    if not os.path.exists(root + "train-images-idx3-ubyte.gz"):
        root = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(root + "train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)[: n * 784].reshape(n, 1, 28, 28)
    with gzip.open(root + "train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    return images.astype(np.float32) / 255.0, labels


def features(x, conv_w, conv_b, gamma, beta, mean, var):
    """What the graph computes before its head: conv 3x3 stride 2, batch norm, ReLU, 2x2 max pool, flatten."""
    n = x.shape[0]
    padded = np.pad(x[:, 0], ((0, 0), (1, 1), (1, 1)))
    patches = np.stack([padded[:, i:i + 28:2, j:j + 28:2] for i in range(3) for j in range(3)], axis=-1)
    y = patches @ conv_w.reshape(8, 9).T + conv_b
    y = (y - mean) / np.sqrt(var + 1e-5) * gamma + beta
    y = np.maximum(y, 0).transpose(0, 3, 1, 2)
    y = y.reshape(n, 8, 7, 2, 7, 2).max(axis=(3, 5))
    return y.reshape(n, -1)


def fitted_head(conv):
    """The linear head fitted by ridge regression on 10,000 training images: a classifier, not noise."""
    x, labels = fashion_mnist(10000)
    f = features(x, *conv)
    f1 = np.hstack([f, np.ones((len(f), 1), np.float32)])
    targets = np.eye(10, dtype=np.float32)[labels]
    w = np.linalg.solve(f1.T @ f1 + 1.0 * np.eye(f1.shape[1]), f1.T @ targets)
    return w[:-1].T.astype(np.float32), w[-1].astype(np.float32)


def image_classifier(layout):
    """A 1x28x28 image classifier: a seeded random conv, batch norm, ReLU, pooled to 8x7x7, and a linear
    head to 10 classes fitted to Fashion-MNIST."""
    rng = np.random.default_rng(7)
    nodes = []
    if layout == "nhwc":
        x = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 28, 28, 1])
        nodes.append(helper.make_node("Transpose", ["image"], ["/to_nchw/Transpose_output_0"],
                                      name="/to_nchw/Transpose", perm=[0, 3, 1, 2]))
        first = "/to_nchw/Transpose_output_0"
    else:
        x = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 1, 28, 28])
        first = "image"
    conv = [
        (rng.standard_normal((8, 1, 3, 3)) * 0.5).astype(np.float32),
        (rng.standard_normal(8) * 0.1).astype(np.float32),
        (np.abs(rng.standard_normal(8)) + 0.5).astype(np.float32),
        (rng.standard_normal(8) * 0.1).astype(np.float32),
        (rng.standard_normal(8) * 0.1).astype(np.float32),
        (np.abs(rng.standard_normal(8)) + 0.5).astype(np.float32),
    ]
    head_w, head_b = fitted_head(conv)
    names = ["conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"]
    init = [numpy_helper.from_array(a, n) for a, n in zip(conv, names)]
    init += [numpy_helper.from_array(head_w, "fc.weight"), numpy_helper.from_array(head_b, "fc.bias")]
    nodes += [
        helper.make_node("Conv", [first, "conv1.weight", "conv1.bias"], ["/conv1/Conv_output_0"],
                         name="/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("BatchNormalization",
                         ["/conv1/Conv_output_0", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"],
                         ["/bn1/BatchNormalization_output_0"], name="/bn1/BatchNormalization", epsilon=1e-5),
        helper.make_node("Relu", ["/bn1/BatchNormalization_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        helper.make_node("MaxPool", ["/relu/Relu_output_0"], ["/pool/MaxPool_output_0"], name="/pool/MaxPool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["/pool/MaxPool_output_0"], ["/flatten/Flatten_output_0"],
                         name="/flatten/Flatten", axis=1),
        helper.make_node("Gemm", ["/flatten/Flatten_output_0", "fc.weight", "fc.bias"], ["logits"],
                         name="/fc/Gemm", transB=1),
    ]
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])
    graph = helper.make_graph(nodes, "image-" + layout, [x], [y], init)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="distillery-tests")


def token_encoder():
    """Token ids in, one vector out: the kind of graph that stays on the text-encoder path."""
    rng = np.random.default_rng(3)
    x = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", 8])
    init = [weights(rng, "embeddings", (100, 4), 1.0)]
    nodes = [
        helper.make_node("Gather", ["embeddings", "input_ids"], ["/emb/Gather_output_0"], name="/emb/Gather"),
        helper.make_node("ReduceMean", ["/emb/Gather_output_0"], ["sentence"], name="/pool/ReduceMean",
                         axes=[1], keepdims=0),
    ]
    y = helper.make_tensor_value_info("sentence", TensorProto.FLOAT, ["batch", 4])
    graph = helper.make_graph(nodes, "tokens", [x], [y], init)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="distillery-tests")


def audio_classifier():
    """Log-mel frames in ([batch, 98, 40], time-major, as the speech set gives them), class scores out: a
    seeded 1-D convolution over time (kernel 5, stride 2), tanh, the mean over time and a linear head
    to 20 words. Its weights are random and without biases (tanh keeps the standardised frames centred, so
    no one class wins everywhere): a fixed function of the sound for a student to imitate."""
    rng = np.random.default_rng(11)
    x = helper.make_tensor_value_info("frames", TensorProto.FLOAT, ["batch", 98, 40])
    init = [
        weights(rng, "conv1.weight", (32, 40, 5), 0.15),
        weights(rng, "conv1.bias", (32,), 0.0),
        weights(rng, "fc.weight", (20, 32), 1.0),
        weights(rng, "fc.bias", (20,), 0.0),
    ]
    nodes = [
        helper.make_node("Transpose", ["frames"], ["/to_channels/Transpose_output_0"],
                         name="/to_channels/Transpose", perm=[0, 2, 1]),
        helper.make_node("Conv", ["/to_channels/Transpose_output_0", "conv1.weight", "conv1.bias"],
                         ["/conv1/Conv_output_0"], name="/conv1/Conv", kernel_shape=[5], pads=[2, 2], strides=[2]),
        helper.make_node("Tanh", ["/conv1/Conv_output_0"], ["/tanh/Tanh_output_0"], name="/tanh/Tanh"),
        helper.make_node("ReduceMean", ["/tanh/Tanh_output_0"], ["/pool/ReduceMean_output_0"],
                         name="/pool/ReduceMean", axes=[2], keepdims=0),
        helper.make_node("Gemm", ["/pool/ReduceMean_output_0", "fc.weight", "fc.bias"], ["logits"],
                         name="/fc/Gemm", transB=1),
    ]
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 20])
    graph = helper.make_graph(nodes, "audio-frames", [x], [y], init)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="distillery-tests")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    models = {
        "image-nchw.onnx": image_classifier("nchw"),
        "image-nhwc.onnx": image_classifier("nhwc"),
        "tokens.onnx": token_encoder(),
        "audio-frames.onnx": audio_classifier(),
    }
    for name, model in models.items():
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, name))
        print(os.path.join(out, name))


if __name__ == "__main__":
    main()
