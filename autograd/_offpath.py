"""The slow op path: what an op function does when its fast path does not apply.

An op function (`autograd/_generated.py`) takes its fast path for Values and
floats while the mode is plain recording. Everything else comes here: an
operand that is a Value subclass or a number of another type, a mode with
another bit set (`no_grad` makes a leaf, anomaly mode records where the node
was made, a trace is told), and a row outside the table (a user's primitive)
run through its own functions. The node class is an argument: this module
sits under the core and does not import it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from autograd._anomaly import record_site
from autograd._inputs import Node, checked_partials, on_floats, overflow, to_float
from autograd._modes import ANOMALY, RECORDING, TRACING, mode
from autograd._modes import tracer as tracer_var
from autograd.ops import FLOAT_MATH, OPS, Op

__all__ = ["apply_row", "made_in_mode", "new_leaf", "slow_operand", "unary_off_path"]

N = TypeVar("N")

_new = object.__new__  # bound once: `object.__new__` is an attribute lookup


def _blank(cls: type[N]) -> Any:
    """A new, empty node of class `cls`."""
    try:
        return _new(cls)
    except TypeError:  # the compiled core's node is made by its own __new__
        return cls.__new__(cls)


def new_leaf(cls: type[N], data: float) -> N:
    """A new leaf of class `cls` holding `data`."""
    v = _blank(cls)
    v._data = data
    v._grad = 0.0
    v._g = v._row = v._p0 = v._p1 = v._d0 = v._d1 = None
    return v  # type: ignore[no-any-return]


def slow_operand(x: object, where: str) -> tuple[Any, float]:
    """An operand off the fast path: a Value subclass, or a number made a float."""
    if isinstance(x, Node):
        return x, x._data
    f = to_float(x, where)
    return f, f


def made_in_mode(  # noqa: PLR0917 - what an op function holds, passed as it is
    cls: type[N],
    mode_now: int,
    op: Op,
    operands: tuple[object, ...],
    floats: tuple[float, ...],
    out: float,
) -> N:
    """The node for `op` in mode `mode_now`, not plain recording: a leaf under
    `no_grad`; else the node, with its creation site in anomaly mode."""
    tracer = tracer_var.get() if mode_now & TRACING else None
    if not mode_now & RECORDING:
        leaf = new_leaf(cls, out)
        if tracer is not None:
            tracer.constant(leaf, op, operands)
        return leaf
    partials = op.derivative(FLOAT_MATH, *floats, out)
    if OPS.get(op.name) is not op:  # a user's rule (`autograd.primitive`)
        partials = checked_partials(op, floats, partials)
    v = _blank(cls)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = op
    v._p0 = operands[0]
    v._d0 = partials[0]
    v._p1 = operands[1] if op.arity == 2 else None
    v._d1 = partials[1] if op.arity == 2 else None
    if mode_now & ANOMALY:
        record_site(v)
    if tracer is not None:
        tracer.made(v)
    return v  # type: ignore[no-any-return]


def apply_row(cls: type[N], op: Op, operands: tuple[object, ...]) -> N:
    """`op` through its row's own functions: slower, any row, any Value class."""
    floats = tuple(
        p._data if isinstance(p, Node) else to_float(p, op.name) for p in operands
    )
    out = op.forward(*floats)
    if out - out != 0.0:
        raise overflow(op, *floats)
    constants = tuple(
        p if isinstance(p, Node) else f for p, f in zip(operands, floats, strict=True)
    )
    return made_in_mode(cls, mode.get(), op, constants, floats, out)


def unary_off_path(cls: type[N], op: Op, x: object) -> N | float:
    """A one-operand op off the fast path: a number gives a float, a subclass a node."""
    return apply_row(cls, op, (x,)) if isinstance(x, Node) else on_floats(op, x)
