"""Chapter 3.3: the Transformer as Keras layers -- positions, the encoder block, its schedule.

The attention inside is ``keras.layers.MultiHeadAttention``, which chapter 3.3 proves
equal to :func:`bigmodel_utils.transformer.multi_head_attention` on copied weights, and
:func:`encoder_block_weights` reads a block's weights back into the NumPy
:func:`bigmodel_utils.transformer.encoder_block`. Two models are built from these layers:
the tiny ViT of chapter 3.3 (:mod:`bigmodel_utils.vit`) and, with ``causal=True``, the
character language model of chapter 3.4 (:mod:`bigmodel_utils.language_model`).
"""

import keras
from keras import layers, ops

from bigmodel_utils import checks, transformer, transformer_inputs

_PACKAGE = "bigmodel_utils"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PositionalEmbedding(layers.Layer):
    """Add one vector per position to a sequence ``(batch, seq, d_model)``, seq <= ``length``.

    ``learned=True`` (ViT, GPT): the vectors are trained weights. ``learned=False``: the fixed
    sinusoids of :func:`bigmodel_utils.transformer_inputs.positional_encoding` (Vaswani et al.
    2017).
    """

    def __init__(self, length, d_model, learned=True, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int(length, "length")
        checks.positive_int(d_model, "d_model")
        checks.boolean(learned, "learned")
        self.length, self.d_model, self.learned = length, d_model, learned

    def build(self, input_shape):
        if input_shape[-1] != self.d_model:
            raise ValueError(f"inputs must end in d_model={self.d_model}, got shape {input_shape}")
        if self.learned:
            initializer = keras.initializers.RandomNormal(stddev=0.02)
        else:
            initializer = keras.initializers.Constant(
                transformer_inputs.positional_encoding(self.length, self.d_model)
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
        checks.finite_float(dropout, "dropout", low=0.0, high=1.0, high_open=True)
        checks.boolean(causal, "causal")
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
                "a causal EncoderBlock needs a fixed sequence length "
                "(keras.Input(shape=(seq, ...)))"
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
    """An :class:`EncoderBlock`'s weights as the named matrices of ``transformer.encoder_block``.

    Undoes Keras' head axis: query/key/value kernels ``(d_model, heads, d_k)`` ->
    ``(d_model, d_model)``,
    biases ``(heads, d_k)`` -> ``(d_model,)``, output kernel ``(heads, d_k, d_model)`` ->
    ``(d_model, d_model)``.
    """
    checks.keras_layer(block, "block", "EncoderBlock")
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


def warmup_cosine_adam(learning_rate, total_steps, warmup_fraction=0.1):
    """Adam whose step size rises linearly to ``learning_rate``, then follows a cosine to zero.

    The usual schedule for Transformers (Vaswani et al. 2017 warm up, too): early steps with
    random attention are noisy, so they are kept small.
    """
    checks.positive_float(learning_rate, "learning_rate")
    checks.positive_int(total_steps, "total_steps")
    checks.finite_float(warmup_fraction, "warmup_fraction", low=0.0, high=1.0, high_open=True)
    warmup_steps = int(total_steps * warmup_fraction)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, total_steps - warmup_steps, warmup_target=learning_rate, warmup_steps=warmup_steps
    )
    return keras.optimizers.Adam(schedule)
