"""micrograd's names on our Value: `_prev`, `_op`, `_backward`, its constructor.

micrograd's Value keeps its children in `_prev`, a string for its op in
`_op`, and its derivative as a closure in `_backward` that adds
``local * out.grad`` to each child's ``grad``. Code written for it (the
`draw_dot` every tutorial copies, the lecture's hand-written ops) reads and
writes those names. Here they are views of our node, plus one way in:

- ``Value(data, (a, b), "op")`` makes a node with one or two children whose
  local derivatives come from the closure assigned next to its `_backward`.
  The closure is called right then, with ``out.grad`` set to 1, 2 and -1
  and the children's ``grad`` at 0: what it adds to each child is that
  child's local derivative. The calls must agree (adding exactly twice and
  minus the first), or the closure is not the chain rule and is refused.
  The calls run watched, as `autograd.compile` watches a trace: assigning
  the ``grad`` of any Value but a child (however the closure reaches it:
  a free variable, an attribute, a default argument, `functools.partial`),
  or any ``data``, or calling ``backward`` or ``zero_grad``, is stopped
  before it happens and refuses the closure (backward would never pass
  such a Value a gradient); the children's and the node's ``grad`` are
  put back, so reading a closure changes no number a user can see.
  From then on the node is an ordinary node: `backward`, `viz`, `explain`
  all read its local derivatives. Its rule is not known as a formula, so
  ``backward(create_graph=True)`` through it is refused, pointing to
  `autograd.primitive`, which gives any order.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

from autograd import _modes
from autograd._inputs import Node, to_float
from autograd._modes import is_grad_enabled, tell_changed
from autograd.ops import Op

Value = Any  # a node (`autograd.value.Value`, which delegates to this module)

__all__ = ["backward_closure", "init_node", "op_string", "set_backward"]

# micrograd's spelling where it differs from the row's symbol.
_MICROGRAD_SYMBOLS = {"relu": "ReLU"}


def _no_forward(*operands: float) -> float:
    raise TypeError(
        "a node made with micrograd's Value(data, children, op) has no forward "
        "function to run again; define the op with autograd.primitive instead"
    )


def _no_rule(*arguments: object) -> tuple[float, ...]:
    raise TypeError(
        "a node made with micrograd's Value(data, children, op) knows its local "
        "derivatives as numbers only, so it has no derivative of higher order "
        "(backward(create_graph=True), grad of grad); define the op with "
        "autograd.primitive(derivative=...) instead"
    )


_ROWS: dict[tuple[int, str], Op] = {}


def _row(arity: int, symbol: str) -> Op:
    """The row of micrograd-style nodes with `arity` children and op `symbol`."""
    row = _ROWS.get((arity, symbol))
    if row is None:
        row = _ROWS[(arity, symbol)] = Op(
            symbol or "micrograd",
            arity,
            _no_forward,
            _no_rule,
            symbol,
            "a node made with micrograd's constructor; its derivative came from "
            "its _backward closure",
            ((-1.0, 1.0),) * arity,
        )
    return row


def init_node(v: Value, children: Iterable[Value], op: str) -> None:
    """Make `v` a node of micrograd's kind: `children` distinct, at most two."""
    if isinstance(children, str):
        raise TypeError(
            "Value: the second argument is micrograd's _children (a tuple of "
            f"Values); pass a label as label={children!r}"
        )
    if not isinstance(op, str):
        raise TypeError(f"Value: _op must be a str, got {type(op).__name__}")
    kids = tuple(dict.fromkeys(children))  # micrograd keeps a set: a + a has one
    if not all(isinstance(k, Node) for k in kids):
        raise TypeError("Value: _children must be Values")
    if len(kids) > 2:
        raise TypeError(
            f"Value: a node takes at most two children, got {len(kids)}; "
            "compose it from smaller ops or define it with autograd.primitive"
        )
    tell_changed(v, "made a node with micrograd's Value(data, children)")
    if not kids or not is_grad_enabled():
        v.__dict__["_micrograd_op"] = op  # a leaf, as ops are under no_grad
        return
    v._row = _row(len(kids), op)
    v._p0, v._d0 = kids[0], 0.0  # no closure yet: micrograd's does nothing
    if len(kids) == 2:
        v._p1, v._d1 = kids[1], 0.0


def op_string(v: Value) -> str:
    """micrograd's `_op` of `v`."""
    row: Op | None = v._row
    if row is None:
        return str(v.__dict__.get("_micrograd_op", ""))
    if row.name == "pow" and not isinstance(v._p1, v.__class__):
        k = float(v._p1)
        return f"**{int(k) if k.is_integer() else k}"
    return _MICROGRAD_SYMBOLS.get(row.name, row.symbol)


def backward_closure(v: Value) -> Callable[[], None]:
    """micrograd's `_backward` of `v`: children's grad += local * v.grad."""
    kept = v.__dict__.get("_micrograd_backward")
    closure = kept() if kept is not None else None
    if closure is not None:
        return closure  # type: ignore[no-any-return]

    def chain_rule() -> None:
        for p, local in zip(v.operands, v.local_grads, strict=True):
            if isinstance(p, v.__class__):
                p.grad += local * v.grad

    return chain_rule


def set_backward(v: Value, closure: Callable[[], None]) -> None:
    """Read `closure`'s local derivatives off it (see the module docstring)."""
    row = v._row
    if row is None or _ROWS.get((row.arity, row.symbol)) is not row:
        raise TypeError(
            "_backward can be assigned only on a node made with micrograd's "
            "constructor Value(data, (child, ...), op); this node's derivative "
            "is its op's row"
        )
    if not callable(closure):
        raise TypeError(f"_backward must be callable, got {type(closure).__name__}")
    children = v._prev
    once, twice, minus = (
        _contributions(v, children, closure, seed) for seed in (1.0, 2.0, -1.0)
    )
    if any(2.0 * a != b or -a != c for a, b, c in zip(once, twice, minus, strict=True)):
        raise ValueError(
            f"_backward of this {v._op!r} node is not linear in out.grad "
            f"(with out.grad = 1 it adds {once}, with 2 {twice}, with -1 {minus}); "
            "a chain-rule closure adds local_derivative * out.grad to each child"
        )
    # Held weakly: micrograd's closure refers to `out` itself, and a node
    # reachable from its own attributes would wait for the cycle collector
    # (the compiled core's nodes are never collected). Once the user's code
    # drops the closure, `_backward` is the same chain rule, from the local
    # derivatives read off it here.
    v.__dict__["_micrograd_backward"] = _weakly(closure)
    v._d0 = once[0]
    if len(once) == 2:
        v._d1 = once[1]


def _weakly(closure: Callable[[], None]) -> Callable[[], Callable[[], None] | None]:
    """A weak reference to `closure`, or a strong one if it takes none."""
    try:
        return weakref.ref(closure)
    except TypeError:  # a callable object without `__weakref__`
        return lambda: closure


class _Probe:
    """What the engine tells about a closure whose derivatives are being read:
    any change but an assignment to a child's grad is stopped and remembered."""

    def __init__(self, children: tuple[Value, ...]) -> None:
        self.children = children
        self.stopped: tuple[Value, str] | None = None

    def changed(self, v: Value, what: str) -> None:
        """Allow a child's grad to be assigned; stop anything else."""
        if what == "assigned v.grad" and any(v is c for c in self.children):
            return
        # Kept even if the closure catches the error: it is refused anyway.
        self.stopped = self.stopped or (v, what)
        raise _StoppedError

    def made(self, v: Value) -> None:
        """A node made inside the closure: nothing outside it changes."""

    def compared(self, a: Value, symbol: str, b: object, result: bool) -> None:
        """A comparison: nothing changes."""

    def read(self, v: Value) -> None:
        """A read of a Value's number: nothing changes."""

    def detached(self, leaf: Value, source: Value) -> None:
        """A detached leaf: nothing changes."""

    def constant(self, v: Value, row: Op, operands: tuple[object, ...]) -> None:
        """An op under no_grad: nothing changes."""


class _StoppedError(Exception):
    """A closure tried to change what it must not while being read."""


def _contributions(
    v: Value, children: tuple[Value, ...], closure: Callable[[], None], seed: float
) -> list[float]:
    """What `closure` adds to each child's grad when `v.grad` is `seed`."""
    probe = _Probe(children)
    # The grads are borrowed for the call: a backward pass in another thread
    # adding to them meanwhile would be lost, so it waits for the lock.
    with _modes.passes:
        saved = [c.grad for c in children]
        saved_out = v.grad
        try:
            for c in children:
                c.grad = 0.0
            v.grad = seed
            mode = _modes.mode.set(_modes.mode.get() | _modes.TRACING)
            tracer = _modes.tracer.set(probe)
            try:
                closure()
            except _StoppedError:
                pass
            finally:
                _modes.tracer.reset(tracer)
                _modes.mode.reset(mode)
            added = [c.grad for c in children]
        finally:
            for c, g in zip(children, saved, strict=True):
                c.grad = g
            v.grad = saved_out
    if probe.stopped is not None:
        other, what = probe.stopped
        where = (
            "the node itself"
            if other is v
            else "one of its _children"
            if any(other is c for c in children)
            else "a Value not among its _children"
        )
        raise ValueError(
            f"_backward of this {v._op!r} node {what} on {where} ({other!r}) "
            "while its local derivatives were read; a chain-rule closure only "
            "adds to its _children's grad, and backward would never pass another "
            "Value a gradient: list every Value the op reads in _children"
        )
    return [to_float(a, f"_backward of {v._op!r}") for a in added]
