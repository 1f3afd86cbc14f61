"""The NumPy layers of chapter 3.1 against the Keras layers, on copied weights."""

import keras
import numpy as np
import pytest

from bigmodel_utils import cnn, cnn_equations, efficient, scaling

ATOL = 1e-5


def _random(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _built(layer, x):
    """Build ``layer`` on ``x``'s shape with random (non-zero) weights, then return its output."""
    layer(x)
    layer.set_weights(
        [_random(w.shape, seed=i + 7) * 0.3 for i, w in enumerate(layer.get_weights())]
    )
    return np.asarray(layer(x))


@pytest.mark.parametrize("f", ["linear", "relu", "tanh", "sigmoid", "softmax"])
def test_dense_matches_keras(f):
    x = _random((5, 7), seed=0)
    layer = keras.layers.Dense(4, activation=f)
    expected = _built(layer, x)
    W, b = layer.get_weights()
    assert W.shape == (7, 4)  # Keras stores the kernel (in, out)
    np.testing.assert_allclose(cnn_equations.dense(x, W, b, f), expected, atol=ATOL)


def test_dense_accepts_a_callable():
    x, W, b = _random((3, 2), 0), _random((2, 2), 1), _random((2,), 2)
    np.testing.assert_allclose(cnn_equations.dense(x, W, b, np.abs), np.abs(x @ W + b))


@pytest.mark.parametrize(
    "height, width, in_channels, out_channels, kernel, stride, padding",
    [
        (8, 8, 1, 3, (3, 3), 1, "valid"),
        (8, 8, 1, 3, (3, 3), 1, "same"),
        (9, 7, 3, 4, (3, 3), 2, "valid"),
        (9, 7, 3, 4, (3, 3), 2, "same"),  # odd sizes, stride 2: uneven same padding
        (10, 10, 2, 5, (4, 4), 2, "same"),  # even kernel, even size
        (11, 6, 2, 3, (2, 3), (2, 1), "same"),
        (11, 6, 2, 3, (5, 2), (2, 1), "valid"),
        (7, 7, 4, 2, (3, 3), 3, "same"),
        (28, 28, 1, 32, (3, 3), 1, "valid"),  # the article's first layer
    ],
)
def test_conv2d_matches_keras(height, width, in_channels, out_channels, kernel, stride, padding):
    x = _random((2, height, width, in_channels), seed=1)
    layer = keras.layers.Conv2D(
        out_channels, kernel, strides=stride, padding=padding, activation="relu"
    )
    expected = _built(layer, x)
    W, b = layer.get_weights()
    got = cnn_equations.conv2d(x, W, b, stride=stride, padding=padding, f="relu")
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=ATOL)


def test_conv2d_is_a_shared_dense_layer_on_each_window():
    """A 1x1 convolution is the Dense layer applied at every pixel."""
    x, W, b = _random((2, 4, 5, 3), 0), _random((1, 1, 3, 6), 1), _random((6,), 2)
    expected = cnn_equations.dense(x.reshape(-1, 3), W[0, 0], b).reshape(
        2, 4, 5, 6
    )  # (batch * H * W, 3) -> NHWC
    np.testing.assert_allclose(cnn_equations.conv2d(x, W, b), expected, atol=ATOL)


@pytest.mark.parametrize("size", [4, 5, 7, 28])
@pytest.mark.parametrize("kernel, stride", [(1, 1), (2, 1), (3, 1), (3, 2), (4, 2), (2, 3), (5, 3)])
def test_same_padding_matches_keras_output_size(size, kernel, stride):
    before, after = cnn_equations.same_padding(size, kernel, stride)
    assert after - before in (0, 1)
    assert (size + before + after - kernel) // stride + 1 == -(-size // stride)


@pytest.mark.parametrize(
    "height, width, pool_size, stride, padding",
    [
        (8, 8, 2, None, "valid"),
        (28, 28, (2, 2), None, "valid"),
        (7, 9, 2, None, "valid"),  # odd sizes: the last row/column is dropped
        (7, 9, 3, 2, "valid"),  # stride smaller than the window: overlapping
        (7, 9, 2, 3, "valid"),  # stride larger than the window: gaps
        (7, 9, 3, 2, "same"),
        (5, 6, (2, 3), (1, 2), "same"),
    ],
)
def test_max_pool2d_matches_keras(height, width, pool_size, stride, padding):
    x = _random((3, height, width, 4), seed=2) - 2.0  # negative values: padding must never win
    layer = keras.layers.MaxPooling2D(pool_size, strides=stride, padding=padding)
    expected = np.asarray(layer(x))
    got = cnn_equations.max_pool2d(x, pool_size, stride, padding)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=ATOL)


def test_article_cnn_parameter_count_and_numpy_forward():
    model = cnn.build_article_cnn()
    assert model.count_params() == 93_322
    # The formula: (k_h * k_w * in + 1) * out per convolution, (in + 1) * out per dense layer.
    formula = (
        (9 * 1 + 1) * 32
        + (9 * 32 + 1) * 64
        + (9 * 64 + 1) * 64
        + (3 * 3 * 64 + 1) * 64
        + (64 + 1) * 10
    )
    assert formula == model.count_params()
    x = np.random.default_rng(0).uniform(size=(4, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(cnn.numpy_forward(model, x), model.predict(x, verbose=0), atol=ATOL)


def _conv(k, c_in, c_out):
    return (k * k * c_in + 1) * c_out


def _dense(n_in, n_out):
    return (n_in + 1) * n_out


def _separable(c_in, c_out):
    return (9 + 1) * c_in + _conv(1, c_in, c_out)  # depthwise 3x3, then 1x1 pointwise


def _scaled(c1, c2, c3, units, extra=0):
    """The article's CNN at other widths and depths: 28 -> 26 -> 13 -> 11 -> 5 -> 3 pixels."""
    convs = _conv(3, 1, c1) + _conv(3, c1, c2) + _conv(3, c2, c3) + extra * _conv(3, c3, c3)
    return convs + _dense(3 * 3 * c3, units) + _dense(units, 10)


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda: cnn.build_article_cnn(), 93_322),
        (lambda: scaling.build_scaled_cnn(1.0), 93_322),
        (lambda: efficient.build_cnn(), 93_322),
        (lambda: scaling.build_scaled_cnn(0.5), _scaled(16, 32, 32, 32)),
        (lambda: scaling.build_scaled_cnn(2.0, extra_layers=2), _scaled(64, 128, 128, 128, 2)),
        (
            lambda: efficient.build_cnn("separable"),  # same sizes as the article's: 3x3 at the end
            _conv(3, 1, 32) + _separable(32, 64) + _separable(64, 64) + _dense(576, 64) + 650,
        ),
        (
            lambda: efficient.build_cnn("separable", "stride"),  # 28 -> 13 -> 6 -> 4 pixels
            _conv(3, 1, 32)
            + _separable(32, 64)
            + _separable(64, 64)
            + _dense(4 * 4 * 64, 64)
            + 650,
        ),
    ],
)
def test_every_variant_of_the_article_cnn_has_its_formula_count(build, expected):
    """One builder, cnn.build_article_cnn, behind chapter 2's widths and chapter 5.1's variants."""
    assert build().count_params() == expected


def test_the_variants_at_the_article_size_are_the_article_cnn_layer_for_layer():
    def settings(model):
        return [(type(layer).__name__, layer.get_config() | {"name": ""}) for layer in model.layers]

    article = settings(cnn.build_article_cnn())
    assert settings(scaling.build_scaled_cnn(1.0)) == article
    assert settings(efficient.build_cnn()) == article


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"channels": (32, 64, 64)}, ValueError, "channels"),
        ({"channels": (32, 64, 0, 64)}, ValueError, "channels"),
        ({"extra_layers": -1}, ValueError, "extra_layers"),
        ({"downsample": "average"}, ValueError, "downsample must be one of"),
        ({"later_conv": "separable"}, TypeError, "later_conv must be callable"),
    ],
)
def test_build_article_cnn_refuses_bad_switches(arguments, error, message):
    with pytest.raises(error, match=message):
        cnn.build_article_cnn(**arguments)


def test_feature_maps_shapes_and_values():
    model = cnn.build_article_cnn()
    x = np.random.default_rng(1).uniform(size=(2, 28, 28, 1)).astype(np.float32)
    maps = cnn.feature_maps(model, x)
    assert [m.shape for m in maps.values()] == [(2, 26, 26, 32), (2, 11, 11, 64), (2, 3, 3, 64)]
    first = model.layers[0]
    W, b = first.get_weights()
    np.testing.assert_allclose(maps[first.name], cnn_equations.conv2d(x, W, b, f="relu"), atol=ATOL)
    only = cnn.feature_maps(model, x, layer_names=[first.name])
    assert list(only) == [first.name]


def test_activation_lookup():
    z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(cnn_equations.get_activation("relu")(z), [[0, 0, 2]])
    np.testing.assert_allclose(cnn_equations.get_activation("softmax")(z).sum(axis=-1), [1.0])
    assert cnn_equations.get_activation(None)(z) is z


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: cnn_equations.get_activation("swishy"), ValueError, "f must be one of"),
        (lambda: cnn_equations.get_activation(3), TypeError, "f must be"),
        (
            lambda: cnn_equations.dense(np.ones((2, 3)), np.ones((4, 2)), np.ones(2)),
            ValueError,
            "W expects 4",
        ),
        (
            lambda: cnn_equations.dense(np.ones((2, 3)), np.ones((3, 2)), np.ones(3)),
            ValueError,
            "b must have shape",
        ),
        (
            lambda: cnn_equations.dense(np.ones(3), np.ones((3, 2)), np.ones(2)),
            ValueError,
            "x must have 2",
        ),
        (
            lambda: cnn_equations.dense(np.array([["a"]]), np.ones((1, 1)), np.ones(1)),
            TypeError,
            "x must be a numeric",
        ),
        (
            lambda: cnn_equations.conv2d(np.ones((1, 5, 5)), np.ones((3, 3, 1, 2)), np.ones(2)),
            ValueError,
            "x must have 4",
        ),
        (
            lambda: cnn_equations.conv2d(np.ones((1, 5, 5, 2)), np.ones((3, 3, 1, 2)), np.ones(2)),
            ValueError,
            "input channels",
        ),
        (
            lambda: cnn_equations.conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(3)),
            ValueError,
            "b must have shape",
        ),
        (
            lambda: cnn_equations.conv2d(
                np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(2), padding="full"
            ),
            ValueError,
            "padding must be",
        ),
        (
            lambda: cnn_equations.conv2d(
                np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(2), stride=0
            ),
            ValueError,
            "stride must be a positive int",
        ),
        (
            lambda: cnn_equations.conv2d(
                np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(2), stride=1.5
            ),
            TypeError,
            "stride must be an int",
        ),
        (
            lambda: cnn_equations.conv2d(np.ones((1, 2, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(2)),
            ValueError,
            "smaller than",
        ),
        (
            lambda: cnn_equations.max_pool2d(np.ones((1, 4, 4, 1)), pool_size=(2, 2, 2)),
            TypeError,
            "pool_size",
        ),
        (
            lambda: cnn_equations.max_pool2d(np.ones((1, 4, 4, 1)), stride=(1, -1)),
            ValueError,
            "stride",
        ),
        (
            lambda: cnn.feature_maps(cnn.build_article_cnn(), np.ones((1, 28, 28, 1)), ["nope"]),
            ValueError,
            "layer_names",
        ),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_cnn_reads_the_equations_the_chapters_use_from_one_place():
    for name in ("dense", "conv2d", "max_pool2d", "extract_windows", "same_padding"):
        assert getattr(cnn, name) is getattr(cnn_equations, name)  # re-exported, not a copy
