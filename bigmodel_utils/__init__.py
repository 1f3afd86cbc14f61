"""bigmodel_utils: the tested helper package of the book *Large Models, Hands-On*.

One module per idea, data flowing one way: ``data`` (and ``fashion_mnist`` for chapter 2),
``profile``, ``cache``, ``checks`` (with ``figure_checks`` and ``tensor_checks``) feed every
chapter; ``training`` is the one recipe that compiles, fits and times a model; ``cnn_equations``,
``cnn``, ``rnn``, ``transformer``, ``transformer_layers``, ``vit`` and ``language_model`` turn the
equations of the article's section 3 into code; ``flops``, ``tracing``, ``size``, ``scaling``,
``sweep``, ``sweep_summary``, ``intervals``, ``statistics``, ``verdicts`` and ``comparison``
measure models and judge the article's claims; ``efficient`` and ``deployment`` (5.1),
``distributed``, ``distributed_loop``, ``multiworker`` and ``allreduce_cost`` (5.2),
``distillation``, ``distillation_models``, ``distillation_runs`` and ``distillation_experiments``
(5.3) and ``memory``, ``tensor_parallel``, ``tensor_parallel_ops``, ``recompute`` and
``pipeline`` (5.4) build and measure the remedies of section 5; ``plots``,
``plots_architectures``, ``plots_recurrent`` and ``plots_remedies`` draw, in chapter order, each
checking its data first. Import the modules you need, e.g.
``from bigmodel_utils import data, cnn``.
"""

import importlib.util
import os

# The book runs Keras 3 on TensorFlow; set it before Keras is first imported.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.3.4"
# Where the book lives and which commit of it holds this package: every chapter's install cell
# installs exactly ``INSTALL_REQUIREMENT`` (a test checks it), so a chapter installs the package
# it was built with. The pin is a commit, which travels with the history (a tag must be pushed
# on its own, and a missing tag breaks every install cell); a test checks that the package at
# that commit is this one. After changing the package: commit, then
# ``python ci/set_install_cells.py --release HEAD`` and commit again.
REPOSITORY = "https://github.com/large-models-hands-on/large-models-hands-on"
RELEASE = "ff376ffbb7f5f7e69b387c5653af102a70311230"
INSTALL_REQUIREMENT = f"bigmodel_utils @ git+{REPOSITORY}@{RELEASE}"


def on_tpu_runtime(environ=None, dev="/dev"):
    """True on a TPU machine (a Colab TPU runtime or a Cloud TPU VM), seen without TensorFlow."""
    environ = os.environ if environ is None else environ
    if any(environ.get(name) for name in ("COLAB_TPU_ADDR", "TPU_NAME", "TPU_ACCELERATOR_TYPE")):
        return True
    return os.path.isdir(dev) and any(name.startswith("accel") for name in os.listdir(dev))


class TensorFlowMissing(ImportError):
    """TensorFlow is not installed; shown in a notebook as its message alone, no traceback."""

    def _render_traceback_(self):  # IPython prints these lines instead of a traceback
        return [str(self)]


def tensorflow_missing_message(tpu):
    """What to do when TensorFlow is absent (chapter 5.2 explains the TPU case)."""
    where = (
        "This is a TPU runtime: Colab's TPU runtimes come without TensorFlow (they are set up "
        "for JAX and PyTorch)."
        if tpu
        else "TensorFlow is not installed in this Python environment."
    )
    return (
        f"{where} Every chapter of this book trains with Keras on TensorFlow. On Colab choose "
        "Runtime > Change runtime type > a GPU (or CPU) and run the notebook again; elsewhere "
        'install the package with its extra: pip install "bigmodel_utils[tensorflow]".'
    )


if os.environ["KERAS_BACKEND"] == "tensorflow" and importlib.util.find_spec("tensorflow") is None:
    raise TensorFlowMissing(tensorflow_missing_message(on_tpu_runtime()))
