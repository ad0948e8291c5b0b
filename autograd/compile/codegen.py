"""Code generation: the tape as one Python function, forward then backward.

The function performs the same float operations in the same order as the
eager run (each op's math inlined from its row of the op table, gradients
added up in the order eager backward took), so values and gradients are
identical to the last bit. Runs of copies (`loops`) become one loop forward
and one loop backward that recomputes each copy's values before its
adjoints; everything else is straight-line.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Iterable
from typing import Any, Final, final

from autograd import _codegen
from autograd.compile.loops import Run, Runs, operands
from autograd.compile.soundness import engine_checks
from autograd.compile.tape import STOP_GRADIENT, Equation, Operand, Tape
from autograd.engine import Value, _checked_partials
from autograd.ops import OPS, Op

__all__ = ["Code", "generate"]

# Bounds on generated expressions: CPython's parser allows 200 nested
# parentheses, and its compiler recurses once per level.
_MAX_NESTING: Final = 50
_MAX_TERMS: Final = 100


class _NotRollableError(Exception):
    """The runs found do not replay as loops; the code is generated without them."""


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _loop(targets: list[str], iterables: list[str]) -> str:
    if len(iterables) == 1:
        return f"for {targets[0]} in {iterables[0]}:"
    return f"for {', '.join(targets)} in zip({', '.join(iterables)}):"


def _adjoint(total: str) -> str:
    """Eager's adjoint from a sum of contributions: eager starts each at 0.0.

    0.0 + x is x, except that -0.0 becomes 0.0; a sum that starts at 0.0
    never is -0.0, and differs from one that does not only in that sign.
    """
    return f"0.0 + {total}" if total.isidentifier() else f"0.0 + ({total})"


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


def _consumers(nodes: list[Equation]) -> dict[Equation, list[tuple[Equation, int]]]:
    """For each equation, the equations of `nodes` reading it, and in which slot."""
    consumers: dict[Equation, list[tuple[Equation, int]]] = {}
    for v in nodes:
        for i, p in enumerate(operands(v)):
            if isinstance(p, Equation):
                consumers.setdefault(p, []).append((v, i))
    return consumers


def takes_gradient(p: Operand) -> bool:
    """True if backward passes a share of an adjoint on to `p`."""
    return not isinstance(p, float) and not (isinstance(p, Equation) and p.stop)


def pinned(tape: Tape) -> set[Operand]:
    """What the code must keep in a variable: the output, the guards' operands."""
    kept: set[Operand] = {tape.out}
    for a, _, b, _ in tape.guards:
        kept.add(a)
        if isinstance(b, Value | Equation):
            kept.add(b)
    return kept


@final
class _Source:
    """The replay function: forward, checks, guards, backward, gradients out.

    Statements are built without indentation; loop bodies are indented
    when they are put in place.
    """

    def __init__(self, tape: Tape, runs: Runs | None) -> None:
        self.tape = tape
        # The nodes outside the loops, cut where each loop goes: in creation
        # order (forward), and in the order backward visited them.
        found = runs.found if runs is not None else []
        rest = runs.rest if runs is not None else [tape.equations]
        rest_visited = runs.rest_visited if runs is not None else [tape.visited]
        self.input_index = {v: i for i, v in enumerate(tape.inputs)}
        self.names: dict[Operand, str] = {}
        everything = [v for segment in rest for v in segment]
        # The names of the printed tape: e3 is equation 3, c0 leaf 0, i0 input 0.
        self.names.update(tape.names())
        # The leaves as the replay's `captured` list: c0 is captured[0].
        self.captured: list[Value] = list(tape.leaves)
        self.read: list[str] = []  # the leaves read by name, c0, c1, ...
        self.reading: set[str] = set()
        self.reached: list[Value] = []  # leaves read through a loop's table
        self.tables: dict[str, Any] = {}
        self._fresh = 0
        body: list[str] = ["chk = 0.0"] if found else []
        loops = [_Loop(self, r, run) for r, run in enumerate(found)]
        constant = self._literal
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
        out = tape.out
        # An output made by detach() or under no_grad takes no gradient on.
        seeds = {} if isinstance(out, Equation) and out.stop else {out: ("1.0", 1)}
        # Leaves that loops add to get a variable when their first loop comes;
        # from then on every contribution is added to it, in eager's order.
        accumulators: dict[Operand, str] = {}
        lines, adjoint = self._backward(
            rest_visited[0], seeds, self.name, constant, accumulators
        )
        body += lines
        order = runs.backward_order if runs is not None else []
        for k, r in enumerate(order):
            for leaf in loops[r].shared_leaves:
                if leaf not in accumulators:
                    accumulators[leaf] = f"a_{self.name(leaf)}"
                    before = adjoint.pop(leaf)[0] if leaf in adjoint else "-0.0"
                    body.append(f"{accumulators[leaf]} = {before}")  # -0.0 + x is x
            body += loops[r].backward(adjoint, accumulators)
            lines, adjoint = self._backward(
                rest_visited[k + 1], adjoint, self.name, constant, accumulators
            )
            body += lines
        for p, (g, _) in adjoint.items():
            if not isinstance(p, Value):
                raise _NotRollableError  # an adjoint no loop took
            body.append(f"{self.holder(p)}._grad += {_adjoint(g)}")
        for p, total in accumulators.items():
            assert isinstance(p, Value)  # loops accumulate for leaves only
            body.append(f"{self.holder(p)}._grad += {_adjoint(total)}")
        body.append(f"return {self.name(out)}")
        head = ["def replay(inputs, captured):"]
        for name in self.read:
            holder = "inputs" if name[0] == "i" else "captured"
            head.append(f"    {name} = {holder}[{name[1:]}]._data")
        self.text = "\n".join(head + _indent(body)) + "\n"

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
    def _literal(v: Equation, slot: int, x: float) -> str:
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
                    f"d_{name(v)} = _cg_checked({self.row(op)}, "
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
                and depth < _MAX_NESTING
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

    def _backward(
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
            return self._variable(expression, lines)

        for v in visited:
            op = v._row
            g, depth = adjoint.pop(v)
            reads = operands(v)
            # The operands that take a share of the adjoint.
            takers = [takes_gradient(p) for p in reads]
            if sum(takers) > 1 or depth >= _MAX_NESTING:
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
                else f"d_{name(v)}"  # computed and checked in the forward pass
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
            if size >= _MAX_TERMS:
                before, size = self._variable(before, lines), 1
            adjoint[p] = (f"{before} + {c[0]}", max(size, c[1]) + 1)

    def _variable(self, expression: str, lines: list[str]) -> str:
        """A name for the value of `expression`: a statement, unless it is one."""
        if expression.isidentifier() or expression == "1.0":
            return expression
        self._fresh += 1
        lines.append(f"g{self._fresh} = {expression}")
        return f"g{self._fresh}"


@final
class _Loop:
    """The code of one run: a loop forward, and a loop backward that recomputes
    each copy's values (cheaper than keeping them) before its adjoints.

    A value carried from copy to copy (a running total) is a variable of the
    forward loop, started from what the first copy reads; its adjoint is a
    variable of the backward loop, which takes the copies last to first.
    """

    def __init__(self, source: _Source, r: int, run: Run) -> None:
        self.source, self.r, self.run = source, r, run
        nodes = source.tape.equations
        # The template: the first copy, reading each carried value from a
        # stand-in equation (named like a variable), not from what it reads.
        self.carry = {t: Equation(STOP_GRADIENT, 0.0, None, False) for t in run.init}
        self.template: list[Equation] = []
        first = {v: t for t, v in enumerate(nodes[run.start : run.start + run.size])}
        for t, v in enumerate(nodes[run.start : run.start + run.size]):
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
                source.names[run.node(nodes, run.reps - 1, t)] = f"xe{r}_{t}"
                continue
            for copy in range(run.reps):
                source.names[run.node(nodes, copy, t)] = f"o{r}_{t}[{copy}]"
        self.listed = [t for t in self.exported if t not in run.init]
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
        # The leaves the loop's backward adds to, in the order it first does.
        found: dict[Value, None] = {}
        for t in run.visits:
            for p in operands(self.template[t]):
                if isinstance(p, Value):
                    found[p] = None
        self.leaves = list(found)
        # Those all copies read (the others are each copy's own).
        self.shared_leaves = [p for p in self.leaves if p not in self.private]

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
        return lines + _indent(body) + after

    def backward(
        self,
        adjoint: dict[Operand, tuple[str, int]],
        accumulators: dict[Operand, str],
    ) -> list[str]:
        """Each copy in eager's order: its values again, then its adjoints.

        Called after `forward`, whose statements for the values it reuses.
        """
        r, run, nodes = self.r, self.run, self.source.tape.equations
        lines, targets, iterables = [], [], []
        if run.varying:
            targets.append(self.columns)
            iterables.append(f"_B{r}")
        seeds: dict[Operand, tuple[str, int]] = {}
        for t in self.listed:
            given = [adjoint.pop(run.node(nodes, copy, t), None) for copy in run.order]
            if any(g is None for g in given):
                raise _NotRollableError  # a copy with no adjoint: eager skipped it
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
                raise _NotRollableError
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
        backward, left = self.source._backward(
            visits, seeds, self._name, self._constant, accumulators
        )
        # What is left: a copy's own leaves' gradients, and what the copy
        # gives the value it was carried (the previous copy's adjoint).
        for p, (g, _) in list(left.items()):
            if p in self.private:
                backward.append(f"v{self.private[p]}._grad += {_adjoint(g)}")
                del left[p]
        carried = [left.pop(e, None) for e in self.carry.values()]
        if left or any(g is None for g in carried):
            raise _NotRollableError
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
                self.source.contribute(
                    adjoint, accumulators, p, (f"gc{r}_{t}", 1), after
                )
        body = _needed(body, backward)
        self._binds_own_names(targets, body + backward)
        return [*lines, _loop(targets, iterables), *_indent(body + backward), *after]

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
            raise _NotRollableError


@final
class Code:
    """What `generate` makes: the source, the function, and the leaves it reads."""

    def __init__(
        self,
        text: str,
        captured: list[Value],
        reached: list[Value],
        tables: dict[str, Any],
    ) -> None:
        self.text = text
        self.captured = captured
        self.leaves = captured + reached
        """Every leaf the replay reads besides its arguments."""
        namespace: dict[str, Any] = {**_codegen.NAMESPACE, **tables}
        namespace["_cg_checked"] = _checked_partials
        exec(builtins.compile(text, "<autograd.compile>", "exec"), namespace)
        self.function: Callable[[list[Value], list[Value]], float | None]
        self.function = namespace["replay"]


def generate(tape: Tape) -> Code:
    """The replay function of `tape`: loops where runs roll, straight-line elsewhere."""
    runs = Runs(tape.equations, pinned(tape), tape.visited)
    source = None
    if runs.found:
        try:
            source = _Source(tape, runs)
        except _NotRollableError:
            source = None
    if source is None:
        source = _Source(tape, None)
    return Code(source.text, source.captured, source.reached, source.tables)
