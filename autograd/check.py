"""`gradcheck`: our derivatives against central finite differences, for users.

>>> import autograd
>>> gradcheck(lambda x, y: autograd.sin(x) * y, 0.5, 2.0, order=2)
True
"""

from __future__ import annotations

import inspect
import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.core import Value
from autograd.functional import grad, hessian

__all__ = ["gradcheck", "numeric_grad"]


def _argument_names(f: Callable[..., Any], n: int) -> list[str]:
    """The names of `f`'s first `n` positional parameters, or x0, x1, ..."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):  # builtins and C functions may have none
        params = []
    positional = [
        p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return positional[:n] if len(positional) >= n else [f"x{i}" for i in range(n)]


def _float(x: object, where: str) -> float:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    raise TypeError(
        f"gradcheck: {where} must be a Value or a real number, got {type(x).__name__}"
    )


def _tolerance(value: object, name: str, *, positive: bool) -> float:
    """`value` as a finite float >= 0 (> 0 if `positive`), else an error naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"gradcheck: {name} must be a real number, got {type(value).__name__}"
        )
    x = float(value)
    if not math.isfinite(x) or x < 0.0 or (positive and x == 0.0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(
            f"gradcheck: {name} must be a finite number {bound}, got {x!r}"
        )
    return x


def _at(
    f: Callable[..., Any], args: Sequence[object]
) -> Callable[[list[float]], list[float]]:
    """`f` at a point, each argument passed as the kind given in `args`.

    A Value argument stays a (new) Value, so a function written with Value
    methods works; a number stays a float, for functions of plain floats.
    """
    kinds = [Value if isinstance(a, Value) else float for a in args]

    def value(point: list[float]) -> list[float]:
        inputs = [kind(x) for kind, x in zip(kinds, point, strict=True)]
        return [_float(f(*inputs), "the output of f")]

    return value


def _central_differences(
    func: Callable[[list[float]], Sequence[float]], point: list[float], eps: float
) -> list[list[float]]:
    """``[i][k]``: d func(point)[k] / d point[i], by central differences.

    The step is `eps` relative to the argument (absolute below 1), so it
    stays well above rounding error whatever the argument's size; the error
    of a central difference is O(step**2).
    """
    columns = []
    for i, x in enumerate(point):
        h = eps * max(1.0, abs(x))
        up, down = list(point), list(point)
        up[i], down[i] = x + h, x - h
        if up[i] == x or down[i] == x or not math.isfinite(up[i] - down[i]):
            raise ValueError(
                f"gradcheck: eps={eps!r} gives no usable step at argument {i} "
                f"(= {x!r}): choose an eps that moves it"
            )
        try:
            high, low = func(up), func(down)
        except (ArithmeticError, ValueError) as error:
            # The error names a point the user never passed: say where it came from.
            raise ValueError(
                f"gradcheck: f fails at argument {i} = {x!r} +- {h!r}, where the "
                f"central difference evaluates it ({error}); check at a point "
                "farther than that from the edge of f's domain, or pass a smaller eps"
            ) from error
        columns.append([(a - b) / (2.0 * h) for a, b in zip(high, low, strict=True)])
    return columns


def _table(rows: list[tuple[str, float, float, float, bool]]) -> str:
    """An aligned table of the compared derivatives; failing rows are marked."""
    cells = [("argument", "analytic", "numeric", "difference", "")] + [
        (name, f"{a:.10g}", f"{n:.10g}", f"{d:.3g}", "" if ok else "<- differs")
        for name, a, n, d, ok in rows
    ]
    widths = [max(len(row[c]) for row in cells) for c in range(4)]
    lines = [
        "  ".join(
            [row[0].ljust(widths[0])]
            + [row[c].rjust(widths[c]) for c in range(1, 4)]
            + ([row[4]] if row[4] else [])
        )
        for row in cells
    ]
    return "\n".join(lines)


def numeric_grad(
    f: Callable[..., Any], *args: Value | float, eps: float = 1e-6
) -> tuple[float, ...]:
    """The gradient of scalar `f` at `args` by central differences.

    Each argument given as a Value is passed to `f` as a Value (so `f` may use
    Value methods), each number as a float.

    >>> [round(d, 6) for d in numeric_grad(lambda x, y: x * y**2, 3.0, 2.0)]
    [4.0, 12.0]
    """
    eps = _tolerance(eps, "eps", positive=True)
    point = [_float(a, f"argument {i}") for i, a in enumerate(args)]
    columns = _central_differences(_at(f, args), point, eps)
    return tuple(column[0] for column in columns)


def gradcheck(
    f: Callable[..., Any],
    *args: Value | float,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    order: int = 1,
) -> bool:
    """True if `f`'s derivatives at `args` match central differences; else raise.

    Order 1 compares each first derivative with a central difference of `f`;
    order 2 also compares each second derivative d2f/dxi dxj with a central
    difference of the (analytic) first derivative. A derivative passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``. The error message is
    a table of every compared derivative, the failing ones marked. `eps` must
    be a finite number > 0, `atol` and `rtol` finite numbers >= 0.
    """
    if type(order) is not int or order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")
    eps = _tolerance(eps, "eps", positive=True)
    atol = _tolerance(atol, "atol", positive=False)
    rtol = _tolerance(rtol, "rtol", positive=False)
    if not args:
        raise TypeError("gradcheck: give f at least one argument to check at")
    point = [_float(a, f"argument {i}") for i, a in enumerate(args)]
    names = _argument_names(f, len(point))
    argnums = tuple(range(len(point)))
    gradient = grad(f, argnums)
    rows = list(
        # The differences call f on Values, as the analytic derivatives do.
        zip(
            names,
            gradient(*point),
            numeric_grad(f, *map(Value, point), eps=eps),
            strict=True,
        )
    )
    if order == 2:
        second = hessian(f, argnums)(*point)
        numeric = _central_differences(lambda p: gradient(*p), point, eps)
        for i, j in itertools.product(argnums, repeat=2):
            # numeric[j][i]: d/dxj of the analytic d f/dxi.
            rows.append((f"{names[i]}, {names[j]}", second[i][j], numeric[j][i]))
    checked = [
        (name, a, n, abs(a - n), abs(a - n) <= atol + rtol * abs(n))
        for name, a, n in rows
    ]
    failures = sum(not ok for *_, ok in checked)
    if failures:
        pairs = '; a row "x, y" is d2f/dx dy' if order == 2 else ""
        raise AssertionError(
            f"gradcheck: {failures} of {len(checked)} derivatives differ from "
            f"central differences (eps={eps}, atol={atol}, rtol={rtol}){pairs}\n"
            + _table(checked)
        )
    return True
