"""The book's figures for chapter 3.2, recurrent networks: learning curves, the adding problem
by sequence length and in training, and how far back the gradient reaches. Only chapters
import it.
"""

import matplotlib.pyplot as plt
import numpy as np

from bigmodel_utils import checks, figure_checks
from bigmodel_utils.plots import finish, log_finish


def plot_curves(curves, xlabel, ylabel, title):
    """One line per entry of ``curves = {label: values per epoch}`` (epochs 1, 2, ...)."""
    curves = figure_checks.curves(curves, "curves")
    for text, name in ((xlabel, "xlabel"), (ylabel, "ylabel"), (title, "title")):
        checks.string(text, name, empty=True)
    figure, axis = plt.subplots(figsize=(8, 3.5))
    for label, values in curves.items():
        axis.plot(np.arange(1, len(values) + 1), values, "o-", markersize=3, label=label)
    return finish(figure, axis, legend=dict(fontsize=8), xlabel=xlabel, ylabel=ylabel, title=title)


def plot_adding_mse(lengths, mse_by_model, references):
    """Test MSE of the adding problem by sequence length, a line per model, references dashed."""
    lengths = checks.array(lengths, "lengths", ndim=1, dtype_kind="int")
    mse_by_model = figure_checks.curves(mse_by_model, "mse_by_model", length=lengths.size)
    for label, level in checks.mapping(references, "references").items():
        checks.positive_float(level, f"references[{label!r}]")
    figure, axis = plt.subplots(figsize=(8, 3.5))
    for (name, mse), style in zip(mse_by_model.items(), ("o-", "s-", "^-")):
        axis.plot(lengths, mse, style, label=name)
    for (label, level), color in zip(references.items(), ("gray", "tab:brown")):
        axis.axhline(level, color=color, linestyle="--", linewidth=1, label=label)
    axis.set_xticks(lengths)
    title = "The adding problem: the same training budget at growing lengths"
    labels = dict(xlabel="sequence length T (steps)", ylabel="test MSE (log scale)")
    return log_finish(figure, axis, title=title, **labels)


def plot_adding_curves(curves, step, baseline):
    """Validation MSE in training, ``curves = {(model, T): values}``: colour = model, style = T."""
    curves = figure_checks.curves(curves, "curves")
    for key in curves:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"curves must be keyed by (model, T) pairs, got the key {key!r}")
    checks.positive_int(step, "step")
    checks.positive_float(baseline, "baseline")
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
    legend = dict(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=4)
    title = "Learning the adding problem: validation MSE during training"
    labels = dict(xlabel="training step", ylabel="validation MSE (log scale)", title=title)
    return log_finish(figure, axis, legend=legend, **labels)


def plot_gradient_norms(norms_by_model, title="How far back does the gradient reach?"):
    """||dL/dx_t|| against the time step t, log scale: a line per entry, 'untrained' dashed."""
    norms_by_model = figure_checks.curves(norms_by_model, "norms_by_model")
    checks.string(title, "title", empty=True)
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
    labels = dict(xlabel="time step t of the input", ylabel="mean ‖∂L/∂x_t‖ (log scale)")
    return log_finish(figure, axis, title=title, **labels)
