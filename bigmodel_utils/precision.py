"""Chapter 5.1: mixed precision, compared fairly -- same initial weights, same batches, same steps.

The article's CNN is trained under each Keras dtype policy (``float32``, ``mixed_float16``,
``mixed_bfloat16``) from the very same float32 initial weights, on the same batches in the same
order, for the same number of steps; this is repeated for several seeds. Epoch times are those of
whole epochs (the first epoch of each model, which also traces and compiles the training step, is
trained but not timed). The ratios to float32 and the accuracy differences get intervals over the
seeds (:mod:`bigmodel_utils.statistics`), and the chapter's words come from those intervals.
"""

import statistics as _stats

import keras
import numpy as np

from bigmodel_utils import checks, efficient, profile, training
from bigmodel_utils import statistics as stats
from bigmodel_utils.deployment import ratio_interval, speed_words

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
ACCURACY_TOLERANCE = 0.01  # "keeps float32's accuracy": loses less than one point
_ACCURACY = {
    stats.HOLDS: {"en": "kept float32's accuracy", "zh": "保持了 float32 的准确率"},
    stats.DOES_NOT_HOLD: {"en": "lost accuracy", "zh": "损失了准确率"},
    stats.NOT_SETTLED: {
        "en": "may or may not have lost accuracy (not settled at this size)",
        "zh": "是否损失准确率在此规模下尚无定论",
    },
}


def _snapshot(model):
    """The model's optimizer, built, and the initial values of all its variables (to reset it)."""
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    return [(variable, np.array(variable.numpy())) for variable in optimizer.variables]


def compare_precisions(
    x_train,
    y_train,
    x_test,
    y_test,
    epochs,
    seeds,
    policies=PRECISIONS,
    batch_size=128,
    learning_rate=2e-3,
):
    """Train the article's CNN under each dtype policy from the same start; time and score each.

    For every seed, one set of float32 initial weights is drawn and copied into one model per
    policy (mixed policies store their weights in float32, so the copy is exact); the optimizer is
    reset, the same seed fixes the order of the batches, and each model takes the same number of
    steps. One compiled model per policy is reused across seeds, so only its very first epoch
    traces the training step; that epoch is not timed.

    Args:
        x_train, y_train, x_test, y_test: images ``(N, 28, 28, 1)`` and integer labels.
        epochs: whole epochs per run (at least 2: the first run's first epoch is not timed).
        seeds: the seeds, one run per policy each (at least 2, for an interval).
        policies: Keras dtype policy names; the first is the baseline of every ratio.
        batch_size, learning_rate: the recipe (Adam), the same for every policy.

    Returns:
        dict: ``policies``, ``seeds``, ``steps`` (training steps per run), and per policy
        ``seconds[policy]`` (median seconds of a whole epoch, one per seed) and
        ``accuracy[policy]`` (test accuracy, one per seed), plus ``models`` (the last run's).

    Raises:
        ValueError: fewer than 2 epochs or seeds, an unknown policy, or mismatched arrays.
    """
    checks.integer(epochs, "epochs", low=2)
    seeds = [checks.non_negative_int(seed, "seeds") for seed in seeds]
    if len(seeds) < 2:
        raise ValueError(f"seeds must hold at least 2 seeds (an interval needs them), got {seeds}")
    policies = tuple(checks.one_of(policy, "policies", PRECISIONS) for policy in policies)
    checks.matching(len(x_train), "x_train", len(y_train), "y_train")
    checks.matching(len(x_test), "x_test", len(y_test), "y_test")
    models, resets = {}, {}
    for policy in policies:
        with efficient.mixed_precision(policy):
            models[policy] = efficient.build_cnn()
        models[policy].compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            steps_per_execution=8,
        )
        resets[policy] = _snapshot(models[policy])
    seconds = {policy: [] for policy in policies}
    accuracy = {policy: [] for policy in policies}
    for run, seed in enumerate(seeds):
        profile.set_seed(seed)
        initial = efficient.build_cnn().get_weights()  # float32: the default policy
        for policy, model in models.items():
            model.set_weights(initial)
            for variable, value in resets[policy]:
                variable.assign(value)
            profile.set_seed(seed)  # the same batches in the same order
            timer = training.EpochTimer()  # compiled once, so fit is timed here
            model.fit(
                x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer]
            )
            timed = timer.seconds[1:] if run == 0 else timer.seconds  # first epoch: tracing
            seconds[policy].append(_stats.median(timed))
            accuracy[policy].append(float(model.evaluate(x_test, y_test, verbose=0)[1]))
    return {
        "policies": policies,
        "seeds": seeds,
        "steps": epochs * -(-len(x_train) // batch_size),
        "seconds": seconds,
        "accuracy": accuracy,
        "models": models,
    }


def judge_precisions(comparison, test_size):
    """The verdicts of chapter 5.1 on each mixed policy against float32, from the seeds' intervals.

    For each policy other than the baseline (the first): ``time`` judges "trains faster" (ratio of
    epoch times below 1; geometric mean and interval over seeds, :func:`ratio_interval`) and
    ``accuracy`` judges "keeps the baseline's accuracy" (paired gain above minus
    ``ACCURACY_TOLERANCE``, seeds and test-set error). Each is
    a :func:`bigmodel_utils.statistics.judge` dict, with ``speed_<lang>`` or ``accuracy_<lang>``
    words added.

    Returns:
        dict: policy -> ``{"time": judgement, "accuracy": judgement}``.
    """
    checks.mapping(comparison, "comparison", required=("policies", "seconds", "accuracy"))
    checks.positive_int(test_size, "test_size")
    baseline, *others = comparison["policies"]
    base_seconds = np.asarray(comparison["seconds"][baseline], dtype=float)
    result = {}
    for policy in others:
        ratios = np.asarray(comparison["seconds"][policy], dtype=float) / base_seconds  # (seeds,)
        time = stats.judge(
            ratio_interval(ratios), 1.0, "below", unit="times", digits=2, signed=False
        )
        gain = stats.paired_gain(
            comparison["accuracy"][baseline], comparison["accuracy"][policy], test_size=test_size
        )
        accuracy = stats.judge(gain, -ACCURACY_TOLERANCE, "above", unit="points", scale=100)
        for lang in stats.LANGUAGES:
            time[f"speed_{lang}"] = speed_words(time, lang)
            accuracy[f"accuracy_{lang}"] = _ACCURACY[accuracy["verdict"]][lang]
        result[policy] = {"time": time, "accuracy": accuracy}
    return result


def check_precision_judgements(judgements):
    """Raise AssertionError when a verdict's words disagree with its interval (the gate cell)."""
    checks.mapping(judgements, "judgements")
    for policy, pair in judgements.items():
        checks.mapping(pair, f"judgements[{policy!r}]", required=("time", "accuracy"))
        stats.check_judgement(pair["time"])
        stats.check_judgement(pair["accuracy"])
        for lang in stats.LANGUAGES:
            if pair["time"][f"speed_{lang}"] != speed_words(pair["time"], lang):
                raise AssertionError(f"{policy}: speed words disagree with the time interval")
            expected = _ACCURACY[stats.verdict(pair["accuracy"], -ACCURACY_TOLERANCE, "above")]
            if pair["accuracy"][f"accuracy_{lang}"] != expected[lang]:
                raise AssertionError(f"{policy}: accuracy words disagree with the gain interval")
