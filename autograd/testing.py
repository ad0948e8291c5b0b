"""Hypothesis strategies for random expression graphs; one-line gradient property tests.

Needs the `hypothesis` extra (``pip install "scalargrad[hypothesis]"``);
``import autograd`` alone never imports Hypothesis.

Test your own function against finite differences at many random points:

>>> import autograd
>>> from autograd.testing import check_gradients
>>> check_gradients(lambda x, y: autograd.tanh(x * y) + x**2, 2, domain=(-2.0, 2.0))

Or generate random expressions over the op table and check them yourself:

>>> from hypothesis import given
>>> from autograd import gradcheck
>>> from autograd.testing import graphs
>>> @given(graphs(ops=["mul", "sin", "exp"]))
... def test_my_engine(graph):
...     expression, leaves = graph
...     assert gradcheck(expression, *leaves)
>>> test_my_engine()
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

try:
    from hypothesis import assume, given
    from hypothesis import strategies as st
except ModuleNotFoundError as missing:
    if missing.name != "hypothesis":
        raise
    raise ModuleNotFoundError(  # an ImportError that names the extra to install
        "autograd.testing needs Hypothesis: pip install 'scalargrad[hypothesis]'",
        name="hypothesis",
    ) from missing

from autograd import core
from autograd.check import gradcheck
from autograd.core import Value, sigmoid
from autograd.ops import OPS, Op
from autograd.primitive import Primitive

__all__ = [
    "Expression",
    "Instruction",
    "apply",
    "check_gradients",
    "expressions",
    "graphs",
]


OpLike = str | Op | Primitive
"""An op: a table row's name, a row (`autograd.ops.Op`) or a user `Primitive`."""


def _as_row(op: OpLike) -> Op:
    """The row of `op`; a name must be a row of the op table."""
    if isinstance(op, Primitive):
        return op.row
    if isinstance(op, Op):
        return op
    if op not in OPS:
        raise ValueError(f"unknown op {op!r}; the table has {', '.join(OPS)}")
    return OPS[op]


def apply(op: OpLike, *operands: Value | float) -> Value | float:
    """Apply an op (a table row's name, a row or a primitive) to Values or numbers.

    Values in record the node; plain numbers in give a float.

    >>> apply("mul", 3.0, 4.0)
    12.0
    """
    row = _as_row(op)
    if len(operands) != row.arity:
        raise TypeError(
            f"apply: {row.name} takes {row.arity} operand(s), got {len(operands)}"
        )
    if not any(isinstance(x, Value) for x in operands):
        return row.forward(*(float(x) for x in operands))
    return core.apply(row, operands)


def _number(x: Value | float) -> float:
    return x._data if isinstance(x, Value) else x


def _squash(v: Value | float, interval: tuple[float, float]) -> Value | float:
    """Map any real smoothly into `interval`, with slope 1 at its middle.

    lo + w * sigmoid(4 (v - c) / w) has slope 1 at the centre c, so chains
    neither shrink nor blow up gradients there; adding a non-negative number
    to `lo` cannot round below `lo`, so the op's domain is never left.
    """
    lo, hi = interval
    c, w = (lo + hi) / 2.0, hi - lo
    return lo + w * sigmoid(4.0 * (v - c) / w)


@dataclass(frozen=True)
class Instruction:
    """One step of an `Expression`: an op applied to earlier results.

    `op` names a row of the op table, or is a row itself (a user primitive's).

    Each operand is an int, picking an earlier result (0 the latest, 1 the one
    before, counting back over the leaves and wrapping around), or a float, a
    constant (``2 ** x``, ``1 / x``, ``x * 0.5``).
    """

    op: str | Op
    operands: tuple[int | float, ...]

    @property
    def row(self) -> Op:
        """The op's row."""
        return _as_row(self.op)


@dataclass(frozen=True)
class Expression:
    """A straight-line program over `n_leaves` inputs; calling it evaluates it.

    Every result can be used by several later steps, so the graph has shared
    subexpressions. Before an op sees an earlier result, the result is
    squashed smoothly into the op's `sample` interval, so any inputs keep
    every op inside its domain and away from overflow.
    """

    n_leaves: int
    instructions: tuple[Instruction, ...]

    def __call__(self, *leaves: Value | float) -> Value | float:
        """The value of the last instruction, as a Value if any leaf is one."""
        return self._run(leaves)[0]

    def kink_distance(self, *leaves: Value | float) -> float:
        """How close any op's operands come to one of that op's kinks."""
        seen = self._run(leaves)[1]
        return min(
            (row.kink_distance(*map(_number, xs)) for row, xs in seen),
            default=math.inf,
        )

    def _run(
        self, leaves: Sequence[Value | float]
    ) -> tuple[Value | float, list[tuple[Op, list[Value | float]]]]:
        if len(leaves) != self.n_leaves:
            raise TypeError(
                f"Expression: takes {self.n_leaves} leaves, got {len(leaves)}"
            )
        results = list(leaves)
        seen = []
        for step in self.instructions:
            row = step.row
            operands = [
                x
                if isinstance(x, float)
                else _squash(results[-1 - x % len(results)], row.sample[k])
                for k, x in enumerate(step.operands)
            ]
            seen.append((row, operands))
            results.append(apply(row, *operands))
        return results[-1], seen

    def __str__(self) -> str:
        names = [f"x{i}" for i in range(self.n_leaves)]
        lines = [f"Expression of {', '.join(names)}:"]
        for step in self.instructions:
            args = ", ".join(
                repr(x) if isinstance(x, float) else names[-1 - x % len(names)]
                for x in step.operands
            )
            names.append(f"v{len(names) - self.n_leaves}")
            lines.append(f"  {names[-1]} = {step.row.name}({args})")
        return "\n".join(lines)


def _rows(ops: Iterable[OpLike] | None) -> list[Op]:
    if ops is None:
        return list(OPS.values())
    rows = [_as_row(op) for op in ops]
    if not rows:
        raise ValueError("give at least one op")
    return rows


def _instructions(row: Op) -> st.SearchStrategy[Instruction]:
    # Operand 0 of an earlier result makes chains; larger ones share nodes.
    # Hypothesis shrinks ints to 0, so failures shrink towards plain chains.
    earlier = st.one_of(st.just(0), st.integers(0, 64))
    operands = st.tuples(
        *[st.one_of(earlier, st.floats(lo, hi)) for lo, hi in row.sample]
    ).filter(lambda xs: not all(isinstance(x, float) for x in xs))  # not constant
    # A table row by name, so that printed examples read ``Instruction("exp", ...)``.
    op = row.name if OPS.get(row.name) is row else row
    return st.builds(Instruction, st.just(op), operands)


def expressions(
    ops: Iterable[OpLike] | None = None, *, max_leaves: int = 3, max_length: int = 12
) -> st.SearchStrategy[Expression]:
    """Random `Expression`s over `ops`: table rows by name, or your primitives.

    By default every row of the op table. A `Primitive` (or its row) takes
    its operands from its `sample` intervals and stays off its `kinks`.

    Raise `max_length` for deep chains; failures shrink to the fewest, simplest
    instructions (earlier ops of the table, chains rather than sharing).
    """
    rows = _rows(ops)
    return st.builds(
        Expression,
        st.integers(1, max_leaves),
        st.lists(
            st.one_of(*map(_instructions, rows)), min_size=1, max_size=max_length
        ).map(tuple),
    )


@st.composite
def _graphs(
    draw: st.DrawFn, shapes: st.SearchStrategy[Expression], margin: float
) -> tuple[Expression, tuple[float, ...]]:
    expression = draw(shapes)
    leaves = draw(st.tuples(*[st.floats(-3.0, 3.0)] * expression.n_leaves))
    # Finite differences across a kink measure a jump, not a derivative.
    assume(expression.kink_distance(*leaves) > margin)
    return expression, leaves


def graphs(
    ops: Iterable[OpLike] | None = None,
    *,
    max_leaves: int = 3,
    max_length: int = 12,
    margin: float = 1e-3,
) -> st.SearchStrategy[tuple[Expression, tuple[float, ...]]]:
    """Random ``(expression, leaves)``, kinked ops at least `margin` off their kinks."""
    shapes = expressions(ops, max_leaves=max_leaves, max_length=max_length)
    return _graphs(shapes, margin)


def check_gradients(
    f: Callable[..., Any],
    n_args: int = 1,
    *,
    domain: tuple[float, float] | Sequence[tuple[float, float]] = (-3.0, 3.0),
    order: int = 1,
    **tolerances: float,
) -> None:
    """Property-test `f`'s derivatives against central differences at random points.

    `domain` is one interval for every argument or one per argument;
    `tolerances` (eps, atol, rtol) go to `gradcheck`. Runs under the active
    Hypothesis settings profile and raises with a minimal failing point.
    """
    if isinstance(domain[0], tuple):
        intervals = list(cast("Sequence[tuple[float, float]]", domain))
    else:
        intervals = [cast("tuple[float, float]", domain)] * n_args
    points = st.tuples(*[st.floats(lo, hi) for lo, hi in intervals])

    @given(points)
    def derivatives_match_finite_differences(point: tuple[float, ...]) -> None:
        gradcheck(f, *point, order=order, **tolerances)

    derivatives_match_finite_differences()
