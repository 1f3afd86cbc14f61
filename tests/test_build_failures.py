"""A failing cell, a cell timeout or a Sphinx warning fails the book build (non-zero exit).

Each case builds a throwaway one-chapter copy of the book with exactly the command
``make book`` runs (read from the Makefile): the executor that runs the notebooks into the
execution cache, then the Sphinx pass. The builds run at the same time, each in its own
temporary directory, so the whole file takes about as long as the slowest build. The two kinds of
broken reference share one copy: with ``--keep-going`` Sphinx reports every warning, and each must
be reported as one. A second round rebuilds two of the copies incrementally: a prose change
executes nothing and shows on the page, and a book that failed on warnings still fails when
rebuilt unchanged.
"""

import re
import subprocess
import time

import nbformat
import pytest
from bookbuild import BUILD_SCRIPT, build_command, make_tiny_book, notebook, sphinx_flags

CELL_TIMEOUT = 5  # seconds, lowered from the book's per-cell timeout for the timeout case

CASES = {
    "control": dict(nb=notebook(["print('hello')"])),
    "failing_cell": dict(nb=notebook(["print('before')", "1/0"])),
    "cell_timeout": dict(
        nb=notebook(["import time\ntime.sleep(60)"]),
        config_overrides={"execute.timeout": CELL_TIMEOUT},
    ),
    "broken_references": dict(
        nb=notebook(
            ["print('hello')"],
            markdown="A claim citing {cite}`no_such_key_2099`.\n\n"
            "See {doc}`no_such_chapter` for more.",
        )
    ),
}


def test_build_command_comes_from_the_makefile_and_fails_on_warnings():
    command = build_command("copy_of_the_book")
    assert command[1].endswith(BUILD_SCRIPT) and command[2] == "copy_of_the_book", command
    flags = sphinx_flags(command)
    assert "-W" in flags, f"`make book` must turn warnings into errors (-W): {command}"
    assert "--keep-going" in flags, command


def build_all(books):
    """Build every {case: book} at once; return {case: (exit code, output, book, seconds)}."""
    started = {}
    for name, book in books.items():
        process = subprocess.Popen(
            build_command(book), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        started[name] = (process, book, time.monotonic())
    results = {}
    for name, (process, book, start) in started.items():
        output, _ = process.communicate(timeout=600)
        results[name] = (process.returncode, output, book, time.monotonic() - start)
    return results


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    return build_all(
        {
            name: make_tiny_book(tmp_path_factory.mktemp(name) / "book", **case)
            for name, case in CASES.items()
        }
    )


PROSE_CHANGE = "A sentence added after the first build."


@pytest.fixture(scope="module")
def rebuilds(builds):
    """Rebuild the control copy after a prose change, and the broken-references copy unchanged."""
    control = builds["control"][2]
    chapter = control / "chapters" / "tiny.ipynb"
    nb = nbformat.read(chapter, as_version=4)
    nb.cells[0].source += f"\n\n{PROSE_CHANGE}"
    nbformat.write(nb, chapter)
    return build_all({"control": control, "broken_references": builds["broken_references"][2]})


def explain(result):
    code, output, book, seconds = result
    return f"exit {code} after {seconds:.0f} s building {book}; last lines:\n" + "\n".join(
        output.splitlines()[-25:]
    )


@pytest.mark.book
def test_control_build_passes(builds):
    result = builds["control"]
    assert result[0] == 0, explain(result)
    assert (result[2] / "_build" / "html" / "chapters" / "tiny.html").exists(), explain(result)


def warned(output, evidence):
    """Whether Sphinx reported ``evidence`` as a warning (``-W`` makes every warning fatal)."""
    return any("WARNING" in line and evidence in line for line in output.splitlines())


@pytest.mark.book
@pytest.mark.parametrize(
    "case, evidence",
    [("failing_cell", "ZeroDivisionError"), ("cell_timeout", "CellTimeoutError")],
)
def test_broken_notebook_fails_the_build(builds, case, evidence):
    result = builds[case]
    assert result[0] != 0, f"the {case} build should fail but passed: " + explain(result)
    assert evidence in result[1], f"the {case} build failed, but not for that reason: " + explain(
        result
    )


@pytest.mark.book
@pytest.mark.parametrize("evidence", ["no_such_key_2099", "no_such_chapter"])
def test_a_broken_reference_is_a_warning_and_fails_the_build(builds, evidence):
    result = builds["broken_references"]
    assert result[0] != 0, "the broken-references build should fail but passed: " + explain(result)
    assert warned(result[1], evidence), f"no warning about {evidence}: " + explain(result)


@pytest.mark.book
def test_a_prose_change_rebuilds_without_executing(rebuilds):
    result = rebuilds["control"]
    assert result[0] == 0, explain(result)
    assert "nothing to execute" in result[1], explain(result)
    page = (result[2] / "_build" / "html" / "chapters" / "tiny.html").read_text()
    assert PROSE_CHANGE in page, "the rebuilt page lacks the new sentence"
    assert re.search(r"cell_output.*?<pre>.*?hello", page, re.S), "the page lost the output"


@pytest.mark.book
def test_an_incremental_build_does_not_hide_a_warning(rebuilds):
    result = rebuilds["broken_references"]
    assert result[0] != 0, "rebuilt unchanged, the broken book passed: " + explain(result)
    assert warned(result[1], "no_such_key_2099"), explain(result)
    assert warned(result[1], "no_such_chapter"), explain(result)
