"""Tests of bigmodel_utils.intervals and .statistics: intervals against SciPy, each verdict branch,
en and zh."""

import math

import numpy as np
import pytest
from scipy import stats

from bigmodel_utils import intervals
from bigmodel_utils import statistics as st


def test_seed_interval_equals_scipy_t_interval():
    values = [0.91, 0.93, 0.92, 0.95, 0.90]
    result = intervals.seed_interval(values)
    low, high = stats.t.interval(0.95, 4, loc=np.mean(values), scale=stats.sem(values))
    assert result["mean"] == pytest.approx(np.mean(values))
    assert result["std"] == pytest.approx(np.std(values, ddof=1))
    assert (result["low"], result["high"]) == pytest.approx((low, high))
    assert result["seeds"] == 5


def test_test_set_error_widens_the_seed_interval_and_survives_zero_spread():
    seeds_only = intervals.seed_interval([0.9, 0.9, 0.9])
    assert seeds_only["low"] == seeds_only["high"] == pytest.approx(0.9)  # seeds agree exactly
    combined = intervals.seed_interval([0.9, 0.9, 0.9], test_size=1000)
    half = 1.959964 * math.sqrt(0.9 * 0.1 / 1000)  # no seed variance: the normal quantile
    assert (combined["low"], combined["high"]) == pytest.approx((0.9 - half, 0.9 + half))
    more = intervals.seed_interval([0.9, 0.9, 0.9], test_size=10_000)
    assert more["high"] - more["low"] < combined["high"] - combined["low"]  # a larger test set


def test_satterthwaite_degrees_of_freedom():
    values = [0.90, 0.92, 0.94]
    seed_variance, test_variance = np.var(values, ddof=1) / 3, 0.92 * 0.08 / 10_000
    degrees = (seed_variance + test_variance) ** 2 / (seed_variance**2 / 2)
    half = stats.t.ppf(0.975, degrees) * math.sqrt(seed_variance + test_variance)
    result = intervals.seed_interval(values, test_size=10_000)
    assert result["high"] - result["mean"] == pytest.approx(half)
    seeds_only = intervals.seed_interval(values)
    assert result["high"] - result["low"] < seeds_only["high"] - seeds_only["low"] + 0.01
    assert degrees > 2  # more degrees than the seeds alone: the test-set part is known
    assert intervals.t_quantile(math.inf) == pytest.approx(1.959964)


def test_standard_error_and_wilson_interval():
    assert intervals.accuracy_standard_error(0.95, 1000) == pytest.approx(
        math.sqrt(0.95 * 0.05 / 1000)
    )
    low, high = intervals.wilson_interval(0.95, 1000)
    assert low < 0.95 < high
    # Wilson against statsmodels' formula written out: centre and half width
    z = stats.norm.ppf(0.975)
    centre = (0.95 + z * z / 2000) / (1 + z * z / 1000)
    assert (low + high) / 2 == pytest.approx(centre)
    assert (
        intervals.wilson_interval(1.0, 50)[1] == 1.0 and intervals.wilson_interval(1.0, 50)[0] < 1.0
    )
    assert (
        intervals.wilson_interval(0.0, 50)[0] == 0.0 and intervals.wilson_interval(0.0, 50)[1] > 0.0
    )


def test_paired_gain_equals_scipy_paired_t_test():
    scratch, distilled = [0.90, 0.91, 0.89, 0.92], [0.92, 0.915, 0.91, 0.93]
    result = intervals.paired_gain(scratch, distilled)
    assert result["mean"] == pytest.approx(np.mean(np.subtract(distilled, scratch)))
    assert result["p_value"] == pytest.approx(stats.ttest_rel(distilled, scratch).pvalue)
    assert result["low"] > 0 and result["seeds_better"] == 4 and result["seeds"] == 4


def test_zero_gain_with_zero_spread_is_not_significant():
    result = intervals.paired_gain([0.9] * 3, [0.9] * 3)
    assert result["mean"] == 0.0
    assert result["low"] <= 0.0 <= result["high"]
    assert result["p_value"] == 1.0
    assert st.verdict(result, 0.0, "above") == st.NOT_SETTLED


def test_constant_nonzero_gain_without_test_error_is_not_settled():
    result = intervals.paired_gain([0.90, 0.91, 0.92], [0.91, 0.92, 0.93])
    assert result["std"] == pytest.approx(0.0, abs=1e-12)
    if result["standard_error"] == 0:  # exact float arithmetic gives a constant gain
        assert math.isnan(result["p_value"])
        assert st.verdict(result, 0.0, "above") == st.NOT_SETTLED


def test_paired_gain_with_test_size_uses_test_set_error():
    result = intervals.paired_gain([0.9] * 3, [0.9] * 3, test_size=1000)
    assert math.isfinite(result["low"]) and result["low"] < 0 < result["high"]
    assert result["p_value"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "interval, threshold, direction, expected",
    [
        ((0.1, 0.3), 0.0, "above", st.HOLDS),
        ((-0.3, -0.1), 0.0, "above", st.DOES_NOT_HOLD),
        ((-0.1, 0.3), 0.0, "above", st.NOT_SETTLED),
        ((0.0, 0.0), 0.0, "above", st.DOES_NOT_HOLD),  # exactly no effect is not an effect above 0
        ((-0.3, -0.1), 0.0, "below", st.HOLDS),
        ((0.1, 0.3), 0.0, "below", st.DOES_NOT_HOLD),
        ((-0.1, 0.3), 0.0, "below", st.NOT_SETTLED),
        ((1.5, 2.5), 1.0, "above", st.HOLDS),
        ((0.5, 1.0), 1.0, "above", st.DOES_NOT_HOLD),  # touching the threshold is not beyond it
        ((-math.inf, math.inf), 0.0, "above", st.NOT_SETTLED),
        ({"low": 0.2, "high": 0.4, "mean": 0.3}, 0.1, "above", st.HOLDS),
    ],
)
def test_verdict_branches(interval, threshold, direction, expected):
    assert st.verdict(interval, threshold, direction) == expected


def test_verdict_ignores_the_point_estimate():
    # same interval, any mean: same verdict
    assert st.verdict({"low": -0.1, "high": 0.5, "mean": 0.45}, 0.0, "above") == st.NOT_SETTLED


@pytest.mark.parametrize(
    "name, en, zh",
    [
        (st.HOLDS, "holds", "成立"),
        (st.DOES_NOT_HOLD, "does not hold", "不成立"),
        (st.NOT_SETTLED, "not settled at this size", "在此规模下尚无定论"),
    ],
)
def test_verdict_words_in_both_languages(name, en, zh):
    assert st.verdict_words(name, "en") == en
    assert st.verdict_words(name, "en", capital=True) == en[0].upper() + en[1:]
    assert st.verdict_words(name, "zh") == zh
    assert st.verdict_words(name, "zh", capital=True) == zh


def test_format_effect_in_both_languages():
    en = st.format_effect(0.012, (0.003, 0.021), "en", unit="points", scale=100)
    assert en == "+1.2 points (95 % CI +0.3 to +2.1 points)"
    zh = st.format_effect(0.012, (0.003, 0.021), "zh", unit="points", scale=100)
    assert zh == "+1.2 个百分点（95% 置信区间 +0.3 至 +2.1 个百分点）"
    negative = st.format_effect(-0.5, (-1.0, 0.0), "en", digits=2)
    assert negative == "−0.50 (95 % CI −1.00 to +0.00)"
    assert st.format_effect(2.0, (1.5, 2.5), "en", unit="times", signed=False) == (
        "2.0× (95 % CI 1.5 to 2.5×)"
    )
    assert "undefined" in st.format_effect(0.0, (-math.inf, math.inf), "en")
    assert st.format_effect(60.0, (60.0, 60.0), "en", unit="times", signed=False, digits=0) == (
        "60× (exact: counted, not sampled)"
    )
    assert "精确值" in st.format_effect(60.0, (60.0, 60.0), "zh")
    assert "无法确定" in st.format_effect(0.0, (-math.inf, math.inf), "zh")


def test_judge_and_check_judgement():
    judgement = st.judge(
        {"low": 0.01, "high": 0.03, "mean": 0.02}, 0.0, "above", unit="points", scale=100
    )
    assert judgement["verdict"] == st.HOLDS
    assert judgement["words_en"] == "Holds" and judgement["words_zh"] == "成立"
    assert judgement["effect_en"].startswith("+2.0 points")
    st.check_judgement(judgement)  # consistent: no error
    with pytest.raises(AssertionError, match="says 'holds'"):
        st.check_judgement({**judgement, "verdict": st.NOT_SETTLED})
    with pytest.raises(AssertionError, match="words_en"):
        st.check_judgement({**judgement, "words_en": "Does not hold"})
    with pytest.raises(AssertionError):
        st.check_judgement({**judgement, "low": -0.01})  # the interval moved, the words did not
    with pytest.raises(ValueError, match="threshold"):
        st.check_judgement({"verdict": st.HOLDS, "low": 0, "high": 1, "direction": "above"})


def test_seeds_per_profile():
    assert st.seeds_required("quick") == 3 and st.seeds_required("full") == 5
    assert st.check_seeds(5, "full") == 5
    with pytest.raises(ValueError, match="seeds >= 5"):
        st.check_seeds(3, "full")
    with pytest.raises(ValueError, match="profile_name"):
        st.seeds_required("fast")


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: intervals.seed_interval([0.9]), ValueError, "at least 2"),
        (lambda: intervals.seed_interval("0.9, 0.8"), TypeError, "values must be an array"),
        (lambda: intervals.seed_interval([0.9, float("nan")]), ValueError, "finite"),
        (lambda: intervals.seed_interval([[0.9, 0.8]]), ValueError, "values must have 1 dim"),
        (lambda: intervals.seed_interval([0.9, 0.8], confidence=1.5), ValueError, "confidence"),
        (lambda: intervals.seed_interval([0.9, 0.8], test_size=0), ValueError, "test_size"),
        (lambda: intervals.seed_interval([0.9, 0.8], test_size=10.0), TypeError, "test_size"),
        (lambda: intervals.seed_interval([2.0, 3.0], test_size=10), ValueError, "mean of values"),
        (lambda: intervals.paired_gain([0.9, 0.8], [0.9, 0.8, 0.7]), ValueError, "pair"),
        (lambda: intervals.accuracy_standard_error(1.2, 100), ValueError, "accuracy"),
        (lambda: intervals.accuracy_standard_error(True, 100), TypeError, "accuracy"),
        (lambda: intervals.wilson_interval(0.5, -3), ValueError, "test_size"),
        (lambda: st.verdict((0.3, 0.1), 0.0, "above"), ValueError, "low <= high"),
        (lambda: st.verdict((float("nan"), 0.1), 0.0, "above"), ValueError, "low <= high"),
        (lambda: st.verdict("ab", 0.0, "above"), TypeError, "interval"),
        (lambda: st.verdict({"low": 0.1}, 0.0, "above"), ValueError, "interval"),
        (lambda: st.verdict((0.1, 0.2), 0.0, "up"), ValueError, "direction"),
        (lambda: st.verdict((0.1, 0.2), "0", "above"), TypeError, "threshold"),
        (lambda: st.verdict((0.1, 0.2), math.inf, "above"), ValueError, "threshold"),
        (lambda: st.verdict_words("maybe"), ValueError, "verdict_name"),
        (lambda: st.verdict_words(st.HOLDS, "fr"), ValueError, "lang"),
        (lambda: st.format_effect(0.1, (0, 1), unit="kg"), ValueError, "unit"),
        (lambda: st.format_effect("0.1", (0, 1)), TypeError, "effect"),
        (lambda: st.format_effect(0.1, (0, 1), digits=-1), ValueError, "digits"),
        (lambda: intervals.t_quantile(0), ValueError, "degrees_of_freedom"),
        (lambda: intervals.t_quantile(float("nan")), ValueError, "degrees_of_freedom"),
        (
            lambda: intervals.paired_gain([2.0, 3.0], [2.0, 3.1], test_size=10),
            ValueError,
            "baseline",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_statistics_reads_the_intervals_the_chapters_use_from_one_place():
    for name in ("CONFIDENCE", "accuracy_standard_error", "paired_gain", "seed_interval"):
        assert getattr(st, name) is getattr(intervals, name)  # re-exported, not a copy


TABLE = {
    st.HOLDS: {"en": "grew ({effect})", "zh": "增长（{effect}）"},
    st.DOES_NOT_HOLD: {"en": "shrank", "zh": "缩小"},
    st.NOT_SETTLED: {"en": "unclear", "zh": "不清楚"},
}


@pytest.mark.parametrize(
    "interval, en",
    [((0.01, 0.03), "grew (+2.0 points (95 % CI +1.0 to +3.0 points))"),
     ((-0.03, -0.01), "shrank"), ((-0.01, 0.01), "unclear")],
)  # fmt: skip
def test_worded_gives_the_sentence_of_the_verdict_with_its_effect(interval, en):
    judgement = st.judge(interval, 0.0, "above", unit="points", scale=100)
    words = st.worded(TABLE, judgement)
    assert words["en"] == en
    assert words["zh"] == st.worded(TABLE, judgement)["zh"] != ""
    if judgement["verdict"] == st.HOLDS:
        assert judgement["effect_zh"] in words["zh"]


def test_add_words_stores_what_check_words_accepts_and_a_changed_word_fails():
    judgement = st.add_words(st.judge((0.01, 0.03), 0.0, "above"), TABLE, "trend")
    assert judgement["trend_en"].startswith("grew") and judgement["trend_zh"].startswith("增长")
    st.check_words(judgement, TABLE, "trend")
    tampered = dict(judgement, trend_en="shrank")  # an injected fault: the words of another verdict
    with pytest.raises(AssertionError, match="trend_en disagrees"):
        st.check_words(tampered, TABLE, "trend")
    flipped = dict(judgement, verdict=st.DOES_NOT_HOLD, trend_en="shrank", trend_zh="缩小")
    # words that follow a verdict the interval denies
    with pytest.raises(AssertionError, match="verdict"):
        st.check_words(flipped, TABLE, "trend")


def test_worded_refuses_a_table_without_every_verdict_or_language():
    judgement = {"verdict": st.HOLDS}
    with pytest.raises(ValueError, match="table is missing"):
        st.worded({st.HOLDS: {"en": "a", "zh": "b"}}, judgement)
    with pytest.raises(ValueError, match=r"table\['holds'\] is missing"):
        st.worded(dict(TABLE, **{st.HOLDS: {"en": "a"}}), judgement)
    # a text with {effect}, and no effect to put there
    with pytest.raises(ValueError, match="effect_en"):
        st.worded(TABLE, judgement)
