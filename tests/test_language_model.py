"""The character language model's helpers (bigmodel_utils.language_model) and its corpus."""

import numpy as np
import pytest

from bigmodel_utils import data
from bigmodel_utils import language_model as lm


@pytest.fixture(scope="module")
def corpus():
    text = data.load_python_docs_text(verbose=False)
    vocabulary = lm.build_vocabulary(text)
    return text, vocabulary, lm.encode(text, vocabulary)


def test_python_docs_text_needs_no_download(corpus):
    text, vocabulary, ids = corpus
    assert len(text) > 100_000 and "assert" in text
    assert 60 < len(vocabulary) < 200
    assert lm.decode(ids[:500], vocabulary) == text[:500]


def test_encode_rejects_unknown_characters_and_decode_bad_ids():
    vocabulary = lm.build_vocabulary("abc")
    with pytest.raises(ValueError, match="text"):
        lm.encode("abd", vocabulary)
    with pytest.raises(ValueError, match="ids"):
        lm.decode([0, 3], vocabulary)


def test_unigram_and_bigram_cross_entropy_by_hand():
    train, validation, V = np.array([0, 0, 1]), np.array([1, 0]), 2
    # unigram, k=1: P(0) = 3/5, P(1) = 2/5
    assert lm.unigram_cross_entropy(train, validation, V) == pytest.approx(
        -(np.log(2 / 5) + np.log(3 / 5)) / 2
    )
    # bigram pairs (0,0), (0,1); P(0 | 1) = (0 + 1) / (0 + 2); the one validation pair is (1, 0)
    assert lm.bigram_cross_entropy(train, validation, V) == pytest.approx(-np.log(1 / 2))
    # k -> 0 makes an unseen pair (0, 2) after a seen character nearly infinitely surprising
    assert lm.bigram_cross_entropy(train, np.array([0, 2]), 3, k=1e-12) > 20
    assert lm.bigram_cross_entropy(train, np.array([0, 2]), 3, k=1.0) == pytest.approx(
        -np.log(1 / 5)
    )


def test_bigram_beats_unigram_on_real_text(corpus):
    _, vocabulary, ids = corpus
    train, validation = lm.split_ids(ids, 0.1)
    unigram = lm.unigram_cross_entropy(train, validation, len(vocabulary))
    bigram = lm.bigram_cross_entropy(train, validation, len(vocabulary))
    assert bigram < unigram < np.log(len(vocabulary))


def test_make_windows_targets_are_inputs_shifted_by_one():
    inputs, targets = lm.make_windows(np.arange(20), context_length=6, stride=3)
    assert inputs.shape == targets.shape == (5, 6)
    np.testing.assert_array_equal(targets, inputs + 1)
    np.testing.assert_array_equal(inputs[:, 0], [0, 3, 6, 9, 12])


def test_char_lm_logits_at_t_ignore_characters_after_t():
    model = lm.build_char_lm(
        vocab_size=11, context_length=12, d_model=16, num_heads=2, num_layers=2, mlp_dim=32
    )
    ids = np.random.default_rng(0).integers(0, 11, size=(2, 12)).astype(np.int32)
    logits = np.asarray(model(ids))
    assert logits.shape == (2, 12, 11)
    for t in (0, 5, 10):
        changed = ids.copy()
        changed[:, t + 1 :] = (changed[:, t + 1 :] + 1) % 11
        new_logits = np.asarray(model(changed))
        np.testing.assert_allclose(new_logits[:, : t + 1], logits[:, : t + 1], atol=1e-5)
        assert not np.allclose(new_logits[:, t + 1 :], logits[:, t + 1 :])


def test_sample_next_follows_the_tempered_softmax():
    rng = np.random.default_rng(0)
    logits = np.log(np.array([[0.7, 0.2, 0.1]] * 20000))
    counts = np.bincount(lm.sample_next(logits, 1.0, rng), minlength=3) / 20000
    np.testing.assert_allclose(counts, [0.7, 0.2, 0.1], atol=0.015)
    cold = lm.sample_next(logits[:2000], 0.05, rng)
    assert np.all(cold == 0)  # low temperature: (almost) always the most likely character
    with pytest.raises(ValueError, match="temperature"):
        lm.sample_next(logits, 0.0, rng)


def test_generate_continues_every_temperature(corpus):
    _, vocabulary, _ = corpus
    model = lm.build_char_lm(
        len(vocabulary), context_length=8, d_model=8, num_heads=2, num_layers=1, mlp_dim=8
    )
    samples = lm.generate(model, "The assert", vocabulary, length=5, temperatures=(0.5, 1.5))
    assert len(samples) == 2 and all(s.startswith("The assert") and len(s) == 15 for s in samples)


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: lm.build_vocabulary(""), "text"),
        (lambda: lm.split_ids(np.arange(10), 1.5), "validation_fraction"),
        (lambda: lm.unigram_cross_entropy(np.array([0, 5]), np.array([0, 1]), 3), "train_ids"),
        (
            lambda: lm.bigram_cross_entropy(np.array([0, 1]), np.array([[0, 1]]), 3),
            "validation_ids",
        ),
        (lambda: lm.make_windows(np.arange(5), context_length=5), "context_length"),
    ],
)
def test_bad_inputs_raise_value_error(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_random_batches_are_shifted_windows_of_the_text():
    ids = np.arange(100, dtype=np.int32)
    inputs, targets = next(lm.random_batches(ids, context_length=10, batch_size=4, seed=1))
    assert inputs.shape == targets.shape == (4, 10)
    np.testing.assert_array_equal(targets, inputs + 1)
    np.testing.assert_array_equal(np.diff(inputs, axis=1), 1)  # contiguous windows
