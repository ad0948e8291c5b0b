"""Trace a function once, replay it fast: `autograd.compile`.

>>> from autograd import Value, compile
>>> w = Value(0.5, label="w")
>>> step = compile(lambda x: (w * x + 1.0).tanh())
>>> x = Value(2.0)
>>> round(step(x), 6), round(w.grad, 6)
(0.964028, 0.141302)
>>> x.data = -1.0
>>> round(step(x), 6), round(w.grad, 6)
(0.462117, -0.645146)

The first call runs the function eagerly, like ``out = f(*args);
out.backward()``, and records what it did: every op, in order, and the order
in which `backward` visited the nodes. Later calls run generated Python
instead: the forward pass and then the backward pass, with each op's math
inlined from its row of the op table. They perform the same float operations
in the same order as the eager run, so values and gradients are identical to
the last bit.

The code is straight-line, except where the trace repeats itself: a block of
ops made again and again, the same way, from the same shared leaves, with
only its constants and its own leaves changed (a model applied to each
example of a batch) becomes one loop over a table of what changes, forward,
and one loop backward that recomputes each copy's values before its
adjoints. So the code, and the
time CPython takes to compile it, grows with the model, not with the batch.
"""

from __future__ import annotations

import builtins
import itertools
import math
import operator
import struct
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Final, final

from autograd import _codegen
from autograd.engine import (
    _RECORD,
    _TRACE,
    Value,
    _mode,
    _propagate,
    _tracer,
)

__all__ = ["Compiled", "compile"]

# Traces kept per argument structure; a function whose branches alternate
# between a few patterns keeps one trace per pattern.
_TRACES_PER_KEY: Final = 4
# Bounds on generated expressions: CPython's parser allows 200 nested
# parentheses, and its compiler recurses once per level.
_MAX_NESTING: Final = 50
_MAX_TERMS: Final = 100


def compile(f: Callable[..., Value]) -> Compiled:
    """Trace `f` on its first call; replay forward and backward as generated Python.

    ``step = compile(f)``, then ``step(*args)`` does what ``out = f(*args);
    out.backward()`` does and returns ``out.data``: it adds d(out)/d(v) to
    ``v.grad`` of every leaf Value `f` used, whether passed as an argument or
    reached from inside (a model's parameters). Results equal the eager run to
    the last bit.

    What is an input: a Value among the arguments (also inside lists and
    tuples) is read afresh on every call. Everything else is part of the
    trace: numbers and other objects among the arguments (a call with
    different ones traces again), and the `data` of leaf Values `f` reaches
    from inside is read on every call, so parameters may change between
    calls.

    Limits:

    - Guards: each comparison of a Value during the trace (``x > 0``,
      ``max(a, b)``) is checked again on every call; if one turns out
      differently, the call traces again (one eager step plus compilation;
      a few traces per argument structure are kept). Branching on ``v.data``
      or ``float(v)`` is not seen: such numbers are baked into the trace.
      So are values computed under `no_grad` inside `f`.
    - Only leaves get gradients: intermediate nodes of `f` do not exist
      when it is replayed, and an argument must be a leaf Value.
    - `f` must return one Value. It must not use Values computed outside
      it (other than leaves): pass them as arguments or `detach()` them.
    - Under `no_grad` or `detect_anomaly`, and whenever a replay would raise
      (a domain error, an overflow), the call runs eagerly instead, so
      errors are the eager ones.
    - Loops: copies of a block become a loop only when made one after
      another (``scores = [model(x) for x in X]``, then the loss over them)
      and when the loop adds every gradient up in eager's order; otherwise
      the code is straight-line, just as exact, but longer to compile.
      ``sum(loss(model(x)) for x in X)`` interleaves each copy with a step
      of the sum, and stays straight-line. `source` shows which you got.
    """
    return Compiled(f)


@final
class Compiled:
    """A function of Values traced once per argument structure and replayed fast."""

    def __init__(self, f: Callable[..., Value]) -> None:
        self.f = f
        self.traces = 0
        """How many times the function was traced (first calls and guard misses)."""
        self._plans: dict[Hashable, list[_Plan]] = {}
        self._last: _Plan | None = None

    @property
    def source(self) -> str:
        """The generated Python of the most recent trace ('' before the first call)."""
        return "" if self._last is None else self._last.source

    def __call__(self, *args: Any) -> float:
        """Run f on `args` forward and backward; return the value of its output."""
        inputs: list[Value] = []
        key = _structure(args, inputs)
        if _mode.get() != _RECORD:
            return _eager(self.f, args)
        plans = self._plans.get(key, [])
        for plan in plans:
            try:
                out = plan.replay(inputs, plan.captured)
            except (ArithmeticError, ValueError):
                out = None  # the eager run below raises the eager error
            if out is not None:
                return out
        plan, value = _trace(self.f, args, inputs)
        self.traces += 1
        plans.insert(0, plan)
        del plans[_TRACES_PER_KEY:]
        self._plans[key] = plans
        self._last = plan
        return value

    def __repr__(self) -> str:
        return f"compile({getattr(self.f, '__qualname__', self.f)!r})"


def _structure(args: tuple[Any, ...], inputs: list[Value]) -> Hashable:
    """A key for what the trace depends on in `args`; the Values go to `inputs`."""
    # The common call, distinct leaf Values only, keyed by their number.
    for a in args:
        if a.__class__ is not Value or a._row is not None:
            return _nested(args, inputs)
    if len(set(args)) != len(args):  # Values hash by identity
        return _nested(args, inputs)
    inputs.extend(args)
    return len(args)


def _nested(args: object, inputs: list[Value]) -> Hashable:
    if isinstance(args, Value):
        if args._row is not None:
            raise ValueError(
                f"compile: an argument must be a leaf Value (got one made by "
                f"{args.op!r}); detach() it or pass the leaves it was made from"
            )
        # Which earlier input the same Value was: aliasing changes the graph.
        for i, seen in enumerate(inputs):
            if seen is args:
                return ("same as input", i)
        inputs.append(args)
        return "input"
    if isinstance(args, list | tuple):
        return (type(args), tuple(_nested(a, inputs) for a in args))
    if isinstance(args, float):
        return (float, struct.pack("<d", args))  # bits: -0.0 is not 0.0 here
    if isinstance(args, Hashable) and type(args).__hash__ is not object.__hash__:
        return (type(args), args)
    return (type(args), id(args), args)  # the object itself keeps its id unique


def _eager(f: Callable[..., Value], args: tuple[Any, ...]) -> float:
    """What a compiled call does, done eagerly."""
    out = _output(f(*args))
    out.backward()
    return out._data


def _output(out: object) -> Value:
    if not isinstance(out, Value):
        raise TypeError(
            f"compile: the function must return a Value, got {type(out).__name__}"
        )
    return out


class _Recorder:
    """The tracer: every node made and every comparison of a Value, in order."""

    def __init__(self) -> None:
        self.nodes: list[Value] = []
        self.comparisons: list[tuple[Value, str, object, bool]] = []
        # The list's own append: no Python frame per node traced.
        self.made: Callable[[Value], None] = self.nodes.append

    def compared(self, a: Value, symbol: str, b: object, result: bool) -> None:
        self.comparisons.append((a, symbol, b, result))

    def read(self, v: Value) -> None:
        """f read a Value's number (`v.data`): not yet checked (issue 11)."""

    def detached(self, leaf: Value, source: Value) -> None:
        """f detached a Value: not yet replayed (issue 11)."""

    def constant(self, v: Value, row: object, operands: tuple[object, ...]) -> None:
        """f ran an op under no_grad: not yet replayed (issue 11)."""


def _trace(
    f: Callable[..., Value], args: tuple[Any, ...], inputs: list[Value]
) -> tuple[_Plan, float]:
    """Run f eagerly, recording it, and build the plan that replays it."""
    recorder = _Recorder()
    mode_token = _mode.set(_mode.get() | _TRACE)
    tracer_token = _tracer.set(recorder)
    try:
        out = _output(f(*args))
    finally:
        _tracer.reset(tracer_token)
        _mode.reset(mode_token)
    visited: list[Value] = []

    def visit(v: Value, contribution: float, before: float) -> None:
        # Called for every edge, in the order backward takes them.
        if not visited or visited[-1] is not v:
            visited.append(v)

    _propagate(out, 1.0, visit)
    graph = _Graph(out, recorder, inputs, visited)
    try:
        source = _Source(graph, graph.runs)
    except _NotRollableError:
        source = _Source(graph, [])
    return _Plan(source.text, source.captured, source.tables), out._data


def _operands(v: Value) -> tuple[Value | float, ...]:
    """`v.operands`, read straight from the node's slots (tracing is per node)."""
    op = v._row
    assert op is not None
    return (v._p0, v._p1) if op.arity == 2 else (v._p0,)  # type: ignore[return-value]


class _NotRollableError(Exception):
    """The runs found do not replay as loops; the code is generated without them."""


@final
class _Run:
    """`reps` consecutive copies of a block of `size` nodes, from node `start` on.

    A block is self-contained: its nodes read only nodes of the same copy,
    leaves and constants. Copies differ only in their constants and in
    leaves of their own, and one loop over a table of those replays them all
    (a model applied to each example of a batch is the case this is for).
    Generated code grows with the block, not with the batch.
    """

    def __init__(self, start: int, size: int, reps: int) -> None:
        self.start, self.size, self.reps = start, size, reps
        self.varying: dict[tuple[int, int], list[float]] = {}  # (position, slot)
        # Leaves of one copy each (an example given as Values), by the
        # copy-0 leaf: the (position, slot)s it is read at, and one per copy.
        self.private: dict[Value, tuple[list[tuple[int, int]], list[Value]]] = {}
        self.exported: set[int] = set()  # positions read by nodes after the run
        self.order: list[int] = []  # copies, in the order backward takes them
        self.visits: list[int] = []  # positions, in the order backward takes them

    def node(self, nodes: list[Value], copy: int, position: int) -> Value:
        """The node at `position` of copy number `copy`."""
        return nodes[self.start + copy * self.size + position]


class _Graph:
    """The traced graph: live nodes in creation order, guards, backward order, runs."""

    def __init__(
        self,
        out: Value,
        recorder: _Recorder,
        inputs: list[Value],
        visited: list[Value],
    ) -> None:
        self.out = out
        self.inputs = inputs
        self.comparisons = recorder.comparisons
        self.visited = visited  # the nodes, in the order backward took them
        # Live: what the output or a guard depends on, found walking back
        # through the creation order (a topological order).
        live: set[Value] = {out}
        live.update(a for a, _, _, _ in self.comparisons)
        live.update(b for _, _, b, _ in self.comparisons if isinstance(b, Value))
        made = recorder.nodes
        add = live.add
        for v in reversed(made):
            if v in live:
                p = v._p0
                if p.__class__ is Value:
                    add(p)
                p = v._p1
                if p.__class__ is Value:
                    add(p)
        self.live = live
        self.nodes = [v for v in made if v in live]
        # Nodes whose value the code must keep: the output, the guards' operands.
        self.pinned = {out, *(a for a, _, _, _ in self.comparisons)}
        self.pinned.update(b for _, _, b, _ in self.comparisons if isinstance(b, Value))
        runs = _Runs(self)
        self.runs = runs.found  # in the order backward takes them
        self.rest = runs.rest  # the nodes outside the runs
        self.rest_visited = runs.rest_visited


_MIN_BLOCK: Final = 4  # nodes; a loop over smaller blocks saves little
_CANDIDATES: Final = 3  # block lengths tried at each node, nearest first
# A node's signature: its row (by id), how far back each operand node is,
# and per operand a number for the leaf it reads (0 for none; see `_repeats`).
_SIGNATURE: Final = struct.Struct("<QIIII")


@final
class _Runs:
    """Find the runs of repeated blocks in the graph, and check they can be loops.

    A node's signature is its op and, per operand, the distance back to the
    node it reads and the leaf it reads (constants are left out: they may
    differ between copies). A block repeats when the signatures of the next
    nodes are the same list again. Leaves are told apart in two ways, tried
    in turn: by identity (copies that share every leaf), then by how far
    back the same leaf was last read (copies that also have leaves of their
    own: an example given as Values). Looping must not change a bit of the
    result, so the runs are checked against the order eager backward took:
    each copy visited in one stretch, every copy in the same order, runs one
    after another, and no leaf of a run given anything from outside the runs
    after a loop began (eager adds each leaf's contributions up in that
    order, and so do the loops). Any doubt leaves `found` empty: the code is
    then straight-line.
    """

    def __init__(self, graph: _Graph) -> None:
        self.graph = graph
        nodes = graph.nodes
        self.index = dict(zip(nodes, range(len(nodes)), strict=True))
        self.found: list[_Run] = []
        self.rest: list[Value] = []
        self.rest_visited: list[Value] = []
        # Copies that share their leaves (examples given as numbers) first;
        # failing that, copies that may each have leaves of their own.
        runs = self._repeats(shared_leaves=True)
        self.shared_leaves = bool(runs)  # then every copy reads the same leaves
        runs = runs or self._repeats(shared_leaves=False)
        if not runs:
            return
        self.run_of = [-1] * len(nodes)  # each node's run, -1 outside the runs
        k = 0  # where the stretch of nodes outside the runs begins
        for r, run in enumerate(runs):
            end = run.start + run.size * run.reps
            self.run_of[run.start : end] = [r] * (end - run.start)
            self.rest += nodes[k : run.start]
            k = end
        self.rest += nodes[k:]
        if self._usable(runs) and self._in_eager_order(runs):
            self.found = runs

    def _repeats(self, shared_leaves: bool) -> list[_Run]:
        # Whole-list operations (map) run at C speed. A signature is bytes,
        # not a tuple, so the cycle collector has nothing new to scan.
        nodes, index = self.graph.nodes, self.index
        at = range(len(nodes))
        ops = [v._row for v in nodes]
        firsts: list[Any] = [v._p0 for v in nodes]
        seconds: list[Any] = [v._p1 for v in nodes]
        # How far back each operand node is; 0 for a leaf or a constant.
        back0 = list(map(operator.sub, at, map(index.get, firsts, at)))
        back1 = list(map(operator.sub, at, map(index.get, seconds, at)))
        if shared_leaves:
            # Each leaf by number from 1; 0 for a node or a constant.
            others = set(firsts)
            others.update(seconds)
            others.difference_update(nodes)
            leaf = {p: n for n, p in enumerate(others, 1) if isinstance(p, Value)}
            zeros = itertools.repeat(0)
            leaf0: Iterable[int] = map(leaf.get, firsts, zeros)
            leaf1: Iterable[int] = map(leaf.get, seconds, zeros)
        else:
            leaf0, leaf1 = self._previous_uses(firsts, seconds)
        signatures = list(
            map(
                _SIGNATURE.pack,
                map(id, ops),
                back0,
                back1,
                leaf0,
                leaf1,
            )
        )
        # The next node with the same signature, for each node (-1: none).
        following = [-1] * len(nodes)
        last: dict[bytes, int] = {}
        for k in reversed(at):
            s = signatures[k]
            following[k] = last.get(s, -1)
            last[s] = k
        runs: list[_Run] = []
        k = 0
        while k < len(nodes):
            run = None
            # A block's first node reads no node (nothing of the block is
            # before it); most nodes fail this, and then no length is tried.
            q = following[k] if not back0[k] and not back1[k] else -1
            for _ in range(_CANDIDATES):  # the run covering most nodes wins
                if q < 0:
                    break
                found = self._run_at(k, q - k, signatures, back0, back1)
                if found is not None and (
                    run is None or found.size * found.reps > run.size * run.reps
                ):
                    run = found
                q = following[q]
            if run is None:
                k += 1
            else:
                runs.append(run)
                k += run.size * run.reps
        if not shared_leaves:
            # The first copy reads each shared leaf for the first time, so
            # its signatures differ: take it in if its ops and nodes match
            # (and drop the smaller runs found inside it).
            kept: list[_Run] = []
            for run in runs:
                a, b = run.start - run.size, run.start
                if a >= 0 and all(
                    ops[a + t] is ops[b + t]
                    and back0[a + t] == back0[b + t]
                    and back1[a + t] == back1[b + t]
                    for t in range(run.size)
                ):
                    while kept and kept[-1].start + kept[-1].size * kept[-1].reps > a:
                        if kept[-1].start < a:
                            break  # it starts before the copy: keep it as it is
                        kept.pop()
                    else:
                        run.start, run.reps = a, run.reps + 1
                kept.append(run)
            runs = kept
        return runs

    def _previous_uses(
        self, firsts: list[Any], seconds: list[Any]
    ) -> tuple[list[int], list[int]]:
        """Per operand: 1 + how far back the same leaf was read, 0 if never before."""
        index, last = self.index, dict[Value, int]()
        uses0, uses1 = [], []
        for k, (a, b) in enumerate(zip(firsts, seconds, strict=True)):
            if a.__class__ is Value and a not in index:
                uses0.append(k - last[a] + 1 if a in last else 0)
                last[a] = k
            else:
                uses0.append(0)
            if b.__class__ is Value and b not in index:
                uses1.append(k - last[b] + 1 if b in last else 0)
                last[b] = k
            else:
                uses1.append(0)
        return uses0, uses1

    @staticmethod
    def _run_at(
        k: int,
        size: int,
        signatures: list[bytes],
        back0: list[int],
        back1: list[int],
    ) -> _Run | None:
        """The run of copies of the `size` nodes from `k` on, if it repeats."""
        if size < _MIN_BLOCK or any(
            back0[k + t] > t or back1[k + t] > t for t in range(size)
        ):
            return None  # too small, or it reads nodes before it
        block = signatures[k : k + size]
        reps = 1
        while signatures[k + reps * size : k + (reps + 1) * size] == block:
            reps += 1
        return _Run(k, size, reps) if reps >= 2 else None

    def _usable(self, runs: list[_Run]) -> bool:
        """Note each run's exports and which constants vary; False if one can't loop."""
        nodes, index, run_of = self.graph.nodes, self.index, self.run_of
        if any(run_of[index[v]] >= 0 for v in self.graph.pinned if v in index):
            return False  # the output or a guard inside a loop
        for v in self.rest:
            for p in (v._p0, v._p1):
                i = index.get(p)  # type: ignore[arg-type]
                if i is not None and run_of[i] >= 0:
                    run = runs[run_of[i]]
                    run.exported.add((i - run.start) % run.size)
        shared: set[Value] = set()  # leaves read by the rest or by all copies
        for v in self.rest:
            shared.update(p for p in _operands(v) if isinstance(p, Value))
        private: list[Value] = []
        for run in runs:
            template = nodes[run.start : run.start + run.size]
            for t, v in enumerate(template):
                for slot, p in enumerate(_operands(v)):
                    if isinstance(p, Value) and p in index:
                        # An exported node gets its adjoint from outside the
                        # loop only: none from inside its own block.
                        if index[p] - run.start in run.exported:
                            return False
                        continue
                    if isinstance(p, Value) and self.shared_leaves:
                        shared.add(p)
                        continue
                    column = [
                        _operands(run.node(nodes, j, t))[slot] for j in range(run.reps)
                    ]
                    if isinstance(p, Value):
                        if column.count(p) == run.reps:
                            shared.add(p)
                        elif p in run.private:
                            if column != run.private[p][1]:
                                return False  # read together in one copy only
                            run.private[p][0].append((t, slot))
                        else:
                            run.private[p] = ([(t, slot)], column)  # type: ignore[assignment]
                            private += column  # type: ignore[arg-type]
                    elif not _all_same_bits(column):  # type: ignore[arg-type]
                        run.varying[t, slot] = column  # type: ignore[assignment]
        # A leaf of its own per copy: read in that copy only, nowhere else.
        return len(set(private)) == len(private) and shared.isdisjoint(private)

    def _in_eager_order(self, runs: list[_Run]) -> bool:
        """True if the loops add every adjoint up in the order eager backward did."""
        visited = self.graph.visited
        ks = list(map(self.index.__getitem__, visited))
        rs = list(map(self.run_of.__getitem__, ks))
        self.rest_visited = [v for v, r in zip(visited, rs, strict=True) if r < 0]
        spans = []
        for r, run in enumerate(runs):
            where = [i for i, x in enumerate(rs) if x == r]
            if not where or len(where) % run.reps:
                return False
            stretch = len(where) // run.reps
            for j in range(run.reps):
                chunk = [ks[i] for i in where[j * stretch : (j + 1) * stretch]]
                copy = (chunk[0] - run.start) // run.size
                base = run.start + copy * run.size
                visits = [k - base for k in chunk]
                if j == 0:
                    run.visits = visits
                    if min(visits) < 0 or max(visits) >= run.size:
                        return False  # the stretch is not one copy
                elif visits != run.visits:
                    return False
                run.order.append(copy)
            if sorted(run.order) != list(range(run.reps)):
                return False
            spans.append((where[0], where[-1], r))
        spans.sort()
        if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
            return False  # runs interleaved
        leaves = {
            p
            for run in runs
            for t in run.visits
            for p in _operands(run.node(self.graph.nodes, 0, t))
            if isinstance(p, Value) and p._row is None
        }
        first = spans[0][0]
        for v, r in zip(visited[first:], rs[first:], strict=True):
            if r < 0 and (v._p0 in leaves or v._p1 in leaves):
                return False  # a leaf of a loop given more after the loop began
        runs[:] = [runs[r] for _, _, r in spans]
        return True


def _all_same_bits(column: list[float]) -> bool:
    first = column[0]
    if column.count(first) != len(column):
        return False
    # 0.0 == -0.0: compare the signs of zeros too.
    return first != 0.0 or len({math.copysign(1.0, x) for x in column}) == 1


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _loop(targets: list[str], iterables: list[str]) -> str:
    if len(iterables) == 1:
        return f"for {targets[0]} in {iterables[0]}:"
    return f"for {', '.join(targets)} in zip({', '.join(iterables)}):"


@final
class _Source:
    """The replay function: forward, checks, guards, backward, gradients out.

    Statements are built without indentation; loop bodies are indented
    when they are put in place.
    """

    def __init__(self, graph: _Graph, runs: list[_Run]) -> None:
        self.graph = graph
        nodes = graph.nodes
        rest = graph.rest if runs else nodes
        rest_visited = graph.rest_visited if runs else graph.visited
        self.names: dict[Value, str] = {}
        for i, v in enumerate(graph.inputs):
            if v in graph.live:
                self.names[v] = f"i{i}"
        for k, v in enumerate(rest):
            self.names[v] = f"v{k}"
        self.captured: list[Value] = []
        self.tables: dict[str, list[tuple[float, ...]]] = {}
        self._fresh = 0
        body: list[str] = ["chk = 0.0"] if runs else []
        loops = [_Loop(self, r, run) for r, run in enumerate(runs)]
        for loop in loops:
            body += loop.forward()
        constant = self._literal
        lines, stored = self._forward(rest, self.name, constant, graph.pinned)
        body += lines
        # Eager raises on the first non-finite result. Every one here reaches a
        # checked value through ops like + (see `_forward`), so it makes this
        # sum non-finite (as, rarely, a finite sum that overflows does), and
        # the caller then runs eagerly, which raises exactly as eager does.
        if stored or runs:
            total = f"sum(({', '.join(stored)},))" if stored else "0.0"
            body.append(f"s = {'chk + ' if runs else ''}{total}")
            body += ["if s - s != 0.0:", "    return None"]
        for a, symbol, b, result in graph.comparisons:
            right = self.name(b) if isinstance(b, Value) else repr(float(b))  # type: ignore[arg-type]
            test = f"{self.name(a)} {symbol} {right}"
            body += [f"if {'not ' if result else ''}({test}):", "    return None"]
        seeds = {graph.out: ("1.0", 1)}
        lines, adjoint = self._backward(rest_visited, seeds, self.name, constant, {})
        body += lines
        # Leaves that loops add to: what came before the loops first, as eager.
        accumulators: dict[Value, str] = {}
        for loop in loops:
            for p in loop.shared_leaves:
                if p not in accumulators:
                    accumulators[p] = f"a_{self.name(p)}"
                    before = adjoint.pop(p)[0] if p in adjoint else "-0.0"
                    body.append(f"{accumulators[p]} = {before}")  # -0.0 + x is x
        for loop in loops:
            body += loop.backward(adjoint, accumulators)
        for v, (g, _) in adjoint.items():
            if v._row is not None:
                raise _NotRollableError  # an adjoint no loop took
            body.append(f"{self.holder(v)}.grad += {g}")
        for v, total in accumulators.items():
            body.append(f"{self.holder(v)}.grad += {total}")
        body.append(f"return {self.name(graph.out)}")
        head = ["def replay(inputs, captured):"]
        for name in self.names.values():
            if name[0] == "i":
                head.append(f"    {name} = inputs[{name[1:]}]._data")
        head += [f"    c{i} = captured[{i}]._data" for i in range(len(self.captured))]
        self.text = "\n".join(head + _indent(body)) + "\n"

    def name(self, p: Value) -> str:
        """The expression holding p's value; a leaf seen first is captured."""
        name = self.names.get(p)
        if name is None:
            if p._row is not None:
                raise ValueError(
                    f"compile: the function uses a Value made outside it by "
                    f"{p.op!r} (data={p._data!r}); pass it as an argument (a leaf) "
                    "or detach() it"
                )
            name = self.names[p] = f"c{len(self.captured)}"
            self.captured.append(p)
        return name

    def holder(self, p: Value) -> str:
        """The expression for the leaf Value `p` itself (its value is `name(p)`)."""
        name = self.name(p)
        return f"{'inputs' if name[0] == 'i' else 'captured'}[{name[1:]}]"

    @staticmethod
    def _literal(v: Value, slot: int, x: float) -> str:
        return repr(x)

    def _forward(
        self,
        nodes: list[Value],
        name: Callable[[Value], str],
        constant: Callable[[Value, int, float], str],
        pinned: set[Value],
    ) -> tuple[list[str], list[str]]:
        """Each node's value; a node used once only inside its consumer's expression.

        That saves a statement (CPython compiles about one statement per 10
        us), and is safe when nothing else needs the value: backward reads no
        such operand, no guard compares it, and the consumer is an operator
        whose result is non-finite whenever an operand is (+, -, *, unary -),
        so a non-finite value still shows in a stored one.
        Returns the statements and the names of the stored values that the
        overflow check must look at.
        """
        consumers: dict[Value, list[tuple[Value, int]]] = {}
        for v in nodes:
            for i, p in enumerate(_operands(v)):
                if isinstance(p, Value):
                    consumers.setdefault(p, []).append((v, i))
        inlined: dict[Value, tuple[str, int]] = {}  # expression, nesting depth
        lines: list[str] = []
        stored: list[str] = []
        for v in nodes:
            op = v._row
            assert op is not None
            args, depth = [], 0
            for slot, p in enumerate(_operands(v)):
                if not isinstance(p, Value):
                    args.append(constant(v, slot, p))
                elif p in inlined:
                    expression, d = inlined.pop(p)
                    args.append(f"({expression})")
                    depth = max(depth, d)
                else:
                    args.append(name(p))
            expression = _codegen.forward_source(op, args, checked=False)
            uses = consumers.get(v, [])
            if (
                len(uses) == 1
                and v not in pinned
                and depth < _MAX_NESTING
                and not _codegen.partial_reads(op)[1]
                and _codegen.propagates_nonfinite(uses[0][0]._row)  # type: ignore[arg-type]
                and uses[0][1] not in _codegen.partial_reads(uses[0][0]._row)[0]  # type: ignore[arg-type]
            ):
                inlined[v] = (expression, depth + 1)
            else:
                lines.append(f"{name(v)} = {expression}")
                # A non-finite value makes a consumer like + non-finite too,
                # so only values with no such consumer need checking.
                if not any(_codegen.propagates_nonfinite(c._row) for c, _ in uses):  # type: ignore[arg-type]
                    stored.append(name(v))
        return lines, stored

    def _backward(
        self,
        visited: list[Value],
        seeds: dict[Value, tuple[str, int]],
        name: Callable[[Value], str],
        constant: Callable[[Value, int, float], str],
        accumulators: dict[Value, str],
    ) -> tuple[list[str], dict[Value, tuple[str, int]]]:
        """Adjoints in the order eager backward made them, summed in the same order.

        An adjoint is an expression, written into a statement only when it is
        read more than once or grows long; a sum ``a + b + c`` is evaluated
        left to right, as eager adds contributions one by one.
        Variables are never reassigned, so a contribution that is another
        adjoint unchanged (a partial of 1.0) is just that adjoint's name.
        A contribution to a leaf with an accumulator is added to it at once.
        Returns the statements and the adjoints of the nodes not visited.
        """
        # Each adjoint: an expression, and a bound on its nesting and length.
        adjoint = dict(seeds)
        lines: list[str] = []

        def variable(expression: str) -> str:
            if expression.isidentifier() or expression == "1.0":
                return expression
            self._fresh += 1
            lines.append(f"g{self._fresh} = {expression}")
            return f"g{self._fresh}"

        for v in visited:
            op = v._row
            assert op is not None
            g, depth = adjoint.pop(v)
            operands = _operands(v)
            if sum(isinstance(p, Value) for p in operands) > 1 or depth >= _MAX_NESTING:
                g, depth = variable(g), 0  # read more than once: computed once
            elif not g.isidentifier():
                g = f"({g})"
            args = [
                name(p) if isinstance(p, Value) else constant(v, slot, p)
                for slot, p in enumerate(operands)
            ]
            partials = _codegen.partials_source(op, args, name(v))
            if isinstance(partials, str):
                partials = variable(partials)
                partials = tuple(f"{partials}[{i}]" for i in range(op.arity))
            for p, d in zip(operands, partials, strict=True):
                if not isinstance(p, Value):
                    continue
                # x * 1.0 is x exactly (for every float, even nan and -0.0).
                c = g if d == "1.0" and g != "1.0" else f"({d}) * {g}"
                total = accumulators.get(p)
                if total is not None:
                    lines.append(f"{total} = {total} + {c}")
                    continue
                if p not in adjoint:
                    adjoint[p] = (c, depth + 1)
                    continue
                # A sum gets a statement of its own when read (it is read more
                # than once or is long): its depth then no longer adds up.
                before, size = adjoint[p]
                if size >= _MAX_TERMS:
                    before, size = variable(before), 1
                adjoint[p] = (f"{before} + {c}", max(size, depth + 1) + 1)
        return lines, adjoint


@final
class _Loop:
    """The code of one run: a loop forward, and a loop backward that recomputes
    each copy's values (cheaper than keeping them) before its adjoints."""

    def __init__(self, source: _Source, r: int, run: _Run) -> None:
        self.source, self.r, self.run = source, r, run
        nodes = source.graph.nodes
        self.template = nodes[run.start : run.start + run.size]
        self.position = {v: t for t, v in enumerate(self.template)}
        self.local = {v: f"t{r}_{t}" for t, v in enumerate(self.template)}
        self.varying = {key: f"k{r}_{n}" for n, key in enumerate(run.varying)}
        self.exported = sorted(run.exported)
        self.private = {p: f"x{r}_{g}" for g, p in enumerate(run.private)}
        for t in self.exported:
            for copy in range(run.reps):
                source.names[run.node(nodes, copy, t)] = f"o{r}_{t}[{copy}]"
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
            for p in _operands(self.template[t]):
                if isinstance(p, Value) and p._row is None:
                    found[p] = None
        self.leaves = list(found)
        # Those all copies read (the others are each copy's own).
        self.shared_leaves = [p for p in self.leaves if p not in self.private]

    def _name(self, p: Value) -> str:
        local = self.local.get(p) or self.private.get(p)
        return local if local is not None else self.source.name(p)

    def _private_rows(self, copies: Iterable[int], name: Callable[[Value], str]) -> str:
        """A list display: per copy, a tuple of its own leaves, each as `name` gives."""
        columns = [column for _, column in self.run.private.values()]
        rows = (f"({', '.join(name(c[copy]) for c in columns)},)" for copy in copies)
        return f"[{', '.join(rows)}]"

    def _constant(self, v: Value, slot: int, x: float) -> str:
        name = self.varying.get((self.position[v], slot))
        return name if name is not None else repr(x)

    def forward(self) -> list[str]:
        """Lists of the exported values, one entry per copy."""
        r, run = self.r, self.run
        lines = [f"o{r}_{t} = []" for t in self.exported]
        targets, iterables = [], []
        if run.varying:
            targets.append(self.columns)
            iterables.append(f"_T{r}")
        if run.private:
            lines.append(
                f"p{r} = {self._private_rows(range(run.reps), self.source.name)}"
            )
            targets.append(f"({', '.join(self.private.values())},)")
            iterables.append(f"p{r}")
        if iterables:
            lines.append(_loop(targets, iterables))
        else:
            lines.append(f"for _ in range({run.reps}):")
        pinned = {self.template[t] for t in self.exported}
        self.values, self.checked = self.source._forward(
            self.template, self._name, self._constant, pinned
        )
        body = [*self.values]
        body += [f"o{r}_{t}.append(t{r}_{t})" for t in self.exported]
        if self.checked:
            body.append(f"chk = chk + sum(({', '.join(self.checked)},))")
        return lines + _indent(body)

    def backward(
        self, adjoint: dict[Value, tuple[str, int]], accumulators: dict[Value, str]
    ) -> list[str]:
        """Each copy in eager's order: its values again, then its adjoints.

        Called after `forward`, whose statements for the values it reuses.
        """
        r, run, nodes = self.r, self.run, self.source.graph.nodes
        lines, targets, iterables = [], [], []
        if run.varying:
            targets.append(self.columns)
            iterables.append(f"_B{r}")
        seeds: dict[Value, tuple[str, int]] = {}
        for t in self.exported:
            given = [adjoint.pop(run.node(nodes, copy, t), None) for copy in run.order]
            if any(g is None for g in given):
                raise _NotRollableError  # a copy with no adjoint: eager skipped it
            lines.append(f"ga{r}_{t} = [{', '.join(g[0] for g in given)}]")  # type: ignore[index]
            targets.append(f"gx{r}_{t}")
            iterables.append(f"ga{r}_{t}")
            seeds[self.template[t]] = (f"gx{r}_{t}", 1)
        if not seeds:
            return lines
        body = [*self.values]
        # A copy's own leaves: their gradients summed in the copy, then added.
        own = {p: f"a{self.private[p]}" for p in self.leaves if p in self.private}
        if run.private:
            rows = self._private_rows(run.order, self.source.name)
            lines.append(f"pb{r} = {rows}")
            lines.append(f"pv{r} = {self._private_rows(run.order, self.source.holder)}")
            targets.append(f"({', '.join(self.private.values())},)")
            targets.append(f"({', '.join('v' + x for x in self.private.values())},)")
            iterables += [f"pb{r}", f"pv{r}"]
            body += [f"{a} = -0.0" for a in own.values()]
        visits = [self.template[t] for t in run.visits]
        backward, left = self.source._backward(
            visits, seeds, self._name, self._constant, {**accumulators, **own}
        )
        if left:
            raise _NotRollableError
        backward += [f"v{self.private[p]}.grad += {a}" for p, a in own.items()]
        return [*lines, _loop(targets, iterables), *_indent(body + backward)]


@final
class _Plan:
    """A compiled replay: the generated function and what it reads."""

    def __init__(
        self, source: str, captured: list[Value], tables: dict[str, Any]
    ) -> None:
        self.source = source
        self.captured = captured
        namespace: dict[str, Any] = {**_codegen.NAMESPACE, **tables}
        exec(builtins.compile(source, "<autograd.compile>", "exec"), namespace)
        # replay(inputs, captured): the output's value, gradients added; None
        # if a guard or the overflow check failed (nothing is changed then).
        self.replay: Callable[[list[Value], list[Value]], float | None]
        self.replay = namespace["replay"]
