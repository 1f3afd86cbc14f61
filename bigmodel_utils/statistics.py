"""Intervals and verdicts: how sure a measured effect is, and what it says about a claim.

Chapters 2 and 5 judge the article's claims from measurements that carry two kinds of noise: the
spread between training runs (seeds) and the sampling error of a finite test set. This module turns
such measurements into 95 % intervals and the interval into one of three verdicts, "holds",
"does not hold" or "not settled at this size" -- never from a point estimate. Its wording exists in
every language the book has (English and Chinese). NumPy and SciPy only; nothing is trained here.
"""

import math
import numbers

import numpy as np
from scipy import stats as _scipy_stats

from bigmodel_utils import checks

CONFIDENCE = 0.95
HOLDS, DOES_NOT_HOLD, NOT_SETTLED = "holds", "does not hold", "not settled"
VERDICTS = (HOLDS, DOES_NOT_HOLD, NOT_SETTLED)
DIRECTIONS = ("above", "below")
LANGUAGES = ("en", "zh")
MIN_SEEDS = {"quick": 3, "full": 5}  # seeds a verdict needs in each profile

_WORDS = {
    "en": {HOLDS: "holds", DOES_NOT_HOLD: "does not hold", NOT_SETTLED: "not settled at this size"},
    "zh": {HOLDS: "成立", DOES_NOT_HOLD: "不成立", NOT_SETTLED: "在此规模下尚无定论"},
}
_UNITS = {
    "en": {"": "", "points": " points", "percent": " %", "times": "×", "seconds": " s"},
    "zh": {"": "", "points": " 个百分点", "percent": "%", "times": " 倍", "seconds": " 秒"},
}
_INTERVAL = {
    "en": "{effect}{unit} (95 % CI {low} to {high}{unit})",
    "zh": "{effect}{unit}（95% 置信区间 {low} 至 {high}{unit}）",
}
_EXACT = {
    "en": "{effect}{unit} (exact: counted, not sampled)",
    "zh": "{effect}{unit}（精确值：计数所得，无抽样误差）",
}
_UNDEFINED = {
    "en": "{effect}{unit} (interval undefined: no spread measured)",
    "zh": "{effect}{unit}（区间无法确定：未测到离散程度）",
}


def _values(values, name, minimum=2):
    """``values`` as a finite 1-D float array of at least ``minimum`` entries (one per seed)."""
    array = checks.array(values, name, ndim=1).astype(float)
    if array.size < minimum:
        raise ValueError(
            f"{name} must hold at least {minimum} values (one per seed), got {values!r}"
        )
    return array


def t_quantile(degrees_of_freedom, confidence=CONFIDENCE):
    """The two-sided Student-t quantile for ``confidence`` (2.78 for 4 degrees of freedom).

    ``math.inf`` degrees of freedom give the normal quantile (1.96 for 95 %).
    """
    checks.fraction(confidence, "confidence")
    if isinstance(degrees_of_freedom, bool) or not isinstance(degrees_of_freedom, numbers.Real):
        raise TypeError(f"degrees_of_freedom must be a number >= 1, got {degrees_of_freedom!r}")
    if not degrees_of_freedom >= 1:  # also rejects NaN
        raise ValueError(f"degrees_of_freedom must be >= 1, got {degrees_of_freedom}")
    if math.isinf(degrees_of_freedom):
        return float(_scipy_stats.norm.ppf(0.5 + confidence / 2))
    return float(_scipy_stats.t.ppf(0.5 + confidence / 2, degrees_of_freedom))


def _combined_half_width(seed_variance, test_variance, seeds, confidence):
    """Half width and degrees of freedom of an interval with a seed part and a test-set part.

    The seed variance is estimated from ``seeds`` runs (``seeds - 1`` degrees of freedom); the
    binomial test-set variance is known once the accuracy is. Welch-Satterthwaite gives the degrees
    of freedom of their sum: ``(v_s + v_t)^2 / (v_s^2 / (k - 1))``, infinite when ``v_s = 0``.
    """
    total = seed_variance + test_variance
    if seed_variance == 0:
        degrees = math.inf
    else:
        degrees = total**2 / (seed_variance**2 / (seeds - 1))
    return t_quantile(degrees, confidence) * math.sqrt(total), degrees


def accuracy_standard_error(accuracy, test_size):
    """Binomial standard error of an accuracy measured on ``test_size`` images: sqrt(p(1-p)/n)."""
    checks.probability(accuracy, "accuracy")
    checks.positive_int(test_size, "test_size")
    return math.sqrt(accuracy * (1 - accuracy) / test_size)


def wilson_interval(accuracy, test_size, confidence=CONFIDENCE):
    """Wilson score interval of an accuracy on ``test_size`` test images (the test-set error alone).

    Returns ``(low, high)``, inside [0, 1] even for an accuracy of 0 or 1.
    """
    checks.probability(accuracy, "accuracy")
    checks.positive_int(test_size, "test_size")
    checks.fraction(confidence, "confidence")
    z = float(_scipy_stats.norm.ppf(0.5 + confidence / 2))
    n, p = test_size, float(accuracy)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if p == 0.0 else max(0.0, centre - half)  # exact at the ends, no rounding residue
    high = 1.0 if p == 1.0 else min(1.0, centre + half)
    return (low, high)


def seed_interval(values, confidence=CONFIDENCE, test_size=None):
    """Mean over seeds and its Student-t interval; with ``test_size``, the test-set error added.

    The seeds measure how much training varies; a fixed test set of ``test_size`` images adds a
    sampling error that more seeds cannot shrink. With ``test_size`` the two variances are added,
    s^2/k + p(1-p)/n, and the t quantile takes the Welch-Satterthwaite degrees of freedom of that
    sum. Values are accuracies in [0, 1] when ``test_size`` is given.

    Returns:
        dict: ``mean``, ``std`` (over seeds, ddof 1), ``standard_error``, ``low``, ``high``,
        ``seeds``.

    Raises:
        ValueError / TypeError: fewer than 2 values, non-finite values, bad ``confidence`` or
            ``test_size``.
    """
    values = _values(values, "values")
    checks.fraction(confidence, "confidence")
    mean, spread = float(values.mean()), float(values.std(ddof=1))
    test_variance = 0.0
    if test_size is not None:
        checks.probability(mean, "the mean of values")
        test_variance = accuracy_standard_error(mean, test_size) ** 2
    seed_variance = spread**2 / values.size
    standard_error = math.sqrt(seed_variance + test_variance)
    half, _ = _combined_half_width(seed_variance, test_variance, values.size, confidence)
    return {
        "mean": mean,
        "std": spread,
        "standard_error": standard_error,
        "low": mean - half,
        "high": mean + half,
        "seeds": int(values.size),
    }


def paired_gain(baseline, treatment, confidence=CONFIDENCE, test_size=None):
    """Per-seed gain ``treatment - baseline`` (same seed, same test set) with a paired t interval.

    A zero spread of the gains is never read as certainty: the seeds then measured no noise at all.
    Without ``test_size`` the interval is then undefined, ``(-inf, inf)``, which no verdict can
    settle; with ``test_size`` the test-set error of the two accuracies (treated as independent, an
    upper bound for a paired comparison) is added in quadrature, as in :func:`seed_interval`.
    ``p_value`` is the two-sided paired t-test of "no gain": 1.0 for gains that are all zero, NaN
    for a constant non-zero gain with no test-set error to judge it by.

    Returns:
        dict: ``mean``, ``std``, ``standard_error``, ``low``, ``high``, ``p_value``,
        ``seeds_better`` (seeds where the treatment won), ``seeds``.

    Raises:
        ValueError / TypeError: the two lists differ in length or hold fewer than 2 values.
    """
    baseline, treatment = _values(baseline, "baseline"), _values(treatment, "treatment")
    if baseline.shape != treatment.shape:
        raise ValueError(
            f"baseline and treatment must pair one value per seed, got {baseline.size} and "
            f"{treatment.size} values"
        )
    checks.fraction(confidence, "confidence")
    gains = treatment - baseline  # (seeds,)
    k, mean, spread = gains.size, float(gains.mean()), float(gains.std(ddof=1))
    seed_variance, test_variance = spread**2 / k, 0.0
    if test_size is not None:
        for name, values in (("baseline", baseline), ("treatment", treatment)):
            checks.probability(float(values.mean()), f"the mean of {name}")
            test_variance += accuracy_standard_error(float(values.mean()), test_size) ** 2
    standard_error = math.sqrt(seed_variance + test_variance)
    if standard_error > 0:
        half, degrees = _combined_half_width(seed_variance, test_variance, k, confidence)
        t = mean / standard_error
        p_value = float(2 * _scipy_stats.t.sf(abs(t), degrees))
        low, high = mean - half, mean + half
    else:  # zero spread and no test-set error: nothing measured the noise
        p_value = 1.0 if mean == 0 else math.nan
        low, high = -math.inf, math.inf
    return {
        "mean": mean,
        "std": spread,
        "standard_error": standard_error,
        "low": low,
        "high": high,
        "p_value": p_value,
        "seeds_better": int((gains > 0).sum()),
        "seeds": int(k),
    }


def _interval(interval):
    """``interval`` as a (low, high) pair of floats, from a tuple or a dict with low/high."""
    if isinstance(interval, dict):
        try:
            interval = (interval["low"], interval["high"])
        except KeyError:
            raise ValueError(
                "interval must be (low, high) or a dict with 'low' and 'high'"
            ) from None
    try:
        low, high = (float(bound) for bound in interval)
    except (TypeError, ValueError):
        raise TypeError(
            f"interval must be a pair of numbers (low, high), got {interval!r}"
        ) from None
    if math.isnan(low) or math.isnan(high) or low > high:
        raise ValueError(f"interval must satisfy low <= high, got {interval!r}")
    return low, high


def verdict(interval, threshold, direction):
    """The verdict on a claim "the effect is above (below) ``threshold``" from its interval.

    ``holds`` when the whole interval lies beyond the threshold on the claimed side,
    ``does not hold`` when the whole interval lies on the other side (touching it counts as not
    beyond), ``not settled`` when the interval straddles it. The point estimate plays no part.

    Args:
        interval: ``(low, high)`` or a dict with ``low`` and ``high`` (e.g. from
            :func:`seed_interval` or :func:`paired_gain`).
        threshold: the value the claim says the effect exceeds (or stays under).
        direction: ``"above"`` (the claim: effect > threshold) or ``"below"``.

    Returns:
        one of ``VERDICTS``: ``"holds"``, ``"does not hold"``, ``"not settled"``.
    """
    low, high = _interval(interval)
    threshold = checks.finite_float(threshold, "threshold")
    checks.one_of(direction, "direction", DIRECTIONS)
    if direction == "below":  # mirror: "effect < t" is "-effect > -t"
        low, high, threshold = -high, -low, -threshold
    if low > threshold:
        return HOLDS
    if high <= threshold:
        return DOES_NOT_HOLD
    return NOT_SETTLED


def verdict_words(verdict_name, lang="en", capital=False):
    """The words of a verdict in ``lang``: "holds" / "成立", "not settled at this size" / ...

    ``capital=True`` capitalises the English words for the start of a sentence or a box title.
    """
    checks.one_of(verdict_name, "verdict_name", VERDICTS)
    checks.one_of(lang, "lang", LANGUAGES)
    words = _WORDS[lang][verdict_name]
    return words[0].upper() + words[1:] if capital and lang == "en" else words


def _number(value, digits, signed):
    if math.isinf(value):
        return ("−" if value < 0 else "") + "∞"
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace("-", "−")


def format_effect(effect, interval, lang="en", unit="", scale=1.0, digits=1, signed=True):
    """The text "effect (95 % CI low to high)" in ``lang``.

    For example "+1.2 points (95 % CI +0.3 to +2.1 points)".

    Args:
        effect: the point estimate (shown, but never used to decide).
        interval: ``(low, high)`` or a dict with ``low``/``high``.
        lang: ``"en"`` or ``"zh"``.
        unit: ``""``, ``"points"``, ``"percent"``, ``"times"`` or ``"seconds"``.
        scale: multiplies every number first (100 turns a share into points).
        digits: decimals shown.
        signed: show a sign on every number (for differences).
    """
    checks.one_of(lang, "lang", LANGUAGES)
    checks.one_of(unit, "unit", _UNITS[lang])
    low, high = _interval(interval)
    checks.finite_float(effect, "effect")
    checks.non_negative_int(digits, "digits")
    words = {"effect": _number(scale * float(effect), digits, signed), "unit": _UNITS[lang][unit]}
    if math.isinf(low) and math.isinf(high):
        return _UNDEFINED[lang].format(**words)
    if low == high == float(effect):
        return _EXACT[lang].format(**words)
    low_text, high_text = (_number(scale * bound, digits, signed) for bound in (low, high))
    return _INTERVAL[lang].format(low=low_text, high=high_text, **words)


def judge(interval, threshold, direction, effect=None, unit="", scale=1.0, digits=1, signed=True):
    """Everything a verdict box shows, in every language: verdict, its words, the effect text.

    Returns:
        dict: ``verdict``, ``low``, ``high``, ``threshold``, ``direction``, and for each language
        ``words_<lang>`` (capitalised in English) and ``effect_<lang>`` (see
        :func:`format_effect`).
        ``effect`` defaults to the centre of the interval (or ``interval['mean']``).
    """
    low, high = _interval(interval)
    if effect is None:
        effect = (
            interval["mean"]
            if isinstance(interval, dict) and "mean" in interval
            else ((low + high) / 2 if math.isfinite(low + high) else 0.0)
        )
    name = verdict((low, high), threshold, direction)
    result = dict(verdict=name, low=low, high=high, threshold=float(threshold), direction=direction)
    for lang in LANGUAGES:
        result[f"words_{lang}"] = verdict_words(name, lang, capital=True)
        result[f"effect_{lang}"] = format_effect(
            effect, (low, high), lang, unit, scale, digits, signed
        )
    return result


def check_judgement(judgement):
    """Raise AssertionError when a saved judgement's words disagree with its own interval.

    The hidden gate cell of every chapter with a verdict calls this on each verdict it shows, so a
    build fails when wording and interval part ways.
    """
    checks.mapping(judgement, "judgement", required=("verdict", "low", "high", "threshold",
                                                      "direction"))  # fmt: skip
    expected = verdict(
        (judgement["low"], judgement["high"]), judgement["threshold"], judgement["direction"]
    )
    if judgement["verdict"] != expected:
        raise AssertionError(
            f"verdict {judgement['verdict']!r} but the interval "
            f"[{judgement['low']}, {judgement['high']}] against {judgement['threshold']} "
            f"({judgement['direction']}) says {expected!r}"
        )
    for lang in LANGUAGES:
        key = f"words_{lang}"
        if key in judgement and judgement[key] != verdict_words(expected, lang, capital=True):
            raise AssertionError(f"{key} {judgement[key]!r} does not say {expected!r}")


def seeds_required(profile_name):
    """Seeds a verdict needs in a profile: at least 3 in ``quick``, at least 5 in ``full``."""
    return MIN_SEEDS[checks.one_of(profile_name, "profile_name", MIN_SEEDS)]


def check_seeds(seeds, profile_name):
    """Raise ValueError when ``seeds`` is fewer than a verdict needs in ``profile_name``."""
    needed = seeds_required(profile_name)
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or seeds < needed:
        raise ValueError(
            f"a verdict in the {profile_name!r} profile needs seeds >= {needed}, got {seeds!r}"
        )
    return int(seeds)
