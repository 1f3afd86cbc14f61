"""Chapter 5.4: activation recomputation (gradient checkpointing) with ``tf.recompute_grad``.

Backpropagation needs the forward pass's intermediate results; keeping them costs memory that
grows with the batch. ``tf.recompute_grad`` keeps only a block's inputs and runs the block's
forward pass a second time during the backward pass (Chen et al. 2016): memory for time.
:func:`saved_activation_bytes` counts, in TensorFlow's own traced graph, the forward tensors the
backward pass reads; :func:`time_gradient_steps` measures what the second forward costs.
"""

import time

import numpy as np
import tensorflow as tf

from bigmodel_utils import checks

ALIASES = ("Identity", "IdentityN", "Reshape", "Squeeze", "ExpandDims")  # views, no new buffer
NOT_ACTIVATIONS = ("ReadVariableOp", "Const", "VarHandleOp")  # weights and constants


def _check_block(block, variables):
    if not callable(block):
        raise TypeError(f"block must be callable, got {type(block).__name__}")
    if not isinstance(variables, (list, tuple)) or not all(
        hasattr(variable, "assign") for variable in variables
    ):
        raise TypeError("variables must be a list of variables (the block's weights)")


def make_gradient_step(block, variables, recompute=False):
    """A ``tf.function`` ``step(x, upstream)`` -> gradients of ``sum(block(x) * upstream)``, loss.

    Chapter 5.4. ``upstream`` is the gradient arriving from the layers above, so the loss
    adds nothing to keep; with ``recompute=True`` the block is wrapped in ``tf.recompute_grad``.
    While it is traced the step records how many graph operations the forward pass made and
    the names of the block's output and of ``upstream`` (``step.forward_ops``): the loss's own
    backward reads those two, which :func:`saved_activation_bytes` leaves out.

    Raises:
        TypeError: if ``block`` is not callable or ``variables`` not a list of variables.
    """
    _check_block(block, variables)
    if not isinstance(recompute, bool):
        raise TypeError(f"recompute must be True or False, got {recompute!r}")
    run = tf.recompute_grad(block) if recompute else block
    marks = []

    @tf.function
    def step(x, upstream):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = run(x)
            loss = tf.reduce_sum(y * upstream)
        operations = len(tf.compat.v1.get_default_graph().get_operations())
        marks.append((operations, {_root(y).name, _root(upstream).name}))
        # the loss is returned too: as in a network, whose next layer reads the block's output,
        # the forward pass must then really run (else TensorFlow prunes it as dead code)
        return [*tape.gradient(loss, [x, *variables]), loss]

    step.forward_ops = marks
    return step


def _root(tensor):
    """The tensor whose buffer ``tensor`` shares (follow identities and reshapes upwards)."""
    while tensor.op.type in ALIASES and tensor.op.inputs:
        index = tensor.value_index if tensor.op.type == "IdentityN" else 0
        tensor = tensor.op.inputs[index]
    return tensor


def saved_activation_bytes(block, variables, x, recompute=False):
    """Bytes of forward results the backward pass reads, counted in the traced graph.

    Chapter 5.4: the measurement :func:`bigmodel_utils.memory.mlp_activation_values` is
    compared with. Views (identities, reshapes) count once, as the buffer they share; weights
    and constants do not count. A graph count, before TensorFlow's optimiser rewrites it.

    Args:
        block, variables, recompute: as :func:`make_gradient_step`.
        x: an input batch ``(batch, seq, d_model)``, as the chapter's blocks take it (its shape
            and dtype fix the trace).
    Raises:
        TypeError/ValueError: naming ``block``, ``variables``, ``recompute`` or ``x``.
    Returns:
        dict: ``bytes`` and ``tensors`` (a list of ``(operation type, shape)`` kept).
    """
    step = make_gradient_step(block, variables, recompute)
    if not hasattr(x, "shape") or len(np.shape(x)) < 1:
        raise ValueError(f"x must be an input batch (an array with a shape), got {x!r}")
    checks.array(x, "x", ndim=3, dtype_kind="float")  # (batch, seq, d_model), finite floats
    spec = tf.TensorSpec(np.shape(x), tf.float32)
    graph = step.get_concrete_function(spec, spec).graph
    operations = graph.get_operations()
    boundary, loss_inputs = step.forward_ops[-1]
    forward = set(operations[:boundary])
    kept = {}
    for operation in operations[boundary:]:
        for tensor in operation.inputs:
            root = _root(tensor)
            if (
                root.op in forward
                and root.dtype.is_floating
                and root.op.type not in NOT_ACTIVATIONS
                and root.shape.rank  # scalars are bookkeeping, not activations
                and root.name not in loss_inputs
            ):
                kept[root.name] = root
    return {
        "bytes": sum(t.shape.num_elements() * t.dtype.size for t in kept.values()),
        "tensors": sorted((t.op.type, tuple(t.shape)) for t in kept.values()),
    }


def time_gradient_steps(steps, x, upstream, repeats=15, calls=5):
    """Median seconds per call of each gradient step, timed in turns so load hits all alike.

    Chapter 5.4. Every step is called once untimed first (tracing). Then ``repeats`` rounds;
    in each, every step is called ``calls`` times, one call of each step in turn.

    Args:
        steps: ``{name: step}`` from :func:`make_gradient_step`.
    Returns:
        ``{name: array of the median seconds per call, one per round}`` (the median of a
        round resists the spikes of a shared machine).
    Raises:
        ValueError: if ``steps`` is empty or ``repeats``/``calls`` < 1 (naming the argument).
    """
    if not isinstance(steps, dict) or not steps:
        raise ValueError("steps must be a non-empty dict {name: step}")
    for name, value in (("repeats", repeats), ("calls", calls)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if (
        checks.array(x, "x", dtype_kind="float").shape
        != checks.array(upstream, "upstream", dtype_kind="float").shape
    ):  # the gradient arriving at the output has the output's (= the input's) shape
        raise ValueError(
            f"upstream must have the shape of x {np.shape(x)}, got {np.shape(upstream)}"
        )
    x = tf.convert_to_tensor(x, tf.float32)
    upstream = tf.convert_to_tensor(upstream, tf.float32)
    for step in steps.values():
        step(x, upstream)[0].numpy()  # trace and warm up
    seconds = {name: np.zeros((repeats, calls)) for name in steps}
    for round_index in range(repeats):
        for call in range(calls):  # one call of each step in turn, so a change of load hits all
            for name, step in steps.items():
                start = time.perf_counter()
                step(x, upstream)[0].numpy()  # wait for the result
                seconds[name][round_index, call] = time.perf_counter() - start
    return {name: np.median(values, axis=1) for name, values in seconds.items()}  # (repeats,)
