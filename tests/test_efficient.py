"""Chapter 5.1: separable convolutions vs Keras, cost formulas, CNN variants, mixed precision."""

import keras
import numpy as np
import pytest

from bigmodel_utils import cnn, efficient, size

ATOL = 1e-5


def _random(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _block_model(height, channels, filters, strides=1, padding="valid"):
    inputs = keras.Input((height, height, channels))
    return keras.Model(
        inputs, efficient.separable_block(inputs, filters, strides=strides, padding=padding)
    )


# ---- depthwise and separable convolutions vs Keras ----------------------------------------------


@pytest.mark.parametrize("stride, padding", [(1, "valid"), (2, "valid"), (1, "same"), (2, "same")])
def test_depthwise_conv2d_matches_keras(stride, padding):
    x = _random((2, 7, 7, 3), seed=0)
    layer = keras.layers.DepthwiseConv2D(3, strides=stride, padding=padding)
    layer(x)
    W, b = _random((3, 3, 3, 1), seed=1), _random((3,), seed=2)
    layer.set_weights([W, b])
    np.testing.assert_allclose(
        efficient.depthwise_conv2d(x, W, b, stride, padding), layer(x), atol=ATOL
    )


@pytest.mark.parametrize("strides", [1, 2])
def test_separable_block_matches_keras(strides):
    x = _random((2, 9, 9, 4), seed=3)
    model = _block_model(9, 4, 6, strides=strides)
    weights = [_random(w.shape, seed=10 + i) * 0.5 for i, w in enumerate(model.get_weights())]
    model.set_weights(weights)
    ours = efficient.separable_block_numpy(x, *weights, stride=strides)
    np.testing.assert_allclose(ours, model(x), atol=ATOL)


def test_depthwise_conv2d_bad_shapes():
    x = _random((1, 5, 5, 3), seed=0)
    with pytest.raises(ValueError, match="W"):
        efficient.depthwise_conv2d(x, _random((3, 3, 2, 1), 0), np.zeros(3))
    with pytest.raises(ValueError, match="b"):
        efficient.depthwise_conv2d(x, _random((3, 3, 3, 1), 0), np.zeros(2))


# ---- parameter and FLOP formulas ----------------------------------------------------------------


@pytest.mark.parametrize("height, channels, filters", [(11, 32, 64), (5, 3, 7), (9, 1, 32)])
def test_separable_block_params_formula(height, channels, filters):
    model = _block_model(height, channels, filters)
    assert efficient.separable_block_params(3, channels, filters) == model.count_params()
    assert (
        efficient.separable_block_params(3, channels, filters)
        == 9 * channels + channels + channels * filters + filters
    )


@pytest.mark.parametrize("height, channels, filters", [(13, 32, 64), (5, 64, 64), (8, 3, 16)])
def test_separable_block_flops_formula(height, channels, filters):
    """Multiply-adds: H'W'(k² C_in + C_in C_out), against a standard conv's H'W' k² C_in C_out."""
    separable = size.forward_flops(_block_model(height, channels, filters), warn=False).total
    inputs = keras.Input((height, height, channels))
    standard = size.forward_flops(
        keras.Model(inputs, keras.layers.Conv2D(filters, 3)(inputs)), warn=False
    ).total
    positions = (height - 2) ** 2
    assert separable.multiply_add == 2 * positions * (9 * channels + channels * filters)
    assert standard.multiply_add == 2 * positions * 9 * channels * filters
    np.testing.assert_allclose(
        separable.multiply_add / standard.multiply_add,
        efficient.separable_cost_ratio(3, filters),
        rtol=1e-12,
    )


def test_cost_ratio_and_bad_input():
    assert efficient.separable_cost_ratio(3, 64) == pytest.approx(1 / 64 + 1 / 9)
    with pytest.raises(ValueError, match="kernel_size"):
        efficient.separable_cost_ratio(0, 64)


def test_build_cnn_standard_is_the_article_cnn():
    ours, article = efficient.build_cnn(), cnn.build_article_cnn()
    assert ours.count_params() == article.count_params() == 93_322
    assert [layer.get_config() | {"name": ""} for layer in ours.layers] == [
        layer.get_config() | {"name": ""} for layer in article.layers
    ]  # the same layers with the same settings, built by the same function
    assert (
        size.forward_flops(ours, warn=False).total == size.forward_flops(article, warn=False).total
    )


def test_separable_variants_cut_conv_stack_flops():
    base = efficient.conv_stack_flops(efficient.build_cnn())
    separable = efficient.conv_stack_flops(efficient.build_cnn("separable"))
    strided = efficient.conv_stack_flops(efficient.build_cnn("separable", "stride"))
    assert strided < separable < base
    assert base / strided >= 5  # the chapter's target
    for model in (efficient.build_cnn("separable"), efficient.build_cnn("separable", "stride")):
        assert model.output_shape == (None, 10)


def test_build_cnn_bad_arguments():
    with pytest.raises(ValueError, match="conv"):
        efficient.build_cnn(conv="grouped")
    with pytest.raises(ValueError, match="downsample"):
        efficient.build_cnn(downsample="avg")


# ---- mixed precision --------------------------------------------------------------------------


def test_mixed_precision_sets_and_restores_policy():
    before = keras.mixed_precision.global_policy().name
    with efficient.mixed_precision() as policy:
        assert policy.name == "mixed_float16"
        model = efficient.build_cnn()
    assert keras.mixed_precision.global_policy().name == before
    assert (
        model.layers[0].compute_dtype == "float16" and model.layers[0].variable_dtype == "float32"
    )
    assert model.layers[-1].compute_dtype == "float32"  # the softmax stays in float32


def test_mixed_precision_restores_policy_on_error():
    before = keras.mixed_precision.global_policy().name
    with pytest.raises(RuntimeError, match="boom"):
        with efficient.mixed_precision():
            raise RuntimeError("boom")
    assert keras.mixed_precision.global_policy().name == before
    with pytest.raises(ValueError, match="policy"):
        with efficient.mixed_precision("float8"):
            pass
    assert keras.mixed_precision.global_policy().name == before


@pytest.mark.slow
def test_train_variants_one_recipe():
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 28, 28, 1)).astype(np.float32), np.arange(64) % 10
    models, seconds = efficient.train_variants(x, y, epochs=2)
    assert list(models) == ["article CNN", "separable", "separable + stride"]
    assert all(value > 0 for value in seconds.values())
    assert all(model.optimizer.iterations.numpy() == 2 for model in models.values())  # 2 x 1 batch
    assert keras.mixed_precision.global_policy().name == "float32"


@pytest.mark.parametrize(
    ("base", "variant", "test_size", "verdict"),
    [
        (0.960, 0.958, 100_000, "holds"),  # -0.2 points, +-0.2 of test error
        (0.960, 0.900, 10_000, "does not hold"),  # -6 points
        (0.960, 0.955, 1_000, "not settled"),  # -0.5 points, +-1.8 of test error
    ],
)
def test_capacity_judgement_reads_the_interval(base, variant, test_size, verdict):
    judged = efficient.capacity_judgement(base, variant, test_size)
    assert judged["verdict"] == verdict
    assert judged["low"] < variant - base < judged["high"]
    efficient.check_capacity_judgement(judged)
    # every phrase the chapter glues exists in both languages, with the same numbers
    for key in ("capacity", "effect"):
        assert (
            judged[f"{key}_en"]
            and judged[f"{key}_zh"]
            and judged[f"{key}_zh"] != judged[f"{key}_en"]
        )
    assert "置信区间" in judged["effect_zh"] and "points" not in judged["effect_zh"]
    assert judged["effect_en"].split()[0] == judged["effect_zh"].split()[0]
    judged["capacity_en"] = "kept the article CNN's accuracy to within a point"
    if verdict != "holds":
        with pytest.raises(AssertionError, match="capacity_en"):
            efficient.check_capacity_judgement(judged)


def test_capacity_judgement_bad_input():
    with pytest.raises(ValueError, match="accuracy"):
        efficient.capacity_judgement(1.5, 0.9, 1000)
    with pytest.raises(TypeError, match="test_size"):
        efficient.capacity_judgement(0.9, 0.9, 10.5)
