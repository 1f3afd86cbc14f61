"""Chapter 3.1: the convolutional network's layers as equations, in NumPy.

``dense`` is y = f(Wx + b), ``conv2d`` the same with one small W shared by every window of the
image, ``max_pool2d`` the largest value of each window. They are references: slow-ish, plain and
checked against the Keras layers in ``tests/test_cnn.py``; :func:`bigmodel_utils.cnn.numpy_forward`
runs a whole trained CNN through them. Images are NHWC, ``(batch, height, width, channels)``, as
Keras stores them. NumPy only.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from bigmodel_utils import checks

PADDINGS = ("valid", "same")


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
    """Pixels ``(before, after)`` that Keras' ``'same'`` padding adds to one axis (chapter 3.1).

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
