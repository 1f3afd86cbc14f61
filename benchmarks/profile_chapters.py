"""Where each chapter's seconds go: per-cell wall times grouped by what the cell does.

    python benchmarks/profile_chapters.py                  # the last build's times
    python benchmarks/profile_chapters.py --run ch01_background ch03_1_cnn --jobs 1

Without ``--run`` it reads ``_build/execution_times.json``, which every ``make book`` writes
(its executor, ``tools/build_book.py``, records when each cell started and ended). With ``--run``
it executes the named chapters now, ``--jobs`` at a time, with the same executor but outside the
book's cache (the FAQ reads the results of the last build), and times the fp32 matmul peak before
and after, so that a busy machine shows as a low peak.

A cell's role comes from its code: ``setup`` (the first code cell: imports, seed, banner, data),
``checks`` (hidden gates and saved results, tagged ``remove-cell``), ``training`` (fit, train,
sweep, distil), ``plotting`` (``plots*.``), ``data`` (loading and splitting), ``evaluation``
(evaluate, predict, accuracy, latency, verdicts) and ``other`` (showing source, tables).
``kernel`` is the time outside the cells: starting and stopping the kernel. ``cores busy`` is
the kernel's processor time over its wall time: near 1 means mostly one thread (start-up, tracing,
Python), near 2 means both cores training; two notebooks at a time gain little over the latter.
Tracing (``tf.function``) happens inside the cells that first call a model, mostly ``training``
and ``evaluation``.
"""

import argparse
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_book as build  # noqa: E402  (tools/build_book.py)

TIMES = ROOT / "_build" / "execution_times.json"
ROLES = ("kernel", "setup", "data", "training", "evaluation", "plotting", "checks", "other")
PATTERNS = [
    ("training", r"\.fit\(|\btrain|sweep|distil|paired_seeds|omitted_digit|compare|run_|fit_"),
    ("plotting", r"\bplots(_\w+)?\.|\bplt\."),
    ("data", r"\bdata\.|load_|stratified_split"),
    ("evaluation", r"evaluate|predict|accuracy|latency|measure|verdict|interval|time"),
]


def role(cell, first):
    """What a cell does, from its tags and code (see the module docstring)."""
    if first:
        return "setup"
    if "remove-cell" in cell.get("tags", []):
        return "checks"
    for name, pattern in PATTERNS:
        if re.search(pattern, cell["source"]):
            return name
    return "other"


def by_role(record):
    """{role: seconds} for one notebook's record in execution_times.json."""
    seconds = dict.fromkeys(ROLES, 0.0)
    seconds["kernel"] = record.get("kernel_seconds", 0.0)
    for position, cell in enumerate(record["cells"]):
        seconds[role(cell, position == 0)] += cell["seconds"] or 0.0
    return seconds


def table(times):
    """A Markdown table: one row per notebook, one column per role, then the total."""
    lines = [
        "| notebook | " + " | ".join(ROLES) + " | total | cores busy |",
        "| --- |" + " ---: |" * (len(ROLES) + 2),
    ]
    totals = dict.fromkeys(ROLES, 0.0)
    for name, record in sorted(times.items(), key=lambda item: -item[1]["seconds"]):
        seconds = by_role(record)
        for key in ROLES:
            totals[key] += seconds[key]
        cells = " | ".join(f"{seconds[key]:.1f}" for key in ROLES)
        cores = cores_busy(record)
        lines.append(f"| {pathlib.Path(name).stem} | {cells} | {record['seconds']:.1f} | {cores} |")
    whole = sum(record["seconds"] for record in times.values())
    share = " | ".join(f"{100 * totals[key] / whole:.0f} %" for key in ROLES) if whole else ""
    cpu = sum(record.get("cpu_seconds") or 0.0 for record in times.values())
    cores = f"{cpu / whole:.2f}" if cpu and whole else ""
    totals_row = " | ".join(f"{totals[key]:.1f}" for key in ROLES)
    lines.append(f"| **all** | {totals_row} | {whole:.1f} | {cores} |")
    lines.append(f"| share | {share} | 100 % | |")
    return "\n".join(lines)


def cores_busy(record):
    """The kernel's processor seconds per wall second: 1.0 is one core busy throughout."""
    cpu = record.get("cpu_seconds")
    return f"{cpu / record['seconds']:.2f}" if cpu and record["seconds"] else ""


def alone_seconds(record, cores=2):
    """Idle-machine estimate of one notebook's seconds run alone, from its processor time.

    Processor time does not grow when other programs share the machine, so this estimate is one a
    busy machine cannot distort. ``main`` is the kernel's main-thread time (start-up, Python,
    tracing: one core at a time) and ``all`` its time over all threads; the rest (``all - main``,
    TensorFlow's own threads) is spread over the cores: ``main + (all - main) / cores``. None when
    the record has no processor time.
    """
    total = record.get("cpu_seconds")
    if not total:
        return None
    cells = record["cells"]
    outside = max(total - sum(cell.get("cpu_all", 0.0) for cell in cells), 0.0)
    main = min(outside + sum(cell.get("cpu_main", 0.0) for cell in cells), total)
    return main + (total - main) / cores


def projection(times, cores=2):
    """Idle-machine estimates (seconds) of executing these notebooks one and two at a time.

    One at a time: the sum of :func:`alone_seconds`. Two at a time, every core stays busy while
    the chapters run (``sum(all) / cores``, but never less than the longest chapter alone); the
    notebooks that read the others' results (the FAQ) run after them, alone.
    """
    alone = {name: alone_seconds(record, cores) for name, record in times.items()}
    if not alone or None in alone.values():
        return None
    readers = [name for name, record in times.items() if is_reader(record)]
    writers = [name for name in times if name not in readers]
    packed = sum(times[name]["cpu_seconds"] for name in writers) / cores
    together = max(packed, max((alone[name] for name in writers), default=0.0))
    together += sum(alone[name] for name in readers)
    return sum(alone.values()), together


def is_reader(record):
    calls = build.READS_RESULTS
    return any(call in cell["source"] for cell in record["cells"] for call in calls)


def matmul_peak():
    """The fp32 matmul peak (GFLOP/s), timed in its own process as bench_foundation does."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); "
        "import bench_foundation as b; print(b.matmul_gflops())"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else float("nan")


def run(chapters, jobs):
    """Execute ``chapters`` now; return (times, wall seconds)."""
    paths = [ROOT / "chapters" / f"{name.removesuffix('.ipynb')}.ipynb" for name in chapters]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise SystemExit(f"no such chapter: {', '.join(missing)}")
    config = build.Build(ROOT, jobs)
    results = pathlib.Path(tempfile.mkdtemp(prefix="profile-results-"))
    if config.results_dir.is_dir():  # the FAQ reads what the last build saved
        shutil.copytree(config.results_dir, results, dirs_exist_ok=True)
    times = {}

    def done(result):
        keep = ("seconds", "kernel_seconds", "cpu_seconds", "cells", "error")
        times[config.name(result["path"])] = {key: result[key] for key in keep}
        state = f"FAILED ({result['error'][:200]})" if result["error"] else "ok"
        print(f"{config.name(result['path'])}: {result['seconds']:.1f} s {state}", file=sys.stderr)

    start = time.perf_counter()
    build.run_all([paths], jobs, config.timeout, config.allow_errors, config.in_temp, results, done)
    wall = time.perf_counter() - start
    shutil.rmtree(results, ignore_errors=True)
    return times, wall


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--run", nargs="+", metavar="CHAPTER", help="execute these chapters now")
    parser.add_argument("--jobs", type=int, default=1, help="with --run: notebooks at a time")
    parser.add_argument("--json", type=pathlib.Path, help="also write the times to this file")
    args = parser.parse_args(argv)
    if args.run:
        peak_before = matmul_peak()
        times, wall = run(args.run, args.jobs)
        peak_after = matmul_peak()
        print(
            f"{len(times)} notebook(s), {args.jobs} at a time: {wall:.1f} s wall; fp32 matmul "
            f"peak {peak_before:.0f} GFLOP/s before, {peak_after:.0f} after\n"
        )
    else:
        if not TIMES.exists():
            raise SystemExit(f"no {TIMES.relative_to(ROOT)}: build the book first (make book)")
        times = json.loads(TIMES.read_text())
    print(table(times))
    estimate = projection(times)
    if estimate:
        one, together = estimate
        print(
            f"\nProcessor-time estimate on an idle 2-core machine: {one:.0f} s one at a time, "
            f"{together:.0f} s two at a time ({one / together:.2f}x)."
        )
    if args.json:
        args.json.write_text(json.dumps(times, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
