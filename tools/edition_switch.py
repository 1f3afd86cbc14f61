"""Sphinx extension: a link on every page to the same page in the book's other edition.

The two editions share their page names: ``chapters/ch01_background.html`` in English is
``zh/chapters/ch01_background.html`` in Chinese. ``_config.yml`` sets, under ``sphinx.config``::

    edition_switch: {root: zh, label: 中文版, lang: zh-CN}        # English edition
    edition_switch: {root: "..", label: English, lang: en}         # Chinese edition (zh/config.yml)

``root`` is the other edition's folder relative to this edition's. The link is a plain relative
``<a>`` at the top of the page body (no script, works offline), plus a ``<link rel="alternate">``.
With ``notebooks: chapters/zh`` the header's launch buttons (Colab) open the notebooks of that
folder instead of ``chapters/`` (the Chinese edition's notebooks live in ``chapters/zh/``).
"""

import html


def other_edition_url(pagename, root):
    """Relative address of ``pagename`` in the edition at ``root`` (relative to this site)."""
    if not isinstance(pagename, str) or not pagename:
        raise ValueError(f"pagename must be a non-empty page name, got {pagename!r}")
    if not isinstance(root, str) or not root or root.startswith("/"):
        raise ValueError(f"root must be a relative folder such as 'zh' or '..', got {root!r}")
    up = "../" * pagename.count("/")
    return f"{up}{root.strip('/')}/{pagename}.html"


def add_switch(app, pagename, templatename, context, doctree):
    settings = app.config.edition_switch
    if not settings or doctree is None or "body" not in context:
        return
    url = html.escape(other_edition_url(pagename, settings["root"]))
    lang = html.escape(settings.get("lang", ""))
    label = html.escape(settings["label"])
    link = f'<a class="reference external" href="{url}" hreflang="{lang}" lang="{lang}">{label}</a>'
    context["body"] = f'<p class="edition-switch">{link}</p>\n' + context["body"]
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{lang}" href="{url}" />'
    )


def _relaunched(buttons, folder):
    for button in buttons:
        if button.get("type") == "group":
            _relaunched(button.get("buttons", []), folder)
        elif button.get("url", "").startswith("http") and "/chapters/" in button["url"]:
            button["url"] = button["url"].replace("/chapters/", f"/{folder.strip('/')}/", 1)


def point_launch_buttons(app, pagename, templatename, context, doctree):
    folder = (app.config.edition_switch or {}).get("notebooks")
    if folder and pagename.startswith("chapters/"):
        _relaunched(context.get("header_buttons", []), folder)


def setup(app):
    app.add_config_value("edition_switch", {}, "html")
    app.connect("html-page-context", add_switch)
    # after sphinx-book-theme adds its launch buttons (priority 501)
    app.connect("html-page-context", point_launch_buttons, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
