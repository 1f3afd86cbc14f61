"""Chapter 3.4: measures of generated text -- real-word share, bigram samples, spelling verdict."""

import numpy as np
import pytest

from bigmodel_utils import generated_text as gt
from bigmodel_utils import language_model as lm
from bigmodel_utils import statistics as stats

TEXT = "the for statement and the while statement repeat the loop body " * 20


def test_real_word_share_counts_words_of_two_letters_or_more():
    words = gt.known_words(TEXT)
    assert {"the", "for", "statement"} <= words and "a" not in words
    assert gt.real_word_share("the fro statement x", words) == pytest.approx(2 / 3)
    assert np.isnan(gt.real_word_share("  1 2 3 ", words))


def test_bigram_samples_follow_the_counted_pairs():
    vocabulary = lm.build_vocabulary(TEXT)
    ids = lm.encode(TEXT, vocabulary)
    samples = gt.bigram_generate(ids, vocabulary, "th", 200, temperature=0.3, count=4, seed=0)
    assert len(samples) == 4 and all(s.startswith("th") and len(s) == 202 for s in samples)
    pairs = {TEXT[i : i + 2] for i in range(len(TEXT) - 1)}
    seen = [s[i : i + 2] in pairs for s in samples for i in range(len(s) - 1)]
    assert np.mean(seen) > 0.95  # a cold bigram sampler almost never leaves the seen pairs
    again = gt.bigram_generate(ids, vocabulary, "th", 200, temperature=0.3, count=4, seed=0)
    assert again == samples
    with pytest.raises(ValueError, match="temperature"):
        gt.bigram_generate(ids, vocabulary, "th", 10, temperature=0.0, count=1)


def test_spelling_verdict_reads_the_interval():
    better = gt.judge_spelling([0.8, 0.85, 0.9, 0.82], [0.4, 0.5, 0.45, 0.42])
    assert better["verdict"] == stats.HOLDS and better["spelling_en"].startswith("spells more")
    gt.check_spelling_judgement(better)
    noisy = gt.judge_spelling([0.9, 0.3, 0.6, np.nan], [0.5, 0.6, 0.4, 0.7])
    assert noisy["verdict"] == stats.NOT_SETTLED and noisy["model"]["seeds"] == 3
    noisy["spelling_en"] = better["spelling_en"]  # an injected fault
    with pytest.raises(AssertionError, match="spelling_en"):
        gt.check_spelling_judgement(noisy)
    with pytest.raises(ValueError, match="bigram_shares"):
        gt.judge_spelling([0.5, 0.6], [0.5])


def test_topics_are_split_at_random_and_whole():
    train, validation, names = lm.split_topics(0.1, seed=0)
    _, _, other = lm.split_topics(0.1, seed=1)
    from pydoc_data.topics import topics

    assert names != other  # the seed decides
    assert names != sorted(topics)[-len(names) :]  # not the alphabetically last pages
    assert all(topics[name] in validation and topics[name] not in train for name in names)
    assert len(names) == round(0.1 * len(topics))
    with pytest.raises(ValueError, match="validation_fraction"):
        lm.split_topics(1.0)
