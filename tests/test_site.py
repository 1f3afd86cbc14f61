"""The built site works offline in a real browser (headless Chromium).

Runs against ``_build/html``, which ``make test`` builds first (``make book``). Every page in
the TOC: no console errors, no failed or non-local requests, every image has a natural size,
MathJax typeset every formula, every internal link and anchor resolves. The search page
finds "attention". Screenshots of the landing page and a chapter go to ``_build/screenshots``.
"""

import os
import pathlib
import shutil

import pytest
import sitecheck

# The book to check: this repository, or another copy of it named by $BOOK_DIR.
BOOK = pathlib.Path(os.environ.get("BOOK_DIR", pathlib.Path(__file__).resolve().parents[1]))
SITE = BOOK / "_build" / "html"
SCREENSHOTS = BOOK / "_build" / "screenshots"
PAGES = sitecheck.toc_pages(BOOK / "_toc.yml")
CHAPTERS = [page for page in PAGES if page.startswith("chapters/")]
# The chapter to photograph: one with equations if the book has it.
SCREENSHOT_CHAPTER = next(
    (
        page
        for page in ("chapters/ch03_3_transformer.html", "chapters/ch03_1_cnn.html")
        if page in PAGES
    ),
    (CHAPTERS or PAGES)[0],
)

pytestmark = pytest.mark.browser


def require_site():
    if not (SITE / "index.html").exists():
        pytest.fail(
            f"no built site: {SITE / 'index.html'} is missing. Build it first with `make book` "
            "(`make test` does this before running the tests)."
        )


@pytest.fixture(scope="module")
def site_report():
    require_site()
    shots = {PAGES[0]: SCREENSHOTS / "landing.png", SCREENSHOT_CHAPTER: SCREENSHOTS / "chapter.png"}
    return sitecheck.check_site(SITE, PAGES, screenshots=shots, search_word="attention")


@pytest.mark.parametrize("kind", sitecheck.KINDS)
@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_problems(site_report, page, kind):
    problems = getattr(site_report.pages[page], kind)
    assert not problems, f"{page} ({kind}):\n" + "\n".join(problems)


def test_book_has_typeset_math(site_report):
    formulas = {page: report.formulas for page, report in site_report.pages.items()}
    assert sum(formulas.values()) > 0, f"MathJax typeset no formula on any page: {formulas}"


def test_search_finds_attention(site_report):
    assert not site_report.search, "\n".join(site_report.search)
    assert site_report.search_results >= 1


def test_screenshots_saved(site_report):
    for path in site_report.screenshots:
        assert pathlib.Path(path).stat().st_size > 10_000, f"screenshot {path} is missing or blank"


def test_checker_reports_a_broken_image(tmp_path):
    require_site()
    site = shutil.copytree(SITE, tmp_path / "html")
    page = next((page for page in PAGES if "<img" in (site / page).read_text()), None)
    assert page, "no page of the book has an image to break (every chapter shows the Colab badge)"
    text = (site / page).read_text()
    start = text.index('src="', text.index("<img")) + len('src="')
    (site / page).write_text(text[:start] + "broken/path.png" + text[text.index('"', start) :])

    report = sitecheck.check_site(site, [page], search_word=None)

    assert any("broken/path.png" in problem for problem in report.pages[page].images), (
        report.problems()
    )


SYNTHETIC_PAGE = """<!DOCTYPE html><html><head><title>bad</title>
<link rel="icon" href="data:,"></head>
<body><main>
<script>console.error("a deliberate error")</script>
<img src="https://example.com/picture.png" alt="remote">
<a href="other.html#nowhere">a missing anchor</a> <a href="missing.html">a missing page</a>
<a href="other.html#here">a good link</a>
<p>A formula nobody typeset: $$x^2$$ and \\(y\\).</p>
</main></body></html>"""


def test_checker_reports_each_kind_of_problem(tmp_path):
    (tmp_path / "index.html").write_text(SYNTHETIC_PAGE)
    (tmp_path / "other.html").write_text('<html><body><p id="here">ok</p></body></html>')

    report = sitecheck.check_site(tmp_path, ["index.html"], search_word=None).pages["index.html"]

    assert any("a deliberate error" in item for item in report.console), report
    assert any("example.com/picture.png" in item for item in report.requests), report
    assert any("example.com/picture.png" in item for item in report.images), report
    assert any("no id 'nowhere'" in item for item in report.links), report
    assert any("missing.html" in item for item in report.links), report
    assert not any("#here" in item for item in report.links), report
    assert any("$$" in item for item in report.math) and any(
        "\\(" in item for item in report.math
    ), report


def test_only_the_known_upstream_console_error_is_allowed():
    assert sitecheck._allowed(
        "Uncaught SyntaxError: Identifier 'THEBE_JS_URL' has already been declared"
    )
    assert not sitecheck._allowed(
        "Uncaught SyntaxError: Identifier 'OTHER' has already been declared"
    )
    assert not sitecheck._allowed("THEBE_JS_URL")


# ---- the Chinese edition (_build/html/zh), checked the same way ----

ZH_PAGES = [f"zh/{page}" for page in PAGES]


@pytest.fixture(scope="module")
def zh_site_report():
    require_site()
    if not (SITE / "zh" / "index.html").exists():
        pytest.fail(f"no Chinese edition: {SITE / 'zh' / 'index.html'} is missing (`make book`)")
    shots = {
        ZH_PAGES[0]: SCREENSHOTS / "zh-landing.png",
        f"zh/{SCREENSHOT_CHAPTER}": SCREENSHOTS / "zh-chapter.png",
    }
    return sitecheck.check_site(
        SITE,
        ZH_PAGES,
        screenshots=shots,
        search_word="注意力",
        search_page="zh/search.html",
        cjk_font=True,
    )


@pytest.mark.parametrize("kind", sitecheck.KINDS + ("fonts",))
@pytest.mark.parametrize("page", ZH_PAGES)
def test_chinese_page_has_no_problems(zh_site_report, page, kind):
    problems = getattr(zh_site_report.pages[page], kind)
    assert not problems, f"{page} ({kind}):\n" + "\n".join(problems)


def test_chinese_edition_has_typeset_math(zh_site_report):
    formulas = {page: report.formulas for page, report in zh_site_report.pages.items()}
    assert formulas[f"zh/{SCREENSHOT_CHAPTER}"] > 0, f"no typeset formula: {formulas}"


def test_chinese_search_finds_attention(zh_site_report):
    assert not zh_site_report.search, "\n".join(zh_site_report.search)
    assert zh_site_report.search_results >= 1


def test_chinese_screenshots_saved(zh_site_report):
    for path in zh_site_report.screenshots:
        assert pathlib.Path(path).stat().st_size > 10_000, f"screenshot {path} is missing or blank"


def test_font_check_reports_text_without_a_chinese_font(tmp_path, monkeypatch):
    page = '<html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><main>'
    page += "<h1>{}</h1></main></body></html>"
    (tmp_path / "index.html").write_text(page.format("注意力与中文标题"))
    good = sitecheck.check_site(tmp_path, ["index.html"], search_word=None, cjk_font=True)
    assert good.pages["index.html"].fonts == [], "a Chinese font is installed and must draw 中文"

    monkeypatch.setattr(sitecheck, "cjk_font_families", lambda: {"No Such Chinese Font"})
    faked = sitecheck.check_site(tmp_path, ["index.html"], search_word=None, cjk_font=True)
    assert any("none covers Chinese" in p for p in faked.pages["index.html"].fonts), faked

    (tmp_path / "index.html").write_text(page.format("Latin only"))
    latin = sitecheck.check_site(tmp_path, ["index.html"], search_word=None, cjk_font=True)
    assert any("no Chinese text" in p for p in latin.pages["index.html"].fonts), latin
