"""Chapters 1 and 2: which FLOP formula applies to which layer, from the shapes it saw.

One rule per Keras layer class, ``rule(layer, input_shapes, output_shape) -> Flops``, applies a
formula of :mod:`bigmodel_utils.flops` to the shapes a layer saw in one forward pass;
``size.forward_flops`` finds each layer's rule with :func:`rule_for` and adds them up. Layers
that only move data cost nothing (``ZERO_FLOP_LAYERS``); a custom layer is taught with
:func:`register`, as the book does for its own recurrent cell and position vectors.
"""

import math

import numpy as np

from bigmodel_utils import checks
from bigmodel_utils.flops import (
    ACTIVATION_FLOPS,
    Flops,
    activation_flops,
    batch_normalization_flops,
    conv_flops,
    dense_flops,
    depthwise_conv_flops,
    gru_flops,
    layer_normalization_flops,
    lstm_flops,
    multi_head_attention_flops,
    pool_flops,
    simple_rnn_flops,
)

ZERO_FLOP_LAYERS = {
    "InputLayer",
    "Flatten",
    "Reshape",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "Permute",
    "RepeatVector",
    "Concatenate",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Cropping1D",
    "Cropping2D",
    "Identity",
    "Embedding",
    "UpSampling1D",
    "ActivityRegularization",
    "Masking",
}
ZERO_FLOP_OPS = {  # keras.ops in a functional graph that only move data
    "GetItem",
    "Reshape",
    "Transpose",
    "ExpandDims",
    "Squeeze",
    "Concatenate",
    "Stack",
    "Cast",
    "Take",
    "Slice",
    "Flip",
    "Tile",
    "BroadcastTo",
    "Split",
    "Identity",
    "Ravel",
}


# ---- the rules: one per Keras layer class, from the shapes seen in the forward pass ----------


def _size(shape):
    return int(np.prod([d for d in shape[1:]])) if len(shape) > 1 else 1  # per sample


def _with_activation(layer, flops, output_shape):
    name = getattr(getattr(layer, "activation", None), "__name__", "linear")
    return flops + activation_flops(name, _size(output_shape))


def _dense(layer, inputs, output):
    positions = _size(inputs[0]) // inputs[0][-1]  # tokens: every position of a sequence
    flops = dense_flops(inputs[0][-1], layer.units, layer.use_bias, positions)
    return _with_activation(layer, flops, output)


def _conv(layer, inputs, output):
    channels = inputs[0][-1] if layer.data_format == "channels_last" else inputs[0][1]
    positions = _size(output) // layer.filters
    window = math.prod(layer.kernel_size)
    flops = conv_flops(positions, window, channels, layer.filters, layer.groups, layer.use_bias)
    return _with_activation(layer, flops, output)


def _depthwise(layer, inputs, output):
    channels = inputs[0][-1] if layer.data_format == "channels_last" else inputs[0][1]
    positions = _size(output) // (channels * layer.depth_multiplier)
    flops = depthwise_conv_flops(
        positions, math.prod(layer.kernel_size), channels, layer.depth_multiplier, layer.use_bias
    )
    return _with_activation(layer, flops, output)


def _separable(layer, inputs, output):
    channels = inputs[0][-1] if layer.data_format == "channels_last" else inputs[0][1]
    positions = _size(output) // layer.filters
    depthwise = depthwise_conv_flops(
        positions, math.prod(layer.kernel_size), channels, layer.depth_multiplier, use_bias=False
    )
    pointwise = conv_flops(
        positions, 1, channels * layer.depth_multiplier, layer.filters, use_bias=layer.use_bias
    )
    return _with_activation(layer, depthwise + pointwise, output)


def _pool(kind):
    def rule(layer, inputs, output):
        return pool_flops(_size(output), math.prod(layer.pool_size), kind)

    return rule


def _global_pool(kind):
    def rule(layer, inputs, output):
        channels = _size(output)
        return pool_flops(channels, _size(inputs[0]) // channels, kind)

    return rule


def _recurrent(formula, gated):
    def rule(layer, inputs, output):
        cell = getattr(layer, "cell", layer)
        _, timesteps, input_dim = inputs[0][:3]
        extra = {"recurrent_activation": cell.recurrent_activation.__name__} if gated else {}
        if formula is gru_flops:
            extra["reset_after"] = cell.reset_after
        activation = cell.activation.__name__
        return formula(
            input_dim, cell.units, timesteps, activation, use_bias=cell.use_bias, **extra
        )

    return rule


def _attention(layer, inputs, output):
    query, value = inputs[0], inputs[1] if len(inputs) > 1 else inputs[0]
    key_input_dim = layer.key_dense.kernel.shape[0]
    out_kernel = layer.output_dense.kernel.shape  # (heads, value_dim, *output)
    return multi_head_attention_flops(
        query[1],
        value[1],
        query[-1],
        key_input_dim,
        value[-1],
        layer.num_heads,
        layer.key_dim,
        layer.value_dim,
        math.prod(out_kernel[2:]),
        layer.use_bias,
    )


def _layer_norm(layer, inputs, output):
    axes = layer.axis if isinstance(layer.axis, (list, tuple)) else [layer.axis]
    features = math.prod(inputs[0][a] for a in axes)
    return layer_normalization_flops(
        _size(inputs[0]) // features, features, layer.center, layer.scale
    )


def _elementwise(per_element):
    def rule(layer, inputs, output):
        return Flops(0, per_element(layer, len(inputs)) * _size(output))

    return rule


def _activation(layer, inputs, output):
    return activation_flops(layer.activation.__name__, _size(output))


RULES = {
    "Dense": _dense,
    "Conv1D": _conv,
    "Conv2D": _conv,
    "Conv3D": _conv,
    "DepthwiseConv1D": _depthwise,
    "DepthwiseConv2D": _depthwise,
    "SeparableConv1D": _separable,
    "SeparableConv2D": _separable,
    "MaxPooling1D": _pool("max"),
    "MaxPooling2D": _pool("max"),
    "MaxPooling3D": _pool("max"),
    "AveragePooling1D": _pool("avg"),
    "AveragePooling2D": _pool("avg"),
    "AveragePooling3D": _pool("avg"),
    "GlobalMaxPooling1D": _global_pool("max"),
    "GlobalMaxPooling2D": _global_pool("max"),
    "GlobalAveragePooling1D": _global_pool("avg"),
    "GlobalAveragePooling2D": _global_pool("avg"),
    "SimpleRNN": _recurrent(simple_rnn_flops, False),
    "LSTM": _recurrent(lstm_flops, True),
    "GRU": _recurrent(gru_flops, True),
    "MultiHeadAttention": _attention,
    "LayerNormalization": _layer_norm,
    "BatchNormalization": lambda layer, inputs, output: batch_normalization_flops(
        _size(output), layer.center, layer.scale
    ),
    "Activation": _activation,
    "ReLU": _elementwise(lambda layer, n: 1),
    "Softmax": _elementwise(lambda layer, n: ACTIVATION_FLOPS["softmax"]),
    "Rescaling": _elementwise(lambda layer, n: 2),
    "Add": _elementwise(lambda layer, n: n - 1),
    "Subtract": _elementwise(lambda layer, n: 1),
    "Multiply": _elementwise(lambda layer, n: n - 1),
    "Average": _elementwise(lambda layer, n: n),
    "Maximum": _elementwise(lambda layer, n: n - 1),
    "Minimum": _elementwise(lambda layer, n: n - 1),
}
RULES.update({name: (lambda layer, inputs, output: Flops()) for name in ZERO_FLOP_LAYERS})
RECURRENT_CELLS = {"SimpleRNNCell": "SimpleRNN", "LSTMCell": "LSTM", "GRUCell": "GRU"}
CUSTOM_RULES = {}  # class -> rule, filled by register()


def register(layer_class, rule):
    """Teach the counter a custom layer: ``rule(layer, input_shapes, output_shape) -> Flops``.

    Raises:
        TypeError: if ``layer_class`` is not a class or ``rule`` is not callable.
    """
    if not isinstance(layer_class, type) or not callable(rule):
        raise TypeError("layer_class must be a class and rule a callable(layer, inputs, output)")
    CUSTOM_RULES[layer_class] = rule


def is_keras_builtin(layer):
    """True for Keras's own layer classes (not user subclasses)."""
    checks.keras_layer(layer, "layer")
    return type(layer).__module__.startswith("keras.")


def rule_for(layer):
    """The FLOP rule of ``layer`` (None if none): registered classes first, then Keras built-ins."""
    checks.keras_layer(layer, "layer")
    if type(layer) in CUSTOM_RULES:
        return CUSTOM_RULES[type(layer)]
    if not is_keras_builtin(layer):
        return None  # a custom subclass may compute anything: never guess from its parent
    kind, cell = type(layer).__name__, getattr(layer, "cell", None)
    if kind == "RNN" and is_keras_builtin(cell) and type(cell).__name__ in RECURRENT_CELLS:
        return RULES[RECURRENT_CELLS[type(cell).__name__]]
    return RULES.get(kind)


def children(layer):
    """The sublayers ``layer`` holds directly (its own attributes, not theirs)."""
    checks.keras_layer(layer, "layer")
    # Keras 3 has no public API listing any layer's direct sublayers (``Model.layers`` covers
    # models only), so this reads the tracker that Keras itself uses for them.
    return list(layer._flatten_layers(include_self=False, recursive=False))


# ---- the book's own layers (chapters 3.2 and 3.3) --------------------------------------------


def article_rnn_cell_flops(cell, input_shapes, output_shape):
    """One step of the article's RNN: h_t = f(W x_t + U h_prev + b), then y_t = V h_t + c."""
    checks.keras_layer(cell, "cell", "ArticleRNNCell")
    checks.non_empty(input_shapes, "input_shapes")
    state = simple_rnn_flops(input_shapes[0][-1], cell.units, 1, cell.activation.__name__)
    return state + dense_flops(cell.units, cell.output_units)


def positional_embedding_flops(layer, input_shapes, output_shape):
    """inputs + positions: one addition per number."""
    checks.keras_layer(layer, "layer", "PositionalEmbedding")
    checks.int_tuple(tuple(output_shape)[1:], "output_shape[1:]")
    return Flops(0, int(np.prod(output_shape[1:])))


def _register_book_layers():
    from bigmodel_utils import rnn, transformer_layers  # left of this module in the data flow

    register(rnn.ArticleRNNCell, article_rnn_cell_flops)
    register(transformer_layers.PositionalEmbedding, positional_embedding_flops)


_register_book_layers()
