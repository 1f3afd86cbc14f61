"""Tests of chapter 5.4's memory arithmetic: formulas against counted Keras variables."""

import math

import keras
import numpy as np
import pytest

from bigmodel_utils import memory


def small_model():
    inputs = keras.Input(shape=(12,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(3)(hidden))


@pytest.mark.parametrize("precision", memory.PRECISIONS)
def test_adam_needs_sixteen_bytes_per_parameter_either_way(precision):
    parts = memory.state_bytes_per_parameter(precision, "adam")
    assert parts["total"] == 16 == sum(parts[name] for name in memory.COMPONENTS)
    assert parts["optimizer_state"] == 8


def test_mixed_precision_halves_weights_and_gradients_and_adds_a_master_copy():
    full = memory.state_bytes_per_parameter("float32", "sgd")
    mixed = memory.state_bytes_per_parameter("mixed", "sgd")
    assert (full["weights"], full["gradients"], full["master_copy"]) == (4, 4, 0)
    assert (mixed["weights"], mixed["gradients"], mixed["master_copy"]) == (2, 2, 4)


@pytest.mark.parametrize("optimizer, slots", [("sgd", 0), ("momentum", 1), ("adam", 2)])
def test_formula_agrees_with_counted_keras_variables(optimizer, slots):
    model = small_model()
    make = {
        "sgd": lambda: keras.optimizers.SGD(0.1),
        "momentum": lambda: keras.optimizers.SGD(0.1, momentum=0.9),
        "adam": lambda: keras.optimizers.Adam(1e-3),
    }[optimizer]
    opt = make()
    opt.build(model.trainable_variables)
    counted = memory.count_training_state(model, opt)
    parts = memory.state_bytes_per_parameter("float32", optimizer)
    assert counted["params"] == model.count_params() == 12 * 16 + 16 + 16 * 3 + 3
    assert counted["weights"] == parts["weights"] * counted["params"]
    assert counted["optimizer_state"] == parts["optimizer_state"] * counted["params"]
    assert counted["optimizer_state"] == 4 * slots * counted["params"]
    assert counted["optimizer_scalars"] < 64  # step counter and learning rate only


def test_keras_mixed_float16_keeps_float32_variables_the_master_copy():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = small_model()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    opt = keras.optimizers.Adam(1e-3)
    opt.build(model.trainable_variables)
    counted = memory.count_training_state(model, opt)
    parts = memory.state_bytes_per_parameter("mixed", "adam")
    assert counted["weight_dtypes"] == ["float32"]
    assert counted["weights"] == parts["master_copy"] * counted["params"]
    assert counted["optimizer_state"] == parts["optimizer_state"] * counted["params"]


def test_gpt3_needs_dozens_of_80_gb_devices_for_its_state_alone():
    total = memory.state_bytes(memory.GPT3["num_params"], "mixed", "adam")
    assert total == 16 * 175e9
    assert memory.devices_needed(total, 80e9) == 35
    assert memory.devices_needed(80e9, 80e9) == 1 and memory.devices_needed(80e9 + 1, 80e9) == 2


def test_layer_activations_follow_korthikanti_and_recompute_keeps_the_input():
    s, b, h, a = 2048, 1, 12288, 96
    full = memory.layer_activation_bytes(b, s, h, a)
    assert math.isclose(full, s * b * h * (34 + 5 * a * s / h))
    assert memory.layer_activation_bytes(b, s, h, a, recompute=True) == 2 * s * b * h
    assert memory.layer_activation_bytes(2 * b, s, h, a) == 2 * full  # linear in the batch


def test_mlp_activation_values_count_input_preactivation_and_activation():
    assert memory.mlp_activation_values(2, 3, 4, 16) == 2 * 3 * (4 + 16 + 16)


def test_state_table_rows_and_devices():
    rows = memory.state_table(175e9, 80e9)
    assert len(rows) == 4
    adam = [row for row in rows if row["optimizer"] == "adam"]
    assert all(row["devices"] == 35 and row["total (B/param)"] == 16 for row in adam)
    assert {row["precision"] for row in rows} == set(memory.PRECISIONS)


class NotAnOptimizer:
    pass


class EmptyOptimizer:
    variables = []


BAD_CALLS = [
    (lambda: memory.state_bytes_per_parameter("float64"), ValueError, "precision"),
    (lambda: memory.state_bytes_per_parameter(precision=None), ValueError, "precision"),
    (lambda: memory.state_bytes_per_parameter("float32", "lamb"), ValueError, "optimizer"),
    (lambda: memory.state_bytes(-1), ValueError, "num_params"),
    (lambda: memory.state_bytes("7"), TypeError, "num_params"),
    (lambda: memory.state_bytes(1e6, optimizer="rmsprop"), ValueError, "optimizer"),
    (lambda: memory.mlp_activation_values(0, 3, 4, 16), ValueError, "batch_size"),
    (lambda: memory.mlp_activation_values(2, 3.0, 4, 16), TypeError, "seq_len"),
    (lambda: memory.mlp_activation_values(2, 3, 4, -1), ValueError, "mlp_dim"),
    (lambda: memory.layer_activation_bytes(1, 2048, 0, 96), ValueError, "d_model"),
    (lambda: memory.layer_activation_bytes(1, 2048, 64, True), TypeError, "num_heads"),
    (lambda: memory.layer_activation_bytes(1, 8, 64, 4, recompute=1), TypeError, "recompute"),
    (lambda: memory.devices_needed(1e9, 0), ValueError, "device_bytes"),
    (lambda: memory.devices_needed(-1, 8e10), ValueError, "total_bytes"),
    (lambda: memory.devices_needed(float("inf"), 8e10), ValueError, "total_bytes"),
    (lambda: memory.count_training_state("model", EmptyOptimizer()), TypeError, "model"),
    (lambda: memory.count_training_state(small_model(), NotAnOptimizer()), TypeError, "optimizer"),
    (lambda: memory.count_training_state(small_model(), EmptyOptimizer()), ValueError, "optimizer"),
    (lambda: memory.state_table(0, 8e10), ValueError, "num_params"),
    (lambda: memory.state_table(1e9, -8e10), ValueError, "device_bytes"),
    (lambda: memory.state_table(1e9, None), TypeError, "device_bytes"),
]


@pytest.mark.parametrize("call, error, name", BAD_CALLS)
def test_bad_input_raises_naming_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_numpy_integers_are_accepted():
    assert memory.mlp_activation_values(np.int64(2), 3, 4, 16) == 216


def test_peak_sentence_in_both_languages_for_cpu_and_gpu():
    cpu = memory.peak_sentence(None, 4e6, {"current": 1234, "peak": 5678})
    assert "without a GPU" in cpu["en"] and "1,234" in cpu["en"] and "5,678" in cpu["zh"]
    assert "GPU" in cpu["zh"] and cpu["en"] != cpu["zh"]
    gpu = memory.peak_sentence({"peak": 12.34e6}, 4e6)
    assert "12.3 MB" in gpu["en"] and "4.0 MB" in gpu["en"] and "12.3 MB" in gpu["zh"]
    none = memory.peak_sentence(None, 4e6)  # a CPU whose allocator keeps no counter
    assert (
        "no memory counter" in none["en"] and "计数器" in none["zh"] and "bytes" not in none["en"]
    )
    with pytest.raises(TypeError, match="cpu_info"):
        memory.peak_sentence(None, 4e6, [1, 2])


def test_cpu_counter_is_none_where_tensorflow_keeps_no_statistics(monkeypatch):
    import tensorflow as tf

    def no_statistics(device):
        raise ValueError(f"Allocator stats not available for device '{device}'")

    reading = memory.cpu_counter()
    assert reading is None or set(reading) >= {"current", "peak"}
    monkeypatch.setattr(tf.config.experimental, "get_memory_info", no_statistics)
    assert memory.cpu_counter() is None
    with pytest.raises(TypeError, match="device"):
        memory.cpu_counter(0)
