"""The fast backward sweep: `reference_backward`'s floats, on the nodes' slots.

Part of the core (`autograd.core`). The order is found by a depth-first
search that marks each node it reaches in its `_g` slot, and the sweep then
keeps each adjoint there instead of in a dict: no hashing, no dict, one
attribute per edge. It runs only while `Value` has no subclass (so a node's
class is `Value` exactly, ``root.__class__``), no hook is registered and
anomaly mode is off; otherwise `Value.backward` takes `reference_backward`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from autograd._modes import passes
from autograd.graph import topological_order

__all__ = ["backward_fast", "backward_order", "subclasses"]

subclasses: list[type] = []
"""Every subclass of Value defined so far (`Value.__init_subclass__` adds it)."""


def backward_order(root: Any) -> list[Any]:
    """The nodes below `root` in the order `backward` processes them.

    Every node reachable from `root`, once, each before all of its operands:
    the reverse of a depth-first post-order that takes operand 0 before
    operand 1 (the same list as ``reversed(topological_order(root))``).
    A pass with seed ``s`` sums exactly like this:

    1. the adjoint of `root` is ``s`` itself; every other adjoint starts at 0.0;
    2. for ``v`` in this order, its adjoint ``g`` is complete: ``v.grad += g``,
       then ``adjoint(v._p0) += v._d0 * g`` if ``_p0`` is a Value, then the
       same for ``_p1``. So a node's contributions are added in the order
       its consumers appear here, operand 0 before operand 1 of one consumer.

    Leaves are in the list too (their ``grad += g`` happens when reached).
    """
    if subclasses:
        return topological_order(root)[::-1]
    with passes, _marked(root) as order:
        for v in order:
            v._g = None
    return order


@contextmanager
def _marked(root: Any) -> Iterator[list[Any]]:
    """`_marked_order(root)` for a pass over it. Whatever stops the pass (an
    error, Ctrl-C) clears every node's mark, so later passes start clean."""
    if root._g is not None:  # marked by a pass still running: not ours to clear
        raise RuntimeError(
            "backward: this graph is already being differentiated "
            "(by another thread, or by a hook calling backward)"
        )
    try:
        yield _marked_order(root)
    except BaseException:
        for v in topological_order(root):
            v._g = None
        raise


def _marked_order(root: Any) -> list[Any]:
    """`backward_order`, leaving every node's `_g` at 0.0, ready for the sweep.

    An iterative depth-first search: a node's `_g` is None until the search
    reaches it, 0.0 from then on (a graph has no cycles, so a node reached
    is never reached again through its own operands).
    """
    node = root.__class__  # Value: the fast walks run when it has no subclass
    order: list[Any] = []
    path: list[Any] = []  # the nodes whose operands are being visited
    v = root
    v._g = 0.0
    while True:
        # Go down operand 0 while it is a node not reached yet.
        p = v._p0
        while p.__class__ is node and p._g is None and p._row is not None:
            p._g = 0.0
            path.append(v)
            v = p
            p = v._p0
        if p.__class__ is node and p._g is None:  # a leaf: done once reached
            p._g = 0.0
            order.append(p)
        # Operand 0 of `v` is done: visit operand 1, or finish `v` and go up.
        while True:
            p = v._p1
            if p.__class__ is node and p._g is None:
                if p._row is None:
                    p._g = 0.0
                    order.append(p)
                else:
                    p._g = 0.0
                    path.append(v)
                    v = p
                    break
            order.append(v)
            if not path:
                order.reverse()
                return order
            v = path.pop()


def backward_fast(root: Any, seed: float) -> list[Any]:
    """`reference_backward` on the nodes' own slots: the same floats, same
    order, which it returns (`backward_order(root)`)."""
    node = root.__class__  # Value: the fast walks run when it has no subclass
    with _marked(root) as order:
        root._g = seed
        for v in order:
            g = v._g
            v._g = None
            v._grad += g
            p = v._p0
            if p.__class__ is node:
                p._g += v._d0 * g
            p = v._p1
            if p.__class__ is node:
                p._g += v._d1 * g
    return order
