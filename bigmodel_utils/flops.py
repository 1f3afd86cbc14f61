"""Chapters 1 and 2: forward FLOPs per sample of a Keras model, layer by layer, by formula.

Convention (stated, because papers differ: some quote multiply-adds as "FLOPs"):

* one multiply-add is **2 FLOPs**; a dot product of length ``n`` costs ``2n``
  (this is the ``multiply_add`` part: dense, convolutions, recurrent and attention products);
* every other elementary operation (add a bias, compare, exp, divide, tanh) is **1 FLOP**
  (the ``other`` part: biases, activations, pooling, normalisation, softmax, gates);
* data movement is free: Flatten, Reshape, Dropout (off at inference), Embedding look-ups,
  Concatenate, padding.

Counts are for one sample at inference (batch 1). This module holds the formulas, one per
equation; :mod:`bigmodel_utils.flop_rules` holds one rule per Keras layer class that applies
them to the shapes a layer saw, and ``size.forward_flops`` runs a model once and adds the rules
up. The TensorFlow profiler is not used: it undercounts the loops of recurrent layers.
"""

import dataclasses

from bigmodel_utils import checks

ACTIVATION_FLOPS = {  # FLOPs per element; exp, tanh, erf and divide count 1 each
    "linear": 0,
    "relu": 1,
    "relu6": 2,
    "leaky_relu": 2,
    "elu": 3,
    "selu": 4,
    "tanh": 1,
    "sigmoid": 3,
    "hard_sigmoid": 3,
    "swish": 4,
    "silu": 4,
    "gelu": 8,
    "softplus": 3,
    "softsign": 3,
    "exponential": 1,
    "softmax": 3,
    "log_softmax": 3,
}


@dataclasses.dataclass(frozen=True)
class Flops:
    """FLOPs split into multiply-adds (2 per multiply-add) and every other operation."""

    multiply_add: int = 0
    other: int = 0

    def __post_init__(self):
        checks.non_negative_int(self.multiply_add, "multiply_add")
        checks.non_negative_int(self.other, "other")

    @property
    def total(self):
        return self.multiply_add + self.other

    def __add__(self, more):
        return Flops(self.multiply_add + more.multiply_add, self.other + more.other)

    def __mul__(self, times):
        return Flops(self.multiply_add * int(times), self.other * int(times))


def activation_flops(name, elements):
    """FLOPs of an element-wise activation ``name`` over ``elements`` numbers.

    Raises:
        ValueError: if ``name`` has no entry in ``ACTIVATION_FLOPS``.
    """
    checks.non_negative_int(elements, "elements")
    checks.string(name, "name")
    if name not in ACTIVATION_FLOPS:
        raise ValueError(
            f"name: no FLOP count for activation {name!r}; known: {sorted(ACTIVATION_FLOPS)}"
        )
    return Flops(0, ACTIVATION_FLOPS[name] * int(elements))


def dense_flops(in_features, units, use_bias=True, positions=1):
    """y = W x + b at ``positions`` places (tokens or pixels): 2·in·units each, + units for b.

    Chapter 2.
    """
    checks.positive_int(in_features, "in_features")
    checks.positive_int(units, "units")
    checks.positive_int(positions, "positions")
    checks.boolean(use_bias, "use_bias")
    return Flops(2 * in_features * units * positions, units * positions if use_bias else 0)


def conv_flops(output_positions, kernel_elements, in_channels, filters, groups=1, use_bias=True):
    """Convolution: each output position and filter is a dot product of kernel·in/groups inputs.

    Chapter 2.
    """
    checks.positive_int(output_positions, "output_positions")
    checks.positive_int(kernel_elements, "kernel_elements")
    checks.positive_int(in_channels, "in_channels")
    checks.positive_int(filters, "filters")
    checks.positive_int(groups, "groups")
    checks.boolean(use_bias, "use_bias")
    if in_channels % groups:
        raise ValueError(f"groups ({groups}) must divide in_channels ({in_channels})")
    per_output = kernel_elements * in_channels // groups
    return Flops(
        2 * output_positions * filters * per_output, output_positions * filters if use_bias else 0
    )


def depthwise_conv_flops(
    output_positions, kernel_elements, in_channels, depth_multiplier=1, use_bias=True
):
    """Depthwise convolution: each input channel has its own ``depth_multiplier`` kernels.

    Chapter 2.
    """
    checks.positive_int(output_positions, "output_positions")
    checks.positive_int(kernel_elements, "kernel_elements")
    checks.positive_int(in_channels, "in_channels")
    checks.positive_int(depth_multiplier, "depth_multiplier")
    checks.boolean(use_bias, "use_bias")
    outputs = output_positions * in_channels * depth_multiplier
    return Flops(2 * outputs * kernel_elements, outputs if use_bias else 0)


def pool_flops(output_elements, window_elements, kind="max"):
    """Pooling: max needs window−1 comparisons per output; average window−1 adds and 1 divide.

    Chapter 2.
    """
    checks.positive_int(output_elements, "output_elements")
    checks.positive_int(window_elements, "window_elements")
    checks.one_of(kind, "kind", ("max", "avg"))
    per_output = window_elements - 1 if kind == "max" else window_elements
    return Flops(0, output_elements * per_output)


def simple_rnn_flops(input_dim, units, timesteps, activation="tanh", use_bias=True):
    """h_t = f(W x_t + U h_prev + b) of chapter 3.2: per unit a dot product of input_dim + units."""
    checks.positive_int(input_dim, "input_dim")
    checks.positive_int(units, "units")
    checks.positive_int(timesteps, "timesteps")
    checks.boolean(use_bias, "use_bias")
    step = Flops(2 * units * (input_dim + units), units if use_bias else 0)
    return (step + activation_flops(activation, units)) * timesteps


def lstm_flops(
    input_dim, units, timesteps, activation="tanh", recurrent_activation="sigmoid", use_bias=True
):
    """LSTM: 4 gates of length input_dim + units, 3 gate activations, 2 tanh, 4 products/sums.

    Chapter 2.
    """
    checks.positive_int(input_dim, "input_dim")
    checks.positive_int(units, "units")
    checks.positive_int(timesteps, "timesteps")
    checks.boolean(use_bias, "use_bias")
    step = Flops(2 * 4 * units * (input_dim + units), (4 * units if use_bias else 0) + 4 * units)
    step = step + activation_flops(recurrent_activation, 3 * units)
    return (step + activation_flops(activation, 2 * units)) * timesteps


def gru_flops(
    input_dim,
    units,
    timesteps,
    activation="tanh",
    recurrent_activation="sigmoid",
    use_bias=True,
    reset_after=True,
):
    """GRU: 3 input and 3 recurrent products, 2 gate and 1 candidate activation, 8 element-wise ops.

    Chapter 2.
    """
    checks.positive_int(input_dim, "input_dim")
    checks.positive_int(units, "units")
    checks.positive_int(timesteps, "timesteps")
    checks.boolean(use_bias, "use_bias")
    checks.boolean(reset_after, "reset_after")
    biases = (6 if reset_after else 3) * units if use_bias else 0
    step = Flops(2 * 3 * units * (input_dim + units), biases + 8 * units)
    step = step + activation_flops(recurrent_activation, 2 * units)
    return (step + activation_flops(activation, units)) * timesteps


def multi_head_attention_flops(
    query_length,
    key_length,
    query_dim,
    key_input_dim,
    value_input_dim,
    num_heads,
    key_dim,
    value_dim,
    output_dim,
    use_bias=True,
):
    """softmax(Q Kᵀ/√d_k) V per head, then Concat(head_1..head_h) W^O (section 3.3).

    Projections of query, key and value, the scores, the weighted sum and the output
    projection are multiply-adds; scaling Q, the softmax and the biases are the rest.
    """
    checks.positive_int(query_length, "query_length")
    checks.positive_int(key_length, "key_length")
    checks.positive_int(query_dim, "query_dim")
    checks.positive_int(key_input_dim, "key_input_dim")
    checks.positive_int(value_input_dim, "value_input_dim")
    checks.positive_int(num_heads, "num_heads")
    checks.positive_int(key_dim, "key_dim")
    checks.positive_int(value_dim, "value_dim")
    checks.positive_int(output_dim, "output_dim")
    checks.boolean(use_bias, "use_bias")
    projections = (
        query_length * query_dim * num_heads * key_dim
        + key_length * key_input_dim * num_heads * key_dim
        + key_length * value_input_dim * num_heads * value_dim
    )
    scores = num_heads * query_length * key_length * (key_dim + value_dim)  # Q Kᵀ and weights · V
    output = query_length * num_heads * value_dim * output_dim
    biases = (
        (
            query_length * num_heads * key_dim
            + key_length * num_heads * (key_dim + value_dim)
            + query_length * output_dim
        )
        if use_bias
        else 0
    )
    softmax = ACTIVATION_FLOPS["softmax"] * num_heads * query_length * key_length
    return Flops(
        2 * (projections + scores + output), biases + query_length * num_heads * key_dim + softmax
    )


def layer_normalization_flops(vectors, features, center=True, scale=True):
    """LayerNorm of ``vectors`` vectors of ``features``: mean, x−μ, square, variance, divide = 5d.

    Chapter 2.
    """
    checks.positive_int(vectors, "vectors")
    checks.positive_int(features, "features")
    checks.boolean(center, "center")
    checks.boolean(scale, "scale")
    return Flops(0, vectors * features * (5 + int(center) + int(scale)))


def batch_normalization_flops(elements, center=True, scale=True):
    """BatchNorm at inference: (x − mean) / σ, then ·γ and +β: 2 to 4 FLOPs per element.

    Chapter 2.
    """
    checks.positive_int(elements, "elements")
    checks.boolean(center, "center")
    checks.boolean(scale, "scale")
    return Flops(0, elements * (2 + int(center) + int(scale)))
