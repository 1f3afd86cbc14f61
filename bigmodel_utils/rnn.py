"""Chapter 3.2: the article's recurrent network, h_t = f(W x_t + U h_{t-1} + b) and y_t = V h_t + c.

NumPy references (``rnn_step``, ``output_step``, ``rnn_forward``), the same two
equations as a Keras cell (``ArticleRNNCell``), and the sequence models the
chapter trains: MNIST read row by row and the adding problem. As in Keras,
the batch comes first and a kernel is stored ``(in, out)``, so ``W x_t`` is
computed as ``x_t @ W``.
"""

import keras
import numpy as np
from keras import layers, ops

from bigmodel_utils import checks
from bigmodel_utils.cnn import dense, get_activation

KINDS = ("simple", "lstm", "article")


def _check_recurrent_weights(W, U, b):
    W, U, b = checks.array(W, "W", 2), checks.array(U, "U", 2), checks.array(b, "b", 1)
    units = W.shape[1]
    if U.shape != (units, units):
        raise ValueError(
            f"U must have shape ({units}, {units}) to match W {W.shape}, got {U.shape}"
        )
    if b.shape != (units,):
        raise ValueError(f"b must have shape ({units},) to match W {W.shape}, got {b.shape}")
    return W, U, b


def rnn_step(x_t, h_prev, W, U, b, f="tanh"):
    """One step of the recurrence: the new hidden state from the input and the previous state.

    Equation h_t = f(W x_t + U h_{t-1} + b) of the article's section 3.2 (chapter 3.2).

    Args:
        x_t: inputs at time t, ``(batch, in)``.
        h_prev: hidden state h_{t-1}, ``(batch, units)``.
        W: input kernel ``(in, units)``; U: recurrent kernel ``(units, units)``;
            b: bias ``(units,)``.
        f: activation name or callable (default tanh, as in Keras' SimpleRNN).

    Returns:
        h_t of shape ``(batch, units)``.

    Raises:
        ValueError: wrong ranks or sizes that do not fit together (the message names the argument).
    """
    W, U, b = _check_recurrent_weights(W, U, b)
    x_t, h_prev = checks.array(x_t, "x_t", 2), checks.array(h_prev, "h_prev", 2)
    f = get_activation(f)
    if x_t.shape[1] != W.shape[0]:
        raise ValueError(
            f"x_t has {x_t.shape[1]} features but W expects {W.shape[0]} (W is (in, units))"
        )
    if h_prev.shape != (x_t.shape[0], W.shape[1]):
        raise ValueError(f"h_prev must have shape {(x_t.shape[0], W.shape[1])}, got {h_prev.shape}")
    return f(x_t @ W + h_prev @ U + b)  # (batch, units)


def output_step(h_t, V, c):
    """The output read from the hidden state: a linear layer.

    Equation y_t = V h_t + c of the article's section 3.2 (chapter 3.2); it is
    ``cnn.dense`` with no activation.

    Args:
        h_t: hidden state ``(batch, units)``; V: ``(units, out)``; c: ``(out,)``.

    Returns:
        y_t of shape ``(batch, out)``.

    Raises:
        ValueError: wrong ranks or mismatched sizes.
    """
    h_t, V, c = checks.array(h_t, "h_t", 2), checks.array(V, "V", 2), checks.array(c, "c", 1)
    if h_t.shape[1] != V.shape[0]:
        raise ValueError(
            f"h_t has {h_t.shape[1]} units but V expects {V.shape[0]} (V is (units, out))"
        )
    if c.shape != (V.shape[1],):
        raise ValueError(f"c must have shape ({V.shape[1]},) to match V, got {c.shape}")
    return dense(h_t, V, c, "linear")  # (batch, out)


def rnn_forward(x, h0, W, U, b, V, c, f="tanh"):
    """Run the article's RNN over whole sequences: every hidden state and every output.

    Equations h_t = f(W x_t + U h_{t-1} + b), y_t = V h_t + c (chapter 3.2), for t = 1..T.

    Args:
        x: sequences ``(batch, T, in)``.
        h0: the initial state ``(batch, units)``, or None for zeros (Keras' default).
        W, U, b, V, c, f: as in :func:`rnn_step` and :func:`output_step`.

    Returns:
        ``(h, y)``: all states ``(batch, T, units)`` and all outputs ``(batch, T, out)``.

    Raises:
        ValueError: wrong ranks or sizes.
    """
    x = checks.array(x, "x", 3)
    W, U, b = _check_recurrent_weights(W, U, b)
    V, c = checks.array(V, "V", 2), checks.array(c, "c", 1)
    checks.matching(x.shape[2], "x's features", W.shape[0], "W's rows")
    checks.matching(V.shape[0], "V's rows", W.shape[1], "the units of W")
    f = get_activation(f)
    h_t = np.zeros((x.shape[0], W.shape[1]), dtype=np.result_type(x, W)) if h0 is None else h0
    if h0 is not None:
        checks.shape(checks.array(h0, "h0", 2), "h0", (x.shape[0], W.shape[1]))
    states, outputs = [], []
    for t in range(x.shape[1]):
        h_t = rnn_step(x[:, t], h_t, W, U, b, f)  # (batch, units)
        states.append(h_t)
        outputs.append(output_step(h_t, V, c))  # (batch, out)
    return np.stack(states, axis=1), np.stack(outputs, axis=1)  # (batch, T, units), (batch, T, out)


@keras.saving.register_keras_serializable(package="bigmodel_utils")
class ArticleRNNCell(layers.Layer):
    """The article's RNN as a Keras cell: weights W, U, b, V, c and exactly its two equations.

    Chapter 3.2: h_t = f(W x_t + U h_{t-1} + b) is the state, y_t = V h_t + c the
    output. Use it inside ``keras.layers.RNN`` (see :func:`article_rnn`).

    Args:
        units: size of the hidden state h_t.
        output_units: size of the output y_t.
        activation: f, a Keras activation name (default ``'tanh'``).
    """

    def __init__(self, units, output_units, activation="tanh", **kwargs):
        super().__init__(**kwargs)
        checks.positive_int(units, "units")
        checks.positive_int(output_units, "output_units")
        self.units, self.output_units = int(units), int(output_units)
        self.activation = keras.activations.get(activation)
        self.state_size = self.units
        self.output_size = self.output_units

    def build(self, input_shape):
        in_features = input_shape[-1]
        # The same initializers as SimpleRNN (W, U, b) followed by Dense (V, c).
        self.W = self.add_weight(
            name="W", shape=(in_features, self.units), initializer="glorot_uniform"
        )
        self.U = self.add_weight(name="U", shape=(self.units, self.units), initializer="orthogonal")
        self.b = self.add_weight(name="b", shape=(self.units,), initializer="zeros")
        self.V = self.add_weight(
            name="V", shape=(self.units, self.output_units), initializer="glorot_uniform"
        )
        self.c = self.add_weight(name="c", shape=(self.output_units,), initializer="zeros")

    def call(self, inputs, states):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        h_t = self.activation(ops.matmul(inputs, self.W) + ops.matmul(h_prev, self.U) + self.b)
        y_t = ops.matmul(h_t, self.V) + self.c
        return y_t, [h_t]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "output_units": self.output_units,
            "activation": keras.activations.serialize(self.activation),
        }


def article_rnn(units, output_units, return_sequences=False, activation="tanh", name="article_rnn"):
    """A Keras ``RNN`` layer running :class:`ArticleRNNCell`: outputs y_t (all t, or the last)."""
    checks.boolean(return_sequences, "return_sequences")
    checks.string(name, "name")
    return layers.RNN(
        ArticleRNNCell(units, output_units, activation),
        return_sequences=return_sequences,
        name=name,
    )


def weights_from_keras(simple_rnn, dense_layer):
    """The article's W, U, b, V, c read from a Keras ``SimpleRNN`` followed by a ``Dense``.

    SimpleRNN's kernel is W, its recurrent_kernel U, its bias b; the Dense kernel is V, its bias c.
    """
    checks.keras_layer(simple_rnn, "simple_rnn", "SimpleRNN")
    checks.keras_layer(dense_layer, "dense_layer", "Dense")
    W, U, b = simple_rnn.get_weights()
    V, c = dense_layer.get_weights()
    return {"W": W, "U": U, "b": b, "V": V, "c": c}


def _check_kind_and_units(kind, units):
    checks.one_of(kind, "kind", KINDS)
    checks.positive_int(units, "units")


def _recurrent_layer(kind, units):
    """Keras' own ``SimpleRNN`` (kind ``'simple'``) or ``LSTM`` (kind ``'lstm'``)."""
    return {"simple": layers.SimpleRNN, "lstm": layers.LSTM}[kind](int(units), name=kind)


def build_sequence_classifier(kind="lstm", units=64, input_shape=(28, 28), num_classes=10):
    """A recurrent classifier that reads each image row by row (28 steps of 28 pixels), uncompiled.

    Chapter 3.2 (and the comparison of chapter 3.5). ``kind``:
    ``'simple'`` SimpleRNN(units) -> Dense(softmax); ``'lstm'`` LSTM(units) -> Dense(softmax);
    ``'article'`` the article's RNN, whose last output y_T = V h_T + c goes through a softmax
    (the same function and parameter count as ``'simple'``).
    Feed images as ``(batch, 28, 28)``, e.g. ``mnist.x_train[..., 0]``.

    Raises:
        ValueError: unknown ``kind`` or ``units`` < 1.  TypeError: ``units`` not an int.
    """
    _check_kind_and_units(kind, units)
    input_shape = checks.int_tuple(input_shape, "input_shape", length=2)
    checks.positive_int(num_classes, "num_classes")
    inputs = keras.Input(shape=input_shape, name="rows")
    if kind == "article":
        outputs = layers.Activation("softmax", name="softmax")(
            article_rnn(units, num_classes)(inputs)
        )
    else:
        hidden = _recurrent_layer(kind, units)(inputs)
        outputs = layers.Dense(num_classes, activation="softmax", name="classifier")(hidden)
    return keras.Model(inputs, outputs, name=f"{kind}_row_classifier")


def build_adding_regressor(kind="lstm", units=32, input_features=2):
    """A recurrent regressor for the adding problem: a sequence of any length in, one number out.

    Chapter 3.2. Same ``kind`` values as :func:`build_sequence_classifier`; the
    output is ``(batch, 1)`` (Dense(1), or y_T of the article's RNN). Uncompiled.

    Raises:
        ValueError: unknown ``kind`` or ``units`` < 1.  TypeError: ``units`` not an int.
    """
    _check_kind_and_units(kind, units)
    checks.positive_int(input_features, "input_features")
    inputs = keras.Input(shape=(None, input_features), name="sequence")
    if kind == "article":
        outputs = article_rnn(units, 1)(inputs)
    else:
        outputs = layers.Dense(1, name="regressor")(_recurrent_layer(kind, units)(inputs))
    return keras.Model(inputs, outputs, name=f"{kind}_adding_regressor")


def input_gradient_norms(model, x, y, loss="mean_squared_error"):
    """How strongly the loss at the end of a sequence depends on each earlier input.

    Chapter 3.2, the vanishing-gradient story: ||dL/dx_t|| for t = 1..T, averaged
    over the batch (each sequence's own loss), from one backward pass.

    Args:
        model: a Keras model taking ``(batch, T, features)``.
        x: sequences ``(batch, T, features)``; y: their targets.
        loss: a Keras loss name or function returning one loss per sequence.

    Returns:
        A NumPy array ``(T,)``.
    """
    import tensorflow as tf  # the book's Keras backend

    checks.keras_model(model, "model")
    x = checks.array(x, "x", 3)
    y = checks.array(y, "y", (1, 2, 3))
    checks.matching(len(y), "len(y)", len(x), "len(x)")
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    loss_function = keras.losses.get(loss)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = ops.sum(loss_function(ops.convert_to_tensor(y), model(x, training=False)))
    gradients = tape.gradient(total, x).numpy()  # (batch, T, features)
    return np.linalg.norm(gradients, axis=-1).mean(axis=0)  # (T,)
