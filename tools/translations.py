"""Translations of the book keyed by cell id: loading, staleness, MyST skeleton, generation.

Every English text unit has a key: a chapter's markdown cell is keyed by its notebook cell id,
a section of a Markdown page (``intro.md`` ...) by the slug of its heading. A translation file
(``chapters/zh/<chapter>.yml``, ``zh/<page>.yml``) maps each key to the English text it was
made from (``en``), that text's hash (``sha``) and the Chinese (``zh``). A translation is
missing when the file has no entry for a key (or an empty ``zh``), and stale when the English
text of the key no longer has the recorded hash. ``tools/translate.py`` is the command line.
"""

import copy
import hashlib
import pathlib
import re

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = ("intro", "execution", "bibliography")  # the Markdown pages of the book
REPOSITORY_BLOB = "/blob/main/chapters/"  # in Colab addresses of chapters
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def toc_chapters(root=ROOT):
    """Chapter names in TOC order, e.g. ``["ch01_background", ...]``."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    found = []

    def walk(entry):
        file = entry.get("file", "")
        if file.startswith("chapters/"):
            found.append(file[len("chapters/") :])
        for key in ("parts", "chapters", "sections"):
            for child in entry.get(key) or []:
                walk(child)

    walk(toc)
    return found


def documents(root=ROOT):
    """Every translatable document: the pages, then the chapters."""
    return list(PAGES) + toc_chapters(root)


def english_path(document, root=ROOT):
    return root / (f"{document}.md" if document in PAGES else f"chapters/{document}.ipynb")


def translation_path(document, root=ROOT):
    return root / ("zh" if document in PAGES else "chapters/zh") / f"{document}.yml"


def source_hash(text):
    """The first 12 hex digits of the SHA-256 of a unit's English text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def slug(text):
    words = re.findall(r"[0-9a-z]+", text.lower())
    return "-".join(words) or "section"


def markdown_sections(text):
    """Split Markdown at headings outside code fences: ``[(key, text), ...]``, in order.

    The text before the first heading is keyed ``top``; each section by its heading's slug.
    Joining the texts with nothing between them gives back ``text``.
    """
    sections, key, lines, fence = [], "top", [], None
    for line in text.splitlines(keepends=True):
        match = FENCE.match(line)
        if match:
            marker = match.group(1)
            fence = None if fence and marker.startswith(fence) else (fence or marker)
        heading = HEADING.match(line) if fence is None else None
        if heading and (lines or key != "top"):
            sections.append((key, "".join(lines)))
            key, lines = slug(heading.group(2)), []
        elif heading:
            key = slug(heading.group(2))
        lines.append(line)
    sections.append((key, "".join(lines)))
    keys = [k for k, _ in sections]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ValueError(f"two sections have the same heading slug: {sorted(duplicates)}")
    return [(k, t) for k, t in sections if t.strip() or k != "top"]


def english_units(document, root=ROOT):
    """``[(key, English text), ...]`` of a document, in reading order."""
    path = english_path(document, root)
    if document in PAGES:
        return markdown_sections(path.read_text())
    nb = nbformat.read(path, as_version=4)
    missing = [i for i, cell in enumerate(nb.cells) if not cell.get("id")]
    if missing:
        raise ValueError(f"{path.name}: cells {missing} have no id (nbformat 4.5 needed)")
    return [(cell.id, cell.source) for cell in nb.cells if cell.cell_type == "markdown"]


def load(document, root=ROOT):
    """The translation entries of a document: ``{key: {"sha", "en", "zh"}}`` (empty if none)."""
    path = translation_path(document, root)
    if not path.exists():
        return {}
    # BaseLoader: every key and value is a string (a cell id such as 01234567 is not a number)
    entries = yaml.load(path.read_text(), Loader=yaml.BaseLoader) or {}
    if not isinstance(entries, dict):
        raise ValueError(
            f"{path}: expected a mapping of key -> entry, got {type(entries).__name__}"
        )
    return {str(key): entry for key, entry in entries.items()}


class _Literal(str):
    pass


yaml.SafeDumper.add_representer(
    _Literal, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, "|")
)


def _block(text):
    # YAML's literal style cannot carry trailing spaces or tabs; such text falls back to quotes.
    if "\n" in text and not re.search(r"[ \t]\n|[ \t]$|\r", text):
        return _Literal(text)
    return text


def save(document, entries, root=ROOT):
    """Write entries in the order of the English document (units no longer there go last)."""
    order = [key for key, _ in english_units(document, root)]
    keys = [key for key in order if key in entries] + [key for key in entries if key not in order]
    data = {
        key: {
            name: _block(entries[key][name]) for name in ("sha", "en", "zh") if name in entries[key]
        }
        for key in keys
    }
    path = translation_path(document, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Chinese translation of {english_path(document, root).relative_to(root)}, by cell.\n"
    )
    header += "# Edit `zh`; see zh/README.md. `sha` and `en` record the English it translates.\n"
    body = yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(header + body)


def staleness(document, root=ROOT):
    """``[(key, "missing" | "stale" | "orphan"), ...]`` for one document."""
    entries = load(document, root)
    found = []
    units = english_units(document, root)
    for key, text in units:
        entry = entries.get(key)
        if not entry or not (entry.get("zh") or "").strip():
            found.append((key, "missing"))
        elif entry.get("sha") != source_hash(text):
            found.append((key, "stale"))
    keys = {key for key, _ in units}
    found += [(key, "orphan") for key in entries if key not in keys]
    return found


# ---- structure: what a translation must keep exactly ----

GLUE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)(?::[^`]*)?`")
ROLE = re.compile(r"\{(cite(?::\w+)?|eq|numref|ref|doc|download)\}`([^`]+)`")
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$(\s*\([^)\s]+\))?", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$((?:[^$\n]|\n(?!\n))+?)\$(?!\$)")
LINK = re.compile(r"\]\(([^)\s]+)\)|\bsrc=\"([^\"]+)\"")
DIRECTIVE = re.compile(r"^\s*(?:`{3,}|~{3,}|:{3,})\s*(\{[\w:-]+\})", re.M)
INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")


def structure(text):
    """The MyST skeleton of a text: glue keys, roles, math, links, directives, code spans.

    A glue key ``<key>_zh`` (the Chinese twin of a glued word) counts as ``<key>``.
    """
    roles = sorted(f"{{{name}}}`{target}`" for name, target in ROLE.findall(text))
    glue = GLUE.findall(text)
    prose = ROLE.sub(" ", GLUE.sub(" ", DISPLAY_MATH.sub(" ", text)))
    spans = INLINE_CODE.findall(prose)
    return {
        "glue keys": sorted(key[:-3] if key.endswith("_zh") else key for key in glue),
        "roles": roles,
        "display math": sorted(" ".join(m.group(0).split()) for m in DISPLAY_MATH.finditer(text)),
        "inline math": sorted(
            {" ".join(m.split()) for m in INLINE_MATH.findall(INLINE_CODE.sub(" ", prose))}
        ),
        "links": sorted(a or b for a, b in LINK.findall(text)),
        "directives": sorted(DIRECTIVE.findall(text)),
        "headings": [len(m.group(1)) for m in map(HEADING.match, text.splitlines()) if m],
        "code spans": sorted(set(spans)),
    }


def glued_keys(document, root=ROOT):
    """Glue keys a chapter's code cells name literally: ``glue("key", ...)``."""
    if document in PAGES:
        return set()
    nb = nbformat.read(english_path(document, root), as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    return set(re.findall(r"glue\(\s*[\"']([\w-]+)[\"']", code))


def structure_problems(english, chinese, glued=frozenset()):
    """Differences in MyST skeleton between an English text and its Chinese translation."""
    glue_zh = {key[:-3] for key in glued if key.endswith("_zh")}
    problems = []
    en, zh = structure(english), structure(chinese)
    for part in en:
        if en[part] != zh[part]:
            lost = sorted(set(map(str, en[part])) - set(map(str, zh[part])))
            added = sorted(set(map(str, zh[part])) - set(map(str, en[part])))
            problems.append(f"{part} differ: English only {lost}, Chinese only {added}")
    wrong = sorted({key for key in GLUE.findall(chinese) if key in glue_zh})
    if wrong:
        problems.append(f"use the Chinese glue keys {[key + '_zh' for key in wrong]}, not {wrong}")
    return problems


def problems(document, root=ROOT):
    """Every reason the Chinese of a document is not complete and current, naming the units."""
    where = translation_path(document, root).relative_to(root)
    found = [f"{where}: {key}: {kind}" for key, kind in staleness(document, root)]
    return found + skeleton_problems(document, root)


def skeleton_problems(document, root=ROOT):
    """Translated units whose MyST skeleton differs from their English (see ``structure``)."""
    where = translation_path(document, root).relative_to(root)
    found = []
    entries, glued = load(document, root), glued_keys(document, root)
    for key, text in english_units(document, root):
        chinese = (entries.get(key) or {}).get("zh") or ""
        if chinese.strip():
            found += [f"{where}: {key}: {p}" for p in structure_problems(text, chinese, glued)]
    return found


# ---- the Chinese notebooks and pages ----


def chinese_text(key, english, entries):
    """The Chinese of one unit; the English itself while it has no translation yet."""
    chinese = (entries.get(key) or {}).get("zh") or ""
    return chinese if chinese.strip() else english


def zh_notebook(nb, document, entries, in_repository=True):
    """A copy of notebook ``nb`` with every markdown cell in Chinese; code cells untouched.

    The Colab badge points to the Chinese notebook. ``in_repository`` places the notebook at
    ``chapters/zh/`` (relative links climb one folder more); otherwise it mirrors the English
    layout, as in the Chinese site's source folder.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = chinese_text(cell.id, cell.source, entries)
        text = text.replace(
            f"{REPOSITORY_BLOB}{document}.ipynb", f"{REPOSITORY_BLOB}zh/{document}.ipynb"
        )
        if in_repository:
            text = re.sub(r"(\]\(|src=\")\.\./", r"\1../../", text)
        cell.source = text
    nb.metadata["language_info"] = nb.metadata.get("language_info", {"name": "python"})
    return nb


def zh_page(document, root=ROOT):
    """The Chinese text of a Markdown page."""
    entries = load(document, root)
    texts = [chinese_text(key, text, entries) for key, text in english_units(document, root)]
    return "\n\n".join(text.strip("\n") for text in texts) + "\n"


def stripped(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def generated_files(root=ROOT):
    """``{path: text}`` of the generated Chinese files, from the English and the translations."""
    files = {}
    for document in documents(root):
        if document in PAGES:
            files[root / "zh" / f"{document}.md"] = zh_page(document, root)
        else:
            nb = nbformat.read(english_path(document, root), as_version=4)
            zh = zh_notebook(stripped(nb), document, load(document, root))
            files[root / "chapters" / "zh" / f"{document}.ipynb"] = nbformat.writes(zh) + "\n"
    return files
