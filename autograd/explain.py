"""The chain rule, one edge at a time: what `backward()` does, as a table.

>>> from autograd import Value, explain
>>> x = Value(3.0, label="x")
>>> y = x * x
>>> y.label = "y"
>>> print(explain(y))
backward from y (data 9): parent.grad += upstream * local
y.grad = 1 (the seed)
step  node -> parent  upstream  local  product  running sum  local, by its rule
   1  y -> x                 1      3        3            3  d(x * y)/dx = y = 3
   2  y -> x                 1      3        3            6  d(x * y)/dy = x = 3
>>> x.grad  # explain computes, it does not touch any .grad
0.0

The last column is the op table's rule for the local derivative, with the
operands' numbers put in (`local_rule`): ``d tanh(x)/dx = 1 - tanh(x)^2 =
1 - 0.462117^2 = 0.786448``.

`explain` sums in backward's documented order (`autograd.core.backward_order`:
each node after every node that uses it, its operands in slot order), so
every sum is bit for bit the gradient `backward()` gives from zeroed grads;
the graph itself is left as it was.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, overload

from autograd._hooks import hooks_now
from autograd._numbers import number
from autograd._rules import Rule, local_rule
from autograd.core import Value
from autograd.graph import topological_order

__all__ = ["Explanation", "Rule", "Step", "explain", "local_rule"]

HTML_ROWS: Final = 500
"""The most steps the notebook table shows; iterate the explanation for all."""

_COLUMNS: Final = ("upstream", "local", "product", "running sum")
_RULE_COLUMN: Final = "local, by its rule"


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

    def rule(self, fmt: str = ".6g") -> Rule:
        """Why `local` is what it is: the op's rule with this edge's numbers."""
        return local_rule(self.node, self.slot, fmt)


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
                str(s.rule()),
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
        header = ("step", "node -> parent", *_COLUMNS, _RULE_COLUMN)
        rows = [header, *self._rows(self.steps)]
        widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
        lines = [self._title(), f"{self.names[self.root]}.grad = 1 (the seed)"]
        for row in rows:
            cells = [
                cell.ljust(w) if c in (1, len(header) - 1) else cell.rjust(w)
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
            f"<th>{c}</th>"
            for c in ("step", "node &rarr; parent", *_COLUMNS, _RULE_COLUMN)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="text-align:{"left" if c in (1, 6) else "right"}">'
                f"{_html(cell)}</td>"
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
            f'<div class="autograd-explain"><p>{_html(self._title())}<br>'
            f"{_html(self.names[self.root])}.grad = 1 (the seed)</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"{note}</div>"
        )


def _html(text: str) -> str:
    """`text` escaped for HTML; a lone surrogate (no file can encode it) as '?'."""
    return html.escape(text.encode("utf-8", "replace").decode("utf-8"))


def _name(v: Value, position: int) -> str:
    """A node's label, or its op (or 'leaf') and its place in forward order."""
    return v.label or f"{v.op or 'leaf'}#{position}"


def _number(x: float) -> str:
    return number(x, ".6g")


def explain(root: Value) -> Explanation:
    """The chain-rule steps `root.backward()` takes, without changing any `grad`.

    Each step adds upstream * local to a parent's running sum; the final sums
    (`Explanation.grads`) equal what `backward()` gives from zeroed grads, bit
    for bit. Iterative: graphs of any depth work. A graph with a gradient hook
    (`Value.register_hook`) is a ValueError: the hook could change backward's
    numbers.
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"explain: root must be a Value (the result to differentiate, such as "
            f"a loss), got {type(root).__name__}"
        )
    order = topological_order(root)
    names = {v: _name(v, i) for i, v in enumerate(order)}
    hooked = list(hooks_now(order))
    if hooked:
        # backward runs them and they may change the gradients: no silent mismatch.
        raise ValueError(
            f"explain: {names[hooked[0]]!r} has a gradient hook (register_hook), "
            "which backward runs and explain does not; remove it (handle.remove()) "
            "to explain the plain chain rule"
        )
    # backward's order: each node after every node that uses it, so its
    # adjoint is complete when reached; its operands in slot order.
    adjoint = {root: 1.0}
    steps = []
    for v in reversed(order):
        upstream = adjoint[v]
        for k, (p, local) in enumerate(zip(v.operands, v.local_grads, strict=True)):
            if isinstance(p, Value):
                product = local * upstream
                running = adjoint.get(p, 0.0) + product
                adjoint[p] = running
                steps.append(Step(v, p, k, upstream, local, product, running))
    # backward adds each adjoint to a grad: from 0.0, that is 0.0 + adjoint.
    grads = {v: 0.0 + adjoint[v] for v in order}
    return Explanation(root, tuple(steps), grads, names)
