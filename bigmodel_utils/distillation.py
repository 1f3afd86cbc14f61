"""Chapter 5.3: knowledge distillation -- soft targets, the distillation loss, a ``Distiller``.

A small student learns from the labels and from a large teacher's softened outputs
(Hinton, Vinyals and Dean, 2015). The loss, with student logits ``s``, teacher logits
``t``, labels ``y``, weight ``alpha`` and temperature ``T``, is

    L = alpha * CE(y, softmax(s)) + (1 - alpha) * T^2 * KL(softmax(t / T) || softmax(s / T)).

The teacher can run inside every step (online) or once, its logits stored next to the
labels (offline), so a distilled epoch costs about what a scratch epoch costs (chapter 5.3
times both). The teacher and the student themselves are in
:mod:`bigmodel_utils.distillation_models`, and are read here too.
"""

import keras
import numpy as np
from keras import ops

from bigmodel_utils import checks, distillation_models, profile, tensor_checks, training

# The teacher and the student, read here too by chapter 5.3 (defined in distillation_models).
build_teacher, build_student = distillation_models.build_teacher, distillation_models.build_student
logits, train_teacher = distillation_models.logits, distillation_models.train_teacher

OMITTED_DIGIT = 3  # the digit the student never sees in the dark-knowledge experiment
BATCH_ORDER_SEED = 0  # the global seed under which every seed's batch order is drawn


def check_alpha_T(alpha, T):
    """Raise if ``alpha`` is not in [0, 1] or the temperature ``T`` is not > 0.

    Raises:
        TypeError: if either is not a real number.
        ValueError: naming ``alpha`` or ``T`` when it is out of range.
    """
    checks.probability(alpha, "alpha")  # the weight of the label loss
    checks.positive_float(T, "T")  # the temperature


def soften(logits, T):
    """Soft targets: ``softmax(logits / T)`` along the last axis, in NumPy.

    Equation (soften) of chapter 5.3; ``T = 1`` is the ordinary softmax.

    Args:
        logits: array ``(..., classes)``.
        T: temperature, > 0; larger is softer.
    Returns:
        Probabilities of the same shape, rows summing to 1.
    Raises:
        ValueError: if ``T <= 0``.
    """
    logits = checks.array(logits, "logits")
    check_alpha_T(0.0, T)
    z = np.asarray(logits, dtype=np.float64) / T
    z = z - z.max(axis=-1, keepdims=True)  # stable: the largest logit becomes 0
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def distillation_loss_numpy(y, s, t, alpha, T):
    """The distillation loss in NumPy, averaged over the batch.

    Equation (distillation loss) of chapter 5.3:
    ``alpha * CE(y, softmax(s)) + (1 - alpha) * T^2 * KL(softmax(t/T) || softmax(s/T))``.

    Args:
        y: int labels ``(batch,)``.
        s: student logits ``(batch, classes)``.
        t: teacher logits ``(batch, classes)``.
        alpha: weight of the label term, in [0, 1].
        T: temperature, > 0.
    Returns:
        The loss, a Python float.
    Raises:
        ValueError: for ``alpha`` outside [0, 1] or ``T <= 0``.
    """
    s = checks.array(s, "s", 2)
    t = checks.array(t, "t", 2)
    checks.same_shape(s, "s", t, "t")
    y = checks.labels(y, "y", num_classes=s.shape[1])
    checks.matching(len(y), "len(y)", len(s), "len(s)")
    check_alpha_T(alpha, T)
    p_student = soften(s, 1.0)
    cross_entropy = -np.log(p_student[np.arange(len(y)), np.asarray(y)]).mean()
    p_teacher_T, p_student_T = soften(t, T), soften(s, T)
    kl = (p_teacher_T * (np.log(p_teacher_T) - np.log(p_student_T))).sum(axis=-1).mean()
    return float(alpha * cross_entropy + (1 - alpha) * T**2 * kl)


def distillation_terms(y, s, t, T):
    """The two terms of the loss as tensors: ``CE(y, s)`` and ``KL(softmax(t/T) || softmax(s/T))``.

    Both are batch means; the KL term is not yet multiplied by ``T^2``. Chapter 5.3. Eager (NumPy
    or eager tensors): finite logits ``s``, ``t`` of one shape, labels ``y``, ``T > 0`` are checked;
    traced, only the static shapes, so the step gains no reductions.
    """
    shape = tensor_checks.shape(s, "s", rank=2)  # (batch, classes); values checked if eager
    if t is not None:
        checks.matching(tensor_checks.shape(t, "t", rank=2), "t's shape", shape, "s's shape")
    if tensor_checks.has_values(y):
        labels = checks.labels(np.asarray(y), "y", shape[1])
        checks.matching(len(labels), "len(y)", shape[0], "len(s)")
    if not isinstance(T, keras.Variable) or tensor_checks.has_values(T):  # a variable: if eager
        checks.positive_float(T.numpy() if isinstance(T, keras.Variable) else T, "T")
    cross_entropy = ops.mean(ops.sparse_categorical_crossentropy(y, s, from_logits=True))
    if t is None:
        return cross_entropy, ops.zeros(())
    log_p_teacher = ops.log_softmax(ops.cast(t, s.dtype) / T, axis=-1)
    log_p_student = ops.log_softmax(s / T, axis=-1)
    kl = ops.sum(ops.exp(log_p_teacher) * (log_p_teacher - log_p_student), axis=-1)
    return cross_entropy, ops.mean(kl)


def distillation_loss(y, s, t, alpha, T):
    """The distillation loss in Keras ops (TensorFlow), differentiable in ``s``.

    Same equation and arguments as :func:`distillation_loss_numpy`; returns a scalar tensor.
    """
    check_alpha_T(alpha, T)
    cross_entropy, kl = distillation_terms(y, s, t, T)
    return alpha * cross_entropy + (1 - alpha) * T**2 * kl


class Distiller(keras.Model):
    """Trains ``student`` on ``alpha * CE + (1 - alpha) * T^2 * KL`` with a frozen teacher.

    Chapter 5.3. Online: give ``teacher`` and fit on ``(x, y)``. Offline: give no teacher
    and fit on ``(x, offline_targets(y, t))`` with the teacher's logits ``t`` computed once.
    With ``alpha = 1`` and no teacher it is plain cross-entropy training (the scratch baseline
    through the very same code path). Logs: ``loss`` (total), ``student_loss``,
    ``distillation_loss`` (the KL term times ``T^2``) and the student's ``accuracy``.

    Raises:
        ValueError: for ``alpha`` outside [0, 1] or ``T <= 0``.
    """

    def __init__(self, student, teacher=None, alpha=0.1, T=4.0, **kwargs):
        super().__init__(**kwargs)
        checks.keras_model(student, "student")
        if teacher is not None:
            checks.keras_model(teacher, "teacher")
        check_alpha_T(alpha, T)
        self.student, self.teacher = student, teacher
        self.alpha, self.T = float(alpha), float(T)
        if teacher is not None:
            teacher.trainable = False  # else Keras would train the teacher too
        self.student_loss_tracker = keras.metrics.Mean(name="student_loss")
        self.distillation_loss_tracker = keras.metrics.Mean(name="distillation_loss")
        self.accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(name="accuracy")

    def call(self, x, training=False):
        return self.student(x, training=training)

    def _targets(self, x, y):
        """Labels and teacher logits for this batch (online, offline or none)."""
        if isinstance(y, dict):
            return y["y"], y["t"]
        if self.teacher is not None:
            return y, self.teacher(x, training=False)
        if self.alpha < 1.0:
            raise ValueError(
                "alpha < 1 needs a teacher or offline targets {'y': labels, 't': teacher logits}"
            )
        return y, None

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        labels, t = self._targets(x, y)
        cross_entropy, kl = distillation_terms(labels, y_pred, t, self.T)
        distill = self.T**2 * kl
        total = self.alpha * cross_entropy + (1 - self.alpha) * distill
        self.student_loss_tracker.update_state(cross_entropy)
        self.distillation_loss_tracker.update_state(distill)
        self.accuracy_tracker.update_state(labels, y_pred)
        return total


def offline_targets(y, t):
    """Labels and precomputed teacher logits packed as the ``y`` a :class:`Distiller` fits on."""
    checks.labels(y, "y")
    checks.array(t, "t", 2)
    y, t = np.asarray(y), np.asarray(t, dtype=np.float32)
    if len(y) != len(t):
        raise ValueError(f"y and t must have the same length, got {len(y)} and {len(t)}")
    return {"y": y, "t": t}


def seeded_batches(x, targets, seed, batch_size):
    """A ``tf.data`` pipeline of ``(x, targets)`` batches, reshuffled every epoch by ``seed``.

    Chapter 5.3. The data are cached in memory. The order depends on ``seed`` alone (it is drawn
    under the fixed global seed ``BATCH_ORDER_SEED``, which this sets), so a student of a seed
    sees the same batches whether it is trained alone or in a group.
    """
    checks.non_negative_int(seed, "seed")
    checks.positive_int(batch_size, "batch_size")
    x = checks.array(x, "x")  # numbers, not empty, no NaN or inf
    parts = targets.items() if isinstance(targets, dict) else [(None, targets)]  # offline: y, t
    for key, part in parts:
        name = "targets" if key is None else f"targets[{key!r}]"
        checks.matching(len(checks.array(part, name)), f"len({name})", len(x), "len(x)")
    import tensorflow as tf

    tf.random.set_seed(BATCH_ORDER_SEED)
    return (
        tf.data.Dataset.from_tensor_slices((x, targets))
        .cache()  # in memory: no copy per epoch
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
    )


def train_student(
    x,
    y,
    t=None,
    alpha=1.0,
    T=1.0,
    seed=0,
    epochs=25,
    batch_size=128,
    learning_rate=3e-3,
    builder=build_student,
):
    """A fresh student trained from scratch (``t=None``, ``alpha=1``) or distilled from ``t``.

    Both go through the same :class:`Distiller`, data order, epochs and optimizer, so the
    only difference is the loss. Returns ``(student, seconds_per_epoch)``, the seconds as
    :func:`bigmodel_utils.training.fit_and_time` defines them.
    """
    checks.matching(len(checks.array(x, "x")), "len(x)", len(checks.labels(y, "y")), "len(y)")
    check_alpha_T(alpha, T)
    checks.non_negative_int(seed, "seed")
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.positive_float(learning_rate, "learning_rate")
    checks.function(builder, "builder")
    profile.set_seed(seed)  # same seed: same initial weights and batch order for both
    student = builder()
    distiller = Distiller(student, alpha=alpha, T=T)
    targets = y if t is None else offline_targets(y, t)
    batches = seeded_batches(x, targets, seed, batch_size).prefetch(2)
    run = training.fit_and_time(
        distiller,
        batches,
        epochs=epochs,
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=None,  # the Distiller computes its own
        metrics=None,
        steps_per_execution=32,
        shuffle=False,  # shuffled above, by seed
    )
    return student, run.seconds_per_epoch
