"""The book's figures for chapters 3.1 and 3.3 to 4: CNN, attention, the ViT, the character
model, the architectures side by side and the article's CNN (chapter 3.2's recurrent networks
draw with :mod:`plots_recurrent`). Only chapters import it.
"""

import matplotlib.pyplot as plt
import numpy as np

from bigmodel_utils import checks, figure_checks
from bigmodel_utils.plots import finish


def _image(value, name):
    """One grey image as a 2-D array: (rows, cols), or with axes of size 1 (e.g. (28, 28, 1))."""
    image = np.squeeze(checks.array(value, name, ndim=(2, 3, 4)))
    if image.ndim != 2:
        raise ValueError(f"{name} must be one grey image (rows, cols[, 1]), got {np.shape(value)}")
    return image


def _images(values, name):
    """A non-empty list (or array) of grey images, each as a 2-D array."""
    return [
        _image(value, f"{name}[{i}]") for i, value in enumerate(figure_checks.arrays(values, name))
    ]


# ---- chapter 3.1: convolutional networks (training curves: 3.1, 3.3, 4) ----------------------


def plot_history(history, metrics=("loss", "accuracy"), title=""):
    """Training curves from ``model.fit``: one panel per metric, train and validation."""
    logs = checks.mapping(getattr(history, "history", history), "history")
    metrics = figure_checks.strings(checks.non_empty(metrics, "metrics"), "metrics")
    checks.mapping(logs, "history", metrics)
    logs = figure_checks.curves(
        {k: logs[k] for k in logs if k.removeprefix("val_") in metrics}, "history"
    )
    checks.string(title, "title", empty=True)
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


def plot_image_row(images, titles, title="", cmap="gray_r"):
    """Images side by side (a digit and what a layer makes of it), each with its title and size."""
    images = _images(images, "images")
    figure_checks.strings(titles, "titles", length=len(images))
    checks.string(title, "title", empty=True)
    checks.string(cmap, "cmap")
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
    """The input digit, then the first ``channels`` feature maps of each layer of ``maps``."""
    image = _image(image, "image")
    checks.positive_int(channels, "channels")
    for name, activation in checks.non_empty(checks.mapping(maps, "maps"), "maps").items():
        if checks.array(activation, f"maps[{name!r}]", ndim=4).shape[-1] < channels:
            raise ValueError(f"maps[{name!r}] must have at least channels={channels} channels")
    figure, axes = plt.subplots(
        len(maps), channels + 1, figsize=(1.1 * (channels + 1), 1.25 * len(maps)), squeeze=False
    )
    axes[0, 0].imshow(image, cmap="gray_r")
    for row, (name, activation) in enumerate(maps.items()):
        for column in range(channels):
            axes[row, column + 1].imshow(activation[0, :, :, column], cmap="viridis")
        size = activation.shape[1:]
        axes[row, 1].set_ylabel(f"{name}\n{size[0]}×{size[1]}×{size[2]}", fontsize=8)
    for axis in axes.flat:
        axis.set(xticks=[], yticks=[])
    for axis in axes[1:, 0]:
        axis.axis("off")
    axes[0, 0].set_title("input", fontsize=8)
    for column in range(channels):
        axes[0, column + 1].set_title(f"map {column}", fontsize=8)
    title = f"Feature maps of the trained CNN (first {channels} channels of each conv layer)"
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


# ---- chapter 3.3: attention, positions, the tiny ViT -----------------------------------------


def plot_attention_weights(weights, titles, tokens=None, suptitle=""):
    """Attention matrices side by side (rows: queries, columns: keys), one panel per matrix."""
    weights = checks.array(weights, "weights", ndim=3)
    figure_checks.strings(titles, "titles", length=len(weights))
    if tokens is not None:
        figure_checks.strings(tokens, "tokens", length=weights.shape[2])
        checks.matching(weights.shape[1], "the queries of weights", len(tokens), "tokens")
    checks.string(suptitle, "suptitle", empty=True)
    count = len(weights)
    figure, axes = plt.subplots(
        1, count, figsize=(2.4 * count + 1.2, 3.0), squeeze=False, sharey=True, layout="constrained"
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
    """Heatmap of a positional encoding (positions x dimensions) and a few columns as curves."""
    encoding = checks.array(encoding, "encoding", ndim=2)
    for i in checks.int_tuple(dimensions, "dimensions", low=0):
        checks.integer(i, "dimensions[...]", high=encoding.shape[1] - 1)
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1.3, 1]}
    )
    image = left.imshow(encoding, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
    left.set(xlabel="dimension i of the encoding", ylabel="position in the sequence")
    left.set_title("Sinusoidal positional encoding ({} x {})".format(*encoding.shape))
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
    """One digit (rows, cols[, 1]; not a batch) in numbered patches, and the tokens a ViT reads."""
    if checks.array(image, "image", ndim=(2, 3)).shape[2:] not in ((), (1,)):
        raise ValueError(f"image must be one grey image (rows, cols[, 1]), got {np.shape(image)}")
    image = _image(image, "image")
    patches = checks.array(patches, "patches", ndim=2)
    checks.positive_int(patch_size, "patch_size")
    grid = (image.shape[0] // patch_size) * (image.shape[1] // patch_size)
    checks.matching(len(patches), "len(patches)", grid, f"the {patch_size}-pixel patches of image")
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(8, 3.6), gridspec_kw={"width_ratios": [1, 1.4]}
    )
    left.imshow(image, cmap="gray_r")
    columns = image.shape[1] // patch_size
    for edge in range(patch_size, image.shape[0], patch_size):
        left.axhline(edge - 0.5, color="tab:red", linewidth=1)
        left.axvline(edge - 0.5, color="tab:red", linewidth=1)
    box = {"facecolor": "white", "alpha": 0.7, "pad": 0.5, "linewidth": 0}
    for index in range(len(patches)):
        row, column = divmod(index, columns)  # the patch's place in the grid
        x, y = column * patch_size, row * patch_size + 1.2
        left.text(x, y, index, color="tab:blue", fontsize=7, bbox=box)
    left.set(
        xticks=[], yticks=[], title=f"{len(patches)} patches of {patch_size}x{patch_size} pixels"
    )
    right.imshow(patches, cmap="gray_r", aspect="auto", interpolation="nearest")
    right.set(xlabel="pixel within the patch (row by row)", ylabel="token = patch index")
    right.set_title("The sequence: {} tokens x {} numbers".format(*patches.shape))
    figure.tight_layout()
    return figure


def plot_vit_attention(images, grids, titles, column_titles):
    """Digits (first column) and where the class token looks (later columns, one per map).

    ``grids``: ``(digits, maps, rows, cols)`` class-token attention; each map is drawn over the
    whole digit (scaled to its own maximum), with the digit's outline in cyan.
    """
    grids = checks.array(grids, "grids", ndim=4)
    count, maps = grids.shape[:2]
    images = _images(images, "images")
    checks.matching(len(images), "len(images)", count, "len(grids)")
    figure_checks.strings(titles, "titles", length=count)
    figure_checks.strings(column_titles, "column_titles", length=maps)
    figure, axes = plt.subplots(
        count, maps + 1, figsize=(1.5 * (maps + 1), 1.55 * count), squeeze=False
    )
    for row, (image, grid, title) in enumerate(zip(images, grids, titles)):
        image = np.squeeze(image)
        axes[row, 0].imshow(image, cmap="gray_r")
        axes[row, 0].set_ylabel(title, fontsize=9)
        extent = (-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5)
        for column, heat in enumerate(grid, start=1):
            scaled = dict(vmin=0, vmax=1, extent=extent, interpolation="nearest")
            axes[row, column].imshow(heat / heat.max(), cmap="magma", **scaled)
            axes[row, column].contour(image, levels=[0.5], colors="cyan", linewidths=0.8)
    for column, name in enumerate(["digit", *column_titles]):
        axes[0, column].set_title(name, fontsize=8)
    for axis in axes.ravel():
        axis.set(xticks=[], yticks=[])
    figure.tight_layout()
    return figure


# ---- chapter 3.4: the character model --------------------------------------------------------


def plot_lm_curves(steps, train_loss, validation_loss, baselines, title="Character model"):
    """Cross-entropy (nats/char) against training steps, with baselines as horizontal lines."""
    steps = checks.array(steps, "steps", ndim=1)
    for values, name in ((train_loss, "train_loss"), (validation_loss, "validation_loss")):
        checks.shape(checks.array(values, name, ndim=1), name, steps.shape)
    for label, value in checks.mapping(baselines, "baselines").items():
        checks.finite_float(value, f"baselines[{label!r}]")
    checks.string(title, "title", empty=True)
    figure, axis = plt.subplots(figsize=(8, 3.6))
    axis.plot(steps, train_loss, "o-", label="Transformer, training (mean over the interval)")
    axis.plot(steps, validation_loss, "s-", label="Transformer, validation")
    for (name, value), style in zip(baselines.items(), ("--", ":", "-.")):
        axis.axhline(value, color="gray", linestyle=style, label=f"{name}: {value:.2f}")
    labels = dict(xlabel="training step", ylabel="cross-entropy (nats per character)", title=title)
    return finish(figure, axis, legend=dict(fontsize=8), **labels)


# ---- chapter 3.5: the architectures side by side ---------------------------------------------


def plot_comparison(table, columns, labels):
    """A horizontal bar panel per column of ``table`` (rows: architectures), two panels a row."""
    columns = figure_checks.strings(checks.non_empty(columns, "columns"), "columns")
    figure_checks.columns(table, "table", columns)
    figure_checks.strings(labels, "labels", length=len(columns))
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


# ---- chapter 4: the article's CNN, run as written --------------------------------------------


def plot_confusion_matrix(y_true, y_pred, num_classes=10):
    """Counts of (true digit, predicted digit); the diagonal holds the correct answers."""
    checks.positive_int(num_classes, "num_classes")
    y_true = checks.labels(y_true, "y_true", num_classes)
    y_pred = checks.labels(y_pred, "y_pred", num_classes)
    checks.same_shape(y_true, "y_true", y_pred, "y_pred")
    counts = np.bincount(num_classes * y_true + y_pred, minlength=num_classes**2).reshape(
        num_classes, num_classes
    )  # (true, predicted)
    figure, axis = plt.subplots(figsize=(4.6, 4))
    image = axis.imshow(np.log1p(counts), cmap="Blues")
    for (row, column), count in np.ndenumerate(counts):
        if count:
            color = "white" if row == column else "black"
            axis.text(column, row, count, ha="center", va="center", fontsize=7, color=color)
    axis.set(xlabel="predicted digit", ylabel="true digit", title="Confusion matrix (test set)")
    axis.set(xticks=range(num_classes), yticks=range(num_classes))
    figure.colorbar(image, ax=axis, label="log(1 + count)")
    figure.tight_layout()
    return figure


def plot_digits(images, titles, columns=8):
    """A row (or grid) of 28x28 digits, each with a short title."""
    images = _images(images, "images")
    figure_checks.strings(titles, "titles", length=len(images))
    checks.positive_int(columns, "columns")
    rows = int(np.ceil(len(images) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.6 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, image, title in zip(axes.flat, images, titles):
        axis.imshow(np.squeeze(image), cmap="gray_r")
        axis.set_title(title, fontsize=8)
    figure.tight_layout()
    return figure
