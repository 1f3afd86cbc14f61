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
        *digits, seeds=[0, 0], rounds=2, steps_per_round=2, policies=("float32", "mixed_float16")
    )
    assert comparison["steps"] == 2 * 2 and comparison["rounds"] == 2 * 2
    for policy in ("float32", "mixed_float16"):
        first, second = comparison["accuracy"][policy]
        assert first == second
        assert comparison["correct"][policy].shape == (2, len(digits[3]))
        np.testing.assert_array_equal(*comparison["correct"][policy])
        assert len(comparison["seconds"][policy]) == 4
        assert all(seconds > 0 for seconds in comparison["seconds"][policy])
    float32, float16 = (comparison["models"][p] for p in ("float32", "mixed_float16"))
    assert float16.layers[1].compute_dtype == "float16"
    assert float16.layers[1].variable_dtype == "float32" == float32.layers[1].compute_dtype


def test_the_written_out_step_is_the_step_fit_takes(digits):
    # Same weights, same batch, one Adam step: the compiled step and Keras' train_on_batch agree.
    import keras

    x, y = digits[0][:32], digits[1][:32]
    ours, theirs = precision.efficient.build_cnn(), precision.efficient.build_cnn()
    theirs.set_weights(ours.get_weights())
    theirs.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    step, optimizer = precision.train_step(ours, 1e-3)
    assert isinstance(optimizer, keras.optimizers.Adam)
    loss = step(x, y)
    assert float(loss) == pytest.approx(theirs.train_on_batch(x, y), rel=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_bad_arguments_are_named(digits):
    run = dict(seeds=[0, 1], rounds=1, steps_per_round=1)
    with pytest.raises(ValueError, match="rounds"):
        precision.compare_precisions(*digits, **{**run, "rounds": 0})
    with pytest.raises(ValueError, match="seeds"):
        precision.compare_precisions(*digits, **{**run, "seeds": [0]})
    with pytest.raises(ValueError, match="policies"):
        precision.compare_precisions(*digits, **run, policies=("float64",))
    x, y, x_test, y_test = digits
    with pytest.raises(ValueError, match="y_train"):
        precision.compare_precisions(x, y[:-1], x_test, y_test, **run)
    with pytest.raises(ValueError, match="learning_rate"):
        precision.train_step(precision.efficient.build_cnn(), 0.0)


def test_paired_gain_counts_only_the_images_the_two_models_disagree_on():
    rng = np.random.default_rng(0)
    base = rng.random((3, 1000)) < 0.9  # (seeds, images)
    same = precision.paired_accuracy_gain(base, base)
    assert same["mean"] == 0 and same["disagreements"] == 0
    assert 0 < same["high"] < 0.005  # identical on 3,000 images: tight, never certain
    treatment = base.copy()
    treatment[:, :5] = ~treatment[:, :5]  # five images change, in every seed
    paired = precision.paired_accuracy_gain(base, treatment)
    independent = stats.paired_gain(base.mean(1), treatment.mean(1), test_size=1000)
    assert paired["disagreements"] == 15
    assert paired["high"] - paired["low"] < (independent["high"] - independent["low"]) / 3
    assert paired["low"] <= paired["mean"] <= paired["high"]
    with pytest.raises(ValueError, match="correct_baseline"):
        precision.paired_accuracy_gain(base[:1], treatment[:1])
    with pytest.raises(ValueError, match="same shape"):
        precision.paired_accuracy_gain(base, treatment[:, :10])


def test_judgements_use_the_per_image_results_when_there_are_some():
    rng = np.random.default_rng(1)
    correct = rng.random((3, 1000)) < 0.9
    comparison = {
        "policies": ("float32", "mixed_float16"),
        "seconds": {"float32": [1.0, 1.1, 0.9, 1.0], "mixed_float16": [3.0, 3.2, 2.9, 3.1]},
        "accuracy": {p: list(correct.mean(1)) for p in ("float32", "mixed_float16")},
        "correct": {"float32": correct, "mixed_float16": correct},
    }
    judged = precision.judge_precisions(comparison, test_size=1000)["mixed_float16"]
    assert judged["accuracy"]["verdict"] == stats.HOLDS  # same predictions on 3,000 images
    del comparison["correct"]  # two independent accuracies: 1,000 images cannot settle a point
    judged = precision.judge_precisions(comparison, test_size=1000)["mixed_float16"]
    assert judged["accuracy"]["verdict"] == stats.NOT_SETTLED
    assert judged["time"]["speed_en"] == "slower"


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
