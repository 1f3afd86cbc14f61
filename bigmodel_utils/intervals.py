"""Intervals: how sure a measured effect is, from the seeds and from the test set.

Chapters 2, 3 and 5 measure effects that carry two kinds of noise: the spread between training
runs (seeds) and the sampling error of a finite test set. This module turns such measurements
into 95 % intervals: the Student-t interval over seeds, with the test set's binomial error
added when asked (:func:`seed_interval`), the paired interval of a gain measured on the same
seeds (:func:`paired_gain`), and the test-set error alone (:func:`accuracy_standard_error`,
:func:`wilson_interval`). :mod:`bigmodel_utils.statistics` reads a verdict from an interval and
re-exports these, so a chapter finds both there. NumPy and SciPy only; nothing is trained here.
"""

import math
import numbers

from scipy import stats as _scipy_stats

from bigmodel_utils import checks

CONFIDENCE = 0.95


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
