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

    Raises:
        ValueError: unknown ``kind``, or ``width`` not divisible by ``num_heads``.
    """
    checks.one_of(kind, "kind", KINDS)
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
    return keras.Model(inputs, outputs, name=f"{kind}_T{sequence_length}")


def time_training_steps(lengths, kinds=KINDS, batch_size=32, repeats=10, warmup=2, seed=0):
    """Seconds per training step of each kind of model at each sequence length, round by round.

    Args:
        lengths: sequence lengths T (each >= 2).
        kinds: which of ``KINDS`` to time.
        batch_size: sequences per step.
        repeats: timed rounds per length (at least 2, for an interval); each round times one step
            of every model in turn.
        warmup: untimed steps per model first (the first one compiles the step).
        seed: seed of the weights and of the adding-problem batch.

    Returns:
        dict ``(kind, T) -> list of seconds``, one per round.
    """
    lengths = [checks.integer(length, "lengths", low=2) for length in lengths]
    kinds = [checks.one_of(kind, "kinds", KINDS) for kind in kinds]
    checks.positive_int(batch_size, "batch_size")
    checks.integer(repeats, "repeats", low=2)
    checks.non_negative_int(warmup, "warmup")
    seconds = {}
    for length in lengths:
        x, y = data.adding_problem(batch_size, length, seed=seed)  # (batch, T, 2), (batch,)
        models = {}
        for kind in kinds:
            profile.set_seed(seed)
            model = sequence_model(kind, length)
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mean_squared_error")
            for _ in range(max(warmup, 1)):
                model.train_on_batch(x, y)
            models[kind] = model
            seconds[kind, length] = []
        for _ in range(repeats):
            for kind, model in models.items():
                start = time.perf_counter()
                model.train_on_batch(x, y)
                seconds[kind, length].append(time.perf_counter() - start)
        keras.backend.clear_session()
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
