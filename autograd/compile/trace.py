"""Tracing: run `f` once eagerly, recording it; replays kept per argument structure."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Final, final

from autograd import _modes, core
from autograd._create_graph import gradients_may_be_values
from autograd._evaluation import enclosing_inputs
from autograd._hooks import has_hooks, hooks_now
from autograd.compile.codegen import NotRollableError, lower
from autograd.compile.rolled import Rolled, roll, straight
from autograd.compile.soundness import (
    Aliasing,
    read_refused,
    structure,
    with_proxies,
)
from autograd.compile.tape import (
    STOP_GRADIENT,
    Equation,
    Operand,
    Tape,
    blank_equations,
)
from autograd.core import Value
from autograd.ops import Op

__all__ = ["Compiled", "backward_order"]

# Traces kept per argument structure; a function whose branches alternate
# between a few patterns keeps one trace per pattern.
_TRACES_PER_KEY: Final = 4
# Argument structures kept (the least recently traced go first): a key may
# hold an argument object alive.
_KEYS: Final = 64


@final
class Compiled:
    """A function of Values traced once per argument structure and replayed fast."""

    def __init__(self, f: Callable[..., Value]) -> None:
        self.f = f
        self.traces = 0
        """How many times the function was traced (first calls and guard misses)."""
        self._plans: dict[Hashable, list[_Plan]] = {}
        self._hooked: set[Hashable] = set()  # structures whose f registers hooks
        self._last: _Plan | None = None

    @property
    def source(self) -> str:
        """The generated Python of the most recent trace ('' before the first call)."""
        return "" if self._last is None else self._last.source

    @property
    def tape(self) -> Tape | None:
        """The equations of the most recent trace (None before the first call)."""
        return None if self._last is None else self._last.tape

    @property
    def rolled(self) -> Rolled | None:
        """The tape of the most recent trace with its loops (None before a call)."""
        return None if self._last is None else self._last.rolled

    @property
    def adjoint(self) -> str:
        """The backward statements of `source`, as printed by the adjoint pass."""
        return "" if self._last is None else self._last.adjoint

    def __call__(self, *args: Any) -> float:
        """Run f on `args` forward and backward; return the value of its output."""
        mode = _modes.mode.get()
        if mode & _modes.TRACING:
            raise TypeError(
                "compile: a compiled function was called while another is traced "
                "(its backward would run inside f); call the plain function instead"
            )
        if enclosing_inputs.get():
            # It returns a float after its own backward: differentiated again,
            # it would look constant (derivative 0), a silent wrong answer.
            raise TypeError(
                "compile: a compiled function was called inside grad, jvp, "
                "jacobian or hessian; it returns a number, not a Value with a "
                "graph, so its derivative would be lost: pass the plain function"
            )
        inputs: list[Value] = []
        key = structure(args, inputs)
        if (
            mode != _modes.RECORDING
            or has_hooks()
            or key in self._hooked
            or (key.__class__ is not int and _subclassed(inputs))
        ):
            # no_grad, anomaly mode or gradient hooks: eager, with eager's checks
            # and hooks (a replay would skip them); see `_subclassed` too
            return _eager(self.f, args)
        plans = self._plans.get(key, [])
        for plan in plans:
            if not plan.aliasing.admits(inputs):
                continue
            if gradients_may_be_values() and not plan.float_gradients(inputs):
                # Adding to a Value may raise once some gradients are written;
                # eager then leaves the gradients as a replay could not.
                return _eager(self.f, args)
            try:
                out = plan.replay(inputs, plan.captured)
            except Exception:  # any failure: eager raises its own error
                out = None
            if out is not None:
                return out
        new, value = _trace(self.f, args, inputs)
        self.traces += 1
        if new is None:  # f registers gradient hooks: its calls run eagerly
            self._hooked.add(key)
            return value
        plans.insert(0, new)
        del plans[_TRACES_PER_KEY:]
        self._plans.pop(key, None)
        self._plans[key] = plans  # the most recent last
        while len(self._plans) > _KEYS:
            del self._plans[next(iter(self._plans))]
        self._last = new
        return value

    def __repr__(self) -> str:
        return f"compile({getattr(self.f, '__qualname__', self.f)!r})"

    def __copy__(self) -> Compiled:
        """A fresh compile of the same function: traces refer to the leaves."""
        return Compiled(self.f)

    def __deepcopy__(self, memo: dict[int, Any]) -> Compiled:
        """A fresh compile of the same function, as `copy.copy`.

        Copying the traces would copy the leaves they hold, so replays would
        add gradients to copies while f (a function, not copied) uses the
        originals.
        """
        return Compiled(self.f)


def _subclassed(inputs: list[Value]) -> bool:
    """True if an argument is of a subclass of Value: such calls run eagerly.

    Tracing hands f a stand-in for each argument (see `_trace`), which can't
    be made of a class whose constructor and attributes are the user's.
    """
    return any(v.__class__ is not Value for v in inputs)


def _eager(f: Callable[..., Value], args: tuple[Any, ...]) -> float:
    """What a compiled call does, done eagerly."""
    out = _output(f(*args))
    out.backward()
    return out._data


def _output(out: object) -> Value:
    if not isinstance(out, Value):
        raise TypeError(
            f"compile: the function must return a Value, got {type(out).__name__}"
        )
    return out


def backward_order(out: Value) -> list[Value]:
    """Run eager backward from `out`; the nodes, in the order it processed them.

    The one place compile learns eager's order: each node's adjoint is
    complete when it is reached, and contributions to a node add up in the
    order of its consumers here, operand 0 before operand 1, starting from
    0.0 (see `autograd.core.backward_order`). The replay sums the same way.
    """
    return core.backward_with_order(out)


class _Recorder:
    """The tracer: every node made, comparison and stop-gradient of `f`, in order."""

    def __init__(self) -> None:
        self.nodes: list[Value] = []
        # Leaves made from other Values: by detach() or an op under no_grad.
        self.derived: dict[Value, tuple[Op, tuple[object, ...]]] = {}
        self.comparisons: list[tuple[int, Value, str, object, bool]] = []
        # The list's own append: no Python frame per node traced.
        self.made: Callable[[Value], None] = self.nodes.append

    def compared(self, a: Value, symbol: str, b: object, result: bool) -> None:
        """f compared a Value: the replay checks it again (a guard)."""
        self.comparisons.append((len(self.nodes), a, symbol, b, result))

    def read(self, v: Value) -> None:
        """f read a Value's number: refused (see `soundness`)."""
        raise read_refused(v)

    def changed(self, v: Value, what: str) -> None:
        """f changed a Value or its gradients: refused (a replay would not)."""
        raise TypeError(
            f"compile: the function {what} while being traced; a replay would "
            "not do it again. Do it outside the compiled function (an optimizer "
            "step after calling it), or pass the number in as an argument"
        )

    def detached(self, leaf: Value, source: Value) -> None:
        """f detached a Value: a stop-gradient equation."""
        self.derived[leaf] = (STOP_GRADIENT, (source,))
        self.nodes.append(leaf)

    def constant(self, v: Value, row: Op, operands: tuple[object, ...]) -> None:
        """f ran an op under no_grad: an equation with no gradient."""
        self.derived[v] = (row, operands)
        self.nodes.append(v)


def _trace(
    f: Callable[..., Value], args: tuple[Any, ...], inputs: list[Value]
) -> tuple[_Plan | None, float]:
    """Run f eagerly, recording it, and build the plan that replays it.

    No plan if f registered a gradient hook: a replay would not run it.
    """
    # f gets a stand-in (proxy) for each argument, so that a leaf it reaches
    # both as an argument and from inside shows up as two different leaves.
    proxy = {v: Value(v._data, label=v.label) for v in inputs}
    real = {p: v for v, p in proxy.items()}
    recorder = _Recorder()
    mode_token = _modes.mode.set(_modes.mode.get() | _modes.TRACING)
    tracer_token = _modes.tracer.set(recorder)
    try:
        out = _output(f(*with_proxies(args, proxy)))
    finally:
        _modes.tracer.reset(tracer_token)
        _modes.mode.reset(mode_token)
    if has_hooks():
        if hooks_now(real):
            raise TypeError(
                "compile: the function registered a gradient hook on an "
                "argument; register it before calling the compiled function "
                "(calls then run eagerly, hooks and all)"
            )
        _unproxy(recorder, real)
        real.get(out, out).backward()
        return None, out._data
    equations, eq_of, aliased, leaves = _equations(recorder, real, set(inputs))
    if out in inputs:
        aliased.add(out)  # f returned a leaf it captured that is also an argument
    out = real.get(out, out)
    guards = [
        (at, (_operand(a, eq_of, real), symbol, _guard_right(b, eq_of, real), result))
        for at, a, symbol, b, result in recorder.comparisons
    ]
    tape_out = _operand(out, eq_of, real)
    if isinstance(tape_out, Value) and tape_out not in inputs:
        leaves[tape_out] = None
    _unproxy(recorder, real)
    # The equations backward passes adjoints through (leaves, and the
    # leaves detach() and no_grad made, pass nothing on).
    visited = [
        eq
        for eq in map(eq_of.get, backward_order(out))
        if eq.__class__ is Equation and not eq.stop
    ]
    tape = Tape(
        inputs, equations, guards, tape_out, visited=visited, leaves=list(leaves)
    )
    aliases = [(i, v) for i, v in enumerate(inputs) if v in aliased]
    return _Plan(tape, aliases), out._data


def _equations(
    recorder: _Recorder, real: dict[Value, Value], inputs: set[Value]
) -> tuple[list[Equation], dict[Value, Operand], set[Value], dict[Value, None]]:
    """The recorded nodes as equations, what each Value is on the tape, the
    arguments f captured as well (reached as themselves, not as proxies), and
    the leaves f reached from inside, in order of first use."""
    ref_of: dict[Value, Operand] = {}
    aliased: set[Value] = set()
    leaves: dict[Value, None] = {}  # reached from inside, in order of first use

    def ref(p: object) -> Operand:
        """`p` on the tape; first sight of a Value goes through `_operand`."""
        if not isinstance(p, Value):
            return float(p)  # type: ignore[arg-type]
        found = ref_of.get(p)
        if found is None:
            if p in inputs:
                aliased.add(p)
            found = ref_of[p] = _operand(p, ref_of, real)
            if isinstance(found, Value) and found not in inputs:
                leaves[found] = None
        return found

    equations: list[Equation] = []
    derived = recorder.derived
    get = ref_of.get
    for v in recorder.nodes:
        if derived and v in derived:
            row, operands = derived[v]
            second = ref(operands[1]) if row.arity == 2 else None
            eq = Equation(row, ref(operands[0]), second, True)
        else:
            # The common cases inline: a float, or an operand seen before.
            p = v._p0
            first = p if p.__class__ is float else get(p) or ref(p)  # type: ignore[arg-type]
            p = v._p1
            found = p if p is None or p.__class__ is float else get(p) or ref(p)  # type: ignore[arg-type]
            eq = next(blank_equations)
            eq._row, eq._p0, eq._p1, eq.stop = v._row, first, found, False
        ref_of[v] = eq
        equations.append(eq)
    for _, a, _, b, _ in recorder.comparisons:
        for x in (a, b):
            if isinstance(x, Value):
                ref(x)
    return equations, ref_of, aliased, leaves


def _operand(
    p: object, eq_of: dict[Value, Operand], real: dict[Value, Value]
) -> Operand:
    """What `p` is on the tape: an equation, a leaf (an argument's own), a float."""
    if not isinstance(p, Value):
        return float(p)  # type: ignore[arg-type]
    found = eq_of.get(p)
    if found is not None:
        return found
    if p._row is None:
        return real.get(p, p)
    raise TypeError(
        f"compile: the function uses a Value made outside it by {p.op!r} "
        f"(data={p._data!r}); pass it as an argument (a leaf) or detach() it"
    )


def _guard_right(
    b: object, eq_of: dict[Value, Operand], real: dict[Value, Value]
) -> object:
    return _operand(b, eq_of, real) if isinstance(b, Value) else b


def _unproxy(recorder: _Recorder, real: dict[Value, Value]) -> None:
    """Put each argument's own Value where f used its proxy: the graph eager builds."""
    for v in recorder.nodes:
        if v._row is None:
            continue
        p = v._p0
        if p.__class__ is Value and p in real:
            v._p0 = real[p]
        p = v._p1
        if p.__class__ is Value and p in real:
            v._p1 = real[p]


@final
class _Plan:
    """A compiled replay: the tape, the generated function and what it reads."""

    def __init__(self, tape: Tape, aliases: list[tuple[int, Value]]) -> None:
        self.tape = tape
        # The passes: loop rolling, then the adjoint and lowering to Python;
        # loops that do not replay exactly give way to straight-line code.
        self.rolled = roll(tape)
        try:
            code = lower(self.rolled)
        except NotRollableError:
            self.rolled = straight(tape)
            code = lower(self.rolled)
        self.source = code.text
        self.adjoint = code.adjoint
        self.captured = code.captured
        self.aliasing = Aliasing(code.leaves, aliases)
        # replay(inputs, captured): the output's value, gradients added; None
        # if a guard or the overflow check failed (nothing is changed then).
        self.replay: Callable[[list[Value], list[Value]], float | None]
        self.replay = code.function
        self.leaves = code.leaves

    def float_gradients(self, inputs: list[Value]) -> bool:
        """True if every gradient the replay adds to is a float."""
        return all(v._grad.__class__ is float for v in (*inputs, *self.leaves))
