"""Tests of scaling: the CNN family, damaged data, the power-law fit, a tiny sweep."""

import numpy as np
import pytest

from bigmodel_utils import data, power_law, scaling, size, sweep


def test_width_one_is_the_article_cnn():
    assert scaling.build_scaled_cnn(1.0).count_params() == 93_322
    assert scaling.scaled_channels(0.5) == (16, 32, 32, 32)
    assert scaling.scaled_channels(0.01) == (1, 1, 1, 1)  # never fewer than one channel


def test_family_grows_and_deepens():
    params = [scaling.build_scaled_cnn(w).count_params() for w in (0.0625, 0.25, 1.0)]
    assert params == sorted(params) and params[-1] / params[0] > 30
    deeper = scaling.build_scaled_cnn(0.5, extra_layers=2)
    # two extra 3x3 convolutions of 32 -> 32 channels with bias
    assert deeper.count_params() - scaling.build_scaled_cnn(0.5).count_params() == 2 * (
        9 * 32 * 32 + 32
    )


@pytest.mark.parametrize("width, error", [("wide", TypeError), (0, ValueError), (-1.0, ValueError)])
def test_bad_width_raises(width, error):
    with pytest.raises(error, match="width"):
        scaling.build_scaled_cnn(width)


def test_bad_extra_layers_raises():
    with pytest.raises(ValueError, match="extra_layers"):
        scaling.build_scaled_cnn(1.0, extra_layers=-1)


def test_noise_and_occlusion():
    x = np.full((5, 28, 28, 1), 0.5, dtype=np.float32)
    noisy = scaling.add_noise(x, 0.3, seed=1)
    assert noisy.dtype == x.dtype and noisy.min() >= 0 and noisy.max() <= 1
    np.testing.assert_array_equal(noisy, scaling.add_noise(x, 0.3, seed=1))  # seeded
    covered = scaling.occlude(x, 10)
    assert ((covered == 0).sum(axis=(1, 2, 3)) == 100).all()  # one 10x10 square per image
    assert (x == 0.5).all()  # the input is not changed in place
    with pytest.raises(ValueError, match="patch"):
        scaling.occlude(x, 29)


def test_power_law_fit_recovers_known_exponent():
    N = np.geomspace(1e3, 1e6, 7)
    loss = power_law.power_law(N, 40.0, 0.6, 0.05)
    fit = power_law.fit_power_law(N, loss)
    assert fit["alpha"] == pytest.approx(0.6, rel=1e-3)
    assert fit["c"] == pytest.approx(0.05, rel=1e-2) and fit["rmse"] < 1e-6
    assert fit["alpha_low"] <= 0.6 + 1e-3 and fit["alpha_high"] >= 0.6 - 1e-3
    with pytest.raises(ValueError, match="at least 3"):
        power_law.fit_power_law([1, 2], [1.0, 0.5])
    with pytest.raises(ValueError, match="positive"):
        power_law.fit_power_law([0, 2, 3], [1.0, 0.5, 0.4])


def test_training_memory_estimate_by_hand():
    model = scaling.build_scaled_cnn(0.0625)  # 442 parameters
    # outputs per sample: 26*26*2 + 13*13*2 + 11*11*4 + 5*5*4 + 3*3*4 + 36 + 4 + 10 = 2,360;
    # input 784; batch 8: 4 bytes x (4 x 442 + 8 x (2,360 + 784)).
    assert scaling.training_memory_estimate(model, 8) == 4 * (4 * 442 + 8 * (2360 + 784))


@pytest.mark.slow
def test_tiny_sweep_and_saliency():
    mnist = data.load_mnist(train_size=128, test_size=64, verbose=False)
    runs, label_runs, models = sweep.run_sweep(
        mnist, (0.0625, 0.125), seeds=(0,), epochs=1, label_noise=0.5, noisy_widths=(0.0625,),
        verbose=False,
    )  # fmt: skip
    assert len(runs) == 2 and not runs.drop(columns="gpu_peak_bytes").isna().any().any()
    assert ((runs["saliency_on_object"] > 0) & (runs["saliency_on_object"] < 1)).all()
    assert label_runs["label_noise"].tolist() == [0.5] and label_runs["width"].tolist() == [0.0625]
    measured = ["test_loss", "test_accuracy"]  # noisy-label runs: the test images alone
    assert label_runs[measured].notna().all().all()
    assert label_runs[["train_accuracy", "noise_accuracy", "saliency_on_object"]].isna().all().all()
    summary = sweep.summarize(runs)
    assert list(summary["params"]) == [442, 1594] and (summary["seeds"] == 1).all()
    assert (
        summary["forward_flops"]
        == [size.forward_flops(m, warn=False).total.total for m in models.values()]
    ).all()
    maps = scaling.saliency_maps(models[0.125], mnist.x_test[:4], mnist.y_test[:4])
    assert maps.shape == (4, 28, 28) and (maps >= 0).all()
    assert 0 < scaling.saliency_on_strokes(maps, mnist.x_test[:4]) < 1
    numbers = sweep.headline_numbers(summary)
    assert numbers["sizes"] == 2 and numbers["params_ratio"] == pytest.approx(1594 / 442)
    assert numbers["params_best"] in (442, 1594)
    with pytest.raises(ValueError, match="epochs"):
        sweep.run_sweep(mnist, (1.0,), epochs=0)


@pytest.mark.slow
def test_a_restarted_model_trains_exactly_as_a_new_one_and_one_pass_equals_evaluate():
    mnist = data.load_mnist(train_size=128, test_size=64, verbose=False)
    images = scaling.evaluation_images(mnist)
    member = sweep._compile_member(0.0625)
    reused, _ = sweep.train_and_measure(mnist, 0.0625, 1, 2, batch_size=32, member=member)
    again, model = sweep.train_and_measure(mnist, 0.0625, 1, 2, batch_size=32, member=member)
    fresh, _ = sweep.train_and_measure(mnist, 0.0625, 1, 2, batch_size=32, images=images)
    for column in ("train_loss", "test_accuracy", "noise_accuracy", "occlusion_accuracy"):
        assert reused[column] == pytest.approx(fresh[column], abs=1e-6), column
        assert again[column] == pytest.approx(fresh[column], abs=1e-6), column
    scores = model.evaluate(mnist.x_test, mnist.y_test, verbose=0, return_dict=True)
    probabilities = model.predict(mnist.x_test, verbose=0)
    loss, accuracy = scaling.loss_and_accuracy(probabilities, mnist.y_test)
    assert loss == pytest.approx(scores["loss"], rel=1e-5)
    assert accuracy == pytest.approx(scores["accuracy"])
    # the sweep's own batched pass (predict_on_batch) measures what Keras's predict gives
    assert again["test_loss"] == pytest.approx(loss, rel=1e-6)
    assert again["test_accuracy"] == accuracy


@pytest.mark.slow
def test_steps_per_execution_changes_the_round_trips_not_the_training(monkeypatch):
    mnist = data.load_mnist(train_size=160, test_size=32, verbose=False)
    weights = {}
    for steps in (sweep.STEPS_PER_EXECUTION, 1):
        monkeypatch.setattr(sweep, "STEPS_PER_EXECUTION", steps)
        _, model = sweep.train_and_measure(mnist, 0.0625, 1, 2, batch_size=32)
        weights[steps] = model.get_weights()
    for trained, step_by_step in zip(*weights.values(), strict=True):
        np.testing.assert_array_equal(trained, step_by_step)


@pytest.mark.slow
def test_measuring_the_test_images_alone_gives_the_full_pass_test_numbers():
    mnist = data.load_mnist(train_size=64, test_size=32, verbose=False)
    images = scaling.evaluation_images(mnist)
    x, parts = sweep.test_images_only(images)
    np.testing.assert_array_equal(x, mnist.x_test)
    assert list(parts) == ["test"] and parts["test"][0] == slice(0, 32)
    model = scaling.build_scaled_cnn(0.0625)
    shown = mnist.x_test[:4], mnist.y_test[:4]
    full = sweep._measure_run(model, images, *shown)
    alone = sweep._measure_run(model, (x, parts), *shown)
    assert alone["test_accuracy"] == full["test_accuracy"]
    assert alone["test_loss"] == pytest.approx(full["test_loss"], rel=1e-6)
    unmeasured = ("train_accuracy", "gap", "noise_accuracy", "occlusion_accuracy")
    assert all(np.isnan(alone[key]) for key in (*unmeasured, "saliency_on_object"))
    assert not any(np.isnan(full[key]) for key in (*unmeasured, "saliency_on_object"))


def test_evaluation_images_stack_every_measured_set_in_order():
    mnist = data.load_mnist(train_size=16, test_size=8, verbose=False)
    x, parts = scaling.evaluation_images(mnist)
    assert x.shape == (16 + 3 * 8, 28, 28, 1) and list(parts) == [
        "train",
        "test",
        "noise",
        "occlusion",
    ]
    np.testing.assert_array_equal(x[parts["test"][0]], mnist.x_test)
    np.testing.assert_array_equal(x[parts["noise"][0]], scaling.add_noise(mnist.x_test, 0.5))
    np.testing.assert_array_equal(parts["occlusion"][1], mnist.y_test)


def test_loss_and_accuracy_by_hand():
    probabilities = np.array([[0.5, 0.5], [0.9, 0.1], [0.0, 1.0]])
    loss, accuracy = scaling.loss_and_accuracy(probabilities, [0, 1, 0])
    clipped = np.clip([0.5, 0.1, 0.0], 1e-7, 1 - 1e-7)
    assert loss == pytest.approx(-np.mean(np.log(clipped)))
    assert accuracy == pytest.approx(1 / 3)  # argmax ties go to the first class


def test_summarize_averages_seeds_and_keeps_gpu_memory_only_when_measured():
    import pandas as pd

    from bigmodel_utils import statistics

    runs = pd.DataFrame(
        {
            "width": [1.0, 1.0, 0.5],
            "extra_layers": 0,
            "seed": [0, 1, 0],
            "params": [10, 10, 4],
            "test_accuracy": [0.9, 0.8, 0.7],
            "gpu_peak_bytes": [None, None, None],
        }
    )
    summary = sweep.summarize(runs)
    assert list(summary["params"]) == [4, 10] and list(summary["seeds"]) == [1, 2]
    assert summary["test_accuracy"].tolist() == pytest.approx([0.7, 0.85])
    assert np.isnan(summary["test_accuracy_std"].iloc[0])  # one seed measures no spread
    assert summary["test_accuracy_std"].iloc[1] == pytest.approx(np.std([0.9, 0.8], ddof=1))
    assert np.isnan(summary["test_accuracy_low"].iloc[0])  # and gives no interval
    expected = statistics.seed_interval([0.9, 0.8])
    assert summary["test_accuracy_low"].iloc[1] == pytest.approx(expected["low"])
    assert summary["test_accuracy_high"].iloc[1] == pytest.approx(expected["high"])
    with_test = sweep.summarize(runs, test_size=100)
    combined = statistics.seed_interval([0.9, 0.8], test_size=100)  # seeds and test-set error
    assert with_test["test_accuracy_high"].iloc[1] == pytest.approx(combined["high"])
    assert "gpu_peak_bytes" not in summary
    runs["gpu_peak_bytes"] = [100, 300, 50]
    assert sweep.summarize(runs)["gpu_peak_bytes"].tolist() == [50.0, 200.0]


def test_flip_labels_replaces_exactly_the_share_with_other_classes():
    y = np.arange(1000) % 10
    flipped = scaling.flip_labels(y, 0.4, seed=3)
    assert (flipped != y).sum() == 400  # never flipped back onto the true class
    assert flipped.min() >= 0 and flipped.max() <= 9 and flipped.dtype == np.int64
    np.testing.assert_array_equal(flipped, scaling.flip_labels(y, 0.4, seed=3))  # seeded
    np.testing.assert_array_equal(scaling.flip_labels(y, 0.0), y)
    assert (y == np.arange(1000) % 10).all()  # the input is not changed
    with pytest.raises(ValueError, match="share"):
        scaling.flip_labels(y, 1.5)
    with pytest.raises(ValueError, match="y"):
        scaling.flip_labels([0, 12], 0.5)


def test_the_tables_read_through_sweep_are_those_of_sweep_summary():
    from bigmodel_utils import sweep, sweep_summary

    assert sweep.summarize is sweep_summary.summarize
    assert sweep.headline_numbers is sweep_summary.headline_numbers
