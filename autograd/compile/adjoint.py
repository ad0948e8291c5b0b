"""The adjoint pass: backward as statements, in the order eager backward took.

Each equation eager backward visited gets its adjoint, d(out)/d(equation),
as an expression over the forward pass's names (``e3``, ``c0``) and the
adjoint's own (``g1``): the local derivatives inlined from the op's row
(a user's rule's, computed and checked in the forward pass, is read from
``d_e3``), times the adjoint flowing in, contributions added up in eager's
order. What reaches a leaf is added to its gradient last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final, Protocol, final

from autograd import _codegen
from autograd.compile.loops import operands
from autograd.compile.rolled import NotRollableError, Rolled
from autograd.compile.tape import Equation, Operand
from autograd.core import Value
from autograd.ops import OPS

__all__ = [
    "MAX_NESTING",
    "Adjoint",
    "Forward",
    "LoopBackward",
    "eager_sum",
    "partials_variable",
    "takes_gradient",
]

# Bounds on generated expressions: CPython's parser allows 200 nested
# parentheses, and its compiler recurses once per level.
MAX_NESTING: Final = 50
MAX_TERMS: Final = 100


def eager_sum(total: str) -> str:
    """Eager's adjoint from a sum of contributions: eager starts each at 0.0.

    0.0 + x is x, except that -0.0 becomes 0.0; a sum that starts at 0.0
    never is -0.0, and differs from one that does not only in that sign.
    """
    return f"0.0 + {total}" if total.isidentifier() else f"0.0 + ({total})"


def takes_gradient(p: Operand) -> bool:
    """True if backward passes a share of an adjoint on to `p`."""
    return not isinstance(p, float) and not (isinstance(p, Equation) and p.stop)


def partials_variable(name: str) -> str:
    """The variable holding the checked partials of a user's rule at `name`."""
    return f"d_{name}"


class Forward(Protocol):
    """What the adjoint reads of the lowered forward pass (`codegen.Lowering`)."""

    def name(self, p: Operand) -> str:
        """The expression holding p's value."""

    def holder(self, p: Value) -> str:
        """The expression for the leaf Value `p` itself."""

    def literal(self, v: Equation, slot: int, x: float) -> str:
        """A constant operand as written outside loops."""


class LoopBackward(Protocol):
    """What the adjoint asks of a lowered loop (`loopcode.LoopCode`)."""

    shared_leaves: list[Value]

    def backward(
        self,
        adjoint: dict[Operand, tuple[str, int]],
        accumulators: dict[Operand, str],
    ) -> list[str]:
        """The loop's backward statements, adding to `adjoint` and `accumulators`."""


@final
class Adjoint:
    """The statements of backward, made piece by piece (loops make theirs too).

    Variables are numbered across pieces (``g1``, ``g2``, ...).
    """

    def __init__(self) -> None:
        self._fresh = 0
        self.out = ""
        self.lines: list[str] = []
        """The statements of backward, once `of` has made them."""

    def __str__(self) -> str:
        return "\n".join([f"adjoint(of: {self.out})", *("  " + s for s in self.lines)])

    def of(
        self, rolled: Rolled, forward: Forward, loops: Sequence[LoopBackward]
    ) -> None:
        """Backward of `rolled`, after `forward` has written the forward pass.

        The equations outside the loops in the order eager visited them,
        each loop's stretch where eager took it; a leaf the loops add to gets
        an accumulator when the first of them comes. The gradients go out
        last, each adjoint started at 0.0 as eager starts it.
        """
        tape, name = rolled.tape, forward.name
        constant = forward.literal
        out = tape.out
        self.out = name(out)
        # An output made by detach() or under no_grad takes no gradient on.
        seeds = {} if isinstance(out, Equation) and out.stop else {out: ("1.0", 1)}
        # From its first loop on, every contribution to a leaf is added to its
        # accumulator, in eager's order.
        accumulators: dict[Operand, str] = {}
        body, adjoint = self.backward(
            rolled.visited[0], seeds, name, constant, accumulators
        )
        for k, r in enumerate(rolled.order):
            for leaf in loops[r].shared_leaves:
                if leaf not in accumulators:
                    accumulators[leaf] = f"a_{name(leaf)}"
                    before = adjoint.pop(leaf)[0] if leaf in adjoint else "-0.0"
                    body.append(f"{accumulators[leaf]} = {before}")  # -0.0 + x is x
            body += loops[r].backward(adjoint, accumulators)
            lines, adjoint = self.backward(
                rolled.visited[k + 1], adjoint, name, constant, accumulators
            )
            body += lines
        for p, (g, _) in adjoint.items():
            if not isinstance(p, Value):
                raise NotRollableError  # an adjoint no loop took
            body.append(f"{forward.holder(p)}._grad += {eager_sum(g)}")
        for p, total in accumulators.items():
            assert isinstance(p, Value)  # loops accumulate for leaves only
            body.append(f"{forward.holder(p)}._grad += {eager_sum(total)}")
        self.lines = body

    def backward(
        self,
        visited: list[Equation],
        seeds: dict[Operand, tuple[str, int]],
        name: Callable[[Operand], str],
        constant: Callable[[Equation, int, float], str],
        accumulators: dict[Operand, str],
    ) -> tuple[list[str], dict[Operand, tuple[str, int]]]:
        """Adjoints in the order eager backward made them, summed in the same order.

        An adjoint is an expression, written into a statement only when it is
        read more than once or grows long; a sum ``a + b + c`` is evaluated
        left to right, as eager adds contributions one by one.
        Variables are never reassigned, so a contribution that is another
        adjoint unchanged (a partial of 1.0) is just that adjoint's name.
        A contribution to a leaf with an accumulator is added to it at once;
        one to a stop-gradient equation is dropped, as eager drops what
        reaches a detached leaf.
        Returns the statements and the adjoints of the nodes not visited.
        """
        # Each adjoint: an expression, and a bound on its nesting and length.
        adjoint = dict(seeds)
        lines: list[str] = []

        def variable(expression: str) -> str:
            return self.variable(expression, lines)

        for v in visited:
            op = v._row
            g, depth = adjoint.pop(v)
            reads = operands(v)
            # The operands that take a share of the adjoint.
            takers = [takes_gradient(p) for p in reads]
            if sum(takers) > 1 or depth >= MAX_NESTING:
                g, depth = variable(g), 0  # read more than once: computed once
            elif not g.isidentifier():
                g = f"({g})"
            args = [
                constant(v, slot, p) if isinstance(p, float) else name(p)
                for slot, p in enumerate(reads)
            ]
            partials = (
                _codegen.partials_source(op, args, name(v))
                if OPS.get(op.name) is op
                else partials_variable(name(v))  # computed, checked in the forward
            )
            if isinstance(partials, str):
                partials = variable(partials)
                partials = tuple(f"{partials}[{i}]" for i in range(op.arity))
            for p, d, taker in zip(reads, partials, takers, strict=True):
                if not taker:
                    continue
                # x * 1.0 is x exactly (for every float, even nan and -0.0).
                c = g if d == "1.0" and g != "1.0" else f"({d}) * {g}"
                self.contribute(adjoint, accumulators, p, (c, depth + 1), lines)
        return lines, adjoint

    def contribute(
        self,
        adjoint: dict[Operand, tuple[str, int]],
        accumulators: dict[Operand, str],
        p: Operand,
        c: tuple[str, int],
        lines: list[str],
    ) -> None:
        """Add the contribution `c` (an expression, its depth) to p's adjoint."""
        total = accumulators.get(p)
        if total is not None:
            lines.append(f"{total} = {total} + {c[0]}")
        elif p not in adjoint:
            adjoint[p] = c
        else:
            # A sum gets a statement of its own when read (it is read more
            # than once or is long): its depth then no longer adds up.
            before, size = adjoint[p]
            if size >= MAX_TERMS:
                before, size = self.variable(before, lines), 1
            adjoint[p] = (f"{before} + {c[0]}", max(size, c[1]) + 1)

    def variable(self, expression: str, lines: list[str]) -> str:
        """A name for the value of `expression`: a statement, unless it is one."""
        if expression.isidentifier() or expression == "1.0":
            return expression
        self._fresh += 1
        lines.append(f"g{self._fresh} = {expression}")
        return f"g{self._fresh}"
