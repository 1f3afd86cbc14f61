"""make test's record of seconds per phase (ci/phases.py) and the Colab environment set up in the
background while the book builds (ci/colab_check.py --background): what is recorded, what the
summary says, how a failed or stopped set-up is reported, and the order of make test's steps."""

import fcntl
import json
import os
import pathlib
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "ci"))
sys.path.insert(0, str(ROOT / "tools"))

import build_book  # noqa: E402
import colab_check  # noqa: E402
import phases  # noqa: E402
from bookbuild import make_dry_run  # noqa: E402


@pytest.fixture
def record(tmp_path, monkeypatch):
    """A record of make test's phases in a throwaway _build, started now."""
    path = tmp_path / "_build" / "test_phases.json"
    monkeypatch.setenv("BIGMODEL_PHASES", str(path))
    monkeypatch.delenv("MAKEFLAGS", raising=False)
    phases.start()
    return path


def test_a_phase_records_its_seconds_and_exit_code(record):
    assert phases.run("lint", [sys.executable, "-c", "import time; time.sleep(0.3)"]) == 0
    assert phases.run("pytest", [sys.executable, "-c", "raise SystemExit(3)"]) == 3
    entries = json.loads(record.read_text())["phases"]
    assert entries["lint"]["exit_code"] == 0 and 0.3 <= entries["lint"]["seconds"] < 10
    assert entries["pytest"]["exit_code"] == 3


def test_nothing_is_recorded_outside_make_test_or_in_a_dry_run(tmp_path, monkeypatch):
    monkeypatch.delenv("BIGMODEL_PHASES", raising=False)
    assert phases.record_path() is None
    assert phases.run("lint", [sys.executable, "-c", "pass"]) == 0
    monkeypatch.setenv("BIGMODEL_PHASES", str(tmp_path / "record.json"))
    monkeypatch.setenv("MAKEFLAGS", "n --no-print-directory")  # make -n runs $(MAKE) lines
    assert phases.run("lint", [sys.executable, "-c", "pass"]) == 0
    assert not (tmp_path / "record.json").exists()


@pytest.mark.parametrize(
    "makeflags, dry",
    [("n", True), ("n --no-print-directory", True), ("ns -j2", True), ("", False)]
    + [(" --no-print-directory", False), (" -j2 --jobserver-auth=3,4", False), ("w", False)],
)
def test_dry_run_is_read_from_makeflags(makeflags, dry):
    assert phases.make_dry_run(makeflags) is dry


def test_the_summary_splits_the_book_and_judges_the_total(record):
    build = record.parent
    (build / "last_build.json").write_text(
        json.dumps({"seconds": 300.0, "execution_seconds": 280.0, "sphinx_seconds": 15.0})
    )
    for name, seconds in [("venv install", 90), ("book", 330), ("Chinese pass", 20)]:
        phases.record(name, seconds)
    phases.record("pytest", 250)
    phases.record("Colab environment", 150, cpu_seconds=40, background=True)
    phases.record("Colab check", 400, waited_seconds=0)
    data = json.loads(record.read_text())
    split = phases.phases(data, build)
    assert list(split) == [
        "venv install", "English execution", "Sphinx", "Chinese pass", "book (other)", "pytest",
        "Colab environment", "Colab check",
    ]  # fmt: skip
    assert split["book (other)"] == 10.0  # 330 - 300 - 20: make, the export of the notebooks
    line = phases.summary_line(data, build, now=data["started"] + 1100)
    assert line.startswith("make test: 1100 s in all (target <= 1200 s, met)"), line
    assert "Colab environment 150 s (in the background)" in line
    late = phases.summary_line(data, build, now=data["started"] + 1300)
    assert "NOT met" in late
    phases.record("pytest", 250, exit_code=1)
    failed = phases.summary_line(json.loads(record.read_text()), build, now=data["started"] + 700)
    assert failed.startswith("make test FAILED (pytest) after 700 s"), failed
    assert "pytest 250 s FAILED" in failed


def test_a_later_rebuild_does_not_change_what_the_record_says_of_make_test(record, capsys):
    last = record.parent / "last_build.json"
    last.write_text(
        json.dumps({"seconds": 300.0, "execution_seconds": 280.0, "sphinx_seconds": 15.0})
    )
    phases.record("book", 330)
    phases.summary()  # the end of make test keeps the book's own split in the record
    assert "English execution 280 s" in capsys.readouterr().out
    # then a one-sentence rebuild executes nothing and writes its own last_build.json
    last.write_text(json.dumps({"seconds": 4.0, "execution_seconds": 0.0, "sphinx_seconds": 3.0}))
    split = phases.phases(json.loads(record.read_text()), record.parent)
    assert (split["English execution"], split["Sphinx"], split["book (other)"]) == (280, 15, 30)


def test_a_background_phase_and_a_foreground_phase_both_land(record):
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'ci')!r}); import phases; "
    writers = [
        subprocess.Popen([sys.executable, "-c", code + f"phases.record('p{i}', {i})"])
        for i in range(6)
    ]
    assert all(writer.wait() == 0 for writer in writers)
    assert set(json.loads(record.read_text())["phases"]) == {f"p{i}" for i in range(6)}


def test_emptying_the_build_keeps_a_running_make_tests_record(record):
    phases.record("venv install", 12.0)
    (record.parent / "html").mkdir()
    build_book.empty_build_folder(record.parent)
    assert [path.name for path in record.parent.iterdir()] == ["test_phases.json"]
    assert json.loads(record.read_text())["phases"]["venv install"]["seconds"] == 12.0


# ---- the Colab environment, set up in the background -------------------------------------------


@pytest.fixture
def colab(tmp_path, monkeypatch):
    """colab_check's environment, lock and log in a throwaway folder."""
    monkeypatch.setattr(colab_check, "VENV", tmp_path / ".venv-colab")
    monkeypatch.setattr(colab_check, "STAMP", tmp_path / ".venv-colab" / ".installed")
    monkeypatch.setattr(colab_check, "LOCK", tmp_path / ".venv-colab.lock")
    monkeypatch.setattr(colab_check, "LOG", tmp_path / ".venv-colab.log")
    monkeypatch.setattr(colab_check, "READ_LOG", tmp_path / ".venv-colab.log.read")
    monkeypatch.setattr(colab_check, "INSTALLED", tmp_path / ".venv-colab" / ".installed-package")
    monkeypatch.setattr(colab_check.os, "nice", lambda increment: 0)
    return tmp_path


def test_the_background_set_up_records_its_seconds_and_ends_its_log(
    colab, record, monkeypatch, capsys
):
    def build():
        time.sleep(0.2)
        return True

    monkeypatch.setattr(colab_check, "build_environment", build)
    monkeypatch.setattr(colab_check, "install_package", lambda: "site-packages/bigmodel_utils")
    assert colab_check.environment_only() == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith(colab_check.READY)
    entry = json.loads(record.read_text())["phases"]["Colab environment"]
    assert entry["background"] is True and entry["seconds"] >= 0.2 and "cpu_seconds" in entry


def test_a_failed_background_set_up_is_reported_with_its_log(colab, monkeypatch, capsys):
    def fails():
        raise subprocess.CalledProcessError(1, ["pip", "install"])

    monkeypatch.setattr(colab_check, "build_environment", fails)
    assert colab_check.environment_only() == 1
    colab_check.LOG.write_text("Collecting tensorflow-cpu==2.20.0\n" + capsys.readouterr().out)
    with open(colab_check.LOCK, "w") as lock:
        colab_check.wait_for_environment(lock)
    out = capsys.readouterr().out
    assert "FAILED: setting up .venv-colab in the background" in out
    assert "Collecting tensorflow-cpu" in out and "CalledProcessError" in out
    assert "setting it up again here" in out
    assert not colab_check.LOG.exists() and colab_check.READ_LOG.exists(), "read once only"
    with open(colab_check.LOCK, "w") as lock:
        colab_check.wait_for_environment(lock)
    assert "FAILED" not in capsys.readouterr().out, "an old failure was reported again"


def test_a_pip_install_that_moved_a_colab_version_fails_the_background_set_up(
    colab, monkeypatch, capsys
):
    monkeypatch.setattr(colab_check, "build_environment", lambda: False)

    def moved():
        raise SystemExit("installing the package changed Colab's versions: {'keras': ...}")

    monkeypatch.setattr(colab_check, "install_package", moved)
    assert colab_check.environment_only() == 1
    assert capsys.readouterr().out.startswith(colab_check.FAILED + " SystemExit: installing")


def test_the_package_is_installed_again_only_when_the_checkout_changed(
    colab, tmp_path, monkeypatch
):
    root = tmp_path / "checkout"
    (root / "bigmodel_utils" / "__pycache__").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'bigmodel_utils'\n")
    (root / "bigmodel_utils" / "data.py").write_text("X = 1\n")
    monkeypatch.setattr(colab_check, "ROOT", root)
    installs = []

    def install():
        installs.append(1)
        colab_check.INSTALLED.parent.mkdir(exist_ok=True)
        colab_check.INSTALLED.write_text(colab_check.package_digest(root))

    monkeypatch.setattr(colab_check, "install_package", install)
    assert colab_check.ensure_package() is True
    (root / "bigmodel_utils" / "__pycache__" / "data.cpython-311.pyc").write_bytes(b"bytecode")
    assert colab_check.ensure_package() is False, "bytecode is not the package's source"
    (root / "bigmodel_utils" / "data.py").write_text("X = 2\n")
    assert colab_check.ensure_package() is True
    assert len(installs) == 2


@pytest.mark.parametrize(
    "log, failed",
    [(None, False), ("...\n@@READY@@ built in 100 s", False), ("Collecting keras\n", True)]
    + [("", True), ("@@FAILED@@ OSError: no space left", True)],
)
def test_background_failure_reads_the_logs_last_line(colab, log, failed):
    if log is not None:
        colab_check.LOG.write_text(log)
    assert (colab_check.background_failure() is not None) is failed


def test_the_check_waits_for_a_set_up_that_holds_the_lock(colab, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import fcntl, pathlib, sys, time
                lock = open({str(colab_check.LOCK)!r}, "w")
                fcntl.flock(lock, fcntl.LOCK_EX)
                print("locked", flush=True)
                time.sleep(1.0)
                pathlib.Path({str(colab_check.LOG)!r}).write_text("@@READY@@ built in 1 s\\n")
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    with open(colab_check.LOCK, "w") as lock:
        waited = colab_check.wait_for_environment(lock)
        with pytest.raises(BlockingIOError):  # held by the check now
            other = os.open(colab_check.LOCK, os.O_RDONLY)
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(other)
    holder.wait()
    assert waited >= 0.5
    out = capsys.readouterr().out
    assert "waiting for the set-up of .venv-colab in the background" in out
    assert "FAILED" not in out


def test_make_test_starts_the_set_up_before_the_book_and_checks_colab_last():
    dry = make_dry_run("test").splitlines()

    def first(text):
        return next(i for i, line in enumerate(dry) if text in line)

    steps = [
        "phases.py start",
        '"venv install"',
        "build_book.py . --empty",
        "colab_check.py --background",
        "phases.py run lint",
        "phases.py run book",
        "build_book.py . --jobs",
        '"Chinese pass"',
        "phases.py run pytest",
        "colab_check.py --jobs",
        "phases.py summary",
    ]
    assert [first(step) for step in steps] == sorted(first(step) for step in steps), dry
