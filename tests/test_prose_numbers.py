"""No number is typed into the book's prose: it comes from the run, the literature, or is a word.

The scan reads every markdown cell of every chapter in ``_toc.yml`` (and its Markdown pages:
``intro.md`` and the back matter) and reports every number left once these are taken out:

- glue roles and directives (``{glue:text}`` and friends), every other MyST role (``{cite}``,
  ``{math}``, ``{eq}``, ``{ref}``, ...), inline code, code fences, ``$...$`` and ``$$...$$`` math,
  HTML comments, link targets, images and the option lines (``:width: 80%``) of directives;
- headings (``#`` lines) and the marker of an ordered-list item (``1.``);
- references to parts of the book or of the article: the number after *chapter*, *section*, *§*,
  *exercise*, *equation*, *part*, *step*, *figure*, *question* or *answer* (``chapter 3.1``,
  ``§5.2``, ``question 7``), the number that
  opens a link's text (``[3.3 Transformers](...)``) and the article section opening a table cell;
- numbers inside a name: digits joined to letters (``float32``, ``Conv2D``, ``int8``, ``x86``,
  ``MNIST-1D``, ``GPT-3``, ``LeNet-5``) unless the letters are a unit (``4k``, ``3.8x``, ``20s``),
  the version after a product's name (``Python 3.11``, ``TensorFlow 2.16``) and an issue
  number (``keras#20585``);
- the values listed, document by document, in ``tests/literature_values.yml``: a literature value
  with the citation key of its source (the key must be in ``references.bib`` and cited on that
  page), or a setting of the program the page shows (batches of 32) with the code that sets it
  (which must appear in one of the page's code cells or in ``bigmodel_utils``), so that prose and
  program cannot drift apart unnoticed.

Anything else -- ``3.81×``, ``0.5``, ``10 %``, ``11×11``, ``from 2018 on`` -- must be glued from the
run, given with its citation, or written as a word (*ten epochs*).
"""

import pathlib
import re

import nbformat
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIB_KEYS = set(
    re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", (ROOT / "references.bib").read_text(), re.M)
)
ALLOWED = yaml.safe_load((ROOT / "tests" / "literature_values.yml").read_text()) or {}
PACKAGE_SOURCE = "\n".join(p.read_text() for p in sorted((ROOT / "bigmodel_utils").glob("*.py")))

FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(\S*)")
PROSE_DIRECTIVES = {
    "{note}", "{tip}", "{warning}", "{important}", "{admonition}", "{seealso}", "{hint}",
    "{attention}", "{caution}", "{danger}", "{error}", "{dropdown}", "{margin}", "{sidebar}",
    "{epigraph}", "{figure}", "{table}", "{list-table}",
}  # fmt: skip
ROLE = re.compile(r"\{[\w:+-]+\}`[^`]*`")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
LINK_TEXT_NUMBER = re.compile(r"\[\s*§?\d+(?:\.\d+)*")
TABLE_CELL_SECTION = re.compile(r"(^|\|)\s*\d+(?:\.\d+)*(?=\s+[^\s|\d])")
LIST_MARKER = re.compile(r"^\s*\d+[.)]\s", re.M)
SECTION_WORDS = (
    r"(?:chapters?|sections?|§|exercises?|equations?|eqs?\.|parts?|steps?|figures?|fig\."
    r"|questions?|answers?)"
)
SECTION_REF = re.compile(
    rf"(?i)\b{SECTION_WORDS}\s*\d+(?:\.\d+)*(?:\s*(?:,|and|or|to|–|-)\s*\d+(?:\.\d+)*)*|§\s*\d+(?:\.\d+)*"
)
PRODUCTS = (
    r"(?:Python|TensorFlow|Keras|TF|CUDA|cuDNN|NumPy|Sphinx|Jupyter Book|jupyter-book|"
    r"myst-nb|MathJax|Colab|Debian|PyTorch|JAX|IPython|pandas|matplotlib|SciPy|scikit-learn|"
    r"mlxtend|Chromium|nbformat|protobuf|JB)"
)
VERSION = re.compile(rf"\b{PRODUCTS}\s+v?\d+(?:\.\d+)*(?:\.post\d+)?\b")
UNITS = r"(?:k|K|M|B|G|T|x|X|s|ms|us|µs|ns|h|min|px|pt|pp|st|nd|rd|th|GB|MB|KB|kB|TB|GiB|MiB)"
NAME_BEFORE = re.compile(r"[A-Za-z]+-?\d+(?:\.\d+)?(?:[A-Za-z]+\d*)*")
NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*[×x]\s*\d+)*(?:\w*)")


def prose_lines(source):
    """The lines of a Markdown text that are prose: code blocks and directive options dropped."""
    fences = []  # open fences, innermost last: (marker, prose?)
    for line in source.splitlines():
        match = FENCE.match(line)
        if match:
            marker, info = match.groups()
            if fences and not info and marker == fences[-1][0]:
                fences.pop()
                continue
            if not fences or all(prose for _, prose in fences):
                fences.append((marker, info in PROSE_DIRECTIVES))
                continue
        if fences and not all(prose for _, prose in fences):
            continue
        if fences and re.match(r"^\s*:[\w-]+:", line):
            continue  # a directive's option, such as :width: 80%
        if line.lstrip().startswith("#"):
            continue  # a heading
        yield line


def strip_markup(text):
    """Text with math, roles, code, links' targets and references to the book's parts removed."""
    text = HTML_COMMENT.sub(" ", text)
    text = DISPLAY_MATH.sub(" ", text)
    text = ROLE.sub(" ", text)
    text = INLINE_CODE.sub(" ", text)
    text = INLINE_MATH.sub(" ", text)
    text = IMAGE.sub(" ", text)
    text = LINK_TEXT_NUMBER.sub("[", text)
    text = LINK_TARGET.sub("]", text)
    text = LIST_MARKER.sub(" ", text)
    text = "\n".join(TABLE_CELL_SECTION.sub(r"\1 ", line) for line in text.splitlines())
    text = SECTION_REF.sub(" ", text)
    text = VERSION.sub(" ", text)
    return text


def is_name(token, text, start):
    """Whether the number ``token`` at ``text[start:]`` belongs to a name such as float32."""
    suffix = re.sub(r"^[\d.,\s×x]*\d", "", token)
    if suffix and not re.fullmatch(UNITS, suffix):
        return True  # 2D, 1D, 3rd-party names; a unit suffix (4k, 3x) keeps it a number
    before = text[:start]
    return bool(re.search(r"(?:[A-Za-z]-?|#)\Z", before))


def typed_numbers(source, context=0):
    """Every number typed into the prose of one Markdown text, in order of appearance.

    With ``context`` > 0, each number comes with that many characters of the text around it.
    """
    text = strip_markup("\n".join(prose_lines(source)))
    found = []
    for match in NUMBER.finditer(text):
        token = match.group(0)
        if not is_name(token, text, match.start()):
            around = text[max(0, match.start() - context) : match.end() + context]
            found.append((token.strip(), " ".join(around.split())) if context else token.strip())
    return found


def documents(cell_type="markdown"):
    """(name, [(cell index, source)]) of every page in the table of contents, cells of one type."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    pages = []
    for name in files:
        notebook, markdown = ROOT / f"{name}.ipynb", ROOT / f"{name}.md"
        if notebook.exists():
            nb = nbformat.read(notebook, as_version=4)
            cells = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == cell_type]
            pages.append((name, cells))
        elif markdown.exists():
            pages.append((name, [(0, markdown.read_text())] if cell_type == "markdown" else []))
        else:
            raise FileNotFoundError(f"_toc.yml lists {name}, which has no .ipynb or .md file")
    return pages


def allowed_values(name):
    """The typed values document ``name`` may show: literature values and the program's settings."""
    entries = ALLOWED.get(name) or {}
    return {str(e["value"]) for kind in ("literature", "settings") for e in entries.get(kind, [])}


# --- the rule on small texts: each case shows one way a number is allowed or caught ---
CASES = [
    ("no better than always answering 1.0", ["1.0"]),
    ("a line that ends in a word\n28×28 pixels", ["28×28"]),
    ("the model was 3.81× slower", ["3.81"]),
    ("it produces 11×11 maps", ["11×11"]),
    ("from 2018 on", ["2018"]),
    ("about 10 % of the topics", ["10"]),
    ("a 4k/1k split", ["4k", "1k"]),
    ("a 5-epoch recipe", ["5"]),
    ("accuracy {glue:text}`acc:.1f`% after {glue:}`epochs` epochs", []),
    ("the score $0.5 \\cdot x$ and $$y = 2$$", []),
    ("see {cite}`vaswani2017attention` and `batch_size=32`", []),
    ("float32, mixed_bfloat16, Conv2D, int8, x86, MNIST-1D and GPT-3", []),
    ("a known bug [keras-team/keras#20585](https://github.com)", []),
    ("as chapter 3.1 and §5.2 show, and exercises 2 and 3", []),
    ("[3.3 Transformers](ch03_3_transformer.ipynb) on Python 3.11 with TensorFlow 2.16", []),
    ("# 4 The article's CNN\n1. Train ten epochs.\n2. Done.", []),
    ("```python\nx = 3\n```\nthree", []),
    ("```{note}\nIt took 12 s.\n```", ["12"]),
    ("```{figure} a.png\n:width: 80%\n```", []),
    ("| 1 背景介绍 (background) | 2 |", ["2"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_the_rule_catches_typed_numbers_and_spares_markup(text, expected):
    assert typed_numbers(text) == expected


def test_every_allowed_value_names_its_citation_or_its_code():
    pages = dict(documents())
    code = dict(documents("code"))
    problems = [f"{name} is not in _toc.yml" for name in ALLOWED if name not in pages]
    for name, entries in ALLOWED.items():
        if name not in pages:
            continue
        prose = "\n".join(source for _, source in pages[name])
        program = "\n".join(source for _, source in code[name]) + "\n" + PACKAGE_SOURCE
        for entry in entries.get("literature", []):
            if entry["cite"] not in BIB_KEYS:
                problems.append(
                    f"{name}: {entry['value']}: {entry['cite']} is not in references.bib"
                )
            elif entry["cite"] not in prose:
                problems.append(f"{name}: {entry['value']}: the page never cites {entry['cite']}")
        for entry in entries.get("settings", []):
            if entry["code"] not in program:
                problems.append(
                    f"{name}: {entry['value']}: no code on the page sets {entry['code']!r}"
                )
            elif str(entry["value"]).replace(",", "").split("×")[0] not in entry["code"]:
                problems.append(f"{name}: {entry['value']} does not occur in {entry['code']!r}")
        for kind in set(entries) - {"literature", "settings"}:
            problems.append(f"{name}: unknown kind {kind!r} (literature or settings)")
    assert not problems, "\n".join(problems)


# Pages whose prose still types numbers; each is expected to fail until it is fixed (strict).
NOT_YET_CLEAN = set()  # every page is clean


@pytest.mark.parametrize(
    ("name", "cells"),
    [
        pytest.param(
            name,
            cells,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason="types numbers")]
            if name in NOT_YET_CLEAN
            else [],
        )
        for name, cells in documents()
    ],
)
def test_no_number_is_typed_into_the_prose(name, cells):
    allowed = allowed_values(name)
    typed = [
        f"cell {index}: {number!r} in '{around}'"
        for index, source in cells
        for number, around in typed_numbers(source, context=30)
        if number not in allowed
    ]
    assert not typed, (
        f"{name} types numbers into its prose (glue them, list them in literature_values.yml "
        "with their citation or their code, or write words):\n" + "\n".join(typed)
    )
