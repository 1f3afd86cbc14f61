"""The Colab check's cost: seconds of ``make colab-check``, read from its last run.

``ci/colab_check.py`` writes ``benchmarks/colab_seconds.json`` (and ``make full-check``
``benchmarks/full_seconds.json``); this module reports them without running anything again.
Target: the whole check (environment, install, every chapter) within 600 s on 2 cores, so that
``make test`` stays inside its budget.
"""

import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent


def rows_of(path, label, target):
    if not path.exists():
        return [
            {
                "benchmark": f"{label}: not run yet",
                "value": float("nan"),
                "unit": "s",
                "target": target,
                "note": f"run make {label} to write {path.name}",
            }
        ]
    record = json.loads(path.read_text())
    chapters = record["chapter_seconds"]
    slowest = max(chapters, key=chapters.get)
    return [
        {
            "benchmark": f"{label}: all {len(chapters)} executions, {record['jobs']} at a time",
            "value": record["total_seconds"],
            "unit": "s",
            "target": target,
            "note": "failed: " + ", ".join(record["failed"]) if record["failed"] else "",
        },
        {
            "benchmark": f"{label}: slowest chapter ({slowest})",
            "value": chapters[slowest],
            "unit": "s",
            "target": "",
        },
    ]


def run():
    return rows_of(HERE / "colab_seconds.json", "colab-check", "<= 600") + rows_of(
        HERE / "full_seconds.json", "full-check", ""
    )
