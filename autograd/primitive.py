"""User-defined primitives: your own op, one row like the table's.

A float function and its derivative rule become an op that works on plain
numbers and on Values, differentiates to any order (the rule is written once
and runs on floats or Values), compiles, draws in `autograd.viz` under its
name, and is checked by `gradcheck` and the `autograd.testing` strategies:

>>> import math, autograd
>>> @autograd.primitive(derivative=lambda m, x, out: (1.0 / (1.0 + x * x),))
... def atan(x: float) -> float:
...     return math.atan(x)
>>> atan(1.0)
0.7853981633974483
>>> x = autograd.Value(1.0)
>>> atan(x).backward()
>>> x.grad
0.5
>>> autograd.grad(autograd.grad(atan))(1.0)
-0.5

The rule is called ``derivative(m, *operands, out)`` and returns one local
derivative per operand. Under ``backward(create_graph=True)`` (and so in
`grad` of `grad`) it is called with Values and the Value versions of `m`'s
functions, so it may use only arithmetic, comparisons (``<``, ``>``: ``==``
on a Value is identity) and the functions of `m` (`exp`, `log`, `sin`,
`cos`, `sigmoid`, `erf`, `pow`) or other primitives (they take floats and
Values alike), never `math` directly.
"""

from __future__ import annotations

import inspect
import keyword
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, overload

from autograd import core
from autograd._create_graph import VALUE_MATH
from autograd._inputs import checked_partials, on_floats
from autograd.ops import FLOAT_MATH, OPS, Derivative, Op

__all__ = ["Primitive", "primitive"]

# Every primitive made, by its row (by id: rows hash by value). Names need
# not be unique: every consumer of a node reads its row, not its name.
_BY_ROW: dict[int, Primitive] = {}


class Primitive:
    """A user-defined op: call it on numbers (a float out) or Values (a node out).

    Its `row` is an `autograd.ops.Op`, read by every consumer of a node as a
    table row is. It pickles by reference to its module-level name.
    """

    def __init__(self, function: Callable[..., float], row: Op) -> None:
        self.row = row
        self.__wrapped__ = function
        self.__name__ = row.name
        self.__qualname__: str = getattr(function, "__qualname__", row.name)
        self.__module__ = getattr(function, "__module__", None) or "__main__"
        self.__doc__ = row.doc

    @overload
    def __call__(self, x: core.Value, /) -> core.Value: ...
    @overload
    def __call__(self, x: float, /) -> float: ...
    @overload
    def __call__(self, x: core.Value, y: core.Value | float, /) -> core.Value: ...
    @overload
    def __call__(self, x: float, y: core.Value, /) -> core.Value: ...
    @overload
    def __call__(self, x: float, y: float, /) -> float: ...
    def __call__(self, *operands: core.Value | float) -> core.Value | float:
        """The op on Values (recording a node) or on plain numbers (a float)."""
        row = self.row
        if len(operands) != row.arity:
            raise TypeError(
                f"{row.name}: takes {row.arity} operand(s), got {len(operands)}"
            )
        if any(isinstance(x, core.Value) for x in operands):
            return core.apply(row, operands)
        return on_floats(row, *operands)

    def __repr__(self) -> str:
        return f"<autograd primitive {self.row.name} of arity {self.row.arity}>"

    def __reduce__(self) -> str:
        # A plain string: pickle stores a reference to the module-level name.
        return self.__qualname__


def _float_forward(name: str, function: Callable[..., Any]) -> Callable[..., float]:
    """`function` with its result made a float (an int or NumPy float is converted)."""

    def forward(*operands: float) -> float:
        out = function(*operands)
        if type(out) is float:
            return out
        if isinstance(out, bool) or not isinstance(out, numbers.Real):
            raise TypeError(
                f"{name}: the forward function must return a real number, "
                f"got {type(out).__name__}"
            )
        try:
            return float(out)
        except OverflowError:
            raise OverflowError(
                f"{name}: result {type(out).__name__} is too large for a float"
            ) from None

    return forward


def _positional_arity(function: Callable[..., Any]) -> int | None:
    """How many operands `function` takes (None if its signature cannot say)."""
    try:
        params = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        for p in params
    )


def _accepts(function: Callable[..., Any], n: int) -> bool:
    """Whether `function` can be called with `n` positional arguments."""
    try:
        inspect.signature(function).bind(*range(n))
    except TypeError:
        return False
    except ValueError:  # no signature: we cannot tell, the probe will
        return True
    return True


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(
            f"primitive: the name must be a Python identifier, got {name!r} "
            "(pass name=...)"
        )
    if name in OPS:
        raise ValueError(
            f"primitive: {name!r} is already a row of the op table "
            f"({OPS[name].doc}); pass name=... to choose another name"
        )
    return name


def _check_sample(
    sample: Sequence[tuple[float, float]] | None, arity: int, name: str
) -> tuple[tuple[float, float], ...]:
    if sample is None:
        return ((-2.0, 2.0),) * arity
    intervals = tuple((float(lo), float(hi)) for lo, hi in sample)
    if len(intervals) != arity or not all(
        math.isfinite(lo) and math.isfinite(hi) and lo < hi for lo, hi in intervals
    ):
        raise ValueError(
            f"primitive {name}: sample must be {arity} finite interval(s) (lo, hi) "
            f"with lo < hi, one per operand, got {sample!r}"
        )
    return intervals


def _probe(row: Op) -> None:
    """Run the row once at the middle of its sample, on floats and on Values.

    A rule whose result has the wrong length, or that fails or disagrees on
    Values (as ``create_graph`` calls it), fails here, when it is defined.
    """
    point = tuple((lo + hi) / 2.0 for lo, hi in row.sample)
    where = f"primitive {row.name}: at the middle of its sample {point!r}"
    try:
        out = on_floats(row, *point)
    except (ArithmeticError, ValueError) as error:
        raise ValueError(
            f"{where}, the forward function fails ({error}); pass sample=... "
            "with intervals inside its domain"
        ) from error
    try:
        partials = row.derivative(FLOAT_MATH, *point, out)
    except (ArithmeticError, ValueError) as error:
        raise ValueError(
            f"{where}, the derivative rule fails ({error}); pass sample=... "
            "with intervals where it is defined"
        ) from error
    partials = checked_partials(row, point, partials)  # as every node's
    operands = tuple(core.Value(x) for x in point)
    try:
        on_values = row.derivative(VALUE_MATH, *operands, core.Value(out))
    except Exception as error:
        raise TypeError(
            f"{where}, the derivative rule fails on Values ({error!r}), as "
            "create_graph and grad-of-grad call it: use only arithmetic, "
            "comparisons and the functions of its first argument m"
        ) from error
    same = isinstance(on_values, tuple | list) and len(on_values) == row.arity
    for d, e in zip(partials, on_values if same else (), strict=False):
        f = e._data if isinstance(e, core.Value) else e
        same = same and math.isclose(float(f), float(d), rel_tol=1e-9, abs_tol=1e-300)
    if not same:
        raise ValueError(
            f"{where}, the derivative rule gives {on_values!r} on Values but "
            f"{partials!r} on floats: use only arithmetic, comparisons "
            "(not ==, which is identity on a Value) and the functions of m"
        )


def primitive(
    derivative: Derivative,
    *,
    name: str | None = None,
    sample: Sequence[tuple[float, float]] | None = None,
    kinks: Sequence[float] = (),
    symbol: str | None = None,
    doc: str | None = None,
) -> Callable[[Callable[..., float]], Primitive]:
    """Decorate a float function of 1 or 2 operands to make it an op (a `Primitive`).

    `derivative(m, *operands, out)` returns its local derivatives, one per
    operand, using only arithmetic, comparisons and `m`'s functions (it runs
    on floats and, for higher order, on Values). `sample` gives an interval
    per operand inside the domain where tests and `autograd.testing` draw
    operands (default (-2, 2)); `kinks` are points of the first operand where
    the derivative jumps. The row is checked once, at the middle of `sample`,
    when defined.
    """
    if not callable(derivative):
        raise TypeError(
            f"primitive: derivative must be a function (m, *operands, out) -> "
            f"tuple, got {type(derivative).__name__}"
        )

    def make(function: Callable[..., float]) -> Primitive:
        if not callable(function):
            raise TypeError(
                f"primitive: decorate a function, got {type(function).__name__}"
            )
        op_name = _check_name(
            name if name is not None else getattr(function, "__name__", None)
        )
        arity = _positional_arity(function)
        if arity not in (1, 2):
            raise TypeError(
                f"primitive {op_name}: the forward function must take 1 or 2 "
                f"operands without defaults (a node holds at most two), got "
                f"{'a signature that cannot tell' if arity is None else arity}"
            )
        if not _accepts(derivative, arity + 2):
            raise TypeError(
                f"primitive {op_name}: the derivative rule must take (m, "
                f"{', '.join(('x', 'y')[:arity])}, out): {arity + 2} arguments"
            )
        summary = (inspect.getdoc(function) or "").split("\n")[0]
        row = Op(
            name=op_name,
            arity=arity,
            forward=_float_forward(op_name, function),
            derivative=derivative,
            symbol=symbol if symbol is not None else op_name,
            doc=doc if doc is not None else summary or f"{op_name}, user-defined.",
            sample=_check_sample(sample, arity, op_name),
            kinks=tuple(float(k) for k in kinks),
        )
        _probe(row)
        made = Primitive(function, row)
        _BY_ROW[id(row)] = made
        return made

    return make


def _primitive_of(row: Op) -> Primitive | None:
    """The primitive whose row is `row` (None for a row it did not make)."""
    return _BY_ROW.get(id(row))
