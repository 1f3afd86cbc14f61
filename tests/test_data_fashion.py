"""Tests of fashion_mnist.load_fashion_mnist: Keras first, Debian's package next, never made up."""

import shutil

import numpy as np
import pytest

from bigmodel_utils import fashion_mnist


def no_network():
    raise Exception("URL fetch failure: Name or service not known")


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch, tmp_path):
    """Each test its own KERAS_HOME: tiny test arrays must never set the real files aside."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))


def accept_tiny(monkeypatch):
    """Let the 20 / 10 tiny arrays pass the loader's check for the real 60,000 / 10,000."""
    monkeypatch.setattr(fashion_mnist, "_problem", lambda arrays: None)


def tiny_arrays():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(20, 28, 28), dtype=np.uint8)
    labels = np.arange(20, dtype=np.uint8) % 10
    return (images, labels), (images[:10], labels[:10])


def test_keras_loader_is_used_when_it_works(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    accept_tiny(monkeypatch)
    monkeypatch.setattr(fashion_mnist, "_keras", tiny_arrays)
    monkeypatch.setattr(fashion_mnist, "_from_debian", lambda folder: pytest.fail("not needed"))
    fashion = fashion_mnist.load_fashion_mnist()
    assert fashion.source == "keras.datasets, downloaded"  # no cached files in tmp_path
    assert fashion.x_train.shape == (20, 28, 28, 1) and fashion.x_train.dtype == np.float32
    assert fashion.y_test.dtype == np.int64 and 0.0 <= fashion.x_test.min() <= 1.0
    assert "Fashion-MNIST (keras.datasets, downloaded)" in capsys.readouterr().out
    assert len(fashion.class_names) == 10


def test_neither_source_raises_naming_both_ways(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(fashion_mnist, "_keras", no_network)

    def no_archive(folder):
        raise OSError("apt-get download dataset-fashion-mnist failed: Unable to locate package")

    monkeypatch.setattr(fashion_mnist, "_from_debian", no_archive)
    with pytest.raises(OSError) as error:
        fashion_mnist.load_fashion_mnist()
    message = str(error.value)
    assert "network" in message and "apt-get download dataset-fashion-mnist" in message
    assert str(tmp_path / "datasets" / "fashion-mnist") in message


def test_no_apt_get_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(OSError, match="apt-get and dpkg-deb"):
        fashion_mnist._from_debian(tmp_path)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"train_size": 0}, ValueError, "train_size"),
        ({"test_size": 2.5}, TypeError, "test_size"),
        ({"train_size": 60_001}, ValueError, "larger than"),
    ],
)
def test_bad_sizes(monkeypatch, kwargs, error, match):
    accept_tiny(monkeypatch)
    monkeypatch.setattr(fashion_mnist, "_keras", tiny_arrays)
    with pytest.raises(error, match=match):
        fashion_mnist.load_fashion_mnist(**kwargs)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("apt-get") is None, reason="Debian's archive needs apt-get")
def test_offline_machine_gets_the_real_data_from_debian(monkeypatch, tmp_path, capsys):
    """The real path: Keras cannot download, Debian's package provides the very files."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    real_keras = fashion_mnist._keras
    calls = []

    def offline_first(*args):
        calls.append(1)
        if len(calls) == 1:
            no_network()  # the first call plays a machine without a network
        return real_keras()

    monkeypatch.setattr(fashion_mnist, "_keras", offline_first)
    fashion = fashion_mnist.load_fashion_mnist()
    assert fashion.source == "Debian package dataset-fashion-mnist"
    assert fashion.x_train.shape == (60_000, 28, 28, 1) and fashion.x_test.shape == (
        10_000,
        28,
        28,
        1,
    )
    np.testing.assert_array_equal(np.bincount(fashion.y_test), [1000] * 10)
    assert "Debian package" in capsys.readouterr().out
    for name in fashion_mnist.FASHION_FILES:  # the Keras loader now finds them offline
        assert (tmp_path / "datasets" / "fashion-mnist" / name).stat().st_size > 0
    again = fashion_mnist.load_fashion_mnist(test_size=100, verbose=False)
    assert again.source == "keras.datasets, cached files" and len(again.y_test) == 100
