"""Run every chapter the way Google Colab runs it, with Colab's package versions.

``make colab-check`` (part of ``make test``):

1. builds ``.venv-colab`` with the versions of ``ci/colab-constraints.txt`` (``tensorflow-cpu``
   in place of ``tensorflow``), once per change of that file. ``make test`` starts that set-up in
   the background (``--background``: mostly downloading and unpacking, so it overlaps the book's
   build) with its log in ``.venv-colab.log``; the check waits for it, and if it failed, says so
   with the log's last lines and builds the environment again in the foreground;
2. installs the package from the checkout, not editable, exactly as a chapter's install cell
   does, with those versions as constraints, and fails if pip changed any of them (in the
   background too, under ``make test``; not again while the installed package is the checkout's);
3. copies each chapter of ``_toc.yml`` alone into an empty folder and executes it there with a
   plain IPython kernel of that environment (no myst_nb, no book configuration), in the quick
   profile, offline (the data loaders' own fallbacks), the longest first (by the book build's
   last execution times); the FAQ runs alone (with an empty results folder) and after the others;
4. writes the seconds per chapter to ``benchmarks/colab_seconds.json``.

``make full-check`` uses the same executor with the book's own environment and the full
profile (``--python .venv/bin/python --profile full``).
"""

import argparse
import concurrent.futures
import fcntl
import json
import os
import pathlib
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import phases  # ci/phases.py: make test's record of seconds per phase

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "ci" / "colab-constraints.txt"
VENV = ROOT / ".venv-colab"
STAMP = VENV / ".installed"
LOCK = ROOT / ".venv-colab.lock"  # held while the environment is built or used
LOG = ROOT / ".venv-colab.log"  # the background set-up's output, while the check has not read it
READ_LOG = ROOT / ".venv-colab.log.read"  # where it goes once the check has read it
INSTALLED = VENV / ".installed-package"  # the digest of the package as last installed
READY, FAILED = "@@READY@@", "@@FAILED@@"  # the background set-up's last line
FAQ = "ch06_faq"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def read_constraints(path=CONSTRAINTS):
    """{normalised name: version} of a constraints file of ``name==version`` lines.

    Raises:
        ValueError: on a line that is neither a comment nor an exact pin.
    """
    pins = {}
    for line in pathlib.Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        if not match:
            raise ValueError(f"{path}: expected name==version, got {line!r}")
        pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


def environment_requirements(path=CONSTRAINTS):
    """The pins the Colab environment installs: Colab's, ``tensorflow-cpu`` for ``tensorflow``."""
    pins = read_constraints(path)
    return [
        f"{'tensorflow-cpu' if name == 'tensorflow' else name}=={version}"
        for name, version in pins.items()
    ]


def chapters(toc=ROOT / "_toc.yml"):
    """The chapter notebooks of ``_toc.yml``, in reading order (English edition only).

    Entries outside ``chapters/`` (a translation under its own folder, pages such as
    ``execution``) are not chapters; the FAQ, which reads the others' results, comes last.
    """
    toc = pathlib.Path(toc)
    files = re.findall(r"^\s*-?\s*file:\s*(\S+)\s*$", toc.read_text(), flags=re.MULTILINE)
    paths = [
        toc.parent / f"{name}.ipynb"
        for name in files
        if name.startswith("chapters/") and (toc.parent / f"{name}.ipynb").exists()
    ]
    return sorted(paths, key=lambda path: path.stem == FAQ)  # stable: order kept otherwise


# ---- the environment ----------------------------------------------------------------------


def pip(python, *args):
    subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True
    )


def freeze(python):
    """{normalised name: version} installed in the environment of ``python``."""
    output = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "list", "--format=json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {
        re.sub(r"[-_.]+", "-", row["name"]).lower(): row["version"] for row in json.loads(output)
    }


def build_environment(python=sys.executable):
    """Create ``.venv-colab`` with Colab's versions (skipped while its stamp is current)."""
    if STAMP.exists() and STAMP.stat().st_mtime >= CONSTRAINTS.stat().st_mtime:
        return False  # the package itself is reinstalled on every run, by install_package
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as requirements:
        requirements.write("\n".join(environment_requirements()) + "\n")
    pip(VENV / "bin" / "python", "install", "-r", requirements.name)
    os.unlink(requirements.name)
    STAMP.touch()
    return True


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def environment_only(niceness=10):
    """Build the environment and install the package, holding the lock; record the seconds.

    Runs detached (``--background``), niced: the book's build, which runs meanwhile, keeps the
    processor; this mostly keeps the network and the disk busy. Its output (``LOG``) ends with
    ``READY`` or ``FAILED``.
    """
    os.nice(niceness)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        start, cpu = time.perf_counter(), children_cpu()
        try:
            built = build_environment()
            install_package()
        except (OSError, subprocess.CalledProcessError, SystemExit) as error:
            print(f"{FAILED} {type(error).__name__}: {error}", flush=True)
            return 1
        seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
        phases.record(
            "Colab environment",
            seconds,
            cpu_seconds=round(cpu, 1),
            background=True,
            built=built,
        )
        what = "built and the package installed" if built else "the package installed"
        print(f"{READY} {what} in {seconds:.0f} s ({cpu:.0f} s of processor time)", flush=True)
    return 0


def start_in_background():
    """Start :func:`environment_only` detached, its output in ``LOG``; return at once."""
    with open(LOG, "w") as log:
        subprocess.Popen(
            [sys.executable, __file__, "--environment-only"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not stopped with the make that started it
        )
    print(f"setting up .venv-colab in the background; its log: {LOG}", flush=True)


def background_failure(log=None):
    """The last lines of the background set-up's log (``LOG``) if it failed or stopped, or None."""
    log = pathlib.Path(log or LOG)
    if not log.exists():
        return None
    lines = log.read_text(errors="replace").splitlines()
    if lines and lines[-1].startswith(READY):
        return None
    return "\n".join(lines[-25:]) or "(the log is empty: the set-up was stopped)"


def wait_for_environment(lock):
    """Take the lock (waiting for a background set-up), report its failure; return seconds waited.

    The background set-up's log is read once: it is moved to ``READ_LOG`` then.
    """
    start = time.perf_counter()
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"waiting for the set-up of .venv-colab in the background (log: {LOG})", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    waited = time.perf_counter() - start
    failure = background_failure(LOG)
    if LOG.exists():
        LOG.replace(READ_LOG)
    if failure is not None:
        print(
            f"FAILED: setting up .venv-colab in the background (log: {READ_LOG}); its last "
            f"lines:\n{failure}\nsetting it up again here",
            flush=True,
        )
    return waited


def moved_versions(before, after, pinned):
    """{name: (before, after)} of every pinned package that pip changed or that is off its pin."""
    return {
        name: (before.get(name), after.get(name))
        for name in pinned
        if before.get(name) != after.get(name) or after.get(name) != pinned[name]
    }


def package_digest(root=None):
    """SHA-256 of what ``pip install <checkout>`` builds the package from (``root``: ROOT)."""
    import hashlib

    root = root or ROOT
    package = [p for p in (root / "bigmodel_utils").rglob("*") if "__pycache__" not in p.parts]
    digest = hashlib.sha256()
    for path in sorted([root / "pyproject.toml", root / "README.md", *package]):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def ensure_package():
    """Install the package unless the install is of the checkout as it is now; True if it ran.

    ``make test`` installs it in the background (:func:`environment_only`); the check itself
    installs it whenever the checkout's package differs from the installed one.
    """
    if INSTALLED.exists() and INSTALLED.read_text() == package_digest():
        return False
    install_package()
    return True


def install_package():
    """``pip install <checkout>`` as the install cell does; fail if a Colab version moved.

    Returns the installed ``bigmodel_utils`` file, which must not be the checkout's.
    """
    python = VENV / "bin" / "python"
    digest = package_digest()  # the checkout as copied below
    INSTALLED.unlink(missing_ok=True)
    pinned = {
        ("tensorflow-cpu" if name == "tensorflow" else name): v
        for name, v in read_constraints().items()
    }
    before = freeze(python)
    with tempfile.TemporaryDirectory() as folder:
        constraints = pathlib.Path(folder) / "colab.txt"
        constraints.write_text("\n".join(environment_requirements()) + "\n")
        build = pathlib.Path(folder) / "checkout"  # a copy: no build residue in the checkout
        shutil.copytree(
            ROOT,
            build,
            ignore=shutil.ignore_patterns(".*", "_build", "*.egg-info", "__pycache__", "build"),
        )
        pip(python, "uninstall", "-y", "bigmodel_utils")  # a clean slate, as on a new runtime
        pip(python, "install", str(build), "-c", str(constraints))
    after = freeze(python)
    moved = moved_versions(before, after, pinned)
    if moved:
        raise SystemExit(f"installing the package changed Colab's versions: {moved}")
    where = subprocess.run(
        [str(python), "-c", "import bigmodel_utils; print(bigmodel_utils.__file__)"],
        cwd=tempfile.gettempdir(),
        env=kernel_environment(os.environ, None, "quick", tempfile.gettempdir()),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not where.startswith(str(VENV)):
        raise SystemExit(f"the kernel would import bigmodel_utils from {where}, not the install")
    INSTALLED.write_text(digest)
    return where


# ---- executing a chapter ------------------------------------------------------------------


def kernel_environment(base, pythonpath, profile, results):
    """A reader's environment: none of the book build's settings (data caches stay the user's)."""
    env = {
        key: value
        for key, value in base.items()
        if not key.startswith(("BIGMODEL_", "JUPYTER_", "PYTHON", "VIRTUAL_ENV", "KERAS_"))
    }
    env.update(BIGMODEL_PROFILE=profile, BIGMODEL_RESULTS=str(results))
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def execute(notebook, python, profile, results, timeout, pythonpath=None):
    """Execute ``notebook`` alone in an empty folder with the kernel ``python``.

    Returns ``(seconds, text of every output)``; raises ``nbclient`` errors as they come.
    """
    import nbclient
    import nbformat

    with tempfile.TemporaryDirectory(prefix="colab-") as folder:
        folder = pathlib.Path(folder)
        copy = folder / "run" / notebook.name
        copy.parent.mkdir()
        shutil.copy(notebook, copy)
        spec = folder / "kernels" / "reader"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "reader",
                    "language": "python",
                }
            )
        )
        env = kernel_environment(os.environ, pythonpath, profile, results)
        os.environ["JUPYTER_PATH"] = str(folder)  # where the client finds the kernel spec
        nb = nbformat.read(copy, as_version=4)
        client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="reader")
        start = time.perf_counter()
        client.execute(cwd=str(copy.parent), env=env)  # the kernel's cwd and environment
        seconds = time.perf_counter() - start
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts.append(
                output.get("text", "") or str(output.get("data", {}).get("text/plain", ""))
            )
    return seconds, "\n".join(texts)


def run_one(args):
    """Worker process: execute one notebook, print its seconds (and outputs) as JSON."""
    seconds, text = execute(
        pathlib.Path(args.notebook),
        args.python,
        args.profile,
        args.results,
        args.timeout,
        args.pythonpath,
    )
    print("@@RESULT@@" + json.dumps({"seconds": seconds, "text": text}))


def run_in_process(notebook, options, results):
    """Execute one notebook in a fresh client process (the kernel is its own process anyway)."""
    command = [
        sys.executable,
        __file__,
        "--run-one",
        str(notebook),
        "--python",
        str(options.python),
        "--profile",
        options.profile,
        "--results",
        str(results),
        "--timeout",
        str(options.timeout),
    ]
    if options.pythonpath:
        command += ["--pythonpath", str(options.pythonpath)]
    if options.niceness:
        command = ["nice", "-n", str(options.niceness), *command]
    done = subprocess.run(command, capture_output=True, text=True)
    marker = [line for line in done.stdout.splitlines() if line.startswith("@@RESULT@@")]
    if done.returncode or not marker:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-40:])
        return notebook.stem, None, tail
    record = json.loads(marker[0][len("@@RESULT@@") :])
    return notebook.stem, record["seconds"], record["text"]


def expected_seconds(build_times=None, colab_times=None):
    """{chapter stem: seconds it is expected to take}, to start the longest first.

    From the book build's last executions (``_build/execution_times.json``: in ``make test``, this
    very checkout's), else from the last Colab check (``benchmarks/colab_seconds.json``).
    """
    build_times = pathlib.Path(build_times or ROOT / "_build" / "execution_times.json")
    colab_times = pathlib.Path(colab_times or ROOT / "benchmarks" / "colab_seconds.json")
    try:
        if build_times.exists():
            records = json.loads(build_times.read_text())
            return {pathlib.Path(name).stem: r["seconds"] for name, r in records.items()}
        if colab_times.exists():
            return dict(json.loads(colab_times.read_text()).get("chapter_seconds", {}))
    except (ValueError, KeyError, TypeError, AttributeError):  # a record of another format
        pass
    return {}


def longest_first(paths, expected):
    """``paths`` by expected seconds, longest first; unknown ones first, in their order."""
    return sorted(paths, key=lambda path: -expected.get(path.stem, float("inf")))


def run_chapters(options):
    """Execute every chapter and the FAQ alone (``--jobs`` at a time), then the FAQ again.

    The longest chapters start first, so that no long one starts last while the other
    workers sit idle; the FAQ alone (it reads an empty results folder) is the shortest run.
    """
    notebooks = [path for path in chapters() if not options.only or path.stem in options.only]
    faq = [path for path in notebooks if path.stem == FAQ]
    others = longest_first([path for path in notebooks if path.stem != FAQ], expected_seconds())
    seconds, failures = {}, {}
    with tempfile.TemporaryDirectory(prefix="colab-check-") as scratch:
        scratch = pathlib.Path(scratch)
        results = scratch / "results"

        def record(outcome, key=None):
            name, took, text = outcome
            key = key or name
            if took is None:
                failures[key] = text
                print(f"FAILED {key}\n{text}", flush=True)
            else:
                seconds[key] = round(took, 1)
                print(f"{key}: {took:.1f} s", flush=True)
            return text

        # (notebook, results folder, name): the FAQ alone reads a folder nothing is saved in.
        runs = [(path, results, path.stem) for path in others]
        runs += [(path, scratch / "nothing", f"{FAQ} (alone)") for path in faq]
        with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
            futures = {
                pool.submit(run_in_process, path, options, folder): name
                for path, folder, name in runs
            }
            for future in concurrent.futures.as_completed(futures):
                name = futures[future]
                text = record(future.result(), name)
                # Opened alone: nothing saved yet, and never a traceback.
                if name == f"{FAQ} (alone)" and name in seconds and "skipped" not in text:
                    failures[name] = "the FAQ alone did not say what it skipped"
        for notebook in faq if others else []:  # after the others: every answer must be there
            text = record(run_in_process(notebook, options, results))
            if FAQ in seconds and ("skipped:" in text or "have not saved" in text):
                failures[FAQ] = "the FAQ skipped answers although every chapter ran:\n" + text
    return seconds, failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", help="kernel interpreter (default: build .venv-colab)")
    parser.add_argument("--pythonpath", help="PYTHONPATH of the kernel (default: none)")
    parser.add_argument("--profile", default="quick", choices=["quick", "full"])
    parser.add_argument("--jobs", type=int, default=1, help="notebooks executed at a time")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--niceness", type=int, default=0)
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "colab_seconds.json"))
    parser.add_argument("--only", nargs="*", help="execute only these chapters (by file stem)")
    parser.add_argument(
        "--background", action="store_true", help="only start setting up .venv-colab, detached"
    )
    parser.add_argument("--environment-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--run-one", dest="notebook", help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    # Kernels start in an empty folder: a relative interpreter path (the Makefile's
    # .venv/bin/python) would not be found there. abspath keeps the venv's link.
    if options.python:
        options.python = os.path.abspath(options.python)
    if options.notebook:
        return run_one(options)
    if options.background:
        return start_in_background()
    if options.environment_only:
        return environment_only()
    start = time.perf_counter()
    record = {
        "profile": options.profile,
        "jobs": options.jobs,
        "host_python": platform.python_version(),
    }
    if options.python is None:
        # One check at a time per checkout: a second would reinstall the package under the first.
        lock = open(LOCK, "w")  # held until the process ends
        record["waited_seconds"] = round(wait_for_environment(lock), 1)
        mark = time.perf_counter()
        built = build_environment()
        record["environment_seconds"] = round(time.perf_counter() - mark, 1) if built else 0.0
        if built:  # here, not in the background
            phases.record("Colab environment", record["environment_seconds"], background=False)
        mark = time.perf_counter()
        installed = ensure_package()  # done already if make test set it up in the background
        record["install_seconds"] = round(time.perf_counter() - mark, 1) if installed else 0.0
        options.python = str(VENV / "bin" / "python")
        record["versions"] = environment_requirements()
    seconds, failures = run_chapters(options)
    record["chapter_seconds"] = seconds
    record["total_seconds"] = round(time.perf_counter() - start, 1)
    record["failed"] = sorted(failures)
    pathlib.Path(options.output).write_text(json.dumps(record, indent=1) + "\n")
    if options.profile == "quick":
        phases.record(
            "Colab check",
            record["total_seconds"],
            waited_seconds=record.get("waited_seconds", 0.0),
            install_seconds=record.get("install_seconds", 0.0),
            failed=record["failed"],
        )
    print(
        f"{len(seconds)} executions, {len(failures)} failed, {record['total_seconds']:.0f} s "
        f"in all; seconds in {options.output}"
    )
    if failures:
        raise SystemExit(f"failed: {', '.join(sorted(failures))}")


if __name__ == "__main__":
    main()
