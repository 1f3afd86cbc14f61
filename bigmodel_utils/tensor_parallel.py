"""Chapter 5.4: tensor (model) parallelism of a Transformer MLP block on a real engine.

The block ``y = gelu(x W1 + b1) W2 + b2`` is split over N devices as Shoeybi et al. (2019) do
it: device r holds the columns ``W1[:, r]`` and ``b1[r]`` (column-parallel) and the matching
rows ``W2[r, :]`` (row-parallel), so ``gelu(x W1[:, r] + b1[r]) W2[r, :]`` is device r's part
of the output and one all-reduce sums the parts. Two operators carry the communication, ``f``
(identity forward, all-reduce of the input gradient backward) and ``g`` (all-reduce forward,
identity backward): they live in :mod:`bigmodel_utils.tensor_parallel_ops`, with the log that
counts every byte crossing devices, and are re-exported here as ``copy_in`` and ``sum_out``.
"""

import numpy as np
import tensorflow as tf

from bigmodel_utils import checks, tensor_checks
from bigmodel_utils.tensor_parallel_ops import (  # noqa: F401 (re-exported for the chapter)
    CommunicationLog,
    copy_in,
    sum_out,
)

WEIGHT_NAMES = ("W1", "b1", "W2", "b2")


def _check_weights(name, weights):
    if not isinstance(weights, dict) or not {"W1", "b1", "W2", "b2"} <= set(weights):
        raise TypeError(f"{name} must be a dict with W1, b1, W2 and b2")


def init_mlp_weights(d_model, mlp_dim, seed=0):
    """Random float32 weights ``W1 (d_model, mlp_dim)``, ``b1``, ``W2 (mlp_dim, d_model)``, ``b2``.

    Chapter 5.4: Glorot-scaled kernels, small non-zero biases (every term gets checked).
    Raises TypeError/ValueError naming the argument unless each is an int >= 1 (seed >= 0).
    """
    d_model = checks.positive_int(d_model, "d_model")
    mlp_dim = checks.positive_int(mlp_dim, "mlp_dim")
    rng = np.random.default_rng(checks.non_negative_int(seed, "seed"))
    limit = np.sqrt(6.0 / (d_model + mlp_dim))
    return {
        "W1": rng.uniform(-limit, limit, (d_model, mlp_dim)).astype(np.float32),
        "b1": rng.normal(0.0, 0.1, mlp_dim).astype(np.float32),
        "W2": rng.uniform(-limit, limit, (mlp_dim, d_model)).astype(np.float32),
        "b2": rng.normal(0.0, 0.1, d_model).astype(np.float32),
    }


def mlp_block(x, W1, b1, W2, b2):
    """The unsplit MLP block ``gelu(x W1 + b1) W2 + b2`` (exact, erf GELU).

    Chapter 5.4, eq. (mlp), the feed-forward half of the Transformer block of chapter 3.3.
    ``x``: ``(batch, seq, d_model)`` -> ``(batch, seq, d_model)``. Raises TypeError/ValueError
    naming the argument whose shape does not fit.
    """
    d_model = tensor_checks.shape(x, "x", rank=3)[-1]
    rows, mlp_dim = tensor_checks.shape(W1, "W1", rank=2)
    if rows != d_model:
        raise ValueError(f"W1 must have {d_model} rows to match x, got shape {(rows, mlp_dim)}")
    if tensor_checks.shape(W2, "W2", rank=2) != (mlp_dim, d_model):
        raise ValueError(f"W2 must have shape {(mlp_dim, d_model)}, got {tuple(W2.shape)}")
    for name, bias, size in (("b1", b1, mlp_dim), ("b2", b2, d_model)):
        if tensor_checks.shape(bias, name) != (size,):
            raise ValueError(f"{name} must have shape {(size,)}, got {tuple(bias.shape)}")
    return tf.nn.gelu(tf.matmul(x, W1) + b1) @ W2 + b2  # (batch, seq, d_model)


def split_mlp_weights(weights, num_shards):
    """Cut the block's weights into ``num_shards`` tensor-parallel shards.

    Chapter 5.4, eq. (split): ``W1`` and ``b1`` by columns, ``W2`` by rows; ``b2`` is added
    once after the all-reduce, so every shard keeps a copy.

    Returns:
        A list of ``num_shards`` dicts with ``W1``, ``b1``, ``W2``, ``b2`` (NumPy arrays).
    Raises:
        TypeError/ValueError: naming the argument if ``weights`` lacks a matrix, the shapes
            disagree, or ``mlp_dim`` is not divisible by ``num_shards``.
    """
    num_shards = checks.positive_int(num_shards, "num_shards")
    _check_weights("weights", weights)
    W1, b1, W2, b2 = (np.asarray(weights[key]) for key in ("W1", "b1", "W2", "b2"))
    d_model, mlp_dim = W1.shape
    if b1.shape != (mlp_dim,) or W2.shape != (mlp_dim, d_model) or b2.shape != (d_model,):
        raise ValueError(
            f"weights must have W1 (d, m), b1 (m,), W2 (m, d), b2 (d,), got "
            f"{W1.shape}, {b1.shape}, {W2.shape}, {b2.shape}"
        )
    if mlp_dim % num_shards:
        raise ValueError(f"num_shards={num_shards} must divide mlp_dim={mlp_dim}")
    columns = np.split(np.arange(mlp_dim), num_shards)  # hidden units of each shard
    return [
        {"W1": W1[:, part], "b1": b1[part], "W2": W2[part, :], "b2": b2.copy()} for part in columns
    ]


def _place_shards(shards, devices):
    """One ``tf.Variable`` per shard matrix, created on its own device.

    Returns a list of dicts of variables, ``shards[r]`` on ``devices[r]``.
    """
    if len(shards) != len(devices) or not shards:
        raise ValueError(f"need one device per shard, got {len(shards)} and {len(devices)}")
    placed = []
    for shard, device in zip(shards, devices):
        with tf.device(device):
            placed.append({key: tf.Variable(value, name=key) for key, value in shard.items()})
    return placed


def _bytes_by_device(placed):
    """Bytes of weights each device holds: ``{device name: bytes}``, read from the variables."""
    held = {}
    for shard in placed:
        for variable in shard.values():
            device = variable.device.split("device:")[-1]
            held[device] = held.get(device, 0) + variable.shape.num_elements() * variable.dtype.size
    return held


def split_mlp_block(x, shard, log):
    """Device r's view of the split block: ``g(gelu(f(x) W1_r + b1_r) W2_r) + b2``.

    Chapter 5.4, eq. (split). Runs inside ``strategy.run``; returns the full output on
    every device. ``x``: ``(batch, seq, d_model)``; the hidden part is ``(batch, seq, m / N)``.

    Raises:
        TypeError/ValueError: naming ``x``, ``shard`` or ``log``.
    """
    _check_weights("shard", shard)
    checks.instance(log, "log", CommunicationLog)
    tensor_checks.shape(x, "x", rank=3)
    hidden = tf.nn.gelu(tf.matmul(copy_in(x, log), shard["W1"]) + shard["b1"])  # (b, s, m/N)
    return sum_out(hidden @ shard["W2"], log) + shard["b2"]  # (batch, seq, d_model)


def _vjp(block, x, upstream, variables):
    """Output and gradients of ``sum(block(x) * upstream)``: what backprop hands each weight."""
    with tf.GradientTape() as tape:
        tape.watch([x, *variables])  # constants too (the unsplit reference)
        y = block(x)
        loss = tf.reduce_sum(y * upstream)
    return y, tape.gradient(loss, [x, *variables])


def make_split_step(strategy, weights):
    """The split block's forward and backward pass on the strategy's replicas, one shard each.

    Chapter 5.4, eq. (split). ``step(x, upstream)`` (a ``tf.function``) returns per-replica
    values: the output and the gradients of ``sum(y * upstream)`` for ``x``, ``W1``, ``b1``,
    ``W2`` and ``b2`` of each replica's shard.

    Returns:
        ``(step, placed, log)``: the step, the shards' variables (one dict per device) and the
        :class:`CommunicationLog` its all-reduces write to when it is traced.
    Raises:
        TypeError/ValueError: naming ``strategy`` or ``weights``.
    """
    if not hasattr(strategy, "num_replicas_in_sync"):
        raise TypeError(f"strategy must be a tf.distribute strategy, got {type(strategy).__name__}")
    _check_weights("weights", weights)
    shards = split_mlp_weights(weights, strategy.num_replicas_in_sync)
    placed = _place_shards(shards, strategy.extended.worker_devices)
    per_replica = strategy.experimental_distribute_values_from_function(
        lambda context: placed[context.replica_id_in_sync_group]
    )
    log = CommunicationLog()

    def replica_step(shard, x, upstream):
        variables = [shard[key] for key in WEIGHT_NAMES]
        return _vjp(lambda v: split_mlp_block(v, shard, log), x, upstream, variables)

    @tf.function
    def step(x, upstream):
        return strategy.run(replica_step, args=(per_replica, x, upstream))

    return step, placed, log


def compare_split_with_unsplit(strategy, weights, x, upstream):
    """Forward and backward of the block split over the strategy's replicas vs unsplit.

    Chapter 5.4: the output and every gradient (input, W1, b1, W2, b2) of the split block,
    reassembled from the devices, must equal the unsplit block's to float rounding.

    Args:
        strategy: a ``MirroredStrategy`` over N devices (N divides ``mlp_dim``).
        weights: from :func:`init_mlp_weights`.
        x: ``(batch, seq, d_model)`` inputs; upstream: the gradient arriving at the output.
    Raises:
        TypeError/ValueError: naming ``strategy``, ``weights``, ``x`` or ``upstream``.
    Returns:
        dict: ``max_abs_difference`` per quantity, ``scale`` (largest unsplit value of each),
        ``bytes_by_device``, ``log`` (:class:`CommunicationLog`), ``num_devices``.
    """
    if not hasattr(strategy, "num_replicas_in_sync"):
        raise TypeError(f"strategy must be a tf.distribute strategy, got {type(strategy).__name__}")
    _check_weights("weights", weights)
    if tensor_checks.shape(x, "x", rank=3) != tensor_checks.shape(upstream, "upstream", rank=3):
        raise ValueError(f"x and upstream must have one shape, got {x.shape} and {upstream.shape}")
    x = tf.convert_to_tensor(x, tf.float32)
    upstream = tf.convert_to_tensor(upstream, tf.float32)
    names = ("y", "x", *WEIGHT_NAMES)
    plain = [tf.constant(weights[key]) for key in WEIGHT_NAMES]
    y, grads = _vjp(lambda v: mlp_block(v, *plain), x, upstream, plain)
    unsplit = dict(zip(names, [y, *grads]))
    step, placed, log = make_split_step(strategy, weights)
    y_split, grads_split = step(x, upstream)
    local = [strategy.experimental_local_results(t) for t in (y_split, *grads_split)]
    split = {
        "y": local[0][0],  # every replica holds the full output
        "x": local[1][0],  # and, after f's all-reduce, the full input gradient
        "W1": tf.concat(local[2], axis=1),
        "b1": tf.concat(local[3], axis=0),
        "W2": tf.concat(local[4], axis=0),
        "b2": local[5][0],
    }
    same_everywhere = max(
        float(tf.reduce_max(tf.abs(part - local[i][0]))) for i in (0, 1, 5) for part in local[i]
    )
    return {
        "max_abs_difference": {
            key: float(tf.reduce_max(tf.abs(split[key] - unsplit[key]))) for key in names
        },
        "scale": {key: float(tf.reduce_max(tf.abs(unsplit[key]))) for key in names},
        "replicas_disagree_by": same_everywhere,
        "bytes_by_device": _bytes_by_device(placed),
        "log": log,
        "num_devices": strategy.num_replicas_in_sync,
    }
