"""Run profiles, seeds and the setup banner every chapter prints first.

The book runs in one of two profiles, chosen by one environment variable,
``BIGMODEL_PROFILE``, read here and nowhere else:

* ``quick`` -- CPU, continuous integration: the offline MNIST subset, few epochs,
  the whole book executes in minutes;
* ``full`` -- GPU (Colab): all of MNIST, more epochs, more seeds;
* ``auto`` (the default) -- ``full`` when a GPU is visible, else ``quick``.

A chapter asks for its settings with :func:`choose`, e.g.
``epochs = choose(quick=3, full=12)``.
"""

import math
import numbers
import os
import platform

import keras

from bigmodel_utils import cache, checks

PROFILE_VARIABLE = "BIGMODEL_PROFILE"
PROFILES = ("quick", "full")


def gpu_names():
    """Names of the GPUs TensorFlow can see (empty list on a CPU machine)."""
    import tensorflow as tf

    return [device.name for device in tf.config.list_physical_devices("GPU")]


def active_profile():
    """The profile in force: ``"quick"`` or ``"full"``.

    Reads ``BIGMODEL_PROFILE`` (``quick``, ``full`` or ``auto``; default ``auto``).

    Raises:
        ValueError: if the variable holds anything else.
    """
    requested = os.environ.get(PROFILE_VARIABLE, "auto").strip().lower() or "auto"
    if requested == "auto":
        return "full" if gpu_names() else "quick"
    if requested not in PROFILES:
        raise ValueError(
            f"{PROFILE_VARIABLE} must be one of 'quick', 'full' or 'auto', got {requested!r}"
        )
    return requested


def _setting_kind(value):
    """What kind of setting ``value`` is, so that ``quick`` and ``full`` can be compared."""
    if isinstance(value, (bool, str, dict)):
        return type(value).__name__
    if isinstance(value, numbers.Real):
        return "number"
    return "sequence" if isinstance(value, (list, tuple)) else type(value).__name__


def choose(quick, full):
    """Return ``quick`` or ``full`` according to the active profile.

    Both must be settings of one kind (numbers, bools, strings, sequences or dicts; ``None`` for
    "no limit" goes with any), so that a slip such as ``choose(quick=3, full="12")`` fails in
    the quick profile too, not only on a GPU.
    """
    for value, name in ((quick, "quick"), (full, "full")):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
    if quick is not None and full is not None and _setting_kind(quick) != _setting_kind(full):
        raise TypeError(
            f"quick and full must be settings of one kind, got {type(quick).__name__} "
            f"{quick!r:.40} and {type(full).__name__} {full!r:.40}"
        )
    return full if active_profile() == "full" else quick


def set_seed(seed):
    """Seed Python, NumPy and Keras, and make TensorFlow ops deterministic.

    Two runs with the same seed on the same machine print the same numbers.

    Raises:
        TypeError: if ``seed`` is not an int.
        ValueError: if ``seed`` is negative.
    """
    checks.non_negative_int(seed, "seed")
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend
    tf.config.experimental.enable_op_determinism()


def describe_device(lang="en"):
    """One line naming the device the chapter trains on, in English (``en``) or Chinese (``zh``)."""
    checks.one_of(lang, "lang", ("en", "zh"))
    gpus = gpu_names()
    if gpus:
        names = ", ".join(gpus)
        return f"GPU x{len(gpus)} ({names})" if lang == "en" else f"GPU ×{len(gpus)}（{names}）"
    cores, machine = os.cpu_count(), platform.machine()
    return f"CPU ({cores} cores, {machine})" if lang == "en" else f"CPU（{cores} 核，{machine}）"


def banner(seed=0):
    """Seed everything and print the chapter's setup lines; return them as a dict.

    Every chapter calls this in its setup cell, before it loads any data
    (the data loader prints its own line naming the data source).
    """
    checks.non_negative_int(seed, "seed")
    import tensorflow as tf

    set_seed(seed)
    info = {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "device": describe_device(),
        "profile": active_profile(),
        "seed": seed,
    }
    print(
        f"TensorFlow {info['tensorflow']} | Keras {info['keras']} ({info['backend']}) | "
        f"device: {info['device']} | profile: {info['profile']} | seed: {seed}"
    )
    return info


def glue(name, value, display=True):
    """Store ``value`` under ``name`` for the book's ``{glue}`` roles.

    Uses ``myst_nb.glue`` when the book is being built; elsewhere (Colab, a plain
    Jupyter) it just shows the value, so the same notebook runs everywhere.
    """
    checks.string(name, "name")
    checks.boolean(display, "display")
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()  # a NumPy scalar: glue its Python number, so format specs work
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(
            f"value of {name!r} must be a finite number to stand in prose, got {value}"
        )
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return value
    myst_glue(name, value, display=display)
    return value


def results_dir():
    """Folder where chapters leave their headline numbers for later chapters (the FAQ).

    ``$BIGMODEL_RESULTS`` if set and not empty, else ``~/.cache/bigmodel_utils/results``.
    """
    import pathlib

    default = pathlib.Path.home() / ".cache" / "bigmodel_utils" / "results"
    return cache.env_path("BIGMODEL_RESULTS", default)


def save_results(chapter, values):
    """Save a chapter's headline numbers (a flat dict of JSON values) under ``chapter``.

    The file records the profile, so a reader never mixes quick and full numbers.

    Raises:
        ValueError / TypeError: ``chapter`` is not a plain file name (``'../x'``, ``'/tmp/x'``
            and ``'a/b'`` cannot leave the results folder) or ``values`` is not a non-empty dict.

    Returns:
        True when saved; False (and a note naming the folder) when the folder cannot be
        written, so a chapter still runs on a read-only machine.
    """
    import json

    cache.safe_name(chapter, "chapter")
    checks.mapping(values, "values")
    checks.non_empty(values, "values")
    folder = results_dir()
    record = json.dumps({"profile": active_profile(), "values": values}, indent=1, default=float)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        cache.write_atomically(folder / f"{chapter}.json", lambda file: file.write(record.encode()))
    except OSError as error:  # all or nothing: the old file, if any, is intact
        print(f"note: cannot save the results of {chapter!r} into {folder} ({error}); "
              "later chapters will ask for this chapter to be run again")  # fmt: skip
        return False
    return True


def load_results(chapter):
    """The numbers a chapter saved with :func:`save_results` in the active profile.

    Raises:
        FileNotFoundError: if that chapter has not been run yet (run it first).
        ValueError: if it was run in another profile.
    """
    import json

    path = results_dir() / f"{cache.safe_name(chapter, 'chapter')}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no results for chapter {chapter!r} in {path.parent}: run that chapter first"
        )
    try:
        record = json.loads(path.read_text())
        if not isinstance(record, dict) or not isinstance(record.get("values"), dict):
            raise ValueError("it does not hold a profile and a dict of values")
    except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
        cache.set_aside(path, f"not a results file: {error}")
        raise FileNotFoundError(
            f"the results of chapter {chapter!r} in {path} were broken and have been set aside: "
            "run that chapter again"
        ) from error
    if record.get("profile") != active_profile():
        raise ValueError(
            f"results of {chapter!r} come from the {record.get('profile')!r} profile, "
            f"not the active {active_profile()!r}: run that chapter again"
        )
    return record["values"]
