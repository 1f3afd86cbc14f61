"""Chapter 3.3: the Transformer as Keras layers -- embeddings, the encoder block, a tiny ViT.

The attention inside is ``keras.layers.MultiHeadAttention``, which chapter 3.3 proves
equal to :func:`bigmodel_utils.transformer.multi_head_attention` on copied weights.
The same :class:`EncoderBlock` (with ``causal=True``) drives the character language
model of :mod:`bigmodel_utils.language_model`.
"""

import keras
import numpy as np
from keras import layers, ops

from bigmodel_utils import checks, profile, transformer

_PACKAGE = "bigmodel_utils"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PositionalEmbedding(layers.Layer):
    """Add one vector per position to a sequence ``(batch, seq, d_model)``, seq <= ``length``.

    ``learned=True`` (ViT, GPT): the vectors are trained weights. ``learned=False``: the fixed
    sinusoids of :func:`bigmodel_utils.transformer.positional_encoding` (Vaswani et al. 2017).
    """

    def __init__(self, length, d_model, learned=True, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int(length, "length")
        checks.positive_int(d_model, "d_model")
        self.length, self.d_model, self.learned = length, d_model, learned

    def build(self, input_shape):
        if input_shape[-1] != self.d_model:
            raise ValueError(f"inputs must end in d_model={self.d_model}, got shape {input_shape}")
        if self.learned:
            initializer = keras.initializers.RandomNormal(stddev=0.02)
        else:
            initializer = keras.initializers.Constant(
                transformer.positional_encoding(self.length, self.d_model)
            )
        self.positions = self.add_weight(
            shape=(self.length, self.d_model),
            initializer=initializer,
            trainable=self.learned,
            name="positions",
        )

    def call(self, inputs):
        seq_len = ops.shape(inputs)[1]
        return inputs + self.positions[None, :seq_len]  # (batch, seq, d_model)

    def get_config(self):
        return {
            **super().get_config(),
            "length": self.length,
            "d_model": self.d_model,
            "learned": self.learned,
        }


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
        """The same cut as :func:`bigmodel_utils.transformer.patchify`, in Keras ops."""
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


@keras.saving.register_keras_serializable(package=_PACKAGE)
class EncoderBlock(layers.Layer):
    """One pre-norm Transformer block: x + MHA(LN(x)), then x + FFN(LN(x)).

    Chapter 3.3: attention (Vaswani et al. 2017), residual connections (He et al. 2016) and
    layer normalization (Ba et al. 2016); the norm comes *before* each sub-layer (as in ViT
    and GPT-2), the original paper put it after. FFN = Dense(mlp_dim, GELU) -> Dense(d_model).
    ``causal=True`` adds :func:`bigmodel_utils.transformer.causal_mask` (a language model's block).

    Call: ``block(x)`` -> ``(batch, seq, d_model)``; ``block(x, return_attention_scores=True)``
    -> ``(outputs, weights (batch, heads, seq, seq))``.
    """

    def __init__(self, d_model, num_heads, mlp_dim, dropout=0.0, causal=False, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("d_model", d_model), ("num_heads", num_heads), ("mlp_dim", mlp_dim)):
            checks.positive_int(value, name)
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.d_model, self.num_heads, self.mlp_dim = d_model, num_heads, mlp_dim
        self.dropout, self.causal = dropout, causal
        self.norm1 = layers.LayerNormalization(epsilon=1e-6, name="norm1")
        self.attention = layers.MultiHeadAttention(
            num_heads, key_dim=d_model // num_heads, dropout=dropout, name="attention"
        )
        self.norm2 = layers.LayerNormalization(epsilon=1e-6, name="norm2")
        self.hidden = layers.Dense(mlp_dim, activation="gelu", name="mlp_hidden")
        self.out = layers.Dense(d_model, name="mlp_out")
        self.drop = layers.Dropout(dropout)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] != self.d_model:
            raise ValueError(
                f"inputs must be (batch, seq, {self.d_model}), got shape {input_shape}"
            )
        if self.causal and input_shape[1] is None:
            raise ValueError(
                "a causal EncoderBlock needs a fixed sequence length (keras.Input(shape=(seq, ...)))"
            )
        for norm in (self.norm1, self.norm2):
            norm.build(input_shape)
        self.attention.build(input_shape, input_shape)
        self.hidden.build(input_shape)
        self.out.build((*input_shape[:-1], self.mlp_dim))

    def call(self, x, training=None, return_attention_scores=False):
        mask = None
        if self.causal:  # (1, seq, seq): the same boolean mask for every sequence of the batch
            mask = ops.convert_to_tensor(transformer.causal_mask(x.shape[1])[None])
        y = self.norm1(x)
        attended = self.attention(
            y,
            y,
            attention_mask=mask,
            training=training,
            return_attention_scores=return_attention_scores,
        )
        attended, weights = attended if return_attention_scores else (attended, None)
        x = x + self.drop(attended, training=training)  # residual 1
        x = x + self.drop(self.out(self.hidden(self.norm2(x))), training=training)  # residual 2
        return (x, weights) if return_attention_scores else x

    def get_config(self):
        return {
            **super().get_config(),
            "d_model": self.d_model,
            "num_heads": self.num_heads,
            "mlp_dim": self.mlp_dim,
            "dropout": self.dropout,
            "causal": self.causal,
        }


def encoder_block_weights(block):
    """The weights of an :class:`EncoderBlock` as the named matrices of ``transformer.encoder_block``.

    Undoes Keras' head axis: query/key/value kernels ``(d_model, heads, d_k)`` -> ``(d_model, d_model)``,
    biases ``(heads, d_k)`` -> ``(d_model,)``, output kernel ``(heads, d_k, d_model)`` -> ``(d_model, d_model)``.
    """
    if not block.built:
        raise ValueError("block must be built (call it once) before its weights can be read")
    d_model = block.d_model
    numpy = [ops.convert_to_numpy(w) for w in block.attention.weights]
    names = ("W_Q", "b_Q", "W_K", "b_K", "W_V", "b_V", "W_O", "b_O")
    weights = {
        name: w.reshape(d_model, d_model) if name.startswith("W") else w.reshape(d_model)
        for name, w in zip(names, numpy)
    }  # (d_model, d_model) and (d_model,)
    for suffix, norm in (("1", block.norm1), ("2", block.norm2)):
        weights[f"gamma_{suffix}"], weights[f"beta_{suffix}"] = (
            ops.convert_to_numpy(w) for w in norm.weights
        )
    weights["W_1"], weights["b_1"] = (ops.convert_to_numpy(w) for w in block.hidden.weights)
    weights["W_2"], weights["b_2"] = (ops.convert_to_numpy(w) for w in block.out.weights)
    return weights


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
    """A tiny Vision Transformer: patches -> ``num_layers`` encoder blocks -> class token -> softmax.

    Chapter 3.3 (Dosovitskiy et al. 2021), shrunk for MNIST. Uncompiled; outputs probabilities.

    Raises:
        ValueError: through the layers, for a ``patch_size`` that does not divide the image
            or ``d_model % num_heads != 0``.
    """
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
        maps: ``(..., tokens, tokens)`` attention weights, e.g. from :func:`vit_attention_maps`.
        grid: ``(rows, cols)`` of patches, ``rows * cols == tokens - 1``.

    Returns:
        ``(..., rows, cols)``: row 0 of each map without the class token's own weight.
    """
    maps = np.asarray(maps)
    rows, cols = grid
    if maps.shape[-1] != rows * cols + 1:
        raise ValueError(
            f"grid {grid} needs {rows * cols + 1} tokens, the maps have {maps.shape[-1]}"
        )
    return maps[..., 0, 1:].reshape(*maps.shape[:-2], rows, cols)  # (..., rows, cols)


def class_token_ink_share(model, images, patch_size, ink_threshold=0.1):
    """Per block, the share of the class token's patch attention (mean over heads) on inked patches.

    Chapter 3.3, "Where does the class token look?", built on :func:`vit_attention_maps`.

    Args:
        model: a :func:`build_tiny_vit` model cut into ``patch_size`` patches.
        images: ``(batch, height, width, channels)``, e.g. MNIST's ``(N, 28, 28, 1)`` in [0, 1].
        patch_size: the model's patch side; must divide the image (28 for MNIST).
        ink_threshold: a patch whose mean pixel is above this counts as inked.

    Returns:
        ``(share_per_block (blocks,), ink_fraction)``, each in [0, 1]; ``ink_fraction`` (inked patches
        over all patches) is the share attention would give them if it ignored the content.

    Raises:
        ValueError: ``images`` not of rank 4, or a ``patch_size`` that does not divide the image
            (via :func:`bigmodel_utils.transformer.patchify`) or differs from the model's.
    """
    images = np.asarray(images)
    ink = transformer.patchify(images, patch_size).mean(axis=-1) > ink_threshold  # (N, patches)
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
    """``"more than"``, ``"less than"`` or ``"about"``: ``share`` against ``reference`` +- ``tolerance`` of it.

    Chapter 3.3: the verdict on a block's attention to ink against the inked fraction of patches.
    """
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
    if share > (1 + tolerance) * reference:
        return "more than"
    return "less than" if share < (1 - tolerance) * reference else "about"


def warmup_cosine_adam(learning_rate, total_steps, warmup_fraction=0.1):
    """Adam whose step size rises linearly to ``learning_rate``, then follows a cosine to zero.

    The usual schedule for Transformers (Vaswani et al. 2017 warm up, too): early steps with
    random attention are noisy, so they are kept small.
    """
    checks.positive_int(total_steps, "total_steps")
    if not 0.0 <= warmup_fraction < 1.0:
        raise ValueError(f"warmup_fraction must be in [0, 1), got {warmup_fraction!r}")
    warmup_steps = int(total_steps * warmup_fraction)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, total_steps - warmup_steps, warmup_target=learning_rate, warmup_steps=warmup_steps
    )
    return keras.optimizers.Adam(schedule)
