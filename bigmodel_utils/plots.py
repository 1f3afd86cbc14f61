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
    counts = np.bincount(num_classes * np.asarray(y_true) + np.asarray(y_pred),
                         minlength=num_classes**2).reshape(num_classes, num_classes)
    figure, axis = plt.subplots(figsize=(4.6, 4))
    image = axis.imshow(np.log1p(counts), cmap="Blues")
    for (row, column), count in np.ndenumerate(counts):
        if count:
            color = "white" if row == column else "black"
            axis.text(column, row, count, ha="center", va="center", fontsize=7, color=color)
    axis.set(xlabel="predicted digit", ylabel="true digit", xticks=range(num_classes),
             yticks=range(num_classes), title="Confusion matrix (test set)")
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

# ---- chapter 3.3: Transformer, ViT, character model ---------------------------

# ---- chapters 1 and 2: size and scaling ---------------------------------------

# ---- chapter 5: efficient, distributed, distillation ---------------------------
