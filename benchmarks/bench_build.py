"""The book's build times against the targets, with the CPU's matmul peak timed in the same run.

Rows:

* **clean build** (target <= 240 s): the seconds of the last build from scratch
  (``make book-fresh``, which CI and ``make test`` run), recorded in ``_build/clean_build.json``.
  A clean build executes every notebook (minutes), so this benchmark reuses that record rather
  than repeating it; ``benchmarks/run.py --clean-build`` (or a missing record) runs one now, with
  the Makefile's own command.
* **incremental rebuild after a one-sentence change** (target <= 30 s): measured now. One sentence
  is added to a markdown cell of a chapter, ``make book``'s command runs (it executes nothing, since
  no code cell changed, and re-reads that page), then the chapter is restored byte for byte and
  rebuilt, so the site matches the sources again.
* **each chapter's execution** and **the slowest chapter** (target <= 45 s), from the last
  executions (``_build/execution_times.json``; measured ``--jobs`` at a time, as the build runs
  them, so each is slower than alone).
* **fixed cost of a notebook**: a fresh kernel, ``import tensorflow``, ``import bigmodel_utils`` and
  the banner, each step timed.
* **Colab check**, when ``benchmarks/colab_seconds.json`` exists (written by ``make colab-check``).
* **fp32 matmul peak**, timed before and after the rebuild: a slow peak means a busy machine.
"""

import json
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
EDITED_CHAPTER = ROOT / "chapters" / "ch01_background.ipynb"
SENTENCE = "\n\nThis sentence was added to time an incremental build of the book."


def build_now():
    """Run ``make book``'s command (read from the Makefile); return (seconds, output)."""
    from bookbuild import build_command

    start = time.perf_counter()
    result = subprocess.run(build_command(ROOT), cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise RuntimeError(f"the book build failed:\n{tail}")
    return seconds, result.stdout


def clean_build(force=False):
    """(seconds, how) of a clean build: the recorded one, or one run now."""
    record = BUILD / "clean_build.json"
    if record.exists() and not force:
        seconds = json.loads(record.read_text())["seconds"]
        return seconds, "recorded by the last make book-fresh"
    import shutil

    shutil.rmtree(BUILD, ignore_errors=True)
    seconds, _ = build_now()
    return seconds, "measured now"


def incremental_rebuild():
    """Seconds of ``make book`` after one sentence is added to a markdown cell of a chapter."""
    import nbformat

    original = EDITED_CHAPTER.read_bytes()
    if not (BUILD / "last_build_succeeded").exists():
        build_now()  # bring the build up to date first, so that only the sentence differs
    try:
        nb = nbformat.read(EDITED_CHAPTER, as_version=4)
        cell = next(cell for cell in nb.cells[1:] if cell.cell_type == "markdown")
        cell.source += SENTENCE
        nbformat.write(nb, EDITED_CHAPTER)
        seconds, output = build_now()
    finally:
        EDITED_CHAPTER.write_bytes(original)
    build_now()  # the site matches the sources again
    executed = "nothing to execute" not in output
    return seconds, executed


def fixed_cost():
    """Seconds of each step a notebook pays before its first computation (median of 3)."""
    from jupyter_client.manager import start_new_kernel

    steps = {
        "import tensorflow": "import tensorflow",
        "import bigmodel_utils": "from bigmodel_utils import data, profile",
        "banner": "profile.banner(seed=0)",
        "data": "mnist = data.load_profile_mnist(verbose=False)",
    }
    runs = []
    for _ in range(3):
        seconds = {}
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "chapters"))
        seconds["kernel start"] = time.perf_counter() - start
        try:
            for name, code in steps.items():
                start = time.perf_counter()
                reply = client.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"{code!r} failed: {reply['content'].get('ename')}")
                seconds[name] = time.perf_counter() - start
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
        runs.append(seconds)
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def colab_rows():
    path = ROOT / "benchmarks" / "colab_seconds.json"
    if not path.exists():
        return []
    record = json.loads(path.read_text())
    return [
        {
            "benchmark": f"Colab check, last run ({record.get('jobs', '?')} at a time)",
            "value": float(record["total_seconds"]),
            "unit": "s",
            "target": "",
        }
    ]


def chapter_rows():
    path = BUILD / "execution_times.json"
    if not path.exists():
        return []
    times = {
        pathlib.Path(name).stem: record["seconds"]
        for name, record in json.loads(path.read_text()).items()
    }
    slowest = max(times, key=times.get)
    rows = [
        {
            "benchmark": f"slowest chapter ({slowest}), executed in the build",
            "value": times[slowest],
            "unit": "s",
            "target": "<= 45",
        }
    ]
    rows += [
        {"benchmark": f"execute {name}", "value": seconds, "unit": "s", "target": ""}
        for name, seconds in sorted(times.items())
    ]
    return rows


def run(*args):
    from bench_foundation import matmul_gflops

    peak_before = matmul_gflops()
    clean_seconds, how = clean_build(force="clean-build" in args)
    rebuild_seconds, executed = incremental_rebuild()
    costs = fixed_cost()
    peak = statistics.mean([peak_before, matmul_gflops()])
    rows = [
        {
            "benchmark": "fp32 matmul 2048x2048 (CPU peak, this run)",
            "value": peak,
            "unit": "GFLOP/s",
            "target": "",
        },
        {
            "benchmark": f"clean build of the book ({how})",
            "value": clean_seconds,
            "unit": "s",
            "target": "<= 240",
        },
        {
            "benchmark": "rebuild after a one-sentence change (make book)",
            "value": rebuild_seconds,
            "unit": "s",
            "target": "<= 30",
            "note": "a notebook was executed: the cache missed" if executed else "",
        },
    ]
    rows += chapter_rows()
    rows += [
        {
            "benchmark": f"fixed cost per notebook: {name}",
            "value": seconds,
            "unit": "s",
            "target": "",
        }
        for name, seconds in costs.items()
    ]
    rows.append(
        {
            "benchmark": "fixed cost per notebook: total",
            "value": sum(costs.values()),
            "unit": "s",
            "target": "<= 8",
        }
    )
    return rows + colab_rows()
