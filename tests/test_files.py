"""autograd._files: the atomic writer behind nn.save and viz.render.

Its users' own tests (tests/test_nn_serialize.py, tests/test_viz.py) kill real
writes with SIGKILL; here the writer's rules are checked one by one.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd._files
from autograd._files import write_atomically


def dead_pid() -> int:
    """A pid that ran on this host and no longer does."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@given(
    data=st.binary(max_size=300),
    umask=st.integers(0, 0o777),
    existing_mode=st.none() | st.integers(0o400, 0o777),
)
def test_the_file_holds_the_data_with_the_mode_open_would_give_and_nothing_else(
    data: bytes, umask: int, existing_mode: int | None
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "f.bin"
        if existing_mode is not None:
            path.write_bytes(b"old")
            path.chmod(existing_mode)
        old = os.umask(umask)
        try:
            write_atomically(path, data)
        finally:
            os.umask(old)
        assert path.read_bytes() == data
        expected = 0o666 & ~umask if existing_mode is None else existing_mode
        assert stat.S_IMODE(path.stat().st_mode) == expected
        assert os.listdir(directory) == ["f.bin"]


def test_the_temporary_is_beside_the_target_and_names_host_and_pid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        seen.extend(name for name in os.listdir(tmp_path) if name.endswith(".tmp"))
        real_fsync(fd)

    monkeypatch.setattr(autograd._files.os, "fsync", spy)
    write_atomically(tmp_path / "f.txt", b"x")
    head = re.escape(f".f.txt.{socket.gethostname()}.{os.getpid()}.")
    assert seen and all(re.fullmatch(head + "[0-9a-f]{8}[.]tmp", n) for n in seen)


def test_the_file_and_then_its_directory_are_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append("directory" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(autograd._files.os, "fsync", spy)
    write_atomically(tmp_path / "f.txt", b"x")
    assert synced == ["file", "directory"]


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace"])
def test_a_failure_before_the_rename_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "f.txt"
    path.write_text("old")

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(autograd._files.os, step, fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, b"new")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_an_interrupted_first_write_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(autograd._files.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "f.txt", b"new")
    assert os.listdir(tmp_path) == []


def test_temporaries_of_dead_processes_here_are_removed_and_all_others_kept(
    tmp_path: Path,
) -> None:
    pid, host = dead_pid(), socket.gethostname()
    kept = [
        f".m.json.another-host.{pid}.abcd1234.tmp",
        f".m.json.{host}.{os.getpid()}.abcd1234.tmp",  # another thread's, maybe
        f".m.json.{host}.{os.getppid()}.abcd1234.tmp",  # a live process's
        f".m.json.{host}.notapid.tmp",
        f".other.json.{host}.{pid}.abcd1234.tmp",
    ]
    for name in kept:
        (tmp_path / name).write_text("partial")
    (tmp_path / f".m.json.{host}.{pid}.abcd1234.tmp").write_text("partial")
    write_atomically(tmp_path / "m.json", b"{}")
    assert sorted(os.listdir(tmp_path)) == sorted([*kept, "m.json"])


def test_a_system_that_cannot_ask_about_processes_removes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    abandoned = f".m.json.{socket.gethostname()}.{dead_pid()}.abcd1234.tmp"
    (tmp_path / abandoned).write_text("partial")
    monkeypatch.setattr(autograd._files, "_CAN_ASK_PROCESSES", False)
    write_atomically(tmp_path / "m.json", b"{}")
    assert sorted(os.listdir(tmp_path)) == sorted([abandoned, "m.json"])


@pytest.mark.parametrize("name", ["m" * 250, "é" * 120 + ".json"])
def test_a_long_file_name_still_writes_and_cleans_up(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_atomically(path, b"1")
    write_atomically(path, b"2")
    assert os.listdir(tmp_path) == [name]
    assert path.read_bytes() == b"2"
