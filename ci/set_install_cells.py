"""Pin the package's commit, and rewrite every chapter's install line (and the README's) to it.

The requirement is defined once, in ``bigmodel_utils.INSTALL_REQUIREMENT``, from
``bigmodel_utils.RELEASE``, the commit whose package the chapters install. After a change to the
package, commit it, then run (``tests/test_colab.py`` fails until all of these agree):

    python ci/set_install_cells.py --release HEAD

and commit the result: the second commit changes only the pin, the install lines and the Chinese
notebooks, so the pinned commit holds exactly this package. Without ``--release`` only the install
lines are rewritten to the current pin.
"""

import argparse
import pathlib
import re
import subprocess
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INSTALL_LINE = re.compile(r'^([ \t]*)%pip install -q "bigmodel_utils @ [^"]*"[ \t]*$', re.MULTILINE)
README_LINE = re.compile(r'^pip install "bigmodel_utils @ git\+[^"]*"$', re.MULTILINE)
RELEASE_LINE = re.compile(r'^RELEASE = "[0-9a-f]*"$', re.MULTILINE)


def requirement():
    """The package's install requirement, read from the source as it is now."""
    import importlib

    import bigmodel_utils

    return importlib.reload(bigmodel_utils).INSTALL_REQUIREMENT


def install_line():
    """The one install line every chapter's setup cell must contain (indented under its ``if``)."""
    return f'    %pip install -q "{requirement()}"'


def set_release(revision):
    """Write the full hash of ``revision`` into ``bigmodel_utils/__init__.py`` as ``RELEASE``."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    init = ROOT / "bigmodel_utils" / "__init__.py"
    source, count = RELEASE_LINE.subn(f'RELEASE = "{commit}"', init.read_text())
    if count != 1:
        raise SystemExit(f'{init}: expected one line RELEASE = "..."')
    init.write_text(source)
    return commit


def rewrite_install_lines():
    """Rewrite every install line that differs and the README's; return the notebooks written."""
    written = []
    for path in sorted((ROOT / "chapters").glob("**/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
        source, count = INSTALL_LINE.subn(install_line(), setup.source)
        if count != 1:
            raise SystemExit(f"{path.name}: expected one install line in the setup cell")
        if source != setup.source:
            setup.source = source
            nbformat.write(notebook, path)
            written.append(path)
    readme = ROOT / "README.md"
    text, count = README_LINE.subn(f'pip install "{requirement()}"', readme.read_text())
    if count != 1:
        raise SystemExit('README.md: expected one line pip install "bigmodel_utils @ git+..."')
    readme.write_text(text)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", help="the commit to pin (e.g. HEAD, after committing)")
    options = parser.parse_args(argv)
    commit = set_release(options.release) if options.release else None
    written = rewrite_install_lines()
    # reported only once every file is written: a closed pipe cannot stop the rewrite half-way
    if commit:
        print(f"RELEASE = {commit}")
    for path in written:
        print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
