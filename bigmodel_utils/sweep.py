"""Chapter 2: the scaling sweep. One family of CNNs trained alike and measured alike.

:func:`run_sweep` trains the family of :mod:`bigmodel_utils.scaling` at several widths and seeds
with the same data, optimiser and epochs, and records per run training and test accuracy,
accuracy under input noise and occlusion, training time, memory and where the saliency falls;
the widths named in ``noisy_widths`` are trained once more per seed on labels of which a share
was replaced at random. Each width is compiled once: its training step is traced once and reused
for every seed and for the noisy labels, each run starting from that seed's initial weights and
a fresh optimiser. One prediction pass over the training, test and damaged test images feeds
every accuracy and loss of a clean run; a run on noisy labels, whose test accuracy is all that
chapter 2's robustness verdict reads, is measured on the test images alone (its other measures
are NaN), which saves most of its prediction pass. :func:`summarize` averages the seeds,
:func:`headline_numbers` picks the numbers the chapter quotes (both in
:mod:`bigmodel_utils.sweep_summary`, read here too).
"""

import keras
import numpy as np

from bigmodel_utils import checks, profile, scaling, size, sweep_summary, training

# The sweep's tables, read here too by chapter 2 (defined in sweep_summary).
summarize, headline_numbers = sweep_summary.summarize, sweep_summary.headline_numbers

STEPS_PER_EXECUTION = 16  # one Python round trip per quick epoch (4,000 images in 16 batches)
BATCH_SIZE, LEARNING_RATE = 256, 2e-3  # larger batches, learning rate raised with them
PREDICT_BATCH = 1000  # images per prediction batch


def _compile_member(width, extra_layers=0, learning_rate=LEARNING_RATE):
    """One member of the family, compiled with Adam and its optimiser built.

    Returns ``(model, optimizer_start)``: the optimiser's variables as they are before any step,
    which :func:`_restart` puts back so that one traced training step serves every seed.
    """
    checks.positive_float(learning_rate, "learning_rate")
    model = scaling.build_scaled_cnn(width, extra_layers)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    model.optimizer.build(model.trainable_variables)
    return model, [variable.numpy() for variable in model.optimizer.variables]


def _restart(model, width, extra_layers, seed, optimizer_start):
    """Seed everything, give ``model`` the initial weights of ``seed`` and a fresh optimiser.

    The weights are those :func:`scaling.build_scaled_cnn` draws after ``profile.set_seed(seed)``,
    so a restarted model trains exactly as a newly built one would.
    """
    checks.non_negative_int(seed, "seed")
    profile.set_seed(seed)
    model.set_weights(scaling.build_scaled_cnn(width, extra_layers).get_weights())
    for variable, value in zip(model.optimizer.variables, optimizer_start, strict=True):
        variable.assign(value)


def test_images_only(images):
    """The test part of :func:`scaling.evaluation_images`' ``(x, parts)``, in the same form.

    Raises:
        TypeError: ``images`` is not such an ``(x, parts)`` pair with a ``"test"`` part.
    """
    if not (isinstance(images, tuple) and len(images) == 2 and "test" in dict(images[1] or {})):
        raise TypeError(
            "images must be the (x, parts) pair of scaling.evaluation_images, with a 'test' "
            f"part, got {type(images).__name__}"
        )
    x, parts = images
    part, labels = parts["test"]
    return x[part], {"test": (slice(0, len(labels)), labels)}


def _measure_run(model, images, saliency_x, saliency_y):
    """Every accuracy and loss of one trained run from one prediction pass, and its saliency.

    Measures the sets ``images`` holds: all four, or the test set alone (see
    :func:`test_images_only`; then every other measure, the saliency's included, is NaN).
    """
    x, parts = images
    probabilities = np.concatenate(
        [
            model.predict_on_batch(x[start : start + PREDICT_BATCH])
            for start in range(0, len(x), PREDICT_BATCH)
        ]
    )  # (len(x), classes): Keras's traced predict step, without predict's data pipeline
    missing = (float("nan"), float("nan"))
    scores = {
        name: scaling.loss_and_accuracy(probabilities[part], labels)
        for name, (part, labels) in parts.items()
    }
    (train_loss, train_accuracy), (test_loss, test_accuracy) = (
        scores.get("train", missing),
        scores["test"],
    )
    on_object = float("nan")
    if "train" in parts:
        saliency = scaling.saliency_maps(model, saliency_x, saliency_y)
        on_object = scaling.saliency_on_strokes(saliency, saliency_x, scaling.OBJECT_THRESHOLD)
    return {
        "train_loss": train_loss,
        "test_loss": test_loss,
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "gap": train_accuracy - test_accuracy,
        "noise_accuracy": scores.get("noise", missing)[1],
        "occlusion_accuracy": scores.get("occlusion", missing)[1],
        "saliency_on_object": on_object,
    }


def train_and_measure(
    dataset,
    width,
    seed,
    epochs,
    batch_size=BATCH_SIZE,
    extra_layers=0,
    noise_sigma=scaling.NOISE_SIGMA,
    occlusion_patch=10,
    label_noise=0.0,
    learning_rate=LEARNING_RATE,
    member=None,
    images=None,
):
    """Train one model of the family and measure it; return (row dict, model).

    The same data, optimiser (Adam), batch size, epochs and seed for every width. With
    ``label_noise`` a share of the training labels is replaced at random (by ``seed``) before
    training; accuracies are always measured against the true labels. ``member``, a compiled
    ``(model, optimizer_start)`` of this width, and ``images`` (from
    :func:`scaling.evaluation_images`, or :func:`test_images_only` of it to measure the test
    images alone) are reused when given, as :func:`run_sweep` does.
    ``train_seconds`` is ``epochs`` times the book's seconds per epoch (the median epoch after
    the first), so that the one-off tracing of a width's first run counts for no run.
    """
    scaling.check_dataset(dataset)
    checks.positive_float(width, "width")
    checks.non_negative_int(seed, "seed")
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.non_negative_int(extra_layers, "extra_layers")
    checks.probability(label_noise, "label_noise")
    if images is None:
        images = scaling.evaluation_images(dataset, noise_sigma, occlusion_patch)
    model, optimizer_start = member or _compile_member(width, extra_layers, learning_rate)
    _restart(model, width, extra_layers, seed, optimizer_start)
    y_fit = scaling.flip_labels(dataset.y_train, label_noise, seed) if label_noise else None
    scaling.gpu_peak_memory(reset=True)
    run = training.fit_and_time(
        model,
        dataset.x_train,
        dataset.y_train if y_fit is None else y_fit,
        epochs=epochs,
        batch_size=batch_size,
        compiled=True,
    )
    shown = slice(0, scaling.SALIENCY_IMAGES)
    row = {
        "width": width,
        "extra_layers": extra_layers,
        "label_noise": label_noise,
        "seed": seed,
        "params": model.count_params(),
        "forward_flops": size.forward_flops(model, warn=False).total.total,
        **_measure_run(model, images, dataset.x_test[shown], dataset.y_test[shown]),
        "train_seconds": epochs * run.seconds_per_epoch,
        "epoch_seconds": run.seconds_per_epoch,
        "memory_estimate_bytes": scaling.training_memory_estimate(model, batch_size),
        "gpu_peak_bytes": scaling.gpu_peak_memory(),
    }
    return row, model


def _check_sweep(widths, seeds, epochs, batch_size, extra_layers, label_noise, noisy_widths):
    [checks.positive_float(w, "widths[i]") for w in checks.non_empty(widths, "widths")]
    [checks.non_negative_int(s, "seeds[i]") for s in checks.non_empty(seeds, "seeds")]
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.non_negative_int(extra_layers, "extra_layers")
    checks.probability(label_noise, "label_noise")
    unknown = [w for w in noisy_widths if w not in tuple(widths)]
    if unknown:
        raise ValueError(f"noisy_widths must be among widths {tuple(widths)}, got {unknown}")
    if noisy_widths and not label_noise:
        raise ValueError("noisy_widths needs a label_noise share above 0")


def run_sweep(
    dataset,
    widths,
    seeds=(0,),
    epochs=5,
    batch_size=BATCH_SIZE,
    extra_layers=0,
    label_noise=0.0,
    noisy_widths=(),
    middle_seeds=None,
    verbose=True,
):
    """Train every width with every seed, and ``noisy_widths`` again on noisy labels.

    ``middle_seeds`` (default: all of ``seeds``) are the seeds of the widths between the first
    and the last: the chapter's verdicts compare the two ends, paired by seed, while the sizes
    between only draw the curve, for which fewer seeds do.

    Returns ``(runs, label_runs, models)``: the table of runs on clean labels, the table of runs
    trained with ``label_noise`` of the labels replaced (empty without ``noisy_widths``; measured
    on the test images alone, so only its test loss and accuracy are numbers, the rest NaN), and
    ``{width: model}`` holding each width's clean model of ``seeds[0]``.

    Raises:
        ValueError: ``widths`` or ``seeds`` empty, ``epochs`` < 1, ``noisy_widths`` not among
            ``widths`` or given without ``label_noise``.
    """
    scaling.check_dataset(dataset)
    noisy_widths = tuple(noisy_widths)
    _check_sweep(widths, seeds, epochs, batch_size, extra_layers, label_noise, noisy_widths)
    checks.boolean(verbose, "verbose")
    middle_seeds = tuple(seeds) if middle_seeds is None else tuple(middle_seeds)
    if not middle_seeds or middle_seeds[0] != seeds[0] or not set(middle_seeds) <= set(seeds):
        raise ValueError(
            f"middle_seeds must start with seeds[0] and be among seeds, got {middle_seeds}"
        )
    import pandas as pd

    images = scaling.evaluation_images(dataset)
    test_only = test_images_only(images)  # the noisy-label runs: their test accuracy alone
    rows, label_rows, models = [], [], {}
    for width in widths:
        member = _compile_member(width, extra_layers)
        ends = width in (widths[0], widths[-1])
        plan = [(seed, 0.0) for seed in (seeds if ends else middle_seeds)]
        plan += [(seed, label_noise) for seed in seeds if width in noisy_widths]
        kept = None
        for seed, noise in plan:
            row, model = train_and_measure(
                dataset, width, seed, epochs, batch_size, extra_layers, label_noise=noise,
                member=member, images=test_only if noise else images,
            )  # fmt: skip
            (label_rows if noise else rows).append(row)
            if seed == seeds[0] and not noise:
                kept = model.get_weights()
            if verbose:
                print(
                    f"width {width:<6g} seed {seed}{' noisy labels' if noise else ''}: "
                    f"{row['params']:>9,} params, test accuracy {row['test_accuracy']:.3f}"
                )
        member[0].set_weights(kept)  # the clean model of seeds[0], for the figures
        models[width] = member[0]
    return pd.DataFrame(rows), pd.DataFrame(label_rows), models
