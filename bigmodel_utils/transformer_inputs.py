"""Chapter 3.3: what a Transformer reads -- positions and patches, in NumPy.

* ``positional_encoding`` -- the sinusoids of Vaswani et al. (2017), added to the embeddings so
  that attention, which ignores order, can tell positions apart
* ``patchify`` / ``unpatchify`` -- a ViT's "words": an image cut into flattened square patches
  (Dosovitskiy et al. 2021), and back

The attention equations these inputs feed are in :mod:`bigmodel_utils.transformer`.
"""

import numpy as np

from bigmodel_utils import checks


def _array(value, name, ndims):
    """``value`` as a float array whose rank is one of ``ndims``, else an error naming it."""
    array = checks.array(value, name, tuple(ndims))
    return array.astype(np.result_type(array.dtype, np.float32))


def positional_encoding(length, d_model):
    """Sinusoidal positional encoding, one row per position.

    Equation (Vaswani et al. 2017, chapter 3.3): PE[pos, 2i] = sin(pos / 10000^(2i/d_model)),
    PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model)).

    Returns:
        float32 ``(length, d_model)``.

    Raises:
        ValueError: if ``length`` or ``d_model`` is not a positive int.
    """
    checks.positive_int(length, "length")
    checks.positive_int(d_model, "d_model")
    positions = np.arange(length)[:, None]  # (length, 1)
    even = np.arange(0, d_model, 2)[None, :]  # (1, ceil(d_model / 2)): the 2i of the formula
    angles = positions / np.power(10000.0, even / d_model)  # (length, ceil(d_model / 2))
    encoding = np.zeros((length, d_model))
    encoding[:, 0::2] = np.sin(angles)
    encoding[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return encoding.astype(np.float32)


def patchify(images, patch_size):
    """Cut images into non-overlapping square patches, each flattened: the ViT's "words".

    Chapter 3.3 (Dosovitskiy et al. 2021): a 28x28 digit with ``patch_size=4`` becomes a
    sequence of 49 vectors of 16 pixels, in reading order (row by row).

    Args:
        images: ``(batch, height, width, channels)``.
        patch_size: side of a patch; must divide ``height`` and ``width``.

    Returns:
        ``(batch, (height / p) * (width / p), p * p * channels)``.

    Raises:
        ValueError: a rank other than 4 or a ``patch_size`` that does not divide the image.
    """
    images = _array(images, "images", (4,))
    batch_size, height, width, channels = images.shape
    p = checks.positive_int(patch_size, "patch_size")
    if height % p or width % p:
        raise ValueError(
            f"patch_size must be a positive int dividing {height}x{width}, got {patch_size!r}"
        )
    grid = images.reshape(
        batch_size, height // p, p, width // p, p, channels
    )  # (batch, rows, p, cols, p, C)
    grid = grid.transpose(0, 1, 3, 2, 4, 5)  # (batch, rows, cols, p, p, C)
    return grid.reshape(
        batch_size, (height // p) * (width // p), p * p * channels
    )  # (batch, patches, p*p*C)


def unpatchify(patches, image_shape):
    """Inverse of :func:`patchify`: ``(batch, patches, p*p*C)`` -> ``(batch, H, W, C)``.

    Raises:
        ValueError: if the patches cannot tile an image of ``image_shape = (H, W, C)``.
    """
    image_shape = checks.int_tuple(image_shape, "image_shape", length=3)
    patches = _array(patches, "patches", (3,))
    height, width, channels = image_shape
    batch_size, count, size = patches.shape
    p = int(round(np.sqrt(size / channels)))
    if p * p * channels != size or height % p or width % p or count != (height // p) * (width // p):
        raise ValueError(
            f"patches of shape {patches.shape} do not tile an image of shape {image_shape}"
        )
    grid = patches.reshape(
        batch_size, height // p, width // p, p, p, channels
    )  # (batch, rows, cols, p, p, C)
    grid = grid.transpose(0, 1, 3, 2, 4, 5)  # (batch, rows, p, cols, p, C)
    return grid.reshape(batch_size, height, width, channels)  # (batch, H, W, C)
