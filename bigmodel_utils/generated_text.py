"""Chapter 3.4: what a character model's samples show -- the share of real words, with an interval.

"The model learns spelling" is a claim about its samples. It is measured here as the share of the
generated words (runs of two or more letters) that occur in the training text, sample by sample, for
the Transformer and for the bigram model sampled the same way; the interval over samples
(:mod:`bigmodel_utils.statistics`) decides the verdict, in English and Chinese.
"""

import re

import numpy as np

from bigmodel_utils import checks
from bigmodel_utils import statistics as stats
from bigmodel_utils.language_model import decode, encode

WORD = re.compile(r"[A-Za-z]{2,}")
_SPELLING = {
    stats.HOLDS: {
        "en": "spells more real words than the bigram model",
        "zh": "拼出的真实单词多于二元模型",
    },
    stats.DOES_NOT_HOLD: {
        "en": "spells no more real words than the bigram model",
        "zh": "拼出的真实单词并不比二元模型多",
    },
    stats.NOT_SETTLED: {
        "en": "may or may not spell more real words than the bigram model (not settled at this "
        "size)",
        "zh": "是否比二元模型拼出更多真实单词，在此规模下尚无定论",
    },
}


def known_words(text):
    """The set of words (two or more letters) that occur in ``text``."""
    return set(WORD.findall(checks.string(text, "text", empty=True)))


def real_word_share(sample, vocabulary_words):
    """Share of the words of ``sample`` that are in ``vocabulary_words`` (NaN if it has none)."""
    words = WORD.findall(checks.string(sample, "sample", empty=True))
    if not words:
        return float("nan")
    return float(np.mean([word in vocabulary_words for word in words]))


def bigram_generate(train_ids, vocabulary, prompt, length, temperature, count, seed=0, k=1.0):
    """``count`` continuations of ``prompt`` by the add-k bigram model, at ``temperature``.

    The bigram model of chapter 3.4's baselines, sampled like the Transformer: the log-probabilities
    of the next character given the last one, divided by the temperature, then a softmax.
    Returns a list of strings (prompt + continuation).
    """
    train_ids = checks.array(train_ids, "train_ids", 1, dtype_kind="int")
    checks.string(prompt, "prompt")
    checks.non_negative_int(length, "length")
    checks.positive_float(temperature, "temperature")
    checks.positive_int(count, "count")
    checks.positive_float(k, "k")
    V = len(vocabulary)
    counts = np.full((V, V), float(k))  # (previous, next), add-k
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True)) / temperature  # (V, V)
    p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
    cumulative = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)  # (V, V)
    prompt_ids = list(encode(prompt, vocabulary))
    if not prompt_ids:
        raise ValueError("prompt must hold at least one character")
    rng = np.random.default_rng(seed)
    rows = np.empty((count, len(prompt_ids) + length), dtype=np.int64)
    rows[:, : len(prompt_ids)] = prompt_ids
    for t in range(len(prompt_ids), rows.shape[1]):
        draws = rng.random((count, 1))
        rows[:, t] = np.minimum((cumulative[rows[:, t - 1]] < draws).sum(axis=1), V - 1)
    return [decode(row, vocabulary) for row in rows]


def _shares(values, name):
    """Real-word shares, one per sample: a 1-D array in [0, 1], NaN for a sample with no words."""
    values = checks.array(values, name, ndim=1, finite=False).astype(float)
    if np.any(np.isinf(values)) or np.any((values < 0) | (values > 1)):
        raise ValueError(f"{name} must hold shares in [0, 1] (NaN: no words), got {values!r:.60}")
    return values


def judge_spelling(model_shares, bigram_shares):
    """The verdict on "the Transformer spells more real words than the bigram model".

    ``model_shares`` and ``bigram_shares`` hold one real-word share per sample (NaN, for a sample
    with no words, is dropped from both). The gain's 95 % interval over the samples
    (:func:`bigmodel_utils.statistics.paired_gain`, which for independent samples estimates the
    variance of the difference) is judged against zero. Returns a
    :func:`bigmodel_utils.statistics.judge` dict with ``spelling_<lang>`` words and the two shares'
    intervals ``model`` and ``bigram``.
    """
    model_shares = _shares(model_shares, "model_shares")
    bigram_shares = _shares(bigram_shares, "bigram_shares")
    checks.matching(model_shares.size, "model_shares", bigram_shares.size, "bigram_shares")
    kept = ~(np.isnan(model_shares) | np.isnan(bigram_shares))
    gain = stats.paired_gain(bigram_shares[kept], model_shares[kept])
    judged = stats.judge(gain, 0.0, "above", unit="points", scale=100)
    stats.add_words(judged, _SPELLING, "spelling")
    judged["model"] = stats.seed_interval(model_shares[kept])
    judged["bigram"] = stats.seed_interval(bigram_shares[kept])
    return judged


def check_spelling_judgement(judged):
    """Raise AssertionError when the spelling words disagree with the interval (the gate cell)."""
    checks.mapping(judged, "judged", required=[f"spelling_{lang}" for lang in stats.LANGUAGES])
    stats.check_words(judged, _SPELLING, "spelling")
