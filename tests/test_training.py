"""The book's one training recipe (bigmodel_utils.training): compile, fit, time."""

import contextlib

import keras
import numpy as np
import pytest

from bigmodel_utils import training


@pytest.mark.parametrize(
    "epoch_seconds, expected",
    [
        ([9.0, 1.0, 3.0, 2.0], 2.0),  # the first epoch (tracing) is left out
        ([9.0, 1.0, 3.0], 2.0),  # an even count of later epochs: the mean of the middle two
        ([9.0, 4.0], 4.0),
        ([7.0], 7.0),  # one epoch: that epoch
        (np.array([0.5, 0.25, 0.25]), 0.25),
    ],
)
def test_seconds_per_epoch_is_the_median_after_the_first(epoch_seconds, expected):
    assert training.seconds_per_epoch(epoch_seconds) == pytest.approx(expected)


@pytest.mark.parametrize(
    "epoch_seconds, error, message",
    [
        ([], ValueError, "epoch_seconds"),
        ([1.0, -0.5], ValueError, "epoch_seconds must be >= 0"),
        ([1.0, float("nan")], ValueError, "epoch_seconds must be finite"),
        ("1.0", TypeError, "epoch_seconds"),
        ([[1.0, 2.0]], ValueError, "epoch_seconds must have 1 dimensions"),
    ],
)
def test_seconds_per_epoch_refuses_bad_input(epoch_seconds, error, message):
    with pytest.raises(error, match=message):
        training.seconds_per_epoch(epoch_seconds)


class _Clock:
    """A stand-in for ``time.perf_counter`` that moves only when told to (no real seconds)."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


class _SlowFirstEpoch(keras.callbacks.Callback):
    """Advances ``clock`` at the end of every epoch: long in the first, short after (a stand-in
    for tracing), so the epoch times are exact whatever else the machine is doing."""

    def __init__(self, clock, first, later):
        super().__init__()
        self.clock, self.first, self.later = clock, first, later

    def on_epoch_end(self, epoch, logs=None):
        self.clock.now += self.first if epoch == 0 else self.later


def _tiny_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])


def _tiny_data(count=32):
    rng = np.random.default_rng(0)
    return rng.random((count, 4), dtype=np.float32), rng.integers(0, 3, count)


def test_fit_and_time_returns_history_and_times_whole_epochs(monkeypatch):
    x, y = _tiny_data()
    clock = _Clock()
    monkeypatch.setattr(training, "time", clock)  # the timer and fit_and_time read this clock
    run = training.fit_and_time(
        _tiny_model(), x, y, epochs=4, batch_size=8, callbacks=[_SlowFirstEpoch(clock, 9.0, 1.0)]
    )
    assert set(run.history) == {"loss", "accuracy"} and len(run.history["loss"]) == 4
    assert run.epochs == len(run.epoch_seconds) == 4
    assert run.epoch_seconds == [9.0, 1.0, 1.0, 1.0]  # the callback runs inside its epoch
    assert run.first_epoch_seconds == 9.0
    assert run.seconds_per_epoch == 1.0  # the slow first one left out
    assert run.total_seconds == 12.0


def test_fit_and_time_compiles_with_the_given_recipe_in_the_given_scope():
    x, y = _tiny_data()
    entered = []

    @contextlib.contextmanager
    def scope():
        entered.append(True)
        yield

    model = _tiny_model()
    optimizer = keras.optimizers.SGD(0.5)
    run = training.fit_and_time(
        model,
        x,
        y,
        epochs=1,
        batch_size=16,
        optimizer=optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=None,
        steps_per_execution=2,
        scope=scope(),
        validation_data=(x, y),
    )
    assert entered == [True] and model.optimizer is optimizer
    assert set(run.history) == {"loss", "val_loss"}
    assert run.seconds_per_epoch == run.first_epoch_seconds  # one epoch: that epoch


def test_fit_and_time_counts_the_epochs_a_callback_stopped_early():
    x, y = _tiny_data()
    stop = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", epoch == 1)
    )
    model = _tiny_model()
    run = training.fit_and_time(model, x, y, epochs=10, batch_size=8, callbacks=[stop])
    assert run.epochs == 2 and len(run.history["loss"]) == 2


def test_epoch_timer_collects_into_a_given_list():
    x, y = _tiny_data()
    seconds = []
    model = _tiny_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, verbose=0, callbacks=[training.EpochTimer(seconds)])
    assert len(seconds) == 3 and all(s > 0 for s in seconds)


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": -1}, ValueError, "epochs"),
        ({"epochs": True}, TypeError, "epochs"),
        ({"epochs": 2.5}, TypeError, "epochs"),
        ({"epochs": "3"}, TypeError, "epochs"),
    ],
)
def test_fit_and_time_refuses_bad_epochs(arguments, error, message):
    x, y = _tiny_data()
    with pytest.raises(error, match=message):
        training.fit_and_time(_tiny_model(), x, y, **arguments)


def test_fit_and_time_refuses_what_is_not_a_keras_model():
    x, y = _tiny_data()
    with pytest.raises(TypeError, match="model must be a Keras Model"):
        training.fit_and_time(lambda v: v, x, y, epochs=1)


def _identity_classifier(activation=None):
    """A Dense layer with identity weights: the predicted class is the argmax of the input."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation=activation)])
    model.layers[0].set_weights([np.eye(3, dtype=np.float32), np.zeros(3, np.float32)])
    return model


@pytest.mark.parametrize("activation", [None, "softmax"])  # logits or probabilities
@pytest.mark.parametrize("batch_size", [1, 3, 500])
def test_accuracy_is_the_share_of_argmax_hits_in_any_batching(activation, batch_size):
    x = np.eye(3, dtype=np.float32)[[0, 1, 2, 2, 1, 0, 0]]  # 7 rows: classes 0 1 2 2 1 0 0
    y = np.array([0, 1, 2, 0, 0, 0, 1])  # 4 of 7 right
    model = _identity_classifier(activation)
    assert training.accuracy(model, x, y, batch_size=batch_size) == pytest.approx(4 / 7)


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"y": np.array([0, 1])}, ValueError, r"len\(x\) \(3\) and len\(y\) \(2\) must agree"),
        ({"y": np.array([0.5, 1, 2])}, TypeError, "y must hold integer class labels"),
        ({"y": np.array([-1, 1, 2])}, ValueError, "y must hold class labels"),
        ({"x": np.zeros((0, 3), np.float32), "y": np.zeros(0, int)}, ValueError, "x must have"),
        ({"x": np.zeros(3, np.float32)}, ValueError, "x must have 2 or 3 or 4 or 5 dimensions"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"model": "a model"}, TypeError, "model must be a Keras Model"),
    ],
)
def test_accuracy_refuses_bad_input(arguments, error, message):
    good = {"model": _identity_classifier(), "x": np.eye(3, dtype=np.float32), "y": np.arange(3)}
    with pytest.raises(error, match=message):
        training.accuracy(**{**good, **arguments})


def test_fit_and_time_keeps_a_compiled_model_as_it_is():
    x, y = _tiny_data()
    model = _tiny_model()
    optimizer = keras.optimizers.SGD(0.1)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    run = training.fit_and_time(model, x, y, epochs=2, batch_size=8, compiled=True)
    assert model.optimizer is optimizer and set(run.history) == {"loss"}
    with pytest.raises(TypeError, match="compiled"):
        training.fit_and_time(model, x, y, epochs=1, compiled="yes")
