"""Lowering a loop: the Python of one `Loop` of the rolled tape.

A loop forward computes each copy's values from a table of what changes
per copy; a loop backward takes the copies in eager's order, computes each
copy's values again (cheaper than keeping them) and then its adjoints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Final, Protocol, TypeAlias, final

from autograd import _codegen
from autograd.compile.adjoint import Adjoint, Forward, eager_sum, takes_gradient
from autograd.compile.loops import operands
from autograd.compile.rolled import Loop, NotRollableError
from autograd.compile.tape import Equation, Operand
from autograd.core import Value

__all__ = ["LoopCode", "Source", "indent"]


# (nodes, name, constant, pinned) -> (statements, the values to check)
StatementsOf: TypeAlias = Callable[
    [
        list[Equation],
        Callable[[Operand], str],
        Callable[[Equation, int, float], str],
        set[Operand],
    ],
    tuple[list[str], list[str]],
]


class Source(Forward, Protocol):
    """What a loop reads of, and adds to, the lowered function (`codegen.Lowering`)."""

    input_index: dict[Value, int]
    names: dict[Operand, str]
    tables: dict[str, Any]
    reached: list[Value]
    adjoint: Adjoint

    @property
    def _forward(self) -> StatementsOf:
        """Each node's value as statements, and the values to check."""


def indent(lines: list[str]) -> list[str]:
    """`lines` as a block's body."""
    return ["    " + line for line in lines]


def _loop(targets: list[str], iterables: list[str]) -> str:
    if len(iterables) == 1:
        return f"for {targets[0]} in {iterables[0]}:"
    return f"for {', '.join(targets)} in zip({', '.join(iterables)}):"


def _needed(values: list[str], then: list[str]) -> list[str]:
    """The statements of `values` whose variable `then` (or a kept one) reads.

    A loop's backward computes a copy's values again, but only those its
    adjoints read. Statements other than ``name = ...`` (checks) are kept.
    """
    reads = {w for line in then for w in _WORD.findall(line)}
    kept: list[str] = []
    for line in reversed(values):
        name, equals, _ = line.partition(" = ")
        if equals and name.isidentifier() and name not in reads:
            continue
        kept.append(line)
        reads.update(_WORD.findall(line))
    return kept[::-1]


_WORD: Final = re.compile(r"[A-Za-z_]\w*")


@final
class LoopCode:
    """The code of one run: a loop forward, and a loop backward that recomputes
    each copy's values (cheaper than keeping them) before its adjoints.

    A value carried from copy to copy (a running total) is a variable of the
    forward loop, started from what the first copy reads; its adjoint is a
    variable of the backward loop, which takes the copies last to first.
    """

    def __init__(self, source: Source, loop: Loop) -> None:
        self.source, self.r, self.run = source, loop.r, loop.run
        self.nodes = loop.nodes
        r, run = loop.r, loop.run
        self.carry, self.template = loop.carry, loop.template
        self.position, self.local = loop.position, loop.local
        self.varying, self.private = loop.varying, loop.private
        self.exported, self.listed = loop.exported, loop.listed
        self.leaves, self.shared_leaves = loop.leaves, loop.shared_leaves
        # Each copy's own leaves, when f reaches them all from inside: a table
        # of the Values made once, read in the loop (no per-call list of them).
        columns = [column for _, column in run.private.values()]
        self.static = bool(columns) and not any(
            p in source.input_index for column in columns for p in column
        )
        if self.static:
            rows = [tuple(c[copy] for c in columns) for copy in range(run.reps)]
            source.tables[f"_P{r}"] = rows
            source.tables[f"_PB{r}"] = [rows[copy] for copy in run.order]
            source.reached += [p for column in columns for p in column]
        if run.varying:
            table = list(zip(*run.varying.values(), strict=True))
            source.tables[f"_T{r}"] = table
            source.tables[f"_B{r}"] = [table[copy] for copy in run.order]
        self.columns = f"({', '.join(self.varying.values())},)"
        # A copy's values, as `forward` writes them; `backward` computes them
        # again. `checked`: those the overflow check looks at.
        self.values: list[str] = []
        self.checked: list[str] = []

    def _name(self, p: Operand) -> str:
        local = self.local.get(p) or self.private.get(p)  # type: ignore[arg-type]
        return local if local is not None else self.source.name(p)

    def _private_rows(self, copies: Iterable[int], name: Callable[[Any], str]) -> str:
        """A list display: per copy, a tuple of its own leaves, each as `name` gives."""
        columns = [column for _, column in self.run.private.values()]
        rows = (f"({', '.join(name(c[copy]) for c in columns)},)" for copy in copies)
        return f"[{', '.join(rows)}]"

    def _constant(self, v: Equation, slot: int, x: float) -> str:
        name = self.varying.get((self.position[v], slot))
        return name if name is not None else repr(x)

    def forward(self) -> list[str]:
        """Lists of the exported values, one entry per copy."""
        r, run = self.r, self.run
        lines = [f"o{r}_{t} = []" for t in self.listed]
        for t, p in run.init.items():
            start = repr(p) if isinstance(p, float) else self.source.name(p)
            lines += [f"xc{r}_{t} = {start}", f"ci{r}_{t} = []"]
        targets, iterables = [], []
        if run.varying:
            targets.append(self.columns)
            iterables.append(f"_T{r}")
        reads: list[str] = []
        if self.static:
            targets.append(f"({', '.join('v' + x for x in self.private.values())},)")
            iterables.append(f"_P{r}")
            reads = [f"{x} = v{x}._data" for x in self.private.values()]
        elif run.private:
            lines.append(
                f"p{r} = {self._private_rows(range(run.reps), self.source.name)}"
            )
            targets.append(f"({', '.join(self.private.values())},)")
            iterables.append(f"p{r}")
        if iterables:
            lines.append(_loop(targets, iterables))
        else:
            lines.append(f"for _ in range({run.reps}):")
        kept: set[Operand] = {self.template[t] for t in [*self.exported, *run.init]}
        values, self.checked = self.source._forward(
            self.template, self._name, self._constant, kept
        )
        self.values = reads + values
        after = []
        for t, e in self.carry.items():
            # A carried value read only by ops like + makes the next copy's
            # result non-finite if it is: only the last copy's needs a check.
            if all(
                _codegen.propagates_nonfinite(c._row)
                for c in self.template
                if e in operands(c)
            ):
                self.checked.remove(f"t{r}_{t}")
                after.append(f"chk = chk + xc{r}_{t}")
            after.append(f"xe{r}_{t} = xc{r}_{t}")
        body = [f"ci{r}_{t}.append(xc{r}_{t})" for t in run.init]
        body += self.values
        body += [f"o{r}_{t}.append(t{r}_{t})" for t in self.listed]
        if self.checked:
            total = ", ".join(self.checked)
            body.append(
                f"chk = chk + {total}"
                if len(self.checked) == 1
                else f"chk = chk + sum(({total},))"
            )
        body += [f"xc{r}_{t} = t{r}_{t}" for t in run.init]
        self._binds_own_names(targets, body)
        return lines + indent(body) + after

    def backward(
        self,
        adjoint: dict[Operand, tuple[str, int]],
        accumulators: dict[Operand, str],
    ) -> list[str]:
        """Each copy in eager's order: its values again, then its adjoints.

        Called after `forward`, whose statements for the values it reuses.
        """
        r, run, nodes = self.r, self.run, self.nodes
        lines, targets, iterables = [], [], []
        if run.varying:
            targets.append(self.columns)
            iterables.append(f"_B{r}")
        seeds: dict[Operand, tuple[str, int]] = {}
        for t in self.listed:
            given = [adjoint.pop(run.node(nodes, copy, t), None) for copy in run.order]
            if any(g is None for g in given):
                raise NotRollableError  # a copy with no adjoint: eager skipped it
            lines.append(f"ga{r}_{t} = [{', '.join(g[0] for g in given)}]")  # type: ignore[index]
            targets.append(f"gx{r}_{t}")
            iterables.append(f"ga{r}_{t}")
            seeds[self.template[t]] = (f"gx{r}_{t}", 1)
        for t in run.init:
            # Only the last copy's carried value is read after the loop.
            last = adjoint.pop(run.node(nodes, run.reps - 1, t), None)
            if last is None or any(
                run.node(nodes, copy, t) in adjoint for copy in range(run.reps - 1)
            ):
                raise NotRollableError
            lines.append(f"gc{r}_{t} = {last[0]}")
            targets.append(f"xc{r}_{t}")
            iterables.append(f"reversed(ci{r}_{t})")
            seeds[self.template[t]] = (f"gc{r}_{t}", 1)
        if not seeds:
            return lines
        body = [*self.values]
        if self.static:
            targets.append(f"({', '.join('v' + x for x in self.private.values())},)")
            iterables.append(f"_PB{r}")
        elif run.private:
            rows = self._private_rows(run.order, self.source.name)
            lines.append(f"pb{r} = {rows}")
            lines.append(f"pv{r} = {self._private_rows(run.order, self.source.holder)}")
            targets.append(f"({', '.join(self.private.values())},)")
            targets.append(f"({', '.join('v' + x for x in self.private.values())},)")
            iterables += [f"pb{r}", f"pv{r}"]
        visits = [self.template[t] for t in run.visits]
        backward, left = self.source.adjoint.backward(
            visits, seeds, self._name, self._constant, accumulators
        )
        # What is left: a copy's own leaves' gradients, and what the copy
        # gives the value it was carried (the previous copy's adjoint).
        for p, (g, _) in list(left.items()):
            if p in self.private:
                backward.append(f"v{self.private[p]}._grad += {eager_sum(g)}")
                del left[p]
        carried = [left.pop(e, None) for e in self.carry.values()]
        if left or any(g is None for g in carried):
            raise NotRollableError
        changes = [
            (f"gc{r}_{t}", g[0])  # type: ignore[index]
            for t, g in zip(self.carry, carried, strict=True)
            if g[0] != f"gc{r}_{t}"  # type: ignore[index]
        ]
        if len(changes) == 1:
            backward.append(f"{changes[0][0]} = {changes[0][1]}")
        elif changes:  # all at once: one may read another's old value
            names = ", ".join(name for name, _ in changes)
            values = ", ".join(f"({g})" for _, g in changes)
            backward.append(f"{names}, = {values},")
        after: list[str] = []
        for t, p in run.init.items():
            if takes_gradient(p):  # the first copy's carried value came from p
                self.source.adjoint.contribute(
                    adjoint, accumulators, p, (f"gc{r}_{t}", 1), after
                )
        body = _needed(body, backward)
        self._binds_own_names(targets, body + backward)
        return [*lines, _loop(targets, iterables), *indent(body + backward), *after]

    def _binds_own_names(self, targets: list[str], body: list[str]) -> None:
        """Refuse a loop that binds a name the code outside reads a node's value by.

        Such code may run after the loop (a leaf's gradient is written at the
        end), and would read the loop's last binding instead of the value.
        """
        outside = set(self.source.names.values())
        bound = {w for target in targets for w in _WORD.findall(target)}
        for line in body:
            name, equals, _ = line.partition(" = ")
            if equals:
                bound.update(_WORD.findall(name))
        # A list of a loop's values is read by subscript: o0_2[0], o0_2[1], ...
        if any(b in outside or f"{b}[0]" in outside for b in bound):
            raise NotRollableError
