"""Chapter 5.1: mixed precision, compared fairly -- same initial weights, same batches, same steps.

The article's CNN is trained under each Keras dtype policy (``float32``, ``mixed_float16``,
``mixed_bfloat16``) from the very same float32 initial weights, on the same batches in the same
order, for the same number of steps; this is repeated for several seeds. Each policy has one
compiled training step (a ``tf.function``, traced once, before any timing); the policies take
turns in timed rounds of a few steps each, so that a change in the machine's load slows all of
them alike and every round pairs their times. The ratios to float32 get an interval over the
rounds, the accuracy differences one over the seeds and the test images (a paired comparison: the
models are scored on the same images), and the chapter's words come from those intervals.
"""

import math
import time as _time

import keras
import numpy as np

from bigmodel_utils import checks, efficient, profile
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


def train_step(model, learning_rate=2e-3):
    """One compiled training step ``step(x, y) -> loss`` for ``model`` under its own dtype policy.

    The step Keras' ``fit`` takes, written out: sparse cross-entropy on the float32 softmax,
    the loss multiplied by the loss scale, gradients of the scaled loss, and ``optimizer.apply``,
    which unscales them, skips a step whose gradients overflowed and adapts the scale
    (Micikevicius et al., 2018). The optimizer is Adam, wrapped in a ``LossScaleOptimizer`` when
    the model computes in ``mixed_float16``, as ``compile`` would wrap it; it is built here.

    Returns:
        ``(step, optimizer)``.
    """
    checks.keras_model(model, "model")
    checks.positive_float(learning_rate, "learning_rate")
    import tensorflow as tf

    optimizer = keras.optimizers.Adam(learning_rate)
    if model.dtype_policy.name == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    optimizer.build(model.trainable_variables)
    loss_function = keras.losses.SparseCategoricalCrossentropy()

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_function(y, model(x, training=True))  # float32: the softmax is float32
            scaled = optimizer.scale_loss(loss)  # a no-op for a plain optimizer
        optimizer.apply(tape.gradient(scaled, model.trainable_variables), model.trainable_variables)
        return loss

    return step, optimizer


def _batch_indices(seed, num_examples, steps, batch_size):
    """``(steps, batch_size)`` training indices: shuffled epochs, one order per seed."""
    rng = np.random.default_rng(seed)
    epochs = -(-steps * batch_size // num_examples)
    order = np.concatenate([rng.permutation(num_examples) for _ in range(epochs)])
    return order[: steps * batch_size].reshape(steps, batch_size)  # (steps, batch_size)


def _scorer(model, x, y):
    """``score() -> bools (len(x),)``: which test images ``model`` classifies right now.

    One compiled forward pass over the whole test set, traced on its first call and reused for
    every seed (cheaper than ``evaluate``, which traces its own graph).
    """
    import tensorflow as tf

    forward = tf.function(lambda images: model(images, training=False))
    images = tf.constant(x, dtype=tf.float32)
    return lambda: np.asarray(forward(images)).argmax(axis=-1) == y  # (len(x),)


def compare_precisions(
    x_train,
    y_train,
    x_test,
    y_test,
    seeds,
    rounds,
    steps_per_round,
    policies=PRECISIONS,
    batch_size=64,
    learning_rate=2e-3,
):
    """Train the article's CNN under each dtype policy from the same start; time and score each.

    For every seed, one set of float32 initial weights is drawn and copied into one model per
    policy (mixed policies store their weights in float32, so the copy is exact), the optimizers
    are reset, and every model takes the same ``rounds * steps_per_round`` steps on the same
    batches. In each round the policies take turns (the order rotates from round to round), each
    running ``steps_per_round`` steps of its compiled :func:`train_step`, timed as one block. The
    steps are traced once per policy, before the first seed, and that step is not timed.

    Args:
        x_train, y_train, x_test, y_test: images ``(N, 28, 28, 1)`` and integer labels.
        seeds: the seeds, one run per policy each (at least 2, for an interval).
        rounds, steps_per_round: timed rounds per seed and steps per policy in each round.
        policies: Keras dtype policy names; the first is the baseline of every ratio.
        batch_size, learning_rate: the recipe (Adam), the same for every policy.

    Returns:
        dict: ``policies``, ``seeds``, ``steps`` (training steps per run), ``rounds`` (timed
        rounds in all) and per policy ``seconds[policy]`` (seconds per step, one per round, the
        rounds of all seeds in order), ``accuracy[policy]`` (test accuracy, one per seed) and
        ``correct[policy]`` (``(seeds, len(x_test))`` bools: which test images it classified
        right), plus ``models`` (the last run's).

    Raises:
        ValueError: fewer than 2 seeds, rounds < 1, an unknown policy, or mismatched arrays.
    """
    seeds = [checks.non_negative_int(seed, "seeds") for seed in seeds]
    if len(seeds) < 2:
        raise ValueError(f"seeds must hold at least 2 seeds (an interval needs them), got {seeds}")
    checks.positive_int(rounds, "rounds")
    checks.positive_int(steps_per_round, "steps_per_round")
    policies = tuple(checks.one_of(policy, "policies", PRECISIONS) for policy in policies)
    checks.matching(len(x_train), "x_train", len(y_train), "y_train")
    checks.matching(len(x_test), "x_test", len(y_test), "y_test")
    checks.positive_int(batch_size, "batch_size")
    checks.positive_float(learning_rate, "learning_rate")
    x_train = np.asarray(x_train, dtype=np.float32)
    models, steps, resets, scorers = {}, {}, {}, {}
    for policy in policies:
        with efficient.mixed_precision(policy):
            models[policy] = efficient.build_cnn()
        steps[policy], optimizer = train_step(models[policy], learning_rate)
        resets[policy] = [(v, np.array(v.numpy())) for v in optimizer.variables]
        steps[policy](x_train[:batch_size], y_train[:batch_size])  # traces; undone below
        scorers[policy] = _scorer(models[policy], x_test, np.asarray(y_test))
    total_steps = rounds * steps_per_round
    seconds = {policy: [] for policy in policies}
    accuracy = {policy: [] for policy in policies}
    correct = {policy: [] for policy in policies}
    for seed in seeds:
        profile.set_seed(seed)
        initial = efficient.build_cnn().get_weights()  # float32: the default policy
        for policy in policies:
            models[policy].set_weights(initial)
            for variable, value in resets[policy]:
                variable.assign(value)
        batches = _batch_indices(seed, len(x_train), total_steps, batch_size)
        for index in range(rounds):
            turn = index % len(policies)
            for policy in policies[turn:] + policies[:turn]:
                block = batches[index * steps_per_round : (index + 1) * steps_per_round]
                seconds[policy].append(_time_steps(steps[policy], x_train, y_train, block))
        for policy in policies:
            correct[policy].append(scorers[policy]())
            accuracy[policy].append(float(correct[policy][-1].mean()))
    return {
        "policies": policies,
        "seeds": seeds,
        "steps": total_steps,
        "rounds": rounds * len(seeds),
        "seconds": seconds,
        "accuracy": accuracy,
        "correct": {policy: np.stack(rows) for policy, rows in correct.items()},
        "models": models,
    }


def _time_steps(step, x, y, block):
    """Seconds per step of ``step`` over the batches ``x[indices]`` of ``block``, one timed run."""
    inputs = [(x[indices], y[indices]) for indices in block]  # gathered before the clock starts
    start = _time.perf_counter()
    for x_batch, y_batch in inputs:
        loss = step(x_batch, y_batch)
    float(loss)  # waits for the last step
    return (_time.perf_counter() - start) / len(block)


def paired_accuracy_gain(correct_baseline, correct_treatment, confidence=stats.CONFIDENCE):
    """Accuracy gain of a treatment over a baseline scored on the same test images, seed by seed.

    Chapter 5.1. ``D[s, i] = correct_treatment[s, i] - correct_baseline[s, i]`` is -1, 0 or 1;
    the gain is its mean. Its variance has a seed part, the spread of the per-seed gains over
    ``k`` seeds, and a test-set part, the spread over the ``n`` images of the seed-averaged
    ``D[:, i]`` (a paired comparison: images both models get right or both get wrong add no
    noise, unlike two independent accuracies). The sum counts their shared residual twice, so it
    is slightly conservative; the t quantile takes Welch-Satterthwaite degrees of freedom. With no
    disagreement at all, the test-set part is that of the rule of three (a disagreement rate
    below ``3 / (k n)``), so identical predictions on a small test set never mean certainty.

    Returns:
        dict: ``mean``, ``low``, ``high``, ``seeds`` and ``disagreements`` (images, over all seeds,
        that exactly one of the two classified right).
    """
    baseline = checks.array(correct_baseline, "correct_baseline", ndim=2).astype(float)
    treatment = checks.array(correct_treatment, "correct_treatment", ndim=2).astype(float)
    checks.same_shape(baseline, "correct_baseline", treatment, "correct_treatment")
    k, n = baseline.shape
    if k < 2 or n < 2:
        raise ValueError(f"correct_baseline must be (seeds >= 2, images >= 2), got {(k, n)}")
    checks.fraction(confidence, "confidence")
    difference = treatment - baseline  # (seeds, images)
    seed_variance = difference.mean(axis=1).var(ddof=1) / k
    disagreements = int(np.count_nonzero(difference))
    image_variance = difference.mean(axis=0).var(ddof=1) / n if disagreements else 3 / (k * n * n)
    total = seed_variance + image_variance
    degrees = total**2 / (seed_variance**2 / (k - 1) + image_variance**2 / (n - 1))
    half = stats.t_quantile(degrees, confidence) * math.sqrt(total)
    mean = float(difference.mean())
    return {
        "mean": mean,
        "low": mean - half,
        "high": mean + half,
        "seeds": k,
        "disagreements": disagreements,
    }


def judge_precisions(comparison, test_size):
    """The verdicts of chapter 5.1 on each mixed policy against float32, from intervals.

    For each policy other than the baseline (the first): ``time`` judges "trains faster" (ratio of
    the seconds per step below 1, round by round; geometric mean and interval over the rounds,
    :func:`ratio_interval`) and ``accuracy`` judges "keeps the baseline's accuracy" (gain above
    minus ``ACCURACY_TOLERANCE``): from the per-image results ``correct`` when the comparison has
    them (:func:`paired_accuracy_gain`), else from the per-seed accuracies with the test-set error
    of two independent accuracies (:func:`bigmodel_utils.statistics.paired_gain`). Each is a
    :func:`bigmodel_utils.statistics.judge` dict, with ``speed_<lang>`` or ``accuracy_<lang>``
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
        ratios = np.asarray(comparison["seconds"][policy], dtype=float) / base_seconds  # (rounds,)
        time = stats.judge(
            ratio_interval(ratios), 1.0, "below", unit="times", digits=2, signed=False
        )
        if "correct" in comparison:
            correct = comparison["correct"]
            gain = paired_accuracy_gain(correct[baseline], correct[policy])
        else:
            accuracies = comparison["accuracy"]
            gain = stats.paired_gain(accuracies[baseline], accuracies[policy], test_size=test_size)
        accuracy = stats.judge(gain, -ACCURACY_TOLERANCE, "above", unit="points", scale=100)
        for lang in stats.LANGUAGES:
            time[f"speed_{lang}"] = speed_words(time, lang)
        stats.add_words(accuracy, _ACCURACY, "accuracy")
        result[policy] = {"time": time, "accuracy": accuracy}
    return result


def check_precision_judgements(judgements):
    """Raise AssertionError when a verdict's words disagree with its interval (the gate cell)."""
    checks.mapping(judgements, "judgements")
    for policy, pair in judgements.items():
        checks.mapping(pair, f"judgements[{policy!r}]", required=("time", "accuracy"))
        stats.check_judgement(pair["time"])
        for lang in stats.LANGUAGES:
            if pair["time"][f"speed_{lang}"] != speed_words(pair["time"], lang):
                raise AssertionError(f"{policy}: speed words disagree with the time interval")
        stats.check_words(pair["accuracy"], _ACCURACY, "accuracy")
