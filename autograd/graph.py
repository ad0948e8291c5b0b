"""Iterative graph walks shared by everything that visits a computation graph.

Nothing here recurses, so a chain of a million nodes is walked as easily as a
short one, and nothing iterates a set, so the order is the same on every run.
(`Value.backward` has its own fused walk, the hot loop of the library.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar, cast

__all__ = ["topological_order"]


class _Node(Protocol):
    """A node as a walk sees it: its parents (a `Value`'s Value operands)."""

    @property
    def parents(self) -> tuple[Any, ...]:
        """The nodes this one was computed from, in operand order."""


Value = TypeVar("Value", bound=_Node)


def topological_order(roots: Value | Iterable[Value]) -> list[Value]:
    """Every node reachable from `roots`, each after all of its parents.

    Leaves come first and the roots last; the order depends only on the graph
    (operand order), never on memory addresses or hashing.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> [v.label or v.op for v in topological_order(a * a + 1)]
    ['a', 'mul', 'add']
    """
    # One Value, or several: a Value is not iterable, so look for `parents`.
    starts = [cast("Value", roots)] if hasattr(roots, "parents") else list(roots)
    order: list[Value] = []
    seen: set[Value] = set()  # membership only (identity hashing), never iterated
    for root in starts:
        if root in seen:
            continue
        seen.add(root)
        stack: list[tuple[Value, tuple[Value, ...]]] = [(root, root.parents)]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:
                    seen.add(parent)
                    stack.append((parent, parent.parents))
                    break
            else:
                stack.pop()
                order.append(node)
    return order
