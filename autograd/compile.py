"""Trace a function once, replay it fast: `autograd.compile`.

>>> from autograd import Value, compile
>>> w = Value(0.5, label="w")
>>> step = compile(lambda x: (w * x + 1.0).tanh())
>>> x = Value(2.0)
>>> round(step(x), 6), round(w.grad, 6)
(0.964028, 0.141302)
>>> x.data = -1.0
>>> round(step(x), 6), round(w.grad, 6)
(0.462117, -0.645146)

The first call runs the function eagerly, like ``out = f(*args);
out.backward()``, and records what it did: every op, in order, and the order
in which `backward` visited the nodes. Later calls run generated
straight-line Python instead: the forward pass and then the backward pass,
with each op's math inlined from its row of the op table. They perform the
same float operations in the same order as the eager run, so values and
gradients are identical to the last bit.
"""

from __future__ import annotations

import builtins
import struct
from collections.abc import Callable, Hashable
from typing import Any, Final, final

from autograd import _codegen
from autograd.engine import (
    _RECORD,
    _TRACE,
    Value,
    _mode,
    _propagate,
    _tracer,
)

__all__ = ["Compiled", "compile"]

# Traces kept per argument structure; a function whose branches alternate
# between a few patterns keeps one trace per pattern.
_TRACES_PER_KEY: Final = 4
# Bounds on generated expressions: CPython's parser allows 200 nested
# parentheses, and its compiler recurses once per level.
_MAX_NESTING: Final = 50
_MAX_TERMS: Final = 100


def compile(f: Callable[..., Value]) -> Compiled:
    """Trace `f` on its first call; replay forward and backward as generated Python.

    ``step = compile(f)``, then ``step(*args)`` does what ``out = f(*args);
    out.backward()`` does and returns ``out.data``: it adds d(out)/d(v) to
    ``v.grad`` of every leaf Value `f` used, whether passed as an argument or
    reached from inside (a model's parameters). Results equal the eager run to
    the last bit.

    What is an input: a Value among the arguments (also inside lists and
    tuples) is read afresh on every call. Everything else is part of the
    trace: numbers and other objects among the arguments (a call with
    different ones traces again), and the `data` of leaf Values `f` reaches
    from inside is read on every call, so parameters may change between
    calls.

    Limits:

    - Guards: each comparison of a Value during the trace (``x > 0``,
      ``max(a, b)``) is checked again on every call; if one turns out
      differently, the call traces again (one eager step plus compilation;
      a few traces per argument structure are kept). Branching on ``v.data``
      or ``float(v)`` is not seen: such numbers are baked into the trace.
      So are values computed under `no_grad` inside `f`.
    - Only leaves get gradients: intermediate nodes of `f` do not exist
      when it is replayed, and an argument must be a leaf Value.
    - `f` must return one Value. It must not use Values computed outside
      it (other than leaves): pass them as arguments or `detach()` them.
    - Under `no_grad` or `detect_anomaly`, and whenever a replay would raise
      (a domain error, an overflow), the call runs eagerly instead, so
      errors are the eager ones.
    """
    return Compiled(f)


@final
class Compiled:
    """A function of Values traced once per argument structure and replayed fast."""

    def __init__(self, f: Callable[..., Value]) -> None:
        self.f = f
        self.traces = 0
        """How many times the function was traced (first calls and guard misses)."""
        self._plans: dict[Hashable, list[_Plan]] = {}
        self._last: _Plan | None = None

    @property
    def source(self) -> str:
        """The generated Python of the most recent trace ('' before the first call)."""
        return "" if self._last is None else self._last.source

    def __call__(self, *args: Any) -> float:
        """Run f on `args` forward and backward; return the value of its output."""
        inputs: list[Value] = []
        key = _structure(args, inputs)
        if _mode.get() != _RECORD:
            return _eager(self.f, args)
        plans = self._plans.get(key, [])
        for plan in plans:
            try:
                out = plan.replay(inputs, plan.captured)
            except (ArithmeticError, ValueError):
                out = None  # the eager run below raises the eager error
            if out is not None:
                return out
        plan, value = _trace(self.f, args, inputs)
        self.traces += 1
        plans.insert(0, plan)
        del plans[_TRACES_PER_KEY:]
        self._plans[key] = plans
        self._last = plan
        return value

    def __repr__(self) -> str:
        return f"compile({getattr(self.f, '__qualname__', self.f)!r})"


def _structure(args: tuple[Any, ...], inputs: list[Value]) -> Hashable:
    """A key for what the trace depends on in `args`; the Values go to `inputs`."""
    # The common call, distinct leaf Values only, keyed by their number.
    for a in args:
        if a.__class__ is not Value or a._op is not None:
            return _nested(args, inputs)
    if len(set(args)) != len(args):  # Values hash by identity
        return _nested(args, inputs)
    inputs.extend(args)
    return len(args)


def _nested(args: object, inputs: list[Value]) -> Hashable:
    if isinstance(args, Value):
        if args._op is not None:
            raise ValueError(
                f"compile: an argument must be a leaf Value (got one made by "
                f"{args.op!r}); detach() it or pass the leaves it was made from"
            )
        # Which earlier input the same Value was: aliasing changes the graph.
        for i, seen in enumerate(inputs):
            if seen is args:
                return ("same as input", i)
        inputs.append(args)
        return "input"
    if isinstance(args, list | tuple):
        return (type(args), tuple(_nested(a, inputs) for a in args))
    if isinstance(args, float):
        return (float, struct.pack("<d", args))  # bits: -0.0 is not 0.0 here
    if isinstance(args, Hashable) and type(args).__hash__ is not object.__hash__:
        return (type(args), args)
    return (type(args), id(args), args)  # the object itself keeps its id unique


def _eager(f: Callable[..., Value], args: tuple[Any, ...]) -> float:
    """What a compiled call does, done eagerly."""
    out = _output(f(*args))
    out.backward()
    return out.data


def _output(out: object) -> Value:
    if not isinstance(out, Value):
        raise TypeError(
            f"compile: the function must return a Value, got {type(out).__name__}"
        )
    return out


class _Recorder:
    """The tracer: every node made and every comparison of a Value, in order."""

    def __init__(self) -> None:
        self.nodes: list[Value] = []
        self.comparisons: list[tuple[Value, str, object, bool]] = []

    def made(self, v: Value) -> None:
        self.nodes.append(v)

    def compared(self, a: Value, symbol: str, b: object, result: bool) -> None:
        self.comparisons.append((a, symbol, b, result))


def _trace(
    f: Callable[..., Value], args: tuple[Any, ...], inputs: list[Value]
) -> tuple[_Plan, float]:
    """Run f eagerly, recording it, and build the plan that replays it."""
    recorder = _Recorder()
    mode_token = _mode.set(_mode.get() | _TRACE)
    tracer_token = _tracer.set(recorder)
    try:
        out = _output(f(*args))
    finally:
        _tracer.reset(tracer_token)
        _mode.reset(mode_token)
    graph = _Graph(out, recorder, inputs)
    visited: list[Value] = []

    def visit(v: Value, contribution: float, before: float) -> None:
        # Called for every edge, in the order backward takes them.
        if not visited or visited[-1] is not v:
            visited.append(v)

    _propagate(out, 1.0, visit)
    return _Plan(graph.source(visited), graph.captured), out.data


def _operands(v: Value) -> tuple[Value | float, ...]:
    """`v.operands`, read straight from the node's slots (tracing is per node)."""
    op = v._op
    assert op is not None
    return (v._p0, v._p1) if op.arity == 2 else (v._p0,)  # type: ignore[return-value]


class _Graph:
    """The traced graph: live nodes in creation order, leaves, guards."""

    def __init__(self, out: Value, recorder: _Recorder, inputs: list[Value]) -> None:
        self.out = out
        self.comparisons = recorder.comparisons
        # Live: what the output or a guard depends on, found walking back
        # through the creation order (a topological order).
        live: set[Value] = {out}
        live.update(a for a, _, _, _ in self.comparisons)
        live.update(b for _, _, b, _ in self.comparisons if isinstance(b, Value))
        made = recorder.nodes
        for v in reversed(made):
            if v in live:
                live.update(p for p in _operands(v) if isinstance(p, Value))
        self.nodes = [v for v in made if v in live]
        names: dict[Value, str] = {v: f"v{k}" for k, v in enumerate(self.nodes)}
        # Leaves in a deterministic order: inputs first, then as first used.
        for i, v in enumerate(inputs):
            if v in live:
                names[v] = f"i{i}"
        self.names = names
        self.captured: list[Value] = []
        self.args = {
            v: [
                self._name(p) if isinstance(p, Value) else repr(p) for p in _operands(v)
            ]
            for v in self.nodes
        }
        self._name(out)  # a function may return one of its leaves
        for a, _, b, _ in self.comparisons:
            self._name(a)
            if isinstance(b, Value):
                self._name(b)

    def _name(self, p: Value) -> str:
        """The variable holding p's value; a leaf seen first is captured."""
        name = self.names.get(p)
        if name is None:
            if p._op is not None:
                raise ValueError(
                    f"compile: the function uses a Value made outside it by "
                    f"{p.op!r} (data={p.data!r}); pass it as an argument (a leaf) "
                    "or detach() it"
                )
            name = self.names[p] = f"c{len(self.captured)}"
            self.captured.append(p)
        return name

    def source(self, visited: list[Value]) -> str:
        """The replay function: forward, checks, guards, backward, gradients out."""
        names = self.names
        lines = ["def replay(inputs, captured):"]
        for name in names.values():
            if name[0] == "i":
                lines.append(f"    {name} = inputs[{name[1:]}].data")
        for i in range(len(self.captured)):
            lines.append(f"    c{i} = captured[{i}].data")
        stored = self._forward(lines)
        # Eager raises on the first non-finite result. Every one here reaches a
        # stored value (see `_forward`), so it makes this sum non-finite (as,
        # rarely, a finite sum that overflows does), and the caller then runs
        # eagerly, which raises exactly as eager does.
        if stored:
            lines.append(f"    s = sum(({', '.join(stored)},))")
            lines.append("    if s - s != 0.0:\n        return None")
        for a, symbol, b, result in self.comparisons:
            right = names[b] if isinstance(b, Value) else repr(float(b))  # type: ignore[arg-type]
            test = f"{names[a]} {symbol} {right}"
            lines.append(
                f"    if {'not ' if result else ''}({test}):\n        return None"
            )
        lines += self._backward(visited)
        lines.append(f"    return {names[self.out]}")
        return "\n".join(lines) + "\n"

    def _forward(self, lines: list[str]) -> list[str]:
        """Each node's value; a node used once only inside its consumer's expression.

        That saves a statement (CPython compiles about one statement per 10
        us), and is safe when nothing else needs the value: backward reads no
        such operand, no guard compares it, and the consumer is an operator
        whose result is non-finite whenever an operand is (+, -, *, unary -),
        so a non-finite value still shows in a stored one.
        """
        names = self.names
        consumers: dict[Value, list[tuple[Value, int]]] = {}
        for v in self.nodes:
            for i, p in enumerate(_operands(v)):
                if isinstance(p, Value):
                    consumers.setdefault(p, []).append((v, i))
        pinned = {self.out, *(a for a, _, _, _ in self.comparisons)}
        pinned.update(b for _, _, b, _ in self.comparisons if isinstance(b, Value))
        inlined: dict[Value, tuple[str, int]] = {}  # expression, nesting depth
        stored: list[str] = []
        for v in self.nodes:
            op = v._op
            assert op is not None
            args, depth = [], 0
            for p in _operands(v):
                if p in inlined:
                    expression, d = inlined.pop(p)
                    args.append(f"({expression})")
                    depth = max(depth, d)
                else:
                    args.append(names[p] if isinstance(p, Value) else repr(p))
            expression = _codegen.forward_source(op, args)
            uses = consumers.get(v, [])
            if (
                len(uses) == 1
                and v not in pinned
                and depth < _MAX_NESTING
                and not _codegen.partial_reads(op)[1]
                and _codegen.propagates_nonfinite(uses[0][0]._op)  # type: ignore[arg-type]
                and uses[0][1] not in _codegen.partial_reads(uses[0][0]._op)[0]  # type: ignore[arg-type]
            ):
                inlined[v] = (expression, depth + 1)
            else:
                lines.append(f"    {names[v]} = {expression}")
                stored.append(names[v])
        return stored

    def _backward(self, visited: list[Value]) -> list[str]:
        """Adjoints in the order eager backward made them, summed in the same order.

        An adjoint is an expression, written into a statement only when it is
        read more than once or grows long; a sum ``a + b + c`` is evaluated
        left to right, as eager adds contributions one by one.
        Variables are never reassigned, so a contribution that is another
        adjoint unchanged (a partial of 1.0) is just that adjoint's name.
        """
        names = self.names
        # Each adjoint: an expression, and a bound on its nesting and length.
        adjoint: dict[Value, tuple[str, int]] = {self.out: ("1.0", 1)}
        lines: list[str] = []
        fresh = 0

        def variable(expression: str) -> str:
            nonlocal fresh
            if expression.isidentifier() or expression == "1.0":
                return expression
            fresh += 1
            lines.append(f"    g{fresh} = {expression}")
            return f"g{fresh}"

        for v in visited:
            op = v._op
            assert op is not None
            g, depth = adjoint.pop(v)
            operands = _operands(v)
            if sum(isinstance(p, Value) for p in operands) > 1 or depth >= _MAX_NESTING:
                g, depth = variable(g), 0  # read more than once: computed once
            elif not g.isidentifier():
                g = f"({g})"
            args = [names[p] if isinstance(p, Value) else repr(p) for p in _operands(v)]
            partials = _codegen.partials_source(op, args, names[v])
            if isinstance(partials, str):
                fresh += 1
                lines.append(f"    g{fresh} = {partials}")
                partials = tuple(f"g{fresh}[{i}]" for i in range(op.arity))
            for p, d in zip(operands, partials, strict=True):
                if not isinstance(p, Value):
                    continue
                # x * 1.0 is x exactly (for every float, even nan and -0.0).
                c = g if d == "1.0" and g != "1.0" else f"({d}) * {g}"
                if p not in adjoint:
                    adjoint[p] = (c, depth + 1)
                    continue
                # A sum gets a statement of its own when read (it is read more
                # than once or is long): its depth then no longer adds up.
                before, size = adjoint[p]
                if size >= _MAX_TERMS:
                    before, size = variable(before), 1
                adjoint[p] = (f"{before} + {c}", max(size, depth + 1) + 1)
        for v, (g, _) in adjoint.items():
            name = names[v]
            where = "inputs" if name[0] == "i" else "captured"
            lines.append(f"    {where}[{name[1:]}].grad += {g}")
        return lines


@final
class _Plan:
    """A compiled replay: the generated function and what it reads."""

    def __init__(self, source: str, captured: list[Value]) -> None:
        self.source = source
        self.captured = captured
        namespace: dict[str, Any] = dict(_codegen.NAMESPACE)
        exec(builtins.compile(source, "<autograd.compile>", "exec"), namespace)
        # replay(inputs, captured): the output's value, gradients added; None
        # if a guard or the overflow check failed (nothing is changed then).
        self.replay: Callable[[list[Value], list[Value]], float | None]
        self.replay = namespace["replay"]
