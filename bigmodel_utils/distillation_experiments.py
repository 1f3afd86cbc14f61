"""Chapter 5.3: two distillation experiments -- paired seeds, and a digit the student never sees.

Each experiment trains its students with :func:`bigmodel_utils.distillation_runs.train_students`
(one traced step for all of them, the same result as
:func:`~bigmodel_utils.distillation.train_student` alone), so a scratch and a distilled student of
the same seed start from the same weights, see the same batches and differ only in their loss.
The measurements (per-digit accuracy, gap recovered, paired gain, a bias chosen on validation
data) are plain NumPy.
"""

import numbers

import numpy as np

from bigmodel_utils import checks, statistics, training
from bigmodel_utils.distillation import OMITTED_DIGIT, logits
from bigmodel_utils.distillation_runs import Run, train_students


def per_digit_accuracy(logits_or_probabilities, y, num_classes=10):
    """Accuracy on the test images of each class, an array ``(num_classes,)``."""
    scores = checks.array(logits_or_probabilities, "logits_or_probabilities", 2)
    checks.positive_int(num_classes, "num_classes")
    checks.labels(y, "y", num_classes)
    checks.matching(len(y), "len(y)", len(scores), "len(logits_or_probabilities)")
    predictions = np.asarray(logits_or_probabilities).argmax(axis=-1)
    y = np.asarray(y)
    return np.array([(predictions[y == k] == k).mean() for k in range(num_classes)])


def add_digit_bias(logits, digit, bias):
    """Logits with ``bias`` added to class ``digit`` (the paper's fix for an unseen class)."""
    logits = checks.array(logits, "logits", 2)
    checks.integer(digit, "digit", low=0, high=logits.shape[1] - 1)
    checks.finite_float(bias, "bias")
    corrected = np.array(logits, dtype=np.float64, copy=True)
    corrected[:, digit] += bias
    return corrected


DIGIT_BIASES = np.arange(0.0, 15.01, 0.25)  # the biases tried for the omitted digit


def choose_digit_bias(logits, y, digit, biases=DIGIT_BIASES):
    """The bias for ``digit`` with the best accuracy on a validation split (not the test set)."""
    logits = checks.array(logits, "logits", 2)
    checks.matching(
        len(checks.labels(y, "y", logits.shape[1])), "len(y)", len(logits), "len(logits)"
    )
    checks.integer(digit, "digit", low=0, high=logits.shape[1] - 1)
    checks.array(biases, "biases", 1)
    accuracies = [
        (add_digit_bias(logits, digit, b).argmax(-1) == np.asarray(y)).mean() for b in biases
    ]
    return float(biases[int(np.argmax(accuracies))])


def gap_recovered(teacher_accuracy, scratch_accuracy, distilled_accuracy):
    """Share of the teacher-scratch accuracy gap the distilled student closes (1 = all of it)."""
    for name in ("teacher_accuracy", "scratch_accuracy", "distilled_accuracy"):
        checks.probability(locals()[name], name)
    gap = teacher_accuracy - scratch_accuracy
    if gap <= 0:
        raise ValueError(
            "teacher_accuracy must exceed scratch_accuracy, got "
            f"{teacher_accuracy} <= {scratch_accuracy}"
        )
    return (distilled_accuracy - scratch_accuracy) / gap


def paired_gain(baseline, treatment, test_size=None):
    """Per-seed gain ``treatment - baseline`` (same seed) with its 95 % paired t interval.

    Chapter 5.3: ``baseline`` the scratch students' test accuracies (or the distilled ones at the
    lowest temperature), ``treatment`` the distilled ones, one per seed.
    :func:`bigmodel_utils.statistics.paired_gain`, whose messages name these two arguments: a zero
    spread never reads as a significant gain. Returns its dict (``mean``, ``low``, ``high``, ...).
    """
    return statistics.paired_gain(baseline, treatment, test_size=test_size)


def gap_recovery(teacher_accuracy, scratch_accuracies, distilled_accuracies):
    """Share of the teacher-scratch gap each seed's distilled student closes, with its interval.

    Chapter 5.3. Returns :func:`bigmodel_utils.statistics.seed_interval` of the per-seed shares
    plus ``values`` (one share per seed; 1 = the whole gap).
    """
    values = [
        gap_recovered(teacher_accuracy, a, b)
        for a, b in zip(scratch_accuracies, distilled_accuracies)
    ]
    return {**statistics.seed_interval(values), "values": values}


OFFLINE_COST_LIMIT = 1.25  # "about the same": a distilled epoch at most a quarter dearer


def offline_cost_judgement(ratios, limit=OFFLINE_COST_LIMIT):
    """The verdict on "offline, a distilled epoch costs about what a scratch epoch costs".

    Chapter 5.3. ``ratios`` are distilled over scratch seconds per epoch, one per paired timed
    round (:func:`~bigmodel_utils.distillation_runs.offline_epoch_cost`); their mean and 95 %
    t interval (:func:`bigmodel_utils.statistics.seed_interval`) are judged against the claim
    that the ratio stays below ``limit``: "holds" when the whole interval is below it, "not
    settled" when it straddles it. Returns :func:`bigmodel_utils.statistics.judge`'s dict.

    Raises:
        TypeError/ValueError: ``ratios`` fewer than two, not finite or not > 0; ``limit`` <= 1.
    """
    values = checks.array(ratios, "ratios", ndim=1)
    if len(values) < 2 or not np.all(values > 0):
        raise ValueError(f"ratios must hold at least two ratios > 0, got {ratios!r}")
    checks.finite_float(limit, "limit", low=1.0, low_open=True)
    interval = statistics.seed_interval(values)
    return statistics.judge(interval, limit, "below", unit="times", digits=2, signed=False)


def _check_temperatures(temperatures):
    """``temperatures`` as a list of floats, each > 0 (a non-empty list or tuple of numbers)."""
    if isinstance(temperatures, (str, bytes)) or not isinstance(temperatures, (list, tuple)):
        raise TypeError(
            f"temperatures must be a list of numbers > 0, got {type(temperatures).__name__}"
        )
    if not temperatures:
        raise ValueError("temperatures must hold at least one temperature, got none")
    for T in temperatures:
        if isinstance(T, bool) or not isinstance(T, numbers.Real):
            raise TypeError(f"temperatures must hold numbers > 0, got {T!r}")
        checks.positive_float(T, "temperatures[k]")
    return [float(T) for T in temperatures]


def temperature_sweep(x, y, t, x_test, y_test, temperatures, seeds, alpha, epochs, known=None):
    """Test accuracy of distilled students at each temperature, one per seed.

    Chapter 5.3. ``known`` maps a temperature to accuracies already measured for seeds
    ``0..seeds-1`` (the paired runs), which are reused instead of trained again; the rest are
    trained by :func:`~bigmodel_utils.distillation_runs.train_students`, seed ``s`` with the same
    initial weights and batches as the paired runs of seed ``s``.
    Returns ``{T: [accuracy per seed]}``.

    Raises:
        TypeError/ValueError: naming ``temperatures`` (not a list of numbers > 0), ``seeds``
            (not an int >= 1), ``alpha``, ``epochs``, ``known`` or a data array (``x``, ``y``,
            ``t``, ``x_test``, ``y_test``: empty, NaN, text or of mismatched lengths).
    """
    temperatures = _check_temperatures(temperatures)
    # the data too, even when ``known`` covers every temperature and nothing is trained
    _check_students(x, y, t, x_test, y_test, seeds, alpha, temperatures[0], epochs)
    if known is not None:
        checks.instance(known, "known", dict)
    known = dict(known or {})
    sweep = {T: list(known[T][:seeds]) for T in temperatures if len(known.get(T, ())) >= seeds}
    runs = [Run(seed, alpha, T) for T in temperatures if T not in sweep for seed in range(seeds)]
    if runs:
        students, _ = train_students(x, y, t, runs, epochs=epochs)
        for run, student in zip(runs, students):
            sweep.setdefault(run.T, []).append(training.accuracy(student, x_test, y_test))
    return {T: sweep[T] for T in temperatures}


def _check_students(x, y, t, x_test, y_test, seeds, alpha, T, epochs):
    """The arguments both student experiments share, checked; returns ``x`` and ``x_test``."""
    x = checks.array(x, "x")
    checks.matching(len(x), "len(x)", len(checks.labels(y, "y")), "len(y)")
    checks.matching(len(checks.array(t, "t", 2)), "len(t)", len(x), "len(x)")
    x_test = checks.array(x_test, "x_test")
    checks.matching(len(checks.labels(y_test, "y_test")), "len(y_test)", len(x_test), "len(x_test)")
    checks.positive_int(seeds, "seeds")
    checks.probability(alpha, "alpha")
    checks.positive_float(T, "T")
    checks.positive_int(epochs, "epochs")
    return x, x_test


def paired_seeds(x, y, t, x_test, y_test, seeds, alpha, T, epochs):
    """For each seed, a scratch and a distilled student with the same initial weights and batches.

    All ``2 * seeds`` students share one traced step
    (:func:`~bigmodel_utils.distillation_runs.train_students`). Returns a dict: test accuracies
    ``scratch`` and ``distilled`` (one per seed), their ``seconds_scratch`` and
    ``seconds_distilled`` per epoch, and the last distilled ``student``.
    """
    x, x_test = _check_students(x, y, t, x_test, y_test, seeds, alpha, T, epochs)
    runs = [Run(seed, *loss) for seed in range(seeds) for loss in ((1.0, 1.0), (alpha, T))]
    students, seconds = train_students(x, y, t, runs, epochs=epochs)
    accuracies = [training.accuracy(student, x_test, y_test) for student in students]
    return {
        "scratch": accuracies[0::2],
        "distilled": accuracies[1::2],
        "seconds_scratch": seconds[0::2],
        "seconds_distilled": seconds[1::2],
        "student": students[-1],
    }


def omitted_digit(
    x, y, t, x_val, y_val, x_test, y_test, seeds, alpha, T, epochs, digit=OMITTED_DIGIT
):
    """Hinton et al.'s experiment: students trained on a transfer set with no image of ``digit``.

    One student from scratch and ``seeds`` distilled ones, one traced step for all. For each
    distilled student the bias of ``digit`` is chosen on the validation split, then applied to
    its test logits.
    Returns a dict: ``scratch`` (per-digit test accuracy) and ``runs`` (one dict per seed).
    """
    x, x_test = _check_students(x, y, t, x_test, y_test, seeds, alpha, T, epochs)
    x_val = checks.array(x_val, "x_val")
    checks.matching(len(checks.labels(y_val, "y_val")), "len(y_val)", len(x_val), "len(x_val)")
    checks.integer(digit, "digit", low=0, high=9)
    keep = np.asarray(y) != digit
    students_runs = [Run(0)] + [Run(seed, alpha, T) for seed in range(seeds)]
    students, _ = train_students(x[keep], y[keep], t[keep], students_runs, epochs=epochs)
    scratch, runs = students[0], []
    for seed, student in enumerate(students[1:]):
        test_logits = logits(student, x_test)
        bias = choose_digit_bias(logits(student, x_val), y_val, digit)  # never the test set
        corrected = add_digit_bias(test_logits, digit, bias)
        runs.append(
            {
                "seed": seed,
                "bias": bias,
                "per_digit": per_digit_accuracy(test_logits, y_test),
                "per_digit_corrected": per_digit_accuracy(corrected, y_test),
                "overall": float((test_logits.argmax(-1) == y_test).mean()),
                "overall_corrected": float((corrected.argmax(-1) == y_test).mean()),
            }
        )
    return {
        "digit": digit,
        "scratch": per_digit_accuracy(logits(scratch, x_test), y_test),
        "runs": runs,
    }
