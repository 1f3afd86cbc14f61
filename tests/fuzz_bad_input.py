"""Count how the package answers careless calls: raised clearly, raised opaquely, or silent.

Run: ``python tests/fuzz_bad_input.py`` (with the package importable). For every function that
has a row in the bad-input tables (``tests/test_bad_input_*.py``), it takes the table's good
call and, one argument at a time, swaps the good value for careless values of the wrong kind,
chosen from the good value alone: for an int a bool, a str, a negative number and NaN; for a
float NaN, inf, a str and a bool; for a bool a str; for a str a number; for an array an empty
array, one with an extra axis, one full of NaN and an array of strings; for a Keras object a str
and a number. Each call is classed as

- clear: ``ValueError``/``TypeError`` whose message names the argument;
- opaque: any other exception, or a message that does not name the argument;
- silent: it returned.

Functions whose good call trains, loads data or starts processes (the tables' ``HEAVY``) are
skipped, as are functions the tables name but the package lacks. The numbers are comparable
between two versions of the package run against the same tables.
"""

import collections
import contextlib
import glob
import importlib.util
import io
import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import badinput  # noqa: E402


def careless_values(good):
    """Values of the wrong kind for an argument whose good value is ``good``."""
    if isinstance(good, (bool, np.bool_)):
        return ["yes"]
    if isinstance(good, (int, np.integer)):
        return [True, str(good), -3, float("nan")]
    if isinstance(good, float):
        return [float("nan"), float("inf"), str(good), True]
    if isinstance(good, str):
        return [3]
    if isinstance(good, np.ndarray) and good.dtype.kind in "biuf":
        empty = np.zeros((0, *good.shape[1:]), good.dtype)
        values = [empty, good[None], np.full(good.shape, "a")]
        return values + ([np.full(good.shape, np.nan)] if good.dtype.kind == "f" else [])
    if isinstance(good, badinput.Lazy):
        return ["model", 3]
    return []


def tables():
    """Every table and HEAVY set of the ``test_bad_input_*.py`` files."""
    for path in sorted(glob.glob(os.path.join(HERE, "test_bad_input_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module.TABLE, set(getattr(module, "HEAVY", ()))


def classify(qualified, good, argument, value):
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            badinput.call(qualified, good, argument, value)
    except (ValueError, TypeError) as error:
        return "clear" if argument in str(error) else "opaque"
    except Exception:
        return "opaque"
    return "silent"


def main():
    counts, silent, skipped, functions = collections.Counter(), [], [], 0
    for table, heavy in tables():
        for qualified, (good, _) in table.items():
            if qualified in heavy:
                skipped.append(qualified)
                continue
            try:
                badinput.target(qualified)
                with contextlib.redirect_stdout(io.StringIO()):
                    badinput.call(qualified, good)
            except Exception:
                skipped.append(qualified)  # missing here, or its good call fails here
                continue
            functions += 1
            for argument, value in good.items():
                for bad in careless_values(value):
                    verdict = classify(qualified, good, argument, bad)
                    counts[verdict] += 1
                    if verdict == "silent":
                        silent.append(f"{qualified}({argument}={bad!r:.30})")
    total = sum(counts.values())
    print(f"{functions} functions, {total} careless calls: {counts['clear']} raised clearly, "
          f"{counts['opaque']} opaquely, {counts['silent']} returned silently; "
          f"{len(skipped)} functions skipped")  # fmt: skip
    for line in silent:
        print("  silent:", line)


if __name__ == "__main__":
    main()
