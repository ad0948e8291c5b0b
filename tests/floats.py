"""What the tests share: floats compared by their bits, and eager's answer."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import Any

from autograd import Value


def bits(x: float) -> bytes:
    """A float's 8 bytes: -0.0 and 0.0 differ, and a nan equals itself."""
    if type(x) is not float:
        raise TypeError(f"bits: expected a float, got {type(x).__name__} {x!r}")
    return struct.pack("<d", x)


def all_bits(xs: Iterable[float]) -> list[bytes]:
    """`bits` of each float, in order."""
    return [bits(x) for x in xs]


def eager(f: Callable[..., Value], *args: Any) -> float:
    """What a compiled call must equal: forward, then backward; the output's number."""
    out = f(*args)
    out.backward()
    return out.data
