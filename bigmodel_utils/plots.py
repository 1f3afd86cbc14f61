"""Every figure of the book. Only chapters import this module.

Each helper draws on a new matplotlib figure and returns it (the notebook shows
it); nothing here trains or measures.
"""

import matplotlib.pyplot as plt
import numpy as np

# ---- chapter 4: the article's CNN ---------------------------------------------


def plot_history(history, metrics=("loss", "accuracy"), title=""):
    """Training curves from ``model.fit``: one panel per metric, train and validation."""
    logs = getattr(history, "history", history)
    figure, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2))
    for axis, metric in zip(np.atleast_1d(axes), metrics):
        epochs = np.arange(1, len(logs[metric]) + 1)
        axis.plot(epochs, logs[metric], "o-", label="train")
        if f"val_{metric}" in logs:
            axis.plot(epochs, logs[f"val_{metric}"], "s--", label="validation")
        axis.set(xlabel="epoch", ylabel=metric, title=f"{title} {metric}".strip())
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    return figure


def plot_confusion_matrix(y_true, y_pred, num_classes=10):
    """Counts of (true digit, predicted digit); the diagonal holds the correct answers."""
    counts = np.bincount(
        num_classes * np.asarray(y_true) + np.asarray(y_pred), minlength=num_classes**2
    ).reshape(num_classes, num_classes)  # (true, predicted)
    figure, axis = plt.subplots(figsize=(4.6, 4))
    image = axis.imshow(np.log1p(counts), cmap="Blues")
    for (row, column), count in np.ndenumerate(counts):
        if count:
            color = "white" if row == column else "black"
            axis.text(column, row, count, ha="center", va="center", fontsize=7, color=color)
    axis.set(
        xlabel="predicted digit",
        ylabel="true digit",
        xticks=range(num_classes),
        yticks=range(num_classes),
        title="Confusion matrix (test set)",
    )
    figure.colorbar(image, ax=axis, label="log(1 + count)")
    figure.tight_layout()
    return figure


def plot_digits(images, titles, columns=8):
    """A row (or grid) of 28x28 digits, each with a short title."""
    rows = int(np.ceil(len(images) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.6 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, image, title in zip(axes.flat, images, titles):
        axis.imshow(np.squeeze(image), cmap="gray_r")
        axis.set_title(title, fontsize=8)
    figure.tight_layout()
    return figure


# ---- chapter 3.1 / 3.2: CNN and RNN -------------------------------------------


def plot_image_row(images, titles, title="", cmap="gray_r"):
    """Images side by side (a digit and what a layer makes of it), each with its title and size."""
    figure, axes = plt.subplots(1, len(images), figsize=(2.1 * len(images), 2.6), squeeze=False)
    for axis, image, name in zip(axes[0], images, titles):
        image = np.squeeze(image)
        axis.imshow(image, cmap=cmap)
        axis.set_title(f"{name}\n{image.shape[0]}×{image.shape[1]}", fontsize=9)
        axis.set(xticks=[], yticks=[])
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.92 if title else 1))
    return figure


def plot_feature_maps(image, maps, channels=8):
    """The input digit, then the first ``channels`` feature maps of each layer in ``maps`` (one row each)."""
    figure, axes = plt.subplots(
        len(maps), channels + 1, figsize=(1.1 * (channels + 1), 1.25 * len(maps)), squeeze=False
    )
    for row, (name, activation) in enumerate(maps.items()):
        axes[row, 0].imshow(np.squeeze(image), cmap="gray_r") if row == 0 else axes[row, 0].axis(
            "off"
        )
        for column in range(channels):
            axes[row, column + 1].imshow(activation[0, :, :, column], cmap="viridis")
        size = activation.shape[1:]
        axes[row, 1].set_ylabel(f"{name}\n{size[0]}×{size[1]}×{size[2]}", fontsize=8)
    for axis in axes.flat:
        axis.set(xticks=[], yticks=[])
    axes[0, 0].set_title("input", fontsize=8)
    for column in range(channels):
        axes[0, column + 1].set_title(f"map {column}", fontsize=8)
    figure.suptitle(
        f"Feature maps of the trained CNN (first {channels} channels of each conv layer)",
        fontsize=10,
    )
    figure.tight_layout()
    return figure


def plot_curves(curves, xlabel, ylabel, title):
    """One line per entry of ``curves = {label: values per epoch}`` (epochs 1, 2, ...)."""
    figure, axis = plt.subplots(figsize=(8, 3.5))
    for label, values in curves.items():
        axis.plot(np.arange(1, len(values) + 1), values, "o-", markersize=3, label=label)
    axis.set(xlabel=xlabel, ylabel=ylabel, title=title)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    return figure


def plot_adding_mse(lengths, mse_by_model, references):
    """Test MSE on the adding problem against sequence length, one line per model, dashed reference levels."""
    figure, axis = plt.subplots(figsize=(8, 3.5))
    for (name, mse), style in zip(mse_by_model.items(), ("o-", "s-", "^-")):
        axis.plot(lengths, mse, style, label=name)
    for (label, level), color in zip(references.items(), ("gray", "tab:brown")):
        axis.axhline(level, color=color, linestyle="--", linewidth=1, label=label)
    axis.set_yscale("log")
    axis.set_xticks(lengths)
    axis.set(
        xlabel="sequence length T (steps)",
        ylabel="test MSE (log scale)",
        title="The adding problem: the same training budget at growing lengths",
    )
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    figure.tight_layout()
    return figure


def plot_adding_curves(curves, step, baseline):
    """Validation MSE during training, ``curves = {(model, T): values}``: a colour per model, a line style per T."""
    figure, axis = plt.subplots(figsize=(8, 4.2))
    models = list(dict.fromkeys(model for model, _ in curves))
    lengths = sorted({length for _, length in curves})
    for (model, length), values in curves.items():
        axis.plot(
            step * np.arange(1, len(values) + 1),
            values,
            color=f"C{models.index(model)}",
            linestyle=("-", "--", ":", "-.")[lengths.index(length) % 4],
            marker="o",
            markersize=3,
            label=f"{model}, T = {length}",
        )
    axis.axhline(baseline, color="gray", linestyle="--", linewidth=1, label="always answer 1.0")
    axis.set_yscale("log")
    axis.set(
        xlabel="training step",
        ylabel="validation MSE (log scale)",
        title="Learning the adding problem: validation MSE during training",
    )
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=4)
    figure.tight_layout()
    return figure


def plot_gradient_norms(norms_by_model, title="How far back does the gradient reach?"):
    """||dL/dx_t|| against the time step t, log scale: one line per entry (labels with 'untrained' dashed)."""
    figure, axis = plt.subplots(figsize=(8, 3.5))
    colors = {}
    for name, norms in norms_by_model.items():
        model_name = name.split(",")[0]
        colors.setdefault(model_name, f"C{len(colors)}")
        axis.plot(
            np.arange(1, len(norms) + 1),
            norms,
            "--" if "untrained" in name else "-",
            color=colors[model_name],
            label=name,
        )
    axis.set_yscale("log")
    axis.set(xlabel="time step t of the input", ylabel="mean ‖∂L/∂x_t‖ (log scale)", title=title)
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    figure.tight_layout()
    return figure


# ---- chapter 3.3: Transformer, ViT, character model ---------------------------


def plot_attention_weights(weights, titles, tokens=None, suptitle=""):
    """Attention matrices side by side (rows: queries, columns: keys), one panel per matrix."""
    weights = np.asarray(weights)
    figure, axes = plt.subplots(
        1,
        len(weights),
        figsize=(2.4 * len(weights) + 1.2, 3.0),
        squeeze=False,
        sharey=True,
        layout="constrained",
    )
    for axis, matrix, title in zip(axes[0], weights, titles):
        image = axis.imshow(matrix, cmap="viridis", vmin=0, vmax=1)
        axis.set(title=title, xlabel="key position")
        axis.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        axis.yaxis.set_major_locator(plt.MaxNLocator(integer=True))
        if tokens is not None:
            axis.set_xticks(range(len(tokens)), tokens)
            axis.set_yticks(range(len(tokens)), tokens)
    axes[0, 0].set_ylabel("query position")
    figure.colorbar(image, ax=axes[0].tolist(), label="attention weight", shrink=0.85)
    figure.suptitle(suptitle)
    return figure


def plot_positional_encoding(encoding, dimensions=(8, 9, 24, 40)):
    """Heatmap of a positional encoding (positions x dimensions) and a few of its columns as curves."""
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1.3, 1]}
    )
    image = left.imshow(encoding, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
    left.set(
        xlabel="dimension i of the encoding",
        ylabel="position in the sequence",
        title=f"Sinusoidal positional encoding ({encoding.shape[0]} x {encoding.shape[1]})",
    )
    figure.colorbar(image, ax=left, label="value")
    for i in dimensions:
        right.plot(encoding[:, i], label=f"i = {i} ({'sin' if i % 2 == 0 else 'cos'})")
    right.set(
        xlabel="position in the sequence", ylabel="value", title="Some columns: slower with i"
    )
    right.legend(fontsize=8, loc="lower left")
    figure.tight_layout()
    return figure


def plot_patches(image, patches, patch_size):
    """A digit cut by a grid into numbered patches, and the sequence (patches x pixels) a ViT reads."""
    image = np.squeeze(image)
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(8, 3.6), gridspec_kw={"width_ratios": [1, 1.4]}
    )
    left.imshow(image, cmap="gray_r")
    columns = image.shape[1] // patch_size
    for edge in range(patch_size, image.shape[0], patch_size):
        left.axhline(edge - 0.5, color="tab:red", linewidth=1)
        left.axvline(edge - 0.5, color="tab:red", linewidth=1)
    for index in range(len(patches)):
        row, column = divmod(index, columns)
        left.text(
            column * patch_size,
            row * patch_size + 1.2,
            str(index),
            color="tab:blue",
            fontsize=7,
            bbox={"facecolor": "white", "alpha": 0.7, "pad": 0.5, "linewidth": 0},
        )
    left.set(
        xticks=[], yticks=[], title=f"{len(patches)} patches of {patch_size}x{patch_size} pixels"
    )
    right.imshow(patches, cmap="gray_r", aspect="auto", interpolation="nearest")
    right.set(
        xlabel="pixel within the patch (row by row)",
        ylabel="token = patch index",
        title=f"The sequence: {patches.shape[0]} tokens x {patches.shape[1]} numbers",
    )
    figure.tight_layout()
    return figure


def plot_vit_attention(images, grids, titles, column_titles):
    """Digits (first column) and where the class token looks (later columns, one per map).

    ``grids``: ``(digits, maps, rows, cols)`` class-token attention; each map is drawn over the
    whole digit (scaled to its own maximum), with the digit's outline in cyan.
    """
    grids = np.asarray(grids)
    count, maps = grids.shape[:2]
    figure, axes = plt.subplots(
        count, maps + 1, figsize=(1.5 * (maps + 1), 1.55 * count), squeeze=False
    )
    for row, (image, grid, title) in enumerate(zip(images, grids, titles)):
        image = np.squeeze(image)
        axes[row, 0].imshow(image, cmap="gray_r")
        axes[row, 0].set_ylabel(title, fontsize=9)
        extent = (-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5)
        for column, heat in enumerate(grid, start=1):
            axes[row, column].imshow(
                heat / heat.max(),
                cmap="magma",
                vmin=0,
                vmax=1,
                extent=extent,
                interpolation="nearest",
            )
            axes[row, column].contour(image, levels=[0.5], colors="cyan", linewidths=0.8)
    for column, name in enumerate(["digit", *column_titles]):
        axes[0, column].set_title(name, fontsize=8)
    for axis in axes.ravel():
        axis.set(xticks=[], yticks=[])
    figure.tight_layout()
    return figure


def plot_comparison(table, columns, labels):
    """One horizontal bar panel per column of ``table`` (rows: architectures), two panels per row."""
    rows = int(np.ceil(len(columns) / 2))
    figure, axes = plt.subplots(
        rows, 2, figsize=(9, rows * (0.5 * len(table) + 1.2)), squeeze=False, layout="constrained"
    )
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for axis in axes.ravel()[len(columns) :]:
        axis.axis("off")
    for axis, column, label in zip(axes.ravel(), columns, labels):
        values = np.asarray(table[column], dtype=float)
        axis.barh(range(len(values)), values, color=colors[: len(values)])
        for index, value in enumerate(values):
            axis.text(value, index, f" {value:.3g}", va="center", fontsize=9)
        top = 112 if "%" in label else values.max() * 1.3  # percentages: the whole 0-100 scale
        axis.set(xlabel=label, xlim=(0, top))
        axis.set_yticks(range(len(table)), list(table.index))
        axis.invert_yaxis()
        axis.grid(axis="x", alpha=0.3)
    return figure


def plot_lm_curves(steps, train_loss, validation_loss, baselines, title="Character model"):
    """Cross-entropy (nats/char) against training steps, with baselines as horizontal lines."""
    figure, axis = plt.subplots(figsize=(8, 3.6))
    axis.plot(steps, train_loss, "o-", label="Transformer, training (mean over the interval)")
    axis.plot(steps, validation_loss, "s-", label="Transformer, validation")
    for (name, value), style in zip(baselines.items(), ("--", ":", "-.")):
        axis.axhline(value, color="gray", linestyle=style, label=f"{name}: {value:.2f}")
    axis.set(xlabel="training step", ylabel="cross-entropy (nats per character)", title=title)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    return figure


# ---- chapters 1 and 2: size and scaling ---------------------------------------


def plot_model_sizes(landmarks, book_models, book_year):
    """Parameters of landmark models against year (log scale), with the book's models at ``book_year``."""
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
    axis.set(
        xlabel="year of publication",
        ylabel="parameters (log scale)",
        title="How large is large? Parameter counts, 1998 to today",
        xlim=(min(years) - 2, book_year + 2),
        ylim=(min(params + [row["params"] for row in book_models]) / 3, None),
    )
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left")
    figure.tight_layout()
    return figure


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
    figure, axis = plt.subplots(figsize=(8, 3.6))
    params, loss = np.asarray(params, dtype=float), np.asarray(loss, dtype=float)
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
    axis.set(
        xlabel="parameters N (log scale)",
        ylabel="test cross-entropy loss (log scale)",
        title="Test loss against model size",
    )
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    figure.tight_layout()
    return figure


def plot_saliency(images, maps, names):
    """A row of digits, then one row of saliency maps per model (``maps[i]`` for ``names[i]``)."""
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


# ---- chapter 5: efficient, distributed, distillation ---------------------------


# chapter 5.1 (efficient) and 5.3 (distillation) begin
def plot_accuracy_vs_latency(rows, title="Test accuracy against latency"):
    """One marker per model row (``model``, ``latency_ms``, ``accuracy``, ``bytes``); area ~ bytes on disk."""
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


def plot_soft_targets(image, probabilities_by_T, label):
    """The digit, then the teacher's softened distribution over the 10 classes at each temperature."""
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
    """One line per seed from the scratch to the distilled student's test accuracy; teacher dashed."""
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
    """Test accuracy of distilled students against T (mean, min-max over seeds), scratch band, teacher."""
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
    ax.set(xlabel="temperature T (log scale)", ylabel="test accuracy (%)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_per_digit_accuracy(per_digit, omitted, title=None):
    """Grouped bars: accuracy on each digit's test images for each model in ``per_digit`` (name -> array)."""
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


# chapter 5.1 (efficient) and 5.3 (distillation) end


# chapter 5.2 (distributed) begins
def plot_distributed_losses(results, title="Two workers train one model"):
    """Per-step loss of each worker's own shard (thin) and of the whole global batch (thick)."""
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
    ax.set(xlabel="training step", ylabel="cross-entropy loss", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_distributed_speedup(
    num_workers, speedups, title="Predicted speed-up of synchronous data parallelism"
):
    """Speed-up vs workers: one panel per link in ``speedups = {link: {model: curve}}``, ideal N dashed."""
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


# chapter 5.2 (distributed) ends
