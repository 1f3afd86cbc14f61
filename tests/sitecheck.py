"""Check a built book site in headless Chromium: errors, requests, images, math, links, search.

Serves a site directory on 127.0.0.1 (a free port, ``http.server`` in a thread) and drives it
with Playwright and Debian's Chromium (no ``playwright install``). Any request that does not go
to that local server counts as failed: the site must work offline.

    report = check_site("_build/html", toc_pages("_toc.yml"), screenshot_dir="_build/screenshots")
    print(report.problems())
"""

import dataclasses
import functools
import html.parser
import http.server
import pathlib
import re
import threading
import urllib.parse

import yaml

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# Known upstream bug of every Jupyter Book 1 page (sphinx-doc/sphinx#13402, fixed in Sphinx 8.2,
# which Jupyter Book 1 cannot use). Exactly this message is tolerated, nothing else.
ALLOWED_CONSOLE_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)
KINDS = ("console", "requests", "images", "math", "links")
# Raw TeX that MathJax should have replaced: $$, \( \), \[ \], \begin{, or $x$ with no spaces
# inside the $.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$[^\s$][^$\n]{0,200}?[^\s$\\]\$")


def toc_documents(toc_path):
    """Every document of a Jupyter Book ``_toc.yml``, root first, without suffixes."""
    toc = yaml.safe_load(pathlib.Path(toc_path).read_text())
    documents = [toc["root"]]

    def walk(entry):
        if "file" in entry:
            documents.append(entry["file"])
        for key in ("parts", "chapters", "sections"):
            for child in entry.get(key) or []:
                walk(child)

    walk(toc)
    return documents


def toc_pages(toc_path):
    """The HTML page of every document in the TOC, e.g. ``chapters/ch04_keras_cnn.html``."""
    return [f"{document}.html" for document in toc_documents(toc_path)]


class SiteServer:
    """Serve ``site_dir`` on 127.0.0.1 at a free port, in a thread, for a ``with`` block."""

    def __init__(self, site_dir):
        self.site_dir = pathlib.Path(site_dir)
        if not (self.site_dir / "index.html").exists():
            raise FileNotFoundError(
                f"no built site in {self.site_dir} (index.html missing): build the book first"
            )

    def __enter__(self):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        handler = functools.partial(Quiet, directory=str(self.site_dir))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@dataclasses.dataclass
class PageReport:
    """What one page did wrong, by kind (see ``KINDS``); empty lists mean the page is fine."""

    page: str
    console: list = dataclasses.field(default_factory=list)
    requests: list = dataclasses.field(default_factory=list)
    images: list = dataclasses.field(default_factory=list)
    math: list = dataclasses.field(default_factory=list)
    links: list = dataclasses.field(default_factory=list)
    formulas: int = 0  # typeset formulas (mjx-container elements) seen on the page
    fonts: list = dataclasses.field(default_factory=list)  # CJK font problems (if checked)

    def problems(self):
        return [f"{self.page}: {kind}: {item}" for kind in KINDS for item in getattr(self, kind)]


@dataclasses.dataclass
class SiteReport:
    pages: dict
    search_results: int = 0
    search: list = dataclasses.field(default_factory=list)  # problems of the search page
    screenshots: list = dataclasses.field(default_factory=list)

    def problems(self):
        found = [problem for report in self.pages.values() for problem in report.problems()]
        return found + [f"search: {item}" for item in self.search]


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name in ("id", "name") and value)


@functools.cache
def _ids_in(path):
    parser = _Ids()
    parser.feed(pathlib.Path(path).read_text(errors="replace"))
    return frozenset(parser.ids)


def broken_links(hrefs, base_url, site_dir):
    """Internal links whose file, or whose ``#anchor`` in that file, does not exist."""
    base = urllib.parse.urlsplit(base_url)
    broken = []
    for href in sorted(set(hrefs)):
        url = urllib.parse.urlsplit(href)
        if url.scheme not in ("http", "https") or url.netloc != base.netloc:
            continue  # external links are not requests; mailto:, javascript: are not pages
        path = urllib.parse.unquote(url.path)
        target = pathlib.Path(site_dir) / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href} -> missing file {path}")
        elif url.fragment and target.suffix == ".html":
            anchor = urllib.parse.unquote(url.fragment)
            if anchor not in _ids_in(str(target)):
                broken.append(f"{href} -> no id {anchor!r} in {path}")
    return broken


_WAIT_FOR_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(image => { image.loading = "eager"; });
  await Promise.all(images.map(image => image.complete ? null :
      new Promise(done => { image.addEventListener("load", done);
        image.addEventListener("error", done);
                            setTimeout(done, 10000); })));
  return images.filter(image => !(image.complete && image.naturalWidth > 0))
               .map(image => image.getAttribute("src"));
}"""

_MATH = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const untypeset = [...document.querySelectorAll(".math")]
      .filter(element => !element.querySelector("mjx-container"))
      .map(element => "not typeset: " + element.textContent.trim().slice(0, 80));
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight";
  const walker = document.createTreeWalker(document.querySelector("main") || document.body,
                                           NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest(skip)) { texts.push(node.textContent); }
  }
  // A "$" touching a typeset formula means a delimiter was not consumed (e.g. inline $$...$$).
  const stray = [...document.querySelectorAll("mjx-container")].filter(container => {
    const host = container.closest(".math") || container;
    const before = host.previousSibling, after = host.nextSibling;
    return (before && /\$\s*$/.test(before.textContent)) ||
      (after && /^\s*\$/.test(after.textContent));
  }).map(container => "stray $ next to a formula: " +
    (container.closest("p, li, td, div") || container)
                                                         .textContent.trim().slice(0, 80));
  return {untypeset: untypeset.concat(stray), text: texts.join(" "),
          formulas: document.querySelectorAll("mjx-container").length};
}"""


def _watch(page, base_url, report_list):
    """Record console errors and failed or non-local requests of ``page`` into ``report_list``."""
    local = urllib.parse.urlsplit(base_url).netloc
    console, requests = report_list

    def on_route(route):
        url = urllib.parse.urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == local:
            route.continue_()
        else:
            requests.append(
                f"non-local request (the site must be self-contained): {route.request.url}"
            )
            route.abort()

    def on_console(message):
        if message.type == "error" and not _allowed(message.text):
            console.append(message.text)

    def on_page_error(error):
        if not _allowed(str(error.message)):
            console.append(f"uncaught: {error.message}")

    def on_failed(request):
        if urllib.parse.urlsplit(request.url).netloc == local:
            requests.append(f"failed: {request.url} ({request.failure})")

    def on_response(response):
        if response.status >= 400:
            requests.append(f"HTTP {response.status}: {response.url}")

    page.route("**/*", on_route)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)


def _allowed(message):
    message = message.strip()
    for prefix in ("Uncaught SyntaxError: ", "SyntaxError: "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message in ALLOWED_CONSOLE_ERRORS


def cjk_font_families():
    """Font families installed here that cover Chinese (``fc-list :lang=zh family``)."""
    import subprocess

    listed = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name}


def cjk_font_problems(page, selector="article h1"):
    """Problems if the Chinese text of ``selector`` is not drawn with a font that covers Chinese.

    Asks Chromium (DevTools ``CSS.getPlatformFontsForNode``) which installed fonts actually drew
    the element's glyphs: a fallback box font, or none, means the text is unreadable.
    """
    client = page.context.new_cdp_session(page)
    client.send("DOM.enable")
    client.send("CSS.enable")
    root = client.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = client.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    if not node and selector == "article h1":  # a page without <article>: its first heading
        selector = "main h1"
        node = client.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    if not node:
        return [f"no element {selector!r} to check the Chinese font on"]
    text = client.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
    if not re.search(r"[\u4e00-\u9fff]", text):
        return [f"{selector!r} has no Chinese text to check the font on"]
    fonts = client.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    used = {font["familyName"] for font in fonts if font.get("glyphCount", 0) > 0}
    if not used & cjk_font_families():
        return [f"the Chinese of {selector!r} is drawn with {sorted(used)}, none covers Chinese"]
    return []


def check_page(browser, base_url, site_dir, page_path, screenshot=None, cjk_font=False):
    """Load one page and return its :class:`PageReport`; optionally save screenshots.

    ``screenshot`` is a path: the top of the page is saved there, and if the page has math,
    a second file ``<stem>-math.png`` is taken with the first formula in view. ``cjk_font``
    also checks that the page's Chinese heading is drawn with a font that covers Chinese.
    """
    report = PageReport(page_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _watch(page, base_url, (report.console, report.requests))
    try:
        page.goto(base_url + page_path, wait_until="networkidle", timeout=60000)
        math = page.evaluate(_MATH)
        report.images = [
            f"image with no natural size: {src}" for src in page.evaluate(_WAIT_FOR_IMAGES)
        ]
        page.wait_for_load_state("networkidle")  # fonts MathJax asked for
        report.formulas = math["formulas"]
        report.math = math["untypeset"] + [
            f"raw TeX in the text: ...{math['text'][max(0, m.start() - 40) : m.end() + 40]}..."
            for m in RAW_TEX.finditer(math["text"])
        ]
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
        report.links = broken_links(hrefs, base_url, site_dir)
        if cjk_font:
            report.fonts = cjk_font_problems(page)
        if screenshot:
            screenshot = pathlib.Path(screenshot)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
            if report.formulas:
                page.locator("mjx-container").first.scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -200)")
                page.screenshot(path=str(screenshot.with_name(screenshot.stem + "-math.png")))
    finally:
        page.close()
    return report


def check_search(browser, base_url, word="attention", search_page="search.html"):
    """Search the site for ``word``; return (number of results, problems of the search page)."""
    problems, requests = [], []
    page = browser.new_page()
    _watch(page, base_url, (problems, requests))
    try:
        url = base_url + search_page + "?q=" + urllib.parse.quote(word)
        page.goto(url, wait_until="networkidle")
        page.wait_for_selector("#search-results .search-summary", timeout=30000)
        page.wait_for_function(
            "() => !document.querySelector('#search-results').classList.contains('searching')"
            " && document.querySelector('#search-results .search-summary').textContent"
            ".trim().length > 0",
            timeout=30000,
        )
        results = page.locator("#search-results ul.search > li").count()
    finally:
        page.close()
    return results, problems + requests


def launch(playwright):
    """Headless Debian Chromium driven by Playwright (no downloaded browser needed)."""
    if not pathlib.Path(CHROMIUM).exists():
        raise FileNotFoundError(
            f"{CHROMIUM} is missing: install Debian's chromium (`make browser-deps`)"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def check_site(
    site_dir,
    pages,
    screenshots=None,
    search_word="attention",
    search_page="search.html",
    cjk_font=False,
):
    """Check ``pages`` (relative to ``site_dir``) and the search page; return a :class:`SiteReport`.

    ``screenshots`` maps a page to the PNG path to save for it, e.g.
    ``{"intro.html": "_build/screenshots/landing.png"}``. ``search_word=None`` skips the search;
    ``search_page`` is where the search page is (``zh/search.html`` for the Chinese edition).
    ``cjk_font=True`` checks every page's Chinese heading font (see :func:`cjk_font_problems`).
    """
    from playwright.sync_api import sync_playwright

    screenshots = screenshots or {}
    with SiteServer(site_dir) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            reports = {
                page: check_page(
                    browser, server.url, site_dir, page, screenshots.get(page), cjk_font
                )
                for page in pages
            }
            report = SiteReport(reports, screenshots=[str(path) for path in screenshots.values()])
            if search_word:
                report.search_results, report.search = check_search(
                    browser, server.url, search_word, search_page
                )
                if report.search_results < 1:
                    report.search.append(f"no search results for {search_word!r}")
        finally:
            browser.close()
    return report
