"""Chapter 3.4: the ends of the training curves, judged from intervals (``lm_curves``)."""

import keras
import numpy as np
import pytest

from bigmodel_utils import language_model as lm
from bigmodel_utils import lm_curves
from bigmodel_utils import statistics as stats


def _model(V=5, T=6):
    model = lm.build_char_lm(V, T, d_model=8, num_heads=2, num_layers=1, mlp_dim=8)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def test_window_losses_average_to_what_keras_evaluates():
    rng = np.random.default_rng(0)
    inputs, targets = rng.integers(0, 5, (2, 20, 6)).astype("int32")
    model = _model()
    losses = lm_curves.window_losses(model, inputs, targets, batch_size=7)
    assert losses.shape == (20,) and np.all(losses > 0)
    keras_loss = model.evaluate(inputs, targets, batch_size=20, verbose=0)
    assert losses.mean() == pytest.approx(keras_loss, rel=1e-5)


def test_step_losses_undo_the_running_mean():
    losses = np.array([3.0, 2.0, 2.5, 1.0])
    running = np.cumsum(losses) / np.arange(1, 5)
    np.testing.assert_allclose(lm_curves.step_losses(running), losses)
    with pytest.raises(ValueError, match="running_means"):
        lm_curves.step_losses([])


def test_the_recorder_keeps_every_step_and_window_and_matches_keras_history():
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 5, 400).astype("int32")
    validation = lm.make_windows(ids[:200], 6)
    model = _model()
    recorder = lm_curves.CurveRecorder(*validation)
    history = model.fit(
        lm.random_batches(ids, 6, 8, seed=0), steps_per_epoch=5, epochs=3, callbacks=[recorder],
        verbose=0,
    )  # fmt: skip
    assert [losses.shape for losses in recorder.train_losses] == [(5,)] * 3
    assert [losses.shape for losses in recorder.validation_losses] == [(len(validation[0]),)] * 3
    train_curve, validation_curve = recorder.curves()
    np.testing.assert_allclose(train_curve, history.history["loss"], rtol=1e-5)
    assert validation_curve[-1] == pytest.approx(model.evaluate(*validation, verbose=0), rel=1e-4)


def test_welch_difference_matches_scipy():
    from scipy import stats as scipy_stats

    rng = np.random.default_rng(2)
    a, b = rng.normal(1.0, 1.0, 30), rng.normal(0.0, 2.0, 50)
    difference = lm_curves.welch_difference(a, b)
    result = scipy_stats.ttest_ind(a, b, equal_var=False)
    low, high = result.confidence_interval(0.95)
    assert (difference["low"], difference["high"]) == pytest.approx((low, high))
    flat = lm_curves.welch_difference([1.0, 1.0], [2.0, 2.0])
    assert flat["low"] == -np.inf and flat["high"] == np.inf  # no spread: nothing settled


JITTER = np.linspace(-0.01, 0.01, 25)


@pytest.mark.parametrize(
    "train, verdict, start",
    [
        (2.0 + JITTER, stats.HOLDS, "The training curve ends above"),
        (1.0 + JITTER, stats.DOES_NOT_HOLD, "The training curve ends below"),
        (np.linspace(0.5, 2.5, 25), stats.NOT_SETTLED, "The two curves end level"),
    ],
)
def test_curve_lead_words_follow_the_interval(train, verdict, start):
    validation = 1.5 + np.linspace(-0.1, 0.1, 200)
    judged = lm_curves.judge_curve_lead(train, validation)
    assert judged["verdict"] == verdict and judged["lead_en"].startswith(start)
    assert judged["effect_zh"] in judged["lead_zh"]
    lm_curves.check_curve_judgements(
        judged, lm_curves.judge_overfitting([validation] * 2 + [validation - 0.1])
    )


def test_overfitting_compares_the_last_round_with_the_best_earlier_one_window_by_window():
    rng = np.random.default_rng(3)
    base = rng.uniform(1.0, 3.0, 300)  # windows differ a lot; pairing removes that spread
    rising = lm_curves.judge_overfitting([base + 0.5, base, base + 0.02 + rng.normal(0, 0.01, 300)])
    assert rising["verdict"] == stats.HOLDS and "begun to overfit" in rising["overfit_en"]
    falling = lm_curves.judge_overfitting([base + 0.5, base + 0.1, base])
    assert falling["verdict"] == stats.DOES_NOT_HOLD and falling["overfit_en"].startswith("no sign")
    level = lm_curves.judge_overfitting([base + 0.5, base, base + rng.normal(0, 0.1, 300)])
    assert level["verdict"] == stats.NOT_SETTLED and "not settled" in level["overfit_en"]
    lead = lm_curves.judge_curve_lead(base[:30], base)
    lm_curves.check_curve_judgements(lead, rising)
    rising["overfit_zh"] = falling["overfit_zh"]  # an injected fault
    with pytest.raises(AssertionError, match="overfit_zh"):
        lm_curves.check_curve_judgements(lead, rising)
    rising["verdict"] = stats.DOES_NOT_HOLD  # words and interval part ways
    with pytest.raises(AssertionError):
        lm_curves.check_curve_judgements(lead, rising)
    with pytest.raises(ValueError, match="2 rounds"):
        lm_curves.judge_overfitting([base])
    with pytest.raises(ValueError, match="same windows"):
        lm_curves.judge_overfitting([base, base[:10]])


def test_crossing_clause_in_both_languages():
    steps, curve = np.array([25, 50, 75]), np.array([3.0, 2.0, 1.5])
    assert lm_curves.crossing_clause(steps, curve, 2.5) == "which this run first did at step 50"
    assert "50" in lm_curves.crossing_clause(steps, curve, 2.5, "zh")
    assert lm_curves.crossing_clause(steps, curve, 1.0) == "which this run did at no measured step"
    assert (
        lm_curves.crossing_clause(steps, curve, 1.0, "zh") == "这次运行在任何一次测量中都没有做到"
    )
    with pytest.raises(ValueError, match="lang"):
        lm_curves.crossing_clause(steps, curve, 1.0, "fr")
    with pytest.raises(ValueError, match="curve"):
        lm_curves.crossing_clause(steps, curve[:2], 1.0)
