#!/usr/bin/python3
"""Builds the malformed or degenerate ONNX models under tests/inputs/bad_onnx/, one per class
of bad input that once crashed xbar, exited 2 or was silently accepted (cli_test.cpp runs
each), and edge_*.onnx, valid models of a shape that once exited 2. They skip onnx's checker
on purpose. Deterministic: all weights are ones.
Run: /usr/bin/python3 tests/inputs/make_bad_onnx.py
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad_onnx")


def ones(name, *shape):
    return numpy_helper.from_array(np.ones(shape, dtype=np.float32), name)


def tensor(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def save(name, nodes, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="xbar make_bad_onnx.py")
    onnx.save(model, os.path.join(OUT, name + ".onnx"))


def main():
    os.makedirs(OUT, exist_ok=True)
    y4 = tensor("y", ["a", "b", "c", "d"])
    y2 = tensor("y", ["a", "b"])
    x4 = tensor("x", [1, 1, 8, 8])
    # No crossbar layer: these crashed the GA's mutate.
    save("no_crossbar_layer", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
         [tensor("x", [1, 4])], [tensor("y", [1, 4])])
    save("matmul_of_activations", [helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")],
         [tensor("a", [1, 4, 8]), tensor("b", [1, 8, 4])], [tensor("y", [1, 4, 4])])
    save("matmul_1d_weight", [helper.make_node("MatMul", ["a", "w"], ["y"], name="mm")],
         [tensor("a", [1, 8])], [tensor("y", [1])], [ones("w", 8)])
    # Window attributes that killed ONNX shape inference (SIGFPE) or were ignored.
    save("conv_stride_0",
         [helper.make_node("Conv", ["x", "w"], ["y"], name="conv", strides=[0, 0])], [x4], [y4],
         [ones("w", 2, 1, 3, 3)])
    save("maxpool_stride_0",
         [helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2],
                           strides=[0, 0])], [x4], [y4])
    save("conv_kernel_0",
         [helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[0, 0])], [x4],
         [y4], [ones("w", 2, 1, 3, 3)])
    save("conv_unknown_auto_pad",
         [helper.make_node("Conv", ["x", "w"], ["y"], name="conv", auto_pad="WEIRD")], [x4], [y4],
         [ones("w", 2, 1, 3, 3)])
    save("opset_99", [helper.make_node("Relu", ["x"], ["y"], name="relu")], [tensor("x", [1, 4])],
         [tensor("y", [1, 4])], opset=99)
    # A shape whose element count overflows int64 (it became 0 bytes).
    save("huge_input",
         [helper.make_node("Relu", ["x"], ["r"], name="relu"),
          helper.make_node("Gemm", ["r", "w"], ["y"], name="fc")],
         [tensor("x", [2**62, 2**62])], [y2], [ones("w", 4, 4)])
    # Parameter lengths that do not match, once accepted.
    save("reshape_count_mismatch",
         [helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
          helper.make_node("Gemm", ["r", "w"], ["y"], name="fc")],
         [tensor("x", [1, 8])], [y2],
         [numpy_helper.from_array(np.array([3, 3], dtype=np.int64), "shape"), ones("w", 3, 4)])
    save("gemm_bias_length",
         [helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc")], [tensor("x", [1, 4])],
         [y2], [ones("w", 4, 4), ones("b", 7)])
    save("batchnorm_length",
         [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
          helper.make_node("BatchNormalization", ["c", "s", "s", "s", "s"], ["y"], name="bn")],
         [x4], [y4], [ones("w", 2, 1, 3, 3), ones("s", 3)])
    def ints(name, values):
        return numpy_helper.from_array(np.array(values, dtype=np.int64), name)

    # The operators of the newer models, misused.
    save("slice_step_0",
         [helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["s"], name="slice"),
          helper.make_node("Gemm", ["s", "w"], ["y"], name="fc")],
         [tensor("x", [1, 8])], [y2],
         [ints("st", [0]), ints("en", [4]), ints("ax", [1]), ints("sp", [0]), ones("w", 4, 4)])
    save("where_activation_condition",
         [helper.make_node("Cast", ["x"], ["c"], name="to_bool", to=TensorProto.BOOL),
          helper.make_node("Where", ["c", "x", "z"], ["r"], name="select"),
          helper.make_node("Gemm", ["r", "w"], ["y"], name="fc")],
         [tensor("x", [1, 4])], [y2], [ones("z", 1, 4), ones("w", 4, 4)])
    # Attention's Q.K^T with K not transposed: (4 x 8) times (4 x 6).
    save("attention_shapes_disagree",
         [helper.make_node("MatMul", ["x", "wq"], ["q"], name="to_q"),
          helper.make_node("MatMul", ["x", "wk"], ["k"], name="to_k"),
          helper.make_node("MatMul", ["q", "k"], ["y"], name="scores")],
         [tensor("x", [1, 4, 8])], [tensor("y", [1, 4, 6])], [ones("wq", 8, 8), ones("wk", 8, 6)])
    save("expand_incompatible",
         [helper.make_node("Expand", ["x", "shape"], ["e"], name="expand"),
          helper.make_node("Gemm", ["e", "w"], ["y"], name="fc")],
         [tensor("x", [1, 3])], [y2], [ints("shape", [2, 4]), ones("w", 4, 4)])
    save("resize_cubic",
         [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
          helper.make_node("Resize", ["c", "", "scales"], ["y"], name="upsample", mode="cubic")],
         [x4], [y4], [ones("w", 2, 1, 3, 3),
                      numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32),
                                              "scales")])
    # A ConvTranspose sized by auto_pad: xbar takes explicit pads (as torch exports them).
    save("conv_transpose_same_upper",
         [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", strides=[2, 2],
                           auto_pad="SAME_UPPER")],
         [x4], [y4], [ones("w", 1, 2, 3, 3)])
    # Valid: a BatchNormalization after a Relu, as DenseNet has (densenet121 exited 2 with a
    # vector range error: the fold looked for a weight the Relu does not have).
    save("edge_batchnorm_after_relu",
         [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
          helper.make_node("Relu", ["c"], ["r"], name="relu"),
          helper.make_node("BatchNormalization", ["r", "s", "s", "s", "s"], ["y"], name="bn")],
         [x4], [tensor("y", [1, 2, 6, 6])], [ones("w", 2, 1, 3, 3), ones("s", 2)])
    # Valid: no graph inputs, a layer over a constant (once among the GA's crashes).
    save("edge_no_graph_inputs", [helper.make_node("Gemm", ["c", "w"], ["y"], name="fc")], [],
         [tensor("y", [1, 4])], [ones("c", 1, 4), ones("w", 4, 4)])


if __name__ == "__main__":
    main()
