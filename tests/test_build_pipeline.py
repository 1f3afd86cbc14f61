"""What the book's executor (tools/build_book.py) executes, checked mostly without a kernel.

A notebook runs when the execution cache holds no run of its code cells as they are now; every
notebook runs when the package, the data, the lock or the profile changed; a notebook that reads
the others' results (the FAQ) runs after them, and again whenever one of them ran.
"""

import json
import pathlib
import sys

import nbformat
import pytest
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # importable by name, also in the executor's workers
import build_book as build  # noqa: E402  (tools/build_book.py)


def write_notebook(path, code):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    nb.cells = [nbformat.v4.new_markdown_cell("# A page"), nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A book of three notebooks (the last reads the others' results) and a package of its own."""
    package = tmp_path / "repository" / "bigmodel_utils"
    package.mkdir(parents=True)
    (package / "module.py").write_text("VALUE = 1\n")
    (package.parent / "requirements.lock").write_text("numpy==2.0\n")
    monkeypatch.setattr(build, "ROOT", package.parent)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("BIGMODEL_PROFILE", "quick")
    source = tmp_path / "book"
    (source / "chapters").mkdir(parents=True)
    (source / "_config.yml").write_text(yaml.safe_dump({"execute": {"timeout": 30}}))
    toc = {
        "format": "jb-book",
        "root": "intro",
        "chapters": [{"file": f"chapters/{name}"} for name in ("one", "two", "faq")],
    }
    (source / "_toc.yml").write_text(yaml.safe_dump(toc))
    (source / "intro.md").write_text("# Intro\n")
    write_notebook(source / "chapters" / "one.ipynb", "x = 1")
    write_notebook(source / "chapters" / "two.ipynb", "y = 2")
    write_notebook(source / "chapters" / "faq.ipynb", "profile.load_results('one')")
    return source


def planned(source):
    """(writers, readers) that a build of ``source`` would execute now, as file stems."""
    runner = build.Build(source, jobs=2)
    runner.check_inputs()
    writers, readers = runner.plan(get_cache(str(runner.cache_dir)))
    runner.inputs_file.write_text(json.dumps(build.execution_inputs(runner.config)))
    return [path.stem for path in writers], [path.stem for path in readers]


def cache_as_executed(source, *names):
    """Store runs of these notebooks in the book's cache, as the executor does after a run."""
    cache = get_cache(str(source / "_build" / ".jupyter_cache"))
    for name in names:
        path = source / "chapters" / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        read = build.results_digest(source / "_build" / "results") if name == "faq" else None
        data = {"results": read} if read else {}
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(path), data=data), check_validity=False)


def test_a_fresh_book_executes_everything_and_the_reader_last(book):
    assert planned(book) == (["one", "two"], ["faq"])


def test_nothing_runs_when_every_run_is_cached(book):
    planned(book)
    cache_as_executed(book, "one", "two", "faq")
    assert planned(book) == ([], [])


def test_a_prose_change_executes_nothing(book):
    planned(book)
    cache_as_executed(book, "one", "two", "faq")
    path = book / "chapters" / "two.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\n\nOne more sentence."
    nbformat.write(nb, path)
    assert planned(book) == ([], [])


def test_a_code_change_executes_that_notebook_and_the_reader(book):
    planned(book)
    cache_as_executed(book, "one", "two", "faq")
    write_notebook(book / "chapters" / "two.ipynb", "y = 3")
    assert planned(book) == (["two"], ["faq"])


@pytest.mark.parametrize("change", ["package", "lock", "data", "profile"])
def test_a_changed_input_executes_everything(book, change, monkeypatch):
    planned(book)
    cache_as_executed(book, "one", "two", "faq")
    (book / "_build" / "results" / "one.json").write_text("{}")
    if change == "package":
        (build.ROOT / "bigmodel_utils" / "module.py").write_text("VALUE = 2\n")
    elif change == "lock":
        (build.ROOT / "requirements.lock").write_text("numpy==2.1\n")
    elif change == "data":
        folder = pathlib.Path(build.data_folder())
        folder.mkdir(parents=True)
        (folder / "mnist.npz").write_bytes(b"digits")
    else:
        monkeypatch.setenv("BIGMODEL_PROFILE", "full")
    assert planned(book) == (["one", "two"], ["faq"])
    assert not (book / "_build" / "results" / "one.json").exists(), "stale results were kept"


def test_a_rewritten_data_file_with_the_same_bytes_changes_nothing(book):
    folder = pathlib.Path(build.data_folder())
    folder.mkdir(parents=True)
    (folder / "mnist.npz").write_bytes(b"digits")
    planned(book)
    cache_as_executed(book, "one", "two", "faq")
    (folder / "mnist.npz").write_bytes(b"digits")
    (folder / "mnist.123.tmp.npz").write_bytes(b"half-written")
    assert planned(book) == ([], [])


def test_the_reader_runs_again_when_the_results_it_read_changed(book):
    planned(book)
    cache_as_executed(book, "one", "two", "faq")
    (book / "_build" / "results" / "one.json").write_text('{"values": {"accuracy": 0.9}}')
    assert planned(book) == ([], ["faq"])


def test_the_books_faq_runs_after_the_chapters():
    readers = [
        path.stem
        for path in build.book_notebooks(ROOT)
        if build.reads_results(nbformat.read(path, as_version=4))
    ]
    assert readers == ["ch06_faq"], "the FAQ reads the chapters' results: it must run last"


def test_lost_results_execute_everything(book):
    planned(book)
    cache_as_executed(book, "one", "two", "faq")
    (book / "_build" / "results").rename(book / "_build" / "elsewhere")
    assert planned(book) == (["one", "two"], ["faq"])


def test_jobs_must_be_positive():
    with pytest.raises(SystemExit):
        build.main(["somewhere", "--jobs", "0"])


@pytest.mark.slow
def test_a_failure_starts_no_further_notebook(tmp_path):
    paths = []
    for name, code in (("fails", "1/0"), ("second", "x = 2"), ("third", "x = 3")):
        write_notebook(tmp_path / f"{name}.ipynb", code)
        paths.append(tmp_path / f"{name}.ipynb")
    finished = []
    failed = build.run_all(
        [paths[:2], paths[2:]], 1, 60, False, False, tmp_path / "results", finished.append
    )
    assert [pathlib.Path(result["path"]).stem for result in finished] == ["fails"]
    assert "ZeroDivisionError" in failed[0]["error"]


def test_emptying_the_build_folder_keeps_only_the_execution_times(book):
    planned(book)
    cache_as_executed(book, "one", "two", "faq")
    (book / "_build" / "execution_times.json").write_text('{"chapters/one.ipynb": {}}')
    assert build.main([str(book), "--empty"]) == 0
    assert [path.name for path in (book / "_build").iterdir()] == ["execution_times.json"]
    assert planned(book) == (["one", "two"], ["faq"])


def test_a_notebook_edited_while_it_ran_fails_the_build_and_runs_again(book):
    runner = build.Build(book, jobs=1)
    runner.check_inputs()
    path = book / "chapters" / "two.ipynb"
    ran = nbformat.writes(nbformat.read(path, as_version=4))  # the notebook as it started
    write_notebook(path, "y = 3")  # edited meanwhile
    result = {"path": str(path), "nb": ran, "seconds": 1.0, "kernel_seconds": 0.0}
    result.update(cpu_seconds=0.5, cells=[], error=None)
    runner.store(get_cache(str(runner.cache_dir)), {}, result)
    assert "changed while it ran" in result["error"]
    assert planned(book)[0] == ["one", "two"]
