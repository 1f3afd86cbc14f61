"""Keras Transformer layers and the tiny ViT (bigmodel_utils.vit) against NumPy and formulas."""

import keras
import numpy as np
import pytest
from bigmodel_utils import transformer, vit


def _randomize(layer, seed):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(scale=0.3, size=w.shape).astype(np.float32) for w in layer.get_weights()])


@pytest.mark.parametrize("causal", [False, True])
def test_encoder_block_is_pre_norm_attention_and_mlp_with_residuals(causal):
    block = vit.EncoderBlock(d_model=16, num_heads=4, mlp_dim=24, causal=causal)
    x = np.random.default_rng(0).normal(size=(2, 7, 16)).astype(np.float32)
    block.build(x.shape)
    _randomize(block, 1)
    mask = transformer.causal_mask(7) if causal else None
    expected = transformer.encoder_block(x.astype(np.float64), vit.encoder_block_weights(block), 4, mask=mask)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(block(x)), expected, atol=1e-5)
    outputs, weights = block(x, return_attention_scores=True)
    assert weights.shape == (2, 4, 7, 7)
    if causal:
        assert np.all(np.triu(keras.ops.convert_to_numpy(weights), k=1) == 0)


def test_patch_embedding_cuts_like_patchify():
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    layer = vit.PatchEmbedding(patch_size=7, d_model=8)
    tokens = layer(images)
    assert tuple(tokens.shape) == (3, 17, 8)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.patches(images)),
                                  transformer.patchify(images, 7))


def test_sinusoidal_positional_embedding_adds_the_closed_form():
    layer = vit.PositionalEmbedding(10, 6, learned=False)
    x = np.zeros((2, 4, 6), np.float32)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x))[1],
                               transformer.positional_encoding(10, 6)[:4], atol=1e-7)
    assert layer.trainable_weights == []


def test_tiny_vit_parameter_count_matches_formula():
    p, d, h, layers, mlp, classes = 7, 32, 4, 2, 48, 10
    model = vit.build_tiny_vit(patch_size=p, d_model=d, num_heads=h, num_layers=layers, mlp_dim=mlp)
    tokens = (28 // p) ** 2 + 1
    embedding = (p * p * 1) * d + d + d + tokens * d  # projection W, b; class token; positions
    block = 2 * 2 * d + 4 * (d * d + d) + (d * mlp + mlp) + (mlp * d + d)  # 2 LayerNorms, MHA, MLP
    head = 2 * d + d * classes + classes  # final LayerNorm, classifier
    assert model.count_params() == embedding + layers * block + head


def test_tiny_vit_outputs_probabilities_and_attention_maps():
    model = vit.build_tiny_vit(patch_size=7, d_model=16, num_heads=2, num_layers=3, mlp_dim=16)
    images = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    probabilities = keras.ops.convert_to_numpy(model(images))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    maps = vit.vit_attention_maps(model, images)
    assert maps.shape == (3, 4, 2, 17, 17)
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0, atol=1e-5)
    grid = vit.class_token_attention(maps, (4, 4))
    assert grid.shape == (3, 4, 2, 4, 4)
    np.testing.assert_allclose(grid.sum(axis=(-1, -2)), 1.0 - maps[..., 0, 0], atol=1e-6)


@pytest.mark.parametrize("call, argument", [
    (lambda: vit.EncoderBlock(d_model=10, num_heads=4, mlp_dim=8), "d_model"),
    (lambda: vit.EncoderBlock(d_model=8, num_heads=2, mlp_dim=0), "mlp_dim"),
    (lambda: vit.EncoderBlock(d_model=8, num_heads=2, mlp_dim=8, dropout=1.0), "dropout"),
    (lambda: vit.EncoderBlock(d_model=8, num_heads=2, mlp_dim=8)(np.ones((1, 3, 6), np.float32)), "inputs"),
    (lambda: vit.build_tiny_vit(patch_size=5), "patch_size"),
    (lambda: vit.build_tiny_vit(num_layers=0), "num_layers"),
    (lambda: vit.PositionalEmbedding(0, 8), "length"),
    (lambda: vit.class_token_attention(np.ones((2, 17, 17)), (3, 3)), "grid"),
])
def test_bad_inputs_raise_value_error(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


@pytest.mark.parametrize("name", ["quick", "full"])
def test_shared_model_settings_follow_the_profile_and_build(monkeypatch, name):
    """Every chapter builds the ViT and the character model from these settings; both must build."""
    from bigmodel_utils import language_model

    monkeypatch.setenv("BIGMODEL_PROFILE", name)
    vit_settings, lm_settings = vit.tiny_vit_config(), language_model.char_lm_config()
    assert vit_settings["patch_size"] == {"quick": 7, "full": 4}[name]
    assert lm_settings["context_length"] == {"quick": 32, "full": 128}[name]
    assert vit.build_tiny_vit(**vit_settings).count_params() > 0
    assert language_model.build_char_lm(50, **lm_settings).count_params() > 0
