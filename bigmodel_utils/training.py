"""One training recipe for every model the book trains: compile, fit, time.

Seconds per epoch mean one thing everywhere in the book (:func:`seconds_per_epoch`): the
median wall-clock time of the epochs after the first. An epoch's time is all that ``fit``
does in it -- the training batches and, when ``validation_data`` is given, the validation
pass. The first epoch also traces and compiles the graph, so it is reported apart
(``first_epoch_seconds``) and left out of the median; a run of one epoch has only that one.
Chapter 4 is the exception on purpose: it runs the article's program as printed.
"""

import contextlib
import dataclasses
import statistics
import time

import keras
import numpy as np

from bigmodel_utils import checks


class EpochTimer(keras.callbacks.Callback):
    """Keras callback: the wall-clock seconds of every epoch, appended to ``seconds``.

    Pass a list to collect into it, or read ``timer.seconds`` after ``fit``.
    """

    def __init__(self, seconds=None):
        super().__init__()
        if seconds is not None:
            checks.instance(seconds, "seconds", list)
        self.seconds = [] if seconds is None else seconds

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def seconds_per_epoch(epoch_seconds):
    """The book's seconds per epoch: the median of the epochs after the first (see the module).

    Args:
        epoch_seconds: wall-clock seconds of each epoch, in order (at least one).

    Returns:
        float: the median of ``epoch_seconds[1:]``, or the only epoch's time.
    """
    epoch_seconds = checks.array(epoch_seconds, "epoch_seconds", ndim=1)
    if (epoch_seconds < 0).any():
        raise ValueError(f"epoch_seconds must be >= 0, got {epoch_seconds.tolist()}")
    later = epoch_seconds[1:] if len(epoch_seconds) > 1 else epoch_seconds
    return float(statistics.median(later.tolist()))


@dataclasses.dataclass(frozen=True)
class TrainingRun:
    """What :func:`fit_and_time` measured: the Keras history and the time of every epoch."""

    history: dict  # keras History.history: one list per logged metric, one entry per epoch
    epoch_seconds: list  # wall-clock seconds of each epoch, the first included
    total_seconds: float  # the whole ``fit`` call

    def __post_init__(self):
        checks.instance(self.history, "history", dict)
        seconds = checks.array(self.epoch_seconds, "epoch_seconds", ndim=1)
        if (seconds < 0).any():
            raise ValueError(f"epoch_seconds must be >= 0, got {seconds.tolist()}")
        checks.non_negative_float(self.total_seconds, "total_seconds")

    @property
    def seconds_per_epoch(self):
        """:func:`seconds_per_epoch` of this run: median of the epochs after the first."""
        return seconds_per_epoch(self.epoch_seconds)

    @property
    def first_epoch_seconds(self):
        """The first epoch, which also traces and compiles the graph."""
        return float(self.epoch_seconds[0])

    @property
    def epochs(self):
        """Epochs actually run (fewer than asked when a callback stopped training)."""
        return len(self.epoch_seconds)


def fit_and_time(
    model,
    x,
    y=None,
    *,
    epochs,
    optimizer="adam",
    loss="sparse_categorical_crossentropy",
    metrics=("accuracy",),
    steps_per_execution=1,
    scope=None,
    compiled=False,
    callbacks=(),
    verbose=0,
    **fit_arguments,
):
    """Compile ``model``, ``fit`` it for ``epochs`` and time every epoch.

    The book's one training recipe (chapters 2, 3.x, 5.x). Keyword arguments not named here
    (``batch_size``, ``validation_data``, ``steps_per_epoch``, ``shuffle``, ...) go to ``fit``.

    Args:
        model: a Keras model, built or not.
        x, y: training inputs and labels (``y=None`` for a dataset that yields both).
        epochs: passes over the data (or of ``steps_per_epoch`` batches), >= 1.
        optimizer, loss, metrics, steps_per_execution: passed to ``model.compile``.
        scope: a context to compile in, e.g. ``strategy.scope()`` for ``tf.distribute``.
        compiled: ``True`` when ``model`` is compiled already (one traced step reused over
            seeds): then it is only fitted and timed, and the compile settings are ignored.
        callbacks: extra Keras callbacks; the epoch timer is added last.
        verbose: Keras' ``fit`` verbosity (2 prints one line per epoch).

    Returns:
        :class:`TrainingRun` with ``history``, ``epoch_seconds``, ``total_seconds`` and the
        book's ``seconds_per_epoch``.

    Raises:
        TypeError/ValueError: ``model`` not a Keras model, ``epochs`` not a positive int.
    """
    checks.keras_model(model, "model")
    epochs = checks.positive_int(epochs, "epochs")
    checks.boolean(compiled, "compiled")
    with scope if scope is not None else contextlib.nullcontext():
        if not compiled:
            model.compile(
                optimizer=optimizer,
                loss=loss,
                metrics=None if metrics is None else list(metrics),
                steps_per_execution=steps_per_execution,
            )
    timer = EpochTimer()
    start = time.perf_counter()
    history = model.fit(
        x, y, epochs=epochs, callbacks=[*callbacks, timer], verbose=verbose, **fit_arguments
    )
    total_seconds = time.perf_counter() - start
    return TrainingRun(history.history, list(timer.seconds), total_seconds)


def fit_classifier(model, x, y, epochs, batch_size=128, learning_rate=3e-3, from_logits=False):
    """Compile (Adam, sparse cross-entropy) and fit a classifier; return its seconds per epoch.

    The recipe of chapter 5.1's variants and chapter 5.3's teacher: large batches with a larger
    learning rate and eight steps per call (the article's batches of 32 keep a CPU far below its
    peak), timed by :func:`fit_and_time` (the median of the epochs after the first).
    ``from_logits=True`` for a model whose last layer has no softmax.

    Raises:
        TypeError/ValueError: ``model`` not a Keras model, ``x`` and ``y`` of different lengths,
            ``epochs``, ``batch_size`` or ``learning_rate`` not positive.
    """
    checks.keras_model(model, "model")
    checks.matching(len(checks.array(x, "x")), "len(x)", len(checks.labels(y, "y")), "len(y)")
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.positive_float(learning_rate, "learning_rate")
    checks.boolean(from_logits, "from_logits")
    return fit_and_time(
        model,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
        steps_per_execution=8,
    ).seconds_per_epoch


def accuracy(model, x, y, batch_size=500):
    """Share of ``x`` that ``model`` classifies as ``y``: the argmax of its outputs.

    The book's one test accuracy for a trained classifier (chapters 3.5 and 5.3): plain
    forward calls in batches of ``batch_size`` (no ``evaluate`` graph to trace), so it works
    the same for a model that outputs probabilities and one that outputs logits.

    Returns:
        float in [0, 1].

    Raises:
        TypeError/ValueError: ``model`` not a Keras model, ``x`` empty or not numeric, ``y`` not
            integer labels, ``x`` and ``y`` of different lengths, ``batch_size`` not >= 1.
    """
    checks.keras_model(model, "model")
    x = checks.array(x, "x", ndim=tuple(range(2, 6)))
    y = checks.labels(y, "y")
    checks.matching(len(x), "len(x)", len(y), "len(y)")
    batch_size = checks.positive_int(batch_size, "batch_size")
    predictions = [
        keras.ops.convert_to_numpy(model(x[start : start + batch_size], training=False)).argmax(-1)
        for start in range(0, len(x), batch_size)
    ]
    return float((np.concatenate(predictions) == y).mean())
