"""Print the book's speed and memory table.

Each ``benchmarks/bench_<topic>.py`` exposes ``run() -> list[dict]`` with the keys
``benchmark``, ``value``, ``unit`` and ``target``. Every module runs in its own
Python process (TensorFlow state such as logical devices or the precision
policy cannot leak from one to the next). Run from the repository root:

    python benchmarks/run.py                 # every benchmark
    python benchmarks/run.py --only build    # the build table alone (clean, incremental, chapters)
    python benchmarks/run.py --clean-build   # time a clean build now, not the last recorded one
"""

import argparse
import json
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def run_module(name, extra_args=()):
    """Run ``bench_<name>.run()`` in a fresh interpreter and return its rows."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import bench_{name} as bench; "
        "print('@@ROWS@@' + json.dumps(bench.run(*sys.argv[1:]), default=float))"
    )
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, *extra_args], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    marker = [line for line in result.stdout.splitlines() if line.startswith("@@ROWS@@")]
    if result.returncode != 0 or not marker:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        return [
            {
                "benchmark": f"{name}: FAILED",
                "value": float("nan"),
                "unit": "",
                "target": "",
                "note": " | ".join(tail),
            }
        ], seconds
    return json.loads(marker[0][len("@@ROWS@@") :]), seconds


def format_table(rows):
    """A Markdown table of the rows (value with 3 significant digits)."""
    lines = ["| benchmark | value | unit | target | met |", "| --- | ---: | --- | --- | --- |"]
    for row in rows:
        value = row["value"]
        shown = (
            f"{value:,.3g}" if isinstance(value, float) and abs(value) < 1e4 else f"{value:,.0f}"
        )
        lines.append(
            f"| {row['benchmark']} | {shown} | {row['unit']} | {row.get('target', '')} "
            f"| {met(row)} |"
        )
        if row.get("note"):
            lines.append(f"| ↳ {row['note']} | | | | |")
    return "\n".join(lines)


def met(row):
    """'yes'/'no' for targets of the form '<= x' or '>= x', else ''."""
    target = str(row.get("target", "")).replace(",", "").strip()
    for operator in ("<=", ">="):
        if target.startswith(operator):
            try:
                bound = float(target[2:].split()[0])
            except ValueError:
                return ""
            ok = row["value"] <= bound if operator == "<=" else row["value"] >= bound
            return "yes" if ok else "no"
    return ""


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", help="topics to run (file names without bench_)")
    parser.add_argument(
        "--clean-build", action="store_true", help="time a clean build of the book now"
    )
    parser.add_argument("--json", type=pathlib.Path, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    topics = args.only or sorted(path.stem[len("bench_") :] for path in HERE.glob("bench_*.py"))
    rows = []
    for topic in topics:
        extra = ["clean-build"] if (topic == "build" and args.clean_build) else []
        topic_rows, seconds = run_module(topic, extra)
        rows += topic_rows
        print(f"ran bench_{topic} in {seconds:.0f} s", file=sys.stderr)
    print(format_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=float))
    return 1 if any(row["benchmark"].endswith("FAILED") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
