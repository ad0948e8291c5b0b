"""Loop rolling: runs of copies of a block of equations, checked to loop exactly.

A model applied to each example of a batch makes the same block of
equations again and again, from the same shared leaves, with only its
constants and its own leaves changed; a running total or a recurrence makes
a block that also reads the previous copy's result. Such a run of copies is
replayed as one loop over a table of what changes (see `codegen`), so the
generated code grows with the model, not with the batch.
"""

from __future__ import annotations

import itertools
import math
from typing import Final, final

from autograd.compile.signatures import Signatures, signatures
from autograd.compile.tape import Equation, Operand
from autograd.core import Value

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
        # (position, slot) reading the node at a position of the previous
        # copy; and per such position what the first copy reads instead.
        self.carried: dict[tuple[int, int], int] = {}
        self.init: dict[int, Operand] = {}
        self.visits: list[int] = []  # positions, in the order backward takes them

    def node(self, nodes: list[Equation], copy: int, position: int) -> Equation:
        """The node at `position` of copy number `copy`."""
        return nodes[self.start + copy * self.size + position]


_MIN_BLOCK: Final = 4  # nodes; a loop over smaller blocks saves little
# A block carrying values on may be as small as a product and a sum, when
# there are many copies of it.
_MIN_CARRIED_BLOCK: Final = 2
_MIN_CARRIED_NODES: Final = 32
_CANDIDATES: Final = 3  # block lengths tried at each node, nearest first


@final
class Runs:
    """Find the runs of repeated blocks in the graph, and check they can be loops.

    A block repeats when the signatures of the next nodes are the same list
    again (see `Signatures`). Leaves are told apart in two ways: by identity
    (copies that share every leaf), or by how far back the same leaf was
    last read (copies that also have leaves of their own: an example given
    as Values). A block either is self-contained (a model applied to each
    example) or carries values from one copy to the next (a running total,
    a recurrence): a node reading a node of the previous copy. Of the runs
    found each way, those covering most nodes are used, if they can loop.

    Looping must not change a bit of the result, so the runs are checked
    against the order eager backward took: each copy visited in one
    stretch, every copy in the same order (last to first when values are
    carried), and runs one after another. Any doubt leaves `found` empty:
    the code is then straight-line.
    """

    def __init__(
        self, nodes: list[Equation], pinned: set[Operand], visited: list[Equation]
    ) -> None:
        self.nodes, self.pinned, self.visited = nodes, pinned, visited
        self.index = dict(zip(nodes, range(len(nodes)), strict=True))
        self.found: list[Run] = []
        # The nodes outside the runs in creation order, cut where each run
        # begins; and in backward's order, cut where each run's stretch is.
        self.rest: list[list[Equation]] = []
        self.rest_visited: list[list[Equation]] = []
        self.backward_order: list[
            int
        ] = []  # the runs, in the order backward takes them
        attempts: list[tuple[int, int, bool, list[Run]]] = []
        for n, shared_leaves in enumerate((True, False)):
            found = signatures(self.nodes, self.index, shared_leaves)
            for carried in (True, False):
                runs = self._scan(found, carried, shared_leaves)
                covered = sum(run.size * run.reps for run in runs)
                if covered:
                    rank = 2 * n + (not carried)
                    attempts.append((-covered, rank, shared_leaves, runs))
                # Runs covering nearly every node: looking further can't do better.
                if self._use_best(attempts, len(nodes) * 0.9):
                    return
        self._use_best(attempts, 0)

    def _use_best(
        self, attempts: list[tuple[int, int, bool, list[Run]]], least: float
    ) -> bool:
        """Use the runs covering most nodes (at least `least`) that can loop.

        Those that can't are dropped from `attempts` (the checks note things
        in the runs, so each set of runs is checked once).
        """
        attempts.sort(key=lambda a: a[:2])
        while attempts and -attempts[0][0] >= least:
            _, _, shared_leaves, runs = attempts.pop(0)
            self.shared_leaves = shared_leaves  # then every copy reads the same leaves
            if self._usable(runs) and self._in_eager_order(runs):
                self.found = runs
                return True
        return False

    def _scan(self, sig: Signatures, carried: bool, shared_leaves: bool) -> list[Run]:
        """The runs, left to right; `carried`: blocks may read the previous copy."""
        back0, back1 = sig.backs
        following = sig.following
        runs: list[Run] = []
        k = 0
        while k < len(self.nodes):
            run = None
            # A self-contained block's first node reads no node (nothing of
            # the block is before it); most nodes fail this, and then no
            # length is tried. A block that carries values may start anywhere.
            if not back0[k] and not back1[k]:
                q, candidates = following[k], _CANDIDATES
            else:
                q, candidates = (following[k], 1) if carried else (-1, 0)
            for _ in range(candidates):  # the run covering most nodes wins
                if q < 0:
                    break
                found = self._run_at(k, q - k, sig, carried)
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
        runs = self._with_first_copies(runs, sig, shared_leaves)
        return [run for run in map(self._without_pinned_last_copy, runs) if run]

    def _with_first_copies(
        self, runs: list[Run], sig: Signatures, shared_leaves: bool
    ) -> list[Run]:
        """Each run with the copy before it taken in, where only what it reads differs.

        That copy reads each shared leaf for the first time (when leaves are
        told apart by distance), or starts the carried values from something
        else (a constant, a leaf, a node before): its signatures differ.
        Smaller runs found inside it are dropped.
        """
        kept: list[Run] = []
        for run in runs:
            a, b = run.start - run.size, run.start
            if (
                (not shared_leaves or run.carried)
                and a >= 0
                and all(
                    sig.same_node(
                        a + t,
                        b + t,
                        [slot for slot in (0, 1) if (t, slot) in run.carried],
                        leaves=shared_leaves,
                    )
                    for t in range(run.size)
                )
            ):
                while kept and kept[-1].start + kept[-1].size * kept[-1].reps > a:
                    if kept[-1].start < a:
                        break  # it starts before the copy: keep it as it is
                    kept.pop()
                else:
                    run.start, run.reps = a, run.reps + 1
            kept.append(run)
        return kept

    def _without_pinned_last_copy(self, run: Run) -> Run | None:
        """The run without its last copy if that holds the output or a guard's operand.

        A running total's last copy makes the output: it is left to the
        straight-line code after the loop.
        """
        end = run.start + run.size * run.reps
        if any(end - run.size <= self.index.get(v, -1) < end for v in self.pinned):  # type: ignore[arg-type]
            run.reps -= 1
        return run if run.reps >= 2 else None

    @staticmethod
    def _run_at(k: int, size: int, sig: Signatures, carried: bool) -> Run | None:
        """The run of copies of the `size` nodes from `k` on, if it repeats."""
        if size < (_MIN_CARRIED_BLOCK if carried else _MIN_BLOCK):
            return None
        # Whether the block repeats is compared whole (at C speed), first.
        signatures = sig.signatures
        block = signatures[k : k + size]
        reps = 1
        while signatures[k + reps * size : k + (reps + 1) * size] == block:
            reps += 1
        if reps < 2:
            return None
        links: dict[tuple[int, int], int] = {}
        for t in range(size):
            for slot in (0, 1):
                back = sig.backs[slot][k + t]
                if back > t:  # it reads a node before its copy
                    if not carried or back > t + size:
                        return None
                    links[t, slot] = t - back + size  # in the previous copy
        if size < (_MIN_CARRIED_BLOCK if links else _MIN_BLOCK):
            return None  # a loop over smaller blocks saves little
        if links and size * reps < _MIN_CARRIED_NODES:
            return None
        run = Run(k, size, reps)
        run.carried = links
        return run

    def _usable(self, runs: list[Run]) -> bool:
        """Note each run's exports and what varies; False if one can't loop."""
        nodes, index = self.nodes, self.index
        self.run_of = run_of = [-1] * len(nodes)  # each node's run, -1 outside
        self.rest = []
        k = 0  # where the stretch of nodes outside the runs begins
        for r, run in enumerate(runs):
            end = run.start + run.size * run.reps
            run_of[run.start : end] = [r] * (end - run.start)
            self.rest.append(nodes[k : run.start])
            k = end
        self.rest.append(nodes[k:])
        rest = [v for segment in self.rest for v in segment]
        if any(run_of[index[v]] >= 0 for v in self.pinned if v in index):
            return False  # the output or a guard inside a loop
        read_after: list[tuple[Run, int]] = []  # (run, copy) of nodes read after it
        for v in rest:
            for p in (v._p0, v._p1):
                i = index.get(p)  # type: ignore[arg-type]
                if i is not None and run_of[i] >= 0:
                    run = runs[run_of[i]]
                    run.exported.add((i - run.start) % run.size)
                    read_after.append((run, i))
        shared: set[Value] = set()  # leaves read by the rest or by all copies
        for v in rest:
            shared.update(p for p in operands(v) if isinstance(p, Value))
        private: list[Value] = []
        for r, run in enumerate(runs):
            if not self._carries(run, r):
                return False
            template = nodes[run.start : run.start + run.size]
            for t, v in enumerate(template):
                for slot, p in enumerate(operands(v)):
                    if (t, slot) in run.carried:
                        continue  # checked by `_carries`
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
            if any(p in run.private or p in shared for p in run.init.values()):
                return False  # a leaf the loop reads also starts what it carries
        # The loop keeps only the last copy's carried values.
        if any(
            (i - run.start) % run.size in run.init
            and i < run.start + run.size * (run.reps - 1)
            for run, i in read_after
        ):
            return False
        # A leaf of its own per copy: read in that copy only, nowhere else.
        return len(set(private)) == len(private) and shared.isdisjoint(private)

    def _carries(self, run: Run, r: int) -> bool:
        """Note where the first copy starts each carried value; False if it can't loop.

        Each carried value is read by one operand of the next copy, and the
        first copy reads, there, a constant, a leaf or a node made before the
        run outside any other: the loop begins with it.
        """
        sources = list(run.carried.values())
        if len(set(sources)) != len(sources):
            return False  # read twice: the sums would need their own order
        for (t, slot), source in run.carried.items():
            p = operands(self.nodes[run.start + t])[slot]
            if isinstance(p, Equation) and self.run_of[self.index[p]] >= 0:
                return False  # started from another run's (or its own) node
            run.init[source] = p
        return True

    def _in_eager_order(self, runs: list[Run]) -> bool:
        """True if the loops add every adjoint up in the order eager backward did."""
        visited = self.visited
        ks = list(map(self.index.__getitem__, visited))
        rs = list(map(self.run_of.__getitem__, ks))
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
            if run.carried and run.order != list(reversed(range(run.reps))):
                return False  # a carried value's adjoint flows last copy to first
            spans.append((where[0], where[-1], r))
        spans.sort()
        if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
            return False  # runs interleaved
        self.backward_order = [r for _, _, r in spans]
        # The other nodes, cut where each run's stretch ends. One visited in
        # the middle of a stretch goes before the loop: eager gives it its
        # adjoint before the copies after it; it must give nothing to a leaf
        # of the loop, whose sum would then come out in another order.
        self.rest_visited = [[] for _ in range(len(spans) + 1)]
        leaves = [self._leaves(runs[r]) for _, _, r in spans]
        segment = 0
        for i, (v, r) in enumerate(zip(visited, rs, strict=True)):
            while segment < len(spans) and spans[segment][1] < i:
                segment += 1
            if r >= 0:
                continue
            inside = segment < len(spans) and spans[segment][0] < i
            if inside and (v._p0 in leaves[segment] or v._p1 in leaves[segment]):
                return False
            self.rest_visited[segment].append(v)
        return True

    def _leaves(self, run: Run) -> set[Operand]:
        """The leaves a loop adds gradients to, and what starts its carried values."""
        found: set[Operand] = set(run.init.values())
        for t in run.visits:
            found.update(
                p for p in operands(run.node(self.nodes, 0, t)) if isinstance(p, Value)
            )
        return found


def _all_same_bits(column: list[float]) -> bool:
    first = column[0]
    if column.count(first) != len(column):
        return False
    # 0.0 == -0.0: compare the signs of zeros too.
    return first != 0.0 or len({math.copysign(1.0, x) for x in column}) == 1
