"""The core: `Value`, the node of a graph, and backward, the chain rule.

Reading this to learn backpropagation? ``a * b`` is `mul` in
`autograd/_generated.py` (`Value` inherits it from `ValueOps`): it records a
node holding the op's row, its operands and the local derivative with
respect to each (``v._d0 = y``, ``v._d1 = x``), computed as floats in the
forward pass. `reference_backward`, below, is the chain rule: a topological
order, then ``adjoint[operand] += local * adjoint[node]`` for each edge.
`Value.backward` computes exactly the same floats in the same order with
`backward_fast` (`autograd._sweep`), over the order `backward_order`
documents; a property test checks that the two agree bit for bit.

Nodes hold no closures and no references to themselves, so a graph is freed
by reference counting as soon as it is unreachable.

The seam: the layers above reach the core only through `autograd.core`,
which exports exactly ``Value``, the op functions (`autograd._generated`:
``add``, ``mul``, ..., ``FUNCTIONS``), ``apply``, ``leaf``,
``reference_backward``, ``backward_fast``, ``backward_order`` and
``backward_with_order``. A compiled core with the same semantics replaces
these names and nothing else. Everything this module calls lives under it:
the mode bits (`autograd._modes`), input checks (`autograd._inputs`), the
slow op path (`autograd._offpath`), hooks and anomaly mode, which watch a
`reference_backward` pass (`autograd._watched`), ``create_graph``
(`autograd._create_graph`) and micrograd's names (`autograd._micrograd`).
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from autograd import _micrograd
from autograd._create_graph import backward_graph, saw_value_gradient
from autograd._generated import ValueOps
from autograd._hooks import HookHandle, has_hooks, register
from autograd._inputs import Node, describe, to_float, to_gradient
from autograd._modes import (
    ANOMALY,
    RECORDING,
    TRACING,
    mode,
    mode_get,
    passes,
    tell_changed,
    tell_compared,
    tracing,
    user_read,
)
from autograd._offpath import apply_row, new_leaf
from autograd._select import COMPILED, CORE
from autograd._sweep import backward_fast, backward_order, subclasses
from autograd._watched import adjoint_table
from autograd.graph import topological_order
from autograd.ops import OPS, Op

# The op functions of the core that runs (their types are the Python core's).
if TYPE_CHECKING or CORE == "python":
    from autograd._generated import FUNCTIONS, elu, leaky_relu
else:
    from autograd._ccore import FUNCTIONS, elu, leaky_relu

__all__ = [
    "CORE",
    "Value",
    "apply",
    "backward_fast",
    "backward_order",
    "backward_with_order",
    "leaf",
    "reference_backward",
]


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
    # a drawing colour, a label), at a cost in every node's size; no
    # `__weakref__`, which would grow every node again.
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
        subclasses.append(cls)
        # Not `super()`, whose class would be this one: with the compiled
        # core this function is a method of the compiled `Value`.
        super(Value, cls).__init_subclass__(**kwargs)  # noqa: UP008

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
            raise TypeError(f"Value: label must be a str, got {describe(label)}")
        self._data = to_float(data, "Value")
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
        return user_read(self) if mode_get() & TRACING else self._data

    @data.setter
    def data(self, value: float) -> None:
        # Inline fast path: an optimizer assigns a finite float per parameter.
        if mode_get() & TRACING:
            tell_changed(self, "assigned v.data")
        self._data = (
            value
            if type(value) is float and value - value == 0.0
            else to_float(value, "Value.data")
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
        if mode_get() & TRACING:
            tell_changed(self, "assigned v.grad")
        if type(value) is float:
            self._grad = value
        elif type(value) is int and not value:
            self._grad = 0.0
        else:
            self._grad = to_gradient(value, "Value.grad", values=True)
            if self._grad.__class__ is not float:
                saw_value_gradient()

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
        user_read(self)  # the slopes are numbers of this node's forward pass
        return local_grads(self)

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
        return f"Value(data={user_read(self)!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        """The number, under `no_grad` only: a float would drop the gradient.

        `math.exp(v)` converts `v` with `float`, so it would return a number
        the graph never sees and the gradient would silently lose that path.
        """
        if mode.get() & RECORDING:
            raise TypeError(
                "float(Value) while gradients are recorded would drop the gradient "
                "(this is what math.exp(v) and other math functions do): use "
                "autograd.exp, autograd.sin, ... (or v.exp()) for math on a Value, "
                "and v.data or v.item() for its number; float(v) works inside "
                "autograd.no_grad(), and f'{v:.3f}' formats it anywhere"
            )
        return self.data

    def __format__(self, spec: str) -> str:
        return format(user_read(self), spec) if spec else repr(self)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickle a subclass's node as a Value's: by the reducer registered
        for Value with `copyreg` (the pickling layer, `autograd._pickle`)."""
        return copyreg.dispatch_table[Value](self)  # type: ignore[return-value]

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """Copy the whole graph by the same reducer: see `autograd._pickle`."""
        reducer: Any = copyreg.dispatch_table[Value]
        return cast(Value, reducer.deepcopy(self, memo))

    # -- arithmetic: every operator works with a number on either side ----

    # `x * y`, `x + 1`, `2 ** x`, `x.tanh()`: the op functions, inherited from
    # `ValueOps` (`autograd/_generated.py`), one per row of the op table.

    def __pos__(self) -> Value:
        return self

    # -- comparisons look at data, so max(a, b) returns the larger Value --
    # (== and hash stay identity: Values are graph nodes, usable as dict keys)

    def __lt__(self, other: Value | float) -> bool:
        return tell_compared(self, "<", other, self._data < _number(other, "<"))

    def __le__(self, other: Value | float) -> bool:
        return tell_compared(self, "<=", other, self._data <= _number(other, "<="))

    def __gt__(self, other: Value | float) -> bool:
        return tell_compared(self, ">", other, self._data > _number(other, ">"))

    def __ge__(self, other: Value | float) -> bool:
        return tell_compared(self, ">=", other, self._data >= _number(other, ">="))

    # Two ops whose second operand has a default.

    def leaky_relu(self, slope: Value | float = 0.01) -> Value:
        """x for x > 0 else slope * x; a Value slope is learnable (PReLU)."""
        return leaky_relu(self, slope)

    def elu(self, alpha: Value | float = 1.0) -> Value:
        """x for x > 0 else alpha * (e**x - 1)."""
        return elu(self, alpha)

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
        tell_changed(self, "called backward()")
        with passes:
            if create_graph:
                backward_graph(self, gradient)
                return
            seed = to_float(gradient, "backward: gradient")
            if _on_reference_path():
                _watched_backward(self, seed)
            else:
                backward_pass(self, seed)

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
        return register(self, hook)

    def zero_grad(self) -> None:
        """Set `grad` to 0.0 on every node of this value's graph."""
        tell_changed(self, "called zero_grad()")
        with passes:
            for v in backward_order(self):
                v._grad = 0.0

    def detach(self) -> Value:
        """A new leaf with the same data, cut from this graph."""
        new = leaf(self._data)
        tracer = tracing()
        if tracer is not None:
            tracer.detached(new, self)
        return new


backward_pass = backward_fast
"""The pass `Value.backward` runs: `backward_fast`, its order unused."""

if COMPILED is not None:  # the compiled core (`autograd._select`)
    # One definition of every method: the compiled class takes this class's
    # (all but its fields, `data`, `grad` and the op methods), and this
    # module's functions use the compiled class and sweep.
    Value = COMPILED.adopt(Value)  # type: ignore[misc]
    backward_fast = COMPILED.backward_fast
    backward_order = COMPILED.backward_order
    backward_pass = COMPILED.backward_pass  # the same pass, making no list

Node.register(Value)  # the layers under the core recognise a node by this


def _number(x: object, where: str) -> float:
    return x._data if isinstance(x, Value) else to_float(x, where)


def leaf(data: float, cls: type[Value] | None = None) -> Value:
    """A new leaf holding `data`, of class `cls` (None: Value)."""
    return new_leaf(Value if cls is None else cls, data)


def apply(op: Op, operands: tuple[object, ...]) -> Value:
    """`op` on Values and numbers: a table row's generated function, or the
    row's own functions for a row outside the table (a user's custom op)."""
    generated = FUNCTIONS.get(op.name)
    if generated is not None and OPS.get(op.name) is op:
        return generated(*operands)
    return apply_row(Value, op, operands)


def local_grads(v: Value) -> tuple[float, ...]:
    """`v.local_grads` for the library: not a read by the user."""
    if v._row is None:
        return ()
    return (v._d0,) if v._row.arity == 1 else (v._d0, v._d1)


def reference_backward(
    root: Value, seed: float = 1.0, adjoint: dict[Any, float] | None = None
) -> None:
    """Backpropagation as the textbook writes it: the engine's semantics, slowly.

    Visit the nodes so that every node comes after all the nodes that use it
    (the reverse of a topological order); by then its adjoint d(root)/d(node)
    is complete, so add it to `grad` and pass `local derivative * adjoint` on
    to each operand (the chain rule). Adjoints are this pass's own, kept apart
    from `grad`, so a second `backward` adds exactly as much again.
    `Value.backward` computes the same floats in the same order, faster
    (`backward_fast`). Gradient hooks and anomaly mode pass their own
    `adjoint` table, which watches its reads and writes (`autograd._watched`).
    """
    adjoint = {} if adjoint is None else adjoint
    adjoint[root] = seed
    for v in reversed(topological_order(root)):
        g = adjoint[v]  # complete: every node using v came before it
        v._grad += g
        for p, local in zip(v.operands, local_grads(v), strict=True):
            if isinstance(p, Value):
                adjoint[p] = adjoint.get(p, 0.0) + local * g


def _watched_backward(root: Value, seed: float) -> None:
    """`reference_backward`, watched by hooks and anomaly mode when they apply."""
    reference_backward(root, seed, adjoint_table(topological_order(root)))


def _on_reference_path() -> bool:
    """Whether backward takes `reference_backward`: it checks each step in
    anomaly mode, runs hooks, and works for any subclass of Value."""
    return bool(subclasses or mode_get() & ANOMALY or has_hooks())


def backward_with_order(root: Value) -> list[Value]:
    """``root.backward()``, returning `backward_order(root)`: one search, not two."""
    tell_changed(root, "called backward()")
    with passes:
        if _on_reference_path():
            order = backward_order(root)
            _watched_backward(root, 1.0)
            return order
        return backward_fast(root, 1.0)
