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
    """Hardmax, an op xbar does not support, before a layer."""
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Hardmax", ["r"], ["h"], name="hardmax_1"),
        helper.make_node("MatMul", ["h", "w"], ["y"], name="fc"),
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


def scalar(name, value):
    return numpy_helper.from_array(np.array(value, dtype=np.float32), name)


def fused_patterns():
    """torch's opset-13 decompositions of LayerNorm, GELU, SiLU and Mish (passes::fuse*),
    each beside a near miss that must stay as it is: a variance over another axis, GELU's
    divisor sqrt 3, and a SiLU whose Sigmoid is read twice. x is (1, 6 tokens, 8)."""
    n = helper.make_node
    nodes = [
        n("ReduceMean", ["x"], ["ln_mean"], name="ln_mean", axes=[-1]),
        n("Sub", ["x", "ln_mean"], ["ln_d"], name="ln_sub"),
        n("Pow", ["ln_d", "two"], ["ln_sq"], name="ln_pow"),
        n("ReduceMean", ["ln_sq"], ["ln_var"], name="ln_var", axes=[-1]),
        n("Add", ["ln_var", "eps"], ["ln_ve"], name="ln_add_eps"),
        n("Sqrt", ["ln_ve"], ["ln_std"], name="ln_sqrt"),
        n("Div", ["ln_d", "ln_std"], ["ln_n"], name="ln_div"),
        n("Mul", ["ln_n", "ln_w"], ["ln_s"], name="ln_scale"),
        n("Add", ["ln_s", "ln_b"], ["ln"], name="ln"),
        # near miss: the variance over the tokens (axis 1), the mean over the features
        n("ReduceMean", ["x"], ["nm_mean"], name="nm_mean", axes=[-1]),
        n("Sub", ["x", "nm_mean"], ["nm_d"], name="nm_sub"),
        n("Pow", ["nm_d", "two"], ["nm_sq"], name="nm_pow"),
        n("ReduceMean", ["nm_sq"], ["nm_var"], name="nm_var", axes=[1]),
        n("Add", ["nm_var", "eps"], ["nm_ve"], name="nm_add_eps"),
        n("Sqrt", ["nm_ve"], ["nm_std"], name="nm_sqrt"),
        n("Div", ["nm_d", "nm_std"], ["nm_ln"], name="nm_div"),
        n("MatMul", ["ln", "w1"], ["h0"], name="fc1"),
        n("Add", ["h0", "b1"], ["h"], name="fc1_bias"),
        n("Div", ["h", "sqrt2"], ["g_d"], name="gelu_div"),
        n("Erf", ["g_d"], ["g_e"], name="gelu_erf"),
        n("Add", ["g_e", "one"], ["g_a"], name="gelu_add"),
        n("Mul", ["h", "g_a"], ["g_m"], name="gelu_mul"),
        n("Mul", ["g_m", "half"], ["gelu"], name="gelu"),
        # near miss: x / sqrt 3
        n("Div", ["h", "sqrt3"], ["gn_d"], name="gelu_nm_div"),
        n("Erf", ["gn_d"], ["gn_e"], name="gelu_nm_erf"),
        n("Add", ["gn_e", "one"], ["gn_a"], name="gelu_nm_add"),
        n("Mul", ["h", "gn_a"], ["gn_m"], name="gelu_nm_mul"),
        n("Mul", ["gn_m", "half"], ["gelu_nm"], name="gelu_nm"),
        n("Sigmoid", ["gelu"], ["s_sig"], name="silu_sigmoid"),
        n("Mul", ["s_sig", "gelu"], ["silu"], name="silu"),
        # near miss: the Sigmoid is read by the Mul and by the sum after it
        n("Sigmoid", ["h"], ["sn_sig"], name="silu_nm_sigmoid"),
        n("Mul", ["h", "sn_sig"], ["silu_nm"], name="silu_nm"),
        n("Add", ["silu_nm", "sn_sig"], ["silu_nm_sum"], name="silu_nm_sum"),
        n("Softplus", ["h"], ["m_sp"], name="mish_softplus"),
        n("Tanh", ["m_sp"], ["m_t"], name="mish_tanh"),
        n("Mul", ["h", "m_t"], ["mish"], name="mish"),
        n("Add", ["silu", "gelu_nm"], ["t1"], name="sum1"),
        n("Add", ["t1", "silu_nm_sum"], ["t2"], name="sum2"),
        n("Add", ["t2", "mish"], ["t3"], name="sum3"),
        n("MatMul", ["t3", "w2"], ["y0"], name="fc2"),
        n("MatMul", ["nm_ln", "w3"], ["y1"], name="fc3"),
        n("Add", ["y0", "y1"], ["y"], name="out"),
    ]
    inits = [scalar("two", 2.0), scalar("eps", 1e-5), scalar("sqrt2", np.sqrt(2.0)),
             scalar("sqrt3", np.sqrt(3.0)), scalar("one", 1.0), scalar("half", 0.5),
             numpy_helper.from_array((1 + 0.1 * rng.standard_normal(8)).astype(np.float32),
                                     "ln_w"),
             weight("ln_b", 8), weight("w1", 8, 16), weight("b1", 16), weight("w2", 16, 4),
             weight("w3", 8, 4)]
    return model("fused_patterns", nodes, [tensor("x", 1, 6, 8)], [tensor("y", 1, 6, 4)], inits)


def tensor_ops():
    """The data movement, reductions and element-wise functions torchvision's newer models
    use, between two matrix ops: Slice (a negative step), Split, Expand, Tile, Where with a
    constant condition, Min, Max, the reductions, InstanceNormalization and the element-wise
    functions. x is (1, 4, 6, 6)."""
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "wc", "bc"], ["c"], name="conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        n("Split", ["c"], ["c_a", "c_b"], name="split", axis=1),  # 8 -> 3 + 5 channels
        n("Slice", ["c_b", "s_starts", "s_ends", "s_axes", "s_steps"], ["c_s"], name="slice"),
        n("Tile", ["c_a", "repeats"], ["c_t"], name="tile"),  # (1, 3, 6, 6) -> (1, 3, 6, 12)
        n("InstanceNormalization", ["c_s", "in_scale", "in_bias"], ["c_in"], name="instnorm"),
        n("ReduceMax", ["c_in"], ["c_max"], name="reduce_max", axes=[3], keepdims=1),
        n("Expand", ["c_max", "expand_shape"], ["c_e"], name="expand"),  # (1, 3, 6, 1) -> 12
        n("Where", ["mask", "c_t", "c_e"], ["c_w"], name="where"),
        n("Abs", ["c_w"], ["c_abs"], name="abs"),
        n("Sqrt", ["c_abs"], ["c_sqrt"], name="sqrt"),
        n("Neg", ["c_sqrt"], ["c_neg"], name="neg"),
        n("Exp", ["c_neg"], ["c_exp"], name="exp"),
        n("Erf", ["c_w"], ["c_erf"], name="erf"),
        n("Max", ["c_exp", "c_erf", "floor"], ["c_hi"], name="max"),
        n("Min", ["c_hi", "c_exp"], ["c_lo"], name="min"),
        n("Pow", ["c_hi", "two"], ["c_pow"], name="pow"),
        n("Add", ["c_pow", "one"], ["c_p1"], name="add_one"),
        n("Reciprocal", ["c_p1"], ["c_rec"], name="reciprocal"),
        n("Sub", ["c_rec", "c_lo"], ["c_diff"], name="sub"),
        n("ReduceSum", ["c_diff", "sum_axes"], ["c_sum"], name="reduce_sum", keepdims=0),
        n("ReduceMean", ["c_diff"], ["c_mean"], name="reduce_mean", axes=[2], keepdims=0),
        n("Flatten", ["c_sum"], ["f_sum"], name="flatten_sum", axis=1),
        n("Flatten", ["c_mean"], ["f_mean"], name="flatten_mean", axis=1),
        n("Concat", ["f_sum", "f_mean"], ["f"], name="concat", axis=1),
        n("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1),
    ]
    mask = numpy_helper.from_array(rng.random((1, 1, 6, 12)) < 0.5, "mask")
    inits = [weight("wc", 8, 4, 3, 3), weight("bc", 8),
             ints("split", [3, 5]),
             ints("s_starts", [4, -1]), ints("s_ends", [-1000, 0]), ints("s_axes", [1, 3]),
             ints("s_steps", [-2, -1]),
             ints("repeats", [1, 1, 1, 2]), ints("expand_shape", [1, 3, 6, 12]),
             ints("sum_axes", [3]), mask, scalar("floor", -0.5), scalar("two", 2.0),
             scalar("one", 1.0),
             numpy_helper.from_array((1 + 0.1 * rng.standard_normal(3)).astype(np.float32),
                                     "in_scale"),
             weight("in_bias", 3), weight("wf", 5, 3 * 6 + 3 * 12), weight("bf", 5)]
    nodes[1].input.append("split")
    return model("tensor_ops", nodes, [tensor("x", 1, 4, 6, 6)], [tensor("y", 1, 5)], inits)


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
    onnx.save(fused_patterns(), os.path.join(out, "fused_patterns.onnx"))
    onnx.save(tensor_ops(), os.path.join(out, "tensor_ops.onnx"))


if __name__ == "__main__":
    main()
