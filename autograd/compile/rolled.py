"""Loop rolling as a pass: a tape in, the same tape with its runs as loops out.

`roll` finds the runs of copies (`loops.Runs`) and makes each a `Loop`: one
copy as a template block of equations, named as the generated code names
them (``t0_3``), reading what changes from copy to copy by name: a constant
(``k0_1``), a leaf of each copy's own (``x0_0``), a value carried from the
previous copy (``xc0_2``). The result, `Rolled`, prints: the equations
outside the loops as on the tape, each loop as its template.
"""

from __future__ import annotations

import itertools
from typing import final

from autograd.compile.loops import Run, Runs, operands
from autograd.compile.tape import (
    STOP_GRADIENT,
    Equation,
    Operand,
    Tape,
    equation_line,
    guard_line,
)
from autograd.core import Value

__all__ = ["Loop", "NotRollableError", "Rolled", "pinned", "roll", "straight"]


class NotRollableError(Exception):
    """The loops of a rolled tape do not replay exactly: lower it `straight`."""


def pinned(tape: Tape) -> set[Operand]:
    """What the code must keep in a variable: the output, the guards' operands."""
    kept: set[Operand] = {tape.out}
    for a, _, b, _ in tape.guards:
        kept.add(a)
        if isinstance(b, Value | Equation):
            kept.add(b)
    return kept


@final
class Loop:
    """One run of copies as a loop: a template block, and what changes per copy.

    The template is the first copy, reading each carried value from a
    stand-in equation (named like the loop's variable), not from what the
    first copy reads; that goes in `run.init`.
    """

    def __init__(
        self,
        equations: list[Equation],
        r: int,
        run: Run,
        names: dict[Operand, str],
        made: dict[Equation, int] | None,
    ) -> None:
        self.r, self.run, self.nodes = r, run, equations
        # The first and last equation of the run, numbered as on the tape.
        end = run.start + run.size * run.reps
        self.span = (
            (run.start, end - 1)
            if made is None
            else (
                min(map(made.__getitem__, equations[run.start : end])),
                max(map(made.__getitem__, equations[run.start : end])),
            )
        )
        self.carry = {t: Equation(STOP_GRADIENT, 0.0, None, False) for t in run.init}
        self.template: list[Equation] = []
        block = equations[run.start : run.start + run.size]
        first = {v: t for t, v in enumerate(block)}
        for t, v in enumerate(block):
            reads: list[Operand] = []
            for slot, p in enumerate(operands(v)):
                if (t, slot) in run.carried:
                    reads.append(self.carry[run.carried[t, slot]])
                elif isinstance(p, Equation):
                    reads.append(self.template[first[p]])
                else:
                    reads.append(p)
            second = reads[1] if len(reads) == 2 else None
            self.template.append(Equation(v._row, reads[0], second, v.stop))
        self.position = {v: t for t, v in enumerate(self.template)}
        self.local: dict[Operand, str] = {
            v: f"t{r}_{t}" for t, v in enumerate(self.template)
        }
        self.local.update({e: f"xc{r}_{t}" for t, e in self.carry.items()})
        self.varying = {key: f"k{r}_{n}" for n, key in enumerate(run.varying)}
        self.exported = sorted(run.exported)
        self.private = {p: f"x{r}_{g}" for g, p in enumerate(run.private)}
        for t in self.exported:
            if t in run.init:
                # Read after the loop: the last copy's, copied out of the
                # carried variable, which the backward loop binds again.
                names[run.node(equations, run.reps - 1, t)] = f"xe{r}_{t}"
                continue
            for copy in range(run.reps):
                names[run.node(equations, copy, t)] = f"o{r}_{t}[{copy}]"
        self.listed = [t for t in self.exported if t not in run.init]
        # The leaves the loop's backward adds to, in the order it first does.
        found: dict[Value, None] = {}
        for t in run.visits:
            for p in operands(self.template[t]):
                if isinstance(p, Value):
                    found[p] = None
        self.leaves = list(found)
        # Those all copies read (the others are each copy's own).
        self.shared_leaves = [p for p in self.leaves if p not in self.private]

    def lines(self, name: dict[Operand, str]) -> list[str]:
        """The loop as printed: what changes per copy, then the template."""
        run, r = self.run, self.r
        first, last = self.span
        lines = [f"  loop {r}: {run.reps} copies of e{first}..e{last}"]
        for t, p in run.init.items():
            start = name.get(p) or repr(p)
            lines.append(f"    xc{r}_{t} = {start}, then t{r}_{t} of the copy before")
        per_copy = [
            f"{x} in {_some([name.get(p) or repr(p) for p in run.private[q][1]])}"
            for q, x in self.private.items()
        ]
        per_copy += [
            f"{k} in {_some([repr(c) for c in run.varying[key]])}"
            for key, k in self.varying.items()
        ]
        if per_copy:
            lines.append(f"    per copy: {'; '.join(per_copy)}")

        def local(p: Operand) -> str:
            found = self.local.get(p) or self.private.get(p)  # type: ignore[arg-type]
            return found if found is not None else name.get(p) or repr(p)

        for t, v in enumerate(self.template):
            shown = [
                self.varying.get((t, slot)) or local(p)
                for slot, p in enumerate(operands(v))
            ]
            lines.append("  " + equation_line(local(v), v, shown))
        exported = [f"o{r}_{t}" for t in self.listed]
        exported += [f"xe{r}_{t}" for t in self.exported if t in run.init]
        if exported:
            lines.append(f"    out: {', '.join(exported)}")
        return lines


@final
class Rolled:
    """A tape whose runs of copies are loops: what the adjoint and lowering read.

    `segments[k]` are the equations outside the loops before loop k (the
    last one after every loop), in the order made; `visited[k]` those that
    backward visits before loop k's stretch (after the last loop's, the
    last), in eager's order. `order` gives the loops in backward's order.
    """

    def __init__(self, tape: Tape, runs: Runs | None) -> None:
        self.tape = tape
        # The tape's names of what is outside the loops (the equations in
        # the loops are named by their loop).
        self.names = tape.names(everything=runs is None)
        # The equations in the order the passes after this one take them: as
        # made, or as `backward_made` orders them; numbered as made.
        self.equations = runs.nodes if runs is not None else tape.equations
        made = None
        if self.equations is not tape.equations:
            made = {v: k for k, v in enumerate(tape.equations)}
        if runs is not None:
            number = made or runs.index
            for segment in runs.rest:
                self.names.update((v, f"e{number[v]}") for v in segment)
        found = runs.found if runs is not None else []
        self.loops = [
            Loop(self.equations, r, run, self.names, made)
            for r, run in enumerate(found)
        ]
        self.segments = runs.rest if runs is not None else [tape.equations]
        self.visited = runs.rest_visited if runs is not None else [tape.visited]
        self.order = runs.backward_order if runs is not None else []

    def __str__(self) -> str:
        tape, names = self.tape, self.names

        def name(p: object) -> str:
            return names.get(p) or repr(float(p))  # type: ignore[call-overload, arg-type]

        lines = [tape.header(names, "rolled")]
        for k, segment in enumerate(self.segments):
            for v in segment:
                lines.append(equation_line(names[v], v, list(map(name, v.operands))))
            if k < len(self.loops):
                lines += self.loops[k].lines(names)
        lines += [guard_line(guard, name) for guard in tape.guards]
        lines.append(f"  return {name(tape.out)}")
        return "\n".join(lines)

    __repr__ = __str__


def _some(items: list[str]) -> str:
    """The first few of a per-copy column, as printed."""
    shown = ", ".join(items[:3])
    return f"({shown}, ...)" if len(items) > 3 else f"({shown})"


def roll(tape: Tape) -> Rolled:
    """`tape` with its runs of copies as loops (none if no run can loop).

    The runs are looked for in the order of `backward_made`, then, if that
    differs and leaves many out, in the order the equations were made.
    """
    kept, order = pinned(tape), backward_made(tape)
    runs = Runs(order, kept, tape.visited)
    if order != tape.equations and _covered(runs) < 0.9 * len(order):
        made = Runs(tape.equations, kept, tape.visited)
        if _covered(made) >= _covered(runs):
            runs = made
    return Rolled(tape, runs if runs.found else None)


def _covered(runs: Runs) -> int:
    return sum(run.size * run.reps for run in runs.found)


def backward_made(tape: Tape) -> list[Equation]:
    """The equations in the reverse of eager backward's order, the rest as made.

    Each equation still comes after what it reads (backward visits an
    equation after all that read it), and all copies of a block read by
    another run of copies in the same order become one block:
    ``preds = [model(x) for x in X]`` then a running total over `preds`
    are ordered as ``sum(loss(model(x)) for x in X)`` is made. An equation
    is computed from its operands alone, so any such order gives the same
    values to the last bit.
    """
    if len(tape.visited) == len(tape.equations):
        return tape.visited[::-1]  # backward visited every equation
    order: list[Equation] = []
    placed: set[Equation] = set()
    for v in itertools.chain(reversed(tape.visited), tape.equations):
        if v in placed:
            continue
        pending = [v]
        while pending:
            u = pending[-1]
            unplaced = [
                p for p in (u._p0, u._p1) if p.__class__ is Equation and p not in placed
            ]
            if unplaced:
                pending += unplaced
                continue
            pending.pop()
            if u not in placed:
                placed.add(u)
                order.append(u)
    return order


def straight(tape: Tape) -> Rolled:
    """`tape` as straight-line code, with no loops."""
    return Rolled(tape, None)
