"""Chapter 5.4: the operators that carry tensor parallelism's communication, and their log.

The split MLP block of :mod:`bigmodel_utils.tensor_parallel` communicates through two operators
(Shoeybi et al. 2019): ``f`` (:func:`copy_in`: the identity forward, an all-reduce of the input
gradient backward) and ``g`` (:func:`sum_out`: an all-reduce of the partial outputs forward, the
identity backward). Both call ``tf.distribute``'s ``ReplicaContext.all_reduce`` under
``MirroredStrategy`` through one function, which writes every all-reduce of a traced step, with
its bytes, to a :class:`CommunicationLog`.
"""

import numpy as np
import tensorflow as tf

from bigmodel_utils import checks, tensor_checks


class CommunicationLog(list):
    """Every all-reduce of a traced step: ``(replica, "forward" | "backward", bytes)`` entries.

    Chapter 5.4. Starts empty, or from ``entries`` of that form (a log copied or read back).

    Raises:
        TypeError/ValueError: naming ``entries`` if it is not a list of such triples.
    """

    DIRECTIONS = ("forward", "backward")

    def __init__(self, entries=()):
        if isinstance(entries, (str, bytes, dict)) or not isinstance(entries, (list, tuple)):
            raise TypeError(
                "entries must be a list of (replica, direction, bytes) triples, got "
                f"{type(entries).__name__}"
            )
        for entry in entries:
            if not (isinstance(entry, (list, tuple)) and len(entry) == 3):
                raise ValueError(
                    f"entries must hold (replica, direction, bytes) triples, got {entry!r}"
                )
            replica, direction, size = entry
            if direction not in self.DIRECTIONS:
                raise ValueError(
                    f"entries' direction must be 'forward' or 'backward', got {direction!r}"
                )
            for name, value in (("replica", replica), ("bytes", size)):
                if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                    raise ValueError(f"entries' {name} must be an int >= 0, got {value!r}")
        super().__init__(tuple(entry) for entry in entries)

    def bytes_per_replica(self, replica=0):
        """Bytes one replica hands to all-reduces in one step."""
        return sum(size for who, _, size in self if who == replica)


def _all_reduce(value, log, direction):
    context = tf.distribute.get_replica_context()
    replica = tf.get_static_value(context.replica_id_in_sync_group)
    log.append((int(replica), direction, value.shape.num_elements() * value.dtype.size))
    return context.all_reduce(tf.distribute.ReduceOp.SUM, value)


def copy_in(x, log):
    """Operator ``f``: the identity forward; all-reduce (sum) of the input gradient backward.

    Chapter 5.4, eq. (split). Each device's gradient of ``x`` covers only its hidden units;
    their sum is the gradient of ``x``, ``(batch, seq, d_model)``. Raises TypeError/ValueError
    naming ``x`` or ``log``.
    """
    tensor_checks.shape(x, "x", rank=3)  # (batch, seq, d_model), as the block takes it
    checks.instance(log, "log", CommunicationLog)

    @tf.custom_gradient
    def f(x):
        return tf.identity(x), lambda dy: _all_reduce(dy, log, "backward")

    return f(x)


def sum_out(partial, log):
    """Operator ``g``: all-reduce (sum) of the devices' partial outputs forward; identity backward.

    Chapter 5.4, eq. (split): the only communication of the forward pass. ``partial``:
    ``(batch, seq, d_model)``. Raises TypeError/ValueError naming ``partial`` or ``log``.
    """
    tensor_checks.shape(partial, "partial", rank=3)  # (batch, seq, d_model)
    checks.instance(log, "log", CommunicationLog)

    @tf.custom_gradient
    def g(partial):
        return _all_reduce(partial, log, "forward"), lambda dy: dy

    return g(partial)
