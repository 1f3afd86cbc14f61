"""Tests of bigmodel_utils.verdicts: every branch of chapter 2's verdict wording, and bad input."""

import numpy as np
import pandas as pd
import pytest

from bigmodel_utils import verdicts


def make_numbers(**changes):
    """Headline numbers of a sweep where the largest model is best and most robust, gap narrowed."""
    numbers = {
        "params_best": 90_000,
        "params_largest": 90_000,
        "params_most_robust": 90_000,
        "gap_smallest": 0.05,
        "gap_largest": 0.01,
        "test_accuracy_best": 0.96,
        "test_accuracy_largest": 0.96,
    }
    numbers.update(changes)
    return numbers


def make_summary(test_accuracy=(0.80, 0.90, 0.96), noise_accuracy=(0.40, 0.60, 0.72)):
    return pd.DataFrame({"test_accuracy": test_accuracy, "noise_accuracy": noise_accuracy})


def test_largest_is_best_and_most_robust():
    result = verdicts.claim_verdicts(make_numbers(), make_summary(), 1000)
    assert result["performance_lead"] == "True here"
    assert result["performance_clause"] == "The largest model was also the most accurate."
    assert result["robustness_lead"] == "True here"
    assert result["robust_clause"] == "the largest"
    assert result["plateau_clause"] == "a difference within the noise of the measurement"
    assert result["noise_kept_smallest"] == pytest.approx(0.5)
    assert result["noise_kept_largest"] == pytest.approx(0.75)
    assert result["least_noise_drop"] == pytest.approx(24.0)  # min(40, 30, 24) points
    assert result["accuracy_standard_error"] == pytest.approx(100 * np.sqrt(0.96 * 0.04 / 1000))
    assert all(isinstance(value, (str, float)) for value in result.values())


def test_best_is_not_the_largest():
    numbers = make_numbers(
        params_best=20_000,
        params_most_robust=20_000,
        test_accuracy_best=0.97,
        test_accuracy_largest=0.90,
    )
    result = verdicts.claim_verdicts(numbers, make_summary(), 1000)
    assert result["performance_lead"] == "Partly true here"
    assert result["performance_clause"] == (
        "But the most accurate model was the one with 20,000 parameters, not the largest."
    )
    assert (
        result["plateau_clause"] == "a difference larger than the noise of the measurement"
    )  # 7 points >> 2 SE
    assert (
        result["robustness_lead"] == "Partly true here"
    )  # kept more under noise, but not the most robust
    assert result["robust_clause"] == "the one with 20,000 parameters"


@pytest.mark.parametrize(
    "gap_largest, lead, clause",
    [
        (0.06, "Not supported on this data", "widened"),  # gap widened by 1 point
        (0.04, "Supported on this data", "narrowed"),  # gap narrowed by 1 point
        (0.053, "Not settled by this data", "widened"),  # +0.3 points: within the tolerance
        (0.047, "Not settled by this data", "narrowed"),  # -0.3 points: within the tolerance
    ],
)
def test_generalisation_branches(gap_largest, lead, clause):
    result = verdicts.claim_verdicts(
        make_numbers(gap_smallest=0.05, gap_largest=gap_largest), make_summary(), 1000
    )
    assert result["generalisation_lead"] == lead
    assert result["gap_clause"] == clause


def test_robustness_not_supported_when_the_largest_keeps_less():
    summary = make_summary(noise_accuracy=(0.60, 0.60, 0.48))  # kept 75% small vs 50% large
    result = verdicts.claim_verdicts(make_numbers(), summary, 1000)
    assert result["robustness_lead"] == "Not supported on this data"


def test_plateau_threshold_is_two_standard_errors():
    standard_error = np.sqrt(0.9 * 0.1 / 100)  # 3 points on 100 images
    inside = make_numbers(test_accuracy_best=0.9, test_accuracy_largest=0.9 - 1.9 * standard_error)
    outside = make_numbers(test_accuracy_best=0.9, test_accuracy_largest=0.9 - 2.1 * standard_error)
    assert "within" in verdicts.claim_verdicts(inside, make_summary(), 100)["plateau_clause"]
    assert "larger" in verdicts.claim_verdicts(outside, make_summary(), 100)["plateau_clause"]


def test_summary_may_be_a_mapping_of_columns():
    columns = {"test_accuracy": [0.8, 0.96], "noise_accuracy": [0.4, 0.72]}
    assert verdicts.claim_verdicts(make_numbers(), columns, 1000)[
        "noise_kept_largest"
    ] == pytest.approx(0.75)


@pytest.mark.parametrize(
    "numbers, summary, test_size, match",
    [
        ({"params_best": 1}, make_summary(), 1000, "numbers"),
        (make_numbers(), pd.DataFrame({"test_accuracy": [0.9]}), 1000, "summary"),
        (make_numbers(), make_summary((), ()), 1000, "summary"),
        (make_numbers(), make_summary(), 0, "test_size"),
        (make_numbers(), make_summary(), 1000.0, "test_size"),
        (make_numbers(), make_summary(), True, "test_size"),
    ],
)
def test_claim_verdicts_bad_input(numbers, summary, test_size, match):
    with pytest.raises((TypeError, ValueError), match=match):
        verdicts.claim_verdicts(numbers, summary, test_size)


@pytest.mark.parametrize(
    "smallest, largest, lead, clause_end",
    [
        (0.60, 0.61, "Not measurably, at this scale", "about equally focused on the digit"),
        (0.60, 0.58, "Not measurably, at this scale", "about equally focused on the digit"),
        (
            0.60,
            0.70,
            "Not in the way the claim suggests, at this scale",
            "explanations are more focused",
        ),
        (0.60, 0.50, "Partly true here", "explanations are more diffuse"),
    ],
)
def test_interpretability_branches(smallest, largest, lead, clause_end):
    result = verdicts.interpretability_verdict(smallest, largest)
    assert set(result) == {"interpretability_lead", "saliency_clause"}
    assert result["interpretability_lead"] == lead
    assert result["saliency_clause"].startswith("by this measure") and result[
        "saliency_clause"
    ].endswith(clause_end)


def test_interpretability_tolerance_is_three_points():
    assert (
        verdicts.interpretability_verdict(0.5, 0.529)["interpretability_lead"]
        == "Not measurably, at this scale"
    )
    assert (
        verdicts.interpretability_verdict(0.5, 0.531)["interpretability_lead"]
        != "Not measurably, at this scale"
    )
    assert verdicts.interpretability_verdict(np.float32(0.5), np.float64(0.6))[
        "saliency_clause"
    ].endswith("focused")


@pytest.mark.parametrize(
    "smallest, largest, name",
    [
        (1.2, 0.5, "share_smallest"),
        (0.5, -0.1, "share_largest"),
        (float("nan"), 0.5, "share_smallest"),
        ("0.5", 0.5, "share_smallest"),
        (0.5, None, "share_largest"),
    ],
)
def test_interpretability_bad_input(smallest, largest, name):
    with pytest.raises((TypeError, ValueError), match=name):
        verdicts.interpretability_verdict(smallest, largest)
