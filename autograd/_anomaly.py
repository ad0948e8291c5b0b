"""Anomaly mode (`detect_anomaly`): each node remembers the user's line that
made it, and backward fails at the first step whose gradient is not finite,
naming the op and that line.

The core records a site when an op runs in this mode (the slow op path) and
a watched pass (`autograd._watched`) checks each step: the chain rule itself
has no check in it.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from autograd._modes import ANOMALY, mode

__all__ = ["check_gradient", "creation_site", "detect_anomaly", "record_site"]


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise `FloatingPointError` at the first backward step with a non-finite gradient.

    Inside, every node remembers the line of user code that created it, and
    the error names the op and that line. (Forward values are always checked:
    an op whose result would not be finite raises `OverflowError` anyway.)
    Slower than normal mode; meant for debugging.
    """
    token = mode.set(mode.get() | ANOMALY)
    try:
        yield
    finally:
        mode.reset(token)


# Frames in these folders are library code (`nn` is named by its place beside
# `autograd`, not imported: imports only point down).
_LIBRARY_DIRS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(__file__)), package) + os.sep
    for package in ("autograd", "nn")
)


def _user_frame() -> str:
    """The innermost frame outside autograd and nn: where the user made a node."""
    for frame in reversed(traceback.extract_stack()):
        if not frame.filename.startswith(_LIBRARY_DIRS):
            where = f'File "{frame.filename}", line {frame.lineno}, in {frame.name}'
            return f"{where}: {frame.line}"
    return "<unknown>"


def record_site(v: Any) -> None:
    """Remember where the user made `v` (only anomaly mode pays for it)."""
    vars(v)["_creation_site"] = _user_frame()


def creation_site(v: Any) -> str:
    """The user's line that made `v` (anomaly mode's error message)."""
    site = getattr(v, "_creation_site", None)
    return site if isinstance(site, str) else "<made outside detect_anomaly>"


def check_gradient(v: Any, contribution: float, before: float) -> None:
    """Fail at the backward step through `v` that makes an adjoint non-finite."""
    total = before + contribution
    if total - total != 0.0:
        what = (
            f"a non-finite gradient {contribution!r}"
            if contribution - contribution != 0.0
            else f"a gradient {contribution!r} whose sum with {before!r} overflows"
        )
        raise FloatingPointError(
            f"detect_anomaly: backward through {v.op!r} (data={v._data!r}) produced "
            f"{what}; the node was created at {creation_site(v)}"
        )
