"""Stripping weights from an ONNX model, shared by the exporters.

A stripped model keeps the graph and every initializer's dims and type but drops the data of
floating-point initializers (the weights), so a network of hundreds of MB costs kilobytes.
Integer initializers (shape vectors, indices) and one-element float ones (scalars) are
structure, not weights, and are kept.
The model is marked so in its metadata, which is how xbar's loader tells a stripped model
from a corrupt one.
"""

import onnx

STRIPPED_KEY = "xbar.weights"
STRIPPED_VALUE = "stripped"

_FLOAT_TYPES = {
    onnx.TensorProto.FLOAT,
    onnx.TensorProto.DOUBLE,
    onnx.TensorProto.FLOAT16,
    onnx.TensorProto.BFLOAT16,
}


def strip_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    for tensor in model.graph.initializer:
        # Scalars are structure too (a LayerNorm's epsilon, GELU's sqrt 2): the passes that
        # recognise decomposed ops check their values.
        if tensor.data_type not in _FLOAT_TYPES or (len(tensor.dims) == 0 or
                                                    list(tensor.dims) == [1]):
            continue
        tensor.ClearField("raw_data")
        tensor.ClearField("float_data")
        tensor.ClearField("double_data")
        tensor.ClearField("int32_data")
    entry = model.metadata_props.add()
    entry.key = STRIPPED_KEY
    entry.value = STRIPPED_VALUE
    return model
