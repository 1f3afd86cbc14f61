"""Chapter 5.3: many students trained one after another with one traced training step.

The chapter's experiments train a dozen small students that differ only in their seed and in
the ``alpha`` and ``T`` of their loss. Each would otherwise trace and optimise its own training
graph, which for a student this small costs about as much as several epochs. Here one
:class:`~bigmodel_utils.distillation.Distiller` is compiled once (per student builder and
learning rate), with ``alpha`` and ``T`` held in variables, and every run only resets it: the
student's weights to those a fresh student of the run's seed starts from, Adam's state to zero,
``alpha`` and ``T`` to the run's. A student trained this way ends with the weights
:func:`~bigmodel_utils.distillation.train_student` gives it alone (a test checks it): the same
initial weights, batches, optimizer and loss.
"""

import dataclasses
import time

import keras
import numpy as np

from bigmodel_utils import checks, training
from bigmodel_utils.distillation import (
    Distiller,
    build_student,
    check_alpha_T,
    distillation_terms,
    offline_targets,
    seeded_batches,
)


@dataclasses.dataclass(frozen=True)
class Run:
    """One student: its ``seed`` (initial weights and batch order) and its loss.

    ``alpha = 1`` is a student trained from scratch on the labels alone; ``alpha < 1`` is
    distilled at temperature ``T`` from the teacher logits given to :func:`train_students`.
    """

    seed: int
    alpha: float = 1.0
    T: float = 1.0

    def __post_init__(self):
        checks.non_negative_int(self.seed, "seed")
        check_alpha_T(self.alpha, self.T)


class SharedDistiller(Distiller):
    """A :class:`~bigmodel_utils.distillation.Distiller` whose ``alpha`` and ``T`` are variables.

    Chapter 5.3. Trained on offline targets ``{"y": labels, "t": teacher logits}`` only; its loss
    is the Distiller's, ``alpha * CE + (1 - alpha) * T^2 * KL`` (:func:`distillation_terms`),
    so one traced step serves every ``alpha`` and ``T`` (with ``alpha = 1`` the KL term has weight
    zero: training from scratch).
    """

    def __init__(self, student, **kwargs):
        super().__init__(student, alpha=1.0, T=1.0, **kwargs)
        self.alpha_variable = keras.Variable(1.0, trainable=False, name="alpha")
        self.T_variable = keras.Variable(1.0, trainable=False, name="T")

    def set_loss(self, alpha, T):
        """Use ``alpha`` and ``T`` from the next step on."""
        check_alpha_T(alpha, T)
        self.alpha, self.T = float(alpha), float(T)
        self.alpha_variable.assign(self.alpha)
        self.T_variable.assign(self.T)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if not isinstance(y, dict):
            raise TypeError("a SharedDistiller fits on offline targets {'y': ..., 't': ...}")
        cross_entropy, kl = distillation_terms(y["y"], y_pred, y["t"], self.T_variable)
        alpha = self.alpha_variable
        return alpha * cross_entropy + (1 - alpha) * (self.T_variable**2 * kl)


def _check_runs(runs):
    checks.instance(runs, "runs", (list, tuple))
    if not runs or not all(isinstance(run, Run) for run in runs):
        raise TypeError(f"runs must be a non-empty list of Run, got {runs!r}")
    return list(runs)


_TRAINERS = {}  # one compiled SharedDistiller per (builder, learning rate, input and logit shapes)


def _trainer(builder, learning_rate, input_shape, classes):
    """The compiled :class:`SharedDistiller` for these settings, built and traced once."""
    key = (builder, learning_rate, tuple(input_shape), classes)
    if key not in _TRAINERS:
        distiller = SharedDistiller(builder())
        distiller.compile(
            optimizer=keras.optimizers.Adam(learning_rate), loss=None, steps_per_execution=32
        )
        distiller.optimizer.build(distiller.trainable_variables)
        fresh = [np.array(v) for v in distiller.optimizer.variables]  # step 0, zero moments
        _TRAINERS[key] = (distiller, fresh)
    return _TRAINERS[key]


def train_students(
    x,
    y,
    t,
    runs,
    epochs=25,
    batch_size=128,
    learning_rate=3e-3,
    builder=build_student,
):
    """Train one fresh student per :class:`Run` on ``(x, y)`` and teacher logits ``t``.

    Chapter 5.3. The student of a run starts from the weights ``builder()`` gives under the run's
    seed, reads the batches of that seed, and is trained with Adam for ``epochs`` passes, as
    :func:`~bigmodel_utils.distillation.train_student` trains it; all runs share one traced step.
    ``t`` may be ``None`` when every run has ``alpha = 1``.

    Returns:
        ``(students, seconds_per_epoch)``: one trained student per run, in order, and one
        :func:`bigmodel_utils.training.fit_and_time` seconds per epoch per run.
    Raises:
        TypeError/ValueError: naming the argument (``runs`` empty or not :class:`Run`, ``t``
            missing or of another length than ``x``, ...).
    """
    x = checks.array(x, "x")
    y = checks.labels(y, "y")
    checks.matching(len(y), "len(y)", len(x), "len(x)")
    runs = _check_runs(runs)
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.positive_float(learning_rate, "learning_rate")
    checks.function(builder, "builder")
    if t is None:
        if any(run.alpha < 1.0 for run in runs):
            raise ValueError("t (teacher logits) is needed by runs with alpha < 1")
        t = np.zeros((len(x), builder().output_shape[-1]), np.float32)  # KL weight 0: unread
    t = np.asarray(checks.array(t, "t", 2), np.float32)
    checks.matching(len(t), "len(t)", len(x), "len(x)")
    distiller, fresh_optimizer = _trainer(builder, float(learning_rate), x.shape[1:], t.shape[1])
    targets = {"y": y, "t": t}
    students, seconds = [], []
    for run in runs:
        keras.utils.set_random_seed(run.seed)
        student = builder()  # the run's initial weights, as train_student draws them
        distiller.student.set_weights(student.get_weights())
        for variable, value in zip(distiller.optimizer.variables, fresh_optimizer, strict=True):
            variable.assign(value)
        distiller.set_loss(run.alpha, run.T)
        timing = training.fit_and_time(
            distiller,
            seeded_batches(x, targets, run.seed, batch_size).prefetch(2),
            epochs=epochs,
            compiled=True,  # traced on the first run, reused by the others
            shuffle=False,  # shuffled by seed
        )
        student.set_weights(distiller.student.get_weights())
        students.append(student)
        seconds.append(timing.seconds_per_epoch)
    return students, seconds


def offline_epoch_cost(
    x, y, t, alpha, T, rounds, batch_size=128, learning_rate=3e-3, builder=build_student
):
    """Seconds of a scratch epoch and of an offline distilled epoch, in paired timed rounds.

    Chapter 5.3. The distilled epoch is that of :func:`train_students` (the shared traced step,
    at ``alpha`` and ``T``, on stored teacher logits ``t``); the scratch epoch is that of a plain
    :class:`~bigmodel_utils.distillation.Distiller` on labels alone, which computes no KL term,
    compiled as :func:`~bigmodel_utils.distillation.train_student` compiles it. After one
    untimed epoch of the scratch student (its tracing) and one untimed round, every round times
    one epoch of each, alternating which goes first, so that a machine growing busier or quieter
    weighs on both alike.

    Returns:
        dict: ``scratch`` and ``distilled`` (processor seconds of this process, all its threads,
        one per round; a GPU's own time is not in them) and ``ratios`` (distilled over scratch,
        one per round).
    Raises:
        TypeError/ValueError: naming the argument (``rounds`` not an int >= 2, ``t`` of another
            length than ``y``, ...).
    """
    x = checks.array(x, "x")
    targets = offline_targets(y, t)
    checks.matching(len(targets["y"]), "len(y)", len(x), "len(x)")
    check_alpha_T(alpha, T)
    checks.integer(rounds, "rounds", low=2)
    checks.positive_int(batch_size, "batch_size")
    checks.positive_float(learning_rate, "learning_rate")
    checks.function(builder, "builder")
    keras.utils.set_random_seed(0)
    scratch = Distiller(builder(), alpha=1.0, T=1.0)
    scratch.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss=None, steps_per_execution=32
    )
    distilled, _ = _trainer(builder, float(learning_rate), x.shape[1:], targets["t"].shape[1])
    distilled.student.set_weights(scratch.student.get_weights())
    distilled.set_loss(alpha, T)
    trainers = {
        "scratch": (scratch, seeded_batches(x, targets["y"], 0, batch_size).prefetch(2)),
        "distilled": (distilled, seeded_batches(x, targets, 0, batch_size).prefetch(2)),
    }
    scratch.fit(trainers["scratch"][1], epochs=1, verbose=0, shuffle=False)  # traces its step
    seconds = {name: [] for name in trainers}
    for round_ in range(rounds + 1):  # round 0 is untimed: the first call after a switch lags
        for name in list(trainers) if round_ % 2 == 0 else list(trainers)[::-1]:
            distiller, batches = trainers[name]
            start = (
                time.process_time()
            )  # this process's processor seconds: robust to a busy machine
            distiller.fit(batches, epochs=1, verbose=0, shuffle=False)
            if round_ > 0:
                seconds[name].append(time.process_time() - start)
    ratios = [d / s for d, s in zip(seconds["distilled"], seconds["scratch"], strict=True)]
    return {**seconds, "ratios": ratios}
