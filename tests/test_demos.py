"""Smoke tests for demos/: each runs (small, except moons at its defaults),
writes a PNG that decodes, and reaches its bar."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import matplotlib.image
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ["moons", "regression", "multiclass", "chain_rule", "fit_formula"]


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the demos importable (they import their sibling _common)."""
    monkeypatch.syspath_prepend(str(ROOT / "demos"))


def run(name: str, *argv: str) -> Any:
    """The demo's main(argv): its Result (demos/_common.py)."""
    return importlib.import_module(name).main(list(argv))


def assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = matplotlib.image.imread(path).shape
    assert height > 200 and width > 200


def test_moons_reaches_full_accuracy_at_its_defaults(
    demo: None, tmp_path: Path
) -> None:
    result = run("moons", "--out", str(tmp_path))
    assert result.steps == 100
    assert result.accuracy == 1.0
    assert result.loss < 0.05
    assert result.figure == tmp_path / "moons.png"
    assert_png(tmp_path / "moons.png")


def test_regression_fits_the_sine(demo: None, tmp_path: Path) -> None:
    result = run("regression", "--steps", "30", "--out", str(tmp_path))
    assert result.loss < 0.1
    assert_png(tmp_path / "regression.png")


def test_fit_formula_recovers_the_parameters_eagerly_then_compiled(
    demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--points", "400", "--steps", "60", "--eager-steps", "3"]
    result = run("fit_formula", *argv, "--out", str(tmp_path))
    out = capsys.readouterr().out
    assert "eager" in out and "compiled: first call" in out
    fit = importlib.import_module("fit_formula")
    assert result.fitted.keys() == fit.TRUE.keys()
    for name, value in fit.TRUE.items():
        assert result.fitted[name] == pytest.approx(value, abs=0.1), name
    assert result.loss < 1.5 * fit.NOISE**2  # about the noise's variance
    assert result.figure == tmp_path / "fit_formula.png"
    assert_png(result.figure)


def test_multiclass_separates_the_spirals(demo: None, tmp_path: Path) -> None:
    result = run("multiclass", "--steps", "15", "--out", str(tmp_path))
    assert result.accuracy >= 0.7
    assert_png(tmp_path / "multiclass.png")


def test_chain_rule_prints_every_step_and_agrees_with_finite_differences(
    demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run("chain_rule", "--steps", "10", "--out", str(tmp_path))
    out = capsys.readouterr().out
    assert "o = tanh(n)" in out
    # d feeds L twice (L = d * d): two backward steps, the second adds up.
    assert out.count("L -> d ") == 2
    assert "dL/dw1" in out and "finite difference" in out
    # Each gradient three ways: explained, backward(), finite difference.
    rows = [line.split() for line in out.splitlines() if line.startswith("  dL/d")]
    assert len(rows) == 5 and all(len(row) == 4 for row in rows)
    assert all(row[1] == row[2] for row in rows)  # explain == backward, printed
    assert result.gradient_error < 1e-8
    assert result.loss < 0.042893  # the starting loss
    assert_png(tmp_path / "chain_rule.png")
    page = (tmp_path / "chain_rule.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "ag-stepper" in page


def region_pixels(scores: Any, rgb: tuple[float, float, float]) -> int:
    """How many pixels of `plot_regions`' picture have (about) colour `rgb`."""
    import _common
    import numpy as np

    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(3, 3))
    _common.plot_regions(ax, scores, [[-1.0, -1.0], [1.0, 1.0]], [0, 2], size=30)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3] / 255.0
    plt.close(fig)
    return int((np.abs(pixels - rgb).max(axis=2) < 0.02).sum())


def test_regions_show_no_band_of_a_class_that_wins_nowhere(demo: None) -> None:
    import _common

    # Class 1's colour at the regions' alpha (0.6) over white.
    r, g, b, _ = _common.pyplot().get_cmap("Spectral")(0.5)
    band = tuple(0.6 * c + 0.4 for c in (r, g, b))
    # Class 0 left, class 2 right; class 1 loses everywhere.
    assert region_pixels(lambda p: [-p[0], -9.0, p[0]], band) == 0
    # The check sees class 1 where it does win: a stripe in the middle.
    assert region_pixels(lambda p: [-p[0], 0.5 - abs(p[0]), p[0]], band) > 100


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each figure a demo saves, as it is when saved (the file is written too)."""
    import matplotlib.figure

    figures = []
    save = matplotlib.figure.Figure.savefig

    def spy(fig: Any, *args: Any, **kwargs: Any) -> None:
        figures.append(fig)
        save(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    return figures


def test_training_demos_draw_their_loss_curves(
    demo: None, tmp_path: Path, saved: list[Any]
) -> None:
    run("regression", "--steps", "3", "--out", str(tmp_path))
    run("multiclass", "--steps", "3", "--out", str(tmp_path))
    run("moons", "--steps", "3", "--out", str(tmp_path))
    assert [fig.axes[-1].get_ylabel() for fig in saved] == [
        "mean squared error",
        "cross-entropy",
        "hinge loss + L2",
    ]


def test_the_chain_rule_loss_curve_is_on_a_log_scale(
    demo: None, tmp_path: Path, saved: list[Any]
) -> None:
    run("chain_rule", "--steps", "25", "--out", str(tmp_path))
    # L falls from 0.04 to about 1e-18: linear, it is flat at 0 after 5 steps.
    assert [fig.axes[-1].get_yscale() for fig in saved] == ["log"]


def test_chain_rule_with_a_seed_starts_from_random_values(
    demo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run("chain_rule", "--seed", "3", "--steps", "1", "--out", str(tmp_path))
    assert "6.881374" not in capsys.readouterr().out
    assert result.gradient_error < 1e-6


@pytest.mark.parametrize("name", DEMOS)
def test_every_demo_explains_its_options(name: str) -> None:
    done = subprocess.run(
        [sys.executable, f"demos/{name}.py", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for option in ("--steps", "--seed", "--out"):
        assert option in done.stdout


def test_a_demo_runs_as_a_script_from_the_repository_root(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "demos/chain_rule.py", "--steps", "2", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert_png(tmp_path / "chain_rule.png")


def test_a_bad_step_count_is_a_usage_error(demo: None) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("moons", "--steps", "0")
    assert exit_info.value.code == 2


def test_progress_in_a_log_is_a_plain_line_at_each_tenth(demo: None) -> None:
    import io

    import _common

    log = io.StringIO()
    bar = _common.progress(100, "train", log)
    for k in bar:
        bar.set_postfix(loss=k)
    written = log.getvalue()
    assert "\r" not in written
    lines = written.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        f"train: {done}/100 steps" for done in range(10, 101, 10)
    ]
    assert lines[-1].endswith("loss=99")


def test_progress_on_a_terminal_is_tqdms_bar(demo: None) -> None:
    import io

    import _common
    from tqdm import tqdm

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = _common.progress(3, "train", screen)
    assert isinstance(bar, tqdm)
    for _ in bar:
        bar.set_postfix(loss=1.0)
    bar.close()
    assert "\r" in screen.getvalue()


def imported_modules(source: str) -> set[str]:
    """The top-level names of the modules `source` imports, and `autograd.viz`
    (whose extra brings Graphviz) when it imports that."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {n.split(".")[0] for n in names}
        found |= {"autograd.viz" for n in names if n.startswith("autograd.viz")}
    return found


def extra(name: str) -> set[str]:
    """The distributions an extra of pyproject.toml lists, lower-case, others'
    extras (``scalargrad[demos]``) expanded."""
    import re

    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    listed = re.search(rf"^{name} = \[(.*?)\]$", text, flags=re.M | re.S)
    assert listed is not None, f"no extra {name!r}"
    names = set()
    for requirement in re.findall(r'"([^"]+)"', listed.group(1)):
        own = re.fullmatch(r"scalargrad\[(\w+)\]", requirement)
        if own:
            names |= extra(own.group(1))
        else:
            names.add(re.split(r"[<>=!~\[; ]", requirement)[0].lower())
    return names


def third_party(files: list[Path]) -> dict[str, str]:
    """module -> distribution for what `files` import from outside the project
    and the standard library, following imports of sibling scripts."""
    from importlib.metadata import packages_distributions

    local = {p.stem for p in [*ROOT.glob("demos/*.py"), *ROOT.glob("benchmarks/*.py")]}
    local |= {"autograd", "nn"}
    modules = set()
    for path in files:
        if path.suffix == ".ipynb":
            import nbformat

            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    lines = cell.source.splitlines()
                    code = "\n".join(x for x in lines if not x.startswith("%"))
                    modules |= imported_modules(code)
        else:
            modules |= imported_modules(path.read_text(encoding="utf-8"))
    followed: set[str] = set()
    while todo := sorted(modules & local - {"autograd", "nn"} - followed):
        followed |= set(todo)
        for name in todo:
            for folder in ("demos", "benchmarks"):
                script = ROOT / folder / f"{name}.py"
                if script.is_file():
                    modules |= imported_modules(script.read_text(encoding="utf-8"))
    outside = modules - local - set(sys.stdlib_module_names) - {"autograd.viz"}
    found = packages_distributions()
    needed = {m: found[m][0].lower() for m in sorted(outside)}
    if "autograd.viz" in modules:
        needed |= {f"autograd.viz needs {name}": name for name in extra("viz")}
    return needed


def test_the_demos_extra_holds_every_package_the_demos_import() -> None:
    needed = third_party(sorted(ROOT.glob("demos/*.py")))
    assert {"matplotlib", "tqdm", "graphviz"} <= set(needed.values())
    assert set(needed.values()) <= extra("demos")


def test_the_notebooks_extra_holds_jupyter_and_what_the_notebooks_import() -> None:
    needed = third_party(sorted(ROOT.glob("demos/notebooks/*.ipynb")))
    # 03 imports names_gpt.py, whose _common.py imports tqdm.
    assert {"matplotlib", "graphviz", "tqdm"} <= set(needed.values())
    assert set(needed.values()) <= extra("notebooks")
    assert "jupyterlab" in extra("notebooks")
