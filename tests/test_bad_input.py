"""Every public function of the package has rows in a bad-input table (``test_bad_input_*.py``).

A new function without rows fails here, so its bad-input behaviour is written down when it is
written. Exempt: the checks themselves (``checks``, ``figure_checks``, ``tensor_checks``:
``tests/test_checks.py`` is their table) and functions without parameters (nothing to pass badly).
``PENDING`` lists, by name, what has no rows yet; it may only shrink: an entry that gains rows must
leave it.
"""

import glob
import importlib.util
import inspect
import os

import badinput

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS_PER_FUNCTION = 3
CHECK_MODULES = ("checks", "figure_checks", "tensor_checks")  # their table is tests/test_checks.py

PENDING = set()  # no rows yet (see the module docstring)


def _tables():
    merged = {}
    for path in sorted(glob.glob(os.path.join(HERE, "test_bad_input_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        overlap = merged.keys() & module.TABLE.keys()
        assert not overlap, f"{os.path.basename(path)} repeats rows of {sorted(overlap)}"
        merged.update(module.TABLE)
    return merged


def _needs_rows(qualified):
    if qualified.split(".")[0] in CHECK_MODULES:
        return False
    return bool(inspect.signature(badinput.target(qualified)).parameters)


def test_every_public_function_has_bad_input_rows():
    table = _tables()
    public = [q for q in badinput.public_functions() if _needs_rows(q) and q not in PENDING]
    missing = [q for q in public if q not in table]
    thin = [q for q in public if q in table and len(table[q][1]) < ROWS_PER_FUNCTION]
    assert not missing, f"no bad-input rows for {missing}: add them to a test_bad_input_*.py table"
    assert not thin, f"fewer than {ROWS_PER_FUNCTION} bad-input rows for {thin}"


def test_the_table_names_only_existing_functions_and_pending_only_uncovered_ones():
    table, public = _tables(), set(badinput.public_functions())
    assert not table.keys() - public, f"rows for unknown functions {sorted(table.keys() - public)}"
    assert not PENDING - public, f"PENDING names unknown functions {sorted(PENDING - public)}"
    assert not PENDING & table.keys(), f"covered now, remove from PENDING: {PENDING & table.keys()}"
