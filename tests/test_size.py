"""bigmodel_utils.size and bigmodel_utils.flops: formulas vs Keras, FLOPs vs hand counts."""

import collections
import pathlib
import re

import keras
import numpy as np
import pytest
from keras import layers

from bigmodel_utils import cnn, flop_rules, flops, size, tracing


def built(layer, *input_shapes):
    """Call ``layer`` on symbolic inputs of the given per-sample shapes; return the layer."""
    layer(*[keras.Input(shape) for shape in input_shapes])
    return layer


def model_of(layer, *input_shapes):
    """A functional model around one layer (for FLOP counts)."""
    inputs = [keras.Input(shape) for shape in input_shapes]
    return keras.Model(inputs, layer(*inputs))


def total_flops(model, **kwargs):
    return size.forward_flops(model, **kwargs).total


# ---- parameter formulas equal count_params() ---------------------------------------------------


@pytest.mark.parametrize(
    "in_features, units, use_bias", [(3, 4, True), (17, 1, False), (64, 10, True)]
)
def test_dense_params(in_features, units, use_bias):
    layer = built(layers.Dense(units, use_bias=use_bias), (in_features,))
    assert size.dense_params(in_features, units, use_bias) == layer.count_params()


@pytest.mark.parametrize(
    "kernel_size, in_channels, filters, use_bias",
    [(3, 1, 32, True), ((5, 5), 3, 16, True), ((1, 3), 8, 2, False)],
)
def test_conv2d_params(kernel_size, in_channels, filters, use_bias):
    layer = built(layers.Conv2D(filters, kernel_size, use_bias=use_bias), (12, 12, in_channels))
    assert size.conv2d_params(kernel_size, in_channels, filters, use_bias) == layer.count_params()


@pytest.mark.parametrize(
    "kernel_size, in_channels, depth_multiplier, use_bias",
    [(3, 3, 1, True), ((3, 5), 8, 2, False), (1, 4, 3, True)],
)
def test_depthwise_and_separable_params(kernel_size, in_channels, depth_multiplier, use_bias):
    depthwise = built(
        layers.DepthwiseConv2D(kernel_size, depth_multiplier=depth_multiplier, use_bias=use_bias),
        (9, 9, in_channels),
    )
    assert (
        size.depthwise_conv2d_params(kernel_size, in_channels, depth_multiplier, use_bias)
        == depthwise.count_params()
    )
    separable = built(
        layers.SeparableConv2D(
            7, kernel_size, depth_multiplier=depth_multiplier, use_bias=use_bias
        ),
        (9, 9, in_channels),
    )
    assert (
        size.separable_conv2d_params(kernel_size, in_channels, 7, depth_multiplier, use_bias)
        == separable.count_params()
    )


@pytest.mark.parametrize("input_dim, units, use_bias", [(1, 1, True), (5, 8, True), (16, 3, False)])
def test_recurrent_params(input_dim, units, use_bias):
    shape = (6, input_dim)
    assert (
        size.simple_rnn_params(input_dim, units, use_bias)
        == built(layers.SimpleRNN(units, use_bias=use_bias), shape).count_params()
    )
    assert (
        size.lstm_params(input_dim, units, use_bias)
        == built(layers.LSTM(units, use_bias=use_bias), shape).count_params()
    )
    for reset_after in (True, False):
        gru = built(layers.GRU(units, use_bias=use_bias, reset_after=reset_after), shape)
        assert size.gru_params(input_dim, units, use_bias, reset_after) == gru.count_params()


@pytest.mark.parametrize(
    "query_dim, value_input_dim, num_heads, key_dim, value_dim, output_dim, use_bias",
    [
        (8, None, 2, 4, None, None, True),  # self-attention, the usual case
        (16, None, 4, 4, 8, None, False),  # value heads wider than key heads, no biases
        (8, 6, 2, 3, None, 5, True),  # cross-attention and a different output size
    ],
)
def test_multi_head_attention_params(
    query_dim, value_input_dim, num_heads, key_dim, value_dim, output_dim, use_bias
):
    layer = layers.MultiHeadAttention(
        num_heads, key_dim, value_dim=value_dim, use_bias=use_bias, output_shape=output_dim
    )
    layer(keras.Input((5, query_dim)), keras.Input((7, value_input_dim or query_dim)))
    expected = size.multi_head_attention_params(
        query_dim,
        num_heads,
        key_dim,
        value_dim,
        value_input_dim=value_input_dim,
        output_dim=output_dim,
        use_bias=use_bias,
    )
    assert expected == layer.count_params()


@pytest.mark.parametrize("features", [1, 7, 64])
def test_normalization_and_embedding_params(features):
    assert (
        size.layer_normalization_params(features)
        == built(layers.LayerNormalization(), (3, features)).count_params()
    )
    assert (
        size.layer_normalization_params(features, center=False)
        == built(layers.LayerNormalization(center=False), (3, features)).count_params()
    )
    assert (
        size.batch_normalization_params(features)
        == built(layers.BatchNormalization(), (4, 4, features)).count_params()
    )
    assert (
        size.embedding_params(50, features)
        == built(layers.Embedding(50, features), (3,)).count_params()
    )


def test_article_cnn_counts():
    model = cnn.build_article_cnn()
    assert size.count_parameters(model) == {
        "total": 93_322,
        "trainable": 93_322,
        "non_trainable": 0,
    }
    assert size.count_layers(model) == collections.Counter(
        {"Conv2D": 3, "MaxPooling2D": 2, "Flatten": 1, "Dense": 2}
    )
    assert size.weight_bytes(model, "float32") == 4 * 93_322
    assert size.weight_bytes(model, "float16") == 2 * 93_322
    assert size.weight_bytes(model, "int8") == 93_322


def test_trainable_and_non_trainable_split():
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, layers.BatchNormalization()(inputs))
    assert size.count_parameters(model) == {"total": 12, "trainable": 6, "non_trainable": 6}


# ---- FLOPs equal a hand count ------------------------------------------------------------------


def test_dense_flops_by_hand():
    # 3 inputs -> 2 units: 2*3 multiply-adds = 6 -> 12 FLOPs; 2 bias adds; 2 ReLU comparisons.
    model = model_of(layers.Dense(2, activation="relu"), (3,))
    assert total_flops(model) == flops.Flops(multiply_add=12, other=4)
    # On a sequence of 5 tokens the same layer runs 5 times.
    assert total_flops(model_of(layers.Dense(2), (5, 3))) == flops.Flops(60, 10)


def test_conv_and_pool_flops_by_hand():
    # 3x3x1 input, one 2x2 filter, valid: 2x2 outputs, each a dot product of 4 -> 4*4*2 = 32.
    assert total_flops(model_of(layers.Conv2D(1, 2), (3, 3, 1))) == flops.Flops(32, 4)
    # Max pool 2x2 on 4x4x1: 4 outputs, 3 comparisons each.
    assert total_flops(model_of(layers.MaxPooling2D(2), (4, 4, 1))) == flops.Flops(0, 12)
    # Average pool 2x2 on 4x4x2: 8 outputs, 3 adds + 1 divide each.
    assert total_flops(model_of(layers.AveragePooling2D(2), (4, 4, 2))) == flops.Flops(0, 32)
    # Global average pool on 3x3x2: 2 outputs, 8 adds + 1 divide each.
    assert total_flops(model_of(layers.GlobalAveragePooling2D(), (3, 3, 2))) == flops.Flops(0, 18)
    # Depthwise 3x3 on 4x4x2: 2x2x2 = 8 outputs, 9 multiply-adds each (144), 8 biases.
    assert total_flops(model_of(layers.DepthwiseConv2D(3), (4, 4, 2))) == flops.Flops(144, 8)
    # Separable 3x3 -> 3 filters on 4x4x2: depthwise 144 (no bias), pointwise 2x2 positions
    # x 3 filters x 2 channels = 24 multiply-adds = 48, 12 biases.
    assert total_flops(model_of(layers.SeparableConv2D(3, 3), (4, 4, 2))) == flops.Flops(192, 12)


def test_recurrent_flops_by_hand():
    # SimpleRNN, input 2, 3 units, 4 steps: each step 3 dot products of length 2 + 3 = 5
    # (30 FLOPs), 3 bias adds and 3 tanh -> 36 per step, 144 in all.
    assert total_flops(model_of(layers.SimpleRNN(3), (4, 2))) == flops.Flops(120, 24)
    # LSTM, input 2, 3 units, 2 steps: per step 4 gates x 3 units x dot of 5 = 60 -> 120;
    # 12 biases, 3 sigmoid gates x 3 units x 3 = 27, 2 tanh x 3 = 6, f*c + i*g and o*tanh(c)
    # = 4 x 3 = 12 -> 57 other per step.
    assert total_flops(model_of(layers.LSTM(3), (2, 2))) == flops.Flops(240, 114)
    # GRU (reset_after), input 2, 3 units, 2 steps: 3 x 3 x dot of 5 = 45 -> 90; 18 biases,
    # 2 sigmoid gates x 3 units x 3 = 18, 3 tanh, 8 x 3 = 24 element-wise -> 63 per step.
    assert total_flops(model_of(layers.GRU(3), (2, 2))) == flops.Flops(180, 126)
    # keras.layers.RNN around a built-in cell uses the same formula.
    assert total_flops(model_of(layers.RNN(layers.LSTMCell(3)), (2, 2))) == flops.Flops(240, 114)


def test_attention_and_layer_norm_flops_by_hand():
    # 2 heads, key_dim 4, 6 tokens of 8 features, self-attention.
    # Projections Q, K, V: 3 x 6 tokens x 8 x (2 x 4) = 1152 multiply-adds; scores Q Kᵀ:
    # 2 heads x 6 x 6 x 4 = 288; weights x V: 288; output 6 x 8 x 8 = 384 -> 2112 -> 4224.
    # Other: biases 3 x 6 x 8 + 6 x 8 = 192, scaling Q 6 x 8 = 48, softmax 3 x 2 x 36 = 216.
    query = keras.Input((6, 8))
    model = keras.Model(query, layers.MultiHeadAttention(2, 4)(query, query))
    assert total_flops(model) == flops.Flops(4224, 456)
    # LayerNorm over 5 features for 4 tokens: 5 steps + scale + offset = 7 per feature.
    assert total_flops(model_of(layers.LayerNormalization(), (4, 5))) == flops.Flops(0, 140)


def test_zero_flop_layers():
    inputs = keras.Input((3,), dtype="int32")
    x = layers.Embedding(10, 4)(inputs)
    x = layers.Dropout(0.5)(layers.Flatten()(x))
    model = keras.Model(inputs, layers.Reshape((2, 6))(x))
    assert total_flops(model) == flops.Flops(0, 0)


def test_article_cnn_flops():
    # Multiply-adds: conv 26*26*32*9 + 11*11*64*288 + 3*3*64*576 + dense 576*64 + 64*10
    # = 2,794,240 -> 5,588,480 FLOPs (the usual "5.59 MFLOP"). Other: biases 30,026,
    # ReLU 30,016, max pools 13*13*32*3 + 5*5*64*3 = 21,024, softmax 10 x 3 = 30.
    report = size.forward_flops(cnn.build_article_cnn())
    assert report.total == flops.Flops(5_588_480, 30_026 + 30_016 + 21_024 + 30)
    assert report.unknown == [] and report.partial == []


def test_the_count_depends_on_shapes_not_values():
    # NaN inputs are accepted by trace_calls: the layers see the same shapes, so the count is the
    # same; an empty batch is refused (a layer that saw no sample tells nothing per sample).
    model = cnn.build_article_cnn()
    zeros = tracing.sample_inputs(model)  # (1, 28, 28, 1)
    counted = tracing.add_up(model, tracing.trace_calls(model, np.full_like(zeros, np.nan)))
    assert counted.total == size.forward_flops(model).total
    with pytest.raises(ValueError, match="inputs must have at least 1 element"):
        tracing.trace_calls(model, zeros[:0])


# ---- nesting, custom layers, unknown layers ----------------------------------------------------


class Block(layers.Layer):
    """An encoder-style block: attention, a dense layer and a residual addition."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attention, self.dense = layers.MultiHeadAttention(2, 4), layers.Dense(8)

    def call(self, x):
        return x + self.dense(self.attention(x, x))


class ScaledCell(layers.Layer):
    """A custom recurrent cell with no sublayer: h = x w + h_prev (no formula known)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units, self.state_size = units, units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, x, states):
        h = keras.ops.matmul(x, self.w) + states[0]
        return h, [h]


def test_custom_block_is_counted_through_its_sublayers():
    tokens = keras.Input((6, 8))
    model = keras.Model(tokens, Block(name="block")(tokens))
    report = size.forward_flops(model)
    # attention as in the hand count above, then Dense 8 -> 8 on 6 tokens: 768 + 48.
    assert report.total == flops.Flops(4224 + 768, 456 + 48)
    assert report.partial == ["block (Block)"] and report.unknown == []


def test_nested_model_and_shared_layer():
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(2)], name="inner")
    shared = layers.Dense(3)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, inner(shared(shared(inputs))))
    # shared Dense 3->3 called twice: 2 x (18 + 3); inner Dense 3->2: 12 + 2.
    assert total_flops(model) == flops.Flops(2 * 18 + 12, 2 * 3 + 2)
    assert size.count_layers(model) == collections.Counter({"Dense": 2})


def test_unknown_layer_is_reported_not_zero():
    inputs = keras.Input((4, 3))
    model = keras.Model(inputs, layers.RNN(ScaledCell(5), name="rnn")(inputs))
    with pytest.warns(UserWarning, match="scaled_cell"):
        report = size.forward_flops(model)
    assert report.unknown == ["rnn/scaled_cell (ScaledCell)"]
    with pytest.warns(UserWarning):
        table = size.describe(model)
    unknown_row = table[table["kind"] == "ScaledCell"].iloc[0]
    assert np.isnan(unknown_row["flops"]) and "not counted" in unknown_row["note"]
    assert "lower bound" in table.iloc[-1]["note"]


def test_registered_rule_is_used():
    inputs = keras.Input((4, 3))
    model = keras.Model(inputs, layers.RNN(ScaledCell(5))(inputs))
    flop_rules.register(ScaledCell, lambda layer, shapes, output: flops.Flops(2 * 3 * 5, 5))
    try:
        assert total_flops(model) == flops.Flops(4 * 30, 4 * 5)  # the cell runs 4 times
    finally:
        flop_rules.CUSTOM_RULES.pop(ScaledCell)


def test_describe_table():
    table = size.describe(cnn.build_article_cnn())
    assert list(table["layer"])[-1] == "total"
    assert table.iloc[-1]["params"] == 93_322 and table.iloc[-1]["multiply_add_flops"] == 5_588_480
    assert table["params"].iloc[:-1].sum() == 93_322
    row = size.measure(cnn.build_article_cnn(), "article CNN")
    assert row["params"] == 93_322 and row["layers"] == 8 and row["weight_layers"] == 5
    assert row["forward_flops"] == 5_669_576 and row["unknown"] == ""


# ---- bad input -----------------------------------------------------------------------------------


def test_bad_input_raises():
    with pytest.raises(TypeError, match="model"):
        size.describe("not a model")
    with pytest.raises(TypeError, match="model"):
        size.count_parameters(layers.Dense(3))
    with pytest.raises(ValueError, match="model is not built"):
        size.forward_flops(keras.Sequential([layers.Dense(3)]))
    with pytest.raises(ValueError, match="dtype"):
        size.weight_bytes(cnn.build_article_cnn(), "float64")
    with pytest.raises(ValueError, match="name"):
        flops.activation_flops("mystery", 10)
    tokens = keras.Input((None, 8))
    with pytest.raises(ValueError, match="input_shape"):
        size.forward_flops(keras.Model(tokens, layers.Dense(2)(tokens)))
    assert size.forward_flops(
        keras.Model(tokens, layers.Dense(2)(tokens)), input_shape=(5, 8)
    ).total == flops.Flops(160, 10)


def test_landmarks_are_cited():
    bibliography = (pathlib.Path(__file__).parents[1] / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bibliography))
    assert {row["cite"] for row in size.LANDMARK_MODELS} <= keys
    assert all(row["params"] > 0 and 1990 < row["year"] < 2030 for row in size.LANDMARK_MODELS)


def test_keras_ops_in_a_functional_graph():
    inputs = keras.Input((4,))
    doubled = keras.Model(inputs, layers.Dense(2)(keras.ops.add(inputs, inputs)))
    with pytest.warns(UserWarning, match="operation Add"):
        assert size.forward_flops(doubled).unknown[0].endswith("(operation Add)")
    tokens = keras.Input((5, 4))
    first = keras.Model(tokens, layers.Dense(2)(tokens[:, 0]))  # slicing moves data only
    assert size.forward_flops(first).total == flops.Flops(16, 2)


def test_the_books_own_layers_are_counted_without_any_setup():
    """ArticleRNNCell and PositionalEmbedding have formulas as soon as the package is imported."""
    import keras

    from bigmodel_utils import flop_rules, rnn, transformer_layers

    for layer in (
        rnn.ArticleRNNCell(4, output_units=3),
        transformer_layers.PositionalEmbedding(5, 8),
    ):
        assert flop_rules.rule_for(layer) is not None
    model = keras.Sequential(
        [keras.Input((6, 2)), keras.layers.RNN(rnn.ArticleRNNCell(4, output_units=3))]
    )
    report = size.forward_flops(model, warn=False)
    assert not report.unknown
    # 6 steps of W x_t + U h + b (2*2*4 + 2*4*4 + 4 adds) + tanh (4), then V h + c (2*4*3 + 3)
    assert report.total.total == 6 * (2 * 2 * 4 + 2 * 4 * 4 + 4 + 4 + 2 * 4 * 3 + 3)
