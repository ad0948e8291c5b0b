"""Loop rolling: runs of copies of a block of equations, checked to loop exactly.

A model applied to each example of a batch makes the same block of
equations again and again, from the same shared leaves, with only its
constants and its own leaves changed. Such a run of copies is replayed as
one loop over a table of what changes (see `codegen`), so the generated code
grows with the model, not with the batch.
"""

from __future__ import annotations

import itertools
import math
import operator
import struct
from collections.abc import Iterable
from typing import Any, Final, final

from autograd.compile.tape import Equation, Operand
from autograd.engine import Value

__all__ = ["Run", "Runs", "operands"]


def operands(v: Equation) -> tuple[Operand, ...]:
    """`v.operands`, read straight from the slots (passes run per equation)."""
    return (v._p0, v._p1) if v._row.arity == 2 else (v._p0,)  # type: ignore[return-value]


@final
class Run:
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

    def node(self, nodes: list[Equation], copy: int, position: int) -> Equation:
        """The node at `position` of copy number `copy`."""
        return nodes[self.start + copy * self.size + position]


_MIN_BLOCK: Final = 4  # nodes; a loop over smaller blocks saves little
_CANDIDATES: Final = 3  # block lengths tried at each node, nearest first
# A node's signature: its row (by id, and whether gradients flow through it),
# how far back each operand node is, and per operand a number for the leaf it
# reads (0 for none; see `_repeats`).
_SIGNATURE: Final = struct.Struct("<QIIII")


@final
class Runs:
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

    def __init__(
        self, nodes: list[Equation], pinned: set[Operand], visited: list[Equation]
    ) -> None:
        self.nodes, self.pinned, self.visited = nodes, pinned, visited
        self.index = dict(zip(nodes, range(len(nodes)), strict=True))
        self.found: list[Run] = []
        self.rest: list[Equation] = []
        self.rest_visited: list[Equation] = []
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

    def _repeats(self, shared_leaves: bool) -> list[Run]:
        # Whole-list operations (map) run at C speed. A signature is bytes,
        # not a tuple, so the cycle collector has nothing new to scan.
        nodes, index = self.nodes, self.index
        at = range(len(nodes))
        # Each equation's row, and whether gradients flow through it.
        ops = [id(v._row) * 2 + v.stop for v in nodes]
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
                ops,
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
        runs: list[Run] = []
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
            kept: list[Run] = []
            for run in runs:
                a, b = run.start - run.size, run.start
                if a >= 0 and all(
                    ops[a + t] == ops[b + t]
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
        index: dict[Any, int] = self.index
        last: dict[Value, int] = {}
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
    ) -> Run | None:
        """The run of copies of the `size` nodes from `k` on, if it repeats."""
        if size < _MIN_BLOCK or any(
            back0[k + t] > t or back1[k + t] > t for t in range(size)
        ):
            return None  # too small, or it reads nodes before it
        block = signatures[k : k + size]
        reps = 1
        while signatures[k + reps * size : k + (reps + 1) * size] == block:
            reps += 1
        return Run(k, size, reps) if reps >= 2 else None

    def _usable(self, runs: list[Run]) -> bool:
        """Note each run's exports and which constants vary; False if one can't loop."""
        nodes, index, run_of = self.nodes, self.index, self.run_of
        if any(run_of[index[v]] >= 0 for v in self.pinned if v in index):
            return False  # the output or a guard inside a loop
        for v in self.rest:
            for p in (v._p0, v._p1):
                i = index.get(p)  # type: ignore[arg-type]
                if i is not None and run_of[i] >= 0:
                    run = runs[run_of[i]]
                    run.exported.add((i - run.start) % run.size)
        shared: set[Value] = set()  # leaves read by the rest or by all copies
        for v in self.rest:
            shared.update(p for p in operands(v) if isinstance(p, Value))
        private: list[Value] = []
        for run in runs:
            template = nodes[run.start : run.start + run.size]
            for t, v in enumerate(template):
                for slot, p in enumerate(operands(v)):
                    if isinstance(p, Equation):
                        # An exported node gets its adjoint from outside the
                        # loop only: none from inside its own block.
                        if index[p] - run.start in run.exported:
                            return False
                        continue
                    if isinstance(p, Value) and self.shared_leaves:
                        shared.add(p)
                        continue
                    column = [
                        operands(run.node(nodes, j, t))[slot] for j in range(run.reps)
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

    def _in_eager_order(self, runs: list[Run]) -> bool:
        """True if the loops add every adjoint up in the order eager backward did."""
        visited = self.visited
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
            for p in operands(run.node(self.nodes, 0, t))
            if isinstance(p, Value)
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
