"""The book on Colab: its versions, the declared dependencies, the pinned install, the fallbacks.

The executions themselves are in ``ci/colab_check.py`` (``make colab-check``); these tests check
what can be checked without building Colab's environment.
"""

import ast
import functools
import pathlib
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest
import tomllib
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import bigmodel_utils
from bigmodel_utils import deployment, faq, profile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "ci"))

import colab_check  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Import name -> distribution name, where they differ.
DISTRIBUTIONS = {
    "IPython": "ipython",
    "sklearn": "scikit-learn",
    "ai_edge_litert": "ai-edge-litert",
}
# Imported inside ``try: ... except ImportError`` with a fallback: used when present, never needed.
OPTIONAL = {"ai_edge_litert", "myst_nb"}
# Removed from the standard library by Python 3.13 (PEP 594, lib2to3): none may be imported.
REMOVED_IN_313 = set(
    "aifc audioop cgi cgitb chunk crypt imghdr mailcap msilib nis nntplib ossaudiodev pipes "
    "sndhdr spwd sunau telnetlib uu xdrlib lib2to3 imp distutils asynchat asyncore smtpd".split()
)


def declared():
    """{distribution: Requirement} of the package's dependencies and extras."""
    project = PYPROJECT["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    return {canonicalize_name(Requirement(line).name): Requirement(line) for line in lines}


@functools.cache  # read once for the tests that scan them
def sources():
    """(where, Python source) of every package module and every chapter's code cell."""
    found = [
        (path.name, path.read_text()) for path in sorted((ROOT / "bigmodel_utils").glob("*.py"))
    ]
    transform = TransformerManager().transform_cell  # %pip and %%magics -> plain Python
    for path in colab_check.chapters():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                found.append((path.name, transform(cell.source)))
    return tuple(found)


@functools.cache
def top_level_imports():
    """{top-level module: [where]} imported by the package and the chapters (do not change it)."""
    found = {}
    for where, source in sources():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(where)
    return found


def third_party_imports():
    return {
        name: where
        for name, where in top_level_imports().items()
        if name not in sys.stdlib_module_names and name != "bigmodel_utils"
    }


def test_the_scan_sees_what_the_chapters_import():
    imports = third_party_imports()
    assert {"keras", "numpy", "pandas", "tensorflow", "matplotlib", "mlxtend"} <= set(imports)
    assert any(where.endswith(".ipynb") for where in imports["pandas"])


def test_every_imported_module_is_declared():
    missing = {
        name: sorted(set(where))
        for name, where in third_party_imports().items()
        if name not in OPTIONAL
        and canonicalize_name(DISTRIBUTIONS.get(name, name)) not in declared()
    }
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_dataframe_style_brings_its_jinja2():
    uses_style = [where for where, source in sources() if re.search(r"\.style\b", source)]
    assert uses_style, "the scan no longer sees DataFrame.style: update this test"
    assert "jinja2" in declared(), f"{uses_style} use DataFrame.style, which needs Jinja2"


def test_nothing_removed_in_python_313_is_imported():
    used = {name: where for name, where in top_level_imports().items() if name in REMOVED_IN_313}
    assert not used, f"removed in Python 3.13: {used}"


def test_constraints_name_colab_and_its_date():
    header = colab_check.CONSTRAINTS.read_text()
    assert "googlecolab/backend-info" in header and "pip-freeze.gpu.txt" in header
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", header)


def test_colab_versions_lie_inside_the_declared_ranges():
    pins = colab_check.read_constraints()
    assert {"tensorflow", "keras", "numpy", "pandas", "jinja2", "ipython"} <= set(pins)
    outside = {
        name: (str(requirement.specifier), pins[name])
        for name, requirement in declared().items()
        if name in pins and not requirement.specifier.contains(pins[name], prereleases=True)
    }
    assert not outside, f"pyproject.toml excludes Colab's versions: {outside}"


def test_every_declared_and_imported_package_has_a_colab_version():
    pins = colab_check.read_constraints()
    wanted = set(declared()) | {
        canonicalize_name(DISTRIBUTIONS.get(name, name))
        for name in third_party_imports()
        if name not in OPTIONAL
    }
    assert not wanted - set(pins), f"no Colab version in the constraints for {wanted - set(pins)}"


def test_read_constraints_rejects_a_line_that_is_not_a_pin(tmp_path):
    bad = tmp_path / "constraints.txt"
    bad.write_text("# header\nnumpy>=2\n")
    with pytest.raises(ValueError, match="numpy>=2"):
        colab_check.read_constraints(bad)


def test_colab_environment_swaps_in_tensorflow_cpu():
    lines = colab_check.environment_requirements()
    assert "tensorflow-cpu==2.20.0" in lines and not any(
        line.startswith("tensorflow==") for line in lines
    )


def test_an_install_that_moves_a_colab_version_is_caught():
    pinned = {"keras": "3.13.2", "numpy": "2.1.3"}
    kept = {"keras": "3.13.2", "numpy": "2.1.3", "bigmodel-utils": "0.2.0"}
    assert colab_check.moved_versions(kept, kept, pinned) == {}
    upgraded = dict(kept, keras="3.15.1")
    assert colab_check.moved_versions(kept, upgraded, pinned) == {"keras": ("3.13.2", "3.15.1")}
    assert colab_check.moved_versions({}, {"numpy": "2.1.3"}, pinned) == {
        "keras": (None, None),
        "numpy": (None, "2.1.3"),
    }


def test_the_check_finds_the_english_chapters_from_the_table_of_contents(tmp_path):
    found = [path.name for path in colab_check.chapters()]
    assert found[-1] == "ch06_faq.ipynb" and "ch05_1_efficient.ipynb" in found
    for name in ("chapters/ch01_background", "zh/chapters/ch01_background", "execution"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f"{name}.ipynb").write_text("{}")
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: intro\nparts:\n  - chapters:\n"
        "      - file: chapters/ch01_background\n      - file: execution\n"
        "      - file: zh/chapters/ch01_background\n"
    )
    assert [path.name for path in colab_check.chapters(toc)] == ["ch01_background.ipynb"]


def test_pyproject_and_package_agree_on_the_version():
    assert PYPROJECT["project"]["version"] == bigmodel_utils.__version__
    assert re.fullmatch(r"[0-9a-f]{40}", bigmodel_utils.RELEASE), bigmodel_utils.RELEASE
    assert bigmodel_utils.INSTALL_REQUIREMENT.endswith(
        f"@ git+{bigmodel_utils.REPOSITORY}@{bigmodel_utils.RELEASE}"
    )


def _git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def _without_pin(source):
    return re.sub(r'(?m)^RELEASE = "[0-9a-f]*"$', "", source)


def test_the_pinned_commit_holds_this_package():
    """What the install cells install (the package at RELEASE) is what the book was built with."""
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout: no history to compare the pinned commit with")
    pinned = bigmodel_utils.RELEASE
    if _git("cat-file", "-e", f"{pinned}^{{commit}}").returncode != 0:
        if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
            pytest.skip(f"a shallow clone: the pinned commit {pinned} is not in it")
        pytest.fail(f"RELEASE names {pinned}, a commit this history lacks")
    changed = _git("diff", "--name-only", pinned, "--", "bigmodel_utils", "pyproject.toml")
    differing = [
        name
        for name in changed.stdout.split()
        if (ROOT / name).suffix in (".py", ".toml")
        and _without_pin(_git("show", f"{pinned}:{name}").stdout)
        != _without_pin((ROOT / name).read_text() if (ROOT / name).exists() else "")
    ]
    assert not differing, (
        f"the package changed since the pinned commit {pinned[:12]} in {differing}: commit, then "
        "run python ci/set_install_cells.py --release HEAD and commit again"
    )


def test_the_package_names_the_repository_of_the_book_config():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert bigmodel_utils.REPOSITORY == config["repository"]["url"].rstrip("/")


@pytest.mark.parametrize("path", colab_check.chapters(), ids=lambda path: path.stem)
def test_every_chapter_installs_the_pinned_release(path):
    setup = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    installs = re.findall(r"%pip install[^\n]*", setup.source)
    assert installs == [f'%pip install -q "{bigmodel_utils.INSTALL_REQUIREMENT}"'], installs
    assert "requirements.lock" not in setup.source
    # The package is imported right after it is installed, before Keras: on a runtime without
    # TensorFlow (Colab's TPU runtimes) its import says what to do instead of a traceback.
    lines = setup.source.splitlines()
    after = lines[lines.index(installs[0].join(["    ", ""])) + 1]
    assert after.startswith("    import bigmodel_utils"), after


# ---- deployment.interpreter: with and without ai_edge_litert ------------------------------


@pytest.fixture(scope="module")
def flatbuffer():
    import keras

    profile.set_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    return deployment.to_tflite(model), model


def _run(interpreter, x):
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def test_interpreter_uses_litert_when_installed(flatbuffer):
    pytest.importorskip("ai_edge_litert")
    model_bytes, model = flatbuffer
    interpreter = deployment.interpreter(model_bytes)
    assert type(interpreter).__module__.startswith("ai_edge_litert")
    x = np.ones((1, 4), np.float32)
    np.testing.assert_allclose(_run(interpreter, x), model(x), atol=1e-6)


def test_interpreter_falls_back_to_tf_lite_as_colab_has_no_litert(flatbuffer, monkeypatch):
    import tensorflow as tf

    model_bytes, model = flatbuffer
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)  # "not installed"
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    # TF 2.20's lazily loaded module: `from tensorflow.lite import ...` raises ImportError there.
    monkeypatch.setitem(sys.modules, "tensorflow.lite", None)
    with pytest.raises(ImportError):
        from tensorflow.lite import Interpreter  # noqa: F401
    interpreter = deployment.interpreter(model_bytes)
    assert isinstance(interpreter, tf.lite.Interpreter)
    x = np.ones((1, 4), np.float32)
    np.testing.assert_allclose(_run(interpreter, x), model(x), atol=1e-6)


# ---- TensorFlow absent (Colab's TPU runtimes) ---------------------------------------------


def test_without_tensorflow_the_package_says_what_to_do_without_a_traceback():
    result = subprocess.run(  # -S: no site-packages, so no TensorFlow
        [sys.executable, "-S", "-c", "import bigmodel_utils"],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "COLAB_TPU_ADDR": "10.0.0.2:8470"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "TensorFlowMissing" in result.stderr and "TPU runtime" in result.stderr
    assert "Change runtime type" in result.stderr


def test_the_missing_tensorflow_error_renders_as_its_message_alone():
    error = bigmodel_utils.TensorFlowMissing(bigmodel_utils.tensorflow_missing_message(tpu=True))
    assert isinstance(error, ImportError)
    assert error._render_traceback_() == [str(error)]
    assert "TPU" not in bigmodel_utils.tensorflow_missing_message(tpu=False).split(".")[0]


@pytest.mark.parametrize(
    "environ, devices, expected",
    [
        ({}, [], False),
        ({"COLAB_TPU_ADDR": "10.0.0.2:8470"}, [], True),
        ({"TPU_ACCELERATOR_TYPE": "v5e-1"}, [], True),
        ({}, ["accel0"], True),
        ({}, ["nvidia0", "null"], False),
    ],
)
def test_on_tpu_runtime(tmp_path, environ, devices, expected):
    for name in devices:
        (tmp_path / name).touch()
    assert bigmodel_utils.on_tpu_runtime(environ, dev=str(tmp_path)) is expected


# ---- the FAQ alone ------------------------------------------------------------------------


def test_faq_reads_what_exists_and_names_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BIGMODEL_RESULTS", str(tmp_path))
    monkeypatch.setenv("BIGMODEL_PROFILE", "quick")
    profile.save_results("ch_a", {"x": 1.0})
    (tmp_path / "ch_c.json").write_text('{"profile": "full", "values": {"x": 2.0}}')
    found = faq.load_available(["ch_a", "ch_b", "ch_c"])
    said = capsys.readouterr().out
    assert found == {"ch_a": {"x": 1.0}}
    assert "2 of 3 chapters" in said and "ch_b.ipynb, ch_c.ipynb" in said
    assert "BIGMODEL_RESULTS" in said and "skipped" in said
    found = faq.load_available(["ch_a"])
    assert capsys.readouterr().out.strip() == "read 1 numbers from 1 chapters (quick profile)"


@pytest.mark.parametrize("bad", ["ch01_background", [], None, ["ch01", ""], [3]])
def test_faq_rejects_bad_chapter_lists(bad):
    with pytest.raises(ValueError, match="chapters"):
        faq.load_available(bad)


def test_faq_magic_runs_or_skips_the_answer(tmp_path, monkeypatch, capsys):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    # Another test of the same process may have made IPython's shell already: reuse it.
    shell = InteractiveShell.instance() if InteractiveShell.initialized() else start_ipython()
    monkeypatch.setenv("BIGMODEL_RESULTS", str(tmp_path))
    monkeypatch.setenv("BIGMODEL_PROFILE", "quick")
    profile.save_results("ch_a", {"x": 1.0})
    faq.load_available(["ch_a", "ch_missing"])
    shell.run_cell("%%if_all_measured\nanswered = 1")
    assert "answered" not in shell.user_ns and "skipped" in capsys.readouterr().out
    faq.load_available(["ch_a"])
    shell.run_cell("%%if_all_measured\nanswered = 2")
    assert shell.user_ns["answered"] == 2


# ---- the accuracy floors of the quality gates ----------------------------------------------


def _digits(train, test):
    from types import SimpleNamespace

    return SimpleNamespace(y_train=np.zeros(train), y_test=np.zeros(test), source="test")


@pytest.mark.parametrize(
    "chosen, digits, expected",
    [
        ("quick", (4_000, 1_000), 0.95),
        ("full", (60_000, 10_000), 0.99),
        ("full", (4_000, 1_000), None),
    ],
)
def test_accuracy_floor_per_profile_and_data(monkeypatch, capsys, chosen, digits, expected):
    from bigmodel_utils import gates

    monkeypatch.setenv("BIGMODEL_PROFILE", chosen)
    assert gates.accuracy_floor("the CNN", 0.95, 0.99, _digits(*digits)) == expected
    said = capsys.readouterr().out
    assert ("quality gate skipped: the CNN must reach 99%" in said) is (expected is None)


def test_check_accuracy_raises_below_the_floor(monkeypatch):
    from bigmodel_utils import gates

    monkeypatch.setenv("BIGMODEL_PROFILE", "full")
    gates.check_accuracy("the ViT", 0.975, 0.85, 0.97, _digits(60_000, 10_000))
    with pytest.raises(AssertionError, match="the ViT reached 0.9600 < 0.97"):
        gates.check_accuracy("the ViT", 0.96, 0.85, 0.97, _digits(60_000, 10_000))
    gates.check_accuracy("the ViT", 0.5, 0.85, 0.97, _digits(4_000, 1_000))  # skipped: subset


@pytest.mark.parametrize("quick, full", [(0, 0.9), (0.9, 1.5), ("0.9", 0.9), (0.9, None)])
def test_accuracy_floor_rejects_floors_that_are_not_accuracies(quick, full):
    from bigmodel_utils import gates

    with pytest.raises(ValueError, match="must be an accuracy"):
        gates.accuracy_floor("x", quick, full, _digits(1, 1))


# ---- the order of the executions ---------------------------------------------------------------


def test_the_longest_chapters_start_first(tmp_path):
    times = tmp_path / "execution_times.json"
    times.write_text(
        '{"chapters/a.ipynb": {"seconds": 5}, "chapters/b.ipynb": {"seconds": 50},'
        ' "chapters/c.ipynb": {"seconds": 20}}'
    )
    expected = colab_check.expected_seconds(times, tmp_path / "none.json")
    assert expected == {"a": 5, "b": 50, "c": 20}
    paths = [pathlib.Path(f"{name}.ipynb") for name in ("a", "new", "b", "c")]
    order = [path.stem for path in colab_check.longest_first(paths, expected)]
    assert order == ["new", "b", "c", "a"], "a chapter never timed must not start last"


def test_expected_seconds_fall_back_to_the_last_colab_check(tmp_path):
    colab = tmp_path / "colab_seconds.json"
    colab.write_text('{"chapter_seconds": {"a": 3.0, "ch06_faq (alone)": 1.0}}')
    assert colab_check.expected_seconds(tmp_path / "none.json", colab)["a"] == 3.0
    colab.write_text("[1, 2]")  # another format: no order, not a failure
    assert colab_check.expected_seconds(tmp_path / "none.json", colab) == {}


def test_the_faq_runs_alone_with_the_chapters_and_again_after_them(monkeypatch, tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        + "".join(f"- file: chapters/{name}\n" for name in ("ch01_a", "ch02_b", "ch06_faq"))
    )
    (tmp_path / "chapters").mkdir()
    for name in ("ch01_a", "ch02_b", "ch06_faq"):
        (tmp_path / "chapters" / f"{name}.ipynb").write_text("{}")
    of_the_book = colab_check.chapters
    monkeypatch.setattr(colab_check, "chapters", lambda: of_the_book(toc))
    monkeypatch.setattr(colab_check, "expected_seconds", lambda: {"ch01_a": 1, "ch02_b": 9})
    calls = []

    def run(notebook, options, results):
        calls.append((notebook.stem, pathlib.Path(results).name))
        if notebook.stem == "ch06_faq":
            saved = pathlib.Path(results).is_dir() and any(pathlib.Path(results).iterdir())
            return notebook.stem, 1.0, "all answers" if saved else "skipped: run ch01_a first"
        pathlib.Path(results).mkdir(exist_ok=True)
        (pathlib.Path(results) / f"{notebook.stem}.json").write_text("{}")
        return notebook.stem, 2.0, ""

    monkeypatch.setattr(colab_check, "run_in_process", run)
    options = type("Options", (), {"only": None, "jobs": 1})()
    seconds, failures = colab_check.run_chapters(options)
    assert not failures, failures
    assert calls == [
        ("ch02_b", "results"),
        ("ch01_a", "results"),
        ("ch06_faq", "nothing"),
        ("ch06_faq", "results"),
    ]
    assert set(seconds) == {"ch01_a", "ch02_b", "ch06_faq (alone)", "ch06_faq"}
