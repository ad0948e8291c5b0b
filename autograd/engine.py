"""`Value`, the node of a dynamic computation graph, and reverse-mode `backward`.

Reading this to learn backpropagation? Start with `reference_backward`: a
topological order, then ``adjoint[operand] += local * adjoint[node]`` for each
edge, ten lines. `Value.backward` computes exactly the same floats in the same
order (`_backward_fast`, over the order `backward_order` documents), only
faster; a property test checks that the two agree bit for bit.

A `Value` made by an op remembers the op's table row (`autograd.ops`), its
operands (other Values, or plain floats for constants) and the local
derivative with respect to each operand, computed as floats during the
forward pass. Nodes hold no closures and no references to themselves, so a
graph is freed by reference counting as soon as it is unreachable.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import numbers
import os
import threading
import traceback
import weakref
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Collection,
    Generator,
    Iterable,
    Iterator,
)
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, Final, ParamSpec, Protocol, TypeVar, cast

from autograd import _micrograd, ops
from autograd.graph import topological_order
from autograd.ops import FLOAT_MATH, OPS, Op, OpDomainError

__all__ = [
    "HookHandle",
    "Value",
    "backward_order",
    "detect_anomaly",
    "elu",
    "has_hooks",
    "is_grad_enabled",
    "leaky_relu",
    "maximum",
    "no_grad",
    "reference_backward",
]

_RECORD: Final = 1
_ANOMALY: Final = 2
_TRACE: Final = 4
# Bit 0: record graphs (off under no_grad); bit 1: anomaly detection;
# bit 2: `autograd.compile` is tracing (it sees every node and comparison).
_mode: ContextVar[int] = ContextVar("autograd_mode", default=_RECORD)
# Bound once: generated op functions call a global, not a method of `_mode`.
_mode_get = _mode.get
# The no_grad blocks open in this context, innermost last: (instance, token).
_no_grad_tokens: ContextVar[tuple[tuple[no_grad, Token[int]], ...]] = ContextVar(
    "autograd_no_grad_tokens", default=()
)


class _Tracer(Protocol):
    """What `autograd.compile` is told while it traces a function."""

    def made(self, v: Value) -> None: ...
    def compared(self, a: Value, symbol: str, b: object, result: bool) -> None: ...
    def read(self, v: Value) -> None: ...
    def detached(self, leaf: Value, source: Value) -> None: ...
    def constant(self, v: Value, row: Op, operands: tuple[object, ...]) -> None: ...
    def changed(self, v: Value, what: str) -> None: ...


def _tell_tracer_changed(v: Value, what: str) -> None:
    """While compile traces: f did `what` to `v` (a replay would not do it again)."""
    if _mode.get() & _TRACE:
        tracer = _tracer.get()
        if tracer is not None:
            tracer.changed(v, what)


_tracer: ContextVar[_Tracer | None] = ContextVar("autograd_tracer", default=None)


def _user_read(v: Value) -> float:
    """`v`'s number, given to the user: every public way to see it comes here.

    While compile traces, the tracer is told (and refuses): a replay would
    reuse the number read during the trace, whatever `v` holds then.
    """
    if _mode.get() & _TRACE:
        tracer = _tracer.get()
        if tracer is not None:
            tracer.read(v)
    return v._data


_subclasses: list[type] = []  # every subclass of Value defined so far


def _describe(x: object) -> str:
    """Type and a short repr: a hostile operand must not make a huge message."""
    if isinstance(x, int) and x.bit_length() > 256:
        # repr of an int past sys.get_int_max_str_digits() raises ValueError.
        text = f"<about {x.bit_length() * 0.30103:.0f} digits>"
    elif isinstance(x, Value):  # the library's message: not a read by the user
        text = f"Value(data={x._data!r})"
    else:
        try:
            text = repr(x)
        except Exception:
            text = "<repr failed>"
        if len(text) > 80:
            text = text[:77] + "..."
    return f"{type(x).__name__} {text}"


def _to_float(x: object, where: str) -> float:
    """A finite float from a real number, or a TypeError/ValueError saying where."""
    if type(x) is float:
        f = x
    elif isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = " (use .data for its number)" if isinstance(x, Value) else ""
        raise TypeError(f"{where}: expected a real number, got {_describe(x)}{hint}")
    else:
        try:
            f = float(x)
        except OverflowError:
            msg = f"{where}: {_describe(x)} is too large for a float"
            raise OverflowError(msg) from None
    if f - f != 0.0:  # inf - inf and nan - nan are nan; finite - itself is 0
        raise ValueError(f"{where}: expected a finite number, got {f!r}")
    return f


def _to_gradient(x: object, where: str, values: bool) -> float | Value:
    """A gradient from `x`: any float backward could give (inf, nan), or, with
    `values` (create_graph gradients), a Value; a TypeError otherwise."""
    if type(x) is float or (values and isinstance(x, Value)):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: expected a real number, got {_describe(x)}")
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(
            f"{where}: {_describe(x)} is too large for a float"
        ) from None


def _slow_operand(x: object, where: str) -> tuple[Value | float, float]:
    """An operand off the fast path: a Value subclass, or a number made a float."""
    if isinstance(x, Value):
        return x, x._data
    f = _to_float(x, where)
    return f, f


def _unary_off_path(op: Op, x: object) -> Value | float:
    """A one-operand op off the fast path: a number gives a float, a subclass a node."""
    return _apply_row(op, (x,)) if isinstance(x, Value) else _on_floats(op, x)


def _overflow(op: Op, *operands: float) -> OverflowError:
    args = ", ".join(repr(x) for x in operands)
    return OverflowError(f"{op.name}: result of {op.name}({args}) overflows a float")


_new = object.__new__


def _leaf(data: float, cls: type[Value] | None = None) -> Value:
    """A new leaf holding `data`, of class `cls` (None: Value)."""
    v: Value = _new(Value if cls is None else cls)
    v._data = data
    v._grad = 0.0
    v._g = v._row = v._p0 = v._p1 = v._d0 = v._d1 = None
    return v


def _record_site(v: Value) -> None:
    vars(v)["_creation_site"] = _user_frame()  # only anomaly mode pays for it


def _creation_site(v: Value) -> str:
    """The user's line that made `v` (anomaly mode's error message)."""
    site = getattr(v, "_creation_site", None)
    return site if isinstance(site, str) else "<made outside detect_anomaly>"


# Frames in these folders are library code (`nn` is named by its place beside
# `autograd`, not imported: imports only point down).
_LIBRARY_DIRS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(__file__)), package) + os.sep
    for package in ("autograd", "nn")
)


def _user_frame() -> str:
    """The innermost frame outside autograd and nn: where the user made a node."""
    for frame in reversed(traceback.extract_stack()):
        if not frame.filename.startswith(_LIBRARY_DIRS):
            where = f'File "{frame.filename}", line {frame.lineno}, in {frame.name}'
            return f"{where}: {frame.line}"
    return "<unknown>"


def _apply(op: Op, operands: tuple[object, ...]) -> Value:
    """`op` on Values and numbers: a table row's generated function, or the
    row's own functions for a row outside the table (a user's custom op)."""
    generated = _generated.FUNCTIONS.get(op.name)
    if generated is not None and OPS.get(op.name) is op:
        return generated(*operands)
    return _apply_row(op, operands)


def _apply_row(op: Op, operands: tuple[object, ...]) -> Value:
    """`op` through its row's own functions: slower, any row, any Value class."""
    floats = tuple(
        p._data if isinstance(p, Value) else _to_float(p, op.name) for p in operands
    )
    out = op.forward(*floats)
    if out - out != 0.0:
        raise _overflow(op, *floats)
    constants = tuple(
        p if isinstance(p, Value) else f for p, f in zip(operands, floats, strict=True)
    )
    return _made_in_mode(_mode.get(), op, constants, floats, out)


def _made_in_mode(
    mode: int,
    op: Op,
    operands: tuple[object, ...],
    floats: tuple[float, ...],
    out: float,
) -> Value:
    """The node for `op` outside plain recording: a leaf under `no_grad`; else
    the node, with its creation site in anomaly mode."""
    if not mode & _RECORD:
        leaf = _leaf(out)
        if mode & _TRACE:
            tracer = _tracer.get()
            if tracer is not None:
                tracer.constant(leaf, op, operands)
        return leaf
    partials = op.derivative(FLOAT_MATH, *floats, out)
    if OPS.get(op.name) is not op:  # a user's rule (`autograd.primitive`)
        partials = _checked_partials(op, floats, partials)
    v: Value = _new(Value)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = op
    v._p0 = operands[0]  # type: ignore[assignment]
    v._d0 = partials[0]
    v._p1 = operands[1] if op.arity == 2 else None  # type: ignore[assignment]
    v._d1 = partials[1] if op.arity == 2 else None
    if mode & _ANOMALY:
        _record_site(v)
    if mode & _TRACE:
        tracer = _tracer.get()
        if tracer is not None:
            tracer.made(v)
    return v


def _checked_partials(
    op: Op, floats: tuple[float, ...], partials: object
) -> tuple[float, ...]:
    """A user's derivative rule's result as floats, one per operand, or an error.

    An infinite slope is kept, as the table's rows give one where the
    derivative diverges (`sqrt` at 0) or overflows; nan is refused: no row
    of the table gives it, and it would silently poison every gradient.
    """
    where = f"primitive {op.name} at {floats!r}: the derivative rule"
    if not isinstance(partials, tuple | list) or len(partials) != op.arity:
        raise TypeError(
            f"{where} returned {_describe(partials)}; it must return a tuple of "
            f"{op.arity} local derivative(s), one per operand, such as "
            + ("(d_dx,)" if op.arity == 1 else "(d_dx, d_dy)")
        )
    checked = tuple(
        cast(
            float,
            _to_gradient(
                d,
                f"{where} (each local derivative must be a real number)",
                values=False,
            ),
        )
        for d in partials
    )
    if any(math.isnan(d) for d in checked):
        raise ValueError(f"{where} returned {checked!r}: a local derivative is nan")
    return checked


def _power(base: Value | float, exponent: Value | float) -> Value:
    if isinstance(exponent, Value):
        x = base._data if isinstance(base, Value) else _to_float(base, "pow")
        if x < 0.0:
            raise OpDomainError(
                f"pow: base must be >= 0 when the exponent is a Value "
                f"(d/dexponent = base**exponent * log(base)), got base {x!r}"
            )
    return _generated.pow(base, exponent)


# The op functions are generated from the op table into `autograd/_generated.py`
# (`make gen`); they call the helpers above, so they are imported here.
from autograd import _generated  # noqa: E402
from autograd._generated import *  # noqa: E402, F403 - the public op functions
from autograd._generated import (  # noqa: E402 - the ones used below
    ValueOps,
    cos,
    erf,
    exp,
    log,
    sigmoid,
    sin,
)

__all__ += _generated.__all__


def _operand_data(x: object, where: str) -> float:
    return x._data if isinstance(x, Value) else _to_float(x, where)


def _compare(a: Value, symbol: str, b: object, result: bool) -> bool:
    """`result`, told to the tracer when tracing: a branch on it is a guard."""
    if _mode.get() & _TRACE:
        tracer = _tracer.get()
        if tracer is not None:
            tracer.compared(a, symbol, b, result)
    return result


class Value(ValueOps):
    """A scalar in a computation graph: its `data`, its `grad`, and how it was made.

    >>> x = Value(2.0, label="x")
    >>> w = Value(-3.0, label="w")
    >>> y = (x * w + 1).tanh()
    >>> y.backward()
    >>> round(x.grad, 6), round(w.grad, 6)
    (-0.000545, 0.000363)
    """

    # `__dict__` takes micrograd-style free attributes (an optimizer's `p.m`,
    # a drawing colour, a label). Not free: CPython 3.11 gives every node 16
    # bytes for it and a small array for attribute values, made with the node.
    # No `__weakref__`: 8 bytes more would put every node in a larger block.
    __slots__ = (
        "__dict__",
        "_d0",
        "_d1",
        "_data",
        "_g",
        "_grad",
        "_p0",
        "_p1",
        "_row",
    )

    _data: float
    _grad: float | Value
    # A class default, so an unlabelled node (nearly all of them) stores
    # nothing: a label lives in the node's `__dict__`, made only when set.
    label: str = ""
    _row: Op | None
    _p0: Value | float | None
    _p1: Value | float | None
    _d0: Any
    _d1: Any
    # This backward pass's adjoint (None outside a pass); see `backward_order`.
    _g: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        for name in ("__eq__", "__hash__"):  # defining __eq__ sets __hash__ too
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} defines {name}: a Value is a graph node, "
                    "compared and hashed by identity (backward, compile and "
                    "explain key their tables by node, and two nodes holding "
                    "the same number would share one gradient); compare "
                    "numbers with a.data == b.data instead"
                )
        # The fast walks test `p.__class__ is Value`; with subclasses about,
        # backward takes the reference path, which asks `isinstance`.
        _subclasses.append(cls)
        super().__init_subclass__(**kwargs)

    def __init__(
        self,
        data: float,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
    ) -> None:
        """A leaf holding `data`; with micrograd's `_children` and `_op`, a node
        whose derivative a `_backward` closure assigned next will give."""
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {_describe(label)}")
        self._data = _to_float(data, "Value")
        self._grad = 0.0
        if label:
            self.label = label
        self._g = self._row = self._p0 = self._p1 = self._d0 = self._d1 = None
        if _children or _op:
            _micrograd.init_node(self, _children, _op)

    # -- what the node is -------------------------------------------------

    @property
    def data(self) -> float:
        """The number this Value holds (a finite float).

        Assigning it follows the rules of `Value(...)`: a finite real number,
        stored as a float. The library itself reads the slot `_data`; a read
        through this property is the user's, which `autograd.compile` sees.
        """
        # Inline fast path: a training loop reads every parameter each step.
        return _user_read(self) if _mode_get() & _TRACE else self._data

    @data.setter
    def data(self, value: float) -> None:
        # Inline fast path: an optimizer assigns a finite float per parameter.
        if _mode_get() & _TRACE:
            _tell_tracer_changed(self, "assigned v.data")
        self._data = (
            value
            if type(value) is float and value - value == 0.0
            else _to_float(value, "Value.data")
        )

    @property
    def grad(self) -> Any:  # float | Value; Any so `p.data -= lr * p.grad` checks
        """d(root)/d(self) summed over the `backward` passes so far (0.0 to start).

        A float; a Value after ``backward(create_graph=True)``. Assigning it
        (micrograd's ``p.grad = 0.0``) takes a real number, stored as a float
        (inf and nan too: backward can give them), or a Value. The library
        itself uses the slot `_grad`; an assignment through this property is
        the user's, which `autograd.compile` refuses (a replay would not redo it).
        """
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        # Inline fast paths: a zero-grad loop assigns 0.0, or micrograd's int 0,
        # to every parameter.
        if _mode_get() & _TRACE:
            _tell_tracer_changed(self, "assigned v.grad")
        if type(value) is float:
            self._grad = value
        elif type(value) is int and not value:
            self._grad = 0.0
        else:
            self._grad = _to_gradient(value, "Value.grad", values=True)
            if self._grad.__class__ is not float:
                _saw_value_gradient()

    def item(self) -> float:
        """The number this Value holds, as a float (PyTorch's name for `data`)."""
        return self.data

    @property
    def op(self) -> str:
        """The name of the op that made this value ('' for a leaf)."""
        return "" if self._row is None else self._row.name

    @property
    def operands(self) -> tuple[Value | float, ...]:
        """What the op was applied to, in order: Values, and floats for constants."""
        if self._row is None:
            return ()
        if self._row.arity == 1:
            return (cast("Value | float", self._p0),)
        return (cast("Value | float", self._p0), cast("Value | float", self._p1))

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Value operands, in order: ``a + a`` has two parents, both `a`."""
        p0, p1 = self._p0, self._p1
        if isinstance(p0, Value):
            return (p0, p1) if isinstance(p1, Value) else (p0,)
        return (p1,) if isinstance(p1, Value) else ()

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(operand) for each of `operands`, computed in the forward pass."""
        if self._row is None:
            return ()
        _user_read(self)  # the slopes are numbers of this node's forward pass
        return _slopes(self)

    # -- micrograd's names for the same things (see `autograd._micrograd`) --

    @property
    def _prev(self) -> tuple[Value, ...]:
        """micrograd's children: the distinct parents, in operand order."""
        return tuple(dict.fromkeys(self.parents))

    @property
    def _op(self) -> str:
        """micrograd's op string: '+', '*', '**2', 'ReLU', ... ('' for a leaf)."""
        return _micrograd.op_string(self)

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's closure: add this node's `grad` times each local
        derivative to its children's `grad` (the chain rule, one node)."""
        return _micrograd.backward_closure(self)

    @_backward.setter
    def _backward(self, closure: Callable[[], None]) -> None:
        _micrograd.set_backward(self, closure)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_user_read(self)!r}, grad={self.grad!r}{label})"

    def _repr_svg_(self) -> str | None:
        """This value's graph as SVG for Jupyter (`autograd.viz.set_notebook`)."""
        # A display hook must never raise: without viz, graphviz or `dot`, or on
        # any failure to draw, None makes Jupyter show the plain repr instead.
        try:
            from autograd.viz import notebook_svg  # noqa: PLC0415 - viz is above

            return notebook_svg(self)
        except Exception:
            return None

    def __float__(self) -> float:
        """The number, under `no_grad` only: a float would drop the gradient.

        `math.exp(v)` converts `v` with `float`, so it would return a number
        the graph never sees and the gradient would silently lose that path.
        """
        if _mode.get() & _RECORD:
            raise TypeError(
                "float(Value) while gradients are recorded would drop the gradient "
                "(this is what math.exp(v) and other math functions do): use "
                "autograd.exp, autograd.sin, ... (or v.exp()) for math on a Value, "
                "and v.data or v.item() for its number; float(v) works inside "
                "autograd.no_grad(), and f'{v:.3f}' formats it anywhere"
            )
        return self.data

    def __format__(self, spec: str) -> str:
        return format(_user_read(self), spec) if spec else repr(self)

    def __reduce_ex__(self, protocol: object) -> tuple[Any, ...]:
        """Pickle this value's whole graph, laid out flat: any depth works."""
        from autograd import _pickle  # noqa: PLC0415 - it sits above the engine

        _user_read(self)  # a copy holds the numbers as they are now
        return _pickle.reduce(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """Copy this value's whole graph without recursion, keeping shared nodes."""
        from autograd import _pickle  # noqa: PLC0415 - it sits above the engine

        _user_read(self)  # a copy holds the numbers as they are now
        return _pickle.deepcopy(self, memo)

    # -- arithmetic: every operator works with a number on either side ----

    # The operators and op methods (`x * y`, `x.tanh()`) are the generated
    # functions of `ValueOps` (`autograd/_generated.py`).

    def __pow__(self, other: Value | float) -> Value:
        return _power(self, other)

    def __rpow__(self, other: float) -> Value:
        return _power(other, self)

    def __pos__(self) -> Value:
        return self

    # -- comparisons look at data, so max(a, b) returns the larger Value --
    # (== and hash stay identity: Values are graph nodes, usable as dict keys)

    def __lt__(self, other: Value | float) -> bool:
        return _compare(self, "<", other, self._data < _operand_data(other, "<"))

    def __le__(self, other: Value | float) -> bool:
        return _compare(self, "<=", other, self._data <= _operand_data(other, "<="))

    def __gt__(self, other: Value | float) -> bool:
        return _compare(self, ">", other, self._data > _operand_data(other, ">"))

    def __ge__(self, other: Value | float) -> bool:
        return _compare(self, ">=", other, self._data >= _operand_data(other, ">="))

    # -- functions ----------------------------------------------------------

    def leaky_relu(self, slope: Value | float = 0.01) -> Value:
        """x for x > 0 else slope * x; a Value slope is learnable (PReLU)."""
        return _generated.leaky_relu(self, slope)

    def elu(self, alpha: Value | float = 1.0) -> Value:
        """x for x > 0 else alpha * (e**x - 1)."""
        return _generated.elu(self, alpha)

    # -- gradients ------------------------------------------------------------

    def backward(
        self, gradient: Value | float = 1.0, *, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(node) * gradient into `grad` of every node of the graph.

        Gradients add up (``+=``): calling `backward` twice gives twice the
        gradient everywhere; use `zero_grad` in between to start afresh. With
        ``create_graph=True`` the gradients are Values with their own graph, so
        they can be differentiated again.
        """
        _tell_tracer_changed(self, "called backward()")
        with _passes:
            if create_graph:
                _backward_graph(self, gradient)
                return
            seed = _to_float(gradient, "backward: gradient")
            if _on_reference_path():
                reference_backward(self, seed)
            else:
                _backward_fast(self, seed)

    def register_hook(self, hook: Callable[[Any], Any]) -> HookHandle:
        """Call ``hook(grad)`` when this value's gradient in a backward is complete.

        ``grad`` is this pass's d(root)/d(self) (a float, or a Value under
        ``create_graph=True``); a hook may return a replacement (clipping,
        logging, teaching), or None to keep it. What the hooks leave is added
        to `grad` and passed on to the operands. Several hooks run in the
        order registered. Returns a handle whose `remove()` unregisters it.

        >>> x = Value(3.0)
        >>> handle = x.register_hook(lambda g: 2 * g)
        >>> (x * x).backward()
        >>> x.grad
        12.0
        >>> handle.remove()
        """
        with _passes:  # a pass running in another thread reads the hooks
            hooks = _hooks_of(self)
            if hooks is None:
                hooks = vars(self)["_grad_hooks"] = _Hooks()
            handle = HookHandle(hooks)
            hooks.by_handle[handle] = hook
            _hooked.add(hooks)
        return handle

    def zero_grad(self) -> None:
        """Set `grad` to 0.0 on every node of this value's graph."""
        _tell_tracer_changed(self, "called zero_grad()")
        with _passes:
            for v in backward_order(self):
                v._grad = 0.0

    def detach(self) -> Value:
        """A new leaf with the same data, cut from this graph."""
        leaf = _leaf(self._data)
        if _mode.get() & _TRACE:
            tracer = _tracer.get()
            if tracer is not None:
                tracer.detached(leaf, self)
        return leaf


# The generated functions test `x.__class__ is Value` and take their new nodes
# from `_new_values`: `object.__new__(Value)` with the argument tuple made once,
# not per node as calling `object.__new__` (which takes *args) does.
_generated.__dict__.update(
    Value=Value, _new_values=itertools.starmap(_new, itertools.repeat((Value,)))
)


_Hook = Callable[[Any], Any]


class _Hooks:
    """One node's gradient hooks in registration order, keyed by their handles.

    Kept in the node's `__dict__` (as `_grad_hooks`), so they go when the
    node does; the handles and `_hooked` hold them only weakly.
    """

    __slots__ = ("__weakref__", "by_handle")

    def __init__(self) -> None:
        self.by_handle: dict[HookHandle, _Hook] = {}


# Every node's `_Hooks` that holds a hook: `has_hooks()` is one check.
_hooked: weakref.WeakSet[_Hooks] = weakref.WeakSet()


def _hooks_of(v: Value) -> _Hooks | None:
    hooks = getattr(v, "_grad_hooks", None)  # never makes a `__dict__`
    return hooks if isinstance(hooks, _Hooks) and hooks.by_handle else None


class HookHandle:
    """What `Value.register_hook` returns: `remove()` unregisters the hook."""

    __slots__ = ("_hooks",)

    def __init__(self, hooks: _Hooks) -> None:
        self._hooks = weakref.ref(hooks)

    def remove(self) -> None:
        """Unregister the hook (again: nothing happens)."""
        with _passes:  # a pass running in another thread reads the hooks
            hooks = self._hooks()
            if hooks is not None:
                hooks.by_handle.pop(self, None)
                if not hooks.by_handle:
                    _hooked.discard(hooks)

    def registered(self) -> bool:
        """True until `remove()` (or until its Value is gone)."""
        hooks = self._hooks()
        return hooks is not None and self in hooks.by_handle


# Once a gradient has been a Value (create_graph, or assigned one), adding
# to a gradient may raise (a Value's sum overflows): `autograd.compile` then
# checks that the gradients a replay adds to are floats before it starts.
_value_gradients = False


def _saw_value_gradient() -> None:
    global _value_gradients  # noqa: PLW0603 - one flag, set once, never cleared
    _value_gradients = True


def gradients_may_be_values() -> bool:
    """True once some gradient has been a Value (after create_graph)."""
    return _value_gradients


def has_hooks() -> bool:
    """True if some Value has a gradient hook registered (`Value.register_hook`)."""
    return len(_hooked) > 0


def _hooks_now(order: Iterable[Value]) -> dict[Value, list[tuple[HookHandle, _Hook]]]:
    """The hooks of `order`'s nodes when a pass starts; the pass runs those
    still registered when it reaches them."""
    if not _hooked:
        return {}
    return {v: list(hooks.by_handle.items()) for v in order if (hooks := _hooks_of(v))}


def _run_hooks(hooks: list[tuple[HookHandle, _Hook]], g: Any, graph: bool) -> Any:
    """An adjoint after each hook in turn (None keeps it).

    A hook removed during the pass (by an earlier hook) is skipped. A
    replacement follows the rules of a gradient (`Value.grad`): any float
    (inf and nan too, as backward gives them), or a Value when the
    adjoints are Values (``create_graph=True``).
    """
    for handle, hook in hooks:
        if not handle.registered():
            continue
        new = hook(g)
        if new is not None:
            g = _to_gradient(new, "hook", values=graph)
    return g


def reference_backward(root: Value, seed: float = 1.0) -> None:
    """Backpropagation as the textbook writes it: the engine's semantics, slowly.

    Visit the nodes so that every node comes after all the nodes that use it
    (the reverse of a topological order); by then its adjoint d(root)/d(node)
    is complete, so add it to `grad` and pass `local derivative * adjoint` on
    to each operand (the chain rule). Adjoints are this pass's own, kept apart
    from `grad`, so a second `backward` adds exactly as much again.
    `Value.backward` computes the same floats in the same order, faster
    (`_backward_fast`); tests check that the two agree bit for bit. In anomaly
    mode every contribution is checked before it is added; a node's
    gradient hooks see its adjoint once complete.
    """
    check = _check_gradient if _mode.get() & _ANOMALY else None
    order = topological_order(root)
    hooks = _hooks_now(order)
    adjoint: dict[Value, float] = {root: seed}
    for v in reversed(order):
        g = adjoint[v]  # complete: every node using v came before it
        if v in hooks:  # a hook may replace it (clipping, logging)
            g = _run_hooks(hooks[v], g, graph=False)
        v._grad += g
        for p, local in zip(v.operands, _slopes(v), strict=True):
            if isinstance(p, Value):
                contribution = local * g
                if check is not None:
                    check(v, contribution, adjoint.get(p, 0.0))
                adjoint[p] = adjoint.get(p, 0.0) + contribution


def _slopes(v: Value) -> tuple[float, ...]:
    """`v.local_grads` for the library: not a read by the user."""
    if v._row is None:
        return ()
    return (v._d0,) if v._row.arity == 1 else (v._d0, v._d1)


def backward_order(root: Value) -> list[Value]:
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
    if _subclasses:
        return topological_order(root)[::-1]
    with _passes, _marked(root) as order:
        for v in order:
            v._g = None
    return order


# One backward pass at a time in the process: passes mark shared nodes (a
# model's parameters) in their `_g` slots, and `grad += g` is not atomic.
# Re-entrant, so a gradient hook may itself call `backward`.
_passes = threading.RLock()


@contextmanager
def _marked(root: Value) -> Iterator[list[Value]]:
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


def _marked_order(root: Value) -> list[Value]:
    """`backward_order`, leaving every node's `_g` at 0.0, ready for the sweep.

    An iterative depth-first search: a node's `_g` is None until the search
    reaches it, 0.0 from then on (a graph has no cycles, so a node reached
    is never reached again through its own operands).
    """
    order: list[Value] = []
    path: list[Value] = []  # the nodes whose operands are being visited
    v = root
    v._g = 0.0
    while True:
        # Go down operand 0 while it is a node not reached yet.
        p = v._p0
        while p.__class__ is Value and p._g is None and p._row is not None:
            p._g = 0.0
            path.append(v)
            v = p
            p = v._p0
        if p.__class__ is Value and p._g is None:  # a leaf: done once reached
            p._g = 0.0
            order.append(p)
        # Operand 0 of `v` is done: visit operand 1, or finish `v` and go up.
        while True:
            p = v._p1
            if p.__class__ is Value and p._g is None:
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


def _on_reference_path() -> bool:
    """Whether backward takes `reference_backward`: it checks each step in
    anomaly mode, runs hooks, and works for any subclass of Value."""
    return bool(_subclasses or _mode.get() & _ANOMALY or _hooked)


def backward_with_order(root: Value) -> list[Value]:
    """``root.backward()``, returning `backward_order(root)`: one search, not two."""
    _tell_tracer_changed(root, "called backward()")
    with _passes:
        if _on_reference_path():
            order = backward_order(root)
            reference_backward(root, 1.0)
            return order
        return _backward_fast(root, 1.0)


def _backward_fast(root: Value, seed: float) -> list[Value]:
    """`reference_backward` on the nodes' own slots: the same floats, same
    order, which it returns (`backward_order(root)`)."""
    with _marked(root) as order:
        root._g = seed
        for v in order:
            g = v._g
            v._g = None
            v._grad += g
            p = v._p0
            if p.__class__ is Value:
                p._g += v._d0 * g
            p = v._p1
            if p.__class__ is Value:
                p._g += v._d1 * g
    return order


def _check_gradient(v: Value, contribution: float, before: float) -> None:
    """Anomaly mode: fail at the backward step that makes an adjoint non-finite."""
    total = before + contribution
    if total - total != 0.0:
        site = _creation_site(v)
        what = (
            f"a non-finite gradient {contribution!r}"
            if contribution - contribution != 0.0
            else f"a gradient {contribution!r} whose sum with {before!r} overflows"
        )
        raise FloatingPointError(
            f"detect_anomaly: backward through {v.op!r} (data={v._data!r}) produced "
            f"{what}; the node was created at {site}"
        )


def _backward_graph(root: Value, gradient: Value | float) -> None:
    """`backward` whose adjoints are Values: the derivative rules run on Values."""
    if not _mode.get() & _RECORD:
        # The gradients' graph would not be recorded: a second derivative
        # taken from them would silently be 0.
        raise RuntimeError(
            "backward(create_graph=True): cannot record the gradients' graph "
            "inside no_grad(); call it outside no_grad()"
        )
    _saw_value_gradient()
    seed: Value | float = (
        gradient
        if isinstance(gradient, Value)
        else _to_float(gradient, "backward: gradient")
    )
    for v, g in _graph_adjoints(root, seed).items():
        fresh = isinstance(v._grad, float) and v._grad == 0.0
        v._grad = g if fresh else _plus(v._grad, g)


def _number(x: Value | float) -> float:
    return x._data if isinstance(x, Value) else x


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
            tuple(d._data if isinstance(d, Value) else d for d in result)
            if isinstance(result, tuple | list)
            else result
        )
        operands = tuple(p._data if isinstance(p, Value) else p for p in v.operands)
        _checked_partials(row, operands, numbers)
    return tuple(result)


def _graph_adjoints(
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
    check = _check_gradient if _mode.get() & _ANOMALY else None
    adjoint: dict[Value, Value | float] = {root: seed}
    hooks = _hooks_now(order)
    # Consumers come before their operands in reversed topological order, so
    # each adjoint is complete when its node is reached.
    for v in reversed(order):
        if v in hooks and v in adjoint:  # gradient hooks (register_hook)
            adjoint[v] = _run_hooks(hooks[v], adjoint[v], graph=True)
        op = v._row
        if op is None or v in inputs or (needed is not None and v not in needed):
            continue
        g = adjoint.get(v)
        if g is None:
            continue
        for p, d in zip(v.operands, _partials(v, op), strict=True):
            if isinstance(p, Value) and (needed is None or p in needed):
                c = _times(d, g)  # the chain rule
                if check is not None:
                    check(v, _number(c), _number(adjoint.get(p, 0.0)))
                adjoint[p] = _plus(adjoint[p], c) if p in adjoint else c
    return adjoint


def _on_floats(op: Op, *operands: object) -> float:
    """`op` on plain numbers: the same checks as on Values, and a float out."""
    floats = [_to_float(x, op.name) for x in operands]
    out = op.forward(*floats)
    if out - out != 0.0:
        raise _overflow(op, *floats)
    return out


def leaky_relu(x: Value | float, slope: Value | float = 0.01) -> Value | float:
    """x for x > 0 else slope * x, on Values or plain numbers."""
    if isinstance(x, Value) or isinstance(slope, Value):
        return _generated.leaky_relu(x, slope)
    return _on_floats(OPS["leaky_relu"], x, slope)


def elu(x: Value | float, alpha: Value | float = 1.0) -> Value | float:
    """x for x > 0 else alpha * (e**x - 1), on Values or plain numbers."""
    if isinstance(x, Value) or isinstance(alpha, Value):
        return _generated.elu(x, alpha)
    return _on_floats(OPS["elu"], x, alpha)


def maximum(x: Value | float, y: Value | float) -> Value | float:
    """The larger of x and y, on Values or plain numbers (0.5 each way at a tie)."""
    if isinstance(x, Value) or isinstance(y, Value):
        return _generated.maximum(x, y)
    return _on_floats(OPS["maximum"], x, y)


def _pow_any(x: Value | float, y: Value | float) -> Value | float:
    """x ** y for a rule, as `FLOAT_MATH.pow`: its infinities (0 ** negative,
    overflow) stay floats, since no Value holds inf."""
    slope: float = ops.FLOAT_MATH.pow(_number(x), _number(y))
    if slope - slope != 0.0 or not (isinstance(x, Value) or isinstance(y, Value)):
        return slope
    return _power(x, y)


class _ValueMath:
    """`ops.Math` on Values (and floats): what rules call under create_graph."""

    exp = staticmethod(exp)
    log = staticmethod(log)
    sin = staticmethod(sin)
    cos = staticmethod(cos)
    sigmoid = staticmethod(sigmoid)
    erf = staticmethod(erf)
    pow = staticmethod(_pow_any)


VALUE_MATH: ops.Math = _ValueMath()


def is_grad_enabled() -> bool:
    """True unless inside `no_grad` (in this thread or task)."""
    return bool(_mode.get() & _RECORD)


P = ParamSpec("P")
R = TypeVar("R")


_EXITED_ELSEWHERE = (
    "no_grad: exited in another thread or asyncio task than the one that "
    "entered it (a generator suspended inside `with no_grad():` and resumed "
    "elsewhere?). This one is left as it was; the one that entered cannot be "
    "reached from here and stays in no_grad. Decorate the generator function "
    "with @no_grad() instead: that applies to each step of the generator only."
)


class no_grad:  # noqa: N801 - named like the torch context manager it mirrors
    """Record no graph inside: values made here are leaves with no parents.

    A context manager and a decorator. The switch lives in a `ContextVar`, so
    it is per thread and per asyncio task: other threads keep recording.

    A generator suspended at a ``yield`` inside ``with no_grad():`` leaves its
    consumer in no_grad too (a generator has no context of its own); decorate
    the generator function with ``@no_grad()``, which applies to each step of
    the generator and never to the consumer. A ``with no_grad():`` exited in
    another thread or task than it was entered raises `RuntimeError`.
    """

    # The tokens to restore live in a ContextVar, not on the instance, so one
    # instance may be entered by several threads or tasks at once.
    def __enter__(self) -> None:
        token = _mode.set(_mode.get() & ~_RECORD)
        _no_grad_tokens.set((*_no_grad_tokens.get(), (self, token)))

    def __exit__(self, *exc: object) -> None:
        entered = _no_grad_tokens.get()
        if not entered or entered[-1][0] is not self:
            raise RuntimeError(_EXITED_ELSEWHERE)
        try:
            _mode.reset(entered[-1][1])
        except ValueError:  # a token of the context this task was copied from
            raise RuntimeError(_EXITED_ELSEWHERE) from None
        _no_grad_tokens.set(entered[:-1])

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        """Decorate `func` (plain, ``async def``, generator or async generator)."""
        if inspect.isasyncgenfunction(func):
            return cast(Callable[P, R], _each_async_step_without_grad(func))
        if inspect.isgeneratorfunction(func):
            return cast(Callable[P, R], _each_step_without_grad(func))
        if inspect.iscoroutinefunction(func):
            coro = cast(Callable[P, Awaitable[Any]], func)

            @functools.wraps(func)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                with no_grad():
                    return await coro(*args, **kwargs)

            return cast(Callable[P, R], run_async)

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with no_grad():
                return func(*args, **kwargs)

        return run


def _each_step_without_grad(
    func: Callable[P, Generator[Any, Any, Any]],
) -> Callable[P, Generator[Any, Any, Any]]:
    """A generator function whose generators run each step under no_grad.

    Between steps the consumer runs as it was, recording or not.
    """

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> Generator[Any, Any, Any]:
        steps = func(*args, **kwargs)
        try:
            with no_grad():
                item = next(steps)
            while True:
                try:
                    sent = yield item
                except GeneratorExit:
                    with no_grad():
                        steps.close()
                    raise
                except BaseException as error:  # thrown in: passed on
                    with no_grad():
                        item = steps.throw(error)
                else:
                    with no_grad():
                        item = steps.send(sent)
        except StopIteration as stop:
            return stop.value

    return run


def _each_async_step_without_grad(
    func: Callable[P, AsyncGenerator[Any, Any]],
) -> Callable[P, AsyncGenerator[Any, Any]]:
    """An async generator function whose generators run each step under no_grad."""

    @functools.wraps(func)
    async def run(*args: P.args, **kwargs: P.kwargs) -> AsyncGenerator[Any, Any]:
        steps = func(*args, **kwargs)
        try:
            with no_grad():
                item = await steps.__anext__()
            while True:
                try:
                    sent = yield item
                except GeneratorExit:
                    with no_grad():
                        await steps.aclose()
                    raise
                except BaseException as error:  # thrown in: passed on
                    with no_grad():
                        item = await steps.athrow(error)
                else:
                    with no_grad():
                        item = await steps.asend(sent)
        except StopAsyncIteration:
            return

    return run


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise `FloatingPointError` at the first backward step with a non-finite gradient.

    Inside, every node remembers the line of user code that created it, and
    the error names the op and that line. (Forward values are always checked:
    an op whose result would not be finite raises `OverflowError` anyway.)
    Slower than normal mode; meant for debugging.
    """
    token = _mode.set(_mode.get() | _ANOMALY)
    try:
        yield
    finally:
        _mode.reset(token)
