"""The Chinese pass (``tools/build_zh.py``): clean, after a one-sentence change, unchanged.

Rows (issue targets: the Chinese edition adds less than a minute to the build; a one-sentence
change rebuilds both editions in at most 30 s, ``bench_build.py``):

* **clean pass**: the Chinese build folders emptied (``_build/zh``, ``_build/zh-source``,
  ``_build/html/zh``), then one pass: every page read, written and indexed for search.
* **one-sentence change**: one Chinese sentence added to a translated cell of chapter 1 (what
  an author does beside the English sentence), one pass, then the translation restored byte for
  byte and the page rebuilt, so the site matches the sources again.
* **no change**: a pass with nothing changed (Sphinx does not start).

Each row gives wall seconds and, in its note, processor seconds (this process and Sphinx's):
Sphinx runs on one core, so on an idle machine the wall time is close to the processor time,
while on a shared machine only the wall time grows. The clean pass also gives its phases
(stage, Sphinx start, read, resolve, write with the search index, finish) from
``_build/build_seconds_zh.json``. Needs the English build's executed notebooks
(``_build/jupyter_execute``).
"""

import json
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
sys.path.insert(0, str(ROOT / "tools"))
EDITED = "ch01_background"
SENTENCE = "\n\n这一句是为计时增量构建而加的。"


def chinese_pass():
    """Run ``tools/build_zh.py``; return its record (``_build/build_seconds_zh.json``)."""
    script = ROOT / "tools" / "build_zh.py"
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise RuntimeError(f"the Chinese pass failed:\n{tail}")
    return json.loads((BUILD / "build_seconds_zh.json").read_text())


def clean_pass():
    for folder in (BUILD / "zh", BUILD / "zh-source", BUILD / "html" / "zh"):
        shutil.rmtree(folder, ignore_errors=True)
    return chinese_pass()


def one_sentence_pass():
    """The pass after one Chinese sentence is added to chapter 1; the translation is restored."""
    import translations

    path = translations.translation_path(EDITED)
    original = path.read_bytes()
    try:
        entries = translations.load(EDITED)
        key = next(k for k, e in list(entries.items())[1:] if (e.get("zh") or "").strip())
        entries[key]["zh"] += SENTENCE
        translations.save(EDITED, entries)
        record = chinese_pass()
    finally:
        path.write_bytes(original)
    chinese_pass()  # the site matches the sources again
    return record


def row(name, record, target=""):
    phases = ", ".join(
        f"{phase} {cpu:.1f}" for phase, (_, cpu) in record["phases"].items() if cpu >= 0.05
    )
    return {
        "benchmark": f"Chinese pass: {name}",
        "value": record["seconds"],
        "unit": "s",
        "target": target,
        "note": (
            f"{record['processor seconds']:.1f} s of processor time, {record['pages read']} "
            f"page(s) read" + (f"; processor seconds by phase: {phases}" if phases else "")
        ),
    }


def run(*args):
    if not (BUILD / "jupyter_execute" / "chapters").is_dir():
        raise RuntimeError("no executed notebooks in _build/jupyter_execute: build the book first")
    clean = clean_pass()
    sentence = one_sentence_pass()
    unchanged = chinese_pass()
    return [
        row("clean (every page)", clean, "<= 60"),
        {
            "benchmark": "Chinese pass: clean, idle-machine estimate (processor seconds)",
            "value": clean["processor seconds"],
            "unit": "s",
            "target": "<= 60",
        },
        row("after a one-sentence change of a translation", sentence),
        row("nothing changed", unchanged),
    ]


if __name__ == "__main__":
    from run import format_table

    print(format_table(run()))
