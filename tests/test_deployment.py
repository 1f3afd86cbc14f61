"""Chapter 5.1 deployment: TFLite float32 / float16 / int8, LiteRT runs, the measurement table."""

import keras
import numpy as np
import pytest

from bigmodel_utils import deployment, profile

ATOL = 1e-5


@pytest.fixture(scope="module")
def tiny_trained():
    """A ~20k-parameter classifier trained on a learnable synthetic task (4 classes)."""
    profile.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((600, 8, 8, 1)).astype(np.float32)
    y = (x.reshape(600, 64) @ rng.standard_normal((64, 4))).argmax(
        axis=1
    )  # (600, 64) @ (64, 4) -> (600,)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(4, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(x[:400], y[:400], epochs=15, batch_size=32, verbose=0)
    return model, x, y


def test_tflite_float32_matches_keras_and_int8_is_smaller_and_close(tiny_trained):
    model, x, y = tiny_trained
    x_test, y_test = x[400:], y[400:]
    float32 = deployment.to_tflite(model, "float32")
    int8 = deployment.to_tflite(model, "int8", representative_x=x[:400])
    keras_probabilities = deployment.predict_batches(deployment.keras_runner(model), x_test, 16)
    np.testing.assert_allclose(
        deployment.predict_batches(deployment.TFLiteRunner(float32, 16), x_test, 16),
        keras_probabilities,
        atol=ATOL,
    )
    int8_probabilities = deployment.predict_batches(deployment.TFLiteRunner(int8, 16), x_test, 16)
    assert np.abs(int8_probabilities - keras_probabilities).max() < 0.1  # int8 output, dequantized
    keras_accuracy = (keras_probabilities.argmax(1) == y_test).mean()
    assert keras_accuracy > 0.6  # the task was learned
    assert abs((int8_probabilities.argmax(1) == y_test).mean() - keras_accuracy) <= 0.03
    assert len(int8) < len(float32) / 2.5


def test_tflite_float16_halves_the_weights(tiny_trained):
    model, x, _ = tiny_trained
    float32, float16 = (
        deployment.to_tflite(model, "float32"),
        deployment.to_tflite(model, "float16"),
    )
    assert len(float16) < 0.6 * len(float32)
    np.testing.assert_allclose(deployment.TFLiteRunner(float16, 8)(x[:8]), model(x[:8]), atol=1e-2)


def test_to_tflite_bad_arguments(tiny_trained):
    model, _, _ = tiny_trained
    with pytest.raises(ValueError, match="quantization"):
        deployment.to_tflite(model, "int4")
    with pytest.raises(ValueError, match="representative_x"):
        deployment.to_tflite(model, "int8")


def test_measure_row_and_helpers(tiny_trained):
    model, x, y = tiny_trained
    run = deployment.keras_runner(model)
    np.testing.assert_allclose(
        deployment.predict_batches(run, x[:37], 16), model(x[:37]), atol=ATOL
    )
    assert deployment.median_seconds(run, x[:16], repeats=3, warmup=1) > 0
    assert (
        deployment.model_file_bytes(model) < 2 * 4 * model.count_params()
    )  # no Adam moments in the file
    flatbuffer = deployment.to_tflite(model, "float32")
    keras_row, tflite_row = deployment.measure(
        [("keras", model, None), ("tflite", model, flatbuffer)],
        x[400:],
        y[400:],
        batch_size=16,
        repeats=3,
    )
    assert keras_row["params"] == tflite_row["params"] == model.count_params()
    assert keras_row["bytes"] > 4 * model.count_params()  # float32 weights plus the file's overhead
    assert tflite_row["bytes"] == len(flatbuffer)
    assert keras_row["accuracy"] == tflite_row["accuracy"] and keras_row["latency_ms"] > 0
