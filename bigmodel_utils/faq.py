"""Chapter 6: the FAQ reads back the numbers the other chapters saved, even when opened alone.

The book executes every chapter before the FAQ, so there every number is present. A reader who
opens only the FAQ (on Colab each notebook gets a runtime of its own) has none of them: the page
then says plainly which chapters to run and how, skips the answers that quote them, and shows the
numbers it did find. It never quotes a number from another profile, and never shows a traceback.
"""

from bigmodel_utils import checks, profile

MAGIC = "if_all_measured"
_STATE = {"complete": False}


def load_available(chapters):
    """The saved numbers of every chapter in ``chapters`` that ran in the active profile.

    Prints one plain paragraph naming the chapters still to run (or the count it read), and
    registers the cell magic ``%%if_all_measured``: a cell that starts with it runs only when
    every chapter's numbers were found, and otherwise prints one line saying it was skipped.

    Raises:
        ValueError: if ``chapters`` is empty or holds anything but chapter names.
    """
    if isinstance(chapters, str) or not isinstance(chapters, (list, tuple)) or not chapters:
        raise ValueError(f"chapters must be a non-empty list of chapter names, got {chapters!r}")
    if not all(isinstance(name, str) and name.strip() for name in chapters):
        raise ValueError(f"chapters must hold non-empty chapter names, got {chapters!r}")
    found, missing = {}, {}
    for chapter in chapters:
        try:
            found[chapter] = profile.load_results(chapter)
        except (FileNotFoundError, ValueError) as reason:  # not run, or run in another profile
            missing[chapter] = reason
    _STATE["complete"] = not missing
    _register_magic()
    print(describe(found, missing))
    return found


def describe(found, missing):
    """What the page found, and what to do about the chapters it did not find.

    ``found`` maps a chapter to its saved numbers (a dict); ``missing`` names the chapters not
    found (a dict of chapter to reason, or a list of names), as :func:`load_available` makes them.
    """
    checks.mapping(found, "found")
    for chapter, numbers in found.items():
        checks.mapping(numbers, f"found[{chapter!r}]")
    if isinstance(missing, (str, bytes)) or not isinstance(missing, (dict, list, tuple)):
        raise TypeError(f"missing must be a dict or list of chapter names, got {missing!r:.60}")
    for chapter in missing:
        checks.string(chapter, "missing (a chapter name)")
    read = (
        f"read {sum(map(len, found.values()))} numbers from {len(found)} chapters "
        f"({profile.active_profile()} profile)"
    )
    if not missing:
        return read
    names = ", ".join(f"{chapter}.ipynb" for chapter in missing)
    return (
        f"{read}; {len(missing)} of {len(found) + len(missing)} chapters have not saved their "
        f"numbers here in the {profile.active_profile()} profile: {names}.\n"
        "This page answers its questions with numbers those chapters measure. Run them first in "
        f"this runtime (each saves its numbers in {profile.results_dir()}), then run this page "
        "again. On Colab every notebook has a runtime of its own: set the environment variable "
        "BIGMODEL_RESULTS to one folder on your mounted Google Drive before running each chapter "
        "and this page, or read the answers with their numbers in the book's web edition.\n"
        "Until then the answers below are skipped; the table at the end lists what was found."
    )


def if_all_measured(line, cell):
    """Cell magic: run the cell only when every quoted chapter's numbers were found."""
    checks.string(line, "line", empty=True)
    checks.string(cell, "cell", empty=True)
    if not _STATE["complete"]:
        print("skipped: this answer needs the numbers of every chapter listed above")
        return
    from IPython import get_ipython

    shell = get_ipython()
    exec(compile(shell.transform_cell(cell), "<answer>", "exec"), shell.user_ns)


def _register_magic():
    """Make ``%%if_all_measured`` available in the running IPython kernel (if there is one)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(if_all_measured, magic_kind="cell", magic_name=MAGIC)
