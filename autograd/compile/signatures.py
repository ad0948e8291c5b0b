"""Signatures: what makes two equations of a tape copies of each other.

Loop rolling (`loops`) looks for a block of equations whose signatures come
again and again: the same rows, reading nodes as far back, and the same
leaves (by identity, or by how far back the same leaf was last read).
Constants are left out: they may differ between copies.
"""

from __future__ import annotations

import itertools
import operator
import struct
from collections.abc import Iterable
from typing import Any, Final, final

from autograd.compile.tape import Equation
from autograd.core import Value

__all__ = ["Signatures", "signatures"]

# A node's signature: its row (by id, and whether gradients flow through it),
# how far back each operand node is, and per operand a number for the leaf it
# reads (0 for none; see `_repeats`).
_SIGNATURE: Final = struct.Struct("<QIIII")


@final
class Signatures:
    """Per node: its signature, where each operand node is, and the next same node.

    A node's signature is its op and, per operand, the distance back to the
    node it reads and a number for the leaf it reads (constants are left
    out: they may differ between copies).
    """

    def __init__(
        self,
        ops: list[int],
        backs: tuple[list[int], list[int]],
        leaves: tuple[list[int], list[int]],
    ) -> None:
        self.ops, self.backs, self.leaves = ops, backs, leaves
        # Whole-list operations (map) run at C speed. A signature is bytes,
        # not a tuple, so the cycle collector has nothing new to scan.
        self.signatures = list(map(_SIGNATURE.pack, ops, *backs, *leaves))
        # The next node with the same signature, for each node (-1: none).
        self.following = [-1] * len(ops)
        last: dict[bytes, int] = {}
        for k in reversed(range(len(ops))):
            s = self.signatures[k]
            self.following[k] = last.get(s, -1)
            last[s] = k

    def same_node(self, a: int, b: int, skip: Iterable[int], leaves: bool) -> bool:
        """True if nodes a and b match: op, operands (and leaves), but slots `skip`."""
        if self.ops[a] != self.ops[b]:
            return False
        for slot in (0, 1):
            if slot in skip:
                continue
            if self.backs[slot][a] != self.backs[slot][b]:
                return False
            if leaves and self.leaves[slot][a] != self.leaves[slot][b]:
                return False
        return True


def signatures(
    nodes: list[Equation], index: dict[Equation, int], shared_leaves: bool
) -> Signatures:
    """Every node's signature, leaves told apart by identity or by distance."""
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
        leaf0 = list(map(leaf.get, firsts, zeros))
        leaf1 = list(map(leaf.get, seconds, zeros))
    else:
        leaf0, leaf1 = _previous_uses(index, firsts, seconds)
    return Signatures(ops, (back0, back1), (leaf0, leaf1))


def _previous_uses(
    index: dict[Any, int], firsts: list[Any], seconds: list[Any]
) -> tuple[list[int], list[int]]:
    """Per operand: 1 + how far back the same leaf was read, 0 if never before."""
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
