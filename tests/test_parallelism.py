"""Chapter 3.3's timing of attention against recurrent layers: models, timings, verdict words."""

import numpy as np
import pytest

from bigmodel_utils import parallelism
from bigmodel_utils import statistics as stats


@pytest.mark.parametrize("kind", parallelism.KINDS)
def test_every_kind_reads_the_same_sequences_at_the_same_width(kind):
    model = parallelism.sequence_model(kind, 12, width=8, num_heads=2)
    assert model.input_shape == (None, 12, 2) and model.output_shape == (None, 1)
    assert (
        model.layers[2].__class__.__name__
        == {
            "rnn": "SimpleRNN",
            "lstm": "LSTM",
            "attention": "MultiHeadAttention",
        }[kind]
    )


def test_sequence_model_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        parallelism.sequence_model("gru", 8)
    with pytest.raises(ValueError, match="num_heads"):
        parallelism.sequence_model("attention", 8, width=10, num_heads=4)
    with pytest.raises(ValueError, match="sequence_length"):
        parallelism.sequence_model("rnn", 1)


@pytest.mark.slow
def test_time_training_steps_times_every_model_in_every_round():
    seconds = parallelism.time_training_steps([4, 8], kinds=("rnn", "attention"), repeats=3)
    assert set(seconds) == {("rnn", 4), ("attention", 4), ("rnn", 8), ("attention", 8)}
    assert all(len(times) == 3 and min(times) > 0 for times in seconds.values())
    judged = parallelism.judge_parallelism(seconds, recurrent="rnn")
    assert set(judged) == {4, 8}
    for result in judged.values():
        stats.check_judgement(result)


def test_judgement_follows_the_paired_rounds():
    seconds = {
        ("lstm", 16): [1.0, 2.0, 1.5, 1.2],
        ("attention", 16): [0.5, 1.0, 0.76, 0.6],  # half of the LSTM, round by round
        ("lstm", 256): [1.0, 1.1, 0.9, 1.0],
        ("attention", 256): [1.2, 0.8, 1.1, 0.9],  # sometimes faster, sometimes slower
    }
    judged = parallelism.judge_parallelism(seconds)
    assert judged[16]["verdict"] == stats.HOLDS and judged[16]["speed_en"] == "faster"
    assert judged[256]["verdict"] == stats.NOT_SETTLED
    assert judged[256]["speed_en"] == "not measurably faster or slower"
    with pytest.raises(ValueError, match="lstm"):
        parallelism.judge_parallelism({("attention", 16): [1.0, 1.0]})


def test_growth_exponent_of_a_power_law():
    lengths = np.array([16, 64, 256])
    assert parallelism.growth_exponent(lengths, 1e-3 * lengths) == pytest.approx(1.0)
    assert parallelism.growth_exponent(lengths, 0 * lengths + 2.0) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="step_seconds"):
        parallelism.growth_exponent(lengths, [1.0, 2.0])


@pytest.mark.slow
def test_one_traced_step_serves_every_length_and_is_the_keras_step():
    import keras

    from bigmodel_utils import data

    keras.utils.set_random_seed(0)
    model = parallelism.sequence_model("lstm", None, width=8, num_heads=2)
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    step = parallelism.training_step(model)
    twin.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mean_squared_error")
    for length in (4, 8):
        x, y = data.adding_problem(16, length, seed=length)
        loss = float(step((x, y))["loss"])
        assert loss == pytest.approx(float(twin.train_on_batch(x, y)), rel=1e-5)
    assert step.experimental_get_tracing_count() == 1  # one trace for both lengths
    for mine, theirs in zip(model.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-7)
