"""Lowering: the rolled tape as one Python function, forward then backward.

The function performs the same float operations in the same order as the
eager run (each op's math inlined from its row of the op table, gradients
added up in the order eager backward took, see `adjoint`), so values and
gradients are identical to the last bit. Each loop of the rolled tape
becomes a loop forward and one backward (`loopcode`); everything else is
straight-line. Values keep the rolled tape's names.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, final

from autograd import _codegen
from autograd._inputs import checked_partials
from autograd.compile.adjoint import MAX_NESTING, Adjoint, partials_variable
from autograd.compile.loopcode import LoopCode, indent
from autograd.compile.loops import operands
from autograd.compile.rolled import NotRollableError, Rolled, pinned
from autograd.compile.soundness import engine_checks
from autograd.compile.tape import STOP_GRADIENT, Equation, Operand
from autograd.core import Value
from autograd.ops import OPS, Op

__all__ = ["Code", "Lowering", "NotRollableError", "lower"]


def _consumers(nodes: list[Equation]) -> dict[Equation, list[tuple[Equation, int]]]:
    """For each equation, the equations of `nodes` reading it, and in which slot."""
    consumers: dict[Equation, list[tuple[Equation, int]]] = {}
    for v in nodes:
        for i, p in enumerate(operands(v)):
            if isinstance(p, Equation):
                consumers.setdefault(p, []).append((v, i))
    return consumers


@final
class Lowering:
    """The replay function: forward, checks, guards, backward, gradients out.

    Statements are built without indentation; loop bodies are indented
    when they are put in place.
    """

    def __init__(self, rolled: Rolled) -> None:
        tape = self.tape = rolled.tape
        found = [loop.run for loop in rolled.loops]
        rest = rolled.segments
        self.input_index = {v: i for i, v in enumerate(tape.inputs)}
        # The names of the rolled tape: e3 is equation 3, c0 leaf 0, i0 input 0.
        self.names = rolled.names
        everything = [v for segment in rest for v in segment]
        # The leaves as the replay's `captured` list: c0 is captured[0].
        self.captured: list[Value] = list(tape.leaves)
        self.read: list[str] = []  # the leaves read by name, c0, c1, ...
        self.reading: set[str] = set()
        self.reached: list[Value] = []  # leaves read through a loop's table
        self.tables: dict[str, Any] = {}
        self.adjoint = Adjoint()
        body: list[str] = ["chk = 0.0"] if found else []
        loops = [LoopCode(self, loop) for loop in rolled.loops]
        constant = self.literal
        # Kept in variables: what loops start their carried values from, too.
        keep = pinned(tape)
        keep.update(p for run in found for p in run.init.values())
        consumers = _consumers(everything)
        stored: list[str] = []
        for k, segment in enumerate(rest):
            lines, checked = self._forward(
                segment, self.name, constant, keep, consumers
            )
            body += lines
            stored += checked
            if k < len(loops):
                body += loops[k].forward()
        # Eager raises on the first non-finite result. Every one here reaches a
        # checked value through ops like + (see `_forward`), so it makes this
        # sum non-finite (as, rarely, a finite sum that overflows does), and
        # the caller then runs eagerly, which raises exactly as eager does.
        if stored or found:
            total = f"sum(({', '.join(stored)},))" if stored else "0.0"
            body.append(f"s = {'chk + ' if found else ''}{total}")
            body += ["if s - s != 0.0:", "    return None"]
        for a, symbol, b, result in tape.guards:
            right = self.name(b) if isinstance(b, Value | Equation) else repr(float(b))  # type: ignore[arg-type]
            test = f"{self.name(a)} {symbol} {right}"
            body += [f"if {'not ' if result else ''}({test}):", "    return None"]
        self.adjoint.of(rolled, self, loops)
        body += self.adjoint.lines
        body.append(f"return {self.name(tape.out)}")
        head = ["def replay(inputs, captured):"]
        for name in self.read:
            holder = "inputs" if name[0] == "i" else "captured"
            head.append(f"    {name} = {holder}[{name[1:]}]._data")
        self.text = "\n".join(head + indent(body)) + "\n"

    def name(self, p: Operand) -> str:
        """The expression holding p's value; a leaf read first is read here."""
        name = self.names.get(p)
        if name is None:  # a leaf the tape does not list: one more captured
            assert isinstance(p, Value)  # equations are named before use
            name = self.names[p] = f"c{len(self.captured)}"
            self.captured.append(p)
        if isinstance(p, Value) and name not in self.reading:
            self.reading.add(name)
            self.read.append(name)
        return name

    def holder(self, p: Value) -> str:
        """The expression for the leaf Value `p` itself (its value is `name(p)`)."""
        name = self.names.get(p) or self.name(p)
        return f"{'inputs' if name[0] == 'i' else 'captured'}[{name[1:]}]"

    def row(self, op: Op) -> str:
        """The global naming the row `op` in the replay (a user's row)."""
        name = f"_cg_row_{op.name}"
        while self.tables.get(name, op) is not op:
            name += "_"
        self.tables[name] = op
        return name

    @staticmethod
    def literal(v: Equation, slot: int, x: float) -> str:
        """A constant operand as written outside loops: its literal."""
        return repr(x)

    def _forward(
        self,
        nodes: list[Equation],
        name: Callable[[Operand], str],
        constant: Callable[[Equation, int, float], str],
        pinned: set[Operand],
        consumers: dict[Equation, list[tuple[Equation, int]]] | None = None,
    ) -> tuple[list[str], list[str]]:
        """Each node's value; a node used once only inside its consumer's expression.

        That saves a statement (CPython compiles about one statement per 10
        us), and is safe when nothing else needs the value: backward reads no
        such operand, no guard compares it, and the consumer is an operator
        whose result is non-finite whenever an operand is (+, -, *, unary -),
        so a non-finite value still shows in a stored one.
        Every equation is computed, used or not: its errors are eager's.
        `consumers` covers more nodes than `nodes` when the code for those
        comes in pieces: a value is inlined only into a consumer of this piece.
        Returns the statements and the names of the stored values that the
        overflow check must look at.
        """
        members = None if consumers is None else set(nodes)
        if consumers is None:
            consumers = _consumers(nodes)
        inlined: dict[Equation, tuple[str, int]] = {}  # expression, nesting depth
        lines: list[str] = []
        stored: list[str] = []
        for v in nodes:
            op = v._row
            args, depth = [], 0
            for slot, p in enumerate(operands(v)):
                if isinstance(p, float):
                    args.append(constant(v, slot, p))
                elif p in inlined:
                    expression, d = inlined.pop(p)
                    args.append(f"({expression})")
                    depth = max(depth, d)
                else:
                    args.append(name(p))
            for condition in engine_checks(
                op, args, [isinstance(p, float) for p in operands(v)]
            ):
                lines += [f"if {condition}:", "    return None"]
            # A stop-gradient passes its operand's value on unchanged.
            expression = (
                args[0]
                if op is STOP_GRADIENT
                else _codegen.forward_source(op, args, checked=False)
            )
            uses = consumers.get(v, [])
            if op is not STOP_GRADIENT and OPS.get(op.name) is not op and not v.stop:
                # Eager runs a user's rule as it makes the node, and checks what
                # it returns; so does the replay, with the same function.
                lines.append(f"{name(v)} = {expression}")
                call = _codegen.partials_source(op, args, name(v))
                lines.append(
                    f"{partials_variable(name(v))} = _cg_checked({self.row(op)}, "
                    f"({', '.join(args)},), {call})"
                )
                if not any(_codegen.propagates_nonfinite(c._row) for c, _ in uses):
                    stored.append(name(v))
                continue
            if (
                len(uses) == 1
                and not v.stop
                and v not in pinned
                and (members is None or uses[0][0] in members)
                and depth < MAX_NESTING
                and not _codegen.partial_reads(op)[1]
                and _codegen.propagates_nonfinite(uses[0][0]._row)
                and uses[0][1] not in _codegen.partial_reads(uses[0][0]._row)[0]
            ):
                inlined[v] = (expression, depth + 1)
            else:
                lines.append(f"{name(v)} = {expression}")
                # A non-finite value makes a consumer like + non-finite too,
                # so only values with no such consumer need checking.
                if not any(_codegen.propagates_nonfinite(c._row) for c, _ in uses):
                    stored.append(name(v))
        return lines, stored


@final
class Code:
    """What `lower` makes: the source, the function, and the leaves it reads."""

    def __init__(self, lowering: Lowering) -> None:
        self.text = text = lowering.text
        self.captured = lowering.captured
        self.leaves = lowering.captured + lowering.reached
        """Every leaf the replay reads besides its arguments."""
        self.adjoint = str(lowering.adjoint)
        """The backward statements of `text`, as the adjoint pass made them."""
        namespace: dict[str, Any] = {**_codegen.NAMESPACE, **lowering.tables}
        namespace["_cg_checked"] = checked_partials
        exec(builtins.compile(text, "<autograd.compile>", "exec"), namespace)
        self.function: Callable[[list[Value], list[Value]], float | None]
        self.function = namespace["replay"]


def lower(rolled: Rolled) -> Code:
    """The replay function of `rolled`: forward, checks, guards, adjoint, gradients.

    Raises `NotRollableError` if its loops do not replay as loops.
    """
    return Code(Lowering(rolled))
