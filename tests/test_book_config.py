"""Fast checks of the book's files: TOC, chapter notebooks, environment.yml, CI workflow.

Every chapter notebook must follow the skeleton: outputs stripped, one H1 carrying the article's
Chinese heading, a Colab badge and a Colab install line that both point at ``repository.url`` in
``_config.yml``, ``## Summary`` and ``## Exercises``, citations, and GPU metadata if it trains.
Each check is a function returning a list of problems, shown failing on a synthetic notebook below.
"""

import pathlib
import re

import nbformat
import pytest
import yaml
from sitecheck import toc_documents

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
COLAB_URL = (
    CONFIG.get("launch_buttons", {})
    .get("colab_url", "https://colab.research.google.com")
    .rstrip("/")
)
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
BIB_KEYS = set(
    re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", (ROOT / "references.bib").read_text(), re.M)
)
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
BADGE = re.compile(r"\[!\[Open In Colab\]\(\.\./images/colab-badge\.svg\)\]\((\S+?)\)")


def colab_url(repository_url, branch, path):
    """The Colab address of ``path`` in a GitHub repository (how the launch button builds it)."""
    github = "https://github.com/"
    if not repository_url.startswith(github):
        raise ValueError(f"repository_url must be a GitHub address, got {repository_url!r}")
    return f"{COLAB_URL}/github/{repository_url[len(github) :]}/blob/{branch}/{path}"


FENCE = re.compile(r"\s*(`{3,}|~{3,})\s*(\S*)")


def markdown_lines(nb):
    """(cell index, line) of every markdown line outside code blocks.

    MyST directives' contents count as text.
    """
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        fences = []  # open fences, innermost last: (marker, "code" or "directive")
        for line in cell.source.splitlines():
            in_code = any(kind == "code" for _, kind in fences)
            match = FENCE.match(line)
            if match:
                marker, info = match.groups()
                if fences and not info and marker == fences[-1][0]:
                    fences.pop()
                    continue
                if not in_code:
                    directive = info.startswith("{") and not info.startswith("{code")
                    fences.append((marker, "directive" if directive else "code"))
                    continue
            if not in_code:
                yield index, line


def first_code_cell(nb):
    return next((cell for cell in nb.cells if cell.cell_type == "code"), None)


# ---- one check per rule; each returns a list of problems ----


def check_outputs_stripped(nb, name):
    return [
        f"code cell {i} has outputs or an execution count (run nbstripout)"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]


def check_heading(nb, name):
    headings = [(index, line) for index, line in markdown_lines(nb) if re.match(r"#\s", line)]
    if len(headings) != 1:
        return [f"expected exactly one H1, found {len(headings)}: {[line for _, line in headings]}"]
    index, line = headings[0]
    problems = (
        []
        if index == 0 and nb.cells[0].cell_type == "markdown"
        else ["the H1 is not in the first cell"]
    )
    if not CJK.search(line) or not re.search(r"[A-Za-z]{3}", line):
        problems.append(
            f"the H1 must carry the English title and the article's Chinese heading: {line!r}"
        )
    return problems


def check_colab_badge(nb, name):
    expected = colab_url(REPOSITORY_URL, BRANCH, f"chapters/{name}.ipynb")
    found = BADGE.findall(nb.cells[0].source) if nb.cells else []
    if found != [expected]:
        return [f"the first cell needs exactly one Colab badge linking {expected}, found {found}"]
    return []


def check_setup_cell(nb, name):
    cell = first_code_cell(nb)
    if cell is None:
        return ["no setup code cell"]
    problems = []
    if '"google.colab" in sys.modules' not in cell.source:
        problems.append(
            'the setup cell must install only on Colab (`if "google.colab" in sys.modules:`)'
        )
    urls = re.findall(r"%pip install[^\n]*?git\+([^\s\"'@]+)", cell.source)
    if urls != [REPOSITORY_URL]:
        problems.append(
            f"the setup cell must `%pip install` from git+{REPOSITORY_URL}, found {urls}"
        )
    if "profile.banner(" not in cell.source:
        problems.append("the setup cell must print the banner (profile.banner)")
    return problems


def check_summary_and_exercises(nb, name):
    lines = [line for _, line in markdown_lines(nb)]
    problems = [
        f"no `{heading}` section"
        for heading in ("## Summary", "## Exercises")
        if not any(line.strip() == heading for line in lines)
    ]
    if not problems:
        start = next(i for i, line in enumerate(lines) if line.strip() == "## Exercises")
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        items = [line for line in lines[start + 1 : end] if re.match(r"(\d+\.|[-*])\s", line)]
        if not 3 <= len(items) <= 5:
            problems.append(f"`## Exercises` should list 3-5 exercises, found {len(items)}")
    return problems


def check_metadata(nb, name):
    problems = []
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("kernelspec must be python3")
    trains = any(".fit(" in cell.source for cell in nb.cells if cell.cell_type == "code")
    if trains and (
        nb.metadata.get("accelerator") != "GPU" or not nb.metadata.get("colab", {}).get("gpuType")
    ):
        problems.append(
            "the chapter calls .fit( but its metadata does not ask Colab for a GPU "
            "(accelerator: GPU, colab.gpuType)"
        )
    return problems


def check_citations(nb, name):
    text = "\n".join(line for _, line in markdown_lines(nb))
    keys = [key.strip() for group in CITE.findall(text) for key in group.split(",")]
    if not keys:
        return ["no {cite} in the text"]
    return [f"cited key {key!r} is not in references.bib" for key in keys if key not in BIB_KEYS]


CHECKS = [
    check_outputs_stripped,
    check_heading,
    check_colab_badge,
    check_setup_cell,
    check_summary_and_exercises,
    check_metadata,
    check_citations,
]


# ---- the TOC ----


def test_every_toc_document_exists():
    missing = [
        doc
        for doc in toc_documents(ROOT / "_toc.yml")
        if not any((ROOT / f"{doc}{suffix}").exists() for suffix in (".md", ".ipynb"))
    ]
    assert not missing, f"_toc.yml lists documents that do not exist: {missing}"


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(toc_documents(ROOT / "_toc.yml"))
    missing = [path.name for path in NOTEBOOKS if f"chapters/{path.stem}" not in listed]
    assert not missing, f"chapter notebooks missing from _toc.yml (the build skips them): {missing}"


def test_intro_links_every_chapter():
    intro = (ROOT / "intro.md").read_text()
    assert len(re.findall(r"^#\s", intro, re.M)) == 1, "intro.md must have exactly one H1"
    chapters = [doc for doc in toc_documents(ROOT / "_toc.yml") if doc.startswith("chapters/")]
    unlinked = [doc for doc in chapters if f"]({doc}.ipynb)" not in intro]
    assert not unlinked, f"intro.md's chapter map does not link: {unlinked}"


# ---- every chapter notebook ----


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[len("check_") :])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_chapter_notebook(path, check):
    problems = check(nbformat.read(path, as_version=4), path.stem)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_checks_catch_a_bad_notebook():
    bad = nbformat.v4.new_notebook()
    bad.cells = [
        nbformat.v4.new_markdown_cell(
            "# A title with no Chinese\n\n[![Open In Colab](../images/colab-badge.svg)]"
            "(https://colab.research.google.com/github/someone/else/blob/main/chapters/bad.ipynb)"
        ),
        nbformat.v4.new_code_cell(
            '%pip install "bigmodel_utils @ git+https://github.com/someone/else"\nmodel.fit(x, y)',
            execution_count=3,
        ),
        nbformat.v4.new_markdown_cell("# A second H1\n\n## Summary\n\nNo exercises, no citations."),
    ]
    for check in CHECKS:
        assert check(bad, "bad"), f"{check.__name__} did not notice the bad notebook"


def test_colab_url_of_a_chapter():
    assert (
        colab_url("https://github.com/org/repo", "main", "chapters/x.ipynb")
        == f"{COLAB_URL}/github/org/repo/blob/main/chapters/x.ipynb"
    )
    with pytest.raises(ValueError, match="repository_url"):
        colab_url("https://gitlab.com/org/repo", "main", "chapters/x.ipynb")


# ---- environment.yml agrees with requirements.lock ----


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_versions(text):
    """{normalized name: version} of the ``name==version`` lines of a lock file."""
    pins = (line.split("#")[0].strip() for line in text.splitlines())
    return {
        normalize(name): version
        for name, _, version in (pin.partition("==") for pin in pins if "==" in pin)
    }


def environment_pip(environment):
    """The list under ``pip:`` in a parsed environment.yml."""
    for dependency in environment["dependencies"]:
        if isinstance(dependency, dict) and "pip" in dependency:
            return dependency["pip"]
    return []


def version_disagreements(pip_entries, lock):
    """Problems with pip entries of environment.yml compared with the lock file's pins."""
    problems = []
    for entry in pip_entries:
        if entry.startswith("-e "):
            continue
        name, separator, version = entry.partition("==")
        if not separator:
            problems.append(f"{entry!r} is not pinned with ==")
        elif normalize(name) not in lock:
            problems.append(f"{name} is not in requirements.lock")
        elif lock[normalize(name)] != version.strip():
            problems.append(
                f"{name}: environment.yml has {version.strip()}, "
                f"requirements.lock has {lock[normalize(name)]}"
            )
    return problems


ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text())
LOCK = lock_versions((ROOT / "requirements.lock").read_text())
TOP_LEVEL = [
    "tensorflow-cpu",
    "keras",
    "numpy",
    "matplotlib",
    "mlxtend",
    "pandas",
    "scipy",
    "jupyter-book",
    "ai-edge-litert",
    "ipykernel",
    "pyyaml",
    "pytest",
    "playwright",
    "nbstripout",
    "sphinx-mathjax-offline",
]


def test_environment_yml_agrees_with_the_lock():
    problems = version_disagreements(environment_pip(ENVIRONMENT), LOCK)
    assert not problems, "environment.yml disagrees with requirements.lock:\n" + "\n".join(problems)


def test_environment_yml_lists_the_top_level_packages():
    listed = {normalize(entry.partition("==")[0]) for entry in environment_pip(ENVIRONMENT)}
    assert not set(TOP_LEVEL) - listed, f"environment.yml misses {sorted(set(TOP_LEVEL) - listed)}"
    assert "-e ." in environment_pip(ENVIRONMENT), (
        "environment.yml must install the book's package (-e .)"
    )
    assert "python=3.11" in ENVIRONMENT["dependencies"] and "pip" in ENVIRONMENT["dependencies"]


@pytest.mark.parametrize(
    "entries, expected",
    [
        (["keras==3.15.1", "-e ."], []),
        (["keras==3.14.0"], ["keras: environment.yml has 3.14.0, requirements.lock has 3.15.1"]),
        (["Keras==3.15.1", "tensorflow_cpu==2.21.0"], []),
        (["keras"], ["'keras' is not pinned with =="]),
        (["left-pad==1.0"], ["left-pad is not in requirements.lock"]),
    ],
)
def test_version_disagreements_are_found(entries, expected):
    lock = {"keras": "3.15.1", "tensorflow-cpu": "2.21.0"}
    assert version_disagreements(entries, lock) == expected


# ---- continuous integration ----


def test_workflow_builds_tests_and_deploys():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "main" in triggers["push"]["branches"]
    assert (
        workflow["permissions"]["pages"] == "write"
        and workflow["permissions"]["id-token"] == "write"
    )
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    } <= set(uses), sorted(uses)
    assert str(uses["actions/setup-python"]["with"]["python-version"]) == "3.11"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert any(step.get("run", "").strip() == "make test" for step in steps), (
        "the workflow must run `make test`"
    )


def test_ci_script_runs_make_test():
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert "make test" in commands, f".ci/run must call `make test`: {commands}"


def test_the_virtual_environments_are_not_pages_of_the_book():
    # make test sets up .venv-colab while the book builds: Sphinx must not read the packages'
    # Markdown and reStructuredText files in it (each would be a warning, and warnings fail).
    for folder in (".venv", ".venv-colab"):
        assert folder in CONFIG["exclude_patterns"], folder


def test_make_strip_keeps_the_cell_ids_the_translations_are_keyed_by(tmp_path):
    import shlex
    import shutil
    import subprocess

    from bookbuild import make_dry_run

    line = next(line for line in make_dry_run("strip").splitlines() if "nbstripout" in line)
    command = [word for word in shlex.split(line.partition("#")[0]) if "*" not in word]
    source = ROOT / "chapters" / "ch01_background.ipynb"
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    subprocess.run([*command, str(copy)], cwd=ROOT, check=True)
    ids = [cell.id for cell in nbformat.read(source, as_version=4).cells]
    assert [cell.id for cell in nbformat.read(copy, as_version=4).cells] == ids
