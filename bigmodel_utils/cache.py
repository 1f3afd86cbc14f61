"""Files that heal: caches and results written all-or-nothing, checked when read, rebuilt.

Every file the package keeps between runs (the parsed offline MNIST split, a chapter's
results) goes through here. A write goes to a temporary file in the same folder, is flushed
to disk and renamed over the old file in one step, and the temporary file is removed on every
failure path. A read never unpickles anything (``allow_pickle=False``); an array cache carries
a SHA-256 checksum of its arrays, and one that is truncated, garbage, foreign or altered is
reported with its path, moved aside and rebuilt. A folder that cannot be written means the
data is used from memory, and the reader is told so. NumPy only (no TensorFlow import).
"""

import contextlib
import hashlib
import os
import pathlib
import re
import zipfile

import numpy as np

from bigmodel_utils import checks

CHECKSUM_KEY = "sha256"
BROKEN_SUFFIX = ".broken"
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def env_path(variable, default):
    """The folder named by environment ``variable``, or ``default`` when it is unset or empty.

    An empty value (``BIGMODEL_RESULTS=''``) counts as unset: it must never mean "the
    current folder".
    """
    checks.string(variable, "variable")
    checks.instance(default, "default", (str, os.PathLike))
    value = os.environ.get(variable, "")
    return pathlib.Path(value).expanduser() if value.strip() else pathlib.Path(default)


def safe_name(name, what="name"):
    """``name`` if it is a plain file name that stays inside its folder (no ``..``, no ``/``)."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, got {type(name).__name__} {name!r}")
    if not SAFE_NAME.fullmatch(name) or ".." in name:
        raise ValueError(
            f"{what} must be a plain name (letters, digits, '_', '-', '.'; no path separators, "
            f"no '..', not absolute), got {name!r}"
        )
    return name


def checksum(arrays):
    """SHA-256 of a dict of arrays: every key, dtype, shape and byte, in key order."""
    checks.mapping(arrays, "arrays")
    digest = hashlib.sha256()
    for key in sorted(arrays):
        value = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}|{value.dtype.str}|{value.shape}|".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def write_atomically(path, write):
    """Call ``write(file)`` on a temporary file next to ``path``, fsync it, rename it to ``path``.

    Either ``path`` holds the complete new content or it is untouched; the temporary file is
    removed whatever fails (the write, the fsync or the rename).
    """
    checks.instance(path, "path", (str, os.PathLike))
    checks.function(write, "write")
    path = pathlib.Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def set_aside(path, problem):
    """Report a broken file with its path and move it aside (``.broken``) so it is rebuilt."""
    checks.instance(path, "path", (str, os.PathLike))
    checks.string(problem, "problem")
    path = pathlib.Path(path)
    target = path.with_name(path.name + BROKEN_SUFFIX)
    try:
        os.replace(path, target)
        where = f"moved to {target}"
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
        where = "removed" if not path.exists() else "left in place (cannot move it)"
    print(f"note: the file {path} was broken ({problem}); {where}, it will be rebuilt")


def save_arrays(path, arrays):
    """Cache a dict of arrays as a compressed ``.npz`` with their checksum; True if written.

    A folder that cannot be written (read-only, full, missing rights) is not an error: the
    caller keeps the arrays in memory and a note says so.
    """
    checks.instance(path, "path", (str, os.PathLike))
    checks.non_empty(checks.mapping(arrays, "arrays"), "arrays")
    path = pathlib.Path(path)
    content = {**arrays, CHECKSUM_KEY: np.array(checksum(arrays))}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda file: np.savez_compressed(file, **content))
    except OSError as error:
        print(f"note: cannot write the cache {path} ({error}); working in memory")
        return False
    return True


def load_arrays(path, keys, validate=None):
    """The arrays cached at ``path`` by :func:`save_arrays`, or None if missing or broken.

    Broken means: not a readable ``.npz`` (truncated, garbage), pickled content, a missing
    key or checksum, a checksum that does not match, or ``validate(arrays)`` returning a
    complaint (a str: wrong shape, dtype or label range). A broken file is reported with its
    path and moved aside, so the caller rebuilds it.
    """
    checks.instance(path, "path", (str, os.PathLike))
    [checks.string(key, "keys[i]") for key in checks.non_empty(keys, "keys")]
    if validate is not None:
        checks.function(validate, "validate")
    path = pathlib.Path(path)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            missing = [key for key in (*keys, CHECKSUM_KEY) if key not in stored.files]
            if missing:
                problem = f"it lacks {missing}"
            else:
                arrays = {key: stored[key] for key in keys}
                same = str(stored[CHECKSUM_KEY]) == checksum(arrays)
                problem = None if same else "its checksum does not match its arrays"
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        problem = f"it cannot be read: {type(error).__name__}: {error}"
    if problem is None and validate is not None:
        problem = validate(arrays)
    if problem:
        set_aside(path, problem)
        return None
    return arrays
