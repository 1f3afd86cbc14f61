"""Chapter 5.3 benchmarks: what distillation recovers on the 4,000 / 1,000 split, with its spread.

One teacher (>= 1M parameters), then the chapter's two experiments with its recipe: three paired
seeds of scratch vs distilled students (gain, share of the teacher-student gap recovered: mean,
min and max), and three students trained without any 3 (share of test 3s recognised; target
>= 75 % on average without correction), plus the cost of an offline distilled epoch.
"""


def run(*args):
    import numpy as np

    from bigmodel_utils import data, distillation, profile, training
    from bigmodel_utils import distillation_experiments as experiments

    profile.set_seed(0)
    mnist = data.load_mnist(train_size=4000, test_size=1000, verbose=False)
    train, validation = data.stratified_split(mnist.y_train, test_fraction=0.1, seed=0)
    x, y = mnist.x_train[train], mnist.y_train[train]
    teacher = distillation.build_teacher()
    distillation.train_teacher(teacher, x, y, epochs=8)
    t, teacher_accuracy = (
        distillation.logits(teacher, x),
        training.accuracy(teacher, mnist.x_test, mnist.y_test),
    )
    recipe = {"alpha": 0.1, "T": 20.0, "epochs": 25}
    paired = experiments.paired_seeds(x, y, t, mnist.x_test, mnist.y_test, seeds=3, **recipe)
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
        **recipe,
    )
    digit = omitted["digit"]

    def row(name, value, unit, target=""):
        return {"benchmark": f"5.3 {name}", "value": float(value), "unit": unit, "target": target}

    return [
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
