"""Argument checks shared by the `nn` modules: each error names the argument."""

from __future__ import annotations

import math
import numbers
import random
import reprlib
from collections.abc import MutableSequence, Sequence
from typing import Any, Protocol, runtime_checkable

from autograd._modes import tell_changed
from autograd.core import Value

__all__ = [
    "Draws",
    "Seed",
    "finite_float",
    "positive_int",
    "resolve_rng",
    "short",
    "tell_compile",
]


@runtime_checkable
class Draws(Protocol):
    """What `nn` draws random numbers from: a `random.Random` or the `random` module."""

    def uniform(self, a: float, b: float, /) -> float:
        """A float uniformly in [a, b]."""

    def gauss(self, mu: float, sigma: float, /) -> float:
        """A normally distributed float."""

    def shuffle(self, x: MutableSequence[Any], /) -> None:
        """Shuffle `x` in place."""


Seed = int | Draws | None


def short(value: object) -> str:
    """A short repr of `value` for an error message, whatever its size."""
    # repr of an int past sys.get_int_max_str_digits() raises ValueError.
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an int of {value.bit_length()} bits"
    return reprlib.repr(value)


def positive_int(value: object, name: str) -> int:
    """`value` if it is an int >= 1 (not a bool); otherwise an error naming it."""
    if isinstance(value, bool) or not isinstance(value, int):
        kind = type(value).__name__
        raise TypeError(f"{name} must be a positive int, got {kind} {short(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {short(value)}")
    return value


def finite_float(value: object, name: str, *, minimum: float | None = None) -> float:
    """`value` as a finite float, at least `minimum`; otherwise an error naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = type(value).__name__
        raise TypeError(f"{name} must be a real number, got {kind} {short(value)}")
    try:
        f = float(value)
    except OverflowError:
        msg = f"{name} must be a finite number, got {short(value)}"
        raise ValueError(msg) from None
    if not math.isfinite(f):
        raise ValueError(f"{name} must be a finite number, got {f!r}")
    if minimum is not None and f < minimum:
        raise ValueError(f"{name} must be >= {minimum!r}, got {f!r}")
    return f


def resolve_rng(seed: object) -> Draws:
    """A generator from `seed`: an int seeds a new one; a Random is used as is.

    ``None`` is the global `random` module itself, drawn from in micrograd's
    order: after ``random.seed(n)`` a model gets micrograd's exact weights, and
    the global generator is left where micrograd would leave it.
    """
    if seed is None:
        return random
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    if isinstance(seed, Draws):
        return seed
    raise TypeError(
        "seed must be an int, a random.Random or None, "
        f"got {type(seed).__name__} {short(seed)}"
    )


def tell_compile(params: Sequence[Value], what: str) -> None:
    """Inside a function `autograd.compile` traces, setting grads is refused.

    A replay runs no Python of the function, so a ``zero_grad()`` inside it
    would run on the first call only and later calls would pile gradients up.
    """
    if params:
        tell_changed(params[0], what)
