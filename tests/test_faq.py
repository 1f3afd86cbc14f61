"""The FAQ's computed words (chapter 6): each branch, at its threshold, in both editions.

The FAQ glues these clauses into its answers, the English as ``name`` and the Chinese as
``name_zh`` (``zh/README.md``); a wrong branch would state the opposite of the measurement.
"""

import pytest

from bigmodel_utils import faq


def interval(mean, low, high):
    return {"mean": mean, "low": low, "high": high, "seeds": 3}


@pytest.mark.parametrize(
    "ratio, lang, expected",
    [
        (
            interval(2.8, 1.5, 4.0),
            "en",
            "made a training step 2.8 times slower (95 % interval 1.5–4.0)",
        ),
        (
            interval(2.8, 1.5, 4.0),
            "zh",
            "使每个训练步的用时变为原来的 2.8 倍（95% 区间 1.5–4.0 倍）",
        ),
        (
            interval(0.5, 0.25, 0.8),
            "en",
            "made a training step 2.0 times faster (95 % interval 1.2–4.0)",
        ),
        (
            interval(0.5, 0.25, 0.8),
            "zh",
            "使每个训练步的速度提高到原来的 2.0 倍（95% 区间 1.2–4.0 倍）",
        ),
        (
            interval(1.3, 0.9, 1.9),
            "en",
            "did not measurably change a training step's time (ratio 1.30, "
            "95 % interval 0.90–1.90)",
        ),
        (
            interval(1.3, 0.9, 1.9),
            "zh",
            "对每个训练步的用时没有可测出的影响（比值 1.30，95% 区间 0.90–1.90）",
        ),
        (
            interval(0.7, 0.5, 1.0),
            "en",
            "did not measurably change a training step's time (ratio 0.70, "
            "95 % interval 0.50–1.00)",
        ),
    ],
)
def test_mixed_precision_clause_says_slower_or_faster_only_when_the_interval_excludes_one(
    ratio, lang, expected
):
    assert faq.mixed_precision_clause(ratio, lang) == expected


@pytest.mark.parametrize(
    "speedup, en, zh",
    [
        (1.2, "well short of the ideal 2", "远未达到理想的 2 倍"),
        (1.79, "well short of the ideal 2", "远未达到理想的 2 倍"),
        (1.8, "close to the ideal 2", "接近理想的 2 倍"),
        (1.95, "close to the ideal 2", "接近理想的 2 倍"),
    ],
)
def test_speedup_verdict_is_close_from_nine_tenths_of_the_ideal(speedup, en, zh):
    assert faq.speedup_verdict(speedup) == en
    assert faq.speedup_verdict(speedup, "zh") == zh


@pytest.mark.parametrize("speedup, en, zh", [(1.27, "Not by default", "默认情况下不能"),
                                             (1.85, "Nearly", "接近")])  # fmt: skip
def test_speedup_answer_agrees_with_the_verdict(speedup, en, zh):
    assert (faq.speedup_answer(speedup), faq.speedup_answer(speedup, "zh")) == (en, zh)


def test_data_clause_follows_which_model_is_more_accurate():
    assert "assumptions were worth more" in faq.data_clause(0.95, 0.81)
    assert "CNN 内置的假设" in faq.data_clause(0.95, 0.81, "zh")
    assert "already matched" in faq.data_clause(0.80, 0.81)
    assert "已经赶上" in faq.data_clause(0.81, 0.81, "zh"), "a tie is no win for the CNN"


@pytest.mark.parametrize(
    "rnn_mse, en, zh",
    [(0.17, "no better than", "并不优于"), (0.0835, "no better than", "并不优于"),
     (0.0834, "clearly below", "明显低于"), (0.0, "clearly below", "明显低于")],
)  # fmt: skip
def test_memory_clause_needs_half_the_blind_error(rnn_mse, en, zh):
    assert faq.memory_clause(rnn_mse, 0.1668) == en
    assert faq.memory_clause(rnn_mse, 0.1668, "zh") == zh


def test_every_model_name_exists_in_both_languages():
    assert set(faq.MODEL_NAMES) == {"cnn", "simple_rnn", "lstm", "vit"}
    assert all(set(names) == set(faq.LANGUAGES) for names in faq.MODEL_NAMES.values())
    assert faq.MODEL_NAMES["vit"]["zh"] == "视觉 Transformer"
