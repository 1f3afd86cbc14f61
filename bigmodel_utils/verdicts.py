"""Chapter 2: the verdicts on the article's claims about large models, worded from measured numbers.

Each function takes numbers the chapter measured (:func:`bigmodel_utils.scaling.headline_numbers`,
:func:`bigmodel_utils.scaling.summarize`, :func:`bigmodel_utils.scaling.saliency_on_strokes`) and
returns a flat dict of glue key -> value: the lead word of each verdict, the clauses its text needs,
and the few numbers computed on the way. Pure functions: nothing is trained or drawn here.
"""

import numpy as np

from bigmodel_utils import checks

GAP_TOLERANCE = 0.005  # a change of the train-test gap smaller than half a point is no trend
SALIENCY_TOLERANCE = (
    0.03  # a change of the saliency-on-strokes share smaller than 3 points is no change
)

CLAIM_NUMBERS = (
    "params_best",
    "params_largest",
    "params_most_robust",
    "gap_smallest",
    "gap_largest",
    "test_accuracy_best",
    "test_accuracy_largest",
)


def _column(summary, name):
    """One column of ``summary`` as a 1-D float array (raises ValueError naming ``summary``)."""
    try:
        column = np.asarray(summary[name], dtype=float)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"summary must have a numeric column {name!r} ({error})") from None
    if column.ndim != 1 or column.size == 0:
        raise ValueError(f"summary[{name!r}] must hold at least one value, one per model size")
    return column


def claim_verdicts(numbers, summary, test_size):
    """Verdicts on performance, generalisation and robustness from the scaling sweep.

    Chapter 2 ("Performance, generalisation and robustness"); thresholds: a gap trend beyond
    ±0.5 points, and a best-minus-largest accuracy difference within 2 standard errors.

    Args:
        numbers: :func:`bigmodel_utils.scaling.headline_numbers` of the sweep (needs the keys in
            ``CLAIM_NUMBERS``).
        summary: :func:`bigmodel_utils.scaling.summarize`'s table (or a mapping of columns), sorted
            by size, with ``test_accuracy`` and ``noise_accuracy``.
        test_size: number of test images the accuracies were measured on.

    Returns:
        dict of glue key -> value: ``noise_kept_smallest`` / ``noise_kept_largest`` (share of clean
        accuracy kept under noise), ``performance_lead``, ``performance_clause``,
        ``generalisation_lead``, ``gap_clause``, ``robustness_lead``, ``least_noise_drop``
        (points), ``accuracy_standard_error`` (points), ``plateau_clause``, ``robust_clause``.

    Raises:
        ValueError: ``numbers`` lacks a key, ``summary`` lacks a column or is empty, or
            ``test_size`` is not a positive integer.
    """
    missing = [key for key in CLAIM_NUMBERS if key not in numbers]
    if missing:
        raise ValueError(f"numbers must hold the keys {CLAIM_NUMBERS}; missing {missing}")
    checks.positive_int(test_size, "test_size")
    test_accuracy, noise_accuracy = (
        _column(summary, "test_accuracy"),
        _column(summary, "noise_accuracy"),
    )
    best, largest = numbers["params_best"], numbers["params_largest"]
    gap_trend = numbers["gap_largest"] - numbers["gap_smallest"]
    noise_kept = noise_accuracy / test_accuracy  # (sizes,)
    kept_more = noise_kept[-1] > noise_kept[0]
    standard_error = np.sqrt(
        numbers["test_accuracy_best"] * (1 - numbers["test_accuracy_best"]) / test_size
    )
    within_noise = (
        numbers["test_accuracy_best"] - numbers["test_accuracy_largest"] < 2 * standard_error
    )
    return {
        "noise_kept_smallest": float(noise_kept[0]),
        "noise_kept_largest": float(noise_kept[-1]),
        "performance_lead": "True here" if best == largest else "Partly true here",
        "performance_clause": "The largest model was also the most accurate."
        if best == largest
        else f"But the most accurate model was the one with {best:,} parameters, not the largest.",
        "generalisation_lead": "Not supported on this data"
        if gap_trend > GAP_TOLERANCE
        else (
            "Supported on this data" if gap_trend < -GAP_TOLERANCE else "Not settled by this data"
        ),
        "gap_clause": "widened" if gap_trend > 0 else "narrowed",
        "robustness_lead": (
            "True here" if numbers["params_most_robust"] == largest else "Partly true here"
        )
        if kept_more
        else "Not supported on this data",
        "least_noise_drop": float(100 * (test_accuracy - noise_accuracy).min()),
        "accuracy_standard_error": float(100 * standard_error),
        "plateau_clause": "a difference within the noise of the measurement"
        if within_noise
        else "a difference larger than the noise of the measurement",
        "robust_clause": "the largest"
        if numbers["params_most_robust"] == largest
        else f"the one with {numbers['params_most_robust']:,} parameters",
    }


def interpretability_verdict(share_smallest, share_largest):
    """Verdict on interpretability from the share of saliency on the digit's strokes.

    Chapter 2 ("Interpretability"); a change of less than 3 points between the smallest and the
    largest model counts as no change.

    Args:
        share_smallest: :func:`bigmodel_utils.scaling.saliency_on_strokes` of the smallest model.
        share_largest: the same for the largest model.

    Returns:
        dict of glue key -> text: ``interpretability_lead`` and ``saliency_clause``.

    Raises:
        ValueError: a share is not a number in [0, 1].
    """
    for name, share in (("share_smallest", share_smallest), ("share_largest", share_largest)):
        checks.probability(share, name)
    change = (
        share_largest - share_smallest
    )  # > 0: the larger model's saliency sits more on the strokes
    verdict = (
        "same" if abs(change) < SALIENCY_TOLERANCE else ("clearer" if change > 0 else "diffuse")
    )
    return {
        "interpretability_lead": {
            "same": "Not measurably, at this scale",
            "diffuse": "Partly true here",
            "clearer": "Not in the way the claim suggests, at this scale",
        }[verdict],
        "saliency_clause": {
            "same": "by this measure the two are about equally focused on the digit",
            "clearer": "by this measure the larger model's explanations are more focused",
            "diffuse": "by this measure the larger model's explanations are more diffuse",
        }[verdict],
    }
