"""Tests of chapter 5.4's bigger character model: its size, its training and its paired score."""

import keras
import numpy as np
import pytest

from bigmodel_utils import bigger_model
from bigmodel_utils import language_model as lm

TINY = dict(context_length=8, d_model=16, num_heads=2, num_layers=1, mlp_dim=32, dropout=0.0)
SCHEDULE = dict(steps=3, batch_size=4, learning_rate=1e-3)


def corpus_ids():
    text = "the quick brown fox jumps over the lazy dog. " * 20
    vocabulary = lm.build_vocabulary(text)
    return lm.encode(text, vocabulary), len(vocabulary)


def test_the_bigger_model_is_at_least_ten_times_the_quick_one():
    quick = lm.char_lm_config("quick")
    assert bigger_model.parameter_count(
        bigger_model.BIG_CONFIG, 100
    ) >= 10 * bigger_model.parameter_count(quick, 100)


def test_parameter_count_equals_the_built_model():
    assert bigger_model.parameter_count(TINY, 30) == lm.build_char_lm(30, **TINY).count_params()


def test_char_lm_config_by_profile_name():
    assert lm.char_lm_config("quick")["d_model"] < lm.char_lm_config("full")["d_model"]
    with pytest.raises(ValueError, match="profile_name"):
        lm.char_lm_config("medium")


def test_training_runs_and_returns_its_seconds():
    ids, V = corpus_ids()
    model, seconds = bigger_model.train_char_lm(TINY, SCHEDULE, ids, V)
    assert seconds > 0 and model.count_params() == bigger_model.parameter_count(TINY, V)


def test_chunk_cross_entropy_equals_keras_on_windows_of_the_context():
    ids, V = corpus_ids()
    keras.utils.set_random_seed(0)
    model = lm.build_char_lm(V, **TINY)
    per_chunk = bigger_model.chunk_cross_entropy(model, ids, 8)
    inputs, targets = lm.make_windows(ids, 8)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    expected = float(loss(targets, model.predict_on_batch(inputs)))
    assert per_chunk.shape == (len(inputs),)
    assert per_chunk.mean() == pytest.approx(expected, rel=1e-5)
    longer = bigger_model.chunk_cross_entropy(model, ids, 16)  # two windows per chunk
    assert longer.shape == (len(lm.make_windows(ids, 16)[0]),) and np.all(np.isfinite(longer))


BAD_CALLS = [
    (lambda: bigger_model.parameter_count({"d_model": 8}, 30), TypeError, "config"),
    (lambda: bigger_model.parameter_count(None, 30), TypeError, "config"),
    (lambda: bigger_model.parameter_count(TINY, 30.0), TypeError, "vocab_size"),
    (lambda: bigger_model.train_char_lm(TINY, {"steps": 3}, [0, 1], 2), TypeError, "schedule"),
    (
        lambda: bigger_model.train_char_lm(TINY, {**SCHEDULE, "steps": 0}, [0, 1], 2),
        ValueError,
        "schedule",
    ),
    (lambda: bigger_model.train_char_lm([], SCHEDULE, [0, 1], 2), TypeError, "config"),
    (
        lambda: bigger_model.chunk_cross_entropy(
            lm.build_char_lm(5, **TINY), np.arange(40) % 5, 12
        ),
        ValueError,
        "chunk_length",
    ),
    (
        lambda: bigger_model.chunk_cross_entropy(lm.build_char_lm(5, **TINY), np.arange(40) % 5, 4),
        ValueError,
        "chunk_length",
    ),
    (
        lambda: bigger_model.chunk_cross_entropy(
            lm.build_char_lm(5, **TINY), np.arange(40) % 5, 8.0
        ),
        TypeError,
        "chunk_length",
    ),
]


@pytest.mark.parametrize("call, error, name", BAD_CALLS)
def test_bad_input_raises_naming_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_gain_sentence_in_both_languages():
    quick = bigger_model.gain_sentence()
    assert "quick profile" in quick["en"] and "快速配置档" in quick["zh"]
    judgement = {
        "effect_en": "0.100",
        "effect_zh": "0.100",
        "words_en": "Holds",
        "words_zh": "成立",
    }
    full = bigger_model.gain_sentence(
        np.array([1.5, 1.7]), np.array([1.4, 1.6]), judgement, {"peak": 2e8}
    )
    assert "1.500" in full["en"] and "holds." in full["en"] and "200 MB" in full["en"]
    assert "成立" in full["zh"] and "200 MB" in full["zh"]
    with pytest.raises(ValueError, match="big_ce"):
        bigger_model.gain_sentence(np.array([1.5, 1.7]), np.array([1.4]), judgement)
