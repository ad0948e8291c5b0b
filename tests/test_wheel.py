"""The wheel, as `pip install 'scalargrad[viz]'` gets it, works outside the checkout.

The editable install of the dev venv reads packages straight from the source
tree, so it cannot show a package left out of the wheel. Here the wheel is
built from a copy of the tree, installed (not editable) into a fresh venv in
a temporary directory, and used from there with the checkout out of sight.

No network: the wheel is built with the dev venv's setuptools
(``--no-build-isolation``), and the `viz` extra's dependency, `graphviz`, is
the dev venv's own pure-Python distribution copied file by file (the files
its RECORD lists) into the fresh venv, so pip finds it already installed.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn")


@dataclass
class Installed:
    """A fresh venv with the wheel installed, and a directory outside the checkout."""

    wheel: Path
    build_log: str
    python: Path
    workdir: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the venv's Python with `args`, from `workdir`, checkout unreachable."""
        # The wheel's default core, whichever core runs the tests here.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PYTHON") and k != "SCALARGRAD_PURE"
        }
        return subprocess.run(
            [str(self.python), "-I", *args],  # -I: no user site, no cwd on sys.path
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def pip(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def build_wheel(out: Path, env: dict[str, str] | None = None) -> tuple[Path, str]:
    source = out / "source"
    for package in PACKAGES:
        shutil.copytree(
            CHECKOUT / package,
            source / package,
            # The build makes its own C file and extension from the .pyx.
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.c"),
        )
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(CHECKOUT / name, source / name)
    dist = out / "dist"
    # -v keeps the build backend's output, warnings included.
    log = pip(
        "wheel",
        "-v",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        str(dist),
        str(source),
        env=env,
    )
    (wheel,) = dist.glob("scalargrad-*.whl")
    return wheel, log


def copy_distribution(name: str, site_packages: Path) -> None:
    """Install the dev venv's copy of pure-Python distribution `name` by its files."""
    dist = importlib.metadata.distribution(name)
    files = dist.files or []
    assert files, f"{name} lists no files"
    for f in files:
        if f.parts[0] == "..":  # scripts outside site-packages: graphviz has none
            continue
        target = site_packages / f
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f.locate(), target)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    assert CHECKOUT not in root.parents
    wheel, log = build_wheel(root)
    venv = root / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    copy_distribution("graphviz", Path(site))
    # The dev venv's pip installs into the fresh venv (it has no pip of its own).
    pip(
        "--python",
        str(python),
        "install",
        "--no-index",
        "--find-links",
        str(wheel.parent),
        "scalargrad[viz]",
    )
    workdir = root / "work"
    workdir.mkdir()
    return Installed(wheel, log, python, workdir)


def source_packages() -> set[str]:
    found = set()
    for package in PACKAGES:
        for init in (CHECKOUT / package).rglob("__init__.py"):
            if "__pycache__" not in init.parts:
                found.add(".".join(init.parent.relative_to(CHECKOUT).parts))
    return found


def test_the_wheel_holds_every_package_of_the_source_tree_and_py_typed(
    installed: Installed,
) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    packages = {
        n[: -len("/__init__.py")].replace("/", ".")
        for n in names
        if n.endswith("/__init__.py")
    }
    assert "autograd.viz" in source_packages()
    assert packages == source_packages()
    for package in PACKAGES:
        assert f"{package}/py.typed" in names


def test_the_wheel_holds_the_compiled_core_and_the_install_runs_it(
    installed: Installed,
) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert [n for n in names if n.startswith("autograd/_ccore.") and n.endswith(".so")]
    done = installed.run("-c", "import autograd; print(autograd.CORE)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["compiled"]


def test_without_a_c_compiler_the_build_says_so_and_ships_the_python_core(
    tmp_path: Path,
) -> None:
    wheel, log = build_wheel(tmp_path, env={**os.environ, "CC": "false"})
    assert log.count("the compiled core could not be built") == 1, log
    names = zipfile.ZipFile(wheel).namelist()
    assert "autograd/_generated.py" in names
    assert not [n for n in names if n.endswith(".so")]


def test_the_installed_wheel_runs_the_python_core_when_asked(
    installed: Installed,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [str(installed.python), "-I", "-c", "import autograd; print(autograd.CORE)"],
        cwd=installed.workdir,
        env={**env, "SCALARGRAD_PURE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["python"]


def wheel_metadata(path: Path) -> str:
    with zipfile.ZipFile(path) as wheel:
        (meta,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        return wheel.read(meta).decode()


def noxfile_versions() -> list[str]:
    """The Python versions noxfile.py tests (its VERSIONS), read without nox."""
    tree = ast.parse((CHECKOUT / "noxfile.py").read_text(encoding="utf-8"))
    (value,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["VERSIONS"]
    ]
    return list(ast.literal_eval(value))


def test_the_wheel_declares_the_viz_extra_and_an_spdx_license(
    installed: Installed,
) -> None:
    metadata = wheel_metadata(installed.wheel)
    assert 'Requires-Dist: graphviz>=0.20; extra == "viz"' in metadata
    assert "License-Expression: MIT" in metadata
    assert "License-File: LICENSE" in metadata


def test_the_wheel_names_the_pythons_the_noxfile_tests(installed: Installed) -> None:
    metadata = wheel_metadata(installed.wheel)
    named = re.findall(
        r"^Classifier: Programming Language :: Python :: (3\.\d+)$", metadata, re.M
    )
    versions = noxfile_versions()
    assert named == versions
    assert f"Requires-Python: >={versions[0]}" in metadata.splitlines()


def test_the_wheel_ships_the_licence_text(installed: Installed) -> None:
    # MIT: the notice must travel with every copy.
    with zipfile.ZipFile(installed.wheel) as wheel:
        (name,) = [
            n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")
        ]
        text = wheel.read(name).decode()
    assert text == (CHECKOUT / "LICENSE").read_text()
    assert "MIT License" in text and "the scalargrad authors" in text


def test_building_the_wheel_warns_of_nothing_deprecated(installed: Installed) -> None:
    # The old `license = { text = "MIT" }` table printed a screen of warnings.
    assert "deprecat" not in installed.build_log.lower(), installed.build_log


def test_autograd_viz_imports_from_the_installed_wheel(installed: Installed) -> None:
    done = installed.run(
        "-c",
        "import autograd, autograd.viz, nn, sys; print(autograd.viz.__file__); "
        "print('graphviz' in sys.modules)",
    )
    assert done.returncode == 0, done.stderr
    where, graphviz_loaded = done.stdout.split()
    assert Path(where).is_relative_to(installed.python.parent.parent)
    assert graphviz_loaded == "False"


def test_the_viz_command_line_runs_from_the_wheel(installed: Installed) -> None:
    done = installed.run("-m", "autograd.viz", "--help")
    assert done.returncode == 0, done.stderr
    assert "--model" in done.stdout
    done = installed.run("-m", "autograd.viz", "-o", "neuron.svg")
    assert done.returncode == 0, done.stderr
    assert "<svg" in (installed.workdir / "neuron.svg").read_text(encoding="utf-8")


def test_render_and_the_notebook_display_work_from_the_wheel(
    installed: Installed,
) -> None:
    done = installed.run(
        "-c",
        "from autograd import Value\n"
        "from autograd.viz import render\n"
        "x = Value(2.0, label='x')\n"
        "y = (x * x).tanh()\n"
        "y.backward()\n"
        "print(render(y, 'graph.svg'))\n"
        "from autograd._display import svg as notebook_svg\n"
        "svg = notebook_svg(y)\n"
        "print(svg is not None and '<svg' in svg)\n",
    )
    assert done.returncode == 0, done.stderr
    path, shown = done.stdout.split()
    assert (installed.workdir / path).read_text(encoding="utf-8").count("<svg") == 1
    assert shown == "True"
