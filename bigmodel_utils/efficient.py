"""Chapter 5.1: more efficient algorithms -- separable convolutions and mixed precision.

Two ways to make the article's CNN cheaper to compute, each measured rather than assumed:
depthwise-separable convolutions (fewer FLOPs and weights) and mixed precision (float16
arithmetic, float32 weights), with one training recipe for every variant. The third
technique of the chapter, int8 quantization, and the measurements live in ``deployment``.
"""

import contextlib
import statistics

import keras
import numpy as np
from keras import layers

from bigmodel_utils import checks, cnn, profile, size

CONV_KINDS = ("standard", "separable")
DOWNSAMPLINGS = ("pool", "stride")


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

    Equations (depthwise) and (pointwise) of chapter 5.1; ``W_pointwise`` is ``(1, 1, in, out)``.
    """
    z = np.maximum(depthwise_conv2d(x, W_depthwise, b_depthwise, stride, padding), 0)
    return cnn.conv2d(z, W_pointwise, b_pointwise, f="relu")  # 1x1: mixes channels at each pixel


def separable_block(x, filters, kernel_size=3, strides=1, padding="valid", name=None):
    """The depthwise-separable block as Keras layers, applied to tensor ``x``.

    DepthwiseConv2D(k x k) -> ReLU -> Conv2D(1 x 1, filters) -> ReLU: the MobileNet block
    without batch normalisation (chapter 5.1).
    """
    prefix = f"{name}_" if name else ""
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding=padding,
        activation="relu",
        name=f"{prefix}depthwise" if name else None,
    )(x)
    return layers.Conv2D(
        filters, 1, activation="relu", name=f"{prefix}pointwise" if name else None
    )(x)


def separable_block_params(kernel_size, in_channels, filters):
    """Parameters of :func:`separable_block`: k²·C_in + C_in (depthwise) + C_in·C_out + C_out."""
    return size.depthwise_conv2d_params(kernel_size, in_channels) + size.conv2d_params(
        1, in_channels, filters
    )


def separable_cost_ratio(kernel_size, filters):
    """Multiply-adds of a separable over a standard k x k convolution: 1/C_out + 1/k².

    Equation (cost ratio) of chapter 5.1 (Howard et al., 2017); it does not depend on C_in.
    """
    if kernel_size < 1 or filters < 1:
        raise ValueError(f"kernel_size and filters must be >= 1, got {kernel_size} and {filters}")
    return 1 / filters + 1 / kernel_size**2


def build_cnn(conv="standard", downsample="pool", input_shape=(28, 28, 1), num_classes=10):
    """The article's CNN (``standard``, ``pool``) or its separable / strided variants.

    Same widths (32, 64, 64) and dense head. ``conv="separable"`` replaces the 2nd and 3rd
    convolutions by :func:`separable_block` (the 1-channel first layer stays standard, as in
    MobileNet); ``downsample="stride"`` replaces each max-pool by a stride of 2. The output
    softmax is always float32, so the model also trains under mixed precision.

    Raises:
        ValueError: for an unknown ``conv`` or ``downsample``.
    """
    if conv not in CONV_KINDS:
        raise ValueError(f"conv must be one of {CONV_KINDS}, got {conv!r}")
    if downsample not in DOWNSAMPLINGS:
        raise ValueError(f"downsample must be one of {DOWNSAMPLINGS}, got {downsample!r}")
    stride = 2 if downsample == "stride" else 1
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(32, 3, strides=stride, activation="relu")(inputs)
    for filters, step in ((64, stride), (64, 1)):
        if downsample == "pool":
            x = layers.MaxPooling2D(2)(x)
        if conv == "separable":
            x = separable_block(x, filters, strides=step)
        else:
            x = layers.Conv2D(filters, 3, strides=step, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(layers.Flatten()(x))
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=f"{conv}_{downsample}_cnn")


def conv_stack_flops(model):
    """Forward FLOPs per sample of the layers before ``Flatten`` (the convolutional stack)."""
    total = 0
    for row in size.forward_flops(model, warn=False).rows:
        if row["kind"] == "Flatten":
            return total
        total += row["flops"]
    raise ValueError("model has no Flatten layer: cannot tell where the convolutional stack ends")


# ---- mixed precision ------------------------------------------------------------------------


@contextlib.contextmanager
def mixed_precision(policy="mixed_float16"):
    """Build models inside ``with mixed_precision():`` to get float16 compute, float32 weights.

    Sets Keras' global dtype policy and always restores the previous one, even on error
    (chapter 5.1; Micikevicius et al., 2018). Models keep the policy they were built with.

    Raises:
        ValueError: if ``policy`` is not a Keras dtype policy name.
    """
    if policy not in ("float32", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16"):
        raise ValueError(
            f"policy must be a Keras dtype policy such as 'mixed_float16', got {policy!r}"
        )
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield keras.mixed_precision.global_policy()
    finally:
        keras.mixed_precision.set_global_policy(previous)


# ---- one training recipe for every variant ---------------------------------------------------


def train(model, x, y, epochs, batch_size=64, learning_rate=2e-3, steps_per_epoch=None):
    """Compile (Adam, sparse cross-entropy) and fit ``model``; return the median seconds per epoch.

    The same recipe for every variant in chapter 5.1, so their accuracies and times compare.
    With ``steps_per_epoch``, each epoch is that many batches and its time is scaled up to one
    full pass over ``x`` (a cheap way to time a slow model).
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=min(8, steps_per_epoch or 8),
    )
    timer = profile.EpochTimer()
    model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        steps_per_epoch=steps_per_epoch,
        verbose=0,
        callbacks=[timer],
    )
    full_pass = -(-len(x) // batch_size)  # batches in one epoch
    return statistics.median(timer.seconds) * full_pass / (steps_per_epoch or full_pass)


def train_variants(x, y, epochs, mixed_from_scratch=True):
    """The four Keras models of chapter 5.1, trained with one recipe.

    The article CNN, its separable and separable + strided versions, and the article CNN under
    mixed precision. On a CPU, ``mixed_from_scratch=False`` saves time: the mixed model starts
    from the float32 weights and is fine-tuned and timed on 3 x 8 batches only.
    Returns ``(models, seconds_per_epoch, mixed_recipe)``, the last a sentence saying how the
    mixed-precision model was trained.
    """
    models = {
        "article CNN": cnn.build_article_cnn(),
        "separable": build_cnn("separable"),
        "separable + stride": build_cnn("separable", "stride"),
    }
    seconds = {name: train(model, x, y, epochs=epochs) for name, model in models.items()}
    with mixed_precision():
        models["mixed float16"] = build_cnn()
    if mixed_from_scratch:
        recipe = f"trained from scratch with the same recipe ({epochs} epochs)"
        seconds["mixed float16"] = train(models["mixed float16"], x, y, epochs=epochs)
    else:
        recipe = (
            "started from the trained float32 weights and fine-tuned for 3 x 8 batches at a tenth of "
            "the learning rate; its time per epoch is scaled up from those batches"
        )
        models["mixed float16"].set_weights(models["article CNN"].get_weights())
        seconds["mixed float16"] = train(
            models["mixed float16"], x, y, epochs=3, learning_rate=2e-4, steps_per_epoch=8
        )
    return models, seconds, recipe
