"""Chapter 2: the scaling sweep's tables -- the mean over seeds per size, and its headline numbers.

:func:`summarize` averages the runs of :func:`bigmodel_utils.sweep.run_sweep` over seeds, one row
per model size, with the 95 % interval of each size's test accuracy; :func:`headline_numbers`
picks from that table the numbers the chapter quotes and its verdicts compare.
"""

import numpy as np

from bigmodel_utils import checks, statistics


def summarize(runs, test_size=None):
    """Mean over seeds of every measured column, one row per model size (sorted by params).

    ``test_accuracy_std`` is the spread over seeds (NaN with one seed: one run measures no spread)
    and, from two seeds on, ``test_accuracy_low`` / ``test_accuracy_high`` bound the 95 % interval
    of the mean (:func:`bigmodel_utils.statistics.seed_interval`, with the test-set error of
    ``test_size`` images when given). ``gpu_peak_bytes`` is kept only when every run measured it.
    """
    if not hasattr(runs, "columns") or len(runs) == 0:
        raise ValueError(
            f"runs must be a non-empty table of runs (from run_sweep), got {type(runs).__name__}"
        )
    if test_size is not None:
        checks.positive_int(test_size, "test_size")
    runs = runs.copy()
    if "gpu_peak_bytes" in runs and runs["gpu_peak_bytes"].notna().all():
        runs["gpu_peak_bytes"] = runs["gpu_peak_bytes"].astype(float)
    else:
        runs = runs.drop(columns="gpu_peak_bytes", errors="ignore")
    keys = [key for key in ("width", "extra_layers", "label_noise") if key in runs]
    columns = [c for c in runs.columns if c != "seed"]
    grouped = runs.groupby(keys)
    summary = runs[columns].groupby(keys, as_index=False).mean()
    summary["test_accuracy_std"] = grouped["test_accuracy"].std(ddof=1).to_numpy()  # NaN for 1
    summary["seeds"] = grouped["seed"].count().to_numpy()
    intervals = [
        statistics.seed_interval(group.to_numpy(), test_size=test_size)
        if len(group) >= 2
        else {"low": np.nan, "high": np.nan}
        for _, group in grouped["test_accuracy"]
    ]
    summary["test_accuracy_low"] = [interval["low"] for interval in intervals]
    summary["test_accuracy_high"] = [interval["high"] for interval in intervals]
    return summary.sort_values("params").reset_index(drop=True)


def headline_numbers(summary):
    """The numbers the chapter's verdicts quote, from :func:`summarize`'s table (a flat dict).

    ``smallest`` / ``largest`` are the ends of the sweep, ``best`` the size with the highest
    mean test accuracy; ratios are largest over smallest.
    """
    if not hasattr(summary, "columns") or len(summary) == 0:
        raise ValueError(
            f"summary must be a non-empty table (from summarize), got {type(summary).__name__}"
        )
    smallest, largest = summary.iloc[0], summary.iloc[-1]
    best = summary.loc[summary["test_accuracy"].idxmax()]
    most_robust = summary.loc[summary["noise_accuracy"].idxmax()]
    numbers = {
        "sizes": len(summary),
        "params_smallest": int(smallest["params"]),
        "params_largest": int(largest["params"]),
        "params_best": int(best["params"]),
        "params_most_robust": int(most_robust["params"]),
        "best_is_largest": bool(best["params"] == largest["params"]),
    }
    for column in ("test_accuracy", "gap", "noise_accuracy", "occlusion_accuracy", "test_loss"):
        numbers[f"{column}_smallest"] = float(smallest[column])
        numbers[f"{column}_largest"] = float(largest[column])
    numbers.update(
        test_accuracy_best=float(best["test_accuracy"]),
        noise_accuracy_best=float(most_robust["noise_accuracy"]),
        gap_max=float(summary["gap"].max()),
        params_gap_max=int(summary.loc[summary["gap"].idxmax(), "params"]),
    )
    for column in (
        "params",
        "forward_flops",
        "train_seconds",
        "epoch_seconds",
        "memory_estimate_bytes",
    ):
        numbers[f"{column}_ratio"] = float(largest[column] / smallest[column])
    return numbers
