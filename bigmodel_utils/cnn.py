"""Chapters 3.1 and 4: the article's CNN in Keras, and a trained one seen through the equations.

:func:`build_article_cnn` builds the article's network (and every variant the book trains);
:func:`numpy_forward` runs a trained one through the NumPy equations of chapter 3.1, which live
in :mod:`bigmodel_utils.cnn_equations` (``dense``, ``conv2d``, ``max_pool2d``) and are re-exported
here, so a chapter reads them all as ``cnn.<name>``. :func:`feature_maps` shows what the trained
filters respond to. Images are NHWC, ``(batch, height, width, channels)``, as Keras stores them.
"""

import keras
import numpy as np
from keras import layers

from bigmodel_utils import checks
from bigmodel_utils.cnn_equations import (  # noqa: F401 (re-exported: the chapters read them here)
    PADDINGS,
    conv2d,
    dense,
    extract_windows,
    get_activation,
    max_pool2d,
    same_padding,
)

ARTICLE_CHANNELS = (32, 64, 64, 64)  # the three convolutions and the hidden dense layer
DOWNSAMPLINGS = ("pool", "stride")


def build_article_cnn(
    input_shape=(28, 28, 1),
    num_classes=10,
    channels=ARTICLE_CHANNELS,
    extra_layers=0,
    downsample="pool",
    later_conv=None,
    name="article_cnn",
):
    """The CNN of the article's section 4, layer for layer, as a Keras ``Sequential`` model.

    Conv(32, 3x3) -> MaxPool(2) -> Conv(64, 3x3) -> MaxPool(2) -> Conv(64, 3x3)
    -> Flatten -> Dense(64) -> Dense(10, softmax): 93,322 parameters on 28x28x1 input.
    The only change from the article: ``keras.Input`` replaces the deprecated
    ``input_shape=`` argument of the first layer (same model, no warning). The softmax
    computes in float32 (a no-op unless the model is built under mixed precision).

    The book's other CNNs are this one with a switch turned (defaults: the article's model):
    ``channels`` (chapter 2's width sweep), ``extra_layers`` 3x3 'same' convolutions before
    Flatten (deeper), ``downsample="stride"`` (each max-pool replaced by a stride of 2 in the
    convolution before it) and ``later_conv(filters, strides=...)`` -> a list of layers standing
    in for the 2nd and 3rd convolutions (chapter 5.1's separable block).
    """
    input_shape = checks.int_tuple(input_shape, "input_shape", length=3)
    checks.positive_int(num_classes, "num_classes")
    first, second, third, units = checks.int_tuple(channels, "channels", length=4)
    checks.non_negative_int(extra_layers, "extra_layers")
    checks.one_of(downsample, "downsample", DOWNSAMPLINGS)
    if later_conv is not None:
        checks.function(later_conv, "later_conv")
    stride = 2 if downsample == "stride" else 1
    stack = [
        keras.Input(shape=input_shape),
        layers.Conv2D(first, (3, 3), strides=stride, activation="relu"),
    ]
    for filters, strides in ((second, stride), (third, 1)):
        if downsample == "pool":
            stack.append(layers.MaxPooling2D((2, 2)))
        if later_conv is None:
            stack.append(layers.Conv2D(filters, (3, 3), strides=strides, activation="relu"))
        else:
            stack += later_conv(filters, strides=strides)
    stack += [
        layers.Conv2D(third, 3, padding="same", activation="relu") for _ in range(extra_layers)
    ]
    stack += [
        layers.Flatten(),
        layers.Dense(units, activation="relu"),
        layers.Dense(num_classes, activation="softmax", dtype="float32"),
    ]
    return keras.Sequential(stack, name=name)


# ---- a trained Keras model, seen through the NumPy functions ---------------------


def numpy_forward(model, x):
    """Run a ``Sequential`` of Conv2D, MaxPooling2D, Flatten and Dense with the NumPy functions.

    Chapter 3.1: the whole trained CNN rebuilt from ``conv2d``, ``max_pool2d`` and ``dense``.

    Raises:
        TypeError: a layer of another kind (the message names it).
    """
    checks.keras_model(model, "model")
    out = checks.array(x, "x", (2, 4)).astype(np.float32)
    for layer in model.layers:
        config = layer.get_config()
        if (
            isinstance(layer, layers.Conv2D)
            and config["dilation_rate"] in ((1, 1), 1)
            and config["groups"] == 1
        ):
            W, b = layer.get_weights()
            out = conv2d(out, W, b, config["strides"], config["padding"], config["activation"])
        elif isinstance(layer, layers.MaxPooling2D):
            out = max_pool2d(out, config["pool_size"], config["strides"], config["padding"])
        elif isinstance(layer, layers.Flatten):
            out = out.reshape(
                len(out), -1
            )  # (batch, height * width * channels), row-major as Keras
        elif isinstance(layer, layers.Dense):
            W, b = layer.get_weights()
            out = dense(out, W, b, config["activation"])
        else:
            raise TypeError(
                f"model has layer {layer.name!r} of type {type(layer).__name__}, not supported"
            )
    return out


def feature_maps(model, images, layer_names=None):
    """The activations of a model's convolution layers for some images.

    Chapter 3.1: what the trained filters respond to. Builds a Keras sub-model
    with the same weights whose outputs are the chosen layers' outputs.

    Args:
        model: a built Keras model (``Sequential`` or functional).
        images: ``(batch, height, width, channels)``.
        layer_names: names of the layers to read; None means every ``Conv2D`` layer.

    Returns:
        A dict ``{layer name: array (batch, out_h, out_w, channels)}`` in layer order.

    Raises:
        ValueError: an unknown layer name, or a model without convolution layers.
    """
    checks.keras_model(model, "model")
    images = checks.array(images, "images", 4)
    if layer_names is not None:
        checks.non_empty(layer_names, "layer_names")
        [checks.string(name, "layer_names[i]") for name in layer_names]
    if layer_names is None:
        layer_names = [layer.name for layer in model.layers if isinstance(layer, layers.Conv2D)]
        if not layer_names:
            raise ValueError(f"model {model.name!r} has no Conv2D layers; pass layer_names")
    known = [layer.name for layer in model.layers]
    for name in layer_names:
        if name not in known:
            raise ValueError(
                f"layer_names: no layer {name!r} in model {model.name!r} (layers: {known})"
            )
    probe = keras.Model(
        inputs=model.inputs, outputs=[model.get_layer(name).output for name in layer_names]
    )
    outputs = probe.predict(np.asarray(images, dtype=np.float32), verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return {name: np.asarray(output) for name, output in zip(layer_names, outputs)}
