"""Chapter 3.2: the two training runs of the recurrent chapter, as reusable functions.

``train_row_classifier`` trains a network of :func:`rnn.build_sequence_classifier`
on MNIST read row by row; ``train_adding_lengths`` (and ``train_adding``, one length) trains
:func:`rnn.build_adding_regressor` models on the adding problem within a budget of steps
and measures their gradients before and after.
"""

import keras
import numpy as np

from bigmodel_utils import checks, data, profile, rnn, training


def train_row_classifier(
    kind, mnist, units=64, epochs=8, batch_size=128, learning_rate=1e-2, seed=0, callbacks=()
):
    """Train a recurrent classifier on MNIST read row by row (28 steps of 28 pixels) and test it.

    Chapter 3.2. Adam with a cosine-decaying learning rate and gradients clipped to norm 1;
    the test set is only watched (``validation_data``, once per epoch), never used to choose
    anything; the last of those passes gives the test accuracy.

    Args:
        kind: ``'simple'``, ``'lstm'`` or ``'article'`` (see :func:`rnn.build_sequence_classifier`).
        mnist: a :class:`data.MNIST` (images ``(N, 28, 28, 1)``; the channel axis is dropped here).
        callbacks: extra Keras callbacks for ``fit`` (e.g. a timer).

    Returns:
        ``(history, row)``: ``History.history`` (one list per metric) and a dict with
        ``model`` (the kind), ``parameters``, ``seconds per epoch`` (as
        :func:`bigmodel_utils.training.fit_and_time` defines them) and ``test accuracy``.
    """
    checks.one_of(kind, "kind", rnn.KINDS)
    checks.instance(mnist, "mnist", data.MNIST)
    for name in ("units", "epochs", "batch_size"):
        checks.positive_int(locals()[name], name)
    checks.positive_float(learning_rate, "learning_rate")
    checks.non_negative_int(seed, "seed")
    checks.instance(callbacks, "callbacks", (list, tuple))
    profile.set_seed(seed)
    x_train, x_test = mnist.x_train[..., 0], mnist.x_test[..., 0]  # (N, 28 steps, 28 pixels)
    model = rnn.build_sequence_classifier(kind, units=units)
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)
    run = training.fit_and_time(
        model,
        x_train,
        mnist.y_train,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0),
        validation_data=(x_test, mnist.y_test),
        steps_per_execution=8,  # numerically the same; fewer calls from Python
        callbacks=callbacks,
    )
    # The last epoch's pass over the test set ran after its last step: the trained model's
    # test accuracy, with no second pass (counts of correct digits, whatever the batches).
    test_accuracy = float(run.history["val_accuracy"][-1])
    return run.history, {
        "model": kind,
        "parameters": model.count_params(),
        "seconds per epoch": run.seconds_per_epoch,
        "test accuracy": test_accuracy,
    }


class _StopWhenSolved(keras.callbacks.Callback):
    """Stop training once the validation loss falls below ``threshold``."""

    def __init__(self, threshold):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        if logs and logs.get("val_loss", np.inf) < self.threshold:
            self.model.stop_training = True


def train_adding(
    kind,
    sequence_length,
    units=32,
    steps=500,
    batch_size=256,
    learning_rate=0.02,
    seed=0,
    check_every=50,
    stop_below=0.01,
    measure_gradients=True,
):
    """Train one model on the adding problem within a budget of steps; report its test MSE.

    Chapter 3.2: :func:`train_adding_lengths` at the one length ``sequence_length``
    (``measure_gradients`` a bool); see there for the recipe and the returned dict.

    Raises:
        ValueError: a budget ``steps`` smaller than ``check_every``.
    """
    checks.integer(sequence_length, "sequence_length", low=2)
    checks.boolean(measure_gradients, "measure_gradients")
    return train_adding_lengths(
        kind,
        [sequence_length],
        units,
        steps,
        batch_size,
        learning_rate,
        seed,
        check_every,
        stop_below,
        measure_gradients_at=[sequence_length] if measure_gradients else [],
    )[sequence_length]


def _sequences(x, y, batch_size, shuffle_seed=None):
    """Batches ``(batch, None, 2)`` of sequences: T left open, one traced step reads every T."""
    import tensorflow as tf  # the book's Keras backend: a repeating, shuffled input pipeline

    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(y), seed=shuffle_seed).repeat()
    # Every sequence has the same length, so nothing is padded: this only leaves T open.
    return dataset.padded_batch(batch_size, padded_shapes=([None, x.shape[-1]], []))


def train_adding_lengths(
    kind,
    lengths,
    units=32,
    steps=500,
    batch_size=256,
    learning_rate=0.02,
    seed=0,
    check_every=50,
    stop_below=0.01,
    measure_gradients_at=(),
):
    """Train one fresh model per sequence length on the adding problem; report each test MSE.

    Chapter 3.2. Adam with gradient-norm clipping at 1.0; every ``check_every`` steps the
    validation MSE is measured, and training stops early once it is below ``stop_below``.
    Training, validation (512) and test (1,000) sequences come from different seeds. Every
    length starts from the weights a model built under ``seed`` has and from a fresh optimizer,
    as a model of its own would; the lengths share only the traced training step.

    Returns:
        ``length -> dict``: ``test_mse``, ``steps`` (taken), ``seconds``, ``val_mse`` (one per
        check), ``gradient_norms_before`` / ``_after`` (:func:`rnn.input_gradient_norms` on 256
        validation sequences, untrained and trained; None unless the length is in
        ``measure_gradients_at``) and the trained ``model``.

    Raises:
        ValueError: a budget ``steps`` smaller than ``check_every``.
    """
    checks.one_of(kind, "kind", rnn.KINDS)
    checks.instance(lengths, "lengths", (list, tuple))
    lengths = [checks.integer(length, "lengths", low=2) for length in lengths]
    for name in ("units", "steps", "batch_size", "check_every"):
        checks.positive_int(locals()[name], name)
    checks.positive_float(learning_rate, "learning_rate")
    checks.non_negative_int(seed, "seed")
    checks.positive_float(stop_below, "stop_below")
    checks.instance(measure_gradients_at, "measure_gradients_at", (list, tuple, set))
    if steps < check_every:
        raise ValueError(f"steps must be >= check_every ({check_every}), got {steps}")
    model = rnn.build_adding_regressor(kind, units)  # one model, one traced step, every length
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss="mean_squared_error"
    )
    model.optimizer.build(model.trainable_variables)
    fresh_optimizer = [np.array(variable.numpy()) for variable in model.optimizer.variables]
    return {
        length: _train_adding_length(
            model, fresh_optimizer, kind, length, units, steps, batch_size, seed, check_every,
            stop_below, length in measure_gradients_at,
        )
        for length in lengths
    }  # fmt: skip


def _train_adding_length(
    model, fresh_optimizer, kind, length, units, steps, batch_size, seed, check_every,
    stop_below, measure_gradients,
):  # fmt: skip
    """One length of :func:`train_adding_lengths` on the compiled, shared ``model``."""
    profile.set_seed(seed)
    x, y = data.adding_problem(min(steps * batch_size, 32_768), length, seed=seed)
    x_val, y_val = data.adding_problem(512, length, seed=seed + 1_000)
    x_test, y_test = data.adding_problem(1_000, length, seed=seed + 2_000)
    train = _sequences(x, y, batch_size, shuffle_seed=seed)
    trained = rnn.build_adding_regressor(kind, units)  # the weights a fresh model starts from
    model.set_weights(trained.get_weights())
    for variable, value in zip(model.optimizer.variables, fresh_optimizer, strict=True):
        variable.assign(value)

    def gradient_norms():
        return (
            rnn.input_gradient_norms(model, x_val[:256], y_val[:256]) if measure_gradients else None
        )

    before = gradient_norms()
    run = training.fit_and_time(
        model,
        train,
        epochs=steps // check_every,
        steps_per_epoch=check_every,
        compiled=True,
        shuffle=False,
        validation_data=_sequences(x_val, y_val, len(y_val)),
        callbacks=[_StopWhenSolved(stop_below)],
    )
    after = gradient_norms()
    trained.set_weights(model.get_weights())
    return {
        "kind": kind,
        "sequence_length": length,
        "seconds": run.total_seconds,
        "test_mse": float(model.evaluate(_sequences(x_test, y_test, len(y_test)), verbose=0)),
        "steps": check_every * run.epochs,
        "val_mse": run.history["val_loss"],
        "gradient_norms_before": before,
        "gradient_norms_after": after,
        "model": trained,
    }


SOLVED_SHARE = 0.1  # solved: a test MSE below a tenth of always answering the average
NO_BETTER_SHARE = 0.9  # no better: a test MSE above nine tenths of it
_AGAINST_BASELINE = {
    "solved": {
        "en": "solved (below a tenth of the error of always answering the average sum)",
        "zh": "已解决（误差低于始终回答平均和的十分之一）",
    },
    "no better": {
        "en": "no better than always answering the average sum",
        "zh": "并不比始终回答平均和更好",
    },
    "partly": {
        "en": "better than always answering the average sum, but far from solved",
        "zh": "比始终回答平均和要好，但远未解决",
    },
}


def against_baseline(test_mse, baseline_mse, lang="en"):
    """Words for an adding-problem MSE against always answering the average sum (chapter 3.2).

    "solved" below ``SOLVED_SHARE`` of ``baseline_mse``, "no better than ..." above
    ``NO_BETTER_SHARE`` of it, else "better ..., but far from solved"; in English or Chinese.

    Raises:
        ValueError: a negative MSE, a baseline that is not positive, or an unknown ``lang``.
    """
    test_mse = checks.non_negative_float(test_mse, "test_mse")
    baseline_mse = checks.positive_float(baseline_mse, "baseline_mse")
    checks.one_of(lang, "lang", ("en", "zh"))
    if test_mse < SOLVED_SHARE * baseline_mse:
        key = "solved"
    elif test_mse >= NO_BETTER_SHARE * baseline_mse:
        key = "no better"
    else:
        key = "partly"
    return _AGAINST_BASELINE[key][lang]


_NONE = {"en": "none", "zh": "无"}
_SEPARATOR = {"en": ", ", "zh": "、"}


def solved_lengths(lengths, lang="en"):
    """The sequence lengths a model solved, as a list in words: "10, 20", or "none" / "无".

    Chapter 3.2, the lengths at which the article's RNN solves the adding problem; in ``lang``.

    Raises:
        ValueError: an unknown ``lang``, or a length that is not an int >= 2.
    """
    checks.one_of(lang, "lang", ("en", "zh"))
    lengths = [checks.integer(length, "lengths", low=2) for length in lengths]
    return _SEPARATOR[lang].join(map(str, lengths)) or _NONE[lang]
