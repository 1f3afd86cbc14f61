"""The checks of a figure's data: titles, lists of arrays, records, curves, table columns.

Every figure of the book (``plots`` for chapters 1 and 2, ``plots_architectures`` for 3.1 and 3.3
to 4, ``plots_recurrent`` for 3.2, ``plots_remedies`` for 5.1 to 5.3) checks its data with these
before it draws, so a careless call fails with a message naming the argument instead of a
half-drawn figure. Built on :mod:`bigmodel_utils.checks` and worded as it is; NumPy only.
"""

import numpy as np

from bigmodel_utils import checks


def strings(value, name, length=None):
    """``value`` (a list or tuple of str: titles, names, labels) as a list; ``length`` if given."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of str, got {checks.describe(value)}")
    for i, item in enumerate(value):
        checks.string(item, f"{name}[{i}]", empty=True)
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must hold {length} entries, got {len(value)}")
    return list(value)


def arrays(value, name, ndim=None):
    """A non-empty list of arrays (one per model, panel or image), each checked by
    :func:`bigmodel_utils.checks.array`; an array is read as the list of its rows."""
    if not isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a list of arrays, got {checks.describe(value)}")
    if len(value) == 0:
        raise ValueError(f"{name} must not be empty")
    return [checks.array(item, f"{name}[{i}]", ndim=ndim) for i, item in enumerate(value)]


def records(value, name, required):
    """A non-empty list of dicts (one per model, run or worker), each holding ``required``."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of dicts, got {checks.describe(value)}")
    for i, record in enumerate(checks.non_empty(value, name)):
        checks.mapping(record, f"{name}[{i}]", required)
    return list(value)


def curves(value, name, length=None):
    """A non-empty dict of label -> finite 1-D array (a figure's lines), converted; ``length``
    (if given) is the number of points every curve must hold."""
    checks.non_empty(checks.mapping(value, name), name)
    result = {key: checks.array(curve, f"{name}[{key!r}]", ndim=1) for key, curve in value.items()}
    for key, curve in result.items():
        if length is not None and curve.size != length:
            raise ValueError(f"{name}[{key!r}] must hold {length} values, got {curve.size}")
    return result


def columns(value, name, required):
    """``value`` if it is a table (a pandas DataFrame) whose ``required`` columns are finite
    numbers; checked by its ``columns`` attribute, so this module needs no pandas import."""
    if not hasattr(value, "columns") or isinstance(value, type):
        raise TypeError(
            f"{name} must be a table (a pandas DataFrame), got {checks.describe(value)}"
        )
    missing = [column for column in required if column not in value.columns]
    if missing:
        raise ValueError(f"{name} is missing the column(s) {missing}")
    for column in required:
        checks.array(np.asarray(value[column]), f"{name}[{column!r}]", ndim=1)
    return value
