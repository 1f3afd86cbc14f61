"""Tests of bigmodel_utils.verdicts: chapter 2's judgements from runs, and the FAQ's summary."""

import numpy as np
import pandas as pd
import pytest

from bigmodel_utils import statistics, verdicts


def make_runs(large=None, seeds=3, small=None):
    """Runs of a smallest (width 0.25) and a largest (width 1) model, per seed."""
    small = {
        "forward_flops": 1e5,
        "train_accuracy": 0.80,
        "test_accuracy": 0.78,
        "noise_accuracy": 0.50,
        "occlusion_accuracy": 0.60,
        "saliency_on_object": 0.60,
        "train_seconds": 2.0,
        **(small or {}),
    }
    large = {
        "forward_flops": 1.6e6,
        "train_accuracy": 0.95,
        "test_accuracy": 0.88,
        "noise_accuracy": 0.60,
        "occlusion_accuracy": 0.70,
        "saliency_on_object": 0.60,
        "train_seconds": 6.0,
        **(large or {}),
    }
    rows = []
    for seed in range(seeds):
        jitter = 0.004 * (seed - 1)  # seeds differ a little, the same way for both sizes
        for width, values in ((0.25, small), (1.0, large)):
            row = {"width": width, "seed": seed}
            for key, value in values.items():
                row[key] = value * (1 + 0.01 * (seed - 1)) if key == "train_seconds" else value
                if key.endswith("accuracy") or key == "saliency_on_object":
                    row[key] = value + jitter * (1 if width == 1.0 else 0.5)
            row["gap"] = row["train_accuracy"] - row["test_accuracy"]
            rows.append(row)
    return pd.DataFrame(rows)


def test_clear_gains_hold_and_a_flat_saliency_is_not_settled_or_does_not_hold():
    runs = make_runs()
    judgements = verdicts.size_judgements(runs, make_runs(), test_size=10_000)
    for claim in ("performance", "generalisation", "robustness_inputs", "robustness_labels"):
        assert judgements[claim]["verdict"] == statistics.HOLDS, claim
        assert judgements[claim]["low"] > 0
    assert judgements["compute"]["verdict"] == statistics.HOLDS
    assert judgements["compute"]["effect"] == pytest.approx(16.0)
    assert judgements["compute"]["low"] == judgements["compute"]["high"] == pytest.approx(16.0)
    assert "exact" in judgements["compute"]["effect_en"]
    assert judgements["training_time"]["verdict"] == statistics.HOLDS
    assert judgements["training_time"]["effect"] == pytest.approx(3.0)
    # equal saliency shares: the claim "falls" cannot hold
    assert judgements["interpretability"]["verdict"] != statistics.HOLDS
    verdicts.check_all(judgements)


def test_test_set_error_leaves_a_small_gain_not_settled():
    small_gain = make_runs(large={"test_accuracy": 0.785})  # half a point on 1,000 images
    judgements = verdicts.size_judgements(small_gain, make_runs(), test_size=1000)
    assert judgements["generalisation"]["verdict"] == statistics.NOT_SETTLED
    assert judgements["generalisation"]["words_en"] == "Not settled at this size"
    assert judgements["generalisation"]["words_zh"] == "在此规模下尚无定论"


def test_a_loss_under_noise_does_not_hold():
    worse = make_runs(large={"noise_accuracy": 0.30})
    judgements = verdicts.size_judgements(worse, worse, test_size=10_000)
    assert judgements["robustness_inputs"]["verdict"] == statistics.DOES_NOT_HOLD
    assert judgements["robustness_inputs"]["high"] < 0


def test_interpretability_claim_holds_when_saliency_leaves_the_object():
    diffuse = make_runs(large={"saliency_on_object": 0.40})
    judgements = verdicts.size_judgements(diffuse, diffuse, test_size=10_000)
    assert judgements["interpretability"]["verdict"] == statistics.HOLDS
    assert judgements["interpretability"]["direction"] == "below"


def test_glue_values_and_flatten_round_trip():
    judgements = verdicts.size_judgements(make_runs(), make_runs(), test_size=10_000)
    values = verdicts.glue_values(judgements, "zh")
    assert values["performance_words"] == "成立" and "置信区间" in values["performance_effect"]
    flat = verdicts.flatten(judgements)
    assert all(isinstance(v, (str, float, int)) for v in flat.values())
    assert verdicts.unflatten({**flat, "sizes": 5}) == judgements


def test_proportion_clause_from_the_interval():
    judgement = {"low": 2.0, "high": 4.0}
    assert verdicts.proportion_clause(judgement, 16.0)["en"] == "grew less than that"
    assert verdicts.proportion_clause(judgement, 1.5)["en"] == "grew at least as much"
    assert "cannot tell" in verdicts.proportion_clause(judgement, 3.0)["en"]
    assert verdicts.proportion_clause(judgement, 3.0)["zh"]
    with pytest.raises(ValueError, match="flops_ratio"):
        verdicts.proportion_clause(judgement, -1.0)


def fake(verdict_name):
    return {"verdict": verdict_name}


def test_summary_sentence_groups_verdicts_in_both_languages():
    judgements = {
        "performance": fake(statistics.HOLDS),
        "generalisation": fake(statistics.HOLDS),
        "robustness_inputs": fake(statistics.DOES_NOT_HOLD),
        "robustness_labels": fake(statistics.NOT_SETTLED),
        "compute": fake(statistics.HOLDS),
        "training_time": fake(statistics.HOLDS),
        "interpretability": fake(statistics.NOT_SETTLED),
        "distillation": fake(statistics.HOLDS),
    }
    en = verdicts.summary_sentence(judgements, "en")
    assert en.startswith("Of the advantages the article claims for large models, performance and ")
    assert "generalisation hold; robustness to noisy inputs does not hold; " in en
    assert "robustness to noisy labels is not settled at this size." in en
    assert "the compute cost and the longer training hold" in en
    assert "knowledge distillation holds." in en
    zh = verdicts.summary_sentence(judgements, "zh")
    assert "性能、泛化能力成立" in zh and "对含噪输入的鲁棒性不成立" in zh
    assert "知识蒸馏成立" in zh and zh.endswith("。")


def test_summary_sentence_follows_the_verdicts_not_a_fixed_text():
    all_hold = {claim: fake(statistics.HOLDS) for claim in verdicts.ADVANTAGES}
    none_hold = {claim: fake(statistics.DOES_NOT_HOLD) for claim in verdicts.ADVANTAGES}
    assert verdicts.summary_sentence(all_hold) != verdicts.summary_sentence(none_hold)
    assert "do not hold" in verdicts.summary_sentence(none_hold)
    assert "limitations" not in verdicts.summary_sentence(all_hold)  # absent group left out


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: verdicts.summary_sentence({}), "at least one"),
        (lambda: verdicts.summary_sentence({"compute": {"verdict": "maybe"}}), "valid verdict"),
        (lambda: verdicts.summary_sentence({"compute": fake("holds")}, "fr"), "lang"),
        (lambda: verdicts.size_judgements(make_runs(seeds=1), make_runs(), 100), "2 seeds"),
        (lambda: verdicts.size_judgements(make_runs(), make_runs(), 0), "test_size"),
        (
            lambda: verdicts.size_judgements(make_runs().drop(columns="gap"), make_runs(), 100),
            "columns",
        ),
        (
            lambda: verdicts.size_judgements(
                make_runs(), make_runs()[make_runs()["width"] == 1.0], 100
            ),
            "label_runs",
        ),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_check_all_names_the_claim_whose_words_disagree():
    judgements = verdicts.size_judgements(make_runs(), make_runs(), test_size=10_000)
    judgements["generalisation"]["verdict"] = statistics.NOT_SETTLED
    with pytest.raises(AssertionError, match="generalisation"):
        verdicts.check_all(judgements)
    assert np.isfinite(judgements["performance"]["low"])
