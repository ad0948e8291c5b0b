"""The Makefile: `make lint` checks the project's own code; `make notebooks`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = [
    "autograd",
    "nn",
    "tests",
    "demos",
    "benchmarks",
    "noxfile.py",
    "setup.py",
    "docs",
]


def planned(target: str) -> list[str]:
    """The commands `make -n target` would run (nothing is run), as if
    pyproject.toml had just changed (so installs show, done before or not)."""
    done = subprocess.run(
        # Under `make test` itself, make would also print "Entering directory".
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_lint_checks_the_projects_paths_not_scratch_files(tmp_path: Path) -> None:
    ruff = [line.split() for line in planned("lint") if "/ruff " in line]
    assert [words[1:] for words in ruff] == [
        ["check", *PROJECT],
        ["format", "--check", *PROJECT],
    ]
    # The same commands in a clone with a newcomer's scratch script at its root.
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in [*PROJECT, "pyproject.toml"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, clone / name, ignore=shutil.ignore_patterns("out"))
        else:
            shutil.copy(source, clone / name)
    (clone / "scratch.py").write_text("import os,sys\nx=1;y =2\n", encoding="utf-8")
    for words in ruff:
        done = subprocess.run(
            [str(ROOT / words[0]), *words[1:]],
            cwd=clone,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_make_notebooks_installs_the_extra_and_opens_jupyterlab() -> None:
    commands = "\n".join(planned("notebooks"))
    assert 'pip install --quiet -e ".[notebooks]"' in commands
    assert "jupyter lab demos/notebooks" in commands


def test_make_test_ends_with_the_other_pythons_through_nox() -> None:
    commands = planned("test")
    assert commands[-1] == ".venv/bin/nox"
    assert any("-m pytest" in line for line in commands[:-1])
