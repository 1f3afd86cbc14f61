"""Bad-input table for the training recipe (``training``), the CNN variants built from the
article's and the figures' shared finish: each row replaces one argument of a good call by a bad
value and names the words the error must say."""

import numpy as np
from badinput import NAN, Lazy, make_tests

IMAGES = np.zeros((4, 28, 28, 1), np.float32)
LABELS = np.array([0, 1, 2, 3])

TABLE = {
    "training.seconds_per_epoch": (
        dict(epoch_seconds=[2.0, 1.0, 1.5]),
        [
            ("epoch_seconds", [], ValueError),
            ("epoch_seconds", [1.0, -1.0], ValueError, "epoch_seconds must be >= 0"),
            ("epoch_seconds", "1.0", TypeError),
            ("epoch_seconds", [1.0, NAN], ValueError, "finite"),
        ],
    ),
    "training.TrainingRun": (
        dict(history={"loss": [1.0, 0.5]}, epoch_seconds=[2.0, 1.0], total_seconds=3.1),
        [
            ("history", [1.0], TypeError),
            ("epoch_seconds", [], ValueError),
            ("epoch_seconds", [1.0, -2.0], ValueError),
            ("total_seconds", -1.0, ValueError),
        ],
    ),
    "training.fit_and_time": (
        dict(model=Lazy("student"), x=IMAGES, y=LABELS, epochs=1),
        [
            ("epochs", 0, ValueError),
            ("epochs", True, TypeError),
            ("epochs", 1.5, TypeError),
            ("model", "a model", TypeError, "model must be a Keras Model"),
        ],
    ),
    "efficient.separable_layers": (
        dict(filters=8),
        [
            ("filters", 0, ValueError),
            ("kernel_size", True, TypeError),
            ("strides", -1, ValueError),
            ("padding", "full", ValueError),
        ],
    ),
    "plots.log_finish": (
        dict(figure=Lazy("figure")),
        [
            ("figure", None, TypeError),
            ("figure", "figure", TypeError),
            ("legend", "yes", TypeError),
        ],
    ),
    "plots.finish": (
        dict(figure=Lazy("figure")),
        [
            ("figure", None, TypeError),
            ("grid", "minor", ValueError),
            ("legend", "yes", TypeError),
        ],
    ),
}
HEAVY = ("training.fit_and_time",)  # its good call trains

(test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works) = make_tests(
    TABLE, heavy=HEAVY
)
