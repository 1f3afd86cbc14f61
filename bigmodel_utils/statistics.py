"""Verdicts: what a measured interval says about a claim, in every language the book has.

Chapters 2, 3 and 5 judge the article's claims from measurements that carry two kinds of noise:
the spread between training runs (seeds) and the sampling error of a finite test set.
:mod:`bigmodel_utils.intervals` turns them into 95 % intervals (re-exported here, so a chapter
reads ``statistics.seed_interval`` and ``statistics.paired_gain``); this module turns an interval
into one of three verdicts, "holds", "does not hold" or "not settled at this size" -- never from a
point estimate -- and words it in English and Chinese. NumPy only; nothing is trained here.
"""

import math

import numpy as np

from bigmodel_utils import checks
from bigmodel_utils.intervals import (  # noqa: F401 (re-exported: the chapters read them here)
    CONFIDENCE,
    accuracy_standard_error,
    paired_gain,
    seed_interval,
    t_quantile,
)

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


def worded(table, judgement):
    """The sentence ``table`` gives ``judgement``'s verdict, in every language.

    The one lookup behind every text a chapter glues by its verdict (chapters 2, 3.3-3.4 and
    5.1-5.3): ``table`` maps each of :data:`VERDICTS` to ``{"en": ..., "zh": ...}``, and a text
    that holds ``{effect}`` gets the judgement's ``effect_<lang>`` there. Returns
    ``{"en": ..., "zh": ...}``.
    """
    checks.mapping(judgement, "judgement", required=("verdict",))
    name = checks.one_of(judgement["verdict"], 'judgement["verdict"]', VERDICTS)
    checks.mapping(table, "table", required=VERDICTS)
    texts = checks.mapping(table[name], f"table[{name!r}]", required=LANGUAGES)
    words = {}
    for lang in LANGUAGES:
        text = checks.string(texts[lang], f"table[{name!r}][{lang!r}]")
        if "{effect}" in text:
            checks.mapping(judgement, "judgement", required=(f"effect_{lang}",))
            text = text.format(effect=judgement[f"effect_{lang}"])
        words[lang] = text
    return words


def add_words(judgement, table, key):
    """Store :func:`worded`'s sentences in ``judgement`` as ``<key>_en`` and ``<key>_zh``."""
    checks.string(key, "key")
    for lang, text in worded(table, judgement).items():
        judgement[f"{key}_{lang}"] = text
    return judgement


def check_words(judgement, table, key):
    """Raise AssertionError when the verdict or its ``<key>_<lang>`` words disagree (gate cells).

    The verdict must follow from its interval (:func:`check_judgement`) and each stored sentence
    must be the one ``table`` gives that verdict.
    """
    checks.string(key, "key")
    check_judgement(judgement)
    for lang, text in worded(table, judgement).items():
        if judgement.get(f"{key}_{lang}") != text:
            raise AssertionError(
                f"{key}_{lang} disagrees with the verdict {judgement['verdict']!r}"
            )


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
