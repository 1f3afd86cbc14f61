"""Chapter 2's Fashion-MNIST: all 70,000 images, from Keras or from Debian's package.

Chapter 2 needs a harder task than MNIST and a 10,000-image test set to settle its verdicts.
The real Keras loader reads the four files; without a network they come from Debian's package
``dataset-fashion-mnist`` (the same files). Broken or foreign files are set aside and fetched
again; nothing is ever synthesised.
"""

import dataclasses
import os
import pathlib

import numpy as np

from bigmodel_utils import cache, checks, data

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
        data.check_split(self)

    def describe(self):
        """One line naming the source and the split sizes."""
        return (
            f"data: Fashion-MNIST ({self.source}); train {len(self.x_train):,}, "
            f"test {len(self.x_test):,}"
        )


def _from_debian(folder):
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


def _problem(arrays):
    """What is wrong with loaded Fashion-MNIST arrays (shape, dtype, label range), or None."""
    (x_train, y_train), (x_test, y_test) = arrays
    for name, x, y, n in (("train", x_train, y_train, 60000), ("test", x_test, y_test, 10000)):
        if x.dtype != np.uint8 or x.shape != (n, 28, 28):
            return f"x_{name} is {x.dtype} {x.shape}, not uint8 ({n}, 28, 28)"
        if y.shape != (n,) or not np.isin(y, np.arange(10)).all():
            return f"y_{name} is not {n} labels 0..9"
    return None


def _checked(folder):
    """Keras' Fashion-MNIST arrays, or OSError after setting aside cached files that are broken."""
    try:
        arrays = _keras()
        problem = _problem(arrays)
    except Exception as error:  # truncated or garbage .gz files, or no network
        arrays, problem = None, f"{type(error).__name__}: {error}"
    if problem is not None:
        for path in (folder / name for name in FASHION_FILES):
            if path.exists():
                cache.set_aside(path, problem)
        raise OSError(problem)
    return arrays


def _keras():
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
    for name, size in (("train_size", train_size), ("test_size", test_size)):
        if size is not None:
            checks.positive_int(size, name)
    folder = data.cache_dir() / "fashion-mnist"
    if all((folder / name).exists() for name in FASHION_FILES):
        source = "keras.datasets, cached files"
    else:
        source = "keras.datasets, downloaded"
    checks.non_negative_int(seed, "seed")
    checks.boolean(verbose, "verbose")
    try:
        arrays = _checked(folder)
    except Exception as keras_error:  # no network and no cached files, or broken ones
        try:
            _from_debian(folder)
            arrays, source = _checked(folder), f"Debian package {FASHION_DEBIAN_PACKAGE}"
        except Exception as debian_error:
            raise OSError(
                "Fashion-MNIST is not available: keras.datasets.fashion_mnist.load_data() "
                f"could not download it ({keras_error}), and Debian's package failed "
                f"({debian_error}). Either give this machine a network, or run "
                f"`apt-get download {FASHION_DEBIAN_PACKAGE}` and `dpkg-deb -x` it, then copy "
                f"the four files of {FASHION_DEBIAN_FOLDER} into {folder}."
            ) from debian_error
    (x_train, y_train), (x_test, y_test) = arrays
    halves = data.take(
        (x_train, y_train, x_test, y_test), train_size, test_size, seed, "Fashion-MNIST"
    )
    fashion = FashionMNIST(*halves, source)
    if verbose:
        print(fashion.describe())
    return fashion
