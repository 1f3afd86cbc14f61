"""Bad-input table for chapters 1-2's measures (``size``, ``tracing``, ``flops``, ``scaling``,
``verdicts``, ``comparison``, ``intervals``, ``statistics``): each row replaces one argument of a
good call by a bad value."""

import numpy as np
from badinput import INF, NAN, Lazy, make_tests

CNN = Lazy("article_cnn")
WORDS_TABLE = {
    verdict: {"en": verdict, "zh": verdict} for verdict in ("holds", "does not hold", "not settled")
}
WORDED_JUDGEMENT = dict(
    verdict="holds", low=0.01, high=0.03, threshold=0.0, direction="above", trend_en="holds",
    trend_zh="holds",
)  # fmt: skip
SIZES = [(-3, ValueError), (0, ValueError), (True, TypeError), ("4", TypeError), (2.5, TypeError)]


def sizes(*names, values=SIZES):
    """Rows that give each named size argument a negative, zero, bool, str and float value."""
    return [(name, value, error) for name in names for value, error in values]


TABLE = {
    "size.dense_params": (dict(in_features=3, units=4), sizes("in_features", "units")),
    "size.conv2d_params": (
        dict(kernel_size=3, in_channels=1, filters=8),
        sizes("kernel_size", "in_channels", "filters") + [("kernel_size", (3, 0), ValueError)],
    ),
    "size.depthwise_conv2d_params": (
        dict(kernel_size=3, in_channels=4),
        sizes("kernel_size", "in_channels", "depth_multiplier") + [("use_bias", 1, TypeError)],
    ),
    "size.separable_conv2d_params": (
        dict(kernel_size=3, in_channels=4, filters=8),
        sizes("in_channels", "filters", "depth_multiplier"),
    ),
    "size.simple_rnn_params": (dict(input_dim=2, units=3), sizes("input_dim", "units")),
    "size.lstm_params": (dict(input_dim=2, units=3), sizes("input_dim", "units")),
    "size.gru_params": (
        dict(input_dim=2, units=3),
        sizes("input_dim", "units") + [("reset_after", "yes", TypeError)],
    ),
    "size.multi_head_attention_params": (
        dict(query_dim=8, num_heads=2, key_dim=4),
        sizes("query_dim", "num_heads", "key_dim")
        + [("value_dim", -1, ValueError), ("output_dim", "8", TypeError)],
    ),
    "size.layer_normalization_params": (
        dict(features=8),
        sizes("features") + [("center", None, TypeError)],
    ),
    "size.batch_normalization_params": (
        dict(features=8),
        sizes("features") + [("scale", "no", TypeError)],
    ),
    "size.embedding_params": (dict(input_dim=10, output_dim=4), sizes("input_dim", "output_dim")),
    "tracing.FlopReport": (
        dict(total=Lazy("flops"), rows=[], unknown=[], partial=[]),
        [
            ("total", 3, TypeError),
            ("rows", 4, TypeError),
            ("unknown", "Lambda", TypeError),
            ("partial", None, TypeError),
        ],
    ),
    "tracing.check_model": (
        dict(model=CNN),
        [
            ("model", "cnn", TypeError),
            ("model", None, TypeError),
            ("model", Lazy("dense"), TypeError),
        ],
    ),
    "size.count_parameters": (
        dict(model=CNN),
        [
            ("model", 3, TypeError),
            ("model", np.ones(3), TypeError),
            ("model", Lazy("lstm"), TypeError),
        ],
    ),
    "size.count_layers": (
        dict(model=CNN),
        [
            ("model", "cnn", TypeError),
            ("model", [], TypeError),
            ("model", Lazy("dense"), TypeError),
        ],
    ),
    "size.weight_bytes": (
        dict(model=CNN),
        [("dtype", "float64", ValueError), ("dtype", 4, ValueError), ("model", None, TypeError)],
    ),
    "tracing.trace_calls": (
        dict(model=CNN, inputs=np.zeros((1, 28, 28, 1), np.float32)),
        [
            ("model", "cnn", TypeError),
            ("model", None, TypeError),
            ("model", 1, TypeError),
            ("inputs", np.zeros((0, 28, 28, 1), np.float32), ValueError, "inputs must have at le"),
            ("inputs", np.zeros((1, 1, 28, 28, 1)), ValueError, r"must have shape \(any, 28, 28"),
            ("inputs", np.zeros((1, 14, 14, 1)), ValueError, "inputs must have shape"),
            ("inputs", np.full((1, 28, 28, 1), "a"), TypeError, "inputs must be a numeric array"),
            ("inputs", [np.zeros((1, 28, 28, 1))] * 2, ValueError, "inputs must be 1 array"),
            ("inputs", "x", TypeError, "inputs must be an array"),
        ],  # fmt: skip
    ),
    "tracing.check_inputs": (
        dict(model=CNN, inputs=[np.full((2, 28, 28, 1), np.nan)]),  # NaN: FLOPs depend on shapes
        [
            ("inputs", [np.zeros((2, 28, 28))], ValueError, r"inputs\[0\] must have shape"),
            ("inputs", [], ValueError, "inputs must be 1 array"),
            ("inputs", None, TypeError, "inputs must be an array"),
            ("inputs", np.zeros((2, 0, 28, 1)), ValueError, "inputs must have at least 1"),
            ("model", "cnn", TypeError, "model must be a Keras Model"),
        ],
    ),
    "tracing.tree": (
        dict(layer=CNN),
        [("layer", "cnn", TypeError), ("layer", None, TypeError), ("layer", [CNN], TypeError)],
    ),
    "tracing.add_up": (
        dict(model=CNN, calls={}),
        [("model", "cnn", TypeError), ("calls", None, TypeError), ("calls", [], TypeError)],
    ),
    "tracing.sample_inputs": (
        dict(model=CNN),
        [
            ("model", "cnn", TypeError),
            ("input_shape", (28, -1), ValueError, r"input_shape\[1\]"),
            ("input_shape", "28", TypeError),
            ("input_shape", [], ValueError),
        ],
    ),
    "size.forward_flops": (
        dict(model=CNN),
        [
            ("model", "cnn", TypeError),
            ("warn", "yes", TypeError),
            ("input_shape", (0,), ValueError),
        ],
    ),
    "size.describe": (
        dict(model=CNN),
        [("model", "cnn", TypeError), ("model", None, TypeError), ("input_shape", "x", TypeError)],
    ),
    "size.measure": (
        dict(model=CNN),
        [("model", "cnn", TypeError), ("name", 3, TypeError), ("name", "", ValueError)],
    ),
    "flops.Flops": (
        dict(multiply_add=4, other=1),
        [("multiply_add", -1, ValueError), ("other", 1.5, TypeError), ("other", True, TypeError)],
    ),
    "flops.activation_flops": (
        dict(name="relu", elements=10),
        [
            ("name", "swish2", ValueError),
            ("elements", -1, ValueError),
            ("elements", "10", TypeError),
        ],
    ),
    "flops.dense_flops": (
        dict(in_features=3, units=4),
        sizes("in_features", "units", "positions") + [("use_bias", "no", TypeError)],
    ),
    "flops.conv_flops": (
        dict(output_positions=9, kernel_elements=9, in_channels=4, filters=8),
        sizes("output_positions", "kernel_elements", "in_channels", "filters", "groups")
        + [("groups", 3, ValueError)],
    ),
    "flops.depthwise_conv_flops": (
        dict(output_positions=9, kernel_elements=9, in_channels=4),
        sizes("output_positions", "kernel_elements", "in_channels", "depth_multiplier"),
    ),
    "flops.pool_flops": (
        dict(output_elements=4, window_elements=4),
        sizes("output_elements", "window_elements") + [("kind", "min", ValueError)],
    ),
    "flops.simple_rnn_flops": (
        dict(input_dim=2, units=3, timesteps=5),
        sizes("input_dim", "units", "timesteps") + [("activation", "nope", ValueError, "name")],
    ),
    "flops.lstm_flops": (
        dict(input_dim=2, units=3, timesteps=5),
        sizes("input_dim", "units", "timesteps"),
    ),
    "flops.gru_flops": (
        dict(input_dim=2, units=3, timesteps=5),
        sizes("input_dim", "units", "timesteps") + [("reset_after", 1, TypeError)],
    ),
    "flops.multi_head_attention_flops": (
        dict(
            query_length=5,
            key_length=5,
            query_dim=8,
            key_input_dim=8,
            value_input_dim=8,
            num_heads=2,
            key_dim=4,
            value_dim=4,
            output_dim=8,
        ),  # fmt: skip
        sizes("query_length", "num_heads", "key_dim", "value_dim"),
    ),
    "flops.layer_normalization_flops": (
        dict(vectors=5, features=8),
        sizes("vectors", "features") + [("center", "yes", TypeError)],
    ),
    "flops.batch_normalization_flops": (
        dict(elements=40),
        sizes("elements") + [("scale", None, TypeError)],
    ),
    "flop_rules.register": (
        dict(layer_class=type("Custom", (), {}), rule=lambda layer, inputs, output: None),
        [("layer_class", "Dense", TypeError), ("rule", 3, TypeError), ("rule", None, TypeError)],
    ),
    "flop_rules.is_keras_builtin": (
        dict(layer=Lazy("dense")),
        [("layer", "Dense", TypeError), ("layer", 3, TypeError), ("layer", None, TypeError)],
    ),
    "flop_rules.rule_for": (
        dict(layer=Lazy("dense")),
        [
            ("layer", "Dense", TypeError),
            ("layer", np.ones(2), TypeError),
            ("layer", None, TypeError),
        ],
    ),
    "flop_rules.children": (
        dict(layer=CNN),
        [("layer", "cnn", TypeError), ("layer", [1], TypeError), ("layer", None, TypeError)],
    ),
    "flop_rules.article_rnn_cell_flops": (
        dict(cell=Lazy("article_cell"), input_shapes=[(1, 3)], output_shape=(1, 2)),
        [
            ("cell", Lazy("dense"), TypeError),
            ("cell", 3, TypeError),
            ("input_shapes", [], ValueError),
        ],
    ),
    "flop_rules.positional_embedding_flops": (
        dict(layer=Lazy("positional_embedding"), input_shapes=[(1, 5, 8)], output_shape=(1, 5, 8)),
        [
            ("layer", Lazy("dense"), TypeError),
            ("layer", "pe", TypeError),
            ("output_shape", (1, 0, 8), ValueError),
        ],
    ),
    # ---- comparison ----------------------------------------------------------------------
    "comparison.build": (
        dict(architecture="article CNN"),
        [
            ("architecture", "MLP", ValueError),
            ("architecture", None, ValueError),
            ("rnn_units", 0, ValueError),
            ("rnn_units", "128", TypeError),
            ("vit_config", [7, 8], TypeError),
        ],  # fmt: skip
    ),
    "comparison.model_inputs": (
        dict(reads="rows", images=np.zeros((2, 28, 28, 1), np.float32)),
        [
            ("reads", "pixels", ValueError),
            ("images", "digits", TypeError),
            ("images", np.zeros((2, 28, 28)), ValueError),
            ("images", np.zeros((2, 28, 28, 3)), ValueError),
            ("images", np.full((1, 28, 28, 1), NAN), ValueError),
        ],  # fmt: skip
    ),
    "comparison.residual_additions": (
        dict(model=Lazy("tiny_vit")),
        [
            ("model", "vit", TypeError),
            ("model", None, TypeError),
            ("model", Lazy("dense"), TypeError),
        ],
    ),
    "comparison.train_and_measure": (
        dict(
            architecture="dense",
            model=Lazy("dense_model"),
            reads="images",
            mnist=Lazy("small_mnist"),
            epochs=1,
            batch_size=2,
            learning_rate=1e-3,
        ),  # fmt: skip
        [
            ("architecture", 3, TypeError),
            ("model", "cnn", TypeError),
            ("reads", "pixels", ValueError),
            ("mnist", (1, 2), TypeError),
            ("epochs", 0, ValueError),
            ("batch_size", True, TypeError),
            ("learning_rate", -1e-3, ValueError),
        ],  # fmt: skip
    ),
    "comparison.train_over_seeds": (
        dict(
            architecture="article CNN",
            mnist=Lazy("small_mnist"),
            epochs=1,
            batch_size=2,
            learning_rate=1e-3,
            seeds=[0],
        ),  # fmt: skip
        [
            ("architecture", "MLP", ValueError),
            ("mnist", None, TypeError),
            ("epochs", 0, ValueError),
            ("batch_size", "2", TypeError),
            ("learning_rate", 0.0, ValueError),
            ("seeds", [], ValueError),
            ("seeds", [-1], ValueError),
        ],  # fmt: skip
    ),
    "comparison.architecture_name": (
        dict(architecture="LSTM", lang="zh"),
        [
            ("architecture", "MLP", ValueError),
            ("architecture", None, ValueError),
            ("lang", "fr", ValueError),
        ],  # fmt: skip
    ),
    "comparison.rank_groups": (
        dict(intervals={"a": {"mean": 0.9, "low": 0.88, "high": 0.92}}),
        [
            ("intervals", None, TypeError),
            ("intervals", {}, ValueError),
            ("intervals", {"a": {"mean": 0.9}}, ValueError),
        ],  # fmt: skip
    ),
    "comparison.ranking_sentence": (
        dict(intervals={"a": {"mean": 0.9, "low": 0.88, "high": 0.92}}, lang="zh"),
        [
            ("lang", "fr", ValueError),
            ("intervals", {}, ValueError),
            ("intervals", [0.9], TypeError),
        ],  # fmt: skip
    ),
    "comparison.order_clause": (
        dict(groups=[["article CNN"], ["tiny ViT"]], lang="en"),
        [
            ("lang", "de", ValueError),
            ("groups", [], ValueError),
            ("groups", "CNN", TypeError),
        ],  # fmt: skip
    ),
    # ---- verdicts -----------------------------------------------------------------------
    "verdicts.ratio_judgement": (
        dict(denominator=[1.0, 1.1, 0.9], numerator=[2.0, 2.1, 1.9]),
        [
            ("denominator", "fast", TypeError),
            ("numerator", [2.0, -1.0, 1.9], ValueError),
            ("numerator", [2.0, 2.1], ValueError),
            ("denominator", [[1.0, 1.1, 0.9]], ValueError),
            ("numerator", [2.0, NAN, 1.9], ValueError),
        ],  # fmt: skip
    ),
    "verdicts.size_judgements": (
        dict(runs=Lazy("sweep_runs"), label_runs=Lazy("sweep_runs"), test_size=10_000),
        [
            ("runs", "table", TypeError),
            ("label_runs", None, TypeError),
            ("test_size", 0, ValueError),
            ("test_size", True, TypeError),
            ("label_runs", Lazy("runs"), ValueError),
        ],  # fmt: skip
    ),
    "verdicts.proportion_clause": (
        dict(time_judgement={"low": 2.0, "high": 4.0}, flops_ratio=16.0),
        [
            ("flops_ratio", 0.0, ValueError),
            ("flops_ratio", "16", TypeError),
            ("time_judgement", (2.0, 4.0), TypeError),
            ("time_judgement", {"low": 2.0}, ValueError),
        ],  # fmt: skip
    ),
    "verdicts.glue_values": (
        dict(judgements=Lazy("judgements"), lang="zh"),
        [
            ("lang", "fr", ValueError),
            ("judgements", [], TypeError),
            ("judgements", {"performance": {"verdict": "holds"}}, ValueError),
            ("judgements", {"performance": "holds"}, TypeError),
        ],  # fmt: skip
    ),
    "verdicts.flatten": (
        dict(judgements=Lazy("judgements")),
        [
            ("judgements", None, TypeError),
            ("judgements", "performance", TypeError),
            ("judgements", {"performance": 0.9}, TypeError),
        ],  # fmt: skip
    ),
    "verdicts.unflatten": (
        dict(flat={"performance.verdict": "holds", "sizes": 5}),
        [
            ("flat", None, TypeError),
            ("flat", [("performance.verdict", "holds")], TypeError),
            ("flat", {1: "holds"}, TypeError),
        ],  # fmt: skip
    ),
    "verdicts.check_all": (
        dict(judgements=Lazy("judgements")),
        [
            ("judgements", None, TypeError),
            ("judgements", ["holds"], TypeError),
            ("judgements", {"performance": 3}, TypeError),
            ("judgements", {"performance": {}}, ValueError, "verdict"),
        ],  # fmt: skip
    ),
    "verdicts.summary_sentence": (
        dict(judgements=Lazy("judgements"), lang="en"),
        [
            ("lang", "fr", ValueError),
            ("judgements", None, TypeError),
            ("judgements", {}, ValueError),
            ("judgements", {"performance": {"verdict": "maybe"}}, ValueError),
        ],  # fmt: skip
    ),
    # ---- intervals, statistics, verdicts, gates ------------------------------------------
    "intervals.accuracy_standard_error": (
        dict(accuracy=0.9, test_size=1000),
        [
            ("accuracy", 1.5, ValueError),
            ("accuracy", NAN, ValueError),
            ("test_size", 0, ValueError),
            ("test_size", 10.0, TypeError),
        ],  # fmt: skip
    ),
    "intervals.wilson_interval": (
        dict(accuracy=0.9, test_size=1000),
        [
            ("accuracy", -0.1, ValueError),
            ("test_size", True, TypeError),
            ("confidence", 1.0, ValueError),
            ("confidence", "95%", TypeError),
        ],  # fmt: skip
    ),
    "intervals.t_quantile": (
        dict(degrees_of_freedom=4),
        [
            ("degrees_of_freedom", 0, ValueError),
            ("degrees_of_freedom", NAN, ValueError),
            ("degrees_of_freedom", True, TypeError),
            ("confidence", 0.0, ValueError),
        ],  # fmt: skip
    ),
    "intervals.seed_interval": (
        dict(values=[0.9, 0.92, 0.91]),
        [
            ("values", [0.9], ValueError),
            ("values", "0.9", TypeError),
            ("values", [0.9, NAN], ValueError),
            ("test_size", -1, ValueError),
            ("confidence", 2, ValueError),
        ],  # fmt: skip
    ),
    "intervals.paired_gain": (
        dict(baseline=[0.9, 0.92, 0.91], treatment=[0.91, 0.93, 0.91]),
        [
            ("treatment", [0.9, 0.92], ValueError),
            ("baseline", None, TypeError),
            ("treatment", [0.9, INF, 0.9], ValueError),
            ("test_size", 0, ValueError),
        ],  # fmt: skip
    ),
    "statistics.verdict": (
        dict(interval=(0.01, 0.03), threshold=0.0, direction="above"),
        [
            ("interval", (0.03, 0.01), ValueError),
            ("interval", "wide", TypeError),
            ("threshold", NAN, ValueError),
            ("direction", "up", ValueError),
        ],  # fmt: skip
    ),
    "statistics.verdict_words": (
        dict(verdict_name="holds"),
        [
            ("verdict_name", "maybe", ValueError),
            ("lang", "fr", ValueError),
            ("lang", None, ValueError),
        ],  # fmt: skip
    ),
    "statistics.format_effect": (
        dict(effect=0.02, interval=(0.01, 0.03)),
        [
            ("lang", "de", ValueError),
            ("interval", (0.03, 0.01), ValueError),
            ("interval", 3, TypeError),
        ],  # fmt: skip
    ),
    "statistics.judge": (
        dict(interval=(0.01, 0.03), threshold=0.0, direction="above"),
        [
            ("direction", "sideways", ValueError),
            ("threshold", "0", TypeError),
            ("interval", (NAN, 0.1), ValueError),
        ],  # fmt: skip
    ),
    "statistics.check_judgement": (
        dict(judgement=Lazy("judgement")),
        [
            ("judgement", {"verdict": "x"}, ValueError),
            ("judgement", {}, ValueError),
            ("judgement", {"low": 0}, ValueError),
        ],  # fmt: skip
    ),
    "statistics.worded": (
        dict(table=WORDS_TABLE, judgement={"verdict": "holds"}),
        [
            ("table", "holds", TypeError, "table must be a dict"),
            ("table", {"holds": {"en": "a", "zh": "b"}}, ValueError, "table is missing"),
            ("judgement", {"verdict": "faster"}, ValueError, "verdict"),
            ("judgement", ["holds"], TypeError, "judgement must be a dict"),
        ],  # fmt: skip
    ),
    "statistics.add_words": (
        dict(judgement={"verdict": "holds"}, table=WORDS_TABLE, key="trend"),
        [
            ("key", 3, TypeError, "key must be a str"),
            ("key", "", ValueError, "key must be a non-empty str"),
            ("table", {}, ValueError, "table is missing"),
            ("judgement", None, TypeError, "judgement must be a dict"),
        ],  # fmt: skip
    ),
    "statistics.check_words": (
        dict(judgement=WORDED_JUDGEMENT, table=WORDS_TABLE, key="trend"),
        [
            ("key", None, TypeError, "key must be a str"),
            ("judgement", {"verdict": "holds"}, ValueError, "judgement is missing"),
            ("table", [], TypeError, "table must be a dict"),
        ],  # fmt: skip
    ),
    "statistics.seeds_required": (
        dict(profile_name="quick"),
        [
            ("profile_name", "fast", ValueError),
            ("profile_name", None, ValueError),
            ("profile_name", "", ValueError),
        ],  # fmt: skip
    ),
    "statistics.check_seeds": (
        dict(seeds=3, profile_name="quick"),
        [
            ("seeds", 2, ValueError),
            ("seeds", True, ValueError),
            ("seeds", "3", ValueError),
            ("profile_name", "slow", ValueError),
        ],  # fmt: skip
    ),
    "gates.is_all_of_mnist": (
        dict(mnist=Lazy("small_mnist")),
        [("mnist", None, TypeError), ("mnist", "mnist", TypeError), ("mnist", [1, 2], TypeError)],
    ),
    "gates.accuracy_floor": (
        dict(what="cnn", quick=0.9, full=0.99, mnist=Lazy("small_mnist")),
        [
            ("quick", 90, ValueError),
            ("full", 0.0, ValueError),
            ("full", True, ValueError),
            ("what", 3, TypeError),
            ("mnist", None, TypeError),
        ],  # fmt: skip
    ),
    "gates.check_accuracy": (
        dict(what="cnn", accuracy=0.95, quick=0.9, full=0.99, mnist=Lazy("small_mnist")),
        [
            ("accuracy", 95.0, ValueError),
            ("accuracy", NAN, ValueError),
            ("accuracy", "0.95", TypeError),
            ("quick", -1, ValueError),
        ],  # fmt: skip
    ),
    # ---- scaling (chapter 2) -------------------------------------------------------------
    "scaling.scaled_channels": (
        dict(width=1.0),
        [
            ("width", 0.0, ValueError),
            ("width", NAN, ValueError),
            ("width", "1", TypeError),
            ("width", True, TypeError),
        ],  # fmt: skip
    ),
    "scaling.build_scaled_cnn": (
        dict(width=0.5),
        [
            ("width", -1.0, ValueError),
            ("extra_layers", -1, ValueError),
            ("extra_layers", 1.0, TypeError),
            ("input_shape", (28, 28), ValueError),
            ("num_classes", 0, ValueError),
        ],  # fmt: skip
    ),
    "scaling.add_noise": (
        dict(x=np.zeros((2, 28, 28, 1)), sigma=0.5),
        [
            ("sigma", -0.5, ValueError),
            ("sigma", NAN, ValueError),
            ("seed", -1, ValueError),
            ("x", np.zeros(0), ValueError),
        ],  # fmt: skip
    ),
    "scaling.occlude": (
        dict(x=np.zeros((2, 28, 28, 1)), patch=10),
        [
            ("patch", 0, ValueError),
            ("patch", 29, ValueError),
            ("patch", "10", TypeError),
            ("x", np.zeros((28, 28)), ValueError),
        ],  # fmt: skip
    ),
    "scaling.flip_labels": (
        dict(y=np.array([0, 1, 2, 3]), share=0.5),
        [
            ("share", 1.5, ValueError),
            ("y", np.array([0, 10]), ValueError),
            ("share", NAN, ValueError),
            ("y", "0123", TypeError),
        ],  # fmt: skip
    ),
    "scaling.check_dataset": (
        dict(dataset=Lazy("small_mnist")),
        [("dataset", "mnist", TypeError), ("dataset", None, TypeError), ("dataset", 3, TypeError)],
    ),
    "scaling.evaluation_images": (
        dict(dataset=Lazy("small_mnist")),
        [
            ("dataset", "mnist", TypeError),
            ("noise_sigma", -0.5, ValueError),
            ("occlusion_patch", 0, ValueError),
        ],  # fmt: skip
    ),
    "scaling.loss_and_accuracy": (
        dict(probabilities=np.full((2, 10), 0.1), y=np.array([0, 1])),
        [
            ("probabilities", np.full(10, 0.1), ValueError),
            ("y", np.array([0, 10]), ValueError),
            ("y", np.array([0]), ValueError, "len"),
        ],  # fmt: skip
    ),
    "scaling.training_memory_estimate": (
        dict(model=CNN, batch_size=32),
        [
            ("batch_size", 0, ValueError),
            ("batch_size", "32", TypeError),
            ("model", None, TypeError),
        ],
    ),
    "scaling.gpu_peak_memory": (
        dict(),
        [("reset", "yes", TypeError), ("reset", 1, TypeError), ("reset", None, TypeError)],
    ),
    "sweep.train_and_measure": (
        dict(dataset=Lazy("small_mnist"), width=0.25, seed=0, epochs=1),
        [
            ("dataset", "mnist", TypeError),
            ("width", 0.0, ValueError),
            ("epochs", -1, ValueError),
            ("label_noise", 1.5, ValueError),
            ("occlusion_patch", 0, ValueError),
        ],  # fmt: skip
    ),
    "sweep.run_sweep": (
        dict(dataset=Lazy("small_mnist"), widths=(0.25,), epochs=1, verbose=False),
        [
            ("widths", (), ValueError),
            ("widths", (-1.0,), ValueError),
            ("seeds", (), ValueError),
            ("epochs", 0, ValueError),
            ("verbose", "no", TypeError),
            ("noisy_widths", (0.5,), ValueError),
            ("noisy_widths", (0.25,), ValueError, "label_noise"),
            ("middle_seeds", (1,), ValueError),
        ],  # fmt: skip
    ),
    "sweep.test_images_only": (
        dict(images=(np.zeros((2, 28, 28, 1)), {"test": (slice(0, 2), np.array([0, 1]))})),
        [
            ("images", None, TypeError, "images must be the"),
            ("images", "x", TypeError, "images must be the"),
            ("images", (np.zeros((2, 28, 28, 1)), {}), TypeError, "'test' part"),
        ],
    ),
    "sweep_summary.summarize": (
        dict(runs=Lazy("runs")),
        [("runs", [], ValueError), ("runs", None, ValueError), ("test_size", 0, ValueError)],
    ),
    "power_law.power_law": (
        dict(N=np.array([1e3, 1e4]), a=1.0, alpha=0.5, c=0.1),
        [
            ("N", np.array([0.0, 1.0]), ValueError),
            ("N", "N", TypeError),
            ("N", np.zeros(0), ValueError),
            ("a", NAN, ValueError),
            ("alpha", True, TypeError),
            ("c", INF, ValueError),
        ],
    ),
    "power_law.fit_power_law": (
        dict(N=np.array([1e3, 1e4, 1e5, 1e6]), loss=np.array([0.5, 0.3, 0.2, 0.15])),
        [
            ("loss", np.array([0.5, 0.3]), ValueError),
            ("N", np.ones((2, 2)), ValueError),
            ("loss", np.array([0.5, NAN, 0.2, 0.1]), ValueError),
            ("N", "N", TypeError),
        ],  # fmt: skip
    ),
    "scaling.saliency_maps": (
        dict(model=CNN, images=np.zeros((2, 28, 28, 1)), labels=np.array([0, 1])),
        [
            ("model", "cnn", TypeError),
            ("images", np.zeros((28, 28)), ValueError),
            ("labels", np.array([0]), ValueError, "len"),
            ("labels", np.array([0, -1]), ValueError),
        ],  # fmt: skip
    ),
    "scaling.saliency_on_strokes": (
        dict(saliency=np.ones((2, 28, 28)), images=np.ones((2, 28, 28, 1))),
        [
            ("saliency", np.ones((2, 14, 14)), ValueError),
            ("images", np.ones((2, 28, 28)), ValueError),
            ("threshold", NAN, ValueError),
        ],  # fmt: skip
    ),
    "sweep_summary.headline_numbers": (
        dict(summary=Lazy("summary")),
        [("summary", [], ValueError), ("summary", None, ValueError), ("summary", {}, ValueError)],
    ),
}
HEAVY = ("sweep.train_and_measure", "sweep.run_sweep",  # they train
         "comparison.train_and_measure", "comparison.train_over_seeds",
         "sweep_summary.headline_numbers")  # its good call needs a whole sweep's table  # fmt: skip

(test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works) = make_tests(
    TABLE, heavy=HEAVY
)
