"""The article's claims, judged from intervals: chapter 2's six claims and section 5's remedies.

:func:`size_judgements` turns chapter 2's runs (every width, every seed) into one judgement per
claim of the article's section 2, each from :func:`bigmodel_utils.statistics.judge`: the effect
and its 95 % interval, and the verdict that follows from the interval and the claim's threshold.
:func:`summary_sentence` words a set of saved judgements (chapter 2's and chapter 5's) as the
FAQ's summary, in English and Chinese. Pure functions: nothing is trained or drawn here.
"""

import math

import numpy as np

from bigmodel_utils import checks, statistics

# The article's section 2: three advantages, three limitations, in its order.
ADVANTAGES = ("performance", "generalisation", "robustness_inputs", "robustness_labels")
LIMITATIONS = ("compute", "training_time", "interpretability")
REMEDIES = ("efficient", "distributed", "distillation")  # section 5
CLAIM_NAMES = {
    "performance": {"en": "performance", "zh": "性能"},
    "generalisation": {"en": "generalisation", "zh": "泛化能力"},
    "robustness_inputs": {"en": "robustness to noisy inputs", "zh": "对含噪输入的鲁棒性"},
    "robustness_labels": {"en": "robustness to noisy labels", "zh": "对含噪标签的鲁棒性"},
    "compute": {"en": "the compute cost", "zh": "计算资源需求"},
    "training_time": {"en": "the longer training", "zh": "训练时间较长"},
    "interpretability": {"en": "the loss of interpretability", "zh": "可解释性较差"},
    "efficient": {"en": "efficient algorithms", "zh": "更高效的算法"},
    "distributed": {
        "en": "distributed computing on one machine's shared cores",
        "zh": "分布式计算（在一台机器的共享核心上实测）",
    },
    "distillation": {"en": "knowledge distillation", "zh": "知识蒸馏"},
}
RUN_COLUMNS = ("width", "seed", "forward_flops", "train_accuracy", "test_accuracy",
               "noise_accuracy", "occlusion_accuracy", "saliency_on_object", "train_seconds",
               "gap")  # fmt: skip
_JUDGEMENT_KEYS = ("verdict", "low", "high", "threshold", "direction", "effect")


def _paired(runs, column, name="runs"):
    """(smallest, largest) values of ``column``, one per seed, paired by seed."""
    try:
        widths = sorted(runs["width"].unique())
        small = runs[runs["width"] == widths[0]].set_index("seed")[column]
        large = runs[runs["width"] == widths[-1]].set_index("seed")[column]
    except (KeyError, AttributeError, TypeError) as error:
        raise ValueError(f"{name} must be a table with columns width, seed, {column}") from error
    seeds = small.index.intersection(large.index)
    if len(widths) < 2 or len(seeds) < 2:
        raise ValueError(
            f"{name} must hold at least 2 widths and 2 seeds shared by the smallest and the "
            f"largest, got widths {widths} and seeds {list(seeds)}"
        )
    return small.loc[seeds].to_numpy(float), large.loc[seeds].to_numpy(float)


def _gain_judgement(small, large, threshold, direction, test_size=None):
    gain = statistics.paired_gain(small, large, test_size=test_size)
    judgement = statistics.judge(gain, threshold, direction, unit="points", scale=100)
    return {**judgement, "effect": gain["mean"], "seeds": gain["seeds"]}


def ratio_judgement(denominator, numerator):
    """The claim "numerator / denominator > 1", paired samples, judged on the log scale.

    Chapters 2 and 5.2: the ratio is a geometric mean over the pairs (seeds, or timing rounds),
    its interval the t interval of the log ratios, mapped back.
    """
    denominator = checks.array(denominator, "denominator", ndim=1)
    numerator = checks.array(numerator, "numerator", ndim=1)
    checks.same_shape(denominator, "denominator", numerator, "numerator")
    if np.any(denominator <= 0) or np.any(numerator <= 0):
        raise ValueError("denominator and numerator must be positive (times, FLOPs)")
    logs = np.log(numerator / denominator)
    interval = statistics.seed_interval(logs)
    low, high, effect = (
        math.exp(interval["low"]),
        math.exp(interval["high"]),
        math.exp(interval["mean"]),
    )
    judgement = statistics.judge(
        (low, high), 1.0, "above", effect=effect, unit="times", signed=False
    )
    return {**judgement, "effect": effect, "seeds": interval["seeds"]}


def _exact_ratio_judgement(ratio):
    judgement = statistics.judge(
        (ratio, ratio), 1.0, "above", effect=ratio, unit="times", digits=0, signed=False
    )
    return {**judgement, "effect": ratio, "seeds": 0}


def size_judgements(runs, label_runs, test_size):
    """One judgement per claim of the article's section 2, smallest against largest model.

    Chapter 2. Each compares the smallest and the largest width of the sweep, paired by seed:
    ``performance`` (training accuracy: what the model learned of its data), ``generalisation``
    (test accuracy on unseen images), ``robustness_inputs`` (test accuracy under Gaussian input
    noise), ``robustness_labels`` (test accuracy after training on noisy labels, from
    ``label_runs``), all "larger is higher" with threshold 0; ``compute`` (FLOPs per image,
    counted, larger over smaller above 1); ``training_time`` (training seconds, ratio above 1);
    ``interpretability`` (share of saliency on the object: the claim is that it falls, below 0).
    Two secondary measures are judged the same way but are not claims of the article:
    ``gap`` (train-test gap) and ``occlusion`` (test accuracy with a square blacked out).
    Test-set accuracies carry the test-set error of ``test_size`` images as well as the seeds'.

    Args:
        runs: :func:`bigmodel_utils.sweep.run_sweep`'s table on clean labels (``RUN_COLUMNS``).
        label_runs: the same for the runs trained on noisy labels (at least the two end widths).
        test_size: number of test images.

    Returns:
        dict claim -> judgement (see :func:`bigmodel_utils.statistics.judge`, plus ``effect``
        and ``seeds``).

    Raises:
        ValueError: a table lacks a column, or has fewer than 2 widths or 2 paired seeds.
    """
    for table, name in ((runs, "runs"), (label_runs, "label_runs")):
        if not hasattr(table, "columns"):
            raise TypeError(f"{name} must be a pandas DataFrame, got {type(table).__name__}")
    checks.positive_int(test_size, "test_size")
    judgements = {
        "performance": _gain_judgement(*_paired(runs, "train_accuracy"), 0.0, "above"),
        "generalisation": _gain_judgement(*_paired(runs, "test_accuracy"), 0.0, "above", test_size),
        "robustness_inputs": _gain_judgement(
            *_paired(runs, "noise_accuracy"), 0.0, "above", test_size
        ),
        "robustness_labels": _gain_judgement(
            *_paired(label_runs, "test_accuracy", "label_runs"), 0.0, "above", test_size
        ),
        "compute": _exact_ratio_judgement(
            float(np.divide(*_paired(runs, "forward_flops")[::-1])[0])
        ),
        "training_time": ratio_judgement(*_paired(runs, "train_seconds")),
        "interpretability": _gain_judgement(*_paired(runs, "saliency_on_object"), 0.0, "below"),
        "gap": _gain_judgement(*_paired(runs, "gap"), 0.0, "above"),
        "occlusion": _gain_judgement(*_paired(runs, "occlusion_accuracy"), 0.0, "above", test_size),
    }
    return judgements


_PROPORTION = {
    statistics.HOLDS: {
        "en": "grew less than that",
        "zh": "增长慢于计算量",
    },
    statistics.DOES_NOT_HOLD: {
        "en": "grew at least as much",
        "zh": "增长不慢于计算量",
    },
    statistics.NOT_SETTLED: {
        "en": "grew by an amount the seeds cannot tell apart from it",
        "zh": "的增长与计算量的增长无法区分",
    },
}


def proportion_clause(time_judgement, flops_ratio):
    """Whether training time grew less than the arithmetic, from the time ratio's interval.

    Chapter 2 (training time). The claim "time grows less than FLOPs" holds when the whole
    interval of the time ratio lies below ``flops_ratio``. Returns ``{"en": ..., "zh": ...}``.
    """
    checks.mapping(time_judgement, "time_judgement", required=("low", "high"))
    flops_ratio = checks.positive_float(flops_ratio, "flops_ratio")
    name = statistics.verdict(time_judgement, flops_ratio, "below")
    return statistics.worded(_PROPORTION, {"verdict": name})


def glue_values(judgements, lang="en"):
    """Flat glue key -> text for the verdict boxes: ``<claim>_words`` and ``<claim>_effect``."""
    checks.one_of(lang, "lang", statistics.LANGUAGES)
    checks.mapping(judgements, "judgements")
    for claim, judgement in judgements.items():
        checks.mapping(judgement, f"judgements[{claim!r}]", (f"words_{lang}", f"effect_{lang}"))
    values = {}
    for claim, judgement in judgements.items():
        values[f"{claim}_words"] = judgement[f"words_{lang}"]
        values[f"{claim}_effect"] = judgement[f"effect_{lang}"]
    return values


def flatten(judgements):
    """Judgements as a flat dict ``"<claim>.<key>" -> value`` of JSON numbers and strings."""
    checks.mapping(judgements, "judgements")
    for claim, judgement in judgements.items():
        checks.mapping(judgement, f"judgements[{claim!r}]")
    flat = {}
    for claim, judgement in judgements.items():
        for key, value in judgement.items():
            flat[f"{claim}.{key}"] = float(value) if isinstance(value, (np.floating,)) else value
    return flat


def unflatten(flat):
    """The inverse of :func:`flatten` (keys without a dot are ignored)."""
    checks.mapping(flat, "flat")
    for key in flat:
        checks.string(key, "a key of flat")
    judgements = {}
    for key, value in flat.items():
        if "." in key:
            claim, field = key.split(".", 1)
            judgements.setdefault(claim, {})[field] = value
    return judgements


def check_all(judgements):
    """Raise AssertionError when any judgement's words disagree with its interval (gate cells)."""
    checks.mapping(judgements, "judgements")
    for claim, judgement in judgements.items():
        checks.mapping(judgement, f"judgements[{claim!r}]")
    for claim, judgement in judgements.items():
        try:
            statistics.check_judgement(judgement)
        except AssertionError as error:
            raise AssertionError(f"{claim}: {error}") from None


_VERBS = {
    "en": {
        statistics.HOLDS: ("holds", "hold"),
        statistics.DOES_NOT_HOLD: ("does not hold", "do not hold"),
        statistics.NOT_SETTLED: ("is not settled at this size", "are not settled at this size"),
    },
}
_GROUP = {
    "en": {
        "advantages": "Of the advantages the article claims for large models, ",
        "limitations": "Of the limitations it names, ",
        "remedies": "Of the remedies of its section 5, ",
    },
    "zh": {
        "advantages": "文中所称大模型的优势中，",
        "limitations": "所列的局限中，",
        "remedies": "第 5 节的对策中，",
    },
}


def _join(names, lang):
    if lang == "zh":
        return "、".join(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _group_sentence(claims, judgements, group, lang):
    parts = []
    for name in statistics.VERDICTS:
        members = [CLAIM_NAMES[c][lang] for c in claims if judgements[c]["verdict"] == name]
        if not members:
            continue
        if lang == "en":
            parts.append(f"{_join(members, lang)} {_VERBS['en'][name][len(members) > 1]}")
        else:
            parts.append(f"{_join(members, lang)}{statistics.verdict_words(name, 'zh')}")
    glue = "; " if lang == "en" else "；"
    end = "." if lang == "en" else "。"
    return _GROUP[lang][group] + glue.join(parts) + end


def summary_sentence(judgements, lang="en"):
    """The FAQ's summary of the verdicts: one sentence per group, in ``lang`` ("en" or "zh").

    Args:
        judgements: dict claim -> judgement (each at least with ``verdict``), e.g. chapter 2's
            :func:`size_judgements` merged with chapter 5's; a group whose claims are all missing
            is left out, a group with some missing names only those present.

    Returns:
        str, e.g. "Of the advantages the article claims for large models, performance and
        generalisation hold; robustness to noisy labels is not settled at this size. ..."

    Raises:
        ValueError: no known claim in ``judgements``, or a verdict that is not one of
            :data:`bigmodel_utils.statistics.VERDICTS`.
    """
    checks.mapping(judgements, "judgements")
    checks.one_of(lang, "lang", statistics.LANGUAGES)
    for claim, judgement in judgements.items():
        if claim in CLAIM_NAMES and judgement.get("verdict") not in statistics.VERDICTS:
            raise ValueError(f"judgements[{claim!r}] has no valid verdict: {judgement!r}")
    sentences = []
    for group, claims in (
        ("advantages", ADVANTAGES),
        ("limitations", LIMITATIONS),
        ("remedies", REMEDIES),
    ):
        present = [claim for claim in claims if claim in judgements]
        if present:
            sentences.append(_group_sentence(present, judgements, group, lang))
    if not sentences:
        raise ValueError(f"judgements must hold at least one of {tuple(CLAIM_NAMES)}")
    return (" " if lang == "en" else "").join(sentences)
