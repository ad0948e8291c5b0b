"""Pickling and deep-copying graphs, at any depth, without recursion.

`pickle` and `copy.deepcopy` recurse into an object's parts, so a chain of
10^5 nodes would overflow the stack. Instead a Value is written as its whole
graph laid out flat: the nodes in an order where operands come before the
nodes that use them, one column per field, operands and Value gradients as
positions in that order. Loading rebuilds the nodes in that order; it runs
nothing but node construction and row look-ups (table rows by name; user
primitives by their module-level name, which pickle imports like a function).

Kept: data, grad (a float, or a Value with its own graph), each node's
class (a Value subclass, by reference like a primitive), its `__dict__` (a
label, micrograd-style free attributes such as an optimizer's ``p.m``: for
pickle they must pickle themselves; deepcopy copies them through its memo,
`copy.copy` shares them), each node's row, operands in order (so ``a + a``
keeps both edges to one node and a DAG stays a DAG), constants, local
derivatives, detached leaves. Several Values pickled together (a list of
losses of one model) share the nodes they shared: each node carries a token,
and one load makes each token once.
"""

from __future__ import annotations

import copy
import copyreg
import pickle
import sys
from collections.abc import Container
from typing import Any

from autograd._modes import user_read
from autograd.core import Value, leaf
from autograd.ops import OPS, Op
from autograd.primitive import Primitive, _primitive_of

__all__ = ["deepcopy", "reduce"]


class _Stream:
    """The nodes loaded so far from one pickle stream, by their token.

    Pickle writes this object once per stream and refers back to it, so all
    Values of one stream share one instance on loading, and each load makes
    a fresh one. `_DUMPING` is the instance used while writing.
    """

    __slots__ = ("nodes",)

    def __init__(self) -> None:
        self.nodes: dict[int, Value] = {}

    def __reduce__(self) -> tuple[type[_Stream], tuple[()]]:
        return (_Stream, ())


# Never filled: `copy.copy` calls `_rebuild` with it as is (not pickled), and
# then every call must make new nodes.
_DUMPING = _Stream()

RowRef = str | Primitive | None
Attributes = dict[str, Any] | None


def _walk(root: Value, done: Container[int]) -> list[Value]:
    """Nodes reachable from `root` through operands and Value grads, by id not `done`.

    Each node comes after its operands: a depth-first post-order, operand 0
    first, on an explicit stack (a None on it means "the node expanded last
    is finished"). A Value grad's graph is walked after the node holding it:
    grads are assigned once every node exists.
    """
    order: list[Value] = []
    seen: set[int] = set()
    roots = [root]
    while roots:
        stack: list[Value | None] = [roots.pop()]
        expanded: list[Value] = []
        while stack:
            v = stack.pop()
            if v is None:
                order.append(expanded.pop())
                continue
            if id(v) in seen or id(v) in done:
                continue
            seen.add(id(v))
            stack.append(None)
            expanded.append(v)
            # Operand 1 pushed first, so operand 0 is finished first.
            if isinstance(v._p1, Value) and id(v._p1) not in seen:
                stack.append(v._p1)
            if isinstance(v._p0, Value) and id(v._p0) not in seen:
                stack.append(v._p0)
            if isinstance(v.grad, Value):
                roots.append(v.grad)
    return order


def _row_ref(row: Op | None) -> RowRef:
    """How a row is written: None (a leaf), a table row's name, or its primitive."""
    if row is None:
        return None
    if OPS.get(row.name) is row:
        return row.name
    made = _primitive_of(row)
    if made is None:
        raise pickle.PicklingError(
            f"cannot pickle a node of op {row.name!r}: its row is neither in the op "
            "table nor made by autograd.primitive"
        )
    _check_reference(made, f"a node of the primitive {row.name!r}", "primitive")
    return made


def _check_reference(obj: Any, what: str, kind: str) -> None:
    """Refuse `obj` (a primitive or a class) unless its module-level name is it."""
    found: object = sys.modules.get(obj.__module__)
    for part in obj.__qualname__.split("."):
        found = getattr(found, part, None)
    if found is not obj:
        raise pickle.PicklingError(
            f"cannot pickle {what}: it is pickled by reference, as "
            f"{obj.__module__}.{obj.__qualname__}, but that name does not refer "
            f"to it (define the {kind} at the top level of an importable module, "
            "and do not redefine it)"
        )


def _class_of(v: Value) -> type[Value] | None:
    """A node's class as a column holds it: None for Value itself."""
    cls = type(v)
    if cls is Value:
        return None
    for base in cls.__mro__[: cls.__mro__.index(Value)]:
        if any(slot not in ("__dict__", "__weakref__") for slot in _slots(base)):
            raise TypeError(
                f"cannot copy a node of the Value subclass {cls.__qualname__}: it "
                "declares its own __slots__, which are not copied (keep extra "
                "state in the instance __dict__: drop the __slots__)"
            )
    return cls


def _slots(cls: type) -> tuple[str, ...]:
    slots = cls.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


# Library state in a node's `__dict__` that a copy does not take: micrograd's
# `_backward` closes over the original nodes (the copy's is made from its own
# local derivatives), and gradient hooks belong to the node they were
# registered on (as in PyTorch, where a copy has none).
_NOT_COPIED = frozenset({"_micrograd_backward", "_grad_hooks"})


def _attributes(v: Value) -> Attributes:
    """A node's `__dict__` as a column holds it: None when empty."""
    attributes = v.__dict__
    if not attributes:
        # Reading `__dict__` made one: most nodes have none, so
        # drop it again rather than grow the graph being copied.
        del v.__dict__
        return None
    if _NOT_COPIED.intersection(attributes):
        attributes = {k: x for k, x in attributes.items() if k not in _NOT_COPIED}
    return attributes or None


def _row(ref: RowRef) -> Op | None:
    if ref is None:
        return None
    if isinstance(ref, Primitive):
        return ref.row
    if isinstance(ref, str) and ref in OPS:
        return OPS[ref]
    raise pickle.UnpicklingError(
        f"unknown op {ref!r} in a pickled graph: not a row of this version's op table"
    )


def reduce(root: Value) -> tuple[Any, ...]:
    """Value's reducer (`copyreg`): the graph below `root`, flat, for `_rebuild`."""
    order = _walk(root, ())
    position = {id(v): i for i, v in enumerate(order)}

    def operand(p: object) -> object:
        return position[id(p)] if isinstance(p, Value) else p

    value_grads = {
        i: position[id(v.grad)]
        for i, v in enumerate(order)
        if isinstance(v.grad, Value)
    }
    classes = [_class_of(v) for v in order]
    for cls in set(classes) - {None}:
        _check_reference(cls, f"a node of the Value subclass {cls!r}", "class")
    columns = (
        [id(v) for v in order],
        [v._data for v in order],
        classes,
        [_attributes(v) for v in order],
        [_row_ref(v._row) for v in order],
        [operand(v._p0) for v in order],
        [operand(v._p1) for v in order],
        [v._d0 for v in order],
        [v._d1 for v in order],
        [0.0 if isinstance(v.grad, Value) else v.grad for v in order],
        value_grads,
    )
    return (_rebuild, (_DUMPING, columns, position[id(root)]))


def _rebuild(stream: _Stream, columns: tuple[Any, ...], root: int) -> Value:
    """The Values `reduce` wrote, made once per stream; returns the root."""
    tokens, data, classes, attributes, rows, p0, p1, d0, d1, grads, value_grads = (
        columns
    )
    known = {} if stream is _DUMPING else stream.nodes
    made: list[Value] = []
    new: list[int] = []

    def operand(p: object) -> object:
        if type(p) is int:
            if not 0 <= p < len(made):
                raise pickle.UnpicklingError("a pickled graph refers to a later node")
            return made[p]
        return p

    for i, token in enumerate(tokens):
        v = known.get(token)
        if v is None:
            v = leaf(data[i], classes[i])
            if attributes[i] is not None:
                # A loaded dict is the node's own (it may still be filling in,
                # when an attribute leads back to this node); `copy.copy`'s is
                # the original's, so it takes a shallow copy.
                fresh = stream is not _DUMPING
                v.__dict__ = attributes[i] if fresh else dict(attributes[i])
            v.grad = grads[i]
            v._row = _row(rows[i])
            v._p0 = operand(p0[i])  # type: ignore[assignment]
            v._p1 = operand(p1[i])  # type: ignore[assignment]
            v._d0, v._d1 = d0[i], d1[i]
            known[token] = v
            new.append(i)
        made.append(v)
    for i in new:
        if i in value_grads:
            made[i].grad = made[value_grads[i]]
    return made[root]


def deepcopy(root: Value, memo: dict[int, Any]) -> Value:
    """`copy.deepcopy` of a Value: copies of its graph's nodes, sharing in `memo`."""
    order = _walk(root, memo)
    keep_alive = memo.setdefault(id(memo), [])  # as copy.deepcopy does
    for v in order:
        c = leaf(v._data, _class_of(v))
        c.grad = v.grad
        c._row = v._row
        c._p0 = memo[id(v._p0)] if isinstance(v._p0, Value) else v._p0
        c._p1 = memo[id(v._p1)] if isinstance(v._p1, Value) else v._p1
        c._d0, c._d1 = v._d0, v._d1
        memo[id(v)] = c
        keep_alive.append(v)
    # After every node exists, so attributes and grads naming a node of this
    # graph find its copy in the memo.
    for v in order:
        if isinstance(v.grad, Value):
            memo[id(v)].grad = memo[id(v.grad)]
        attributes = _attributes(v)
        if attributes:
            memo[id(v)].__dict__ = copy.deepcopy(attributes, memo)
    copied: Value = memo[id(root)]
    return copied


class _Reducer:
    """Value's entry in `copyreg`: `pickle` calls it (`reduce`); `copy.deepcopy`
    calls its `deepcopy` (through `Value.__deepcopy__`, which finds it here)."""

    def __call__(self, root: Value) -> tuple[Any, ...]:
        """Pickle `root`'s graph."""
        user_read(root)  # a copy holds the numbers as they are now
        return reduce(root)

    def deepcopy(self, root: Value, memo: dict[int, Any]) -> Value:
        """Deep-copy `root`'s graph."""
        user_read(root)
        return deepcopy(root, memo)


copyreg.pickle(Value, _Reducer())
