"""The book's figures for chapters 1 and 2, and the finish every figure shares.

Each helper draws on a new matplotlib figure and returns it (the notebook shows it);
nothing here trains or measures. Chapter 3.2 draws with :mod:`plots_recurrent`, chapters 3.1
and 3.3 to 4 with :mod:`plots_architectures`, chapter 5 with :mod:`plots_remedies`; only
chapters and those three import this module.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from bigmodel_utils import checks, figure_checks


def finish(figure, axis=None, grid="major", legend=None, path=None, **labels):
    """The last steps every figure of the book shares; returns ``figure``.

    Args:
        figure: the matplotlib figure.
        axis: the axes to label (``None``: the figure only).
        grid: ``"major"``, ``"both"`` (major and minor ticks, for log scales) or ``None``.
        legend: ``None`` (no legend) or a dict of ``axis.legend`` keywords (``{}``: defaults).
        path: also save the figure there (PNG, 150 dpi), e.g. for a report.
        **labels: ``title``, ``xlabel``, ``ylabel``, scales and limits for ``axis.set``.
    """
    checks.instance(figure, "figure", Figure)
    checks.one_of(grid, "grid", ("major", "both", None))
    if legend is not None:
        checks.instance(legend, "legend", dict)
    if axis is not None:
        if labels:
            axis.set(**labels)
        if grid:
            axis.grid(alpha=0.3, which="both" if grid == "both" else "major")
        if legend is not None:
            axis.legend(**legend)
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=150, bbox_inches="tight")
    return figure


def log_finish(figure, axis=None, legend=None, **labels):
    """:func:`finish` for lines on a logarithmic y axis: grid at every tick, a small legend
    (``legend``: ``axis.legend`` keywords, default ``fontsize=8``); returns ``figure``."""
    if axis is not None:
        axis.set_yscale("log")
    legend = dict(fontsize=8) if legend is None else legend
    return finish(figure, axis, grid="both", legend=legend, **labels)


# ---- chapter 1: model sizes over time --------------------------------------------------------


def plot_model_sizes(landmarks, book_models, book_year):
    """Parameters of landmark models by year (log scale), the book's models at ``book_year``."""
    for row in figure_checks.records(landmarks, "landmarks", ("name", "year", "params")):
        checks.positive_float(row["params"], "landmarks[...]['params']")
    for row in figure_checks.records(book_models, "book_models", ("name", "params")):
        checks.positive_float(row["params"], "book_models[...]['params']")
    checks.positive_int(book_year, "book_year")
    figure, axis = plt.subplots(figsize=(8, 4.2))
    years = [row["year"] for row in landmarks]
    params = [row["params"] for row in landmarks]
    axis.scatter(
        years, params, s=45, color="tab:blue", zorder=3, label="landmark models (as published)"
    )
    for row in landmarks:
        axis.annotate(
            row["name"],
            (row["year"], row["params"]),
            xytext=(6, -3),
            textcoords="offset points",
            fontsize=8,
        )
    axis.scatter(
        [book_year] * len(book_models),
        [row["params"] for row in book_models],
        s=45,
        marker="D",
        color="tab:orange",
        zorder=3,
        label="this book's models (counted)",
    )
    label_y = []  # labels spread upwards, at least a factor 2.6 apart on the log axis
    for row in sorted(book_models, key=lambda row: row["params"]):
        label_y.append(max(row["params"], 2.6 * label_y[-1]) if label_y else row["params"])
        axis.annotate(
            row["name"],
            (book_year, row["params"]),
            xytext=(book_year - 1.5, label_y[-1]),
            ha="right",
            va="center",
            fontsize=8,
            color="tab:orange",
            arrowprops={"arrowstyle": "-", "color": "tab:orange", "lw": 0.6},
        )
    axis.set_yscale("log")
    return finish(
        figure,
        axis,
        legend=dict(loc="upper left"),
        xlabel="year of publication",
        ylabel="parameters (log scale)",
        title="How large is large? Parameter counts, 1998 to today",
        xlim=(min(years) - 2, book_year + 2),
        ylim=(min(params + [row["params"] for row in book_models]) / 3, None),
    )


# ---- chapter 2: what size buys and costs -----------------------------------------------------

BENEFIT_COLUMNS = ("params", "test_accuracy", "gap", "noise_accuracy", "occlusion_accuracy")
COST_COLUMNS = ("params", "forward_flops", "train_seconds", "epoch_seconds",
                "memory_estimate_bytes")  # fmt: skip


def _log_x_panel(axis, x, ys, labels, ylabel, title, styles=("o-", "s--", "^:")):
    for y, label, style in zip(ys, labels, styles):
        axis.plot(x, y, style, label=label)
    axis.set_xscale("log")
    axis.set(xlabel="parameters (log scale)", ylabel=ylabel, title=title)
    axis.grid(alpha=0.3, which="both")
    if len(ys) > 1:
        axis.legend(fontsize=8)


def plot_scaling_benefits(summary):
    """What a wider CNN buys: test accuracy, train-test gap and accuracy on damaged input."""
    figure_checks.columns(summary, "summary", BENEFIT_COLUMNS)
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    x = summary["params"]
    accuracy = 100 * summary["test_accuracy"]
    if "test_accuracy_low" in summary:  # the 95 % interval over seeds and test-set error
        spread = [accuracy - 100 * summary["test_accuracy_low"],
                  100 * summary["test_accuracy_high"] - accuracy]  # fmt: skip
    else:
        spread = None
    axes[0].errorbar(x, accuracy, yerr=spread, fmt="o-", capsize=3, label="test")
    if "train_accuracy" in summary:
        axes[0].plot(x, 100 * summary["train_accuracy"], "s--", label="train")
        axes[0].legend(fontsize=8)
    _log_x_panel(axes[0], x, [], [], "accuracy (%)", "Performance, generalisation")
    _log_x_panel(
        axes[1],
        x,
        [100 * summary["gap"]],
        ["gap"],
        "train − test accuracy (points)",
        "Generalization gap",
    )
    _log_x_panel(
        axes[2],
        x,
        [100 * summary[c] for c in ("test_accuracy", "noise_accuracy", "occlusion_accuracy")],
        ["clean", "Gaussian noise", "occlusion"],
        "test accuracy (%)",
        "Robustness",
    )
    figure.tight_layout()
    return figure


def plot_scaling_costs(summary):
    """What a wider CNN costs: FLOPs per sample, training time and training memory."""
    figure_checks.columns(summary, "summary", COST_COLUMNS)
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    x = summary["params"]
    _log_x_panel(
        axes[0],
        x,
        [summary["forward_flops"] / 1e6],
        ["forward"],
        "MFLOP per sample (forward)",
        "Compute",
    )
    _log_x_panel(
        axes[1],
        x,
        [summary["train_seconds"], summary["epoch_seconds"]],
        ["whole training", "one epoch (median)"],
        "seconds",
        "Training time",
    )
    memory = [summary["memory_estimate_bytes"] / 1e6]
    labels = ["estimate: weights x4 + activations"]
    if "gpu_peak_bytes" in summary and summary["gpu_peak_bytes"].notna().all():
        memory.append(summary["gpu_peak_bytes"] / 1e6)
        labels.append("GPU peak (measured)")
    _log_x_panel(axes[2], x, memory, labels, "MB", "Training memory")
    for axis in axes:
        axis.set_yscale("log")
        axis.yaxis.set_major_locator(plt.LogLocator(subs=(1, 2, 5)))
        axis.yaxis.set_major_formatter(plt.FormatStrFormatter("%.3g"))
        axis.yaxis.set_minor_formatter(plt.NullFormatter())
    figure.tight_layout()
    return figure


def plot_power_law(params, loss, fit, reference_alpha=None, reference_label=""):
    """Test loss against parameters (log-log) with the fitted a·N^(−α) + c."""
    params = checks.array(params, "params", ndim=1).astype(float)
    loss = checks.array(loss, "loss", ndim=1).astype(float)
    checks.same_shape(params, "params", loss, "loss")
    if params.min() <= 0 or loss.min() <= 0:
        raise ValueError("params and loss must be positive (both axes are logarithmic)")
    for key in ("a", "alpha", "c"):
        checks.finite_float(checks.mapping(fit, "fit", ("a", "alpha", "c"))[key], f"fit[{key!r}]")
    if reference_alpha is not None:
        checks.finite_float(reference_alpha, "reference_alpha")
    checks.string(reference_label, "reference_label", empty=True)
    figure, axis = plt.subplots(figsize=(8, 3.6))
    grid = np.geomspace(params.min(), params.max(), 200)
    axis.plot(params, loss, "o", markersize=7, label="measured (mean over seeds)")
    axis.plot(
        grid,
        fit["a"] * grid ** -fit["alpha"] + fit["c"],
        "-",
        label=f"fit: a·N^(−{fit['alpha']:.2f}) + {fit['c']:.3f}",
    )
    if reference_alpha is not None:
        axis.plot(
            grid,
            loss[0] * (grid / grid[0]) ** -reference_alpha,
            ":",
            color="gray",
            label=reference_label or f"slope −{reference_alpha} from the first point",
        )
    axis.set_xscale("log")
    axis.set_yscale("log")
    for ticks in (axis.yaxis.set_major_formatter, axis.yaxis.set_minor_formatter):
        ticks(plt.FormatStrFormatter("%.2g"))
    title = "Test loss against model size"
    labels = dict(xlabel="parameters N (log scale)", ylabel="test cross-entropy loss (log scale)")
    return log_finish(figure, axis, title=title, **labels)


def plot_saliency(images, maps, names):
    """A row of digits, then one row of saliency maps per model (``maps[i]`` for ``names[i]``)."""
    images = checks.array(images, "images", ndim=(3, 4))
    maps = figure_checks.arrays(maps, "maps", ndim=3)
    for i, saliency in enumerate(maps):
        checks.shape(saliency, f"maps[{i}]", (len(images), None, None))
    figure_checks.strings(names, "names", length=len(maps))
    columns = len(images)
    figure, axes = plt.subplots(
        1 + len(maps), columns, figsize=(1.2 * columns, 1.3 * (1 + len(maps))), squeeze=False
    )
    for column in range(columns):
        axes[0, column].imshow(np.squeeze(images[column]), cmap="gray_r")
        for row, saliency in enumerate(maps, start=1):
            axes[row, column].imshow(saliency[column], cmap="hot")
    for axis in axes.flat:
        axis.set(xticks=[], yticks=[])
    for row, name in enumerate(["input", *names]):
        axes[row, 0].set_ylabel(name, fontsize=8)
    figure.suptitle("Where each model looks: |∂ class score / ∂ pixel|", fontsize=10)
    figure.tight_layout()
    return figure


def plot_first_filters(kernels, names, columns=16):
    """First-layer 3x3 filters of each model (blue negative, red positive), one panel per model."""
    kernels = figure_checks.arrays(kernels, "kernels", ndim=4)
    figure_checks.strings(names, "names", length=len(kernels))
    checks.positive_int(columns, "columns")
    rows = [int(np.ceil(kernel.shape[-1] / columns)) for kernel in kernels]
    figure = plt.figure(
        figsize=(0.5 * columns, 0.55 * sum(rows) + 0.5 * len(kernels)), layout="constrained"
    )
    panels = figure.subfigures(
        len(kernels), 1, height_ratios=[r + 0.9 for r in rows], squeeze=False
    )
    for panel, kernel, name, count in zip(panels.flat, kernels, names, rows):
        axes = panel.subplots(count, columns, squeeze=False)
        for index, axis in enumerate(axes.flat):
            axis.axis("off")
            if index < kernel.shape[-1]:
                weights = kernel[:, :, 0, index]  # (3, 3) for the first input channel
                limit = np.abs(weights).max() or 1.0
                axis.imshow(weights, cmap="RdBu_r", vmin=-limit, vmax=limit)
        panel.suptitle(f"{name}: {kernel.shape[-1]} first-layer filters", fontsize=9)
    return figure
