"""The Transformer's equations (bigmodel_utils.transformer) against Keras and their properties."""

import keras
import numpy as np
import pytest

from bigmodel_utils import transformer, transformer_inputs

D_MODEL, HEADS, SEQ, BATCH = 16, 4, 6, 3


@pytest.fixture(scope="module")
def weights():
    rng = np.random.default_rng(0)
    matrices = [rng.normal(scale=0.4, size=(D_MODEL, D_MODEL)).astype(np.float32) for _ in range(4)]
    biases = [rng.normal(scale=0.1, size=D_MODEL).astype(np.float32) for _ in range(4)]
    X = rng.normal(size=(BATCH, SEQ, D_MODEL)).astype(np.float32)
    return X, matrices, biases


@pytest.fixture(scope="module")
def keras_mha(weights):
    _, matrices, biases = weights
    layer = keras.layers.MultiHeadAttention(num_heads=HEADS, key_dim=D_MODEL // HEADS)
    layer.build((None, SEQ, D_MODEL), (None, SEQ, D_MODEL))
    layer.set_weights(transformer.keras_mha_weights(*matrices, HEADS, *biases))
    return layer


def test_keras_kernel_layout_is_mapped_explicitly(keras_mha):
    # query/key/value kernels (d_model, heads, d_k) + biases (heads, d_k);
    # output (heads, d_k, d_model) + (d_model,)
    d_k = D_MODEL // HEADS
    expected = {
        "query/kernel": (D_MODEL, HEADS, d_k),
        "query/bias": (HEADS, d_k),
        "key/kernel": (D_MODEL, HEADS, d_k),
        "key/bias": (HEADS, d_k),
        "value/kernel": (D_MODEL, HEADS, d_k),
        "value/bias": (HEADS, d_k),
        "attention_output/kernel": (HEADS, d_k, D_MODEL),
        "attention_output/bias": (D_MODEL,),
    }
    found = {"/".join(w.path.split("/")[-2:]): tuple(w.shape) for w in keras_mha.weights}
    assert found == expected


def test_head_i_uses_columns_i_of_W_Q(weights, keras_mha):
    _, (W_Q, *_), _ = weights
    d_k = D_MODEL // HEADS
    query_kernel = keras.ops.convert_to_numpy(keras_mha.weights[0])  # (d_model, heads, d_k)
    for i in range(HEADS):
        np.testing.assert_array_equal(query_kernel[:, i, :], W_Q[:, i * d_k : (i + 1) * d_k])


@pytest.mark.parametrize("mask_kind", ["none", "batch", "shared"])
def test_multi_head_attention_matches_keras(weights, keras_mha, mask_kind):
    X, matrices, biases = weights
    rng = np.random.default_rng(1)
    mask = {
        "none": None,
        "batch": rng.random((BATCH, SEQ, SEQ)) > 0.4,  # Keras layout (batch, seq_q, seq_k)
        "shared": transformer.causal_mask(SEQ)[None],
    }[mask_kind]
    if mask is not None:
        mask[..., 0] = True  # every query keeps at least one key
    expected, expected_weights = keras_mha(X, X, attention_mask=mask, return_attention_scores=True)
    fused = keras_mha(X, X, attention_mask=mask)  # Keras' fused path, without the scores
    outputs, attention = transformer.multi_head_attention(
        X, *matrices, HEADS, mask=mask, b_Q=biases[0], b_K=biases[1], b_V=biases[2], b_O=biases[3]
    )
    np.testing.assert_allclose(outputs, keras.ops.convert_to_numpy(expected), atol=1e-5)
    np.testing.assert_allclose(outputs, keras.ops.convert_to_numpy(fused), atol=1e-5)
    np.testing.assert_allclose(attention, keras.ops.convert_to_numpy(expected_weights), atol=1e-5)


def test_single_sequence_equals_batch_of_one(weights):
    X, matrices, _ = weights
    one, one_weights = transformer.multi_head_attention(X[0], *matrices, HEADS)
    batch, batch_weights = transformer.multi_head_attention(X, *matrices, HEADS)
    np.testing.assert_allclose(one, batch[0], atol=1e-6)
    assert one_weights.shape == (HEADS, SEQ, SEQ)


def test_attention_by_hand():
    Q = np.array([[1.0, 0.0]])
    K = np.array([[1.0, 0.0], [0.0, 1.0]])
    V = np.array([[10.0], [20.0]])
    outputs, weights = transformer.scaled_dot_product_attention(Q, K, V)
    e = np.exp(1 / np.sqrt(2))
    np.testing.assert_allclose(weights, [[e / (e + 1), 1 / (e + 1)]])
    np.testing.assert_allclose(outputs, [[10 * e / (e + 1) + 20 / (e + 1)]])


def _qkv(seed=0, seq_q=5, seq_k=7, d_k=8, d_v=3):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(2, seq_q, d_k)),
        rng.normal(size=(2, seq_k, d_k)),
        rng.normal(size=(2, seq_k, d_v)),
    )


def test_weights_are_nonnegative_and_rows_sum_to_one():
    Q, K, V = _qkv()
    _, weights = transformer.scaled_dot_product_attention(3 * Q, K, V)
    assert weights.min() >= 0
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-12)


def test_permuting_keys_and_values_together_changes_nothing():
    Q, K, V = _qkv()
    order = np.random.default_rng(2).permutation(K.shape[1])
    outputs, weights = transformer.scaled_dot_product_attention(Q, K, V)
    permuted, permuted_weights = transformer.scaled_dot_product_attention(
        Q, K[:, order], V[:, order]
    )
    np.testing.assert_allclose(permuted, outputs, atol=1e-12)
    np.testing.assert_allclose(permuted_weights, weights[..., order], atol=1e-12)


def test_masked_positions_get_zero_weight():
    Q, K, V = _qkv()
    mask = np.random.default_rng(3).random((5, 7)) > 0.5
    mask[:, 2] = True
    _, weights = transformer.scaled_dot_product_attention(Q, K, V, mask=mask.astype(int))
    assert np.all(weights[:, ~mask] == 0.0)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-12)


def test_fully_masked_row_gives_zeros_not_nan():
    Q, K, V = _qkv()
    mask = np.ones((5, 7), bool)
    mask[1] = False
    outputs, weights = transformer.scaled_dot_product_attention(Q, K, V, mask=mask)
    assert (
        np.all(np.isfinite(outputs)) and np.all(outputs[:, 1] == 0) and np.all(weights[:, 1] == 0)
    )


def test_softmax_is_stable_for_huge_scores():
    probabilities = transformer.softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(probabilities, [[0.5, 0.5, 0.0]])


def test_causal_mask_makes_output_at_t_independent_of_later_inputs(weights):
    X, matrices, _ = weights
    mask = transformer.causal_mask(SEQ)
    np.testing.assert_array_equal(mask, np.tril(np.ones((SEQ, SEQ), bool)))
    outputs, attention = transformer.multi_head_attention(X, *matrices, HEADS, mask=mask)
    assert np.all(np.triu(attention, k=1) == 0)
    for t in range(SEQ - 1):
        changed = X.copy()
        changed[:, t + 1 :] = np.random.default_rng(t).normal(size=changed[:, t + 1 :].shape)
        new_outputs, _ = transformer.multi_head_attention(changed, *matrices, HEADS, mask=mask)
        np.testing.assert_allclose(new_outputs[:, : t + 1], outputs[:, : t + 1], atol=1e-6)
        assert not np.allclose(new_outputs[:, t + 1 :], outputs[:, t + 1 :])


@pytest.mark.parametrize("d_model", [8, 9])
def test_positional_encoding_matches_closed_form(d_model):
    encoding = transformer_inputs.positional_encoding(50, d_model)
    assert encoding.shape == (50, d_model) and encoding.dtype == np.float32
    for pos in (0, 1, 7, 49):
        for i in range(d_model):
            angle = pos / 10000 ** ((i - i % 2) / d_model)
            expected = np.sin(angle) if i % 2 == 0 else np.cos(angle)
            assert encoding[pos, i] == pytest.approx(expected, abs=1e-6)


def test_patchify_shape_content_and_round_trip():
    images = np.random.default_rng(0).random((2, 28, 28, 3)).astype(np.float32)
    patches = transformer_inputs.patchify(images, 7)
    assert patches.shape == (2, 16, 7 * 7 * 3)
    np.testing.assert_array_equal(patches[1, 6], images[1, 7:14, 14:21].ravel())  # row 1, column 2
    np.testing.assert_array_equal(transformer_inputs.unpatchify(patches, (28, 28, 3)), images)


@pytest.mark.parametrize(
    "call, argument",
    [
        (
            lambda: transformer.scaled_dot_product_attention(
                np.ones(4), np.ones((4, 4)), np.ones((4, 4))
            ),
            "Q",
        ),
        (
            lambda: transformer.scaled_dot_product_attention(
                np.ones((3, 4)), np.ones((3, 5)), np.ones((3, 2))
            ),
            "d_k",
        ),
        (
            lambda: transformer.scaled_dot_product_attention(
                np.ones((3, 4)), np.ones((3, 4)), np.ones((2, 2))
            ),
            "K and V",
        ),
        (
            lambda: transformer.scaled_dot_product_attention(
                *[np.ones((3, 4))] * 3, mask=np.ones((2, 3))
            ),
            "mask",
        ),
        (
            lambda: transformer.scaled_dot_product_attention(
                *[np.ones((3, 4))] * 3, mask=np.full((3, 3), 2)
            ),
            "mask",
        ),
        (
            lambda: transformer.multi_head_attention(
                np.ones((2, 5, 6)), *[np.ones((6, 6))] * 4, h=4
            ),
            "divisible",
        ),
        (
            lambda: transformer.multi_head_attention(
                np.ones((2, 5, 8)), *[np.ones((8, 6))] * 4, h=4
            ),
            "W_Q",
        ),
        (
            lambda: transformer.multi_head_attention(
                np.ones((2, 2, 5, 8)), *[np.ones((8, 8))] * 4, h=4
            ),
            "X",
        ),
        (
            lambda: transformer.multi_head_attention(
                np.ones((2, 5, 8)), *[np.ones((8, 8))] * 4, h=0
            ),
            "h",
        ),
        (
            lambda: transformer.multi_head_attention(
                np.ones((2, 5, 8)), *[np.ones((8, 8))] * 4, h=2, b_O=np.ones(3)
            ),
            "b_O",
        ),
        (
            lambda: transformer.multi_head_attention(
                np.ones((2, 5, 8)), *[np.ones((8, 8))] * 4, h=2, mask=np.ones((5, 4))
            ),
            "mask",
        ),
        (lambda: transformer.causal_mask(0), "length"),
        (lambda: transformer_inputs.positional_encoding(10, 0), "d_model"),
        (lambda: transformer_inputs.patchify(np.ones((28, 28, 1)), 7), "images"),
        (lambda: transformer_inputs.patchify(np.ones((1, 28, 28, 1)), 5), "patch_size"),
        (lambda: transformer_inputs.unpatchify(np.ones((1, 16, 49)), (28, 28, 2)), "patches"),
    ],
)
def test_bad_inputs_raise_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_non_numeric_input_raises_type_error():
    with pytest.raises(TypeError, match="Q"):
        transformer.scaled_dot_product_attention(
            np.array([["a"]]), np.ones((1, 1)), np.ones((1, 1))
        )


def test_layer_norm_and_gelu_match_keras():
    x = np.random.default_rng(0).normal(size=(2, 5, 8)).astype(np.float32)
    norm = keras.layers.LayerNormalization(epsilon=1e-6)
    norm.build(x.shape)
    gamma, beta = np.linspace(0.5, 1.5, 8), np.linspace(-1, 1, 8)
    norm.set_weights([gamma, beta])
    np.testing.assert_allclose(
        transformer.layer_norm(x, gamma, beta), keras.ops.convert_to_numpy(norm(x)), atol=1e-5
    )
    np.testing.assert_allclose(
        transformer.gelu(x), keras.ops.convert_to_numpy(keras.activations.gelu(x)), atol=1e-6
    )
