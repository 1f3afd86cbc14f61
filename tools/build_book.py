"""Build the book: execute only the notebooks that changed, two at a time, then one Sphinx pass.

    python tools/build_book.py SOURCE [--jobs N] [-- JUPYTER_BOOK_BUILD_FLAGS ...]

1. **Inputs.** An executed notebook depends on more than its own cells: the package
   (``bigmodel_utils/``), the environment (``requirements.lock``, the Python in use), the data
   (the files under ``$KERAS_HOME/datasets``), the profile (``BIGMODEL_PROFILE``) and the
   ``execute:`` settings of ``_config.yml`` but the timeout (it bounds a run, it does not shape it;
   every build from scratch applies it to every cell). Their fingerprints are kept in
   ``_build/execution_inputs.json``; when one differs, the execution cache and the saved results
   (``_build/results``) are cleared, so every notebook runs again.
2. **What to execute.** A notebook runs when the execution cache (the jupyter-cache that
   ``execute_notebooks: cache`` reads) holds no run of its code cells as they are now. A notebook
   that reads other chapters' results (it calls ``load_results`` or ``load_available``, as the FAQ
   does) runs after all the others, and again whenever the saved results differ from those its
   cached run read.
3. **Execution.** Notebooks run in fresh kernels, ``--jobs`` at a time, longest first (by the last
   recorded times), each in its own folder as Jupyter Book's executor runs them, with the book's
   per-cell ``execute.timeout`` and ``allow_errors``. A failing cell or a cell timeout stops the
   build once the running notebooks finish (exit 1), naming the notebook and the error. Each run is
   stored in the cache; per-cell seconds go to ``_build/execution_times.json`` (read by
   ``benchmarks/profile_chapters.py``), each kernel's own stderr to ``_build/logs/``.
4. **Sphinx.** ``jupyter-book build SOURCE FLAGS`` takes every notebook's outputs from the cache
   and re-reads only the pages whose source changed or whose notebook ran again. When the last pass
   did not succeed, every page is re-read (``--all``), so an incremental build never hides a
   warning.

The executed notebooks, with their outputs, are left where Jupyter Book 1 leaves them:
``_build/jupyter_execute/<path>.ipynb``.
"""

import argparse
import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import pathlib
import resource
import shutil
import signal
import subprocess
import sys
import time

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]  # the repository: its package, lock and data
# A notebook whose code calls one of these reads the results other notebooks saved (the FAQ).
READS_RESULTS = ("load_results(", "load_available(")
# What emptying ``_build`` keeps: the last execution times (they only order the runs) and the
# record of the seconds per phase of a running ``make test`` (``ci/phases.py``).
KEPT = ("execution_times.json", "test_phases.json")


# ---- 1. inputs --------------------------------------------------------------------------------


def file_digest(paths, base):
    """SHA-256 over the relative names and bytes of ``paths``."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def data_folder():
    """Where the package keeps its datasets: ``$KERAS_HOME/datasets`` (as ``data.cache_dir``)."""
    keras_home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return pathlib.Path(keras_home) / "datasets"


def data_digest(folder):
    """SHA-256 over the names and bytes of the data files under ``folder``.

    Contents, not modification times, so that a cache rewritten with the same bytes changes
    nothing; half-written temporary files (``*.tmp*``) of a running loader are left out.
    """
    files = [p for p in folder.rglob("*") if p.is_file() and ".tmp" not in p.name]
    return file_digest(files, folder) if folder.is_dir() else ""


def execution_inputs(config):
    """What every executed notebook depends on besides its own cells, one fingerprint each."""
    package = ROOT / "bigmodel_utils"
    lock = ROOT / "requirements.lock"
    return {
        "package": file_digest(package.rglob("*.py"), ROOT) if package.is_dir() else "",
        "requirements.lock": file_digest([lock], ROOT) if lock.exists() else "",
        "python": sys.version,
        "data": data_digest(data_folder()),
        "profile": os.environ.get("BIGMODEL_PROFILE", "auto"),
        # The settings that shape outputs; the timeout only bounds a run (a fresh build applies it).
        "execute settings": json.dumps(
            {k: v for k, v in config.get("execute", {}).items() if k != "timeout"}, sort_keys=True
        ),
    }


# ---- 2. what to execute -----------------------------------------------------------------------


def book_notebooks(source):
    """The ``.ipynb`` files of the table of contents, in its order."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    site_map = parse_toc_yaml(str(source / "_toc.yml"))
    paths = [source / f"{docname}.ipynb" for docname in site_map]
    return [path for path in paths if path.exists()]


def reads_results(nb):
    return any(
        cell.cell_type == "code" and any(call in cell.source for call in READS_RESULTS)
        for cell in nb.cells
    )


def cached_record(cache, nb):
    """The cache's run of ``nb``'s code cells as they are now, or None."""
    try:
        return cache.match_cache_notebook(nb)
    except KeyError:
        return None


def results_digest(results_dir):
    """SHA-256 of the saved results: a reader's run is valid only for the results it read."""
    return file_digest(pathlib.Path(results_dir).glob("*.json"), pathlib.Path(results_dir))


# ---- 3. execution (one notebook per worker process) ---------------------------------------------


def cell_seconds(cell):
    """Wall seconds of one executed cell, from nbclient's timing metadata (None if not run)."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    from datetime import datetime

    def parse(stamp):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    return (parse(end) - parse(start)).total_seconds()


def thread_cpu(pid):
    """(main thread, all threads) processor seconds of a running process, read from ``/proc``."""
    ticks = os.sysconf("SC_CLK_TCK")
    main = total = 0.0
    try:
        for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            seconds = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
            total += seconds
            main = seconds if task.name == str(pid) else main
    except (OSError, IndexError, ValueError):  # no /proc, or the thread just ended
        return None
    return main, total


def execute_notebook(path, timeout, allow_errors, in_temp, results_dir, log_dir=None):
    """Run one notebook in a fresh kernel; return a dict (runs in a worker process).

    The dict holds the executed notebook (``nb``, as JSON text, without timing metadata, so that its
    code cells hash as the source's do), ``seconds``, ``kernel_seconds`` (outside the cells: start
    and stop), ``cpu_seconds`` (the kernel's processor time, all threads: divided by ``seconds`` it
    says how many cores the notebook kept busy), per-cell ``cells`` seconds, and ``error`` (None, or
    the error's name and message). Each cell also records ``cpu_main`` and ``cpu_all``: the
    processor seconds of the kernel's main thread (Python, tracing) and of all its threads.
    """
    import tempfile

    from nbclient import NotebookClient

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: shut the kernel down first
    os.environ["BIGMODEL_RESULTS"] = str(results_dir)  # inherited by the kernel
    nb = nbformat.read(path, as_version=4)

    def children_cpu():  # processor seconds of this worker's finished children (the kernels)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu_start = children_cpu()
    start = time.perf_counter()
    workdir = tempfile.mkdtemp() if in_temp else str(pathlib.Path(path).parent)
    client = NotebookClient(
        nb,
        timeout=timeout,
        allow_errors=allow_errors,
        record_timing=True,
        resources={"metadata": {"path": workdir}},
    )
    samples = {}  # cell index -> (main thread, all threads) processor seconds after that cell

    def sample(cell, cell_index, **_):
        samples[cell_index] = thread_cpu(client.km.provisioner.pid)

    client.on_cell_executed = sample
    error = None
    log = None
    if log_dir is not None:  # the kernel's own stderr (TensorFlow's C++ log lines) goes to a file
        pathlib.Path(log_dir).mkdir(parents=True, exist_ok=True)
        log = open(pathlib.Path(log_dir) / f"{pathlib.Path(path).stem}.stderr.txt", "w")
    try:
        client.execute(**({"stderr": log} if log else {}))
    except Exception as exc:  # CellExecutionError, CellTimeoutError, DeadKernelError, ...
        error = f"{type(exc).__name__}: {exc}"
    finally:
        if log:
            log.close()
        if in_temp:
            shutil.rmtree(workdir, ignore_errors=True)
    seconds = time.perf_counter() - start
    cpu_seconds = children_cpu() - cpu_start
    cells = []
    before = (0.0, 0.0)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            after = samples.get(index) or before
            cells.append(
                {
                    "index": index,
                    "seconds": cell_seconds(cell),
                    "cpu_main": after[0] - before[0],
                    "cpu_all": after[1] - before[1],
                    "tags": cell.metadata.get("tags", []),
                    "source": cell.source,
                }
            )
            before = after
            cell.metadata.pop("execution", None)
    ran = sum(cell["seconds"] or 0.0 for cell in cells)
    return {
        "path": str(path),
        "nb": nbformat.writes(nb),
        "seconds": seconds,
        "kernel_seconds": max(seconds - ran, 0.0),
        "cpu_seconds": cpu_seconds,
        "cells": cells,
        "error": error,
    }


def run_all(batches, jobs, timeout, allow_errors, in_temp, results_dir, on_done, log_dir=None):
    """Execute ``batches`` (lists of paths) one after the other, each ``jobs`` at a time.

    Calls ``on_done(result)`` as each notebook finishes; returns the results that failed. A failure
    lets the running notebooks finish but starts no new one.
    """
    failed = []
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no state from this one
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for batch in batches:
            waiting, running = list(batch), set()
            while (waiting and not failed) or running:
                while waiting and not failed and len(running) < jobs:  # never queue more than run
                    arguments = (timeout, allow_errors, in_temp, results_dir, log_dir)
                    running.add(pool.submit(execute_notebook, waiting.pop(0), *arguments))
                try:
                    done, running = concurrent.futures.wait(
                        running, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                except BaseException:  # interrupted: stop the workers, which stop their kernels
                    for process in list(pool._processes.values()):
                        process.terminate()
                    raise
                for future in done:
                    result = future.result()
                    on_done(result)
                    if result["error"]:
                        failed.append(result)
            if failed:
                break
    return failed


# ---- the build ----------------------------------------------------------------------------------


class Build:
    """One build of the book in ``source`` (its ``_build`` folder holds every output)."""

    def __init__(self, source, jobs):
        self.source = source
        self.jobs = jobs
        self.config = yaml.safe_load((source / "_config.yml").read_text()) or {}
        execute = self.config.get("execute", {})
        self.timeout = execute.get("timeout", 30)
        self.allow_errors = bool(execute.get("allow_errors", False))
        self.in_temp = bool(execute.get("run_in_temp", False))
        self.build_dir = source / "_build"
        cache = execute.get("cache") or ""
        self.cache_dir = (source / cache) if cache else self.build_dir / ".jupyter_cache"
        self.results_dir = self.build_dir / "results"
        self.inputs_file = self.build_dir / "execution_inputs.json"
        self.times_file = self.build_dir / "execution_times.json"
        self.ok_file = self.build_dir / "last_build_succeeded"
        # From scratch: nothing executed or read before (``make book-fresh`` empties _build).
        self.fresh = not (self.build_dir / ".doctrees").exists() and not self.cache_dir.exists()
        self.executed = 0
        self.execution_seconds = 0.0
        self.sphinx_cpu_seconds = 0.0

    def say(self, message):
        print(f"[build] {message}", flush=True)

    def check_inputs(self):
        """Clear the cache and the saved results when the package, lock, data or profile changed."""
        now = execution_inputs(self.config)
        before = json.loads(self.inputs_file.read_text()) if self.inputs_file.exists() else None
        changed = [key for key in now if before is not None and before.get(key) != now[key]]
        if before is None or changed or not self.results_dir.is_dir():
            if self.cache_dir.exists() or self.results_dir.exists():
                reason = ", ".join(changed) if changed else "no record of the inputs"
                self.say(f"executing every notebook again ({reason} changed)")
            shutil.rmtree(self.cache_dir, ignore_errors=True)
            shutil.rmtree(self.results_dir, ignore_errors=True)
        self.results_dir.mkdir(parents=True, exist_ok=True)

    def plan(self, cache):
        """Two batches of notebooks to execute: the others, then those that read their results."""
        writers, readers = [], []
        results = results_digest(self.results_dir)
        for path in book_notebooks(self.source):
            nb = nbformat.read(path, as_version=4)
            record = cached_record(cache, nb)
            if reads_results(nb):  # valid only if it read the results there are now
                readers.append((path, record is not None and record.data.get("results") == results))
            else:
                writers.append((path, record is not None))
        run_writers = [path for path, cached in writers if not cached]
        run_readers = [path for path, cached in readers if not cached or run_writers]
        last = self.load_times()
        run_writers.sort(key=lambda path: -last.get(self.name(path), {}).get("seconds", 1e9))
        return run_writers, run_readers

    def name(self, path):
        return str(pathlib.Path(path).relative_to(self.source))

    def load_times(self):
        return json.loads(self.times_file.read_text()) if self.times_file.exists() else {}

    def store(self, cache, times, result):
        """Cache one successful run, record its times, and make Sphinx re-read its page."""
        from jupyter_cache.base import CacheBundleIn

        name = self.name(result["path"])
        status = "FAILED" if result["error"] else "ran"
        self.say(f"{status} {name} in {result['seconds']:.1f} s")
        if result["error"]:  # at once, not only when the running notebooks are done
            print("\n".join(result["error"].splitlines()[-12:]), flush=True)
        keep = ("seconds", "kernel_seconds", "cpu_seconds", "cells")
        times[name] = {key: result[key] for key in keep}
        self.times_file.write_text(json.dumps(times, indent=1))
        if result["error"]:
            return
        nb = nbformat.reads(result["nb"], as_version=4)
        # A reader's run holds for the results it read (no writer runs after it in this build).
        extra = {"results": results_digest(self.results_dir)} if reads_results(nb) else {}
        record = cache.cache_notebook_bundle(
            CacheBundleIn(
                nb, result["path"], data={"execution_seconds": result["seconds"], **extra}
            ),
            check_validity=False,
            overwrite=True,
        )
        for old in cache.list_cache_records():  # keep one run per notebook
            if old.uri == result["path"] and old.pk != record.pk:
                cache.remove_cache(old.pk)
        source_nb = nbformat.read(result["path"], as_version=4)
        now = cached_record(cache, source_nb)
        if now is None:  # its code was edited while it ran: that run is not the notebook's now
            result["error"] = f"{name} changed while it ran; run the build again"
            return
        if now.pk != record.pk:
            raise RuntimeError(f"the cached run of {name} does not match its source")
        os.utime(
            result["path"]
        )  # its outputs changed: Sphinx re-reads a page newer than its last read

    def execute(self):
        """Execute what changed; return the failed runs."""
        from jupyter_cache import get_cache

        self.check_inputs()
        # Recorded now, so that an interrupted build keeps the runs it finished, and again after the
        # runs with the data as they left it (the first run may create data caches); the rest is
        # kept as it was when the runs started, even if it changes meanwhile.
        inputs = execution_inputs(self.config)
        self.inputs_file.write_text(json.dumps(inputs, indent=1))
        cache = get_cache(str(self.cache_dir))
        writers, readers = self.plan(cache)
        todo = writers + readers
        if not todo:
            self.say("every notebook's outputs are in the cache; nothing to execute")
            return []
        self.say(
            f"executing {len(todo)} notebook(s), {self.jobs} at a time: "
            + ", ".join(self.name(path) for path in todo)
        )
        times = self.load_times()
        start = time.perf_counter()
        failed = run_all(
            [writers, readers],
            self.jobs,
            self.timeout,
            self.allow_errors,
            self.in_temp,
            self.results_dir.resolve(),
            lambda result: self.store(cache, times, result),
            log_dir=self.build_dir / "logs",
        )
        self.times_file.write_text(json.dumps(times, indent=1))
        self.executed = len(todo)
        self.execution_seconds = time.perf_counter() - start
        self.say(f"executed in {self.execution_seconds:.1f} s")
        # The data as the runs left them (see above).
        inputs["data"] = data_digest(data_folder())
        self.inputs_file.write_text(json.dumps(inputs, indent=1))
        return failed

    def sphinx(self, flags):
        """The Sphinx pass (jupyter-book build), every page re-read if the last one failed."""
        stale = (self.build_dir / ".doctrees").exists() and not self.ok_file.exists()
        fresh = ["--all"] if stale and "--all" not in flags else []
        self.ok_file.unlink(missing_ok=True)
        jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
        command = [str(jupyter_book), "build", str(self.source), *flags, *fresh]
        self.say(" ".join(command[1:]))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        code = subprocess.run(command).returncode
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # Sphinx works on one thread: its processor seconds are its seconds on an idle machine.
        self.sphinx_cpu_seconds = (after.ru_utime + after.ru_stime) - (
            before.ru_utime + before.ru_stime
        )
        if code == 0:
            self.ok_file.touch()
        return code

    def export_executed(self):
        """Write every notebook with its cached outputs to ``_build/jupyter_execute/<path>.ipynb``.

        That is where Jupyter Book 1 leaves executed notebooks, but in ``cache`` mode myst-nb writes
        the notebook there without its outputs; this puts them back, for any later pass that
        reads executed notebooks without executing them. As in ``force`` mode, values glued with
        ``display=False`` are left out (they are in ``<path>.glue.json``, which myst-nb writes).
        """
        from jupyter_cache import get_cache
        from myst_nb.ext.glue import extract_glue_data_cell

        cache = get_cache(str(self.cache_dir))
        for path in book_notebooks(self.source):
            _, nb = cache.merge_match_into_notebook(nbformat.read(path, as_version=4))
            for cell in nb.cells:
                if cell.cell_type == "code":
                    extract_glue_data_cell(cell)  # drops the hidden glue outputs, as myst-nb does
            target = self.build_dir / "jupyter_execute" / path.relative_to(self.source)
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)

    def record(self, seconds, sphinx_seconds):
        """Write the seconds of this build (and, if it started from scratch, of a clean build)."""
        record = {
            "seconds": round(seconds, 1),
            "execution_seconds": round(self.execution_seconds, 1),
            "sphinx_seconds": round(sphinx_seconds, 1),
            "sphinx_cpu_seconds": round(self.sphinx_cpu_seconds, 1),
            "executed": self.executed,
            "jobs": self.jobs,
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        (self.build_dir / "build_seconds.txt").write_text(f"{seconds:.0f}\n")
        (self.build_dir / "last_build.json").write_text(json.dumps(record, indent=1))
        if self.fresh:
            (self.build_dir / "clean_build.json").write_text(json.dumps(record, indent=1))


def empty_build_folder(build_dir):
    """Remove everything in ``build_dir`` but the files of ``KEPT``."""
    kept = {name: (build_dir / name).read_bytes() for name in KEPT if (build_dir / name).exists()}
    shutil.rmtree(build_dir, ignore_errors=True)
    if kept:
        build_dir.mkdir(parents=True)
    for name, content in kept.items():
        (build_dir / name).write_bytes(content)


def main(argv=None):
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: stop the kernels too
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", type=pathlib.Path, help="the book's folder (holds _config.yml)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at the same time")
    parser.add_argument(
        "--empty",
        action="store_true",
        help="only empty SOURCE/_build (keeping the last execution times, which order the runs, "
        "and the record of a running make test's phases)",
    )
    argv = sys.argv[1:] if argv is None else list(argv)
    flags = argv[argv.index("--") + 1 :] if "--" in argv else []  # for `jupyter-book build`
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    if args.empty:
        empty_build_folder(args.source.resolve() / "_build")
        return 0
    build = Build(args.source.resolve(), args.jobs)
    start = time.perf_counter()
    failed = build.execute()
    for result in failed:
        build.say(f"{build.name(result['path'])} failed: {result['error']}")
    if failed:
        build.say("not building the pages: a notebook failed (fix it and run the build again)")
        return 1
    sphinx_start = time.perf_counter()
    code = build.sphinx(flags)
    sphinx_seconds = time.perf_counter() - sphinx_start
    if code == 0:
        build.export_executed()
    seconds = time.perf_counter() - start
    build.say(f"{'done' if code == 0 else 'FAILED'} in {seconds:.0f} s")
    if code == 0:
        build.record(seconds, sphinx_seconds)
    return code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("[build] stopped; the notebooks that finished stay in the cache", flush=True)
        sys.exit(130)
