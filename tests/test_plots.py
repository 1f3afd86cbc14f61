"""The figures' shared finish (bigmodel_utils.plots.finish) and the figure modules' layout."""

import ast
import pathlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from bigmodel_utils import plots  # noqa: E402

PACKAGE = pathlib.Path(plots.__file__).parent
FIGURE_MODULES = {"plots", "plots_architectures", "plots_recurrent", "plots_remedies"}


def test_finish_labels_grids_legends_and_returns_the_figure(tmp_path):
    figure, axis = plt.subplots()
    axis.plot([1, 10, 100], [3, 2, 1], label="a line")
    axis.set_xscale("log")
    path = tmp_path / "figure.png"
    result = plots.finish(
        figure, axis, grid="both", legend={"fontsize": 8}, path=path, title="T", xlabel="x"
    )
    assert result is figure
    assert axis.get_title() == "T" and axis.get_xlabel() == "x"
    assert axis.get_legend() is not None and axis.get_legend().get_texts()[0].get_text() == "a line"
    assert any(line.get_visible() for line in axis.xaxis.get_minorticklines())  # minor grid on
    assert path.stat().st_size > 0
    plt.close(figure)


def test_finish_without_an_axis_or_a_legend_only_lays_out():
    figure, axis = plt.subplots()
    axis.plot([0, 1], [0, 1], label="unused")
    assert plots.finish(figure) is figure
    assert axis.get_legend() is None and axis.get_title() == ""
    plt.close(figure)


@pytest.mark.parametrize("module", sorted(FIGURE_MODULES))
def test_figure_modules_stay_small(module):
    assert len((PACKAGE / f"{module}.py").read_text().splitlines()) <= 300


def test_only_figure_modules_import_the_figure_modules():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            alias.name.split(".")[-1]
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        } | {
            node.module.split(".")[-1]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        if path.stem not in FIGURE_MODULES:
            assert not imported & FIGURE_MODULES, f"{path.name} imports a figure module"
            assert "matplotlib" not in imported | {
                alias.name.split(".")[0]
                for node in ast.walk(tree)
                if isinstance(node, ast.Import)
                for alias in node.names
            }, f"{path.name} imports matplotlib"
