"""The argument checks: what each accepts (and returns), and what it refuses with which words."""

import subprocess
import sys

import numpy as np
import pytest

from bigmodel_utils import checks, figure_checks


class Layer:  # stand-ins for Keras classes: checks.keras_layer compares class names
    pass


class Dense(Layer):
    pass


class Model(Layer):
    pass


class Table(dict):  # a stand-in for a pandas DataFrame: figure_checks.columns reads ``columns``
    @property
    def columns(self):
        return list(self)


GOOD = [
    (checks.positive_int, (3, "n"), 3),
    (checks.positive_int, (np.int64(2), "n"), 2),
    (checks.non_negative_int, (0, "seed"), 0),
    (checks.integer, (5, "k", 2, 5), 5),
    (checks.finite_float, (2, "x"), 2.0),
    (checks.positive_float, (0.5, "T"), 0.5),
    (checks.non_negative_float, (0.0, "noise"), 0.0),
    (checks.probability, (1.0, "alpha"), 1.0),
    (checks.fraction, (0.2, "test_size"), 0.2),
    (checks.boolean, (np.bool_(True), "flag"), True),
    (checks.string, ("relu", "f"), "relu"),
    (checks.one_of, ("same", "padding", ("valid", "same")), "same"),
    (checks.int_tuple, ([28, 28, 1], "input_shape"), (28, 28, 1)),
    (checks.pair, (3, "stride"), (3, 3)),
    (checks.pair, ((2, 1), "stride"), (2, 1)),
    (checks.mapping, ({"a": 1}, "numbers", ("a",)), {"a": 1}),
    (checks.non_empty, ([1], "runs"), [1]),
    (figure_checks.strings, (("a", "b"), "titles", 2), ["a", "b"]),
    (figure_checks.records, (({"a": 1},), "rows", ("a",)), [{"a": 1}]),
]


@pytest.mark.parametrize("check, args, expected", GOOD)
def test_a_good_value_is_returned_converted(check, args, expected):
    result = check(*args)
    assert result == expected and type(result) is type(expected)


BAD = [
    (checks.positive_int, (-3, "filters"), ValueError, r"filters must be a positive int, got -3"),
    (checks.positive_int, (0, "filters"), ValueError, "filters must be a positive int"),
    (checks.positive_int, (True, "filters"), TypeError, "filters must be a positive int, got bool"),
    (checks.positive_int, ("4", "units"), TypeError, "units must be a positive int, got str '4'"),
    (checks.positive_int, (2.0, "units"), TypeError, "units .* got 2.0"),
    (checks.non_negative_int, (-1, "seed"), ValueError, "seed must be a non-negative int"),
    (checks.integer, (6, "k", 2, 5), ValueError, r"k must be an int in \[2, 5\]"),
    (checks.finite_float, (float("nan"), "x"), ValueError, "x must be a finite number"),
    (checks.finite_float, (float("inf"), "x"), ValueError, "x must be a finite number"),
    (checks.finite_float, ("1", "x"), TypeError, "x must be a real number"),
    (checks.finite_float, (False, "x"), TypeError, "x must be a real number, got bool"),
    (checks.positive_float, (0.0, "T"), ValueError, r"T must be a number > 0.0, got 0.0"),
    (checks.probability, (1.5, "alpha"), ValueError, r"alpha must be a number in \[0.0, 1.0\]"),
    (checks.fraction, (1.0, "test_size"), ValueError, r"test_size .* \(0.0, 1.0\)"),
    (checks.boolean, (1, "flag"), TypeError, "flag must be True or False"),
    (checks.string, (3, "name"), TypeError, "name must be a str"),
    (checks.string, ("", "name"), ValueError, "name must be a non-empty str"),
    (checks.one_of, ("full", "padding", ("valid", "same")), ValueError, "padding must be one of"),
    (checks.one_of, (np.ones(2), "padding", ("valid",)), ValueError, "padding must be one of"),
    (checks.function, (3, "loss"), TypeError, "loss must be callable"),
    (checks.int_tuple, ((28, 0), "input_shape"), ValueError, r"input_shape\[1\]"),
    (checks.int_tuple, ((28, 28), "input_shape", 3), ValueError, "input_shape must have 3"),
    (checks.int_tuple, ("28", "input_shape"), TypeError, "input_shape must be a tuple"),
    (checks.pair, ((1, 2, 3), "stride"), TypeError, "stride must be an int or a pair"),
    (checks.pair, ((1, -1), "stride"), ValueError, "stride"),
    (checks.array, ("abc", "x"), TypeError, "x must be an array"),
    (checks.array, (None, "x"), TypeError, "x must be an array"),
    (checks.array, ([[1], [2, 3]], "x"), TypeError, "x must be an array"),
    (checks.array, (np.array(["a"]), "x"), TypeError, "x must be a numeric array"),
    (checks.array, (np.ones((2, 2)), "x", 3), ValueError, r"x must have 3 dimensions.*\(2, 2\)"),
    (checks.array, (np.ones((2, 2)), "x", (1, 3)), ValueError, "x must have 1 or 3 dimensions"),
    (checks.array, (np.ones((2, 2)), "x", "2"), TypeError, "ndim must be"),
    (
        checks.array,
        (np.zeros((0, 3)), "x"),
        ValueError,
        r"x must have at least 1 element.*\(0, 3\)",
    ),
    (checks.array, (np.array([1.0, np.nan]), "x"), ValueError, "x must be finite"),
    (checks.array, (np.ones(2), "x", 1, "int"), TypeError, "x must be a int array"),
    (checks.array, (np.ones(2), "x", 1, "complex"), ValueError, "dtype_kind"),
    (checks.shape, (np.ones((2, 3)), "W", (3, None)), ValueError, r"W must have shape \(3, any\)"),
    (checks.matching, (3, "x's features", 4, "W's rows"), ValueError, r"x's features \(3\)"),
    (checks.same_shape, (np.ones(2), "a", np.ones(3), "b"), ValueError, "a and b must have"),
    (
        checks.labels,
        (np.array([0, -1]), "y", 10),
        ValueError,
        r"y must hold class labels in \[0, 9\]",
    ),
    (checks.labels, (np.array([0, 10]), "y", 10), ValueError, "y must hold class labels"),
    (checks.labels, (np.array([0.5]), "y"), TypeError, "y must hold integer class labels"),
    (checks.labels, (np.array([True]), "y"), TypeError, "y must hold integer class labels"),
    (checks.labels, (np.ones((2, 2), int), "y"), ValueError, "y must have 1 dimensions"),
    (checks.keras_layer, (Dense(), "simple_rnn", "SimpleRNN"), TypeError, "a Keras SimpleRNN"),
    (checks.keras_layer, (3, "layer"), TypeError, "layer must be a Keras Layer"),
    (checks.keras_model, (Dense(), "model"), TypeError, "model must be a Keras Model"),
    (checks.instance, (3, "path", str), TypeError, "path must be a str"),
    (checks.mapping, ([], "numbers"), TypeError, "numbers must be a dict"),
    (checks.mapping, ({}, "numbers", ("a",)), ValueError, r"numbers is missing the key\(s\)"),
    (checks.non_empty, ([], "runs"), ValueError, "runs must not be empty"),
    (checks.non_empty, ("ab", "runs"), TypeError, "runs must be a list"),
    (figure_checks.strings, ("ab", "titles"), TypeError, "titles must be a list of str"),
    (figure_checks.strings, (["a", 3], "titles"), TypeError, r"titles\[1\] must be a str"),
    (figure_checks.strings, (["a"], "titles", 2), ValueError, "titles must hold 2 entries, got 1"),
    (figure_checks.arrays, ({"a": 1}, "maps"), TypeError, "maps must be a list of arrays"),
    (figure_checks.arrays, ([], "maps"), ValueError, "maps must not be empty"),
    (
        figure_checks.arrays,
        ([np.ones(2)], "maps", 2),
        ValueError,
        r"maps\[0\] must have 2 dimensions",
    ),
    (figure_checks.records, ({"a": 1}, "rows", ("a",)), TypeError, "rows must be a list of dicts"),
    (figure_checks.records, ([{"b": 1}], "rows", ("a",)), ValueError, r"rows\[0\] is missing"),
    (figure_checks.curves, ({}, "curves"), ValueError, "curves must not be empty"),
    (
        figure_checks.curves,
        ({"a": [1.0, np.nan]}, "curves"),
        ValueError,
        r"curves\['a'\] must be finite",
    ),
    (
        figure_checks.curves,
        ({"a": [1.0]}, "curves", 2),
        ValueError,
        r"curves\['a'\] must hold 2 values",
    ),
    (figure_checks.columns, ({"a": [1]}, "table", ("a",)), TypeError, "table must be a table"),
    (
        figure_checks.columns,
        (Table(b=[1.0]), "table", ("a",)),
        ValueError,
        r"missing the column\(s\)",
    ),
    (
        figure_checks.columns,
        (Table(a=["x"]), "table", ("a",)),
        TypeError,
        r"table\['a'\] must be a nume",
    ),
]


@pytest.mark.parametrize("check, args, error, words", BAD)
def test_a_bad_value_raises_naming_the_argument(check, args, error, words):
    with pytest.raises(error, match=words):
        check(*args)


def test_arrays_come_back_unchanged_and_inf_is_allowed_on_request():
    x = np.arange(6.0).reshape(2, 3)
    assert checks.array(x, "x", 2) is x
    assert checks.array([-np.inf, 0.0], "mask", 1, finite=False).shape == (2,)
    assert checks.array(np.zeros(0), "x", min_size=0).size == 0
    assert checks.labels([1.0, 2.0], "y", 3).dtype == np.int64


def test_keras_classes_are_recognised_by_name_along_the_mro():
    assert isinstance(checks.keras_layer(Model(), "model", "Layer"), Model)
    assert isinstance(checks.keras_model(Model(), "model"), Model)
    assert isinstance(checks.keras_layer(Dense(), "layer", (Dense, "LSTM")), Dense)


def test_the_checks_import_no_tensorflow_or_keras():
    code = (
        "import sys, bigmodel_utils.checks, bigmodel_utils.figure_checks; m = sys.modules; "
        "print('tensorflow' in m, 'keras' in m)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_tensor_checks_check_values_eagerly_and_only_shapes_in_a_traced_step():
    import tensorflow as tf

    from bigmodel_utils import tensor_checks

    assert tensor_checks.shape(np.zeros((2, 3), np.float32), "x", rank=2) == (2, 3)
    assert tensor_checks.has_values(tf.zeros(2)) and tensor_checks.has_values(np.zeros(2))
    for value, error, words in [
        (
            np.zeros((2, 3), np.float32)[None],
            ValueError,
            r"x must have rank 2, got shape \(1, 2, 3\)",
        ),
        ([[1.0]], TypeError, "x must be an array or tensor"),
        (np.ndarray, TypeError, "x must be an array or tensor"),
        (tf.constant([[np.nan, 1.0]]), ValueError, "x must be finite"),
        (np.full((1, 2), "a"), TypeError, "x must be a float array"),
    ]:
        with pytest.raises(error, match=words):
            tensor_checks.shape(value, "x", rank=2)
    seen = []

    @tf.function(input_signature=[tf.TensorSpec((None, 3), tf.float32)])
    def step(x):
        seen.append((tensor_checks.has_values(x), tensor_checks.shape(x, "x", rank=2)))
        return x * 2.0

    graph = step.get_concrete_function().graph
    assert seen == [(False, (None, 3))]  # traced: the static shape, no values
    assert not {op.type for op in graph.get_operations()} & {"IsFinite", "IsNan", "All"}
    with pytest.raises(ValueError, match="x must have rank 2"):
        tf.function(lambda x: tensor_checks.shape(x, "x", rank=2))(tf.zeros((1, 2, 3)))
