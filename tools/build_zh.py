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
import shutil
import subprocess
import sys
import time

import nbformat
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import translations  # noqa: E402

ROOT = translations.ROOT
BUILD = ROOT / "_build"
GLUE_MIME_PREFIX = "application/papermill.record/"
COPIED = ("references.bib", "images", "tools")


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


def stage(source, executed=BUILD / "jupyter_execute", root=ROOT):
    """Write the Chinese book's source folder ``source``; return the problems found."""
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    for name in COPIED:
        path = root / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, source / name)
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    captions = yaml.safe_load((root / "zh" / "toc_captions.yml").read_text())
    (source / "_toc.yml").write_text(
        yaml.safe_dump(toc_captions(toc, captions), allow_unicode=True, sort_keys=False)
    )
    config = yaml.safe_load((root / "_config.yml").read_text())
    overrides = yaml.safe_load((root / "zh" / "config.yml").read_text())
    (source / "_config.yml").write_text(
        yaml.safe_dump(merged(config, overrides), allow_unicode=True, sort_keys=False)
    )
    for page in translations.PAGES:
        text = translations.zh_page(page, root)
        if page == "execution":
            text = with_english_execution_table(text, root / "_build" / "html" / "execution.html")
        (source / f"{page}.md").write_text(text)
    problems = []
    (source / "chapters").mkdir()
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
        nbformat.write(zh, source / "chapters" / f"{document}.ipynb")
    return problems


def build(root=ROOT, executed=None):
    """Stage, build with jupyter-book (``-W``), and copy the HTML into ``_build/html/zh``."""
    start = time.time()
    build_dir = root / "_build"
    source, output, site = build_dir / "zh-source", build_dir / "zh", build_dir / "html" / "zh"
    problems = stage(source, executed or build_dir / "jupyter_execute", root)
    for problem in problems:  # tests/test_zh.py fails on these; the build still shows the page
        print(f"note: the Chinese shows an English word: {problem}")
    for document in translations.documents(root):
        stale = translations.staleness(document, root)
        if stale:
            kinds = ", ".join(f"{key} {kind}" for key, kind in stale)
            print(f"note: {document}: translation not current ({kinds}); see zh/README.md")
    jupyter_book = pathlib.Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(source), "--path-output", str(output)]
    subprocess.run(command + ["-W", "--keep-going"], check=True, env=dict(os.environ))
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(output / "_build" / "html", site)
    seconds = time.time() - start
    (build_dir / "build_seconds_zh.txt").write_text(f"{seconds:.0f}\n")
    print(f"The Chinese edition: {site / 'index.html'} ({seconds:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=pathlib.Path, default=ROOT, help="the book's repository")
    parser.add_argument(
        "--executed", type=pathlib.Path, help="default: <root>/_build/jupyter_execute"
    )
    arguments = parser.parse_args()
    build(arguments.root.resolve(), arguments.executed)
