"""A local derivative as its rule, with the numbers put in: `local_rule`.

The row's own derivative function is run on traced numbers, so the formula
shown is the one that computed the number (``d tanh(x)/dx = 1 - tanh(x)^2 =
1 - 0.462117^2 = 0.786448``), the branch it took included; a rule that cannot
be traced shows its doc instead. `autograd.explain` prints one per step.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from autograd._numbers import number
from autograd.core import Value
from autograd.ops import FLOAT_MATH, Op

__all__ = ["Rule", "local_rule"]


@dataclass(frozen=True)
class Rule:
    """A local derivative d(node)/d(operand) as its rule, the numbers put in.

    ``str(rule)`` reads ``d tanh(x)/dx = 1 - tanh(x)^2 = 1 - 0.4621^2 =
    0.7864``, then the branch the rule took, if any (``for x > 0: 0.5 > 0``).
    """

    derivative: str
    """What is differentiated: ``d tanh(x)/dx``."""
    formula: str
    """The rule in the op's own names (''), or '' when it could not be traced."""
    numbers: str
    """The rule with each name replaced by its number (or '')."""
    value: str
    """The local derivative, as the table prints it."""
    conditions: tuple[tuple[str, str], ...]
    """The comparisons the rule made, as (in names, in numbers), each true."""
    note: str
    """When the rule could not be traced: the op's documentation, else ''."""

    def __str__(self) -> str:
        parts = [self.derivative]
        for part in (self.formula, self.numbers, self.value):
            if part and part != parts[-1]:
                parts.append(part)
        text = " = ".join(parts)
        if self.conditions:
            names = ", ".join(c for c, _ in self.conditions)
            numbers = ", ".join(c for _, c in self.conditions)
            text += f", for {names}: {numbers}"
        if self.note:
            text += f" ({self.note})"
        return text


# Precedence of a printed expression: what needs parentheses around it.
_SUM, _PRODUCT, _SIGN, _POWER, _ATOM = range(5)


class _Traced:
    """A number that remembers how it was computed, in names and in numbers.

    A derivative rule runs on these as it runs on floats or Values: each
    operation does the float arithmetic the eager path does, in the same
    order, and writes itself down twice. Comparisons answer by the numbers
    (so the rule takes the branch it takes on floats) and are recorded. No
    ``__float__``: a rule that calls `math` directly fails to trace rather
    than print a bare number as if it were the rule.
    """

    def __init__(
        self,
        value: float,
        names: tuple[str, int],
        numbers: tuple[str, int],
        trace: _Trace,
    ) -> None:
        self.value = value
        self.names, self.names_level = names
        self.numbers, self.numbers_level = numbers
        self.trace = trace

    def _lift(self, x: Any) -> _Traced:
        if isinstance(x, _Traced):
            return x
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise TypeError(f"a derivative rule used {type(x).__name__} {x!r}")
        return self.trace.constant(float(x))

    def _binary(self, other: Any, symbol: str, level: int, swap: bool) -> _Traced:
        a, b = (self._lift(other), self) if swap else (self, self._lift(other))
        value = _ARITHMETIC[symbol](a.value, b.value)
        if symbol == "*" and a is b:
            return self.trace.make(
                value,
                (f"{a.group(_POWER, 'names')}^2", _POWER),
                (f"{a.group(_POWER, 'numbers')}^2", _POWER),
            )
        shown = "^" if symbol == "**" else f" {symbol} "
        # Powers group to the right; the rest to the left, so the printed
        # grouping is the order the floats were combined in.
        power = symbol == "**"
        texts = []
        for which in ("names", "numbers"):
            left_text = a.group(level if power else level - 1, which)
            right_text = b.group(level - 1 if power else level, which)
            texts.append((left_text + shown + right_text, level))
        return self.trace.make(value, texts[0], texts[1])

    def group(self, level: int, which: str) -> str:
        """This expression's text, in parentheses unless it binds above `level`."""
        if which == "names":
            return _paren(self.names, self.names_level <= level)
        return _paren(self.numbers, self.numbers_level <= level)

    def __add__(self, other: Any) -> _Traced:
        return self._binary(other, "+", _SUM, False)

    def __radd__(self, other: Any) -> _Traced:
        return self._binary(other, "+", _SUM, True)

    def __sub__(self, other: Any) -> _Traced:
        return self._binary(other, "-", _SUM, False)

    def __rsub__(self, other: Any) -> _Traced:
        return self._binary(other, "-", _SUM, True)

    def __mul__(self, other: Any) -> _Traced:
        return self._binary(other, "*", _PRODUCT, False)

    def __rmul__(self, other: Any) -> _Traced:
        return self._binary(other, "*", _PRODUCT, True)

    def __truediv__(self, other: Any) -> _Traced:
        return self._binary(other, "/", _PRODUCT, False)

    def __rtruediv__(self, other: Any) -> _Traced:
        return self._binary(other, "/", _PRODUCT, True)

    def __pow__(self, other: Any) -> _Traced:
        return self._binary(other, "**", _POWER, False)

    def __rpow__(self, other: Any) -> _Traced:
        return self._binary(other, "**", _POWER, True)

    def __neg__(self) -> _Traced:
        return self.trace.make(
            -self.value,
            ("-" + self.group(_SIGN, "names"), _SIGN),
            ("-" + self.group(_SIGN, "numbers"), _SIGN),
        )

    def _compare(self, other: Any, symbol: str) -> bool:
        b = self._lift(other)
        holds = _COMPARE[symbol](self.value, b.value)
        shown = symbol if holds else _NEGATION[symbol]
        self.trace.conditions.append(
            (f"{self.names} {shown} {b.names}", f"{self.numbers} {shown} {b.numbers}")
        )
        return holds

    def __lt__(self, other: Any) -> bool:
        return self._compare(other, "<")

    def __le__(self, other: Any) -> bool:
        return self._compare(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self._compare(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self._compare(other, ">=")

    def __bool__(self) -> bool:
        # A Value is always truthy; so is a traced number (and `x or y` is rare).
        return True


def _paren(text: str, wrap: bool) -> str:
    return f"({text})" if wrap else text


def _level(shown: str) -> int:
    """A negative number is an operand in parentheses: (-0.5)^2, 2 * (-0.5)."""
    return _SUM if shown[0] == "-" else _ATOM


def _strictest(conditions: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The comparisons made, once each; ``x > 0`` says all ``x >= 0`` says."""
    kept = dict.fromkeys(conditions)
    for names, numbers in list(kept):
        for weak, strict in ((" >= ", " > "), (" <= ", " < ")):
            if weak in names:
                tighter = (names.replace(weak, strict), numbers.replace(weak, strict))
                if tighter in kept:
                    del kept[(names, numbers)]
    return tuple(kept)


_ARITHMETIC: Final[dict[str, Callable[[float, float], float]]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": FLOAT_MATH.pow,
}
_COMPARE: Final[dict[str, Callable[[float, float], bool]]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_NEGATION: Final = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


class _Trace:
    """The traced numbers of one rule's run, and the comparisons it made."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.conditions: list[tuple[str, str]] = []

    def make(
        self, value: float, names: tuple[str, int], numbers: tuple[str, int]
    ) -> _Traced:
        return _Traced(value, names, numbers, self)

    def leaf(self, value: float, name: str, level: int) -> _Traced:
        """A named number: an operand, or the op's result."""
        shown = number(value, self.fmt)
        return self.make(value, (name, level), (shown, _level(shown)))

    def constant(self, value: float) -> _Traced:
        shown = number(value, self.fmt)
        return self.make(value, (shown, _level(shown)), (shown, _level(shown)))

    def function(self, name: str, f: Callable[..., float], *args: Any) -> _Traced:
        """``name(args)``, computed by the float math the eager path calls."""
        traced = [
            a if isinstance(a, _Traced) else self.constant(float(a)) for a in args
        ]
        if name == "pow":
            return traced[0] ** traced[1]
        return self.make(
            f(*(t.value for t in traced)),
            (f"{name}({', '.join(t.names for t in traced)})", _ATOM),
            (f"{name}({', '.join(t.numbers for t in traced)})", _ATOM),
        )


class _TracedMath:
    """`autograd.ops.Math` on traced numbers."""

    def __init__(self, trace: _Trace) -> None:
        self.trace = trace

    def exp(self, x: Any, /) -> _Traced:
        return self.trace.function("exp", FLOAT_MATH.exp, x)

    def log(self, x: Any, /) -> _Traced:
        return self.trace.function("log", FLOAT_MATH.log, x)

    def sin(self, x: Any, /) -> _Traced:
        return self.trace.function("sin", FLOAT_MATH.sin, x)

    def cos(self, x: Any, /) -> _Traced:
        return self.trace.function("cos", FLOAT_MATH.cos, x)

    def sigmoid(self, x: Any, /) -> _Traced:
        return self.trace.function("sigmoid", FLOAT_MATH.sigmoid, x)

    def erf(self, x: Any, /) -> _Traced:
        return self.trace.function("erf", FLOAT_MATH.erf, x)

    def pow(self, x: Any, y: Any, /) -> _Traced:
        return self.trace.function("pow", FLOAT_MATH.pow, x, y)


# Ops written between their operands: their result reads ``x * y``.
_INFIX: Final = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT, "**": _POWER}


def _operand_names(row: Op) -> tuple[str, ...]:
    """The rule's own names for the operands (``x, slope``), else ``x, y``."""
    try:
        names = list(inspect.signature(row.derivative).parameters)[1:-1]
    except (TypeError, ValueError):
        names = []
    if len(names) == row.arity and all(n.isidentifier() for n in names):
        return tuple(names)
    return ("x", "y")[: row.arity]


def _result_name(row: Op, names: tuple[str, ...]) -> tuple[str, int]:
    """How the op's result reads in a rule: ``tanh(x)``, ``x * y``, ``x^y``."""
    if row.arity == 2 and row.symbol in _INFIX:
        shown = "^" if row.symbol == "**" else f" {row.symbol} "
        return f"{names[0]}{shown}{names[1]}", _INFIX[row.symbol]
    return f"{row.name}({', '.join(names)})", _ATOM


def local_rule(node: Value, slot: int, fmt: str = ".6g") -> Rule:
    """d(node)/d(operand `slot`) as the op's rule with the operands' numbers in it.

    The rule is the node's own row's derivative function, run on numbers that
    write themselves down (so a user's primitive is explained like a table
    op). The value printed is the node's own local derivative; if the traced
    rule does not give it bit for bit, or cannot be traced (it calls `math`
    directly), the rule's formula is left out and the op's documentation is
    shown instead: never a formula that is not what was computed.
    """
    row = node._row
    if row is None:
        raise ValueError("local_rule: a leaf has no op and no local derivative")
    local = node._d0 if slot == 0 else node._d1  # the library's read, not the user's
    names = _operand_names(row)
    result, level = _result_name(row, names)
    header = (
        f"d {result}/d{names[slot]}"
        if level == _ATOM
        else f"d({result})/d{names[slot]}"
    )
    trace = _Trace(fmt)
    operands = [
        trace.leaf(_data(p), name, _ATOM)
        for p, name in zip(node.operands, names, strict=True)
    ]
    out = trace.leaf(node._data, result, level)
    shown = number(local, fmt)
    try:
        got = row.derivative(_TracedMath(trace), *operands, out)[slot]
        term = got if isinstance(got, _Traced) else trace.constant(float(got))
    except Exception:  # any failure to trace means: show no formula
        term = None
    # float.hex tells -0.0 from 0.0: the trace must be the float computed.
    if term is None or float(term.value).hex() != float(local).hex():
        return Rule(header, "", "", shown, (), _doc_note(row))
    conditions = _strictest(trace.conditions)
    return Rule(header, term.names, term.numbers, shown, conditions, "")


def _data(p: Value | float) -> float:
    return p._data if isinstance(p, Value) else float(p)


def _doc_note(row: Op) -> str:
    # The rule is code this cannot write out (it calls another primitive,
    # say): its value stands, with what the op's author wrote about it.
    return f"its rule is code not written out here; {row.name}: {row.doc}"
