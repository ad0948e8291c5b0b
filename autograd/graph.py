"""Iterative graph walks shared by everything that visits a computation graph.

Nothing here recurses, so a chain of a million nodes is walked as easily as a
short one, and nothing iterates a set, so the order is the same on every run.
(`Value.backward` has its own fused walk, the hot loop of the library.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from autograd.engine import Value

__all__ = ["topological_order"]


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
    seen: set[int] = set()
    for root in starts:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack: list[tuple[Value, Iterator[Value]]] = [(root, iter(root.parents))]
        while stack:
            node, pending = stack[-1]
            for parent in pending:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append((parent, iter(parent.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order
