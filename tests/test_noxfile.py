"""noxfile.py finds every supported CPython: on PATH, then in pyenv's versions.

The interpreters here are stand-ins: shell scripts that answer the noxfile's
question (implementation, major, minor) as a real one would, or fail as a
pyenv shim of a version that is not active does.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import nox
import pytest

NOXFILE = Path(__file__).resolve().parent.parent / "noxfile.py"


@dataclass
class Loaded:
    """The noxfile as nox imports it, and the sessions it registered."""

    module: ModuleType
    sessions: dict[str, Any]


def load_noxfile(monkeypatch: pytest.MonkeyPatch) -> Loaded:
    # Each load registers into a registry of its own, not nox's global one.
    monkeypatch.setattr(nox.registry, "_REGISTRY", {})
    spec = importlib.util.spec_from_file_location("noxfile", NOXFILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Loaded(module, nox.registry.get())


@pytest.fixture(scope="module")
def loaded() -> Iterator[Loaded]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield load_noxfile(monkeypatch)


@pytest.fixture
def noxfile(loaded: Loaded) -> ModuleType:
    return loaded.module


def stand_in(path: Path, answer: str, status: int = 0) -> Path:
    """An executable at `path` that prints `answer` and exits with `status`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{answer}'\nexit {status}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_the_running_interpreter_reports_its_own_version_only(
    noxfile: ModuleType,
) -> None:
    running = "{}.{}".format(*sys.version_info[:2])
    assert noxfile.reports_version(sys.executable, running)
    assert not noxfile.reports_version(sys.executable, "3.9")
    assert not noxfile.reports_version("/nonexistent/python3.10", "3.10")


def test_a_working_python_on_path_comes_first(
    noxfile: ModuleType, tmp_path: Path
) -> None:
    on_path = stand_in(tmp_path / "bin" / "python3.10", "cpython 3 10")
    stand_in(tmp_path / "pyenv/versions/3.10.13/bin/python3.10", "cpython 3 10")
    found = noxfile.find_python("3.10", str(tmp_path / "bin"), tmp_path / "pyenv")
    assert found == str(on_path)


def test_a_failing_shim_on_path_gives_way_to_pyenvs_release(
    noxfile: ModuleType, tmp_path: Path
) -> None:
    # pyenv's shim for a version that is not active exits 127.
    stand_in(tmp_path / "bin" / "python3.10", "pyenv: python3.10: not found", 127)
    release = stand_in(
        tmp_path / "pyenv/versions/3.10.13/bin/python3.10", "cpython 3 10"
    )
    found = noxfile.find_python("3.10", str(tmp_path / "bin"), tmp_path / "pyenv")
    assert found == str(release)


def test_a_python_that_answers_with_another_version_does_not_count(
    noxfile: ModuleType, tmp_path: Path
) -> None:
    stand_in(tmp_path / "bin" / "python3.12", "cpython 3 11")
    stand_in(tmp_path / "bin" / "python3.13", "pypy 3 13")
    assert noxfile.find_python("3.12", str(tmp_path / "bin"), tmp_path) is None
    assert noxfile.find_python("3.13", str(tmp_path / "bin"), tmp_path) is None


def test_the_newest_pyenv_patch_release_wins_by_number(
    noxfile: ModuleType, tmp_path: Path
) -> None:
    stand_in(tmp_path / "versions/3.12.9/bin/python3.12", "cpython 3 12")
    newest = stand_in(tmp_path / "versions/3.12.10/bin/python3.12", "cpython 3 12")
    assert noxfile.find_python("3.12", str(tmp_path / "empty"), tmp_path) == str(newest)


def test_free_threaded_and_development_builds_are_not_taken(
    noxfile: ModuleType, tmp_path: Path
) -> None:
    stand_in(tmp_path / "versions/3.13.0t/bin/python3.13", "cpython 3 13")
    stand_in(tmp_path / "versions/3.13-dev/bin/python3.13", "cpython 3 13")
    assert noxfile.find_python("3.13", str(tmp_path / "empty"), tmp_path) is None


def test_a_version_found_nowhere_keeps_its_number_for_nox_to_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # nox says "Python interpreter 3.X not found" and skips the session (fails
    # it under CI) only when the session's python is the bare version.
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    nowhere = load_noxfile(monkeypatch)
    for version in nowhere.module.VERSIONS:
        assert nowhere.sessions[f"tests-{version}"].python == version


def test_a_found_version_runs_on_the_interpreter_found(loaded: Loaded) -> None:
    running = loaded.sessions[f"tests-{loaded.module.RUNNING}"].python
    assert loaded.module.reports_version(running, loaded.module.RUNNING)


def test_every_version_but_the_running_one_is_a_default_session(
    loaded: Loaded,
) -> None:
    versions = loaded.module.VERSIONS
    assert [v for v in versions if loaded.sessions[f"tests-{v}"].default] == [
        v for v in versions if v != loaded.module.RUNNING
    ]


def test_every_file_the_quick_profile_leaves_out_exists(noxfile: ModuleType) -> None:
    left_out = [a.removeprefix("--ignore=") for a in noxfile.QUICK if "=" in a]
    assert left_out
    for path in left_out:
        assert (NOXFILE.parent / path).is_file(), path
