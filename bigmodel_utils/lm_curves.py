"""Chapter 3.4: what the right end of a language model's training curves says, from intervals.

The chapter plots, after every round of training steps, the mean training loss of that round and
the validation loss. Two questions are read off the end of that plot: does the training curve end
above the validation curve (the reverse of the usual picture), and has the validation loss risen
again (overfitting)? Both are answered from 95 % intervals, never from the two points alone:
:class:`CurveRecorder` keeps the loss of every training step and of every validation window in every
round, so the last training point carries the spread of its steps, and two validation points are
compared window by window on the same windows.
"""

import math

import keras
import numpy as np

from bigmodel_utils import checks
from bigmodel_utils import statistics as stats


def window_losses(model, inputs, targets, batch_size=256):
    """Mean next-character cross-entropy of each window, in nats: ``(windows,)``.

    Equation (eq-cross-entropy) of chapter 3.4 averaged over the positions of one window; the mean
    over windows is what ``model.evaluate`` reports with a from-logits sparse cross-entropy.

    Args:
        model: a model mapping ``(windows, T)`` ids to ``(windows, T, V)`` logits.
        inputs, targets: int arrays ``(windows, T)`` (see :func:`language_model.make_windows`).
    """
    checks.keras_model(model, "model")
    inputs = checks.array(inputs, "inputs", 2, dtype_kind="int")
    targets = checks.array(targets, "targets", 2, dtype_kind="int")
    checks.same_shape(inputs, "inputs", targets, "targets")
    checks.positive_int(batch_size, "batch_size")
    logits = np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0), "float64")
    logits -= logits.max(axis=-1, keepdims=True)  # (windows, T, V), stable log-softmax
    log_p = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, targets[..., None].astype(np.int64), axis=-1)[..., 0]
    return -picked.mean(axis=1)  # (windows,)


def step_losses(running_means):
    """Each step's loss from the running means Keras reports after every step of a round.

    After step k the logged loss is the mean of steps 1..k, m_k, so step k's own loss is
    k m_k - (k - 1) m_{k-1}.
    """
    means = checks.array(running_means, "running_means", 1)
    if means.size == 0:
        raise ValueError("running_means must hold at least one step")
    k = np.arange(1, means.size + 1)
    totals = k * means  # (steps,) sum of the losses of steps 1..k
    return np.diff(totals, prepend=0.0)


class CurveRecorder(keras.callbacks.Callback):
    """Records every training step's loss and every validation window's loss, round by round.

    Used in place of ``validation_data``: after every round (epoch) it measures
    :func:`window_losses` on ``inputs``/``targets``. ``train_losses[r]`` is ``(steps,)`` and
    ``validation_losses[r]`` is ``(windows,)``; their means are the two curves of the plot.
    """

    def __init__(self, inputs, targets, batch_size=256):
        super().__init__()
        inputs = checks.array(inputs, "inputs", 2, dtype_kind="int")
        targets = checks.array(targets, "targets", 2, dtype_kind="int")
        checks.same_shape(inputs, "inputs", targets, "targets")
        checks.positive_int(batch_size, "batch_size")
        self.inputs, self.targets, self.batch_size = inputs, targets, batch_size
        self.train_losses, self.validation_losses = [], []
        self._running = []

    def on_epoch_begin(self, epoch, logs=None):
        self._running = []

    def on_train_batch_end(self, batch, logs=None):
        self._running.append(float(logs["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        self.train_losses.append(step_losses(self._running))
        self.validation_losses.append(
            window_losses(self.model, self.inputs, self.targets, self.batch_size)
        )

    def curves(self):
        """``(train, validation)``: the mean loss of every round, as two lists of floats."""
        return (
            [float(np.mean(losses)) for losses in self.train_losses],
            [float(np.mean(losses)) for losses in self.validation_losses],
        )


def welch_difference(a, b, confidence=stats.CONFIDENCE):
    """The difference of means ``mean(a) - mean(b)`` of two independent samples, with its interval.

    Welch's t interval: standard error sqrt(s_a^2/n_a + s_b^2/n_b), Welch-Satterthwaite degrees
    of freedom. Returns a dict with ``mean``, ``standard_error``, ``low`` and ``high``.
    """
    a = checks.array(a, "a", 1)
    b = checks.array(b, "b", 1)
    if a.size < 2 or b.size < 2:
        raise ValueError(f"a and b need 2 values each, got {a.size} and {b.size}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("a and b must be finite")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    mean, standard_error = float(a.mean() - b.mean()), math.sqrt(va + vb)
    if standard_error == 0:  # no spread measured: nothing settles the difference
        return {"mean": mean, "standard_error": 0.0, "low": -math.inf, "high": math.inf}
    degrees = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t_quantile(degrees, confidence) * standard_error
    return {"mean": mean, "standard_error": standard_error, "low": mean - half, "high": mean + half}


_LEAD = {
    stats.HOLDS: {
        "en": "The training curve ends above the validation curve, the reverse of the usual "
        "picture (training minus validation: {effect} nats per character).",
        "zh": "训练曲线最终高于验证曲线，与通常的情形相反（训练减验证：每字符 {effect} 奈特）。",
    },
    stats.DOES_NOT_HOLD: {
        "en": "The training curve ends below the validation curve, as usual "
        "(training minus validation: {effect} nats per character).",
        "zh": "训练曲线最终低于验证曲线，与通常一样（训练减验证：每字符 {effect} 奈特）。",
    },
    stats.NOT_SETTLED: {
        "en": "The two curves end level: training minus validation, {effect} nats per character, "
        "is not settled at this size.",
        "zh": "两条曲线最终持平：训练减验证为每字符 {effect} 奈特，在此规模下尚无定论。",
    },
}
_OVERFIT = {
    stats.HOLDS: {
        "en": "the validation loss rising again (last minus lowest earlier value: {effect} nats "
        "per character): the model has begun to overfit",
        "zh": "验证损失重新上升（最后一次减去此前的最低值：每字符 {effect} 奈特）："
        "模型已开始过拟合",
    },
    stats.DOES_NOT_HOLD: {
        "en": "no sign of overfitting yet (last validation loss minus its lowest earlier value: "
        "{effect} nats per character)",
        "zh": "尚无过拟合的迹象（最后一次验证损失减去此前的最低值：每字符 {effect} 奈特）",
    },
    stats.NOT_SETTLED: {
        "en": "a validation loss level with its lowest earlier value ({effect} nats per "
        "character): whether the model has begun to overfit is not settled at this size",
        "zh": "验证损失与此前的最低值持平（每字符 {effect} 奈特）：模型是否已开始过拟合，"
        "在此规模下尚无定论",
    },
}


def judge_curve_lead(train_step_losses, validation_window_losses):
    """The verdict on "the training curve ends above the validation curve", from an interval.

    The last round's step losses against the last validation's window losses
    (:func:`welch_difference`, training minus validation) judged against 0. Returns a
    :func:`bigmodel_utils.statistics.judge` dict with the sentence ``lead_<lang>``.
    """
    train_step_losses = checks.array(train_step_losses, "train_step_losses", 1)
    validation_window_losses = checks.array(validation_window_losses, "validation_window_losses", 1)
    difference = welch_difference(train_step_losses, validation_window_losses)
    judged = stats.judge(difference, 0.0, "above", effect=difference["mean"], digits=2)
    return stats.add_words(judged, _LEAD, "lead")


def judge_overfitting(validation_losses):
    """The verdict on "the validation loss has risen again", from a paired interval over windows.

    ``validation_losses`` holds one ``(windows,)`` array per round, on the same windows. The last
    round is compared window by window with the earlier round of lowest mean
    (:func:`bigmodel_utils.statistics.paired_gain`, last minus lowest), judged against 0. Returns a
    :func:`bigmodel_utils.statistics.judge` dict with the clause ``overfit_<lang>``.

    Raises:
        ValueError: fewer than two rounds, or rounds of different windows.
    """
    rounds = [checks.array(losses, "validation_losses[i]", 1) for losses in validation_losses]
    if len(rounds) < 2:
        raise ValueError(f"validation_losses needs at least 2 rounds, got {len(rounds)}")
    if len({losses.shape for losses in rounds}) > 1:
        raise ValueError("validation_losses must hold the same windows in every round")
    lowest = min(rounds[:-1], key=np.mean)
    gain = stats.paired_gain(lowest, rounds[-1])
    judged = stats.judge(gain, 0.0, "above", effect=gain["mean"], digits=3)
    return stats.add_words(judged, _OVERFIT, "overfit")


def check_curve_judgements(lead, overfit):
    """Raise AssertionError when a curve sentence disagrees with its interval (the gate cell)."""
    checks.mapping(lead, "lead")
    checks.mapping(overfit, "overfit")
    stats.check_words(lead, _LEAD, "lead")
    stats.check_words(overfit, _OVERFIT, "overfit")


_CROSSING = {
    "en": ("which this run first did at step {step:,}", "which this run did at no measured step"),
    "zh": ("这次运行在第 {step:,} 步第一次做到", "这次运行在任何一次测量中都没有做到"),
}


def crossing_clause(steps, curve, level, lang="en"):
    """The clause saying at which step ``curve`` first went below ``level``, or that it never did.

    Chapter 3.4: where the validation curve crosses the bigram baseline. ``steps`` and ``curve``
    hold one value per round; the clause is in ``lang`` (``"en"`` or ``"zh"``).
    """
    steps = checks.array(steps, "steps", 1, dtype_kind="int")
    curve = checks.array(curve, "curve", 1)
    checks.matching(steps.size, "steps", curve.size, "curve")
    level = checks.finite_float(level, "level")
    if lang not in stats.LANGUAGES:
        raise ValueError(f"lang must be one of {stats.LANGUAGES}, got {lang!r}")
    below = steps[curve < level]  # (rounds below the level,)
    crossed, never = _CROSSING[lang]
    return crossed.format(step=int(below[0])) if below.size else never
