"""Chapters 1 and 2: how large is a model? Parameters, layers, bytes and FLOPs, measured.

Parameters come from Keras (``count_params``) and, for checking, from one formula per layer
type; FLOPs per sample come from the formulas of :mod:`bigmodel_utils.flops`, applied to the
shapes each layer sees in one forward pass on zeros (convention: 1 multiply-add = 2 FLOPs).
"""

import collections
import warnings

import numpy as np

from bigmodel_utils import checks
from bigmodel_utils.flop_rules import children, rule_for
from bigmodel_utils.tracing import add_up, check_model, sample_inputs, trace_calls, tree

BYTES_PER_WEIGHT = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}

# Landmark models for chapter 1: parameter counts as their papers report them (year = the cited
# publication), except ResNet-50, whose paper reports FLOPs: its count is that of the architecture.
LANDMARK_MODELS = tuple(
    dict(zip(("name", "year", "params", "cite", "note"), row))
    for row in (
        ("LeNet-5", 1998, 60e3, "lecun1998gradient", ""),
        ("AlexNet", 2012, 60e6, "krizhevsky2012imagenet", ""),
        ("VGG-16", 2015, 138e6, "simonyan2015very", ""),
        (
            "ResNet-50",
            2016,
            25.6e6,
            "he2016deep",
            "counted from the architecture; the paper reports FLOPs",
        ),
        ("BERT-large", 2019, 340e6, "devlin2019bert", ""),
        ("GPT-2", 2019, 1.5e9, "radford2019language", "largest version"),
        ("GPT-3", 2020, 175e9, "brown2020language", "largest version"),
    )
)


# ---- one parameter formula per layer type (checked against count_params in the tests) ---------


def _area(kernel_size):
    return kernel_size * kernel_size if isinstance(kernel_size, int) else int(np.prod(kernel_size))


def dense_params(in_features, units, use_bias=True):
    """y = W x + b: a (in_features, units) matrix W and a bias b of ``units`` (chapter 2)."""
    in_features = checks.positive_int(in_features, "in_features")
    units = checks.positive_int(units, "units")
    checks.boolean(use_bias, "use_bias")
    return in_features * units + (units if use_bias else 0)


def conv2d_params(kernel_size, in_channels, filters, use_bias=True):
    """One (kh, kw, in_channels) kernel per filter, plus one bias per filter (chapter 2)."""
    checks.pair(kernel_size, "kernel_size")
    in_channels = checks.positive_int(in_channels, "in_channels")
    filters = checks.positive_int(filters, "filters")
    checks.boolean(use_bias, "use_bias")
    return _area(kernel_size) * in_channels * filters + (filters if use_bias else 0)


def depthwise_conv2d_params(kernel_size, in_channels, depth_multiplier=1, use_bias=True):
    """A (kh, kw) kernel per input channel and multiplier; a bias per output channel (chapter 2)."""
    checks.pair(kernel_size, "kernel_size")
    checks.positive_int(in_channels, "in_channels")
    checks.positive_int(depth_multiplier, "depth_multiplier")
    checks.boolean(use_bias, "use_bias")
    outputs = in_channels * depth_multiplier
    return _area(kernel_size) * outputs + (outputs if use_bias else 0)


def separable_conv2d_params(kernel_size, in_channels, filters, depth_multiplier=1, use_bias=True):
    """Depthwise kernels (no bias) followed by a 1x1 pointwise convolution with bias (chapter 2)."""
    checks.pair(kernel_size, "kernel_size")
    checks.positive_int(in_channels, "in_channels")
    checks.positive_int(filters, "filters")
    checks.positive_int(depth_multiplier, "depth_multiplier")
    checks.boolean(use_bias, "use_bias")
    depthwise = depthwise_conv2d_params(kernel_size, in_channels, depth_multiplier, use_bias=False)
    return depthwise + conv2d_params(1, in_channels * depth_multiplier, filters, use_bias)


def simple_rnn_params(input_dim, units, use_bias=True):
    """h_t = f(W x_t + U h_prev + b): W is (input_dim, units), U is (units, units) (chapter 2)."""
    checks.positive_int(input_dim, "input_dim")
    checks.positive_int(units, "units")
    checks.boolean(use_bias, "use_bias")
    return input_dim * units + units * units + (units if use_bias else 0)


def lstm_params(input_dim, units, use_bias=True):
    """Four gates (input, forget, cell, output), each with its own W, U and b (chapter 2)."""
    checks.positive_int(input_dim, "input_dim")
    checks.positive_int(units, "units")
    checks.boolean(use_bias, "use_bias")
    return 4 * simple_rnn_params(input_dim, units, use_bias)


def gru_params(input_dim, units, use_bias=True, reset_after=True):
    """Three gates; with ``reset_after`` (Keras' default) the recurrent part has its own bias.

    Chapter 2.
    """
    checks.positive_int(input_dim, "input_dim")
    checks.positive_int(units, "units")
    checks.boolean(use_bias, "use_bias")
    checks.boolean(reset_after, "reset_after")
    biases = (6 if reset_after else 3) * units if use_bias else 0
    return 3 * (input_dim * units + units * units) + biases


def multi_head_attention_params(
    query_dim,
    num_heads,
    key_dim,
    value_dim=None,
    key_input_dim=None,
    value_input_dim=None,
    output_dim=None,
    use_bias=True,
):
    """W_Q, W_K, W_V (a (d, d_k) slice per head) and W^O, each with a bias (3.3; chapter 2)."""
    checks.positive_int(query_dim, "query_dim")
    checks.positive_int(num_heads, "num_heads")
    checks.positive_int(key_dim, "key_dim")
    optional = {"value_dim": value_dim, "key_input_dim": key_input_dim}
    optional.update(value_input_dim=value_input_dim, output_dim=output_dim)
    for name, value in optional.items():
        if value is not None:
            checks.positive_int(value, name)
    checks.boolean(use_bias, "use_bias")
    value_dim = value_dim or key_dim
    value_input_dim = value_input_dim or query_dim
    key_input_dim = key_input_dim or value_input_dim
    output_dim = output_dim or query_dim
    weights = num_heads * (key_dim * (query_dim + key_input_dim) + value_dim * value_input_dim)
    weights += num_heads * value_dim * output_dim
    biases = num_heads * (2 * key_dim + value_dim) + output_dim if use_bias else 0
    return weights + biases


def layer_normalization_params(features, center=True, scale=True):
    """A scale γ and an offset β per feature (chapter 2)."""
    checks.positive_int(features, "features")
    checks.boolean(center, "center")
    checks.boolean(scale, "scale")
    return features * (int(center) + int(scale))


def batch_normalization_params(features, center=True, scale=True):
    """γ and β (trainable), plus the moving mean and variance (non-trainable) (chapter 2)."""
    checks.positive_int(features, "features")
    checks.boolean(center, "center")
    checks.boolean(scale, "scale")
    return features * (2 + int(center) + int(scale))


def embedding_params(input_dim, output_dim):
    """One vector of ``output_dim`` per token of the vocabulary (chapter 2)."""
    checks.positive_int(input_dim, "input_dim")
    checks.positive_int(output_dim, "output_dim")
    return input_dim * output_dim


# ---- counting a model ----------------------------------------------------------------------------


def count_parameters(model):
    """Total, trainable and non-trainable parameters of ``model`` (a dict)."""
    check_model(model)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return {
        "total": trainable + non_trainable,
        "trainable": trainable,
        "non_trainable": non_trainable,
    }


def _leaves(layer):
    """The layers of :func:`tracing.tree` counted as one: with a FLOP rule, or no sublayers."""
    return [node for node in tree(layer) if rule_for(node) is not None or not children(node)]


def count_layers(model):
    """Layers of ``model`` by kind (a Counter), looking inside nested models and custom blocks.

    A layer with a FLOP formula (e.g. LSTM, MultiHeadAttention) counts as one layer; input
    layers are not counted.
    """
    check_model(model)
    kinds = [type(leaf).__name__ for leaf in _leaves(model) if leaf is not model]
    return collections.Counter(kind for kind in kinds if kind != "InputLayer")


def weight_bytes(model, dtype="float32"):
    """Bytes needed to store all weights of ``model`` as ``dtype`` (no file or scale overhead).

    Raises:
        ValueError: if ``dtype`` is not one of ``BYTES_PER_WEIGHT``.
    """
    check_model(model)
    checks.one_of(dtype, "dtype", BYTES_PER_WEIGHT)
    return count_parameters(model)["total"] * BYTES_PER_WEIGHT[dtype]


def forward_flops(model, input_shape=None, warn=True):
    """Forward FLOPs per sample of ``model``, layer by layer (convention: :mod:`flops`); chapter 2.

    Args:
        model: a built Keras model.
        input_shape: one sample's shape (a tuple, or a list of tuples for several inputs),
            needed only when ``model.inputs`` has unknown sizes; ``warn``: warn about unknowns.

    Returns:
        A :class:`bigmodel_utils.tracing.FlopReport`.

    Raises:
        TypeError, ValueError: not a Keras model, not built, or ``input_shape`` needed.
    """
    checks.boolean(warn, "warn")
    check_model(model)
    report = add_up(model, trace_calls(model, sample_inputs(model, input_shape)))
    if warn and report.unknown:
        warnings.warn(
            f"FLOPs not counted (no formula) for: {', '.join(report.unknown)}", stacklevel=2
        )
    return report


def describe(model, input_shape=None):
    """A table of ``model`` for notebooks: one row per layer, then a total row.

    Columns: layer, kind, output shape (one sample), params, FLOPs and multiply-add FLOPs
    per sample, and a note for layers with no formula (their FLOPs are left empty, not 0).
    The table's ``attrs`` hold ``unknown`` and ``partial`` (see
    :class:`bigmodel_utils.tracing.FlopReport`).

    Raises:
        TypeError, ValueError: as :func:`forward_flops`.
    """
    import pandas as pd

    report = forward_flops(model, input_shape)
    rows = [
        dict(row, note="")
        if row["counted"]
        else dict(row, flops=None, multiply_add_flops=None, note="no formula: not counted")
        for row in report.rows
        if row["kind"] != "InputLayer"
    ]
    total = count_parameters(model)["total"]
    held = total - sum(row["params"] for row in rows)
    if held:
        rows.append({"layer": "(weights of custom layers)", "kind": "", "params": held, "note": ""})
    rows.append(
        {
            "layer": "total",
            "kind": "",
            "output_shape": None,
            "params": total,
            "flops": report.total.total,
            "multiply_add_flops": report.total.multiply_add,
            "note": "lower bound: some layers not counted" if report.unknown else "",
        }
    )
    table = pd.DataFrame(
        rows,
        columns=["layer", "kind", "output_shape", "params", "flops", "multiply_add_flops", "note"],
    )
    table.attrs.update(unknown=report.unknown, partial=report.partial)
    return table


def measure(model, name=None, input_shape=None):
    """One row of numbers that say how large ``model`` is (for a table of several models)."""
    check_model(model)
    if name is not None:
        checks.string(name, "name")
    report = forward_flops(model, input_shape, warn=False)
    params, layers = count_parameters(model), count_layers(model)
    return {
        "model": name or model.name,
        "params": params["total"],
        "trainable": params["trainable"],
        "non_trainable": params["non_trainable"],
        "layers": sum(layers.values()),
        "weight_layers": sum(1 for leaf in _leaves(model) if leaf.built and leaf.count_params()),
        **{
            f"{dtype}_bytes": weight_bytes(model, dtype) for dtype in ("float32", "float16", "int8")
        },
        "forward_flops": report.total.total,
        "multiply_add_flops": report.total.multiply_add,
        "unknown": ", ".join(report.unknown),
    }
