"""The book's build times against the targets, with the CPU's matmul peak timed in the same run.

Rows:

* **clean build** (target <= 240 s): the seconds of the last build from scratch
  (``make book-fresh``, which CI and ``make test`` run), recorded in ``_build/clean_build.json``.
  A clean build executes every notebook (minutes), so this benchmark reuses that record rather
  than repeating it; ``benchmarks/run.py --clean-build`` runs one now, with the Makefile's own
  command. Next to it, an idle-machine estimate from the processor time of the last executions
  and Sphinx pass (``benchmarks/profile_chapters.py`` explains it): a shared machine inflates
  seconds, not processor time.
* **incremental rebuild after a one-sentence change** (target <= 30 s): measured now. One sentence
  is added to a markdown cell of a chapter, ``make book``'s command runs (it executes nothing, since
  no code cell changed, and re-reads that page), then the Chinese edition's pass; then the chapter
  is restored byte for byte and both are rebuilt, so the site matches the sources again.
* **each chapter's execution** and **the slowest chapter** (target <= 45 s), from the last
  executions (``_build/execution_times.json``; measured ``--jobs`` at a time, as the build runs
  them, so each is slower than alone).
* **fixed cost of a notebook**: a fresh kernel, ``import tensorflow``, ``import bigmodel_utils`` and
  the banner, each step timed.
* **Colab check**, when ``benchmarks/colab_seconds.json`` exists (written by ``make colab-check``).
* **make test, phase by phase** (the whole target <= 1,200 s on a fresh clone), from the record the
  last ``make test`` left in ``_build/test_phases.json`` (``ci/phases.py``): set-up, lint, English
  execution, Sphinx, Chinese pass, pytest, Colab environment (in the background, with its processor
  seconds), Colab check.
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
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "ci"))
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
    """(seconds, how) of a clean build: the recorded one, one run now (``force``), or none."""
    record = BUILD / "clean_build.json"
    if record.exists() and not force:
        seconds = json.loads(record.read_text())["seconds"]
        return seconds, "recorded by the last make book-fresh"
    if not force:
        return float("nan"), "no record: run make book-fresh, or benchmarks/run.py --clean-build"
    from build_book import empty_build_folder

    empty_build_folder(BUILD)  # as make book-fresh does
    seconds, _ = build_now()
    return seconds, "measured now"


def chinese_pass():
    """Seconds of the Chinese edition's pass (``tools/build_zh.py``), 0 if the book has none."""
    script = ROOT / "tools" / "build_zh.py"
    if not script.exists():
        return 0.0
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise RuntimeError(f"the Chinese pass failed:\n{tail}")
    return time.perf_counter() - start


def incremental_rebuild():
    """(English pass, Chinese pass, executed?) of ``make book`` after a one-sentence change."""
    import nbformat

    original = EDITED_CHAPTER.read_bytes()
    if not (BUILD / "last_build_succeeded").exists():
        build_now()  # bring the build up to date first, so that only the sentence differs
    try:
        nb = nbformat.read(EDITED_CHAPTER, as_version=4)
        cell = next(cell for cell in nb.cells[1:] if cell.cell_type == "markdown")
        cell.source += SENTENCE
        nbformat.write(nb, EDITED_CHAPTER)
        english, output = build_now()
        chinese = chinese_pass()
    finally:
        EDITED_CHAPTER.write_bytes(original)
    build_now()  # the site matches the sources again
    chinese_pass()
    return english, chinese, "nothing to execute" not in output


def fixed_cost(repeats=3):
    """{step: (wall seconds, processor seconds)} a notebook pays before its first computation.

    Medians of ``repeats`` fresh kernels. Processor seconds (all the kernel's threads, from
    ``/proc``) do not grow when others share the machine; wall seconds do.
    """
    from build_book import thread_cpu
    from jupyter_client.manager import start_new_kernel

    steps = {
        "import tensorflow": "import tensorflow",
        "import bigmodel_utils": "from bigmodel_utils import data, profile",
        "banner": "profile.banner(seed=0)",
        "data": "mnist = data.load_profile_mnist(verbose=False)",
    }
    runs = []
    for _ in range(repeats):
        seconds = {}
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "chapters"))
        pid = manager.provisioner.pid
        cpu = thread_cpu(pid)[1]
        seconds["kernel start"] = (time.perf_counter() - start, cpu)
        try:
            for name, code in steps.items():
                start = time.perf_counter()
                reply = client.execute_interactive(code, timeout=300, output_hook=lambda msg: None)
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"{code!r} failed: {reply['content'].get('ename')}")
                now = thread_cpu(pid)[1]
                seconds[name] = (time.perf_counter() - start, now - cpu)
                cpu = now
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
        runs.append(seconds)
    return {
        name: tuple(statistics.median(run[name][i] for run in runs) for i in (0, 1))
        for name in runs[0]
    }


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


def phase_rows():
    """make test's seconds, phase by phase, from the record of its last run."""
    import phases  # ci/phases.py

    path = BUILD / "test_phases.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    if "total_seconds" not in data:  # that make test stopped before its summary
        return []
    rows = [
        {
            "benchmark": "make test (= .ci/run), last run, in all",
            "value": float(data["total_seconds"]),
            "unit": "s",
            "target": f"<= {data.get('target_seconds', phases.TARGET_SECONDS)}",
            "note": "recorded by make test (ci/phases.py); a fresh clone sets up both environments",
        }
    ]
    entries = data.get("phases", {})
    for name, seconds in phases.phases(data, BUILD).items():
        entry = entries.get(name, {})
        note = ""
        if entry.get("background"):
            note = f"in the background, {entry.get('cpu_seconds', 0):.0f} s of processor time"
        elif entry.get("waited_seconds"):
            note = f"of which {entry['waited_seconds']:.0f} s waiting for the Colab environment"
        rows.append(
            {
                "benchmark": f"make test: {name}",
                "value": float(seconds),
                "unit": "s",
                "target": "",
                "note": note,
            }
        )
    return rows


def chapter_rows():
    """Each chapter's seconds in the last executions, and idle-machine estimates from them."""
    from profile_chapters import alone_seconds, projection

    path = BUILD / "execution_times.json"
    if not path.exists():
        return []
    records = json.loads(path.read_text())
    times = {pathlib.Path(name).stem: record["seconds"] for name, record in records.items()}
    slowest = max(times, key=times.get)
    rows = [
        {
            "benchmark": f"slowest chapter ({slowest}), executed in the build",
            "value": times[slowest],
            "unit": "s",
            "target": "<= 45",
        }
    ]
    alone = {pathlib.Path(n).stem: alone_seconds(r) for n, r in records.items()}
    if None not in alone.values():
        longest = max(alone, key=alone.get)
        rows.append(
            {
                "benchmark": f"slowest chapter ({longest}) alone, idle-machine estimate",
                "value": alone[longest],
                "unit": "s",
                "target": "<= 45",
                "note": "from processor time (benchmarks/profile_chapters.py)",
            }
        )
    estimate = projection(records)
    if estimate:
        rows += [
            {
                "benchmark": f"all executions, {label}, idle-machine estimate",
                "value": value,
                "unit": "s",
                "target": "",
            }
            for label, value in zip(("one at a time", "two at a time"), estimate)
        ]
    rows += [
        {
            "benchmark": f"execute {name}",
            "value": seconds,
            "unit": "s",
            "target": "",
            "note": f"alone on an idle machine ~{alone[name]:.0f} s" if alone[name] else "",
        }
        for name, seconds in sorted(times.items())
    ]
    return rows


def clean_build_estimate():
    """Idle-machine estimate of a clean build: executions two at a time plus the Sphinx pass."""
    from profile_chapters import projection

    times, last = BUILD / "execution_times.json", BUILD / "last_build.json"
    if not (times.exists() and last.exists()):
        return None
    estimate = projection(json.loads(times.read_text()))
    sphinx = json.loads(last.read_text()).get("sphinx_cpu_seconds")
    return estimate[1] + sphinx if estimate and sphinx else None


def run(*args):
    from bench_foundation import matmul_gflops

    peak_before = matmul_gflops()
    clean_seconds, how = clean_build(force="clean-build" in args)
    english, chinese, executed = incremental_rebuild()
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
            "benchmark": f"clean build of the book, English edition ({how})",
            "value": clean_seconds,
            "unit": "s",
            "target": "<= 240",
        },
        {
            "benchmark": "rebuild after a one-sentence change (make book, both editions)",
            "value": english + chinese,
            "unit": "s",
            "target": "<= 30",
            "note": "a notebook was executed: the cache missed" if executed else "",
        },
        {
            "benchmark": "rebuild after a one-sentence change: English pass",
            "value": english,
            "unit": "s",
            "target": "",
        },
        {
            "benchmark": "rebuild after a one-sentence change: Chinese pass",
            "value": chinese,
            "unit": "s",
            "target": "",
        },
    ]
    estimate = clean_build_estimate()
    if estimate:
        rows.append(
            {
                "benchmark": "clean build, English edition, idle-machine estimate",
                "value": estimate,
                "unit": "s",
                "target": "<= 240",
                "note": "executions two at a time + the Sphinx pass, from processor time",
            }
        )
    rows += phase_rows()
    rows += chapter_rows()
    for name, (wall, cpu) in costs.items():
        rows.append(
            {
                "benchmark": f"fixed cost per notebook: {name}",
                "value": wall,
                "unit": "s",
                "target": "",
                "note": f"{cpu:.2f} s of processor time",
            }
        )
    rows.append(
        {
            "benchmark": "fixed cost per notebook: total",
            "value": sum(wall for wall, _ in costs.values()),
            "unit": "s",
            "target": "<= 8",
            "note": f"{sum(cpu for _, cpu in costs.values()):.2f} s of processor time",
        }
    )
    return rows + colab_rows()
