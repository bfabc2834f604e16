#!/usr/bin/python3
"""Builds the tiny ONNX models under workloads/tiny/ with onnx.helper.

Unit tests load these; they are small enough to commit. Weights come from a fixed seed so the
files are reproducible. Run: /usr/bin/python3 workloads/make_tiny_models.py [OUT_DIR]
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strip_weights import strip_weights  # noqa: E402

OPSET = 13
rng = np.random.default_rng(7)


def weight(name, *shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.1, name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def model(name, nodes, inputs, outputs, initializers):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializers)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="xbar make_tiny_models.py")
    m = onnx.shape_inference.infer_shapes(m)
    onnx.checker.check_model(m)
    return m


def tensor(name, *shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def two_conv_cnn():
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["c1", "g1", "be1", "m1", "v1"], ["bn1"],
                         name="bn1", epsilon=1e-5),
        helper.make_node("Relu", ["bn1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "wf", "bf"], ["y"], name="fc", transB=1),
    ]
    inits = [
        weight("w1", 8, 3, 3, 3), weight("b1", 8),
        numpy_helper.from_array((1 + rng.random(8)).astype(np.float32), "g1"),
        weight("be1", 8), weight("m1", 8),
        numpy_helper.from_array((0.5 + rng.random(8)).astype(np.float32), "v1"),
        weight("w2", 16, 8, 3, 3), weight("b2", 16),
        weight("wf", 10, 16), weight("bf", 10),
    ]
    return model("two_conv_cnn", nodes, [tensor("x", 1, 3, 16, 16)], [tensor("y", 1, 10)], inits)


def residual_block():
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("Add", ["c2", "x"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["y"], name="relu2"),
    ]
    inits = [weight("w1", 16, 16, 3, 3), weight("w2", 16, 16, 3, 3)]
    return model("residual_block", nodes, [tensor("x", 1, 16, 8, 8)], [tensor("y", 1, 16, 8, 8)],
                 inits)


def mlp_gemm():
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h1"], name="fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
        helper.make_node("Gemm", ["r1", "w2", "b2"], ["h2"], name="fc2"),
        helper.make_node("Relu", ["h2"], ["r2"], name="relu2"),
        helper.make_node("Gemm", ["r2", "w3", "b3"], ["h3"], name="fc3", transB=1),
        helper.make_node("Softmax", ["h3"], ["y"], name="softmax", axis=1),
    ]
    inits = [weight("w1", 128, 64), weight("b1", 128), weight("w2", 128, 32), weight("b2", 32),
             weight("w3", 10, 32), weight("b3", 10)]
    return model("mlp_gemm", nodes, [tensor("x", 1, 64)], [tensor("y", 1, 10)], inits)


def depthwise_grouped():
    nodes = [
        helper.make_node("Conv", ["x", "wd"], ["d"], name="depthwise", group=32,
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Clip", ["d", "lo", "hi"], ["r1"], name="relu6"),
        helper.make_node("Conv", ["r1", "wg"], ["gr"], name="grouped", group=4,
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["gr"], ["r2"], name="relu2"),
        helper.make_node("Conv", ["r2", "wp"], ["y"], name="pointwise", kernel_shape=[1, 1]),
    ]
    inits = [weight("wd", 32, 1, 3, 3), weight("wg", 64, 8, 3, 3), weight("wp", 16, 64, 1, 1),
             numpy_helper.from_array(np.array(0, dtype=np.float32), "lo"),
             numpy_helper.from_array(np.array(6, dtype=np.float32), "hi")]
    return model("depthwise_grouped", nodes, [tensor("x", 1, 32, 16, 16)],
                 [tensor("y", 1, 16, 16, 16)], inits)


def concat_branch():
    nodes = [
        helper.make_node("Conv", ["x", "wa"], ["a"], name="branch_1x1", kernel_shape=[1, 1]),
        helper.make_node("Relu", ["a"], ["ra"], name="relu_a"),
        helper.make_node("Conv", ["x", "wb"], ["b"], name="branch_3x3", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("Relu", ["b"], ["rb"], name="relu_b"),
        helper.make_node("Concat", ["ra", "rb"], ["cat"], name="concat", axis=1),
        helper.make_node("Conv", ["cat", "wc"], ["y"], name="merge", kernel_shape=[1, 1]),
    ]
    inits = [weight("wa", 8, 8, 1, 1), weight("wb", 8, 8, 3, 3), weight("wc", 4, 16, 1, 1)]
    return model("concat_branch", nodes, [tensor("x", 1, 8, 16, 16)], [tensor("y", 1, 4, 16, 16)],
                 inits)


def shape_chain():
    """Flatten spelled as the Shape/Gather/Unsqueeze/Concat/Reshape chain older exporters
    emit, with Identity, Dropout and Constant nodes the passes must fold away."""
    nodes = [
        helper.make_node("Constant", [], ["scale"], name="const_scale",
                         value=numpy_helper.from_array(np.array(0.5, dtype=np.float32))),
        helper.make_node("Mul", ["x", "scale"], ["xs"], name="mul"),
        helper.make_node("Identity", ["xs"], ["xi"], name="identity"),
        helper.make_node("Shape", ["xi"], ["shp"], name="shape"),
        helper.make_node("Gather", ["shp", "zero"], ["n"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"], name="unsqueeze"),
        helper.make_node("Concat", ["n1", "minus1"], ["newshape"], name="concat", axis=0),
        helper.make_node("Reshape", ["xi", "newshape"], ["flat"], name="reshape"),
        helper.make_node("Dropout", ["flat"], ["drop"], name="dropout"),
        helper.make_node("MatMul", ["drop", "w"], ["y"], name="matmul"),
    ]
    inits = [ints("zero", 0), ints("axes0", [0]), ints("minus1", [-1]), weight("w", 48, 5)]
    return model("shape_chain", nodes, [tensor("x", 1, 3, 4, 4)], [tensor("y", 1, 5)], inits)


def dynamic_batch():
    """An input whose batch dimension is symbolic: a bad input unless --dim binds it."""
    nodes = [helper.make_node("Gemm", ["x", "w"], ["y"], name="fc", transB=1)]
    return model("dynamic_batch", nodes, [tensor("x", "N", 16)], [tensor("y", "N", 4)],
                 [weight("w", 4, 16)])


def unsupported_op():
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Einsum", ["r", "w"], ["y"], name="einsum_1", equation="ij,jk->ik"),
    ]
    return model("unsupported_op", nodes, [tensor("x", 2, 4)], [tensor("y", 2, 3)],
                 [weight("w", 4, 3)])


def binary_cnn():
    """A BNN in the XNOR-Net manner (docs/design.md §9b): the first and last layers in full
    precision; between them binary activations Sign(x - delta), delta per channel and then a
    scalar (shifted thresholds), and a conv whose weights are Sign(W) times a per-channel
    scale alpha (the unfolded XNOR-Net form; constant folding leaves +-alpha)."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("Sub", ["c1", "delta1"], ["d1"], name="shift1"),
        helper.make_node("Sign", ["d1"], ["s1"], name="binarize1"),
        helper.make_node("Sign", ["w2"], ["w2sign"], name="binary_weights2"),
        helper.make_node("Mul", ["w2sign", "alpha2"], ["w2b"], name="scale2"),
        helper.make_node("Conv", ["s1", "w2b"], ["c2"], name="conv2", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("Sub", ["c2", "delta2"], ["d2"], name="shift2"),
        helper.make_node("Sign", ["d2"], ["s2"], name="binarize2"),
        helper.make_node("GlobalAveragePool", ["s2"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "wf", "bf"], ["y"], name="fc", transB=1),
    ]
    alpha = numpy_helper.from_array(
        (np.abs(rng.standard_normal((16, 1, 1, 1))) * 0.05 + 0.01).astype(np.float32), "alpha2")
    inits = [weight("w1", 16, 3, 3, 3), weight("b1", 16), weight("delta1", 16, 1, 1),
             weight("w2", 16, 16, 3, 3), alpha,
             numpy_helper.from_array(np.array(0.05, dtype=np.float32), "delta2"),
             weight("wf", 4, 16), weight("bf", 4)]
    return model("binary_cnn", nodes, [tensor("x", 1, 3, 8, 8)], [tensor("y", 1, 4)], inits)


def tiny_snn():
    """A convolutional SNN of one time step (docs/design.md §9b), T = 4: conv 2 -> 8 3x3 pad 1,
    LIF with a bias per channel, max pool 2, flatten, fc 72 -> 4, LIF. Its input is a step of
    rate-coded spikes. Not run through onnx's Python checker: xbar registers xbar::LIF itself."""
    lif = dict(alpha_i=0.99, alpha_v=0.99, beta_i=1.0, beta_v=1.0, beta_b=1.0, theta=1.0)
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("LIF", ["c1", "b1"], ["s1"], name="lif1", domain="xbar", **lif),
        helper.make_node("MaxPool", ["s1"], ["p1"], name="pool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Flatten", ["p1"], ["f1"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f1", "w2"], ["c2"], name="fc", transB=1),
        helper.make_node("LIF", ["c2", "b2"], ["y"], name="lif2", domain="xbar", **lif),
    ]
    inits = [numpy_helper.from_array(rng.standard_normal((8, 2, 3, 3)).astype(np.float32) * 0.6,
                                     "w1"),
             numpy_helper.from_array(np.full((8, 1, 1), 0.1, np.float32), "b1"),
             numpy_helper.from_array(rng.standard_normal((4, 72)).astype(np.float32) * 0.4, "w2"),
             numpy_helper.from_array(np.full((4,), 0.2, np.float32), "b2")]
    graph = helper.make_graph(nodes, "tiny_snn", [tensor("x", 1, 2, 6, 6)], [tensor("y", 1, 4)],
                              inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                helper.make_opsetid("xbar", 1)],
                          producer_name="xbar make_tiny_models.py")
    helper.set_model_props(m, {"xbar.snn.timesteps": "4"})
    return m


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "tiny")
    os.makedirs(out, exist_ok=True)
    good = [two_conv_cnn, residual_block, depthwise_grouped, concat_branch, shape_chain]
    for build in good + [dynamic_batch, unsupported_op]:
        onnx.save(build(), os.path.join(out, build.__name__ + ".onnx"))
    mlp = mlp_gemm()
    onnx.save(mlp, os.path.join(out, "mlp_gemm.onnx"))
    onnx.save(strip_weights(two_conv_cnn()), os.path.join(out, "two_conv_cnn_stripped.onnx"))
    # Weights in a side file, as ONNX saves models over 2 GiB. onnx appends to an existing
    # side file, so start from none.
    side = os.path.join(out, "mlp_gemm_external.weights")
    if os.path.exists(side):
        os.remove(side)
    onnx.save_model(mlp, os.path.join(out, "mlp_gemm_external.onnx"),
                    save_as_external_data=True, all_tensors_to_one_file=True,
                    location="mlp_gemm_external.weights", size_threshold=0)
    # Last, so that the models above keep the weights the seed gave them.
    onnx.save(binary_cnn(), os.path.join(out, "binary_cnn.onnx"))
    onnx.save(tiny_snn(), os.path.join(out, "tiny_snn.onnx"))


if __name__ == "__main__":
    main()
