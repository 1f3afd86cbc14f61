"""The Chinese edition: complete, current, well-formed translations, and generated files in sync.

Each English markdown cell (and each section of intro.md, execution.md, bibliography.md) must
have a Chinese translation made from its current text (``tools/translations.py``), keeping the
cell's MyST skeleton: glue keys, roles, math, links, directives and code spans. The committed
Chinese notebooks (``chapters/zh/*.ipynb``) and pages (``zh/*.md``) must be exactly what the
generator makes from the English sources and the translations. ``python tools/translations.py todo
<chapter>`` shows what to do when a test here fails.
"""

import ast
import json
import os
import pathlib
import re
import sys

import nbformat
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_zh  # noqa: E402
import edition_switch  # noqa: E402
import translations  # noqa: E402

DOCUMENTS = translations.documents()
GENERATED = translations.generated_files()
HOW = "run `python tools/translations.py todo {doc}` and see zh/README.md"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_translation_is_complete_and_current(document):
    stale = translations.staleness(document)
    assert not stale, (
        f"{document}: "
        + ", ".join(f"cell {k} {kind}" for k, kind in stale)
        + ("; " + HOW.format(doc=document))
    )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_translation_keeps_the_myst_skeleton(document):
    problems = translations.skeleton_problems(document)
    assert not problems, "\n".join(problems) + "\n" + HOW.format(doc=document)


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: p.name)
def test_committed_chinese_file_is_what_the_generator_makes(path):
    expected = GENERATED[path]
    assert path.exists(), (
        f"{path.relative_to(ROOT)} is missing: run `python tools/translations.py generate`"
    )
    assert path.read_text() == expected, (
        f"{path.relative_to(ROOT)} differs from what the generator makes from the English and "
        "the translations: run `python tools/translations.py generate` and commit the result"
    )


def test_no_stray_chinese_notebooks():
    made = {path.name for path in GENERATED}
    stray = [p.name for p in (ROOT / "chapters" / "zh").glob("*.ipynb") if p.name not in made]
    assert not stray, f"chapters/zh has notebooks no English chapter generates: {stray}"


@pytest.mark.parametrize("chapter", translations.toc_chapters())
def test_chinese_notebook_has_the_english_code_and_its_own_badge(chapter):
    english = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
    chinese = nbformat.read(ROOT / "chapters" / "zh" / f"{chapter}.ipynb", as_version=4)
    assert [c.id for c in chinese.cells] == [c.id for c in english.cells]
    for en, zh in zip(english.cells, chinese.cells):
        assert zh.cell_type == en.cell_type
        if en.cell_type == "code":
            assert zh.source == en.source, f"{chapter} {en.id}: code cells must be the English code"
    first = chinese.cells[0].source
    assert f"/blob/main/chapters/zh/{chapter}.ipynb" in first, (
        "the Colab badge must open chapters/zh/"
    )
    assert "](../../images/colab-badge.svg)" in first, "the badge image is two folders up"


# ---- the checker itself fails where it should ----

ENGLISH = (
    "## A heading\n\nThe model has {glue:text}`params:,` parameters and {glue:text}`verdict` "
    "{cite}`vaswani2017attention`, see Eq. {eq}`eq-a` and [chapter 2](ch02.ipynb):\n\n"
    "$$\ny = f(Wx + b)\n$$ (eq-a)\n\nwith $W$ and `size.dense_params`."
)
GOOD = (
    "## 标题\n\n模型有 {glue:text}`params:,` 个参数，{glue:text}`verdict_zh` "
    "{cite}`vaswani2017attention`，见式 {eq}`eq-a` 和[第 2 章](ch02.ipynb)：\n\n"
    "$$\ny = f(Wx + b)\n$$ (eq-a)\n\n其中 $W$ 与 `size.dense_params`。"
)


def test_a_faithful_translation_passes():
    assert (
        translations.structure_problems(ENGLISH, GOOD, glued={"params", "verdict", "verdict_zh"})
        == []
    )


@pytest.mark.parametrize(
    "broken, part",
    [
        (GOOD.replace("{glue:text}`params:,` ", ""), "glue keys"),
        (GOOD.replace("{cite}`vaswani2017attention`", ""), "roles"),
        (GOOD.replace("y = f(Wx + b)", "y = Wx"), "display math"),
        (GOOD.replace("$W$", "W"), "inline math"),
        (GOOD.replace("(ch02.ipynb)", "(ch03.ipynb)"), "links"),
        (GOOD.replace("## 标题", "标题"), "headings"),
        (GOOD.replace("`size.dense_params`", "size.dense_params"), "code spans"),
        (GOOD.replace("verdict_zh", "verdict"), "Chinese glue keys"),
    ],
)
def test_a_broken_translation_is_named(broken, part):
    problems = translations.structure_problems(
        ENGLISH, broken, glued={"params", "verdict", "verdict_zh"}
    )
    assert any(part in problem for problem in problems), problems


def tiny_repository(tmp_path, english_text):
    (tmp_path / "chapters" / "zh").mkdir(parents=True, exist_ok=True)
    toc = {"format": "jb-book", "root": "intro", "chapters": [{"file": "chapters/tiny"}]}
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(english_text), nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "chapters" / "tiny.ipynb")
    return nb.cells[0].id


def test_a_changed_english_cell_makes_its_translation_stale(tmp_path):
    key = tiny_repository(tmp_path, "# Tiny\n\nOld text.")
    entries = {
        key: {"sha": translations.source_hash("# Tiny\n\nOld text."), "zh": "# 小\n\n旧文字。"}
    }
    translations.save("tiny", entries, tmp_path)
    assert translations.staleness("tiny", tmp_path) == []

    tiny_repository(tmp_path, "# Tiny\n\nNew text.")  # a fresh cell id: the old entry is orphaned
    kinds = dict(translations.staleness("tiny", tmp_path))
    assert "orphan" in kinds.values() and "missing" in kinds.values(), kinds

    nb = nbformat.read(tmp_path / "chapters" / "tiny.ipynb", as_version=4)
    nb.cells[0].id = key
    nbformat.write(nb, tmp_path / "chapters" / "tiny.ipynb")
    assert translations.staleness("tiny", tmp_path) == [(key, "stale")]
    problems = translations.problems("tiny", tmp_path)
    assert problems == [f"chapters/zh/tiny.yml: {key}: stale"], problems


def test_markdown_sections_give_back_the_page():
    text = "# Title\n\nIntro.\n\n## One\n\n```bash\n# not a heading\n```\n\n## Two\n\nEnd.\n"
    sections = translations.markdown_sections(text)
    assert [key for key, _ in sections] == ["title", "one", "two"]
    assert "".join(part for _, part in sections) == text
    with pytest.raises(ValueError, match="same heading slug"):
        translations.markdown_sections("# A\n\n## Same\n\n## Same\n")


# ---- the Chinese build's pieces ----


def test_hidden_glue_values_go_back_into_the_notebook():
    from myst_nb.ext.glue import extract_glue_data

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    glue = {
        "hidden": {
            "output_type": "display_data",
            "metadata": {"scrapbook": {"name": "hidden", "mime_prefix": build_zh.GLUE_MIME_PREFIX}},
            "data": {"text/plain": "42"},
        },
        "shown": {
            "output_type": "display_data",
            "metadata": {"scrapbook": {"name": "shown"}},
            "data": {"text/plain": "7"},
        },
    }
    restored = build_zh.with_glue(nb, json.loads(json.dumps(glue)))
    found = extract_glue_data(restored, [1], None)
    assert list(found) == ["hidden"], "only values glued with display=False left the notebook"
    assert found["hidden"]["data"] == {"text/plain": "42"}


def test_missing_chinese_glue_falls_back_to_the_english_word():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("结论：{glue:text}`verdict_zh`，{glue:text}`n:.1f`。")
    ]
    assert build_zh.english_fallback(nb, {"verdict": {}, "n": {}}) == ["verdict_zh"]
    assert nb.cells[0].source == "结论：{glue:text}`verdict`，{glue:text}`n:.1f`。"


def test_chinese_cells_must_show_the_chinese_glued_word():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("结论：{glue:text}`verdict`。")]
    nb.cells[0].id = "cell1"
    glue = {"verdict": {}, "verdict_zh": {}}
    problems = build_zh.unsuitable_glue("tiny", nb, glue, {"cell1": {"zh": "结论"}})
    assert problems == ["tiny cell1: glues verdict, use verdict_zh"]
    assert build_zh.unsuitable_glue("tiny", nb, glue, {}) == [], "an English fallback may glue it"


def test_execution_page_shows_the_english_runs_table(tmp_path):
    english = tmp_path / "execution.html"
    english.write_text(
        "<main><table class='table'><thead><tr><th><p>Document</p></th><th><p>Run Time (s)</p>"
        "</th></tr></thead><tbody><tr><td>chapters/ch01</td><td>9.5</td></tr></tbody></table></main>"
    )
    page = "# 执行统计\n\n```{nb-exec-table}\n```\n"
    shown = build_zh.with_english_execution_table(page, english)
    assert "{nb-exec-table}" not in shown and "<p>文档</p>" in shown and "9.5" in shown
    assert build_zh.with_english_execution_table(page, tmp_path / "missing.html") == page


@pytest.mark.parametrize(
    "page, root, url",
    [
        ("intro", "zh", "zh/intro.html"),
        ("chapters/ch01_background", "zh", "../zh/chapters/ch01_background.html"),
        ("chapters/ch01_background", "..", "../../chapters/ch01_background.html"),
        ("intro", "..", "../intro.html"),
    ],
)
def test_edition_switch_links_the_same_page(page, root, url):
    assert edition_switch.other_edition_url(page, root) == url


@pytest.mark.parametrize("page, root", [("", "zh"), ("intro", "/zh"), ("intro", ""), (None, "zh")])
def test_edition_switch_rejects_bad_input(page, root):
    with pytest.raises(ValueError, match="pagename|root"):
        edition_switch.other_edition_url(page, root)


def test_every_toc_caption_has_its_chinese():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    captions = yaml.safe_load((ROOT / "zh" / "toc_captions.yml").read_text())
    chinese = build_zh.toc_captions(toc, captions)
    assert [part["caption"] for part in chinese["parts"]] == [
        captions[part["caption"]] for part in toc["parts"]
    ]
    with pytest.raises(ValueError, match="A new part"):
        build_zh.toc_captions({"parts": [{"caption": "A new part", "chapters": []}]}, captions)


def test_chinese_config_is_a_chinese_build_without_execution():
    config = build_zh.merged(
        yaml.safe_load((ROOT / "_config.yml").read_text()),
        yaml.safe_load((ROOT / "zh" / "config.yml").read_text()),
    )
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["sphinx"]["config"]["language"] == "zh_CN"
    assert config["sphinx"]["config"]["edition_switch"]["root"] == ".."
    assert config["bibtex_bibfiles"] == ["references.bib"], "the English settings are kept"


def test_unchanged_files_keep_their_time_so_sphinx_skips_their_pages(tmp_path):
    page = tmp_path / "chapters" / "ch01.ipynb"
    assert build_zh.write_if_changed(page, "一")
    os.utime(page, (1_000_000, 1_000_000))
    assert not build_zh.write_if_changed(page, "一")
    assert page.stat().st_mtime == 1_000_000, "an unchanged page must not look new to Sphinx"
    assert build_zh.write_if_changed(page, "二") and page.read_text() == "二"


def test_sync_tree_copies_what_differs_and_removes_what_is_gone(tmp_path):
    source, target = tmp_path / "html", tmp_path / "site"
    (source / "chapters").mkdir(parents=True)
    (source / "index.html").write_text("a")
    (source / "chapters" / "ch01.html").write_text("b")
    assert sorted(build_zh.sync_tree(source, target)) == ["chapters/ch01.html", "index.html"]
    assert build_zh.sync_tree(source, target) == []
    (source / "chapters" / "ch01.html").unlink()
    (source / "index.html").write_text("c")
    assert sorted(build_zh.sync_tree(source, target)) == ["chapters/ch01.html", "index.html"]
    assert (target / "index.html").read_text() == "c" and not (target / "chapters").exists()


def test_a_changed_setting_or_extension_rebuilds_every_page(tmp_path):
    (tmp_path / "tools").mkdir()
    for name in ("_config.yml", "_toc.yml", "references.bib", "tools/edition_switch.py"):
        (tmp_path / name).write_text("x")
    before = build_zh.global_inputs(tmp_path, tmp_path)
    assert build_zh.global_inputs(tmp_path, tmp_path) == before
    for name in ("_config.yml", "tools/edition_switch.py"):
        (tmp_path / name).write_text("y")
        assert build_zh.global_inputs(tmp_path, tmp_path) != before, name


def test_chinese_search_terms_are_a_set_that_still_extends():
    import zh_search

    terms = zh_search.LatinTerms()
    terms.extend(["Keras", "CNN", "Keras"])
    assert terms == {"Keras", "CNN"} and "CNN" in terms and "RNN" not in terms


# ---- the built Chinese edition (after `make book`) ----

SITE = ROOT / "_build" / "html"


@pytest.mark.book
def test_every_page_exists_in_both_editions():
    if not (SITE / "zh" / "index.html").exists():
        pytest.fail("no Chinese edition in _build/html/zh: run `make book`")
    pages = [
        f"{doc}.html" for doc in ["intro"] + [f"chapters/{c}" for c in translations.toc_chapters()]
    ]
    pages += ["execution.html", "bibliography.html"]
    missing = [p for p in pages if not (SITE / p).exists() or not (SITE / "zh" / p).exists()]
    assert not missing, f"pages missing from one edition: {missing}"
    page = (SITE / "zh" / "chapters" / "ch03_3_transformer.html").read_text()
    assert 'lang="zh-CN"' in page and "../../chapters/ch03_3_transformer.html" in page
    assert "/blob/main/chapters/zh/ch03_3_transformer.ipynb" in page, "Colab opens the zh notebook"


@pytest.mark.book
def test_chinese_cells_show_the_chinese_words_the_code_glues():
    executed = ROOT / "_build" / "jupyter_execute" / "chapters"
    if not executed.exists():
        pytest.fail("no executed notebooks in _build/jupyter_execute: run `make book`")
    problems = []
    for chapter in translations.toc_chapters():
        glue_path = executed / f"{chapter}.glue.json"
        glue = json.loads(glue_path.read_text()) if glue_path.exists() else {}
        nb = nbformat.read(ROOT / "chapters" / "zh" / f"{chapter}.ipynb", as_version=4)
        problems += build_zh.unsuitable_glue(chapter, nb, glue, translations.load(chapter))
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_chinese_search_index_has_chinese_words():
    text = (SITE / "zh" / "searchindex.js").read_text()
    terms = json.loads(text[text.index("(") + 1 : text.rindex(")")])["terms"]
    assert "注意力" in terms and "卷积" in terms, (
        "Chinese words are not search terms (jieba missing?)"
    )


# ---- glued words have Chinese twins (zh/README.md, "Glued words") ----

EXECUTED = ROOT / "_build" / "jupyter_execute" / "chapters"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
LOWER_WORD = re.compile(r"\b[a-z]{2,}\b")
# Glued words that have no Chinese twin yet, by chapter ({chapter: {glue name, ...}}): the Chinese
# shows them in English. Every chapter has its twins now; should a gap have to wait, it is listed
# here by name, and the list may only shrink (a test below fails on an entry that gained its twin).
KNOWN_GAPS = {}


def glued_values(chapter, executed=EXECUTED):
    """``{name: value}`` a chapter glued in the last build, strings as str, from its outputs.

    myst-nb moves the glued outputs of an executed notebook into ``<chapter>.glue.json``; any left
    in the notebook count too. Each value is its ``text/plain`` form, read back as a Python
    literal where it is one (a string glued as ``'faster'`` becomes ``faster``).
    """
    outputs = []
    glue_path = executed / f"{chapter}.glue.json"
    if glue_path.exists():
        outputs += json.loads(glue_path.read_text()).values()
    notebook = executed / f"{chapter}.ipynb"
    if notebook.exists():
        for cell in nbformat.read(notebook, as_version=4).cells:
            outputs += [o for o in cell.get("outputs", []) if "scrapbook" in o.get("metadata", {})]
    values = {}
    for output in outputs:
        name = output["metadata"]["scrapbook"]["name"]
        data = output.get("data", {})
        text = next((v for k, v in data.items() if k.endswith("text/plain")), "")
        try:
            values[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            values[name] = text
    return values


def is_word(value):
    """A glued value is a word or phrase when it is a string with a Latin word in it.

    ``"faster"``, ``"Holds"`` and ``"0.54× (95 % CI 0.07 to 3.97×)"`` are; ``"25,120"``,
    ``"13×13"`` and ``"5e-07"`` (numbers formatted in code) are not.
    """
    return isinstance(value, str) and bool(LATIN_WORD.search(value))


def twin_problems(chapter, values, chinese_cells, known=frozenset()):
    """What is wrong with a chapter's glued words in Chinese, each naming chapter and glue name.

    ``values``: ``{name: value}`` glued by the chapter; ``chinese_cells``: ``{cell id: Chinese
    markdown}`` of its translated cells; ``known``: names allowed to lack a twin for now.
    """
    problems = []
    for name, value in sorted(values.items()):
        if name.endswith("_zh") or not is_word(value):
            continue
        twin = values.get(f"{name}_zh")
        if twin is None and name not in known:
            problems.append(f"{chapter}: glue {name} is a word ({value!r}) with no twin {name}_zh")
        elif isinstance(twin, str) and twin == value and LOWER_WORD.search(value):
            problems.append(f"{chapter}: glue {name}_zh is the English {value!r}")
    for cell_id, text in chinese_cells.items():
        for name in sorted(set(translations.GLUE.findall(text))):
            if name not in known and not name.endswith("_zh") and is_word(values.get(name)):
                problems.append(
                    f"{chapter} cell {cell_id}: the Chinese glues the English word {name}; "
                    f"use {name}_zh"
                )
    return problems


def chinese_cells(chapter):
    """``{cell id: Chinese}`` of a chapter's translated markdown cells."""
    entries = translations.load(chapter)
    return {key: entry["zh"] for key, entry in entries.items() if (entry.get("zh") or "").strip()}


def test_twin_check_names_the_chapter_and_the_glue():
    values = {"speed": "faster", "speed_zh": "更快", "n": 3, "size": "25,120", "verdict": "Holds"}
    values["clause_zh"] = "比 CNN 更快"  # a Chinese twin may hold Latin words
    cells = {
        "c1": "{glue:text}`speed_zh`{glue:text}`n`，{glue:text}`clause_zh`{glue:text}`verdict`"
    }
    assert twin_problems("ch09", values, cells) == [
        "ch09: glue verdict is a word ('Holds') with no twin verdict_zh",
        "ch09 cell c1: the Chinese glues the English word verdict; use verdict_zh",
    ]
    assert twin_problems("ch09", values, cells, known={"verdict"}) == []
    copied = {"speed": "faster", "speed_zh": "faster", "model": "CNN", "model_zh": "CNN"}
    assert twin_problems("ch09", copied, {}) == ["ch09: glue speed_zh is the English 'faster'"]
    assert not is_word("5e-07") and not is_word("13×13") and is_word("0.5× (95 % CI 0.1 to 2×)")


@pytest.mark.book
@pytest.mark.parametrize("chapter", translations.toc_chapters())
def test_every_glued_word_has_a_chinese_twin(chapter):
    if not EXECUTED.exists():
        pytest.fail("no executed notebooks in _build/jupyter_execute: run `make book`")
    values = glued_values(chapter)
    known = KNOWN_GAPS.get(chapter, set())
    problems = twin_problems(chapter, values, chinese_cells(chapter), known)
    assert not problems, "\n".join(problems) + "\nsee zh/README.md, Glued words"


@pytest.mark.book
def test_known_gaps_only_shrink():
    if not EXECUTED.exists():
        pytest.fail("no executed notebooks in _build/jupyter_execute: run `make book`")
    closed = [
        f"{chapter}: {name}"
        for chapter, names in sorted(KNOWN_GAPS.items())
        for name in sorted(names)
        if f"{name}_zh" in (values := glued_values(chapter)) or not is_word(values.get(name))
    ]
    assert not closed, f"remove from KNOWN_GAPS in tests/test_zh.py (twinned or gone): {closed}"
