"""Chapter 5.1's fair mixed-precision comparison: same start, same steps, words from intervals."""

import numpy as np
import pytest

from bigmodel_utils import data, deployment, precision
from bigmodel_utils import statistics as stats


@pytest.fixture(scope="module")
def digits():
    mnist = data.load_mnist(train_size=200, test_size=100, verbose=False)
    return mnist.x_train, mnist.y_train, mnist.x_test, mnist.y_test


@pytest.mark.slow
def test_every_policy_starts_from_the_same_weights_and_a_reset_repeats_a_run(digits):
    # Seed 0 twice: the second run of each policy must repeat the first exactly, which it only
    # does if weights, optimizer state and batch order were all reset.
    comparison = precision.compare_precisions(
        *digits, epochs=2, seeds=[0, 0], policies=("float32", "mixed_bfloat16"), batch_size=64
    )
    assert comparison["steps"] == 2 * 4
    for policy in ("float32", "mixed_bfloat16"):
        first, second = comparison["accuracy"][policy]
        assert first == second
        assert all(seconds > 0 for seconds in comparison["seconds"][policy])
    float32, bfloat16 = (comparison["models"][p] for p in ("float32", "mixed_bfloat16"))
    assert bfloat16.layers[1].compute_dtype == "bfloat16"
    assert bfloat16.layers[1].variable_dtype == "float32" == float32.layers[1].compute_dtype


def test_bad_arguments_are_named(digits):
    with pytest.raises(ValueError, match="epochs"):
        precision.compare_precisions(*digits, epochs=1, seeds=[0, 1])
    with pytest.raises(ValueError, match="seeds"):
        precision.compare_precisions(*digits, epochs=2, seeds=[0])
    with pytest.raises(ValueError, match="policies"):
        precision.compare_precisions(*digits, epochs=2, seeds=[0, 1], policies=("float64",))
    x, y, x_test, y_test = digits
    with pytest.raises(ValueError, match="y_train"):
        precision.compare_precisions(x, y[:-1], x_test, y_test, epochs=2, seeds=[0, 1])


@pytest.mark.parametrize(
    ("interval", "words"),
    [
        ((0.5, 0.9), "faster"),
        ((1.1, 3.0), "slower"),
        ((0.8, 1.2), "not measurably faster or slower"),
        ((1.0, 1.3), "not measurably faster or slower"),  # touching 1 is not beyond it
    ],
)
def test_speed_words_follow_the_interval_not_the_point(interval, words):
    assert deployment.speed_words(interval) == words
    assert deployment.speed_words(interval, "zh") != words


def _comparison(seconds_mixed, accuracy_mixed):
    return {
        "policies": ("float32", "mixed_float16"),
        "seconds": {"float32": [1.0, 1.1, 0.9], "mixed_float16": seconds_mixed},
        "accuracy": {"float32": [0.95, 0.96, 0.94], "mixed_float16": accuracy_mixed},
    }


def test_judgements_say_slower_when_every_seed_is_slower_and_gate_accepts_them():
    judged = precision.judge_precisions(_comparison([3.0, 3.4, 2.8], [0.95, 0.96, 0.94]), 100_000)
    time, accuracy = judged["mixed_float16"]["time"], judged["mixed_float16"]["accuracy"]
    assert time["verdict"] == stats.DOES_NOT_HOLD and time["speed_en"] == "slower"
    assert time["low"] > 1
    assert accuracy["verdict"] == stats.HOLDS  # zero gain, +-0.4 points of test error
    precision.check_precision_judgements(judged)


def test_a_large_accuracy_loss_does_not_hold_and_noise_is_not_settled():
    lost = precision.judge_precisions(_comparison([1, 1.1, 0.9], [0.80, 0.81, 0.79]), 10_000)
    assert lost["mixed_float16"]["accuracy"]["verdict"] == stats.DOES_NOT_HOLD
    noisy = precision.judge_precisions(_comparison([1, 1.1, 0.9], [0.99, 0.90, 0.94]), 1_000)
    assert noisy["mixed_float16"]["accuracy"]["verdict"] == stats.NOT_SETTLED
    assert noisy["mixed_float16"]["time"]["speed_en"] == "not measurably faster or slower"


def test_gate_fails_on_words_that_disagree_with_the_interval():
    judged = precision.judge_precisions(_comparison([3.0, 3.4, 2.8], [0.95, 0.96, 0.94]), 10_000)
    judged["mixed_float16"]["time"]["speed_en"] = "faster"  # an injected fault
    with pytest.raises(AssertionError, match="speed words"):
        precision.check_precision_judgements(judged)
    judged = precision.judge_precisions(_comparison([3.0, 3.4, 2.8], [0.95, 0.96, 0.94]), 10_000)
    judged["mixed_float16"]["accuracy"]["verdict"] = stats.DOES_NOT_HOLD
    with pytest.raises(AssertionError):
        precision.check_precision_judgements(judged)


def test_judge_rejects_bad_input():
    with pytest.raises(ValueError, match="comparison"):
        precision.judge_precisions({"policies": ("float32",)}, 100)
    with pytest.raises(TypeError, match="test_size"):
        precision.judge_precisions(_comparison([1, 1, 1], [0.9, 0.9, 0.9]), 0.5)
    assert np.isfinite(precision.ACCURACY_TOLERANCE)


def test_ratio_interval_is_geometric_and_stays_positive():
    interval = deployment.ratio_interval([0.5, 2.0, 1.0])
    assert interval["mean"] == pytest.approx(1.0)
    assert 0 < interval["low"] < 1 < interval["high"]
    assert interval["low"] * interval["high"] == pytest.approx(1.0)  # symmetric on a log scale
    with pytest.raises(ValueError, match="ratios"):
        deployment.ratio_interval([1.0, -1.0])
    with pytest.raises(ValueError, match="ratios"):
        deployment.ratio_interval([1.0])


def test_latency_judgement_pairs_rounds():
    rows = [
        {"model": "base", "latency_rounds_ms": [10.0, 20.0, 15.0, 12.0]},
        {"model": "fast", "latency_rounds_ms": [5.0, 10.0, 7.6, 6.0]},  # half, round by round
    ]
    judged = deployment.latency_judgement(rows, "fast", "base")
    assert judged["verdict"] == stats.HOLDS and judged["speed_en"] == "faster"
    assert judged["high"] < 0.52
    with pytest.raises(ValueError, match="model"):
        deployment.latency_judgement(rows, "missing", "base")
