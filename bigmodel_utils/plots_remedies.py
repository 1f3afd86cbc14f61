"""The book's figures for chapter 5: efficient algorithms, distributed training, distillation.

Only chapters import this module.
"""

import matplotlib.pyplot as plt
import numpy as np

from bigmodel_utils import checks, figure_checks
from bigmodel_utils.plots import finish


def _accuracies(values, name, ndim=1):
    """Test accuracies (one per seed, or a table of them) as an array of shares in [0, 1]."""
    values = checks.array(values, name, ndim=ndim)
    if values.min() < 0 or values.max() > 1:
        raise ValueError(
            f"{name} must hold accuracies in [0, 1], got {values.min()}..{values.max()}"
        )
    return values


# ---- chapter 5.1: efficient algorithms -------------------------------------------------------


def plot_accuracy_vs_latency(rows, title="Test accuracy against latency"):
    """A marker per row (``model``, ``latency_ms``, ``accuracy``, ``bytes``); area ~ file bytes."""
    for i, row in enumerate(
        figure_checks.records(rows, "rows", ("model", "latency_ms", "accuracy", "bytes"))
    ):
        checks.non_negative_float(row["latency_ms"], f"rows[{i}]['latency_ms']")
        checks.probability(row["accuracy"], f"rows[{i}]['accuracy']")
        checks.positive_float(row["bytes"], f"rows[{i}]['bytes']")
    checks.string(title, "title", empty=True)
    fig, ax = plt.subplots(figsize=(8, 3.8))
    largest = max(row["bytes"] for row in rows)
    markers = "osD^vP*X"
    for i, row in enumerate(rows):
        ax.scatter(
            row["latency_ms"],
            100 * row["accuracy"],
            s=30 + 370 * row["bytes"] / largest,
            alpha=0.65,
            color=f"C{i}",
            marker=markers[i % len(markers)],
            edgecolor="black",
            label=f"{row['model']} ({row['bytes'] / 1024:,.0f} KB)",
        )
    ax.set(
        xlabel="latency per batch of 32 images (ms, median of repeated runs)",
        ylabel="test accuracy (%)",
        title=title,
    )
    ax.set_xlim(0, 1.15 * max(row["latency_ms"] for row in rows))
    ax.margins(y=0.15)
    ax.grid(alpha=0.3)
    ax.legend(
        title="model (bytes on disk = marker area)",
        fontsize=8,
        title_fontsize=8,
        labelspacing=1.1,
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
    )
    fig.tight_layout()
    return fig


# ---- chapter 5.2: distributed training -------------------------------------------------------


def plot_distributed_losses(results, title="Two workers train one model"):
    """Per-step loss of each worker's own shard (thin) and of the whole global batch (thick)."""
    for i, result in enumerate(
        figure_checks.records(results, "results", ("index", "local_losses", "global_losses"))
    ):
        checks.array(result["local_losses"], f"results[{i}]['local_losses']", ndim=1)
        checks.array(result["global_losses"], f"results[{i}]['global_losses']", ndim=1)
    checks.string(title, "title", empty=True)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for result in results:
        ax.plot(
            result["local_losses"],
            lw=1,
            alpha=0.8,
            label=f"worker {result['index']}: loss on its own shard",
        )
    ax.plot(
        results[0]["global_losses"], lw=2.5, color="black", label="all-reduced loss (both workers)"
    )
    return finish(
        fig, ax, legend={}, xlabel="training step", ylabel="cross-entropy loss", title=title
    )


def plot_distributed_speedup(
    num_workers, speedups, title="Predicted speed-up of synchronous data parallelism"
):
    """Speed-up vs workers: a panel per link of ``speedups = {link: {model: curve}}``; N dashed."""
    num_workers = checks.array(num_workers, "num_workers", ndim=1, dtype_kind="int")
    if num_workers.min() < 1:
        raise ValueError(f"num_workers must be counts >= 1, got {num_workers.min()}")
    for link, curves in checks.non_empty(checks.mapping(speedups, "speedups"), "speedups").items():
        figure_checks.curves(curves, f"speedups[{link!r}]", length=num_workers.size)
    checks.string(title, "title", empty=True)
    fig, axes = plt.subplots(1, len(speedups), figsize=(9, 3.8), sharey=True, squeeze=False)
    for ax, (link, curves) in zip(axes[0], speedups.items()):
        ax.plot(num_workers, num_workers, "k--", lw=1, label="ideal: N")
        ax.axhspan(0, 1, color="0.9", zorder=0)
        for model, curve in curves.items():
            ax.plot(num_workers, curve, marker="o", ms=3, label=model)
        ax.set(xscale="log", yscale="log", xlabel="workers N", title=link)
        ax.set_xticks([1, 2, 4, 8, 16, 32, 64], labels=["1", "2", "4", "8", "16", "32", "64"])
        ax.yaxis.set_major_locator(plt.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value:g}"))
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel("speed-up over 1 worker (×)")
    axes[0][0].legend(fontsize=8, loc="upper left")
    fig.suptitle(title + " (grey: slower than 1 worker)")
    fig.tight_layout()
    return fig


# ---- chapter 5.3: knowledge distillation -----------------------------------------------------


def plot_soft_targets(image, probabilities_by_T, label):
    """The digit, then the teacher's softened distribution over the classes at each temperature."""
    checks.array(image, "image", ndim=(2, 3))
    probabilities_by_T = figure_checks.curves(probabilities_by_T, "probabilities_by_T")
    for T, p in probabilities_by_T.items():
        checks.positive_float(T, "a temperature T (a key of probabilities_by_T)")
        checks.integer(label, "label", low=0, high=p.size - 1)
    fig, axes = plt.subplots(
        1,
        1 + len(probabilities_by_T),
        figsize=(10, 2.6),
        gridspec_kw={"width_ratios": [0.7] + [1] * len(probabilities_by_T)},
    )
    axes[0].imshow(np.squeeze(image), cmap="gray_r")
    axes[0].set_title(f"test digit (label {label})", fontsize=9)
    axes[0].axis("off")
    for ax, (T, p) in zip(axes[1:], probabilities_by_T.items()):
        ax.bar(range(len(p)), p, color=["C3" if k == label else "C0" for k in range(len(p))])
        ax.set(title=f"T = {T:g}", xticks=range(len(p)), ylim=(0, 1), xlabel="class")
        ax.tick_params(labelsize=7)
    axes[1].set_ylabel("softmax(t / T)")
    fig.tight_layout()
    return fig


def plot_paired_seeds(
    scratch, distilled, teacher, title="Same seed, same data: scratch vs distilled student"
):
    """A line per seed from the scratch to the distilled student's test accuracy; teacher dashed."""
    scratch = _accuracies(scratch, "scratch")
    checks.same_shape(scratch, "scratch", _accuracies(distilled, "distilled"), "distilled")
    checks.probability(teacher, "teacher")
    checks.string(title, "title", empty=True)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for seed, (a, b) in enumerate(zip(scratch, distilled)):
        ax.plot([0, 1], [100 * a, 100 * b], "o-", color=f"C{seed}", label=f"seed {seed}")
    ax.axhline(100 * teacher, color="black", ls="--", lw=1, label="teacher")
    ax.set(xticks=[0, 1], xlim=(-0.3, 1.3), ylabel="test accuracy (%)", title=title)
    ax.set_xticklabels(["student from scratch", "distilled student"])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def plot_temperature_sweep(
    temperatures, accuracies, scratch, teacher, title="Distilled student vs temperature"
):
    """Distilled students' test accuracy against T (mean, min-max over seeds), scratch, teacher."""
    temperatures = checks.array(temperatures, "temperatures", ndim=1)
    if temperatures.min() <= 0:
        raise ValueError(f"temperatures must be positive, got {temperatures.min()}")
    shares = _accuracies(accuracies, "accuracies", ndim=(1, 2))
    checks.matching(len(shares), "len(accuracies)", temperatures.size, "len(temperatures)")
    _accuracies(scratch, "scratch")
    checks.probability(teacher, "teacher")
    checks.string(title, "title", empty=True)
    accuracies = (
        100 * np.atleast_2d(np.asarray(accuracies, dtype=float).T).T
    )  # (temperatures, seeds)
    mean = accuracies.mean(axis=1)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.errorbar(
        temperatures,
        mean,
        yerr=[mean - accuracies.min(axis=1), accuracies.max(axis=1) - mean],
        fmt="o-",
        capsize=3,
        label="distilled student",
    )
    ax.axhspan(
        100 * min(scratch),
        100 * max(scratch),
        color="C1",
        alpha=0.2,
        label="student from scratch (range)",
    )
    ax.axhline(100 * teacher, color="black", ls="--", lw=1, label="teacher")
    ax.set_xscale("log")
    ax.set_xticks(temperatures, labels=[f"{T:g}" for T in temperatures])
    return finish(
        fig,
        ax,
        legend=dict(fontsize=8, loc="lower right"),
        xlabel="temperature T (log scale)",
        ylabel="test accuracy (%)",
        title=title,
    )


def plot_per_digit_accuracy(per_digit, omitted, title=None):
    """Grouped bars: accuracy on each digit's test images, a bar per model of ``per_digit``."""
    for name, accuracy in figure_checks.curves(per_digit, "per_digit", length=10).items():
        _accuracies(accuracy, f"per_digit[{name!r}]")
    checks.integer(omitted, "omitted", low=0, high=9)
    if title is not None:
        checks.string(title, "title")
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / len(per_digit)
    for i, (name, accuracy) in enumerate(per_digit.items()):
        x = np.arange(10) + (i - (len(per_digit) - 1) / 2) * width
        ax.bar(x, 100 * np.asarray(accuracy), width, label=name)
        ax.text(
            x[omitted],
            100 * accuracy[omitted] + 1.5,
            f"{100 * accuracy[omitted]:.0f}",
            ha="center",
            fontsize=7,
        )
    ax.axvspan(omitted - 0.5, omitted + 0.5, color="0.88", zorder=0)
    ax.set(
        xticks=range(10),
        xlabel="digit",
        ylabel="test accuracy (%)",
        ylim=(0, 122),
        title=title or f"Test accuracy per digit (the students' transfer set had no {omitted}s)",
    )
    ax.set_yticks(range(0, 101, 20))
    ax.legend(fontsize=8, loc="upper center", ncol=len(per_digit))
    fig.tight_layout()
    return fig
