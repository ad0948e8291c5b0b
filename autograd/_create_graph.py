"""``backward(create_graph=True)``: gradients that are Values with a graph.

The sweep is `reference_backward`'s, but each local derivative is the row's
rule run again on Values (``row.derivative(VALUE_MATH, ...)``) and each
``local * adjoint`` is an op, so the gradients can be differentiated again,
to any order. The functional API (`autograd.functional`) builds on
`graph_adjoints`. This module sits under `autograd.value`: it knows nodes as
`Node`s and makes new ones with the op functions.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from autograd._anomaly import check_gradient
from autograd._select import CORE

# The op functions of the core that runs (their types are the Python core's).
if TYPE_CHECKING or CORE == "python":
    from autograd._generated import cos, erf, exp, log, pow, sigmoid, sin
else:
    from autograd._ccore import cos, erf, exp, log, pow, sigmoid, sin
from autograd._hooks import hooks_now, run_hooks
from autograd._inputs import Node, checked_partials, to_float
from autograd._modes import ANOMALY, RECORDING, mode
from autograd.graph import topological_order
from autograd.ops import FLOAT_MATH, OPS, Math, Op

__all__ = [
    "VALUE_MATH",
    "backward_graph",
    "gradients_may_be_values",
    "graph_adjoints",
    "saw_value_gradient",
]

Value = Any  # a node (`autograd.value.Value`), which this module cannot import


# Once a gradient has been a Value (create_graph, or assigned one), adding
# to a gradient may raise (a Value's sum overflows): `autograd.compile` then
# checks that the gradients a replay adds to are floats before it starts.
_value_gradients = False


def saw_value_gradient() -> None:
    """Note that some gradient is now a Value (`gradients_may_be_values`)."""
    global _value_gradients  # noqa: PLW0603 - one flag, set once, never cleared
    _value_gradients = True


def gradients_may_be_values() -> bool:
    """True once some gradient has been a Value (after create_graph)."""
    return _value_gradients


def backward_graph(root: Value, gradient: Value | float) -> None:
    """`backward` whose adjoints are Values: the derivative rules run on Values."""
    if not mode.get() & RECORDING:
        # The gradients' graph would not be recorded: a second derivative
        # taken from them would silently be 0.
        raise RuntimeError(
            "backward(create_graph=True): cannot record the gradients' graph "
            "inside no_grad(); call it outside no_grad()"
        )
    saw_value_gradient()
    seed: Value | float = (
        gradient
        if isinstance(gradient, Node)
        else to_float(gradient, "backward: gradient")
    )
    for v, g in graph_adjoints(root, seed).items():
        fresh = isinstance(v._grad, float) and v._grad == 0.0
        v._grad = g if fresh else _plus(v._grad, g)


def _number(x: Value | float) -> float:
    return x._data if isinstance(x, Node) else x


def _times(d: Value | float, g: Value | float) -> Value | float:
    """The chain rule's d * g on Values or floats; a non-finite product is a float.

    An infinite slope (`sqrt` at 0, a product that overflows) has no graph to
    carry it: it stays the float eager `backward` gives, as `inf` or `nan`.
    """
    product = _number(d) * _number(g)
    if product - product != 0.0:
        return product
    return g if (isinstance(d, float) and d == 1.0) else d * g  # 1 adds no node


def _plus(a: Value | float, b: Value | float) -> Value | float:
    """An adjoint's a + b on Values or floats; a non-finite sum is a float."""
    total = _number(a) + _number(b)
    return total if total - total != 0.0 else a + b


def _partials(v: Value, row: Op) -> tuple[Value | float, ...]:
    """The local derivatives of `v` as Values (the rule run on Values).

    A derivative that is not finite (`sqrt` at 0, `log` at 5e-324, a slope
    that overflows) has no Value to hold it: it is the node's float, as
    eager `backward` uses it.
    """
    floats = (v._d0,) if row.arity == 1 else (v._d0, v._d1)
    if all(d - d == 0.0 for d in floats):
        return _rule_on_values(v, row)
    try:
        values = _rule_on_values(v, row)
    except (ArithmeticError, ValueError):
        # The infinite slope broke the rule's arithmetic on Values; the other
        # slope is then a constant (README: not guaranteed beyond first order).
        return floats
    pairs = zip(floats, values, strict=True)
    return tuple(d if d - d != 0.0 else value for d, value in pairs)


def _rule_on_values(v: Value, row: Op) -> tuple[Value | float, ...]:
    """The row's rule run on Values; a user's rule checked as on floats."""
    result = row.derivative(VALUE_MATH, *v.operands, v)
    if OPS.get(row.name) is not row:
        numbers = (
            tuple(d._data if isinstance(d, Node) else d for d in result)
            if isinstance(result, tuple | list)
            else result
        )
        operands = tuple(p._data if isinstance(p, Node) else p for p in v.operands)
        checked_partials(row, operands, numbers)
    return tuple(result)


def graph_adjoints(
    root: Value, seed: Value | float, wrt: Collection[Value] | None = None
) -> dict[Value, Value | float]:
    """seed * d(root)/d(node) as Values with their own graph, for each node reached.

    Changes no `grad`. With `wrt`, only nodes on a path from `root` down to
    one of `wrt` get an adjoint, and the sweep stops at `wrt`: they are
    independent inputs, as in JAX, even if one was computed from another.
    In anomaly mode each contribution is checked as eager `backward` checks it.
    """
    inputs = set() if wrt is None else set(wrt)  # membership only, never iterated
    order = topological_order(root)
    needed: set[Value] | None = None
    if wrt is not None:
        needed = set()
        for v in order:
            if v in inputs or any(p in needed for p in v.parents):
                needed.add(v)
    check = check_gradient if mode.get() & ANOMALY else None
    adjoint: dict[Value, Value | float] = {root: seed}
    hooks = hooks_now(order)
    # Consumers come before their operands in reversed topological order, so
    # each adjoint is complete when its node is reached.
    for v in reversed(order):
        if v in hooks and v in adjoint:  # gradient hooks (register_hook)
            adjoint[v] = run_hooks(hooks[v], adjoint[v], graph=True)
        op = v._row
        if op is None or v in inputs or (needed is not None and v not in needed):
            continue
        g = adjoint.get(v)
        if g is None:
            continue
        for p, d in zip(v.operands, _partials(v, op), strict=True):
            if isinstance(p, Node) and (needed is None or p in needed):
                c = _times(d, g)  # the chain rule
                if check is not None:
                    check(v, _number(c), _number(adjoint.get(p, 0.0)))
                adjoint[p] = _plus(adjoint[p], c) if p in adjoint else c
    return adjoint


def _pow_any(x: Value | float, y: Value | float) -> Value | float:
    """x ** y for a rule, as `FLOAT_MATH.pow`: its infinities (0 ** negative,
    overflow) stay floats, since no Value holds inf."""
    slope: float = FLOAT_MATH.pow(_number(x), _number(y))
    if slope - slope != 0.0 or not (isinstance(x, Node) or isinstance(y, Node)):
        return slope
    return pow(x, y)


class _ValueMath:
    """`ops.Math` on Values (and floats): what rules call under create_graph."""

    exp = staticmethod(exp)
    log = staticmethod(log)
    sin = staticmethod(sin)
    cos = staticmethod(cos)
    sigmoid = staticmethod(sigmoid)
    erf = staticmethod(erf)
    pow = staticmethod(_pow_any)


VALUE_MATH: Math = _ValueMath()
