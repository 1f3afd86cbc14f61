"""The book's build command, read from the Makefile, and throwaway copies of a tiny book.

The Makefile is the one place that says how the book is built. Rather than repeat its flags,
:func:`build_command` asks ``make --dry-run book`` which command it would run (the executor
``tools/build_book.py``, which runs the notebooks, then the Sphinx pass), so the build-failure tests
exercise exactly what ``make book`` runs.
"""

import os
import pathlib
import shlex
import shutil
import subprocess

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
# What a throwaway book copies from the real one (its intro and TOC are written fresh,
# because the real intro links every chapter).
COPIED = ("_config.yml", "references.bib", "bibliography.md", "images", "tools")


BUILD_SCRIPT = "tools/build_book.py"


def make_dry_run(target):
    """What ``make --dry-run <target>`` would run, outside any calling make (its flags dropped)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(
        ["make", "--dry-run", "--no-print-directory", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def build_command(source_dir):
    """The Makefile's book build command (``tools/build_book.py``), pointed at ``source_dir``.

    That is the whole pipeline ``make book`` runs: the parallel executor, then the Sphinx pass
    with the ``jupyter-book build`` flags given after ``--``.

    Raises:
        RuntimeError: if ``make --dry-run book`` shows no single ``tools/build_book.py`` line.
    """
    dry_run = make_dry_run("book")
    lines = [line for line in dry_run.splitlines() if BUILD_SCRIPT in line]
    if len(lines) != 1:
        raise RuntimeError(f"expected one '{BUILD_SCRIPT}' line in `make -n book`, got:\n{dry_run}")
    # The words of the command alone: from the interpreter to the first `&&`, `;` or `|`.
    words = list(shlex.shlex(lines[0].rstrip(" \\"), posix=True, punctuation_chars=True))
    end = next((i for i, word in enumerate(words) if set(word) <= set("&|;()")), len(words))
    words = words[:end]
    script = next(i for i, word in enumerate(words) if word.endswith(BUILD_SCRIPT))
    if words[script + 1] != ".":
        raise RuntimeError(f"expected `{BUILD_SCRIPT} .` (the book's folder) in: {lines[0]}")
    absolute = [word if os.path.isabs(word) else str(ROOT / word) for word in words[: script + 1]]
    return absolute + [str(source_dir)] + words[script + 2 :]


def sphinx_flags(command):
    """The ``jupyter-book build`` flags of a build command: the words after ``--``."""
    return command[command.index("--") + 1 :] if "--" in command else []


def notebook(
    code_cells, markdown="A tiny chapter citing {cite}`vaswani2017attention`:\n\n$$\na = b\n$$"
):
    """A small notebook: a heading and a paragraph, then the given code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Tiny chapter\n\n{markdown}")]
    nb.cells += [nbformat.v4.new_code_cell(code) for code in code_cells]
    return nb


def make_tiny_book(directory, nb, config_overrides=None):
    """Write a one-chapter copy of the book into ``directory`` and return its path."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, directory / name)
        else:
            shutil.copy(source, directory / name)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    for dotted, value in (config_overrides or {}).items():
        *parents, last = dotted.split(".")
        section = config
        for key in parents:
            section = section.setdefault(key, {})
        section[last] = value
    (directory / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (directory / "intro.md").write_text("# Tiny book\n\nA throwaway copy of the book's setup.\n")
    (directory / "chapters").mkdir()
    nbformat.write(nb, directory / "chapters" / "tiny.ipynb")
    toc = {
        "format": "jb-book",
        "root": "intro",
        "chapters": [{"file": "chapters/tiny"}, {"file": "bibliography"}],
    }
    (directory / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    return directory
