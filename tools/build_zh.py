"""Build the Chinese edition into ``_build/html/zh`` from the English build's executed notebooks.

Nothing is executed again: each chapter's executed notebook (``_build/jupyter_execute``) gets its
markdown cells replaced by the Chinese (``translations.zh_notebook``) and its glue values put back
(myst-nb moves them into ``<chapter>.glue.json``), and a second ``jupyter-book build`` renders
these with ``execute_notebooks: off`` and ``language: zh_CN`` (Chinese interface and search).

    python tools/build_zh.py          # after the English build (make book does both)
"""

import argparse
import json
import os
import pathlib
import re
import resource
import subprocess
import sys
import time

import nbformat
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import build_book  # noqa: E402
import translations  # noqa: E402

ROOT = translations.ROOT
BUILD = ROOT / "_build"
GLUE_MIME_PREFIX = "application/papermill.record/"
COPIED = ("references.bib", "images", "tools/edition_switch.py", "tools/zh_search.py")


def merged(base, overrides):
    """``base`` updated by ``overrides``, recursively for nested mappings."""
    result = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def with_glue(nb, glue):
    """Put the glue values of ``<chapter>.glue.json`` back as hidden outputs of the first code cell.

    Values glued with ``display=False`` leave the executed notebook; displayed ones stay in it and
    are not added twice.
    """
    hidden = [
        output
        for output in glue.values()
        if output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix")
    ]
    for output in hidden:
        output["data"] = {GLUE_MIME_PREFIX + mime: value for mime, value in output["data"].items()}
    first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
    first_code.outputs = list(first_code.outputs) + [nbformat.from_dict(o) for o in hidden]
    return nb


def unsuitable_glue(document, nb, glue, entries):
    """Translated cells that show an English word glued where a ``<key>_zh`` twin exists."""
    glue_zh = {key[:-3] for key in glue if key.endswith("_zh")}
    problems = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and (entries.get(cell.id) or {}).get("zh"):
            wrong = sorted({k for k in translations.GLUE.findall(cell.source) if k in glue_zh})
            problems += [f"{document} {cell.id}: glues {k}, use {k}_zh" for k in wrong]
    return problems


def english_fallback(nb, glue):
    """Show ``<key>`` where a Chinese cell asks for ``<key>_zh`` that the code does not glue (yet).

    Returns the keys replaced, so the build can say which Chinese words are still missing.
    """
    missing = set()

    def replace(match):
        key = match.group(2)
        if key.endswith("_zh") and key not in glue and key[:-3] in glue:
            missing.add(key)
            return match.group(1) + key[:-3]
        return match.group(0)

    pattern = re.compile(r"(\{glue(?::\w+)?\}`)([^`:]+)")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = pattern.sub(replace, cell.source)
    return sorted(missing)


EXEC_TABLE = re.compile(r"```\{nb-exec-table\}\n```")
TABLE_HEADERS = {
    "Document": "文档",
    "Modified": "修改时间",
    "Method": "执行方式",
    "Run Time (s)": "运行时间（秒）",
    "Status": "状态",
}


def with_english_execution_table(page, english_html):
    """The execution page with the English build's table in place of ``{nb-exec-table}``.

    The Chinese build executes nothing, so its own table would be empty; the numbers it shows are
    those of the English run, whose table is copied (headers translated) when that page exists.
    """
    if not english_html.exists():
        return page
    match = re.search(r"<table.*?</table>", english_html.read_text(), re.S)
    if not match:
        return page
    table = match.group(0)
    for english, chinese in TABLE_HEADERS.items():
        table = table.replace(f"<p>{english}</p>", f"<p>{chinese}</p>")
    table = "\n".join(line.strip() for line in table.splitlines() if line.strip())
    return EXEC_TABLE.sub(
        lambda _: f'<div class="pst-scrollable-table-container">\n{table}\n</div>', page
    )


def toc_captions(toc, captions):
    """The TOC with its part captions in Chinese; raises ValueError naming any untranslated one."""
    missing = [part["caption"] for part in toc.get("parts", []) if part["caption"] not in captions]
    if missing:
        raise ValueError(f"zh/toc_captions.yml has no Chinese for the TOC captions {missing}")
    parts = [dict(part, caption=captions[part["caption"]]) for part in toc.get("parts", [])]
    return dict(toc, parts=parts) if parts else dict(toc)


def write_if_changed(path, data):
    """Write ``data`` (text or bytes) to ``path`` unless it holds them already; True if written.

    Unchanged files keep their modification time, so Sphinx re-reads only the pages that changed.
    """
    data = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def sync_tree(source, target, skip=("__pycache__",)):
    """Make folder ``target`` a copy of ``source``, touching only the files that differ.

    Returns the relative paths written or removed.
    """
    wanted = {
        path.relative_to(source)
        for path in source.rglob("*")
        if path.is_file() and not set(path.relative_to(source).parts) & set(skip)
    }
    changed = [
        str(r) for r in sorted(wanted) if write_if_changed(target / r, (source / r).read_bytes())
    ]
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target)
            if path.is_file() and relative not in wanted:
                path.unlink()
                changed.append(str(relative))
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def staged_files(executed=BUILD / "jupyter_execute", root=ROOT):
    """``({relative path: text}, problems)``: the Chinese source files made here (not copied)."""
    files = {}
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    captions = yaml.safe_load((root / "zh" / "toc_captions.yml").read_text())
    files["_toc.yml"] = yaml.safe_dump(
        toc_captions(toc, captions), allow_unicode=True, sort_keys=False
    )
    config = yaml.safe_load((root / "_config.yml").read_text())
    overrides = yaml.safe_load((root / "zh" / "config.yml").read_text())
    files["_config.yml"] = yaml.safe_dump(
        merged(config, overrides), allow_unicode=True, sort_keys=False
    )
    for page in translations.PAGES:
        text = translations.zh_page(page, root)
        if page == "execution":
            text = with_english_execution_table(text, root / "_build" / "html" / "execution.html")
        files[f"{page}.md"] = text
    problems = []
    for document in translations.toc_chapters(root):
        path = executed / "chapters" / f"{document}.ipynb"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: build the English book first (make book)")
        nb = nbformat.read(path, as_version=4)
        glue_path = path.with_name(f"{document}.glue.json")
        glue = json.loads(glue_path.read_text()) if glue_path.exists() else {}
        entries = translations.load(document, root)
        zh = with_glue(translations.zh_notebook(nb, document, entries, in_repository=False), glue)
        problems += unsuitable_glue(document, zh, glue, entries)
        fallback = english_fallback(zh, glue)
        if fallback:
            print(f"note: {document}: no Chinese glued yet for {fallback}; showing the English")
        files[f"chapters/{document}.ipynb"] = nbformat.writes(zh)
    return files, problems


def stage(source, executed=BUILD / "jupyter_execute", root=ROOT):
    """Bring the Chinese book's source folder ``source`` up to date; return (problems, changed).

    Only files whose content differs are written (and files no longer made are removed), so that
    Sphinx, which keeps its environment in the output folder between runs, re-reads only the
    pages whose translation or English outputs changed. ``changed`` lists the relative paths.
    """
    source.mkdir(parents=True, exist_ok=True)
    changed = []
    copied = set()
    for name in COPIED:
        path = root / name
        if path.is_dir():
            changed += [f"{name}/{r}" for r in sync_tree(path, source / name)]
            copied.add(name)
        elif write_if_changed(source / name, path.read_bytes()):
            changed.append(name)
    files, problems = staged_files(executed, root)
    changed += [name for name, text in files.items() if write_if_changed(source / name, text)]
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        made = str(relative) in files or relative.parts[0] in copied or str(relative) in COPIED
        if path.is_file() and not made and "__pycache__" not in relative.parts:
            path.unlink()
            changed.append(str(relative))
    return problems, changed


def global_inputs(source, root=ROOT):
    """Fingerprints of what every Chinese page depends on: settings, TOC, extension, environment.

    When one differs from the last successful pass, every page is read and written again
    (``--all``); a page's own inputs (its translation, its English outputs) reach Sphinx as the
    staged file's modification time.
    """
    lock = root / "requirements.lock"
    return {
        "source files": build_book.file_digest(
            [source / "_config.yml", source / "_toc.yml", source / "references.bib"]
            + sorted((source / "tools").rglob("*.py")),
            source,
        ),
        "requirements.lock": build_book.file_digest([lock], root) if lock.exists() else "",
        "python": sys.version,
    }


# Sphinx's status lines that open each phase of the pass, for the seconds spent in each
PHASES = {
    "reading sources... [": "read",
    "pickling environment": "resolve",
    "writing output... [": "write",
    "dumping search index": "search index",
    "dumping object inventory": "finish",
}
UPDATED = re.compile(r"updating environment: .*?(\d+) added, (\d+) changed")


def run_sphinx(command):
    """Run ``command`` (jupyter-book), echoing its output; return the phase seconds and re-reads.

    ``{"phases": {phase: [wall seconds, processor seconds]}, "pages read": n}``, the processor
    seconds read from ``/proc`` (they do not grow when others share the machine); raises
    CalledProcessError on failure.
    """
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ)
    )

    def children_cpu():
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def now():
        cpu = build_book.thread_cpu(process.pid)
        return time.perf_counter(), cpu[1] if cpu else marks[-1][2]

    before = children_cpu()
    marks, read = [("start", time.perf_counter(), 0.0)], 0
    for line in process.stdout:
        print(line, end="")
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
        phase = next((name for text, name in PHASES.items() if plain.startswith(text)), None)
        if phase and phase not in [mark[0] for mark in marks]:
            marks.append((phase, *now()))
        updated = UPDATED.search(plain)
        if updated:
            read = int(updated.group(1)) + int(updated.group(2))
    if process.wait():
        raise subprocess.CalledProcessError(process.returncode, command)
    marks.append(("end", time.perf_counter(), children_cpu() - before))
    phases = {
        name: [round(marks[i + 1][1] - wall, 2), round(marks[i + 1][2] - cpu, 2)]
        for i, (name, wall, cpu) in enumerate(marks[:-1])
    }
    return {"phases": phases, "pages read": read}


def sync_site(html, site):
    """Copy the built HTML into the site folder, writing only the files that changed."""
    return len(sync_tree(html, site, skip=()))


def build(root=ROOT, executed=None):
    """Stage, build with jupyter-book (``-W``), and copy the HTML into ``_build/html/zh``.

    Incremental: the Chinese source folder (``_build/zh-source``) and Sphinx's environment
    (``_build/zh/_build/.doctrees``) stay between runs, so only pages whose inputs changed are
    read and written again (Sphinx does not even start when none did); everything is rebuilt when
    the settings, the TOC, the extensions or the environment changed, or when the last pass
    failed. The seconds (wall and processor, per phase) go to ``_build/build_seconds_zh.json``.
    """
    start, cpu_start = time.perf_counter(), os.times()
    build_dir = root / "_build"
    source, output, site = build_dir / "zh-source", build_dir / "zh", build_dir / "html" / "zh"
    problems, changed = stage(source, executed or build_dir / "jupyter_execute", root)
    for problem in problems:  # tests/test_zh.py fails on these; the build still shows the page
        print(f"note: the Chinese shows an English word: {problem}")
    for document in translations.documents(root):
        stale = translations.staleness(document, root)
        if stale:
            kinds = ", ".join(f"{key} {kind}" for key, kind in stale)
            print(f"note: {document}: translation not current ({kinds}); see zh/README.md")
    staged, stage_cpu = time.perf_counter(), sum(os.times()[:2]) - sum(cpu_start[:2])
    record_path, inputs = output / "last_inputs.json", global_inputs(source, root)
    last = json.loads(record_path.read_text()) if record_path.exists() else None
    fresh, html = last != inputs, output / "_build" / "html"
    if fresh or changed or not (html / "index.html").exists():
        record_path.unlink(missing_ok=True)  # written again only if this pass succeeds
        jupyter_book = pathlib.Path(sys.executable).with_name("jupyter-book")
        command = [str(jupyter_book), "build", str(source), "--path-output", str(output)]
        report = run_sphinx(command + ["-W", "--keep-going"] + (["--all"] if fresh else []))
    else:  # nothing the Chinese pages depend on changed since the last successful pass
        report = {"phases": {}, "pages read": 0}
    output.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(inputs, indent=1))
    copied = sync_site(html, site)
    end, cpu_end = time.perf_counter(), os.times()
    cpu = sum(cpu_end[i] - cpu_start[i] for i in range(4))  # this process and jupyter-book
    record = {
        "seconds": round(end - start, 2),
        "processor seconds": round(cpu, 2),
        "everything rebuilt": fresh,
        "staged files changed": len(changed),
        "pages read": report["pages read"],
        "phases": {"stage": [round(staged - start, 2), round(stage_cpu, 2)], **report["phases"]},
        "site files copied": copied,
    }
    (build_dir / "build_seconds_zh.json").write_text(json.dumps(record, indent=1) + "\n")
    (build_dir / "build_seconds_zh.txt").write_text(f"{end - start:.0f}\n")
    what = "every page" if fresh else f"{report['pages read']} page(s) read again"
    print(f"The Chinese edition: {site / 'index.html'} ({end - start:.0f} s, {what})")
    return record


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=pathlib.Path, default=ROOT, help="the book's repository")
    parser.add_argument(
        "--executed", type=pathlib.Path, help="default: <root>/_build/jupyter_execute"
    )
    arguments = parser.parse_args()
    build(arguments.root.resolve(), arguments.executed)
