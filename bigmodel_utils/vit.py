"""Chapter 3.3: a tiny Vision Transformer -- patches, encoder blocks, where the class token looks.

Built from the layers of :mod:`bigmodel_utils.transformer_layers` (the encoder block shared
with the character model of chapter 3.4) and a patch embedding after Dosovitskiy et al. (2021).
"""

import keras
import numpy as np
from keras import layers, ops

from bigmodel_utils import checks, profile, transformer_inputs
from bigmodel_utils.transformer_layers import EncoderBlock, PositionalEmbedding

_PACKAGE = "bigmodel_utils"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PatchEmbedding(layers.Layer):
    """Image -> sequence: patches, a linear map to ``d_model``, a class token, learned positions.

    Chapter 3.3, after Dosovitskiy et al. (2021): ``(batch, H, W, C)`` ->
    ``(batch, 1 + (H/p)(W/p), d_model)``; token 0 is the class token the classifier reads.
    """

    def __init__(self, patch_size, d_model, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int(patch_size, "patch_size")
        checks.positive_int(d_model, "d_model")
        self.patch_size, self.d_model = patch_size, d_model

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"images must be (batch, height, width, channels), got shape {input_shape}"
            )
        _, height, width, channels = input_shape
        p = self.patch_size
        if height % p or width % p:
            raise ValueError(f"patch_size={p} must divide the image size {height}x{width}")
        self.grid = (height // p, width // p)
        self.channels = channels
        num_patches = self.grid[0] * self.grid[1]
        self.projection = layers.Dense(self.d_model, name="projection")
        self.projection.build((None, num_patches, p * p * channels))
        self.class_token = self.add_weight(
            shape=(1, 1, self.d_model), initializer="zeros", name="class_token"
        )
        self.position = PositionalEmbedding(num_patches + 1, self.d_model, name="position")
        self.position.build((None, num_patches + 1, self.d_model))

    def patches(self, images):
        """The same cut as :func:`bigmodel_utils.transformer_inputs.patchify`, in Keras ops."""
        (rows, cols), p, channels = self.grid, self.patch_size, self.channels
        x = ops.reshape(images, (-1, rows, p, cols, p, channels))  # (batch, rows, p, cols, p, C)
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))  # (batch, rows, cols, p, p, C)
        return ops.reshape(x, (-1, rows * cols, p * p * channels))  # (batch, patches, p*p*C)

    def call(self, images):
        tokens = self.projection(self.patches(images))  # (batch, patches, d_model)
        batch_size = ops.shape(tokens)[0]
        cls = ops.broadcast_to(
            self.class_token, (batch_size, 1, self.d_model)
        )  # (batch, 1, d_model)
        return self.position(
            ops.concatenate([cls, tokens], axis=1)
        )  # (batch, 1 + patches, d_model)

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size, "d_model": self.d_model}


def tiny_vit_config():
    """The tiny ViT's settings in the active profile, shared by every chapter that builds it.

    Quick: 7x7 patches (16 tokens + class token), 2 blocks; full: 4x4 patches (49 + 1), 4 blocks.
    """
    return profile.choose(
        quick=dict(patch_size=7, d_model=64, num_heads=4, num_layers=2, mlp_dim=128),
        full=dict(patch_size=4, d_model=64, num_heads=4, num_layers=4, mlp_dim=128),
    )


def build_tiny_vit(
    image_shape=(28, 28, 1),
    patch_size=4,
    d_model=64,
    num_heads=4,
    num_layers=2,
    mlp_dim=128,
    num_classes=10,
    dropout=0.0,
):
    """A tiny ViT: patches -> ``num_layers`` encoder blocks -> class token -> softmax.

    Chapter 3.3 (Dosovitskiy et al. 2021), shrunk for MNIST. Uncompiled; outputs probabilities.

    Raises:
        ValueError: through the layers, for a ``patch_size`` that does not divide the image
            or ``d_model % num_heads != 0``.
    """
    checks.int_tuple(image_shape, "image_shape", length=3)
    for name in ("patch_size", "d_model", "num_heads", "mlp_dim", "num_classes"):
        checks.positive_int(locals()[name], name)
    checks.finite_float(dropout, "dropout", low=0.0, high=1.0, high_open=True)
    checks.positive_int(num_layers, "num_layers")
    inputs = keras.Input(shape=image_shape, name="images")
    x = PatchEmbedding(patch_size, d_model, name="patch_embedding")(inputs)
    for index in range(num_layers):
        x = EncoderBlock(d_model, num_heads, mlp_dim, dropout, name=f"encoder_block_{index}")(x)
    x = layers.LayerNormalization(epsilon=1e-6, name="final_norm")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classifier")(
        x[:, 0]
    )  # the class token
    return keras.Model(inputs, outputs, name="tiny_vit")


def vit_attention_maps(model, images):
    """Attention weights of every block of a :func:`build_tiny_vit` model on ``images``.

    Returns:
        float32 ``(num_layers, batch, heads, tokens, tokens)``; token 0 is the class token.
    """
    checks.keras_model(model, "model")
    images = checks.array(images, "images", 4).astype(np.float32)
    checks.shape(images, "images", (None, *model.input_shape[1:]))  # else patches scramble images
    x = model.get_layer("patch_embedding")(images)
    maps = []
    for layer in model.layers:
        if isinstance(layer, EncoderBlock):
            x, weights = layer(x, return_attention_scores=True)
            maps.append(ops.convert_to_numpy(weights))
    return np.stack(maps).astype(np.float32)


def class_token_attention(maps, grid):
    """How much the class token attends to each patch, as an image-shaped grid.

    Args:
        maps: ``(num_layers, batch, heads, tokens, tokens)`` attention weights (each row in
            [0, 1], summing to 1), as :func:`vit_attention_maps` returns them.
        grid: ``(rows, cols)`` of patches, ``rows * cols == tokens - 1``.

    Returns:
        ``(num_layers, batch, heads, rows, cols)``: row 0 of each map without the class token's
        own weight.
    """
    maps = checks.array(maps, "maps", tuple(range(2, 8)))
    rows, cols = grid = checks.int_tuple(grid, "grid", length=2)
    if maps.shape[-1] != rows * cols + 1:
        raise ValueError(
            f"grid {grid} needs {rows * cols + 1} tokens, the maps have {maps.shape[-1]}"
        )
    checks.shape(maps, "maps", (None, None, None, rows * cols + 1, rows * cols + 1))
    if maps.min() < 0 or maps.max() > 1 or not np.allclose(maps.sum(axis=-1), 1, atol=1e-3):
        raise ValueError("maps must hold attention weights: rows in [0, 1] that sum to 1")
    return maps[..., 0, 1:].reshape(*maps.shape[:-2], rows, cols)  # (layers, batch, heads, r, c)


def class_token_ink_share(model, images, patch_size, ink_threshold=0.1):
    """Per block, the share of the class token's patch attention (mean over heads) on inked patches.

    Chapter 3.3, "Where does the class token look?", built on :func:`vit_attention_maps`.

    Args:
        model: a :func:`build_tiny_vit` model cut into ``patch_size`` patches.
        images: ``(batch, height, width, channels)``, e.g. MNIST's ``(N, 28, 28, 1)`` in [0, 1].
        patch_size: the model's patch side; must divide the image (28 for MNIST).
        ink_threshold: a patch whose mean pixel is above this counts as inked.

    Returns:
        ``(share_per_block (blocks,), ink_fraction)``, each in [0, 1]; ``ink_fraction`` (inked
        patches
        over all patches) is the share attention would give them if it ignored the content.

    Raises:
        ValueError: ``images`` not of rank 4, or a ``patch_size`` that does not divide the image
            (via :func:`bigmodel_utils.transformer_inputs.patchify`) or differs from the model's.
    """
    checks.keras_model(model, "model")
    images = checks.array(images, "images", 4)
    checks.positive_int(patch_size, "patch_size")
    checks.finite_float(ink_threshold, "ink_threshold")
    images = np.asarray(images)
    ink = (
        transformer_inputs.patchify(images, patch_size).mean(axis=-1) > ink_threshold
    )  # (N, patches)
    if patch_size != (model_patch := model.get_layer("patch_embedding").patch_size):
        raise ValueError(f"patch_size={patch_size} differs from the model's {model_patch}")
    grid = (images.shape[1] // patch_size, images.shape[2] // patch_size)
    looks = class_token_attention(vit_attention_maps(model, images), grid).mean(
        axis=2
    )  # (blocks, N, rows, cols)
    looks = looks.reshape(*looks.shape[:2], -1)  # (blocks, N, patches)
    share = ((looks * ink).sum(axis=-1) / looks.sum(axis=-1)).mean(axis=1)  # (blocks,)
    return share, ink.mean()


def compare_to_share(share, reference, tolerance=0.1):
    """``"more than"``, ``"less than"`` or ``"about"``: ``share`` against ``reference``.

    Within ``tolerance`` of ``reference`` (a fraction of it) counts as ``"about"``.

    Chapter 3.3: the verdict on a block's attention to ink against the inked fraction of patches.
    """
    checks.probability(share, "share")
    checks.probability(reference, "reference")
    checks.non_negative_float(tolerance, "tolerance")
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
    if share > (1 + tolerance) * reference:
        return "more than"
    return "less than" if share < (1 - tolerance) * reference else "about"
