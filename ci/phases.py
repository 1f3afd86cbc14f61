"""The seconds of each phase of ``make test``, kept in one record, and a one-line summary.

    python ci/phases.py start                      # a new record (the first step of make test)
    python ci/phases.py run NAME -- COMMAND ...    # run COMMAND; record its wall seconds as NAME
    python ci/phases.py summary                    # one line: every phase, the total, the target

Only the standard library: the first phase (creating ``.venv``) runs before the book's
environment exists. Nothing is recorded unless ``BIGMODEL_PHASES`` names the record (``make test``
sets it to ``_build/test_phases.json``; ``make book-fresh`` keeps that file), so ``make book``
alone leaves no record. ``ci/colab_check.py`` adds its own phases (the Colab environment, built in
the background while the book builds, and the check itself) with :func:`record`.

The summary splits the book's phase with the build's own record (``_build/last_build.json``):
English execution and the Sphinx pass. ``benchmarks/bench_build.py`` shows the same record as rows
of the build table, next to the targets.
"""

import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET_SECONDS = 1200  # the whole of make test (and so of .ci/run) on a fresh clone, 2 cores
# The phases in the order make test runs them, as the summary names them.
ORDER = (
    "venv install",
    "browser deps",
    "lint",
    "English execution",
    "Sphinx",
    "Chinese pass",
    "book (other)",
    "pytest",
    "Colab environment",
    "Colab check",
)


def make_dry_run(makeflags=None):
    """Whether ``make`` runs with ``-n`` (it still runs lines that call ``$(MAKE)``, as ours do).

    Make puts its one-letter flags first in ``MAKEFLAGS`` (``"n --no-print-directory"``), long
    options after them (``" --no-print-directory"`` when there is none).
    """
    makeflags = os.environ.get("MAKEFLAGS", "") if makeflags is None else makeflags
    first = makeflags.split(" ", 1)[0]
    return not first.startswith("-") and "n" in first


def record_path():
    """The record's path (from ``BIGMODEL_PHASES``), or None when nothing is to be recorded."""
    path = os.environ.get("BIGMODEL_PHASES")
    return pathlib.Path(path) if path and not make_dry_run() else None


def load(path=None):
    path = path or record_path()
    if path is None or not path.exists():
        return {"phases": {}}
    return json.loads(path.read_text())


def record(name, seconds, **extra):
    """Add phase ``name`` (wall ``seconds``, and any ``extra`` fields) to the record, if any.

    Read, changed and written back at once: a phase running in the background adds its own entry
    while the foreground records others.
    """
    path = record_path()
    if path is None:
        return
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = load(path)
        data["phases"][name] = {"seconds": round(seconds, 1), **extra}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n")
        tmp.replace(path)


def start():
    path = record_path()
    if path is None:
        raise SystemExit("BIGMODEL_PHASES is not set: nothing to record into")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"started": time.time(), "target_seconds": TARGET_SECONDS, "phases": {}}
    path.write_text(json.dumps(data, indent=1) + "\n")


def run(name, command):
    """Run ``command``; record its seconds and exit code as phase ``name``; return the code."""
    begin = time.perf_counter()
    code = subprocess.run(command).returncode
    record(name, time.perf_counter() - begin, exit_code=code)
    if code and record_path() is not None:  # make stops here: say where the seconds went so far
        print(f"{name} failed (exit {code}); so far:", flush=True)
        summary()
    return code


BOOK_KEYS = ("seconds", "execution_seconds", "sphinx_seconds")  # of _build/last_build.json


def book_record(data, build_dir=ROOT / "_build"):
    """The book build's own seconds (all, executions, Sphinx) that split make test's book phase.

    Kept in the record when make test ends (``book_build``), so that a later ``make book`` (the
    benchmark's one-sentence rebuild, say) cannot change what the record says of that run;
    until then read from the build's ``last_build.json``. None when neither exists.
    """
    if "book_build" in data:
        return data["book_build"]
    last = build_dir / "last_build.json"
    return json.loads(last.read_text()) if last.exists() else None


def phases(data, build_dir=ROOT / "_build"):
    """{phase: seconds} in make test's order, the book's phase split by the build's record."""
    found = {name: entry["seconds"] for name, entry in data.get("phases", {}).items()}
    book = found.pop("book", None)
    build = book_record(data, build_dir)
    if book is not None and build is not None:
        found["English execution"] = build["execution_seconds"]
        found["Sphinx"] = build["sphinx_seconds"]
        rest = book - build["seconds"] - found.get("Chinese pass", 0.0)
        found["book (other)"] = round(max(rest, 0.0), 1)
    elif book is not None:
        found["book (other)"] = book
    ordered = {name: found.pop(name) for name in ORDER if name in found}
    return {**ordered, **found}


def summary_line(data, build_dir=ROOT / "_build", now=None):
    """``make test: N s in all (target <= T s, met): phase s · ...``."""
    total = (now or time.time()) - data["started"] if "started" in data else float("nan")
    data["total_seconds"] = round(total, 1)
    target = data.get("target_seconds", TARGET_SECONDS)
    entries = data.get("phases", {})
    failed = [name for name, entry in entries.items() if entry.get("exit_code")]
    parts = []
    for name, seconds in phases(data, build_dir).items():
        entry = entries.get(name, {})
        note = " (in the background)" if entry.get("background") else ""
        note += " FAILED" if name in failed else ""
        parts.append(f"{name} {seconds:.0f} s{note}")
    if failed:
        head = f"make test FAILED ({', '.join(failed)}) after {total:.0f} s"
    else:
        verdict = "met" if total <= target else "NOT met"
        head = f"make test: {total:.0f} s in all (target <= {target} s, {verdict})"
    return head + ": " + " · ".join(parts)


def summary():
    path = record_path()
    data = load(path)
    if "started" not in data:
        print("no record of make test's phases (BIGMODEL_PHASES unset or not started)")
        return
    build_dir = ROOT / "_build" if path is None else path.parent
    line = summary_line(data, build_dir)
    build = book_record(data, build_dir)
    if path is not None:  # the total, as the summary computed it, and the book's own split
        if build is not None and "book" in data.get("phases", {}):
            data["book_build"] = {key: build[key] for key in BOOK_KEYS}
        path.write_text(json.dumps(data, indent=1) + "\n")
    print(line)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["start"]:
        start()
        return 0
    if argv[:1] == ["summary"]:
        summary()
        return 0
    if len(argv) >= 4 and argv[0] == "run" and argv[2] == "--":
        return run(argv[1], argv[3:])
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
