"""Chapter 5.3 benchmarks: what distillation recovers on the 4,000 / 1,000 split, with its spread.

One teacher (>= 1M parameters), then the chapter's two experiments with its quick recipe: three
paired seeds of scratch vs distilled students (gain, share of the teacher-student gap recovered:
mean, min and max), and three students trained without any 3 (share of test 3s recognised;
target >= 75 % on average without correction), plus the cost of an offline distilled epoch.

The quick recipe and what it costs (processor seconds of the whole chapter, measured with
``benchmarks/profile_chapters.py --run ch05_3_distillation --jobs 1`` on a loaded 2-core machine,
one run each; the ratio is what counts): before, a teacher of 8 epochs in batches of 64 and every
student traced on its own for 25 epochs; after, a teacher of 4 epochs in batches of 128 (learning
rate 2e-3), the paired and temperature students 12 epochs, the omitted-digit students 20, all of
them through one traced step (:mod:`bigmodel_utils.distillation_runs`).
"""

TEACHER = {"epochs": 4, "batch_size": 128, "learning_rate": 2e-3}
RECIPE = {"alpha": 0.1, "T": 20.0, "epochs": 12}
OMITTED_EPOCHS = 20
CHAPTER_SECONDS = {"before": 152.0, "after": 67.0, "target": 55.0}  # processor seconds, quick


def run(*args):
    import numpy as np

    from bigmodel_utils import data, distillation, profile, training
    from bigmodel_utils import distillation_experiments as experiments

    profile.set_seed(0)
    mnist = data.load_mnist(train_size=4000, test_size=1000, verbose=False)
    train, validation = data.stratified_split(mnist.y_train, test_fraction=0.1, seed=0)
    x, y = mnist.x_train[train], mnist.y_train[train]
    teacher = distillation.build_teacher()
    distillation.train_teacher(teacher, x, y, **TEACHER)
    t, teacher_accuracy = (
        distillation.logits(teacher, x),
        training.accuracy(teacher, mnist.x_test, mnist.y_test),
    )
    paired = experiments.paired_seeds(x, y, t, mnist.x_test, mnist.y_test, seeds=3, **RECIPE)
    gain = experiments.paired_gain(
        paired["scratch"], paired["distilled"], test_size=len(mnist.y_test)
    )
    recovered = [
        100 * experiments.gap_recovered(teacher_accuracy, a, b)
        for a, b in zip(paired["scratch"], paired["distilled"])
    ]
    omitted = experiments.omitted_digit(
        x,
        y,
        t,
        mnist.x_train[validation],
        mnist.y_train[validation],
        mnist.x_test,
        mnist.y_test,
        seeds=3,
        **{**RECIPE, "epochs": OMITTED_EPOCHS},
    )
    digit = omitted["digit"]

    def row(name, value, unit, target=""):
        return {"benchmark": f"5.3 {name}", "value": float(value), "unit": unit, "target": target}

    return [
        row(
            "chapter, processor seconds before (quick, loaded machine)",
            CHAPTER_SECONDS["before"],
            "s",
        ),
        row(
            "chapter, processor seconds after (quick, loaded machine)",
            CHAPTER_SECONDS["after"],
            "s",
            f"<= {CHAPTER_SECONDS['target']:.0f}",
        ),
        row("teacher test accuracy", 100 * teacher_accuracy, "%"),
        row(
            "scratch student test accuracy (mean of 3 seeds)", 100 * np.mean(paired["scratch"]), "%"
        ),
        row(
            "distilled student test accuracy (mean of 3 seeds)",
            100 * np.mean(paired["distilled"]),
            "%",
        ),
        row("paired gain, mean", 100 * gain["mean"], "points"),
        row("paired gain, standard deviation", 100 * gain["std"], "points"),
        row(
            "paired gain, 95 % interval low (seeds and test-set error)", 100 * gain["low"], "points"
        ),
        row("paired gain, 95 % interval high", 100 * gain["high"], "points"),
        row("gap recovered, mean", np.mean(recovered), "%"),
        row("gap recovered, min", np.min(recovered), "%"),
        row("gap recovered, max", np.max(recovered), "%"),
        row(f"omitted digit {digit}: scratch student", 100 * omitted["scratch"][digit], "%"),
        row(
            f"omitted digit {digit}: distilled, no correction (mean of 3)",
            100 * np.mean([r["per_digit"][digit] for r in omitted["runs"]]),
            "%",
            ">= 75",
        ),
        row(
            f"omitted digit {digit}: distilled, no correction (min of 3)",
            100 * np.min([r["per_digit"][digit] for r in omitted["runs"]]),
            "%",
        ),
        row(
            f"omitted digit {digit}: distilled + validation bias (mean of 3)",
            100 * np.mean([r["per_digit_corrected"][digit] for r in omitted["runs"]]),
            "%",
        ),
        row(
            "offline distilled / scratch seconds per epoch",
            np.median(paired["seconds_distilled"]) / np.median(paired["seconds_scratch"]),
            "x",
            "<= 1.2",
        ),
    ]
