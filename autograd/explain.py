"""The chain rule, one edge at a time: what `backward()` does, as a table.

>>> from autograd import Value, explain
>>> x = Value(3.0, label="x")
>>> y = x * x
>>> y.label = "y"
>>> print(explain(y))
backward from y (data 9): parent.grad += upstream * local
y.grad = 1 (the seed)
step  node -> parent  upstream  local  product  running sum
   1  y -> x                 1      3        3            3
   2  y -> x                 1      3        3            6
>>> x.grad  # explain computes, it does not touch any .grad
0.0

`explain` runs backward's own walk on a copy of the graph, so the steps come
in exactly the order `backward()` takes them and every sum is bit for bit the
gradient `backward()` gives (from zeroed grads); the graph itself is left as
it was.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, cast, overload

from autograd import engine
from autograd.engine import Value
from autograd.graph import topological_order

__all__ = ["Explanation", "Step", "copy_graph", "explain"]

HTML_ROWS: Final = 500
"""The most steps the notebook table shows; iterate the explanation for all."""

_COLUMNS: Final = ("upstream", "local", "product", "running sum")


@dataclass(frozen=True)
class Step:
    """One edge of backward: ``parent.grad += upstream * local``."""

    node: Value
    """The node whose gradient flows back: its op's result."""
    parent: Value
    """The operand that receives a share of it."""
    slot: int
    """Which operand of `node` `parent` is (0 or 1): ``a + a`` takes two steps."""
    upstream: float
    """d(root)/d(node), complete by the time `node` is reached."""
    local: float
    """d(node)/d(parent), computed in the forward pass (the edge's label)."""
    product: float
    """upstream * local: this edge's contribution."""
    running_sum: float
    """d(root)/d(parent) so far: the sum of its contributions up to this one."""


class Explanation:
    """The steps of `backward()` from a root: printable, iterable, shown in Jupyter."""

    def __init__(
        self,
        root: Value,
        steps: tuple[Step, ...],
        grads: dict[Value, float],
        names: dict[Value, str],
    ) -> None:
        """Hold `steps` in backward order and each node's final gradient `grads`."""
        self.root = root
        self.steps = steps
        self.grads = grads
        """d(root)/d(node) for every node of the graph, the root's own 1.0 included."""
        self.names = names
        """What the table calls each node: its label, else its op and position."""

    def __iter__(self) -> Iterator[Step]:
        """The steps in the order backward takes them."""
        return iter(self.steps)

    def __len__(self) -> int:
        """How many edges backward walks."""
        return len(self.steps)

    @overload
    def __getitem__(self, k: int) -> Step: ...
    @overload
    def __getitem__(self, k: slice) -> tuple[Step, ...]: ...
    def __getitem__(self, k: int | slice) -> Step | tuple[Step, ...]:
        """Step `k` (or a slice of steps), counting from 0."""
        return self.steps[k]

    def _rows(self, steps: tuple[Step, ...]) -> list[tuple[str, ...]]:
        return [
            (
                str(k),
                f"{self.names[s.node]} -> {self.names[s.parent]}",
                *(_number(x) for x in (s.upstream, s.local, s.product, s.running_sum)),
            )
            for k, s in enumerate(steps, start=1)
        ]

    def _title(self) -> str:
        return (
            f"backward from {self.names[self.root]} "
            f"(data {_number(self.root._data)}): parent.grad += upstream * local"
        )

    def __str__(self) -> str:
        """The table: one line per edge, in backward order."""
        header = ("step", "node -> parent", *_COLUMNS)
        rows = [header, *self._rows(self.steps)]
        widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
        lines = [self._title(), f"{self.names[self.root]}.grad = 1 (the seed)"]
        for row in rows:
            cells = [
                cell.ljust(w) if c == 1 else cell.rjust(w)
                for c, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<Explanation of backward from {self.names[self.root]!r}: "
            f"{len(self.steps)} steps>"
        )

    def _repr_html_(self) -> str:
        """The table as HTML for Jupyter (labels escaped; long tables cut short)."""
        shown = self.steps[:HTML_ROWS]
        head = "".join(
            f"<th>{c}</th>" for c in ("step", "node &rarr; parent", *_COLUMNS)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="text-align:{"left" if c == 1 else "right"}">'
                f"{html.escape(cell)}</td>"
                for c, cell in enumerate(row)
            )
            + "</tr>"
            for row in self._rows(shown)
        )
        more = len(self.steps) - len(shown)
        note = (
            f"<p>&hellip; {more:,} more steps: iterate the explanation to see all.</p>"
            if more
            else ""
        )
        return (
            f'<div class="autograd-explain"><p>{html.escape(self._title())}<br>'
            f"{html.escape(self.names[self.root])}.grad = 1 (the seed)</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"{note}</div>"
        )


def _name(v: Value, position: int) -> str:
    """A node's label, or its op (or 'leaf') and its place in forward order."""
    return v.label or f"{v.op or 'leaf'}#{position}"


def _number(x: float) -> str:
    return format(x, ".6g")


def copy_graph(root: Value) -> dict[Value, Value]:
    """A copy of every node below `root`, keyed by the original, in forward order.

    The copies have the originals' data, labels, ops, operands (copied) and
    use counts, and zero grads: backward on them takes the same steps.
    """
    copy: dict[Value, Value] = {}
    for v in topological_order(root):
        c = engine._leaf(v._data)
        c.label = v.label
        c._row, c._d0, c._d1 = v._row, v._d0, v._d1
        c._p0 = copy[v._p0] if isinstance(v._p0, Value) else v._p0
        c._p1 = copy[v._p1] if isinstance(v._p1, Value) else v._p1
        # Consumers outside the graph change backward's order: keep the count.
        c._uses = v._uses
        copy[v] = c
    return copy


def explain(root: Value) -> Explanation:
    """The chain-rule steps `root.backward()` takes, without changing any `grad`.

    Each step adds upstream * local to a parent's running sum; the final sums
    (`Explanation.grads`) equal what `backward()` gives from zeroed grads, bit
    for bit. Iterative: graphs of any depth work.
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"explain: root must be a Value (the result to differentiate, such as "
            f"a loss), got {type(root).__name__}"
        )
    # A copy of the graph, so backward's walk can run and leave `grad` alone.
    copy = copy_graph(root)
    original = {c: v for v, c in copy.items()}
    names = {v: _name(v, i) for i, v in enumerate(copy)}
    seen: list[tuple[Value, float, float]] = []

    def record(node: Value, product: float, before: float) -> None:
        seen.append((node, product, before))

    engine._propagate(copy[root], 1.0, record)
    steps = []
    previous: Value | None = None
    slots: Iterator[int] = iter(())
    for node, product, before in seen:
        # The walk takes a node's Value operands in slot order, one call each.
        if node is not previous:
            previous = node
            slots = (k for k, p in enumerate(node.operands) if isinstance(p, Value))
        k = next(slots)
        parent = node._p0 if k == 0 else node._p1
        assert isinstance(parent, Value)
        steps.append(
            Step(
                node=original[node],
                parent=original[parent],
                slot=k,
                upstream=cast(float, node.grad),
                local=node.local_grads[k],
                product=product,
                # 0.0 + : backward adds the total to a zeroed grad (-0.0 -> 0.0).
                running_sum=0.0 + (before + product),
            )
        )
    grads = {v: cast(float, c.grad) for v, c in copy.items()}
    return Explanation(root, tuple(steps), grads, names)
