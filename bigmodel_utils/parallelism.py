"""Chapter 3.3: does attention process a sequence in parallel, and so train faster than an RNN?

The article says attention processes all positions of a sequence at once and therefore computes
efficiently, where a recurrent network must take its steps one after another. This module puts
that to a stopwatch: one-layer models that read the same sequences (the adding problem of chapter
3.2) with a SimpleRNN, an LSTM or self-attention, the same width, and the median wall time of one
training step (forward, backward, update) as the sequence grows. Every round times each model once
in turn, so the rounds pair them and a busy machine slows all alike.
"""

import time

import keras
import numpy as np
from keras import layers

from bigmodel_utils import checks, data, profile
from bigmodel_utils import statistics as stats
from bigmodel_utils.deployment import ratio_interval, speed_words  # noqa: F401 (re-exported)

KINDS = ("rnn", "lstm", "attention")


def sequence_model(kind, sequence_length, width=64, num_heads=4):
    """A one-layer sequence regressor: inputs ``(T, 2)`` -> Dense(width) -> layer -> Dense(1).

    ``rnn`` is Keras' SimpleRNN (the article's recurrence), ``lstm`` an LSTM, ``attention`` one
    multi-head self-attention layer (``num_heads`` heads of ``width / num_heads``) followed by an
    average over positions. All three read every position and have the same width.
    ``sequence_length=None`` reads sequences of any length T (one model for every length).

    Raises:
        ValueError: unknown ``kind``, or ``width`` not divisible by ``num_heads``.
    """
    checks.one_of(kind, "kind", KINDS)
    if sequence_length is not None:
        checks.integer(sequence_length, "sequence_length", low=2)
    checks.positive_int(width, "width")
    checks.positive_int(num_heads, "num_heads")
    if width % num_heads:
        raise ValueError(f"width ({width}) must be divisible by num_heads ({num_heads})")
    inputs = keras.Input((sequence_length, 2))
    x = layers.Dense(width)(inputs)  # (batch, T, width)
    if kind == "rnn":
        x = layers.SimpleRNN(width)(x)  # T steps, one after another
    elif kind == "lstm":
        x = layers.LSTM(width)(x)
    else:
        x = layers.MultiHeadAttention(num_heads, key_dim=width // num_heads)(x, x)  # all at once
        x = layers.GlobalAveragePooling1D()(x)  # (batch, width)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs, name=f"{kind}_T{sequence_length or 'any'}")


def training_step(model, learning_rate=1e-3):
    """``model``'s Keras training step (forward, MSE loss, backward, Adam update), traced once.

    Chapter 3.3. The step is ``model.train_step``, the one ``fit`` and ``train_on_batch`` run, in a
    ``tf.function`` whose inputs ``(batch, T, 2)`` leave T open: one trace serves every length
    of a ``sequence_model(kind, None)``. Call it as ``step((x, y))``.
    """
    import tensorflow as tf  # the book's Keras backend

    checks.keras_model(model, "model")
    checks.positive_float(learning_rate, "learning_rate")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mean_squared_error")
    model.optimizer.build(model.trainable_variables)  # its variables exist before the trace
    signature = (tf.TensorSpec((None, None, 2), tf.float32), tf.TensorSpec((None,), tf.float32))

    @tf.function(input_signature=[signature])
    def step(batch):
        model.reset_metrics()  # as train_on_batch does: the loss of this batch, not a running mean
        return model.train_step(batch)

    return step


def time_training_steps(lengths, kinds=KINDS, batch_size=32, repeats=10, warmup=2, seed=0):
    """Seconds per training step of each kind of model at each sequence length, round by round.

    Args:
        lengths: sequence lengths T (each >= 2).
        kinds: which of ``KINDS`` to time.
        batch_size: sequences per step.
        repeats: timed rounds per length (at least 2, for an interval); each round times one step
            of every model in turn.
        warmup: untimed steps per model at each length first (the very first traces the step,
            which then serves every length).
        seed: seed of the weights and of the adding-problem batch.

    Returns:
        dict ``(kind, T) -> list of seconds``, one per round.
    """
    import tensorflow as tf  # the book's Keras backend

    lengths = [checks.integer(length, "lengths", low=2) for length in lengths]
    kinds = [checks.one_of(kind, "kinds", KINDS) for kind in kinds]
    checks.positive_int(batch_size, "batch_size")
    checks.integer(repeats, "repeats", low=2)
    checks.non_negative_int(warmup, "warmup")
    steps = {}
    for kind in kinds:  # one model and one traced step per kind, for every length
        profile.set_seed(seed)
        steps[kind] = training_step(sequence_model(kind, None))
    seconds = {(kind, length): [] for length in lengths for kind in kinds}
    for length in lengths:
        batch = tuple(map(tf.constant, data.adding_problem(batch_size, length, seed=seed)))
        for step in steps.values():  # (batch, T, 2), (batch,)
            for _ in range(max(warmup, 1)):
                step(batch)
        for _ in range(repeats):
            for kind, step in steps.items():
                start = time.perf_counter()
                float(step(batch)["loss"])  # the loss, read back: the step has finished
                seconds[kind, length].append(time.perf_counter() - start)
    return seconds


def judge_parallelism(seconds, recurrent="lstm", attention="attention"):
    """The verdict on "attention trains faster than the recurrent network", length by length.

    For each length, the ratio (attention step time) / (recurrent step time) of every round, its
    geometric mean and 95 % interval (:func:`bigmodel_utils.deployment.ratio_interval`), judged
    against 1 (below: attention is faster). Returns ``T -> judgement`` (a
    :func:`bigmodel_utils.statistics.judge` dict with ``speed_<lang>`` words added).

    Raises:
        ValueError: ``seconds`` lacks one of the two kinds at some length.
    """
    checks.mapping(seconds, "seconds")
    lengths = sorted({length for _, length in seconds})
    judged = {}
    for length in lengths:
        for kind in (recurrent, attention):
            if (kind, length) not in seconds:
                raise ValueError(f"seconds has no timings of {kind!r} at T = {length}")
        ratios = np.asarray(seconds[attention, length]) / np.asarray(seconds[recurrent, length])
        result = stats.judge(
            ratio_interval(ratios), 1.0, "below", unit="times", digits=2, signed=False
        )
        for lang in stats.LANGUAGES:
            result[f"speed_{lang}"] = speed_words(result, lang)
        judged[length] = result
    return judged


def growth_exponent(lengths, step_seconds):
    """The slope of log(step time) against log(T): 1 means time grows in proportion to T.

    A least-squares fit over the lengths of the medians; for the RNN it measures how far its steps
    in sequence dominate, for attention how far the cost stays flat while the work grows.
    """
    lengths = checks.array(lengths, "lengths", ndim=1)
    step_seconds = checks.array(step_seconds, "step_seconds", ndim=1)
    checks.matching(lengths.size, "lengths", step_seconds.size, "step_seconds")
    if lengths.size < 2 or np.any(lengths <= 0) or np.any(step_seconds <= 0):
        raise ValueError("lengths and step_seconds must be at least 2 positive numbers each")
    slope, _ = np.polyfit(np.log(lengths), np.log(step_seconds), 1)
    return float(slope)
