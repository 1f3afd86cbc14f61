"""Chapter 2: one family of CNNs scaled in width, trained alike and measured alike.

The article claims that larger models perform, generalise and resist poor-quality data better,
at a cost in compute, time and interpretability. This module turns each claim into a number per
run: :func:`run_sweep` trains the article's CNN at several widths and seeds with the same data,
optimiser and epochs, and records training and test accuracy, accuracy under input noise and
occlusion, training time, memory and where the saliency falls; with ``label_noise`` it trains on
labels of which a share was replaced at random. :func:`fit_power_law` fits L(N) = a·N^(−α) + c to
the test loss; :func:`saliency_maps` shows what a model looks at.
"""

import keras
import numpy as np

from bigmodel_utils import checks, cnn, profile, size, statistics, training

ADAM_STATE_COPIES = 4  # weights, gradients and Adam's two moments, all float32
STEPS_PER_EXECUTION = 8  # fewer Python round trips: small models are otherwise all overhead
BATCH_SIZE, LEARNING_RATE = 256, 2e-3  # larger batches, learning rate raised with them
SALIENCY_IMAGES = 300  # test images whose saliency every run measures
NOISE_SIGMA = 0.5  # Gaussian pixel noise of the noisy test images (pixels in [0, 1])
OBJECT_THRESHOLD = 0.1  # a pixel brighter than this belongs to the object (digit or garment)


def scaled_channels(width):
    """Channels of the three convolutions and units of the hidden dense layer at ``width``.

    Raises:
        TypeError: if ``width`` is not a number.
        ValueError: if ``width`` is not positive.
    """
    width = checks.positive_float(width, "width")
    return tuple(max(1, round(c * width)) for c in cnn.ARTICLE_CHANNELS)


def build_scaled_cnn(width=1.0, extra_layers=0, input_shape=(28, 28, 1), num_classes=10):
    """The article's CNN (section 4) with every layer ``width`` times as wide, uncompiled.

    :func:`bigmodel_utils.cnn.build_article_cnn` with :func:`scaled_channels`: ``width=1`` is
    the article's model (93,322 parameters); ``extra_layers`` adds that many 3x3 'same'
    convolutions before Flatten (deeper, same output size).

    Raises:
        TypeError, ValueError: bad ``width`` (see :func:`scaled_channels`) or ``extra_layers``.
    """
    return cnn.build_article_cnn(
        input_shape,
        num_classes,
        channels=scaled_channels(width),
        extra_layers=extra_layers,
        name=f"cnn_w{width:g}_d{extra_layers}",
    )


def add_noise(x, sigma, seed=0):
    """Images with Gaussian pixel noise of standard deviation ``sigma``, clipped to [0, 1]."""
    x = checks.array(x, "x")
    checks.non_negative_float(sigma, "sigma")
    checks.non_negative_int(seed, "seed")
    noise = np.random.default_rng(seed).normal(0.0, sigma, size=x.shape).astype(x.dtype)
    return np.clip(x + noise, 0.0, 1.0)


def occlude(x, patch, seed=0):
    """Images with one black ``patch`` x ``patch`` square at a random place in each.

    Raises:
        ValueError: if ``patch`` does not fit in the image.
    """
    x = checks.array(x, "x", 4)
    checks.positive_int(patch, "patch")
    checks.non_negative_int(seed, "seed")
    height, width = x.shape[1:3]
    if not 0 < patch <= min(height, width):
        raise ValueError(f"patch must be in 1..{min(height, width)}, got {patch}")
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, height - patch + 1, len(x))
    cols = rng.integers(0, width - patch + 1, len(x))
    covered = x.copy()
    for image, row, col in zip(covered, rows, cols):
        image[row : row + patch, col : col + patch] = 0.0
    return covered


def flip_labels(y, share, seed=0, num_classes=10):
    """Labels of which ``share`` (chosen at random) are replaced by a different random class.

    Poor-quality training data of the plainest kind: the images stay real, a share of their labels
    is wrong. Chapter 2 (robustness). Returns a new int64 array; ``y`` is not changed.

    Raises:
        ValueError: ``share`` outside [0, 1] or a label outside 0..num_classes-1.
    """
    share = checks.probability(share, "share")
    y = checks.labels(y, "y", num_classes)
    rng = np.random.default_rng(seed)
    flipped = y.astype(np.int64, copy=True)
    chosen = rng.choice(len(y), size=int(round(share * len(y))), replace=False)
    offsets = rng.integers(1, num_classes, size=len(chosen))  # never the same class again
    flipped[chosen] = (flipped[chosen] + offsets) % num_classes
    return flipped


def training_memory_estimate(model, batch_size):
    """Bytes a float32 Adam step needs by count: 4 copies of the weights (weights, gradients,
    two moments) plus every layer's output for one batch (kept for the backward pass)."""
    checks.keras_model(model, "model")
    checks.positive_int(batch_size, "batch_size")
    report = size.forward_flops(model, warn=False)
    activations = sum(
        int(np.prod(row["output_shape"])) for row in report.rows if row["output_shape"]
    )
    inputs = int(np.prod(model.inputs[0].shape[1:]))
    weights = size.count_parameters(model)["total"]
    return 4 * (ADAM_STATE_COPIES * weights + batch_size * (activations + inputs))


def gpu_peak_memory(reset=False):
    """Peak bytes TensorFlow allocated on the first GPU since the last reset (None on CPU)."""
    checks.boolean(reset, "reset")
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        return None
    if reset:
        tf.config.experimental.reset_memory_stats("GPU:0")
        return 0
    return tf.config.experimental.get_memory_info("GPU:0")["peak"]


def train_and_measure(
    dataset,
    width,
    seed,
    epochs,
    batch_size=BATCH_SIZE,
    extra_layers=0,
    noise_sigma=NOISE_SIGMA,
    occlusion_patch=10,
    label_noise=0.0,
    learning_rate=LEARNING_RATE,
):
    """Train one model of the family and measure it; return (row dict, model).

    The same data, optimiser (Adam), batch size, epochs and seed for every width; the damaged test
    sets are fixed by seed 0, so every model sees the same ones. With ``label_noise`` a share of
    the training labels is replaced at random (by ``seed``) before training; accuracies are always
    measured against the true labels.
    """
    for half in ("x_train", "y_train", "x_test", "y_test"):
        if not hasattr(dataset, half):
            kind = type(dataset).__name__
            raise TypeError(f"dataset must be a data split (MNIST or FashionMNIST), got {kind}")
    checks.positive_float(width, "width")
    checks.non_negative_int(seed, "seed")
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.non_negative_int(extra_layers, "extra_layers")
    checks.non_negative_float(noise_sigma, "noise_sigma")
    checks.positive_int(occlusion_patch, "occlusion_patch")
    checks.probability(label_noise, "label_noise")
    checks.positive_float(learning_rate, "learning_rate")
    profile.set_seed(seed)
    model = build_scaled_cnn(width, extra_layers)
    y_fit = flip_labels(dataset.y_train, label_noise, seed) if label_noise else dataset.y_train
    gpu_peak_memory(reset=True)
    run = training.fit_and_time(
        model,
        dataset.x_train,
        y_fit,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=keras.optimizers.Adam(learning_rate),
        steps_per_execution=STEPS_PER_EXECUTION,
    )

    def evaluate(x, y):
        scores = model.evaluate(x, y, batch_size=1000, verbose=0, return_dict=True)
        return scores["loss"], scores["accuracy"]

    train_loss, train_accuracy = evaluate(dataset.x_train, dataset.y_train)
    test_loss, test_accuracy = evaluate(dataset.x_test, dataset.y_test)
    shown = slice(0, SALIENCY_IMAGES)
    saliency = saliency_maps(model, dataset.x_test[shown], dataset.y_test[shown])
    row = {
        "width": width,
        "extra_layers": extra_layers,
        "label_noise": label_noise,
        "seed": seed,
        "params": model.count_params(),
        "forward_flops": size.forward_flops(model, warn=False).total.total,
        "train_loss": train_loss,
        "test_loss": test_loss,
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "gap": train_accuracy - test_accuracy,
        "noise_accuracy": evaluate(add_noise(dataset.x_test, noise_sigma), dataset.y_test)[1],
        "occlusion_accuracy": evaluate(occlude(dataset.x_test, occlusion_patch), dataset.y_test)[1],
        "saliency_on_object": saliency_on_strokes(
            saliency, dataset.x_test[shown], OBJECT_THRESHOLD
        ),
        "train_seconds": run.total_seconds,
        "epoch_seconds": run.seconds_per_epoch,
        "memory_estimate_bytes": training_memory_estimate(model, batch_size),
        "gpu_peak_bytes": gpu_peak_memory(),
    }
    return row, model


def run_sweep(
    dataset,
    widths,
    seeds=(0,),
    epochs=5,
    batch_size=BATCH_SIZE,
    extra_layers=0,
    label_noise=0.0,
    verbose=True,
):
    """Train every width with every seed; return (table of runs, {width: model of seeds[0]}).

    Raises:
        ValueError: if ``widths`` or ``seeds`` is empty or ``epochs`` < 1.
    """
    [checks.positive_float(w, "widths[i]") for w in checks.non_empty(widths, "widths")]
    [checks.non_negative_int(s, "seeds[i]") for s in checks.non_empty(seeds, "seeds")]
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.non_negative_int(extra_layers, "extra_layers")
    checks.probability(label_noise, "label_noise")
    checks.boolean(verbose, "verbose")
    import pandas as pd

    if not len(widths) or not len(seeds):
        raise ValueError("widths and seeds must each hold at least one value")
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    rows, models = [], {}
    for width in widths:
        for seed in seeds:
            row, model = train_and_measure(
                dataset, width, seed, epochs, batch_size, extra_layers, label_noise=label_noise
            )
            rows.append(row)
            if seed == seeds[0]:
                models[width] = model
            if verbose:
                print(
                    f"width {width:<6g} seed {seed}: {row['params']:>9,} params, "
                    f"test accuracy {row['test_accuracy']:.3f}, {row['train_seconds']:.1f} s"
                )
    return pd.DataFrame(rows), models


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


def power_law(N, a, alpha, c):
    """L(N) = a·N^(−α) + c: the scaling law of Kaplan et al. (2020), chapter 2."""
    N = checks.array(N, "N")
    if np.any(N <= 0):
        raise ValueError("N must be positive")
    a, alpha, c = (
        checks.finite_float(v, name) for v, name in ((a, "a"), (alpha, "alpha"), (c, "c"))
    )
    return a * np.power(N, -alpha) + c


def fit_power_law(N, loss):
    """Fit L(N) = a·N^(−α) + c with a ≥ 0, 0 ≤ α ≤ 3, 0 ≤ c ≤ min(loss), relative residuals.

    Returns:
        dict with ``a``, ``alpha``, ``c``, ``rmse`` (root mean square residual) and, from
        4 points on, ``alpha_low`` / ``alpha_high``: the range of α when one point is left out.

    Raises:
        ValueError: fewer than 3 points, mismatched lengths, or non-positive N.
    """
    checks.array(N, "N", 1)
    checks.array(loss, "loss", 1)
    from scipy.optimize import curve_fit

    N, loss = np.asarray(N, dtype=float), np.asarray(loss, dtype=float)
    if N.shape != loss.shape or N.ndim != 1 or N.size < 3:
        raise ValueError("N and loss must be 1-D with the same length, at least 3 points")
    if np.any(N <= 0) or not np.all(np.isfinite(loss)) or np.any(loss <= 0):
        raise ValueError("N and loss must be positive and finite")

    def fit(N, loss):
        scale = N.min()  # fit on N / N_min so that a starts near the loss range
        p0 = (max(loss.max() - loss.min(), 1e-3), 0.5, 0.5 * loss.min())
        (a, alpha, c), _ = curve_fit(
            power_law,
            N / scale,
            loss,
            p0=p0,
            sigma=loss,
            maxfev=20000,
            bounds=([0.0, 0.0, 0.0], [np.inf, 3.0, loss.min()]),
        )
        return a * scale**alpha, alpha, c

    a, alpha, c = fit(N, loss)
    result = {
        "a": float(a),
        "alpha": float(alpha),
        "c": float(c),
        "rmse": float(np.sqrt(np.mean((power_law(N, a, alpha, c) - loss) ** 2))),
    }
    if N.size >= 4:
        alphas = [fit(np.delete(N, i), np.delete(loss, i))[1] for i in range(N.size)]
        result.update(alpha_low=float(min(alphas)), alpha_high=float(max(alphas)))
    return result


def saliency_maps(model, images, labels):
    """|∂ s_y / ∂ x| per pixel, s_y the class score before the softmax (Simonyan et al., 2014).

    Needs a model whose last layer is a Dense softmax layer (as in the family above).
    Returns an array (n, height, width).
    """
    checks.keras_model(model, "model")
    images = checks.array(images, "images", 4)
    checks.matching(len(checks.labels(labels, "labels")), "len(labels)", len(images), "len(images)")
    import tensorflow as tf

    head = model.layers[-1]
    body = keras.Model(model.inputs, model.layers[-2].output)
    x = tf.convert_to_tensor(images, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = tf.matmul(body(x), head.kernel) + head.bias  # (n, classes), before softmax
        chosen = tf.gather(scores, np.asarray(labels), batch_dims=1)  # (n,)
    gradient = tape.gradient(chosen, x).numpy()
    return np.abs(gradient).max(axis=-1)  # (n, height, width)


def saliency_on_strokes(saliency, images, threshold=0.3):
    """Share of the saliency that falls on the object's own pixels (brighter than ``threshold``).

    For digits, their strokes; for Fashion-MNIST (``threshold=OBJECT_THRESHOLD``), the garment.
    """
    saliency, images = checks.array(saliency, "saliency", 3), checks.array(images, "images", 4)
    checks.shape(saliency, "saliency", images.shape[:3])
    checks.finite_float(threshold, "threshold")
    strokes = images[..., 0] > threshold  # (n, height, width)
    return float((saliency * strokes).sum() / saliency.sum())


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
