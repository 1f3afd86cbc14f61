"""Checks of arrays that may be tensors of a traced step: their shapes always, values when present.

Chapters 5.3 and 5.4 run the same equations eagerly (a reader's call on NumPy arrays) and inside a
traced training step (``tf.function``). A traced tensor has a shape but no values yet, and a check
of its values would add reductions to every step; so these check the static shape always and the
values (float, not empty, no NaN or inf, by :func:`bigmodel_utils.checks.array`) only where there
are values: a NumPy array, or a tensor computed eagerly.
"""

import tensorflow as tf

from bigmodel_utils import checks


def has_values(value):
    """True when ``value`` holds numbers now: anything outside a traced function but a symbolic
    tensor (inside one, every tensor is a placeholder of the graph being built)."""
    return tf.executing_eagerly() and not tf.is_symbolic_tensor(value)


def shape(value, name, rank=None):
    """The static shape of ``value`` (an array or a tensor) as a tuple, checked.

    Raises TypeError unless ``value`` has a shape, ValueError unless it has ``rank`` axes (when
    given); where it has values, they must be a non-empty, finite float array.
    """
    found = getattr(value, "shape", None)
    if found is None or isinstance(value, type):
        raise TypeError(f"{name} must be an array or tensor, got {checks.describe(value)}")
    found = tuple(found)
    if rank is not None and len(found) != checks.non_negative_int(rank, "rank"):
        raise ValueError(f"{name} must have rank {rank}, got shape {found}")
    if has_values(value):
        checks.array(value, name, dtype_kind="float")  # float, not empty, no NaN or inf
    return found
