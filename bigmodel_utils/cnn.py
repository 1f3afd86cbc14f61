"""Chapter 3.1 and 4: the convolutional network, from y = f(Wx + b) to the article's Keras CNN.

The NumPy functions here (``dense``, ``conv2d``, ``max_pool2d``) are references:
slow-ish, plain and checked against the Keras layers in ``tests/test_cnn.py``.
Images are NHWC, ``(batch, height, width, channels)``, as Keras stores them.
"""

import keras
import numpy as np
from keras import layers
from numpy.lib.stride_tricks import sliding_window_view

from bigmodel_utils import checks

PADDINGS = ("valid", "same")
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


# ---- the activation f ---------------------------------------------------------


def _softmax(z):
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))  # subtracting the row max avoids overflow
    return shifted / shifted.sum(axis=-1, keepdims=True)


ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "softmax": _softmax,
}


def get_activation(f):
    """The activation function ``f`` of y = f(Wx + b), from its name or as given.

    Equation y = f(Wx + b) of chapter 3.1 (also h_t = f(...) of chapter 3.2).

    Args:
        f: one of ``'linear'``, ``'relu'``, ``'tanh'``, ``'sigmoid'``, ``'softmax'``
            (softmax over the last axis), ``None`` (linear) or any callable.

    Returns:
        A function of a NumPy array.

    Raises:
        ValueError: an unknown name.  TypeError: neither a name nor a callable.
    """
    if f is None:
        return ACTIVATIONS["linear"]
    if callable(f):
        return f
    if not isinstance(f, str):
        raise TypeError(f"f must be an activation name or a callable, got {type(f).__name__}")
    if f not in ACTIVATIONS:
        raise ValueError(f"f must be one of {sorted(ACTIVATIONS)} or a callable, got {f!r}")
    return ACTIVATIONS[f]


# ---- the three layers, in NumPy -----------------------------------------------


def dense(x, W, b, f="linear"):
    """A fully connected layer, y = f(Wx + b), for a batch of row vectors.

    Equation y = f(Wx + b) of the article's section 3.1 (chapter 3.1). The text
    writes W as (out, in) acting on a column x; Keras stores the kernel W as
    ``(in, out)`` and puts the batch first, so the same layer reads y = f(x @ W + b).

    Args:
        x: inputs ``(batch, in)``.
        W: the Keras-layout kernel ``(in, out)``.
        b: the bias ``(out,)``.
        f: activation name or callable (see :func:`get_activation`).

    Returns:
        y of shape ``(batch, out)``.

    Raises:
        ValueError: wrong ranks or mismatched sizes (the message names the argument).
    """
    x, W, b = checks.array(x, "x", 2), checks.array(W, "W", 2), checks.array(b, "b", 1)
    f = get_activation(f)
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"x has {x.shape[1]} features but W expects {W.shape[0]} (W is (in, out))")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},) to match W, got {b.shape}")
    return f(x @ W + b)  # (batch, in) @ (in, out) -> (batch, out)


def same_padding(size, kernel, stride):
    """Pixels ``(before, after)`` that Keras' ``'same'`` padding adds to one axis.

    The output has ceil(size / stride) positions; an odd total puts the extra pixel after.
    """
    size, kernel = checks.positive_int(size, "size"), checks.positive_int(kernel, "kernel")
    stride = checks.positive_int(stride, "stride")
    out = -(-size // stride)  # ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def extract_windows(x, window, stride=1, padding="valid", fill=0.0):
    """Every ``window``-sized patch of the NHWC batch ``x``, as a strided view (a copy if padded).

    The windows that the convolution and pooling equations of chapter 3.1 slide over.

    Args:
        x: images ``(batch, height, width, channels)``.
        window: ``(k_h, k_w)`` or an int; stride: an int or a pair.
        padding: ``'valid'`` or ``'same'``; fill: the value of padded pixels.

    Returns:
        ``(batch, out_h, out_w, channels, k_h, k_w)``.

    Raises:
        ValueError: a window larger than the (padded) image.
    """
    x, window, stride = (
        checks.array(x, "x", 4),
        checks.pair(window, "window"),
        checks.pair(stride, "stride"),
    )
    checks.one_of(padding, "padding", PADDINGS)
    if not (isinstance(fill, float) and fill == -np.inf):  # -inf: pooling's padding never wins
        checks.finite_float(fill, "fill")
    if padding == "same":
        (top, bottom), (left, right) = (
            same_padding(x.shape[i + 1], window[i], stride[i]) for i in (0, 1)
        )
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    if x.shape[1] < window[0] or x.shape[2] < window[1]:
        raise ValueError(f"x of height x width {x.shape[1:3]} is smaller than the {window} window")
    windows = sliding_window_view(
        x, window, axis=(1, 2)
    )  # (batch, H-k_h+1, W-k_w+1, channels, k_h, k_w)
    return windows[:, :: stride[0], :: stride[1]]  # (batch, out_h, out_w, channels, k_h, k_w)


def conv2d(x, W, b, stride=1, padding="valid", f="linear"):
    """A 2-D convolution (Keras' cross-correlation), y = f(W * x + b), NHWC.

    Equation y = f(Wx + b) of chapter 3.1 with one small W shared by every window of x.

    Args:
        x: images ``(batch, height, width, in_channels)``.
        W: kernel ``(k_h, k_w, in_channels, out_channels)`` (the Keras layout).
        b: bias ``(out_channels,)``.
        stride: an int or a pair ``(s_h, s_w)``.
        padding: ``'valid'`` (no padding) or ``'same'`` (Keras' padding: ceil(size / stride) out).
        f: activation name or callable.

    Returns:
        Feature maps ``(batch, out_h, out_w, out_channels)``.

    Raises:
        ValueError: wrong ranks, mismatched channels or bias, a bad stride or padding.
    """
    x, W, b = checks.array(x, "x", 4), checks.array(W, "W", 4), checks.array(b, "b", 1)
    checks.pair(stride, "stride")
    checks.one_of(padding, "padding", PADDINGS)
    f = get_activation(f)
    if W.shape[2] != x.shape[3]:
        raise ValueError(f"W expects {W.shape[2]} input channels but x has {x.shape[3]}")
    if b.shape != (W.shape[3],):
        raise ValueError(f"b must have shape ({W.shape[3]},) to match W, got {b.shape}")
    windows = extract_windows(
        x, W.shape[:2], stride, padding, fill=0
    )  # (batch, out_h, out_w, in, k_h, k_w)
    z = np.einsum("nhwcij,ijco->nhwo", windows, W, optimize=True) + b  # (batch, out_h, out_w, out)
    return f(z)


def max_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """Max pooling: the largest value of each window, channel by channel, NHWC.

    The pooling step of chapter 3.1 (it shrinks the feature maps; it has no weights).

    Args:
        x: feature maps ``(batch, height, width, channels)``.
        pool_size: an int or a pair, the window.
        stride: an int or a pair; None means ``pool_size`` (as in Keras).
        padding: ``'valid'`` or ``'same'`` (padded pixels never win).

    Returns:
        ``(batch, out_h, out_w, channels)``.

    Raises:
        ValueError: wrong rank, a bad window, stride or padding.
    """
    x = checks.array(x, "x", 4)
    pool_size = checks.pair(pool_size, "pool_size")
    stride = pool_size if stride is None else checks.pair(stride, "stride")
    checks.one_of(padding, "padding", PADDINGS)
    windows = extract_windows(
        x.astype(np.result_type(x, np.float32)), pool_size, stride, padding, -np.inf
    )
    return windows.max(axis=(-2, -1))  # (batch, out_h, out_w, channels)


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
