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


SYNTHETIC_PAGE = """<!DOCTYPE html><html><head><title>bad</title><link rel="icon" href="data:,"></head>
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
