"""Rewrite the install line of every chapter's setup cell to the package's pinned release.

The requirement is defined once, in ``bigmodel_utils.INSTALL_REQUIREMENT``; run this after
bumping the version (``tests/test_colab.py`` fails until every chapter agrees):

    python ci/set_install_cells.py
"""

import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bigmodel_utils  # noqa: E402

INSTALL_LINE = re.compile(r'^([ \t]*)%pip install -q "bigmodel_utils @ [^"]*"[ \t]*$', re.MULTILINE)


def install_line():
    """The one install line every chapter's setup cell must contain (indented under its ``if``)."""
    return f'    %pip install -q "{bigmodel_utils.INSTALL_REQUIREMENT}"'


def main():
    for path in sorted((ROOT / "chapters").glob("**/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
        source, count = INSTALL_LINE.subn(install_line(), setup.source)
        if count != 1:
            raise SystemExit(f"{path.name}: expected one install line in the setup cell")
        if source != setup.source:
            setup.source = source
            nbformat.write(notebook, path)
            print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
