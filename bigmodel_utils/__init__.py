"""bigmodel_utils: the tested helper package of the book *Large Models, Hands-On*.

One module per idea, data flowing one way: ``data`` and ``profile`` feed every
chapter; ``cnn``, ``rnn``, ``transformer``, ``vit`` and ``language_model`` turn
the equations of the article's section 3 into code; ``flops``, ``size``,
``scaling``, ``verdicts`` and ``comparison`` measure models and judge the
article's claims; ``efficient``, ``deployment``,
``distillation``, ``distributed``, ``custom_loop``, ``multiworker`` and
``allreduce`` build and measure the remedies of section 5; ``plots`` draws.
Import the modules you need, e.g. ``from bigmodel_utils import data, cnn``.
"""

import os

# The book runs Keras 3 on TensorFlow; set it before Keras is first imported.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
