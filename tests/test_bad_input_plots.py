"""Bad-input table for the book's figures (``plots``, ``plots_architectures``, ``plots_remedies``):
each figure checks its data before drawing, so a wrong table, a dict of the wrong curves or
arrays of the wrong shape fail with the argument's name instead of a matplotlib traceback or a
figure that quietly shows something else."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from badinput import INF, NAN, make_tests  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


DIGIT = np.zeros((28, 28, 1), np.float32)
DIGITS = np.zeros((2, 28, 28, 1), np.float32)
SUMMARY = pd.DataFrame({
    "params": [100, 400], "test_accuracy": [0.8, 0.9], "gap": [0.01, 0.02],
    "noise_accuracy": [0.7, 0.8], "occlusion_accuracy": [0.6, 0.7], "forward_flops": [1e5, 4e5],
    "train_seconds": [2.0, 3.0], "epoch_seconds": [1.0, 1.5], "memory_estimate_bytes": [1e6, 2e6],
})  # fmt: skip
CURVES = {"SimpleRNN": [0.5, 0.4, 0.3], "LSTM": [0.5, 0.3, 0.1]}
FIT = {"a": 2.0, "alpha": 0.3, "c": 0.1}
ACCURACY_ROWS = [{"model": "float32", "latency_ms": 3.0, "accuracy": 0.95, "bytes": 4e5}]
WORKERS = [{"index": 0, "local_losses": [2.0, 1.0], "global_losses": [2.1, 1.1]}]
TABLE3 = pd.DataFrame({"params": [10.0, 20.0], "accuracy": [90.0, 95.0]}, index=["CNN", "ViT"])

TABLE = {
    # ---- plots (1, 2) --------------------------------------------------------------------
    "plots.plot_model_sizes": (
        dict(
            landmarks=[{"name": "LeNet", "year": 1998, "params": 6e4}],
            book_models=[{"name": "CNN", "params": 2e5}],
            book_year=2025,
        ),  # fmt: skip
        [
            ("landmarks", [], ValueError),
            ("landmarks", [{"name": "LeNet", "year": 1998}], ValueError, "params"),
            ("book_models", None, TypeError),
            ("book_models", [{"name": "CNN", "params": -1}], ValueError, "params"),
            ("book_year", "2025", TypeError),
        ],
    ),
    "plots.plot_scaling_benefits": (
        dict(summary=SUMMARY),
        [
            ("summary", {"params": [1, 2]}, TypeError),
            ("summary", SUMMARY.drop(columns="gap"), ValueError, "gap"),
            ("summary", SUMMARY.assign(params=[NAN, 1.0]), ValueError, "params"),
            ("summary", SUMMARY.iloc[:0], ValueError, "summary"),
        ],
    ),
    "plots.plot_scaling_costs": (
        dict(summary=SUMMARY),
        [
            ("summary", None, TypeError),
            ("summary", SUMMARY.drop(columns="epoch_seconds"), ValueError, "epoch_seconds"),
            ("summary", SUMMARY.assign(train_seconds=["a", "b"]), TypeError, "train_seconds"),
        ],
    ),
    "plots.plot_power_law": (
        dict(params=[100, 400, 1600], loss=[0.5, 0.4, 0.35], fit=FIT),
        [
            ("params", [100, 400], ValueError, "params and loss"),
            ("loss", [0.5, NAN, 0.3], ValueError),
            ("params", [0, 400, 1600], ValueError, "positive"),
            ("fit", {"a": 2.0}, ValueError, "alpha"),
            ("reference_alpha", "0.3", TypeError),
            ("reference_label", 3, TypeError),
        ],
    ),
    "plots.plot_saliency": (
        dict(images=DIGITS, maps=[np.zeros((2, 28, 28))], names=["CNN"]),
        [
            ("images", DIGITS[0, :, :, 0], ValueError),
            ("maps", [np.zeros((3, 28, 28))], ValueError, r"maps\[0\]"),
            ("maps", [], ValueError),
            ("names", ["a", "b"], ValueError),
        ],
    ),
    "plots.plot_first_filters": (
        dict(kernels=[np.zeros((3, 3, 1, 4))], names=["CNN"]),
        [
            ("kernels", [np.zeros((3, 3, 4))], ValueError, r"kernels\[0\]"),
            ("kernels", "kernels", TypeError),
            ("names", "CNN", TypeError),
            ("columns", 0, ValueError),
        ],
    ),
    # ---- plots_architectures (3.1 to 4) --------------------------------------------------
    "plots_architectures.plot_history": (
        dict(history={"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "accuracy": [0.5, 0.7]}),
        [
            ("history", [1.0, 0.5], TypeError),
            ("history", {"loss": [1.0]}, ValueError, "accuracy"),
            ("history", {"loss": [], "accuracy": [0.5]}, ValueError, "loss"),
            ("metrics", "loss", TypeError),
            ("title", None, TypeError),
        ],
    ),
    "plots_architectures.plot_image_row": (
        dict(images=[DIGIT, np.zeros((14, 14))], titles=["digit", "pooled"]),
        [
            ("images", [np.zeros((2, 28, 28))], ValueError, "grey image"),
            ("images", [], ValueError),
            ("titles", ["digit"], ValueError),
            ("cmap", 3, TypeError),
        ],
    ),
    "plots_architectures.plot_feature_maps": (
        dict(image=DIGIT, maps={"conv": np.zeros((1, 26, 26, 4))}, channels=4),
        [
            ("maps", {"conv": np.zeros((26, 26, 4))}, ValueError, "maps"),
            ("maps", {}, ValueError),
            ("channels", 8, ValueError, "channels=8"),
            ("image", np.zeros((2, 28, 28)), ValueError),
        ],
    ),
    "plots_recurrent.plot_curves": (
        dict(curves=CURVES, xlabel="epoch", ylabel="loss", title="Curves"),
        [
            ("curves", [0.5, 0.4], TypeError),
            ("curves", {}, ValueError),
            ("curves", {"LSTM": [0.5, NAN]}, ValueError, "LSTM"),
            ("xlabel", None, TypeError),
        ],
    ),
    "plots_recurrent.plot_adding_mse": (
        dict(
            lengths=[10, 20, 40], mse_by_model={"LSTM": [0.1, 0.1, 0.2]}, references={"zero": 0.17}
        ),
        [
            ("lengths", [10.0, 20.0, 40.0], TypeError),
            ("mse_by_model", {"LSTM": [0.1, 0.2]}, ValueError, "3 values"),
            ("references", {"zero": -1.0}, ValueError),
            ("references", [0.17], TypeError),
        ],
    ),
    "plots_recurrent.plot_adding_curves": (
        dict(curves={("LSTM", 10): [0.2, 0.1]}, step=50, baseline=0.17),
        [
            ("curves", {"LSTM": [0.2, 0.1]}, ValueError, r"\(model, T\)"),
            ("step", 0, ValueError),
            ("baseline", INF, ValueError),
            ("baseline", "0.17", TypeError),
        ],
    ),
    "plots_recurrent.plot_gradient_norms": (
        dict(norms_by_model={"LSTM, trained": [1e-3, 1e-2]}),
        [
            ("norms_by_model", None, TypeError),
            ("norms_by_model", {"LSTM": [[1e-3]]}, ValueError, "LSTM"),
            ("norms_by_model", {"LSTM": "small"}, TypeError),
            ("title", 3, TypeError),
        ],
    ),
    "plots_architectures.plot_attention_weights": (
        dict(weights=np.full((2, 3, 3), 1 / 3), titles=["a", "b"], tokens=["x", "y", "z"]),
        [
            ("weights", np.full((3, 3), 1 / 3), ValueError),
            ("titles", ["a"], ValueError),
            ("tokens", ["x", "y"], ValueError),
            ("suptitle", None, TypeError),
        ],
    ),
    "plots_architectures.plot_positional_encoding": (
        dict(encoding=np.zeros((10, 16)), dimensions=(0, 1, 8)),
        [
            ("encoding", np.zeros(16), ValueError),
            ("dimensions", (0, 16), ValueError, "dimensions"),
            ("dimensions", 8, TypeError),
            ("encoding", np.full((10, 16), NAN), ValueError),
        ],
    ),
    "plots_architectures.plot_patches": (
        dict(image=DIGIT, patches=np.zeros((16, 49)), patch_size=7),
        [
            ("patches", np.zeros((15, 49)), ValueError, "patches"),
            ("patches", np.zeros(49), ValueError),
            ("patch_size", 0, ValueError),
            ("image", np.zeros((2, 28, 28)), ValueError),
            ("image", DIGIT[None], ValueError, "image must have 2 or 3 dimensions"),
            ("image", np.zeros((1, 28, 28)), ValueError, r"image must be one grey image \(rows"),
            ("image", np.zeros((28, 28, 3)), ValueError, "image must be one grey image"),
            ("image", np.full((28, 28, 1), "a"), TypeError, "image must be a numeric array"),
        ],
    ),
    "plots_architectures.plot_vit_attention": (
        dict(images=DIGITS, grids=np.ones((2, 1, 4, 4)), titles=["0", "1"], column_titles=["map"]),
        [
            ("grids", np.ones((2, 4, 4)), ValueError),
            ("images", DIGITS[:1], ValueError, "len"),
            ("titles", ["0"], ValueError),
            ("column_titles", ["a", "b"], ValueError),
        ],
    ),
    "plots_architectures.plot_lm_curves": (
        dict(
            steps=[100, 200],
            train_loss=[2.0, 1.5],
            validation_loss=[2.1, 1.6],
            baselines={"unigram": 3.0},
        ),  # fmt: skip
        [
            ("train_loss", [2.0], ValueError),
            ("validation_loss", [2.1, NAN], ValueError),
            ("baselines", {"unigram": "3"}, TypeError),
            ("steps", [], ValueError),
        ],
    ),
    "plots_architectures.plot_comparison": (
        dict(table=TABLE3, columns=["params", "accuracy"], labels=["parameters", "accuracy (%)"]),
        [
            ("table", {"params": [10.0]}, TypeError),
            ("columns", ["params", "time"], ValueError, "time"),
            ("columns", [], ValueError),
            ("labels", ["parameters"], ValueError),
        ],
    ),
    "plots_architectures.plot_confusion_matrix": (
        dict(y_true=[0, 1, 2], y_pred=[0, 2, 2], num_classes=3),
        [
            ("y_true", [0, 1], ValueError, "same shape"),
            ("y_pred", [0, 1, 3], ValueError),
            ("num_classes", 0, ValueError),
            ("y_true", [0.5, 1, 2], TypeError),
        ],
    ),
    "plots_architectures.plot_digits": (
        dict(images=DIGITS, titles=["0", "1"]),
        [
            ("images", np.zeros((0, 28, 28)), ValueError),
            ("titles", ["0"], ValueError),
            ("columns", True, TypeError),
            ("images", "digits", TypeError),
        ],
    ),
    # ---- plots_remedies (5) --------------------------------------------------------------
    "plots_remedies.plot_accuracy_vs_latency": (
        dict(rows=ACCURACY_ROWS),
        [
            ("rows", [], ValueError),
            ("rows", [{"model": "int8", "latency_ms": 1.0}], ValueError, "accuracy"),
            ("rows", [{**ACCURACY_ROWS[0], "accuracy": 95.0}], ValueError, "accuracy"),
            ("title", None, TypeError),
        ],
    ),
    "plots_remedies.plot_distributed_losses": (
        dict(results=WORKERS),
        [
            ("results", {"index": 0}, TypeError),
            ("results", [{"index": 0, "local_losses": [1.0]}], ValueError, "global_losses"),
            ("results", [{**WORKERS[0], "local_losses": [NAN]}], ValueError, "local_losses"),
        ],
    ),
    "plots_remedies.plot_distributed_speedup": (
        dict(num_workers=[1, 2, 4], speedups={"fast link": {"CNN": [1.0, 1.8, 3.1]}}),
        [
            ("num_workers", [0, 2, 4], ValueError),
            ("speedups", {"fast link": {"CNN": [1.0, 1.8]}}, ValueError, "3 values"),
            ("speedups", {}, ValueError),
            ("num_workers", [1.0, 2.0, 4.0], TypeError),
        ],
    ),
    "plots_remedies.plot_soft_targets": (
        dict(image=DIGIT, probabilities_by_T={1.0: [0.9, 0.1], 4.0: [0.6, 0.4]}, label=0),
        [
            ("label", 2, ValueError),
            ("label", True, TypeError),
            ("probabilities_by_T", {0.0: [0.9, 0.1]}, ValueError, "T"),
            ("image", np.zeros(28), ValueError),
        ],
    ),
    "plots_remedies.plot_paired_seeds": (
        dict(scratch=[0.9, 0.91], distilled=[0.92, 0.93], teacher=0.97),
        [
            ("distilled", [0.92], ValueError, "same shape"),
            ("scratch", [90.0, 91.0], ValueError),
            ("teacher", NAN, ValueError),
            ("scratch", "0.9", TypeError),
        ],
    ),
    "plots_remedies.plot_temperature_sweep": (
        dict(
            temperatures=[1.0, 4.0],
            accuracies=[[0.9, 0.91], [0.92, 0.93]],
            scratch=[0.9, 0.9],
            teacher=0.97,
        ),  # fmt: skip
        [
            ("temperatures", [0.0, 4.0], ValueError),
            ("accuracies", [[0.9, 0.91]], ValueError, "len"),
            ("scratch", [], ValueError),
            ("teacher", 1.5, ValueError),
        ],
    ),
    "plots_remedies.plot_per_digit_accuracy": (
        dict(per_digit={"teacher": [0.9] * 10}, omitted=3),
        [
            ("per_digit", {"teacher": [0.9] * 9}, ValueError, "10 values"),
            ("per_digit", {"teacher": [90.0] * 10}, ValueError, "teacher"),
            ("omitted", 10, ValueError),
            ("title", 3, TypeError),
        ],
    ),
}

(test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works) = make_tests(
    TABLE
)
