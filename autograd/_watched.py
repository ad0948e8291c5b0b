"""A backward pass watched by gradient hooks and anomaly mode.

`reference_backward` reads each node's adjoint once, when it is complete, and
then adds ``local * adjoint`` to each operand's, in operand order. Given this
table instead of a plain dict, the same loop runs the node's hooks on that
read (a hook may replace the adjoint) and, in anomaly mode, checks each
addition before it is made. So hooks and anomaly wrap the chain rule, and
the chain rule stays the textbook's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd._anomaly import check_gradient
from autograd._hooks import hooks_now, run_hooks
from autograd._inputs import Node
from autograd._modes import ANOMALY, mode

__all__ = ["WatchedAdjoints", "adjoint_table"]


class WatchedAdjoints(dict[Any, float]):
    """Adjoints by node, watched: hooks run as one is read, checks as one is added."""

    def __init__(self, order: Sequence[Any], check: bool) -> None:
        super().__init__()
        self.hooks = hooks_now(order)
        self.check = check
        self.node: Any = None  # the node whose contributions are being added
        self.contributions: list[float] = []  # its, still to add, in operand order

    def __getitem__(self, v: Any) -> float:
        g = super().__getitem__(v)
        if v in self.hooks:  # a hook may replace it (clipping, logging)
            g = run_hooks(self.hooks[v], g, graph=False)
        if self.check:
            self.node = v
            edges = ((v._p0, v._d0), (v._p1, v._d1))
            self.contributions = [d * g for p, d in edges if isinstance(p, Node)]
        return g

    def __setitem__(self, p: Any, total: float) -> None:
        if self.node is not None:
            check_gradient(self.node, self.contributions.pop(0), self.get(p, 0.0))
        super().__setitem__(p, total)


def adjoint_table(order: Sequence[Any]) -> dict[Any, float]:
    """The table for a pass over `order`: watched if hooks or anomaly mode need it."""
    check = bool(mode.get() & ANOMALY)
    watched = WatchedAdjoints(order, check)
    return watched if check or watched.hooks else {}
