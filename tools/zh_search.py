"""Sphinx extension of the Chinese edition: the same search index and citations, in less time.

Two costs of the Chinese pass grow with the book, and both go without changing a byte of output:

* **The Chinese search index.** Sphinx 7's ``SearchChinese`` (``sphinx/search/zh.py``) appends
  every Latin word it splits off to a list, ``latin_terms``, and looks each word up in that list
  when it stems it: a scan of everything indexed so far, so the index costs time quadratic in the
  book's length (the Chinese pages keep their code and its English output, which is most of that
  list). Here the list is a set that still answers ``extend``, as the splitter calls it; the
  membership test gives the same answers.
* **Citations.** sphinxcontrib-bibtex asks pybtex for its plain-text backend at every citation,
  and pybtex reads the entry points of every installed package on each request. The plugins do
  not change during a build, so each one is looked up once.

``zh/config.yml`` loads this extension (``sphinx.local_extensions``); ``tools/build_zh.py``
copies it into the Chinese source folder with ``edition_switch.py``.
"""

import functools


class LatinTerms(set):
    """A set of words with the list method ``SearchChinese.split`` calls (``extend``)."""

    def extend(self, words):
        self.update(words)


def setup(app):
    import pybtex.plugin
    from sphinx.search import zh

    zh.SearchChinese.latin_terms = LatinTerms(zh.SearchChinese.latin_terms)
    loader = pybtex.plugin._load_entry_point
    if not hasattr(loader, "cache_info"):
        pybtex.plugin._load_entry_point = functools.cache(loader)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
