"""Chapter 5.1: what a trained model costs to ship and run -- TFLite conversion and measurement.

Post-training quantization to a TFLite flatbuffer (float32, float16 or full int8), run with
the LiteRT interpreter, and one table row per model: parameters, FLOPs, bytes on disk, CPU
latency per batch (median of repeated runs) and test accuracy.
"""

import contextlib
import io
import os
import statistics
import tempfile
import time
import warnings

import numpy as np

from bigmodel_utils import checks, size
from bigmodel_utils import statistics as stats
from bigmodel_utils.efficient import conv_stack_flops

QUANTIZATIONS = ("float32", "float16", "int8")


def _check_flatbuffer(model_bytes, name="model_bytes"):
    """Raise unless ``model_bytes`` is a non-empty ``bytes`` flatbuffer (from :func:`to_tflite`)."""
    if not isinstance(model_bytes, (bytes, bytearray)):
        raise TypeError(
            f"{name} must be bytes (a TFLite flatbuffer), got {type(model_bytes).__name__}"
        )
    if not model_bytes:
        raise ValueError(f"{name} must be a non-empty TFLite flatbuffer, got b''")


def to_tflite(model, quantization="float32", representative_x=None, calibration_size=200):
    """Convert a Keras model to a TFLite flatbuffer (bytes), optionally quantized after training.

    ``float16`` stores weights as float16; ``int8`` is full-integer quantization (weights,
    activations, input and output int8), calibrated on ``representative_x`` (Jacob et al., 2018).

    Raises:
        ValueError: unknown ``quantization``, or ``int8`` without ``representative_x``.
    """
    checks.keras_model(model, "model")
    checks.one_of(quantization, "quantization", QUANTIZATIONS)
    if representative_x is not None:
        checks.array(representative_x, "representative_x")
    checks.positive_int(calibration_size, "calibration_size")
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantization == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantization == "int8":
        if representative_x is None:
            raise ValueError(
                "representative_x: int8 needs sample inputs to calibrate activation ranges"
            )
        samples = np.asarray(representative_x[:calibration_size], dtype=np.float32)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: (
            [sample[None]] for sample in samples
        )  # each (1, *sample)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = converter.inference_output_type = tf.int8
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")
    try:  # quiet: the converter narrates its SavedModel export
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
            warnings.catch_warnings(),
        ):
            warnings.filterwarnings(
                "ignore", message="Statistics for quantized inputs"
            )  # int8 input: expected
            return converter.convert()
    finally:
        logger.setLevel(level)


def interpreter(model_bytes, num_threads=None):
    """A LiteRT interpreter for a flatbuffer (``ai_edge_litert``, else ``tf.lite``)."""
    _check_flatbuffer(model_bytes)
    if num_threads is not None:
        checks.positive_int(num_threads, "num_threads")
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # Colab and older installs: the same interpreter ships inside TensorFlow
        import tensorflow as tf

        # An attribute, not ``from tensorflow.lite import``: that raises ImportError on TF 2.20,
        # whose ``tensorflow.lite`` is a lazily loaded module.
        Interpreter = tf.lite.Interpreter
    return Interpreter(model_content=model_bytes, num_threads=num_threads or os.cpu_count())


class TFLiteRunner:
    """Runs a flatbuffer on batches of float32 images, (de)quantizing int8 input and output."""

    def __init__(self, model_bytes, batch_size):
        _check_flatbuffer(model_bytes)
        checks.positive_int(batch_size, "batch_size")
        self.interpreter = interpreter(model_bytes)
        self.input, self.output = (
            self.interpreter.get_input_details()[0],
            self.interpreter.get_output_details()[0],
        )
        self.interpreter.resize_tensor_input(
            self.input["index"], [batch_size, *self.input["shape"][1:]]
        )
        self.interpreter.allocate_tensors()
        self.batch_size = batch_size

    def __call__(self, x):
        scale, zero_point = self.input["quantization"]
        if self.input["dtype"] == np.int8:  # q = round(x / scale) + zero_point
            x = np.clip(np.round(x / scale) + zero_point, -128, 127)
        self.interpreter.set_tensor(self.input["index"], np.asarray(x, dtype=self.input["dtype"]))
        self.interpreter.invoke()
        y = self.interpreter.get_tensor(self.output["index"]).astype(np.float32)
        scale, zero_point = self.output["quantization"]
        return (y - zero_point) * scale if self.output["dtype"] == np.int8 else y


def keras_runner(model):
    """A compiled ``tf.function`` forward pass on NumPy batches (cheaper per call than predict)."""
    checks.keras_model(model, "model")
    import tensorflow as tf

    forward = tf.function(lambda x: model(x, training=False))
    return lambda x: forward(tf.constant(x, dtype=tf.float32)).numpy()


def predict_batches(run, x, batch_size):
    """Outputs of ``run`` on images ``x`` in fixed-size batches (the last padded, then trimmed)."""
    checks.function(run, "run")
    x = checks.array(x, "x", ndim=4)  # (examples, height, width, channels)
    batch_size = checks.positive_int(batch_size, "batch_size")
    outputs = []
    for start in range(0, len(x), batch_size):
        batch = x[start : start + batch_size]
        padded = np.concatenate([batch, np.zeros((batch_size - len(batch), *x.shape[1:]), x.dtype)])
        outputs.append(run(padded)[: len(batch)])
    return np.concatenate(outputs)


def median_seconds(run, x_batch, repeats=30, warmup=3):
    """Median wall time of ``run(x_batch)`` over ``repeats`` calls, after ``warmup`` calls."""
    checks.function(run, "run")
    checks.array(x_batch, "x_batch")  # numbers, not empty, no NaN or inf; any shape run takes
    checks.non_negative_int(repeats, "repeats")
    checks.non_negative_int(warmup, "warmup")
    for _ in range(warmup):
        run(x_batch)
    if repeats < 1:
        return None
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(x_batch)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def model_file_bytes(model):
    """Bytes of ``model`` as a ``.keras`` file: architecture and weights, no optimizer state."""
    checks.keras_model(model, "model")
    copy = type(model).from_config(model.get_config())  # uncompiled: no Adam moments in the file
    copy.set_weights(model.get_weights())
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        copy.save(path)
        return os.path.getsize(path)


def measure(entries, x_test, y_test, batch_size=32, repeats=30):
    """The chapter's table: params, FLOPs, bytes on disk, latency per batch and accuracy per model.

    ``entries`` is a list of ``(name, keras_model, tflite_bytes_or_None)``: the Keras model gives
    parameters and FLOPs; a flatbuffer, if given, is what is stored, timed and scored, else the
    Keras model itself (its ``.keras`` file; a ``tf.function``). Latency is the median over
    ``repeats`` rounds that time every model once in turn, so a busy machine slows all alike;
    ``latency_rounds_ms`` keeps every round, for :func:`latency_judgement`.
    """
    checks.non_empty(entries, "entries")
    for i, entry in enumerate(entries):
        if not isinstance(entry, (list, tuple)) or len(entry) != 3:
            raise TypeError(f"entries[{i}] must be (name, keras_model, tflite_bytes_or_None)")
        checks.string(entry[0], f"entries[{i}][0] (name)")
        checks.keras_model(entry[1], f"entries[{i}][1] (model)")
        if entry[2] is not None:
            _check_flatbuffer(entry[2], f"entries[{i}][2] (flatbuffer)")
    checks.matching(
        len(checks.array(x_test, "x_test")),
        "len(x_test)",
        len(checks.labels(y_test, "y_test")),
        "len(y_test)",
    )
    checks.positive_int(batch_size, "batch_size")
    checks.positive_int(repeats, "repeats")
    runs = [
        keras_runner(model) if flatbuffer is None else TFLiteRunner(flatbuffer, batch_size)
        for _, model, flatbuffer in entries
    ]
    x_batch, times = x_test[:batch_size], [[] for _ in runs]
    for run in runs:
        median_seconds(run, x_batch, repeats=0)  # warm up (traces the tf.function)
    for _ in range(repeats):
        for run, seconds in zip(runs, times):
            start = time.perf_counter()
            run(x_batch)
            seconds.append(time.perf_counter() - start)
    rows = []
    for (name, model, flatbuffer), run, seconds in zip(entries, runs, times):
        predictions = predict_batches(run, x_test, batch_size).argmax(axis=-1)
        rows.append(
            {
                "model": name,
                "params": size.count_parameters(model)["total"],
                "forward_flops": size.forward_flops(model, warn=False).total.total,
                "conv_stack_flops": conv_stack_flops(model),
                "bytes": model_file_bytes(model) if flatbuffer is None else len(flatbuffer),
                "latency_ms": 1e3 * statistics.median(seconds),
                "latency_rounds_ms": [1e3 * second for second in seconds],
                "accuracy": float((predictions == y_test).mean()),
            }
        )
    return rows


_SPEED = {
    "faster": {"en": "faster", "zh": "更快"},
    "slower": {"en": "slower", "zh": "更慢"},
    "same": {"en": "not measurably faster or slower", "zh": "快慢没有可测的差别"},
}


def speed_words(interval, lang="en"):
    """ "faster", "slower" or "not measurably faster or slower", from a time ratio's interval.

    ``interval`` is ``(low, high)`` (or a dict) of (time of the variant) / (time of the baseline):
    faster when the whole interval lies below 1, slower when it lies above 1, else neither.
    """
    checks.one_of(lang, "lang", stats.LANGUAGES)
    if stats.verdict(interval, 1.0, "below") == stats.HOLDS:
        return _SPEED["faster"][lang]
    if stats.verdict(interval, 1.0, "above") == stats.HOLDS:
        return _SPEED["slower"][lang]
    return _SPEED["same"][lang]


def ratio_interval(ratios):
    """Geometric mean of time ratios and its 95 % interval, from the t interval of their logarithms.

    Ratios multiply, so their noise is symmetric on a log scale: the interval never reaches below
    zero and 2x and 0.5x are equally far from 1. Returns ``mean``, ``low``, ``high``, ``seeds``.

    Raises:
        ValueError: fewer than 2 ratios, or a ratio that is not positive.
    """
    ratios = checks.array(ratios, "ratios", ndim=1)
    if ratios.size < 2 or np.any(ratios <= 0):
        raise ValueError(f"ratios must be at least 2 positive numbers, got {ratios.tolist()}")
    logs = stats.seed_interval(np.log(ratios))
    return {
        "mean": float(np.exp(logs["mean"])),
        "low": float(np.exp(logs["low"])),
        "high": float(np.exp(logs["high"])),
        "seeds": logs["seeds"],
    }


def latency_judgement(rows, model, baseline):
    """Latency of ``model`` over ``baseline``: the ratio per timing round, its interval, the words.

    Both were timed once in every round of :func:`measure`, so the rounds pair them; the interval
    is over the rounds' ratios (:func:`ratio_interval`). Returns a
    :func:`bigmodel_utils.statistics.judge` dict of the claim "``model`` is faster" (ratio below 1),
    with ``ratio`` (median of the rounds' ratios) and
    ``speed_<lang>`` words added.

    Raises:
        ValueError: ``model`` or ``baseline`` is not a row of ``rows``.
    """
    checks.non_empty(rows, "rows")
    for i, row in enumerate(rows):
        checks.mapping(row, f"rows[{i}]", required=("model", "latency_rounds_ms"))
    by_name = {row["model"]: row for row in rows}
    checks.one_of(model, "model", tuple(by_name))
    checks.one_of(baseline, "baseline", tuple(by_name))
    ratios = np.asarray(by_name[model]["latency_rounds_ms"]) / np.asarray(
        by_name[baseline]["latency_rounds_ms"]
    )  # (rounds,)
    judged = stats.judge(ratio_interval(ratios), 1.0, "below", unit="times", digits=2, signed=False)
    judged["ratio"] = float(np.median(ratios))
    for lang in stats.LANGUAGES:
        judged[f"speed_{lang}"] = speed_words(judged, lang)
    return judged
