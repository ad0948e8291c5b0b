"""Write a file atomically: the one writer behind `nn.save` and `viz.render`.

`write_atomically(target, data)` writes `data` to a temporary file beside
`target`, fsyncs it, renames it over `target` and fsyncs the directory, so a
crash leaves either the old file or the new one, never half of one. The new
file gets the mode `open` would give it: an existing target's mode, or 0o666
less the umask.

The temporary file is named ``.NAME.HOST.PID.XXXXXXXX.tmp``: hidden, and
saying which process wrote it. A write first removes the temporaries for the
same target that a killed write left: those from this host whose process no
longer exists. A live process's file, another host's, one whose process
cannot be judged, and every file on a system that cannot ask about processes
(not POSIX) are kept.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from pathlib import Path
from typing import Final

__all__ = ["write_atomically"]

# O_EXCL: never open a file someone else made; O_BINARY: no newline
# translation on Windows (0 elsewhere).
_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_CAN_ASK_PROCESSES: Final = os.name == "posix"


def write_atomically(target: Path, data: bytes) -> None:
    """Replace `target` by a file holding `data`, all at once (see the module doc)."""
    _remove_abandoned_temporaries(target)
    fd, tmp = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _keep_mode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)


def _create_temporary(target: Path) -> tuple[int, Path]:
    """Create an empty temporary file beside `target`: its descriptor and path."""
    head = f"{_temporary_head(target)}{os.getpid()}."
    while True:
        tmp = target.parent / f"{head}{secrets.token_hex(4)}.tmp"
        try:
            # 0o666 less the umask, as `open` would; mkstemp would give 0o600.
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue  # a thread of this process drew the same random name


def _keep_mode(target: Path, tmp: Path) -> None:
    """Give `tmp` the mode of the file it replaces, if there is one."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return
    os.chmod(tmp, mode)


def _temporary_head(target: Path) -> str:
    """The start of the name of a temporary file for `target`: ".NAME.HOST."

    NAME and HOST are cut to 64 bytes each so the whole name stays under the
    usual 255-byte limit whatever the target's name.
    """
    # No path separator can come from a host name into the file name.
    host = socket.gethostname().replace("/", "_").replace("\\", "_")
    return f".{_at_most_64_bytes(target.name)}.{_at_most_64_bytes(host)}."


def _at_most_64_bytes(name: str) -> str:
    while len(os.fsencode(name)) > 64:
        name = name[:-1]
    return name


def _remove_abandoned_temporaries(target: Path) -> None:
    """Remove temporary files for `target` whose writing process is gone.

    Only files written on this host are considered: a pid means nothing on
    another machine sharing the directory. This process is alive, so its own
    files (another thread may be writing one now) are kept.
    """
    head = _temporary_head(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if not (name.startswith(head) and name.endswith(".tmp")):
            continue
        pid_text = name[len(head) :].split(".", 1)[0]
        if not pid_text.isdigit() or _process_exists(int(pid_text)):
            continue
        # Not ours to insist on: the write itself can still succeed.
        with contextlib.suppress(OSError):
            (target.parent / name).unlink(missing_ok=True)


def _process_exists(pid: int) -> bool:
    """False only when this host surely runs no process `pid`."""
    if not _CAN_ASK_PROCESSES:
        return True  # Windows' os.kill(pid, 0) would send Ctrl-C, not ask
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or a pid we cannot judge: keep it
    return True


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
