"""Argument checks behind every public function: bad input fails loudly, naming the argument.

The book's rule is that a careless call (a string for a size, ``True`` for a count, a
negative width, NaN, an empty or wrongly shaped array) raises ``TypeError`` (wrong kind) or
``ValueError`` (right kind, wrong value) with a message that names the argument and says what
was expected, never a silent wrong result. Each check returns the accepted value, converted
(``int``, ``float``, ``numpy.ndarray``), so a function's first lines read
``filters = checks.positive_int(filters, "filters")``. NumPy only: no TensorFlow import, so
``data`` and ``profile`` can use it at no cost. The checks of a figure's data (lists of titles,
of arrays, of records; curves; table columns) are in :mod:`bigmodel_utils.figure_checks`.
"""

import math
import numbers

import numpy as np

DTYPE_KINDS = {"numeric": "biuf", "float": "f", "int": "iu", "bool": "b", "any": None}


def describe(value):
    """How an error message shows the value it received: its type and a short repr (a number
    alone); every check here, and :mod:`bigmodel_utils.figure_checks`, words its errors so."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    if isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_)):
        return text
    return f"{type(value).__name__} {text}"


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


# ---- numbers ------------------------------------------------------------------


def integer(value, name, low=None, high=None):
    """``value`` as an int in ``[low, high]`` (either bound may be ``None``); bools are refused."""
    if low is None and high is None:
        wanted = "an int"
    elif high is None:
        wanted = {0: "a non-negative int", 1: "a positive int"}.get(low, f"an int >= {low}")
    else:
        wanted = f"an int in [{low}, {high}]" if low is not None else f"an int <= {high}"
    if not _is_int(value):
        raise TypeError(f"{name} must be {wanted}, got {describe(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be {wanted}, got {value}")
    return int(value)


def positive_int(value, name):
    """``value`` as an int >= 1 (a size, a count, a number of epochs)."""
    return integer(value, name, low=1)


def non_negative_int(value, name):
    """``value`` as an int >= 0 (a seed, an index, a number of extra layers)."""
    return integer(value, name, low=0)


def finite_float(value, name, low=None, high=None, low_open=False, high_open=False):
    """``value`` as a finite float within the bounds given (NaN, inf and bools are refused)."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        if high is None:
            bounds = f"{'>' if low_open else '>='} {low}"
        elif low is None:
            bounds = f"{'<' if high_open else '<='} {high}"
        else:
            bounds = f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a number {bounds}, got {value}")
    return value


def positive_float(value, name):
    """``value`` as a finite float > 0 (a temperature, a learning rate, a duration)."""
    return finite_float(value, name, low=0.0, low_open=True)


def non_negative_float(value, name):
    """``value`` as a finite float >= 0 (a noise level, a weight decay)."""
    return finite_float(value, name, low=0.0)


def probability(value, name):
    """``value`` as a float in [0, 1] (a weight such as alpha, a dropout rate)."""
    return finite_float(value, name, low=0.0, high=1.0)


def fraction(value, name, low=0.0, high=1.0):
    """``value`` as a float strictly between ``low`` and ``high`` (a test share, a split)."""
    return finite_float(value, name, low=low, high=high, low_open=True, high_open=True)


# ---- other scalars ------------------------------------------------------------


def boolean(value, name):
    """``value`` as a bool (``True``/``False`` or a NumPy bool), nothing else."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


def string(value, name, empty=False):
    """``value`` as a str, non-empty unless ``empty`` is true."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {describe(value)}")
    if not empty and not value:
        raise ValueError(f"{name} must be a non-empty str, got ''")
    return value


def one_of(value, name, options):
    """``value`` if it equals one of ``options`` (same type), else a ValueError listing them."""
    options = tuple(options)
    try:
        found = any(value == option and type(value) is type(option) for option in options)
    except (TypeError, ValueError):  # e.g. an array compared with a string
        found = False
    if not found:
        raise ValueError(f"{name} must be one of {list(options)}, got {describe(value)}")
    return value


def function(value, name):
    """``value`` if it is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {describe(value)}")
    return value


def int_tuple(value, name, length=None, low=1):
    """``value`` (a list or tuple of ints, each >= ``low``) as a tuple; ``length`` if given."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a tuple of ints, got {describe(value)}")
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must have {length} entries, got {len(value)}: {value!r}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return tuple(integer(v, f"{name}[{i}]", low=low) for i, v in enumerate(value))


def pair(value, name):
    """An int or a pair of ints >= 1 (a kernel size, a stride, a window) as a pair."""
    if _is_int(value):
        return (positive_int(value, name),) * 2
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return int_tuple(value, name, length=2)
    raise TypeError(f"{name} must be an int or a pair of ints, got {describe(value)}")


# ---- arrays -------------------------------------------------------------------


def array(value, name, ndim=None, dtype_kind="numeric", min_size=1, finite=True):
    """``value`` as a NumPy array, checked.

    Args:
        ndim: the number of dimensions wanted, an int or a tuple of allowed ints (``None``: any).
        dtype_kind: ``'numeric'`` (bool, int or float), ``'float'``, ``'int'``, ``'bool'``
            or ``'any'``.
        min_size: the fewest elements accepted (1: empty arrays are refused).
        finite: refuse NaN and inf in a float array.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array, got {describe(value)}")
    if ndim is not None:
        allowed = (ndim,) if not isinstance(ndim, tuple) else ndim
        for wanted in allowed:
            integer(wanted, "ndim", low=0)
    if dtype_kind not in DTYPE_KINDS:
        raise ValueError(f"dtype_kind must be one of {list(DTYPE_KINDS)}, got {dtype_kind!r}")
    try:
        result = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged lists, for instance
        raise TypeError(f"{name} must be an array, got {describe(value)} ({error})") from None
    kinds = DTYPE_KINDS[dtype_kind]
    if kinds is not None and result.dtype.kind not in kinds:
        raise TypeError(f"{name} must be a {dtype_kind} array, got dtype {result.dtype}")
    if ndim is not None and result.ndim not in allowed:
        wanted = " or ".join(str(n) for n in allowed)
        raise ValueError(f"{name} must have {wanted} dimensions, got shape {result.shape}")
    if result.size < min_size:
        raise ValueError(
            f"{name} must have at least {min_size} element(s), got shape {result.shape}"
        )
    if finite and result.dtype.kind == "f" and not np.all(np.isfinite(result)):
        raise ValueError(f"{name} must be finite, got NaN or inf")
    return result


def shape(value, name, expected):
    """Raise unless ``value.shape`` fits ``expected`` (a tuple; ``None`` matches any size)."""
    got = tuple(np.shape(value))
    fits = len(got) == len(expected) and all(e is None or e == g for e, g in zip(expected, got))
    if not fits:
        wanted = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name} must have shape {wanted}, got {got}")
    return value


def matching(dim_a, name_a, dim_b, name_b):
    """Raise unless two related sizes agree (e.g. the columns of ``x`` and the rows of ``W``)."""
    if dim_a != dim_b:
        raise ValueError(f"{name_a} ({dim_a}) and {name_b} ({dim_b}) must agree")
    return dim_a


def same_shape(a, name_a, b, name_b):
    """Raise unless arrays ``a`` and ``b`` have the same shape."""
    shape_a, shape_b = tuple(np.shape(a)), tuple(np.shape(b))
    if shape_a != shape_b:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {shape_a} and {shape_b}"
        )


def labels(value, name, num_classes=None):
    """Integer class labels as a 1-D array, each in ``[0, num_classes)`` when that is given."""
    y = array(value, name, ndim=1, dtype_kind="numeric")
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise TypeError(f"{name} must hold integer class labels, got non-integer values")
        y = y.astype(np.int64)
    if y.dtype.kind == "b":
        raise TypeError(f"{name} must hold integer class labels, got dtype bool")
    if y.min() < 0 or (num_classes is not None and y.max() >= num_classes):
        upper = f"{num_classes - 1}" if num_classes is not None else "..."
        raise ValueError(
            f"{name} must hold class labels in [0, {upper}], got values {y.min()}..{y.max()}"
        )
    return y


# ---- objects ------------------------------------------------------------------


def _class_names(value):
    return {cls.__name__ for cls in type(value).__mro__}


def keras_layer(value, name, kind="Layer"):
    """``value`` if it is a Keras layer (or model) of class ``kind`` (a class, a name or a tuple).

    Checked by class name along the MRO, so this module needs no Keras import;
    ``kind='Model'`` accepts any built or unbuilt Keras model.
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    wanted = [k if isinstance(k, str) else k.__name__ for k in kinds]
    if not _class_names(value) & set(wanted):
        expected = " or ".join(f"a Keras {w}" for w in wanted)
        raise TypeError(f"{name} must be {expected}, got {describe(value)}")
    return value


def keras_model(value, name):
    """``value`` if it is a Keras model (``Sequential``, functional or subclassed)."""
    return keras_layer(value, name, "Model")


def instance(value, name, kind):
    """``value`` if it is an instance of ``kind`` (a class or a tuple of classes)."""
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wanted = " or ".join(k.__name__ for k in kinds)
        raise TypeError(f"{name} must be a {wanted}, got {describe(value)}")
    return value


def mapping(value, name, required=()):
    """``value`` if it is a dict holding every key in ``required``."""
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict, got {describe(value)}")
    missing = [key for key in required if key not in value]
    if missing:
        raise ValueError(f"{name} is missing the key(s) {missing}")
    return value


def non_empty(value, name):
    """``value`` if it is a non-empty list, tuple or dict (a sequence of runs, of results)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, dict)):
        raise TypeError(f"{name} must be a list, tuple or dict, got {describe(value)}")
    if len(value) == 0:
        raise ValueError(f"{name} must not be empty")
    return value
