"""A failing cell, a cell timeout or a Sphinx warning fails the book build (non-zero exit).

Each case builds a throwaway one-chapter copy of the book with exactly the command
``make book`` runs (read from the Makefile). The builds run at the same time, each in its
own temporary directory, so the whole file takes about as long as the slowest build.
"""

import subprocess
import time

import pytest
from bookbuild import build_command, make_tiny_book, notebook

CELL_TIMEOUT = 5  # seconds, lowered from the book's per-cell timeout for the timeout case

CASES = {
    "control": dict(nb=notebook(["print('hello')"])),
    "failing_cell": dict(nb=notebook(["print('before')", "1/0"])),
    "cell_timeout": dict(
        nb=notebook(["import time\ntime.sleep(60)"]),
        config_overrides={"execute.timeout": CELL_TIMEOUT},
    ),
    "unknown_citation": dict(
        nb=notebook(["print('hello')"], markdown="A claim citing {cite}`no_such_key_2099`.")
    ),
    "missing_document": dict(
        nb=notebook(["print('hello')"], markdown="See {doc}`no_such_chapter` for more.")
    ),
}


def test_build_command_comes_from_the_makefile_and_fails_on_warnings():
    command = build_command("copy_of_the_book")
    assert command[1:3] == ["build", "copy_of_the_book"], command
    assert "-W" in command, f"`make book` must turn warnings into errors (-W): {command}"
    assert "--keep-going" in command, command


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Start every case's build at once; return {case: (exit code, output, book dir, seconds)}."""
    started = {}
    for name, case in CASES.items():
        book = make_tiny_book(tmp_path_factory.mktemp(name) / "book", **case)
        process = subprocess.Popen(
            build_command(book), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        started[name] = (process, book, time.monotonic())
    results = {}
    for name, (process, book, start) in started.items():
        output, _ = process.communicate(timeout=600)
        results[name] = (process.returncode, output, book, time.monotonic() - start)
    return results


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


@pytest.mark.book
@pytest.mark.parametrize(
    "case, evidence",
    [
        ("failing_cell", "ZeroDivisionError"),
        ("cell_timeout", "CellTimeoutError"),
        ("unknown_citation", "no_such_key_2099"),
        ("missing_document", "no_such_chapter"),
    ],
)
def test_broken_book_fails_the_build(builds, case, evidence):
    result = builds[case]
    assert result[0] != 0, f"the {case} build should fail but passed: " + explain(result)
    assert evidence in result[1], f"the {case} build failed, but not for that reason: " + explain(
        result
    )
