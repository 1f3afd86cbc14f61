"""Chapter 5.3 experiments: per-digit accuracy, the validation-chosen bias, paired seeds."""

import numpy as np
import pytest

from bigmodel_utils import distillation, distillation_experiments


def test_per_digit_accuracy_and_bias():
    y = np.array([0, 1, 2, 2])
    logits = np.array([[5.0, 0, 0], [0, 5.0, 0], [0, 4.0, 3.0], [0, 0, 1.0]])
    np.testing.assert_allclose(
        distillation_experiments.per_digit_accuracy(logits, y, num_classes=3), [1.0, 1.0, 0.5]
    )
    corrected = distillation_experiments.add_digit_bias(logits, 2, 2.0)
    np.testing.assert_allclose(
        distillation_experiments.per_digit_accuracy(corrected, y, num_classes=3), [1.0, 1.0, 1.0]
    )
    assert logits[2, 2] == 3.0  # the input is not modified
    bias = distillation_experiments.choose_digit_bias(logits, y, 2, biases=np.arange(0.0, 6.0, 0.5))
    assert 1.0 < bias < 4.0  # enough to fix image 2, not so much that 1 becomes a 2


def test_gap_and_paired_gain():
    assert distillation_experiments.gap_recovered(0.98, 0.94, 0.96) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="teacher_accuracy"):
        distillation_experiments.gap_recovered(0.9, 0.95, 0.96)
    gain = distillation_experiments.paired_gain([0.90, 0.91, 0.92], [0.92, 0.93, 0.95])
    assert gain["mean"] == pytest.approx(0.07 / 3) and gain["seeds_better"] == 3
    assert 0 < gain["p_value"] < 0.05
    assert gain["low"] > 0  # three seeds that all gained 1-3 points
    no_gain = distillation_experiments.paired_gain([0.9] * 3, [0.9] * 3)
    assert no_gain["mean"] == 0 and no_gain["p_value"] == 1.0  # zero spread is not significance
    assert no_gain["low"] <= 0 <= no_gain["high"]
    with pytest.raises(ValueError, match="at least 2"):
        distillation_experiments.paired_gain([0.9], [0.91])


@pytest.mark.slow
def test_experiments_run_end_to_end_on_a_tiny_set():
    rng = np.random.default_rng(0)
    x = rng.random((120, 28, 28, 1)).astype(np.float32)
    y = np.arange(120) % 10
    t = rng.standard_normal((120, 10)).astype(np.float32)
    paired = distillation_experiments.paired_seeds(
        x, y, t, x[:40], y[:40], seeds=2, alpha=0.5, T=2.0, epochs=1
    )
    assert len(paired["scratch"]) == len(paired["distilled"]) == 2
    assert all(0 <= a <= 1 for a in paired["scratch"] + paired["distilled"])
    omitted = distillation_experiments.omitted_digit(
        x, y, t, x[:40], y[:40], x[:40], y[:40], seeds=1, alpha=0.5, T=2.0, epochs=1
    )
    assert (
        omitted["scratch"][distillation.OMITTED_DIGIT] == 0.0
    )  # never trained on it: never predicts it
    assert omitted["runs"][0]["per_digit"].shape == (10,)


def test_gap_recovery_interval_over_seeds():
    recovery = distillation_experiments.gap_recovery(0.98, [0.94, 0.95, 0.94], [0.96, 0.96, 0.95])
    assert recovery["values"] == pytest.approx([0.5, 1 / 3, 0.25])
    assert recovery["low"] < recovery["mean"] < recovery["high"] and recovery["seeds"] == 3


def test_temperature_sweep_reuses_known_runs_and_trains_the_rest(monkeypatch):
    trained = []

    def fake_train_students(x, y, t, runs, epochs):
        trained.extend((run.T, run.seed, run.alpha) for run in runs)
        return [("student", run.T, run.seed) for run in runs], 0.0

    monkeypatch.setattr(distillation_experiments, "train_students", fake_train_students)
    monkeypatch.setattr(
        distillation_experiments.training, "accuracy", lambda model, x, y: 0.9 + 0.01 * model[2]
    )
    x, y, t = np.zeros((4, 28, 28, 1), np.float32), np.arange(4), np.zeros((4, 10), np.float32)
    sweep = distillation_experiments.temperature_sweep(
        x, y, t, x, y, [1.0, 20.0], seeds=3, alpha=0.1, epochs=1,
        known={20.0: [0.5, 0.6, 0.7]},
    )  # fmt: skip
    assert sweep[20.0] == [0.5, 0.6, 0.7]  # reused, not trained again
    assert sweep[1.0] == pytest.approx([0.90, 0.91, 0.92])
    assert trained == [(1.0, 0, 0.1), (1.0, 1, 0.1), (1.0, 2, 0.1)]  # in one group
    assert list(sweep) == [1.0, 20.0]  # in the order asked for


def test_offline_cost_verdict_comes_from_the_interval_of_the_ratios():
    from bigmodel_utils import statistics

    judge = distillation_experiments.offline_cost_judgement
    assert judge([1.0, 1.02, 0.98, 1.01])["verdict"] == statistics.HOLDS
    assert judge([1.5, 1.6, 1.55])["verdict"] == statistics.DOES_NOT_HOLD
    # a mean well below the limit, but rounds so noisy that the interval straddles it
    noisy = judge([0.5, 1.6, 0.6, 1.5])
    assert noisy["verdict"] == statistics.NOT_SETTLED and noisy["high"] > 1.25
    assert "×" in noisy["effect_en"] and "倍" in noisy["effect_zh"]
    assert judge([1.1, 1.2], limit=1.5)["threshold"] == 1.5
    for bad, error in (([1.0], ValueError), ([1.0, -1.0], ValueError), ([1.0, np.nan], ValueError)):
        with pytest.raises(error):
            judge(bad)
    with pytest.raises(ValueError):
        judge([1.0, 1.1], limit=1.0)
