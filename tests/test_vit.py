"""The tiny ViT of chapter 3.3 (bigmodel_utils.vit) against NumPy and formulas."""

import keras
import numpy as np
import pytest

from bigmodel_utils import transformer_inputs, vit


def test_patch_embedding_cuts_like_patchify():
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    layer = vit.PatchEmbedding(patch_size=7, d_model=8)
    tokens = layer(images)
    assert tuple(tokens.shape) == (3, 17, 8)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(layer.patches(images)), transformer_inputs.patchify(images, 7)
    )


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


def _small_vit(patch_size=7, num_layers=3):
    return vit.build_tiny_vit(
        patch_size=patch_size, d_model=16, num_heads=2, num_layers=num_layers, mlp_dim=16
    )


def test_class_token_ink_share_is_a_fraction_and_all_ink_takes_everything():
    model = _small_vit()
    images = (
        np.random.default_rng(0).random((5, 28, 28, 1)).astype(np.float32) ** 4
    )  # some blank patches
    share, ink_fraction = vit.class_token_ink_share(model, images, 7)
    assert share.shape == (3,) and np.all((share >= 0) & (share <= 1)) and 0 <= ink_fraction <= 1
    share, ink_fraction = vit.class_token_ink_share(model, np.ones((2, 28, 28, 1), np.float32), 7)
    np.testing.assert_allclose(share, 1.0, atol=1e-6)
    assert ink_fraction == 1.0
    share, ink_fraction = vit.class_token_ink_share(model, np.zeros((2, 28, 28, 1), np.float32), 7)
    np.testing.assert_array_equal(share, 0.0)
    assert ink_fraction == 0.0


def test_class_token_ink_share_matches_a_hand_computation(monkeypatch):
    """Two digits cut into 2x2 patches of 14 pixels; attention maps set by hand."""
    images = np.zeros((2, 28, 28, 1), np.float32)
    images[0, :14, :14] = 1.0  # digit 0: patch 0 inked
    images[0, 14:, :14] = 0.05  # digit 0: patch 2 faint, below the 0.1 threshold
    images[1, :14, 14:] = 0.5  # digit 1: patches 1 and 3 inked
    images[1, 14:, 14:] = 0.5
    maps = np.full((2, 2, 2, 5, 5), 0.2)  # (blocks, digits, heads, tokens, tokens); block 2 uniform
    maps[0, 0, :, 0] = [
        [0.2, 0.4, 0.2, 0.1, 0.1],
        [0.0, 0.4, 0.2, 0.1, 0.3],
    ]  # heads' mean: .4 .2 .1 .2
    maps[0, 1, :, 0] = [0.5, 0.1, 0.1, 0.2, 0.1]  # both heads: patches .1 .1 .2 .1
    monkeypatch.setattr(vit, "vit_attention_maps", lambda model, images: maps)
    share, ink_fraction = vit.class_token_ink_share(
        _small_vit(patch_size=14, num_layers=2), images, 14
    )
    block_1 = (0.4 / 0.9 + (0.1 + 0.1) / 0.5) / 2
    block_2 = (1 / 4 + 2 / 4) / 2  # uniform attention gives the inked patches their share
    np.testing.assert_allclose(share, [block_1, block_2], atol=1e-12)
    assert ink_fraction == 3 / 8


@pytest.mark.parametrize(
    "share, reference, tolerance, verdict",
    [
        (0.50, 0.40, 0.1, "more than"),
        (0.30, 0.40, 0.1, "less than"),
        (0.42, 0.40, 0.1, "about"),
        (0.42, 0.40, 0.0, "more than"),
        (0.39, 0.40, 0.0, "less than"),
        (0.40, 0.40, 0.0, "about"),
        (0.55, 0.40, 0.5, "about"),
    ],
)
def test_compare_to_share_has_three_verdicts(share, reference, tolerance, verdict):
    assert vit.compare_to_share(share, reference, tolerance) == verdict


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: vit.build_tiny_vit(patch_size=5), "patch_size"),
        (lambda: vit.build_tiny_vit(num_layers=0), "num_layers"),
        (lambda: vit.class_token_attention(np.ones((2, 17, 17)), (3, 3)), "grid"),
        (lambda: vit.class_token_ink_share(_small_vit(), np.ones((2, 28, 28, 1)), 5), "patch_size"),
        (lambda: vit.class_token_ink_share(_small_vit(), np.ones((2, 28, 28, 1)), 4), "patch_size"),
        (lambda: vit.class_token_ink_share(_small_vit(), np.ones((28, 28, 1)), 7), "images"),
        (lambda: vit.compare_to_share(0.5, 0.4, tolerance=-0.1), "tolerance"),
    ],
)
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
