"""Bad-input table for sections 5.1, 5.2 and 5.4's runs (``precision``, ``multiworker``,
``recompute``, ``tensor_parallel``, ``tensor_parallel_ops``): each row replaces one argument of a
good call by a bad value and names the words the error must say."""

import os
import tempfile

import numpy as np
from badinput import Lazy, make_tests

POLICIES = ["float32", "mixed_float16"]
COMPARISON = {
    "policies": POLICIES,
    "seconds": {"float32": [2.0, 2.1, 1.9], "mixed_float16": [1.0, 1.1, 0.9]},
    "accuracy": {"float32": [0.90, 0.91, 0.92], "mixed_float16": [0.905, 0.91, 0.915]},
}
IMAGES = np.zeros((4, 28, 28, 1), np.float32)
OUTPUT_DIR = tempfile.TemporaryDirectory()  # a worker's folder: data.npz, removed at exit
np.savez(os.path.join(OUTPUT_DIR.name, "data.npz"), x=IMAGES, y=np.arange(4))
LABELS = np.array([0, 1, 2, 3])
WEIGHTS = {
    "W1": np.full((4, 8), 0.1, np.float32),
    "b1": np.zeros(8, np.float32),
    "W2": np.full((8, 4), 0.1, np.float32),
    "b2": np.zeros(4, np.float32),
}
X = np.ones((1, 2, 4), np.float32)
DENSE, VARIABLES = Lazy("square_dense"), Lazy("square_dense_variables")

TABLE = {
    # ---- precision (5.1) -------------------------------------------------------------------
    "precision.judge_precisions": (
        dict(comparison=COMPARISON, test_size=10_000),
        [
            ("comparison", [], TypeError, "comparison must be a dict"),
            ("comparison", {"policies": POLICIES}, ValueError, "comparison is missing"),
            ("test_size", 0, ValueError),
            ("test_size", 1.5, TypeError),
        ],
    ),
    "precision.check_precision_judgements": (
        dict(judgements=Lazy("precision_judgements")),
        [
            ("judgements", None, TypeError),
            ("judgements", {"mixed_float16": {"time": {}}}, ValueError, "accuracy"),
            ("judgements", {"mixed_float16": 0.5}, TypeError, "mixed_float16"),
        ],
    ),
    # ---- multiworker (5.2) -----------------------------------------------------------------
    "multiworker_worker.parse_args": (
        dict(argv=["--output-dir", OUTPUT_DIR.name]),
        [
            ("argv", "--steps 3", TypeError),
            ("argv", ["--steps", "3"], ValueError, "--output-dir"),
            ("argv", ["--output-dir", OUTPUT_DIR.name, "--steps", "0"], ValueError, "--steps"),
            ("argv", ["--output-dir", OUTPUT_DIR.name, "--steps", "x"], ValueError, "--steps"),
            ("argv", ["--output-dir", "/nonexistent"], ValueError, "data.npz"),
            ("argv", ["--output-dir", OUTPUT_DIR.name, "--seed", "-1"], ValueError, "--seed"),
        ],
    ),
    "multiworker_worker.main": (
        dict(argv=["--output-dir", OUTPUT_DIR.name]),
        [
            ("argv", [3], TypeError),
            (
                "argv",
                ["--output-dir", OUTPUT_DIR.name, "--learning-rate", "nan"],
                ValueError,
                "--learning-rate",
            ),  # fmt: skip
            (
                "argv",
                ["--output-dir", OUTPUT_DIR.name, "--optimizer", "rmsprop"],
                ValueError,
                "--optimizer",
            ),  # fmt: skip
        ],
    ),
    "multiworker.launch_workers": (
        dict(x=IMAGES, y=LABELS, num_workers=2, steps=2, global_batch_size=4),
        [
            ("num_workers", 0, ValueError),
            ("steps", 2.5, TypeError),
            ("global_batch_size", 3, ValueError, "divisible by num_workers"),
            ("y", LABELS[:3], ValueError, "x and y must have the same length"),
            ("optimizer", "rmsprop", ValueError, "optimizer must be 'sgd' or 'adam'"),
            ("learning_rate", 0.0, ValueError),
            ("timeout", -1.0, ValueError),
        ],
    ),
    "multiworker.make_tf_config": (
        dict(ports=[2222, 2223], index=1),
        [
            ("ports", [], ValueError, "ports must list one port per worker"),
            ("index", 2, ValueError, r"index must be in 0\.\.1"),
            ("index", -1, ValueError),
            ("index", True, TypeError),
        ],
    ),
    "multiworker.summarize_workers": (
        dict(
            results=[
                {
                    "weights": [np.zeros(2)],
                    "global_losses": [1.0, 0.5],
                    "step_seconds": [0.2, 0.1, 0.1],
                }
            ]
        ),  # fmt: skip
        [
            ("results", [], ValueError, "results must hold at least one"),
            ("results", None, ValueError),
            ("results", (), ValueError),
        ],
    ),
    # ---- recompute (5.4) -------------------------------------------------------------------
    "recompute.make_gradient_step": (
        dict(block=DENSE, variables=VARIABLES),
        [
            ("block", "dense", TypeError, "block must be callable"),
            ("variables", [1.0], TypeError, "variables must be a list of variables"),
            ("variables", None, TypeError),
            ("recompute", "yes", TypeError, "recompute must be True or False"),
        ],
    ),
    "recompute.saved_activation_bytes": (
        dict(block=DENSE, variables=VARIABLES, x=np.ones((2, 1, 3), np.float32)),
        [
            ("block", None, TypeError, "block must be callable"),
            ("variables", "W", TypeError, "variables"),
            ("recompute", 1, TypeError, "recompute"),
            ("x", 3.0, ValueError, "x must be an input batch"),
            ("x", np.zeros((0, 1, 3), np.float32), ValueError, "x must have at least 1 element"),
            ("x", np.full((2, 1, 3), np.nan, np.float32), ValueError, "x must be finite"),
            ("x", np.full((2, 1, 3), "a"), TypeError, "x must be a float array"),
            ("x", np.ones((1, 2, 1, 3), np.float32), ValueError, "x must have 3 dimensions"),
            ("x", np.ones((2, 3), np.float32), ValueError, "x must have 3 dimensions"),
        ],
    ),
    "recompute.time_gradient_steps": (
        dict(
            steps=Lazy("gradient_steps"),
            x=np.ones((2, 3), np.float32),
            upstream=np.ones((2, 3), np.float32),
            repeats=1,
            calls=1,
        ),  # fmt: skip
        [
            ("steps", {}, ValueError, "steps must be a non-empty dict"),
            ("steps", [], ValueError, "steps"),
            ("repeats", 0, ValueError, "repeats must be an int >= 1"),
            ("calls", True, ValueError, "calls"),
            ("x", np.full((2, 3), np.nan, np.float32), ValueError, "x must be finite"),
            ("upstream", np.ones((2, 4), np.float32), ValueError, "upstream must have the shape"),
            (
                "upstream",
                np.full((2, 3), np.nan, np.float32),
                ValueError,
                "upstream must be finite",
            ),
        ],
    ),
    # ---- tensor_parallel (5.4) -------------------------------------------------------------
    "tensor_parallel.make_split_step": (
        dict(strategy=Lazy("strategy"), weights=WEIGHTS),
        [
            ("strategy", "cpu", TypeError, "strategy must be a tf.distribute strategy"),
            ("weights", {"W1": WEIGHTS["W1"]}, TypeError, "weights must be a dict"),
            ("weights", None, TypeError, "weights"),
        ],
    ),
    "tensor_parallel.compare_split_with_unsplit": (
        dict(strategy=Lazy("strategy"), weights=WEIGHTS, x=X, upstream=X),
        [
            ("strategy", None, TypeError, "strategy"),
            ("weights", [], TypeError, "weights must be a dict"),
            ("x", [[1.0]], TypeError, "x must be an array"),
            ("upstream", np.ones((2, 4), np.float32), ValueError, "upstream must have rank 3"),
            ("upstream", np.ones((1, 3, 4), np.float32), ValueError, "x and upstream"),
        ],
    ),
}

# ---- chapter 5.4's communication log ---------------------------------------------------------
TABLE["tensor_parallel_ops.CommunicationLog"] = (
    dict(entries=[(0, "forward", 64), (0, "backward", 64)]),
    [
        ("entries", "abc", TypeError, "entries"),
        ("entries", 3, TypeError, "entries"),
        ("entries", [(0, "sideways", 64)], ValueError, "entries"),
        ("entries", [(0, "forward")], ValueError, "entries"),
        ("entries", [(-1, "forward", 64)], ValueError, "entries"),
    ],
)
HEAVY = (  # their good call starts worker processes or joins a cluster
    "multiworker.launch_workers",
    "multiworker_worker.main",
)

(test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works) = make_tests(
    TABLE, heavy=HEAVY
)
