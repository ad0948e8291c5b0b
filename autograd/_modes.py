"""The mode an op runs in, and what `autograd.compile` is told while it traces.

Three switches, one bit each of one `ContextVar` (so each thread and each
asyncio task has its own): `RECORDING` (off inside `no_grad`), `ANOMALY`
(inside `detect_anomaly`) and `TRACING` (while `autograd.compile` traces). An
op function's fast path is the mode ``== RECORDING``; any other bit sends it
down the slow path (`autograd._offpath`).

While tracing, every public way to see or change a node (`v.data`, an
assignment to `v.grad`, a comparison, `backward()`) tells the tracer, which
records it or refuses it. This module knows nodes only by their slots.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any, Final, Protocol

__all__ = [
    "ANOMALY",
    "RECORDING",
    "TRACING",
    "Tracer",
    "is_grad_enabled",
    "mode",
    "mode_get",
    "passes",
    "tell_changed",
    "tell_compared",
    "tracer",
    "tracing",
    "user_read",
]

RECORDING: Final = 1
"""Graphs are recorded (the default; `no_grad` clears it)."""
ANOMALY: Final = 2
"""`detect_anomaly` is on: nodes keep their creation site, backward checks each step."""
TRACING: Final = 4
"""`autograd.compile` is tracing: it sees every node made, read and compared."""

mode: ContextVar[int] = ContextVar("autograd_mode", default=RECORDING)
"""The bits above, for this thread or task."""
mode_get = mode.get
"""`mode.get`, bound once: the op functions call a global, not a method."""


class Tracer(Protocol):
    """What `autograd.compile` is told while it traces a function."""

    def made(self, v: Any) -> None:
        """An op made the node `v`."""

    def compared(self, a: Any, symbol: str, b: object, result: bool) -> None:
        """The user compared `a` with `b`: a branch on it is a guard."""

    def read(self, v: Any) -> None:
        """The user read the number of `v`."""

    def detached(self, leaf: Any, source: Any) -> None:
        """`source.detach()` made `leaf`."""

    def constant(self, v: Any, row: Any, operands: tuple[object, ...]) -> None:
        """Under `no_grad`, the op `row` made the leaf `v`."""

    def changed(self, v: Any, what: str) -> None:
        """The user did `what` to `v` (a replay would not do it again)."""


passes = threading.RLock()
"""Held by each backward pass: one at a time in the process.

Passes mark shared nodes (a model's parameters) in their `_g` slots, and
``grad += g`` is not atomic. Re-entrant, so a gradient hook may itself call
`backward`; hooks are registered and removed under it too, as a pass running
in another thread reads them.
"""

tracer: ContextVar[Tracer | None] = ContextVar("autograd_tracer", default=None)
"""The tracer of the `autograd.compile` trace running in this thread or task."""


def tracing() -> Tracer | None:
    """The tracer to tell, or None when not tracing."""
    return tracer.get() if mode.get() & TRACING else None


def tell_changed(v: Any, what: str) -> None:
    """While compile traces: f did `what` to `v` (a replay would not do it again)."""
    if mode.get() & TRACING:  # the test inline: tracing calls it per op
        t = tracer.get()
        if t is not None:
            t.changed(v, what)


def user_read(v: Any) -> float:
    """`v`'s number, given to the user: every public way to see it comes here.

    While compile traces, the tracer is told (and refuses): a replay would
    reuse the number read during the trace, whatever `v` holds then.
    """
    if mode.get() & TRACING:
        t = tracer.get()
        if t is not None:
            t.read(v)
    data: float = v._data
    return data


def tell_compared(a: Any, symbol: str, b: object, result: bool) -> bool:
    """`result`, told to the tracer when tracing: a branch on it is a guard."""
    if mode.get() & TRACING:
        t = tracer.get()
        if t is not None:
            t.compared(a, symbol, b, result)
    return result


def is_grad_enabled() -> bool:
    """True unless inside `no_grad` (in this thread or task)."""
    return bool(mode.get() & RECORDING)
