"""The Keras Transformer layers of chapters 3.3 and 3.4 (bigmodel_utils.transformer_layers)."""

import keras
import numpy as np
import pytest

from bigmodel_utils import transformer, transformer_inputs
from bigmodel_utils import transformer_layers as tl


def _randomize(layer, seed):
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [rng.normal(scale=0.3, size=w.shape).astype(np.float32) for w in layer.get_weights()]
    )


@pytest.mark.parametrize("causal", [False, True])
def test_encoder_block_is_pre_norm_attention_and_mlp_with_residuals(causal):
    block = tl.EncoderBlock(d_model=16, num_heads=4, mlp_dim=24, causal=causal)
    x = np.random.default_rng(0).normal(size=(2, 7, 16)).astype(np.float32)
    block.build(x.shape)
    _randomize(block, 1)
    mask = transformer.causal_mask(7) if causal else None
    expected = transformer.encoder_block(
        x.astype(np.float64), tl.encoder_block_weights(block), 4, mask=mask
    )
    np.testing.assert_allclose(keras.ops.convert_to_numpy(block(x)), expected, atol=1e-5)
    outputs, weights = block(x, return_attention_scores=True)
    assert weights.shape == (2, 4, 7, 7)
    if causal:
        assert np.all(np.triu(keras.ops.convert_to_numpy(weights), k=1) == 0)


def test_sinusoidal_positional_embedding_adds_the_closed_form():
    layer = tl.PositionalEmbedding(10, 6, learned=False)
    x = np.zeros((2, 4, 6), np.float32)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(x))[1],
        transformer_inputs.positional_encoding(10, 6)[:4],
        atol=1e-7,
    )
    assert layer.trainable_weights == []


def test_warmup_cosine_adam_rises_to_the_peak_then_falls_to_zero():
    optimizer = tl.warmup_cosine_adam(1e-3, total_steps=100, warmup_fraction=0.1)
    schedule = keras.optimizers.schedules.deserialize(optimizer.get_config()["learning_rate"])
    rate = [float(keras.ops.convert_to_numpy(schedule(step))) for step in (0, 5, 10, 55, 100)]
    assert rate[0] == 0.0 and rate[1] == pytest.approx(5e-4) and rate[2] == pytest.approx(1e-3)
    assert rate[2] > rate[3] > rate[4] and rate[4] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: tl.EncoderBlock(d_model=10, num_heads=4, mlp_dim=8), "d_model"),
        (lambda: tl.EncoderBlock(d_model=8, num_heads=2, mlp_dim=0), "mlp_dim"),
        (lambda: tl.EncoderBlock(d_model=8, num_heads=2, mlp_dim=8, dropout=1.0), "dropout"),
        (
            lambda: tl.EncoderBlock(d_model=8, num_heads=2, mlp_dim=8)(
                np.ones((1, 3, 6), np.float32)
            ),
            "inputs",
        ),
        (lambda: tl.PositionalEmbedding(0, 8), "length"),
        (lambda: tl.warmup_cosine_adam(1e-3, total_steps=0), "total_steps"),
        (lambda: tl.warmup_cosine_adam(1e-3, 10, warmup_fraction=1.0), "warmup_fraction"),
    ],
)
def test_bad_inputs_raise_value_error(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
