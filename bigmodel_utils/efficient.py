"""Chapter 5.1: more efficient algorithms -- separable convolutions and mixed precision.

Two ways to make the article's CNN cheaper to compute, each measured rather than assumed:
depthwise-separable convolutions (fewer FLOPs and weights) and the mixed-precision switch
(float16 arithmetic, float32 weights), with one training recipe for every variant. The fair
comparison of the precisions lives in ``precision``; int8 quantization and the measurements in
``deployment``.
"""

import contextlib
import math

import keras
import numpy as np
from keras import layers
from scipy.stats import norm as _norm

from bigmodel_utils import checks, cnn, size, training
from bigmodel_utils import statistics as stats

CONV_KINDS = ("standard", "separable")
DOWNSAMPLINGS = cnn.DOWNSAMPLINGS


# ---- depthwise-separable convolution ------------------------------------------------------


def depthwise_conv2d(x, W, b, stride=1, padding="valid"):
    """Depthwise convolution in NumPy: one k x k filter per channel, channels never mix.

    Equation (depthwise) of chapter 5.1: z[i, j, c] = sum_uv W[u, v, c] x[i + u, j + v, c] + b[c].

    Args:
        x: images ``(batch, height, width, channels)``.
        W: kernel ``(k_h, k_w, channels, 1)`` (the Keras ``DepthwiseConv2D`` layout).
        b: bias ``(channels,)``.
        stride, padding: as in :func:`bigmodel_utils.cnn.conv2d`.
    Returns:
        ``(batch, out_h, out_w, channels)``.
    Raises:
        ValueError: if ``x`` is not 4-D, or ``W`` or ``b`` does not match its channels.
        TypeError: if ``x`` is not numeric.
    """
    W, b = checks.array(W, "W", 4), checks.array(b, "b", 1)
    checks.pair(stride, "stride")
    checks.one_of(padding, "padding", cnn.PADDINGS)
    x, W, b = checks.array(x, "x", 4), np.asarray(W), np.asarray(b)
    if W.ndim != 4 or W.shape[2:] != (x.shape[-1], 1):
        raise ValueError(f"W must have shape (k_h, k_w, {x.shape[-1]}, 1), got {W.shape}")
    if b.shape != (x.shape[-1],):
        raise ValueError(f"b must have shape ({x.shape[-1]},), got {b.shape}")
    per_channel = [
        cnn.conv2d(x[..., c : c + 1], W[:, :, c : c + 1, :], b[c : c + 1], stride, padding)
        for c in range(x.shape[-1])
    ]  # each (batch, out_h, out_w, 1)
    return np.concatenate(per_channel, axis=-1)  # (batch, out_h, out_w, channels)


def separable_block_numpy(
    x, W_depthwise, b_depthwise, W_pointwise, b_pointwise, stride=1, padding="valid"
):
    """The depthwise-separable block in NumPy: depthwise, ReLU, 1x1 pointwise, ReLU.

    Equations (depthwise) and (pointwise) of chapter 5.1. ``x`` is ``(batch, height, width, C)``,
    ``W_depthwise`` ``(k_h, k_w, C, 1)``, ``b_depthwise`` ``(C,)``, ``W_pointwise``
    ``(1, 1, C, filters)`` and ``b_pointwise`` ``(filters,)``; each is checked under its own name.
    """
    channels = checks.array(x, "x", 4).shape[-1]
    expected = (
        ("W_depthwise", W_depthwise, (None, None, channels, 1)),
        ("b_depthwise", b_depthwise, (channels,)),
        ("W_pointwise", W_pointwise, (1, 1, channels, None)),
    )
    for name, value, wanted in expected:
        checks.shape(checks.array(value, name, len(wanted)), name, wanted)
    filters = np.shape(W_pointwise)[-1]
    checks.shape(checks.array(b_pointwise, "b_pointwise", 1), "b_pointwise", (filters,))
    z = np.maximum(depthwise_conv2d(x, W_depthwise, b_depthwise, stride, padding), 0)
    return cnn.conv2d(z, W_pointwise, b_pointwise, f="relu")  # 1x1: mixes channels at each pixel


def separable_layers(filters, kernel_size=3, strides=1, padding="valid", name=None):
    """The depthwise-separable block as a list of Keras layers (chapter 5.1).

    DepthwiseConv2D(k x k) -> ReLU -> Conv2D(1 x 1, filters) -> ReLU: the MobileNet block
    without batch normalisation. ``name`` prefixes the layers' names.
    """
    checks.positive_int(filters, "filters")
    checks.pair(kernel_size, "kernel_size")
    checks.pair(strides, "strides")
    checks.one_of(padding, "padding", cnn.PADDINGS)
    if name is not None:
        checks.string(name, "name")
    return [
        layers.DepthwiseConv2D(
            kernel_size,
            strides=strides,
            padding=padding,
            activation="relu",
            name=f"{name}_depthwise" if name else None,
        ),
        layers.Conv2D(filters, 1, activation="relu", name=f"{name}_pointwise" if name else None),
    ]


def separable_block(x, filters, kernel_size=3, strides=1, padding="valid", name=None):
    """:func:`separable_layers` applied to tensor ``x`` (depthwise, ReLU, 1x1 pointwise, ReLU).

    ``x``: a ``(batch, height, width, channels)`` tensor, symbolic (``keras.Input``) or not.
    """
    found, wanted = getattr(x, "shape", None), "x must be a (batch, height, width, channels) tensor"
    if found is None or isinstance(x, type):
        raise TypeError(f"{wanted}, got {checks.describe(x)}")
    if len(found) != 4:
        raise ValueError(f"{wanted}, got shape {tuple(found)}")
    for layer in separable_layers(filters, kernel_size, strides, padding, name):
        x = layer(x)
    return x


def separable_block_params(kernel_size, in_channels, filters):
    """Parameters of :func:`separable_block`: k²·C_in + C_in (depthwise) + C_in·C_out + C_out."""
    return size.depthwise_conv2d_params(kernel_size, in_channels) + size.conv2d_params(
        1, in_channels, filters
    )


def separable_cost_ratio(kernel_size, filters):
    """Multiply-adds of a separable over a standard k x k convolution: 1/C_out + 1/k².

    Equation (cost ratio) of chapter 5.1 (Howard et al., 2017); it does not depend on C_in.
    """
    checks.positive_int(kernel_size, "kernel_size")
    checks.positive_int(filters, "filters")
    if kernel_size < 1 or filters < 1:
        raise ValueError(f"kernel_size and filters must be >= 1, got {kernel_size} and {filters}")
    return 1 / filters + 1 / kernel_size**2


def build_cnn(conv="standard", downsample="pool", input_shape=(28, 28, 1), num_classes=10):
    """The article's CNN (``standard``, ``pool``) or its separable / strided variants.

    :func:`bigmodel_utils.cnn.build_article_cnn` with two switches: same widths (32, 64, 64)
    and dense head. ``conv="separable"`` replaces the 2nd and 3rd convolutions by
    :func:`separable_layers` (the 1-channel first layer stays standard, as in MobileNet);
    ``downsample="stride"`` replaces each max-pool by a stride of 2. The output softmax is
    always float32, so the model also trains under mixed precision.

    Raises:
        ValueError: for an unknown ``conv`` or ``downsample``.
    """
    checks.one_of(conv, "conv", CONV_KINDS)
    return cnn.build_article_cnn(
        input_shape,
        num_classes,
        downsample=downsample,
        later_conv=separable_layers if conv == "separable" else None,
        name=f"{conv}_{downsample}_cnn",
    )


def conv_stack_flops(model):
    """Forward FLOPs per sample of the layers before ``Flatten`` (the convolutional stack)."""
    checks.keras_model(model, "model")
    total = 0
    for row in size.forward_flops(model, warn=False).rows:
        if row["kind"] == "Flatten":
            return total
        total += row["flops"]
    raise ValueError("model has no Flatten layer: cannot tell where the convolutional stack ends")


# ---- mixed precision ------------------------------------------------------------------------


def mixed_precision(policy="mixed_float16"):
    """Build models inside ``with mixed_precision():`` to get float16 compute, float32 weights.

    Sets Keras' global dtype policy and always restores the previous one, even on error
    (chapter 5.1; Micikevicius et al., 2018). Models keep the policy they were built with.

    Raises:
        ValueError: if ``policy`` is not a Keras dtype policy name.
    """
    checks.string(policy, "policy")
    if policy not in ("float32", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16"):
        raise ValueError(
            f"policy must be a Keras dtype policy such as 'mixed_float16', got {policy!r}"
        )
    return _policy(policy)


@contextlib.contextmanager
def _policy(policy):
    """The context manager behind :func:`mixed_precision` (its policy checked when it is made)."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield keras.mixed_precision.global_policy()
    finally:
        keras.mixed_precision.set_global_policy(previous)


# ---- one training recipe for every variant ---------------------------------------------------


def train(model, x, y, epochs, batch_size=128, learning_rate=3e-3):
    """Compile (Adam, sparse cross-entropy) and fit ``model``; return its seconds per epoch.

    The same recipe for every variant in chapter 5.1, so their accuracies and times compare: large
    batches with a larger learning rate and eight steps per call, the fast recipe measured in
    ``benchmarks/bench_efficient.py`` (the article's batches of 32 keep a CPU far below its
    peak). :func:`bigmodel_utils.training.fit_and_time` times it: every epoch is a whole pass
    over ``x``, and the seconds per epoch are the median of the epochs after the first.
    """
    return training.fit_classifier(model, x, y, epochs, batch_size, learning_rate)


def train_variants(x, y, epochs):
    """The three float32 Keras models of chapter 5.1, trained with one recipe.

    The article CNN and its separable and separable + strided versions. Mixed precision is
    compared on its own, from shared initial weights (:mod:`bigmodel_utils.precision`).
    Returns ``(models, seconds_per_epoch)``.
    """
    checks.matching(len(checks.array(x, "x", 4)), "len(x)", len(checks.labels(y, "y")), "len(y)")
    checks.positive_int(epochs, "epochs")
    models = {
        "article CNN": cnn.build_article_cnn(),
        "separable": build_cnn("separable"),
        "separable + stride": build_cnn("separable", "stride"),
    }
    seconds = {name: train(model, x, y, epochs=epochs) for name, model in models.items()}
    return models, seconds


ACCURACY_TOLERANCE = 0.01  # "keeps the accuracy": loses less than one point
_CAPACITY = {
    stats.HOLDS: {
        "en": "kept the article CNN's accuracy to within a point",
        "zh": "准确率与文章的 CNN 相差不到一个百分点",
    },
    stats.DOES_NOT_HOLD: {
        "en": "paid for part of the saving in accuracy",
        "zh": "节省的计算量部分以准确率为代价",
    },
    stats.NOT_SETTLED: {
        "en": "may or may not have paid for the saving in accuracy: at this test-set size that is "
        "not settled",
        "zh": "是否以准确率为代价，在此测试集规模下尚无定论",
    },
}


def capacity_judgement(accuracy_base, accuracy_variant, test_size):
    """Does a cheaper variant keep the article CNN's accuracy (loses less than one point)?

    Chapter 5.1, one training run of each model: the interval of the difference holds the
    test-set sampling error of both accuracies (normal approximation, 95 %), not the spread
    between training runs. Returns a :func:`bigmodel_utils.statistics.judge` dict with
    ``capacity_<lang>`` words.
    """
    checks.probability(accuracy_base, "accuracy_base")
    checks.probability(accuracy_variant, "accuracy_variant")
    checks.positive_int(test_size, "test_size")
    difference = float(accuracy_variant) - float(accuracy_base)
    standard_error = math.hypot(
        stats.accuracy_standard_error(accuracy_base, test_size),
        stats.accuracy_standard_error(accuracy_variant, test_size),
    )
    half = float(_norm.ppf(0.5 + stats.CONFIDENCE / 2)) * standard_error
    judged = stats.judge(
        (difference - half, difference + half),
        -ACCURACY_TOLERANCE,
        "above",
        effect=difference,
        unit="points",
        scale=100,
    )
    return stats.add_words(judged, _CAPACITY, "capacity")


def check_capacity_judgement(judged):
    """Raise AssertionError when the capacity words disagree with the interval (the gate cell)."""
    checks.mapping(judged, "judged", ("verdict",))
    stats.check_words(judged, _CAPACITY, "capacity")
