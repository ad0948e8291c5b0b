"""The tape: what a trace recorded, as a list of equations you can print.

Each equation is one op of the trace, ``e3 = mul(e1, c0)``: its row of the
op table and its operands, each an argument (``i0``), a leaf `f` reached
from inside (``c0``, a parameter), a constant (``2.0``) or an earlier
equation. A `detach()` inside `f` is a ``stop_gradient`` equation and an op
run under `no_grad` inside `f` is an equation marked ``no gradient``: both
are computed again on every replay, and no gradient flows through them.
Comparisons of Values (``e1 > 0.0``) are printed where they happened: they
are the guards. Every later step (the checks, loop rolling, code
generation) reads this list, not the Values of the trace.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from typing import Final, Union, final

from autograd.core import Value
from autograd.ops import Op

__all__ = [
    "STOP_GRADIENT",
    "Equation",
    "Guard",
    "Operand",
    "Tape",
    "blank_equations",
    "equation_line",
    "guard_line",
]

STOP_GRADIENT: Final = Op(
    "stop_gradient",
    1,
    operator.pos,
    lambda m, x, out: (0.0,),
    "stop_gradient",
    "x, with no gradient flowing back: what detach() records.",
    ((-5.0, 5.0),),
)
"""The row of a `detach()`: the value passes, the gradient does not."""


@final
class Equation:
    """``out = row(operands)``: one op of the trace.

    Its slots are named like a `Value`'s (`_row`, `_p0`, `_p1`), so passes
    read an equation the way the engine reads a node. An operand is an
    earlier `Equation`, a leaf `Value` (argument or captured) or a float.
    `stop` marks equations no gradient flows through (detach, `no_grad`).
    """

    __slots__ = ("_p0", "_p1", "_row", "stop")

    def __init__(self, row: Op, p0: Operand, p1: Operand | None, stop: bool) -> None:
        self._row = row
        self._p0 = p0
        self._p1 = p1  # None for a one-operand op
        self.stop = stop

    @property
    def operands(self) -> tuple[Operand, ...]:
        """The operands, in order."""
        return (self._p0,) if self._p1 is None else (self._p0, self._p1)


# Where `trace` gets its equations: `next(blank_equations)` is
# `object.__new__(Equation)`, slots filled in place (half the time of a call
# to `Equation(...)`, on the path run once per op traced).
blank_equations = itertools.starmap(object.__new__, itertools.repeat((Equation,)))

Operand = Union[Equation, Value, float]  # noqa: UP007 - a runtime alias on 3.10
Guard = tuple[Operand, str, object, bool]  # a, symbol, b, what the trace saw


@final
class Tape:
    """A trace as equations: inputs, captured leaves, equations, guards, output.

    `visited` lists the equations in the order eager backward processed
    them; the replay adds gradients up in that order.
    """

    def __init__(
        self,
        inputs: list[Value],
        equations: list[Equation],
        guards: list[tuple[int, Guard]],
        out: Operand,
        *,
        visited: list[Equation],
        leaves: list[Value],
    ) -> None:
        self.inputs = inputs
        self.equations = equations
        self.guards = [guard for _, guard in guards]
        self._guard_places = [at for at, _ in guards]  # equations made before each
        self.out = out
        self.visited = visited
        self.leaves = leaves
        """The leaves `f` reached from inside (parameters), in order of first use."""

    def __str__(self) -> str:
        names = self.names()

        def name(p: object) -> str:
            return names.get(p) or repr(float(p))  # type: ignore[call-overload, arg-type]

        lines = [self.header(names)]
        guards = iter(zip(self._guard_places, self.guards, strict=True))
        pending = next(guards, None)
        for k, eq in enumerate(self.equations):
            while pending is not None and pending[0] <= k:
                lines.append(guard_line(pending[1], name))
                pending = next(guards, None)
            lines.append(equation_line(names[eq], eq, list(map(name, eq.operands))))
        while pending is not None:
            lines.append(guard_line(pending[1], name))
            pending = next(guards, None)
        lines.append(f"  return {name(self.out)}")
        return "\n".join(lines)

    def header(self, names: dict[Operand, str], stage: str = "tape") -> str:
        """The first line of a printed stage: the inputs and the leaves."""
        leaves = ", ".join(
            f"{names[v]}={v.label!r}" if v.label else names[v] for v in self.leaves
        )
        inputs = ", ".join(names[v] for v in self.inputs)
        return f"{stage}(inputs: {inputs or '-'}; leaves: {leaves or '-'})"

    __repr__ = __str__

    def names(self, everything: bool = True) -> dict[Operand, str]:
        """What each input, leaf and equation is called: i0, c0, e0.

        ``everything=False`` names the inputs and leaves only.
        """
        names: dict[Operand, str] = {}
        for k, v in enumerate(self.inputs):
            names.setdefault(v, f"i{k}")
        for k, v in enumerate(self.leaves):
            names[v] = f"c{k}"
        if everything:
            for k, eq in enumerate(self.equations):
                names[eq] = f"e{k}"
        return names


def equation_line(name: str, eq: Equation, operands: list[str]) -> str:
    """``  e3 = mul(e1, c0)``: one equation as printed, its operands named."""
    mark = "  # no gradient" if eq.stop and eq._row is not STOP_GRADIENT else ""
    return f"  {name} = {eq._row.name}({', '.join(operands)}){mark}"


def guard_line(guard: Guard, name: Callable[[object], str]) -> str:
    """``  guard e1 > 0.0 is True``: a comparison the replay checks again."""
    a, symbol, b, result = guard
    return f"  guard {name(a)} {symbol} {name(b)} is {result}"
