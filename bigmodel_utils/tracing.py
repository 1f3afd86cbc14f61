"""One forward pass of a Keras model, traced layer by layer (chapter 2's FLOP count).

:func:`trace_calls` runs the model once on :func:`sample_inputs` (zeros) and records the shapes
every layer saw; :func:`add_up` applies the formulas of :mod:`bigmodel_utils.flops` to them.
:mod:`bigmodel_utils.size` puts the two together (``size.forward_flops``).
"""

import dataclasses
import inspect
import warnings

import keras
import numpy as np

from bigmodel_utils import checks
from bigmodel_utils.flop_rules import ZERO_FLOP_OPS, children, is_keras_builtin, rule_for
from bigmodel_utils.flops import Flops


def check_model(model):
    """Raise unless ``model`` is a built Keras model.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``.
        ValueError: if it is not built (no ``keras.Input`` and never called).
    """
    checks.keras_model(model, "model")
    if not model.built:
        raise ValueError(
            "model is not built: start it with keras.Input(...) or call it on data first"
        )


def tree(layer):
    """``layer`` and every layer below it that a count needs to see: a layer with a FLOP rule is
    counted as one, so the descent stops there."""
    checks.keras_layer(layer, "layer")
    below = [] if rule_for(layer) is not None else children(layer)
    return [layer] + [found for child in below for found in tree(child)]


def _shapes(value):
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return [tuple(int(d) for d in value.shape)]
    if isinstance(value, (list, tuple)):
        return [shape for item in value for shape in _shapes(item)]
    return []


def check_inputs(model, inputs):
    """Raise unless ``inputs`` fit ``model``: one non-empty numeric array per model input (a list
    for several), shaped as its ``keras.Input`` where the model has one (``None``: any size).

    NaN and inf are accepted: a FLOP count depends on the shapes a layer sees, not on the values.
    """
    check_model(model)
    single = not isinstance(inputs, (list, tuple))
    arrays, symbolic = [inputs] if single else list(inputs), getattr(model, "inputs", None) or []
    if symbolic and len(arrays) != len(symbolic):
        wanted = f"{len(symbolic)} array(s), one per model input"
        raise ValueError(f"inputs must be {wanted}, got {len(arrays)}")
    for i, value in enumerate(arrays):
        name = "inputs" if single else f"inputs[{i}]"
        value = checks.array(value, name, finite=False)  # numbers, not empty
        if symbolic:
            checks.shape(value, name, tuple(symbolic[i].shape))  # (batch, *one sample's shape)


def trace_calls(model, inputs):
    """Run ``model(inputs)`` once; return {id(layer): [(input_shapes, output_shape), ...]}.

    ``inputs`` as :func:`check_inputs` accepts them, e.g. :func:`sample_inputs` (zeros).
    """
    check_inputs(model, inputs)  # and the model
    calls = {}
    layers = {id(layer): layer for layer in tree(model)}

    def spy(layer):
        original, signature = layer.call, inspect.signature(layer.call)

        def call(*args, **kwargs):
            bound = signature.bind(*args, **kwargs).arguments
            shapes = [s for name, v in bound.items() if "mask" not in name for s in _shapes(v)]
            output = original(*args, **kwargs)
            calls.setdefault(id(layer), []).append((shapes, (_shapes(output) or [()])[0]))
            return output

        return call

    try:
        for layer in layers.values():
            layer.call = spy(layer)
        with warnings.catch_warnings():  # Model([x], ...) called with one array: same thing
            warnings.filterwarnings("ignore", message="The structure of `inputs`")
            model(inputs)
    finally:
        for layer in layers.values():
            if "call" in vars(layer):
                del layer.call
    return calls


@dataclasses.dataclass
class FlopReport:
    """Forward FLOPs per sample: ``total`` (:class:`Flops`), one row per layer, ``unknown``
    layers with no formula (so the total is a lower bound) and ``partial`` custom blocks
    counted through their sublayers only (their own glue, e.g. a residual add, is not)."""

    total: Flops
    rows: list
    unknown: list
    partial: list

    def __post_init__(self):
        checks.instance(self.total, "total", Flops)
        for name in ("rows", "unknown", "partial"):
            checks.instance(getattr(self, name), name, list)


def _add_up(layer, path, calls, report, repeat=None):
    rule, recorded = rule_for(layer), calls.get(id(layer), [])
    name = f"{path}/{layer.name}" if path else layer.name
    if rule is not None or not children(layer):
        if rule is None:
            report.unknown.append(f"{name} ({type(layer).__name__})")
        used = recorded[:1] * repeat if repeat else recorded
        flops = (
            sum((rule(layer, shapes, out) for shapes, out in used), Flops()) if rule else Flops()
        )
        report.rows.append(
            {
                "layer": name,
                "kind": type(layer).__name__,
                "output_shape": recorded[0][1][1:] if recorded else None,
                "params": layer.count_params() if layer.built else 0,
                "flops": flops.total,
                "multiply_add_flops": flops.multiply_add,
                "counted": rule is not None,
            }
        )
        report.total = report.total + flops
        return
    if not is_keras_builtin(layer) and path is not None:
        report.partial.append(f"{name} ({type(layer).__name__})")
    if type(layer).__name__ in ("RNN", "TimeDistributed") and recorded:
        repeat = (repeat or 1) * recorded[0][0][0][1]  # the cell runs once per time step
    for child in children(layer):
        _add_up(child, "" if path is None else name, calls, report, repeat)
    for operation in getattr(layer, "operations", []):  # keras.ops calls in a functional graph
        if not isinstance(operation, keras.Layer) and type(operation).__name__ not in ZERO_FLOP_OPS:
            report.unknown.append(f"{name}/{operation.name} (operation {type(operation).__name__})")


def add_up(model, calls):
    """Forward FLOPs per sample of ``model`` from its traced calls (:func:`trace_calls`), layer by
    layer with the rules of :mod:`bigmodel_utils.flop_rules`: a :class:`FlopReport`."""
    check_model(model)
    checks.mapping(calls, "calls")
    report = FlopReport(Flops(), [], [], [])
    _add_up(model, None, calls, report)
    return report


def sample_inputs(model, input_shape=None):
    """Zeros of batch 1 matching ``model.inputs`` (or ``input_shape``, one sample's shape).

    Raises:
        ValueError: if a model input has an unknown size and ``input_shape`` is not given.
    """
    check_model(model)
    if input_shape is not None and not isinstance(input_shape, list):
        checks.int_tuple(input_shape, "input_shape")
    elif input_shape is not None:
        [
            checks.int_tuple(shape, "input_shape[i]")
            for shape in checks.non_empty(input_shape, "input_shape")
        ]
    if input_shape is not None:
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        dtypes = [getattr(t, "dtype", "float32") for t in getattr(model, "inputs", None) or shapes]
    else:
        symbolic = getattr(model, "inputs", None)
        if not symbolic:
            raise ValueError("input_shape: the model has no keras.Input; pass one sample's shape")
        shapes, dtypes = [tuple(t.shape[1:]) for t in symbolic], [t.dtype for t in symbolic]
        if any(d is None for shape in shapes for d in shape):
            raise ValueError(
                f"input_shape: the model's input {shapes} has unknown sizes; "
                "pass one sample's shape, e.g. input_shape=(50, 8)"
            )
    arrays = [np.zeros((1, *shape), dtype=str(dtype)) for shape, dtype in zip(shapes, dtypes)]
    return arrays[0] if len(arrays) == 1 else arrays
