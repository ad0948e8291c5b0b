"""Forward mode: `jvp` and `jacfwd`, with JAX's names and results.

Reverse mode carries d(output)/d(node) from the output down; forward mode
carries d(node)/d(input), the *tangent*, from the inputs up. Both read the
same local derivatives: a node's tangent is the sum, over its operands, of
the row's local derivative times the operand's tangent

    tangent(v) = d(v)/d(p0) * tangent(p0) + d(v)/d(p1) * tangent(p1)

Here the function runs once on Values, which computes every node's local
derivatives from its row on floats (as the forward pass always does), and
the tangents are then swept through the graph from the inputs up. One run
serves any number of directions, so `jacfwd` pays for one evaluation and
one cheap float sweep per input. Arguments given as Values (or a function
called inside `grad`, `jvp`, ...) give Values out: the rules run on Values
and the tangents have their own graph, so modes mix to any order
(``jvp(grad(f), ...)``, ``grad`` of a `jvp`, ``jacfwd(jacobian(f))``).

Forward mode answers only where it is sure to be reverse mode's answer.
Where it cannot be, the derivatives are taken by reverse mode from the same
run of `f` (``jacobian``'s rows, times the tangents for `jvp`), so `jvp`,
`jacfwd` and `hessian` always agree with `grad` and `jacobian`:

- a graph with gradient hooks (`Value.register_hook`): a hook acts on a
  reverse-mode adjoint, which forward mode never forms;
- a tangent that is not finite: the same partials multiplied from the
  inputs up can overflow where reverse mode, multiplying from the output
  down, stays finite (``sqrt(x) * 1e150 * 1e-300`` at ``5e-324``);
- a tangent that underflows, for the same reason: ``x * 1e-200 * 1e-200 *
  1e200`` at ``1e300`` has the slope 1e-200, which the tangent, 1e-400 on
  the way, rounds to 0.0.

>>> from autograd import jvp, jacfwd
>>> jvp(lambda x, y: x * y, (3.0, 4.0), (1.0, 0.0))
(12.0, 4.0)
>>> jacfwd(lambda x, y: [x * y, x + y], argnums=(0, 1))(3.0, 4.0)
[(4.0, 3.0), (1.0, 1.0)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from autograd._create_graph import VALUE_MATH
from autograd._evaluation import Argnums, Evaluation, as_scalar, check_argnums
from autograd._hooks import hooks_now
from autograd.core import Value
from autograd.graph import topological_order

__all__ = ["jacfwd", "jvp"]

Tangent: TypeAlias = "Value | float"


def _outputs(run: Evaluation, where: str) -> tuple[list[Value | float], bool]:
    """The outputs of the call as scalars, and whether it returned a sequence."""
    result = run.result
    if isinstance(result, Sequence) and not isinstance(result, str):
        return [
            as_scalar(y, where, f"output {k} of f") for k, y in enumerate(result)
        ], True
    return [run.scalar_output()], False


class _Graph:
    """The nodes below some outputs, in topological order, ready for tangent sweeps.

    Operands are kept as positions in that order (-1: a constant or none),
    so that a sweep is a loop over lists. A node can depend on an input only
    if it comes after it, so a sweep starts at its earliest seed.
    """

    def __init__(self, outputs: list[Value], on_values: bool) -> None:
        self.order = topological_order(outputs)
        # A hook replaces a reverse-mode adjoint by any function of it: no
        # tangent corresponds, so a hooked graph is swept in reverse.
        self.hooked = bool(hooks_now(self.order))
        self.position = {v: k for k, v in enumerate(self.order)}
        self.first = [self._at(v._p0) for v in self.order]
        self.second = [self._at(v._p1) for v in self.order]
        # The local derivatives: the floats the forward pass computed, or,
        # for derivatives of derivatives, the rows' rules run on Values
        # (once per node, on first use: not every node needs them).
        self.on_values = on_values
        self.partials: list[tuple[Any, ...] | None] = [
            None if on_values or v._row is None else (v._d0, v._d1) for v in self.order
        ]

    def _at(self, operand: object) -> int:
        return self.position[operand] if isinstance(operand, Value) else -1

    def _partials(self, k: int) -> tuple[Any, ...]:
        found = self.partials[k]
        if found is None:
            v = self.order[k]
            row = v._row
            assert row is not None  # only nodes with a Value operand get here
            operands = (v._p0,) if row.arity == 1 else (v._p0, v._p1)
            found = self.partials[k] = (*row.derivative(VALUE_MATH, *operands, v), 0.0)
        return found

    def tangents(
        self, outputs: list[Value | float], seeds: dict[int, Tangent]
    ) -> list[Tangent] | None:
        """The tangents of `outputs` (0.0 for one that depends on no seed), or
        None where forward mode cannot answer: hooks, or a tangent not finite."""
        if self.hooked:
            return None
        try:
            tangent = self.sweep(seeds)
        # A tangent on Values overflowed (no Value holds inf), or one underflowed.
        except (OverflowError, _UnderflowError):
            return None
        found = [_tangent_of(y, self, tangent) for y in outputs]
        # A tangent not finite makes every tangent after it not finite (inf * 0
        # and inf - inf are nan), up to an output or a seeded node, where the
        # sweep stops as reverse mode does: the outputs tell.
        if any(isinstance(t, float) and t - t != 0.0 for t in found):
            return None
        return found

    def sweep(self, seeds: dict[int, Tangent]) -> list[Tangent | None]:
        """The tangent of every node (None where it depends on no seed).

        Seeded nodes keep their seed: inputs are independent, as in `grad`,
        even if one was computed from another.
        """
        tangent: list[Tangent | None] = [None] * len(self.order)
        for k, t in seeds.items():
            tangent[k] = t
        first, second = self.first, self.second
        for k in range(min(seeds, default=len(self.order)), len(self.order)):
            i, j = first[k], second[k]
            a = tangent[i] if i >= 0 else None
            b = tangent[j] if j >= 0 else None
            if k in seeds:
                continue
            if a is not None and b is not None:
                d = self._partials(k)
                t = _times(d[0], a) + _times(d[1], b)
            elif a is not None:
                t = _times(self._partials(k)[0], a)
            elif b is not None:
                t = _times(self._partials(k)[1], b)
            else:
                continue
            x = t._data if isinstance(t, Value) else t
            if -_SMALLEST_NORMAL < x < _SMALLEST_NORMAL and self._underflowed(k, a, b):
                raise _UnderflowError
            tangent[k] = t
        return tangent

    def _underflowed(self, k: int, a: Tangent | None, b: Tangent | None) -> bool:
        """Whether a partial times a tangent, both nonzero, fell below the normal
        floats at node k: bits lost (all of them at 0.0), which reverse mode,
        multiplying the same partials from the output down, may keep."""
        d = self._partials(k)
        for partial, t in ((d[0], a), (d[1], b)):
            if t is not None:
                x, y = _float(partial), _float(t)
                if x != 0.0 and y != 0.0 and abs(x * y) < _SMALLEST_NORMAL:
                    return True
        return False


# Below this (sys.float_info.min) a float has fewer than 53 bits.
_SMALLEST_NORMAL = 2.2250738585072014e-308


class _UnderflowError(ArithmeticError):
    """A tangent underflowed: forward mode cannot be sure of its answer."""


def _float(x: Any) -> float:
    return float(x._data if isinstance(x, Value) else x)


def _times(d: Any, t: Tangent) -> Tangent:
    """A local derivative times a tangent; a unit one adds no node to Values."""
    return t if (isinstance(d, float) and d == 1.0) else d * t


def _as_tangent(t: object, k: int) -> Tangent:
    return as_scalar(t, "jvp", f"tangent {k}")


def jvp(
    f: Callable[..., Any],
    primals: Sequence[Value | float],
    tangents: Sequence[Value | float],
    has_aux: bool = False,
) -> Any:
    """``(f(*primals), d/dt f(primals + t * tangents) at t = 0)``: a directional slope.

    `primals` and `tangents` are sequences of the same length (one tangent
    per argument). A sequence-valued `f` gives sequences of values and
    tangents; ``has_aux=True`` (f returns ``(output, aux)``) adds `aux` as a
    third result.

    >>> import autograd
    >>> jvp(autograd.sin, (0.0,), (2.0,))
    (0.0, 2.0)
    """
    if not isinstance(primals, tuple | list) or not isinstance(tangents, tuple | list):
        raise TypeError(
            "jvp: primals and tangents must be tuples (or lists), one entry per "
            f"argument of f, got {type(primals).__name__} and {type(tangents).__name__}"
        )
    if len(primals) != len(tangents):
        raise TypeError(
            f"jvp: got {len(primals)} primal(s) but {len(tangents)} tangent(s); "
            "give one tangent per primal"
        )
    directions = [_as_tangent(t, k) for k, t in enumerate(tangents)]
    run = Evaluation(
        "jvp",
        f,
        tuple(range(len(primals))),
        has_aux=has_aux,
        args=tuple(primals),
        kwargs={},
    )
    outputs, is_sequence = _outputs(run, "jvp")
    graph = _Graph([y for y in outputs if isinstance(y, Value)], run.as_values)
    seeds: dict[int, Tangent] = {}
    for x, t in zip(run.inputs, directions, strict=True):
        k = graph.position.get(x)
        if k is not None:  # an input the outputs do not depend on moves nothing
            # The same Value passed twice moves along both directions at once.
            seeds[k] = seeds[k] + t if k in seeds else t
    slopes = graph.tangents(outputs, seeds)
    if slopes is None:
        slopes = [_reverse_slope(run, y, directions) for y in outputs]
    # Tangents stay Values when Values were asked for, in primals or tangents.
    keep = run.as_values or any(isinstance(t, Value) for t in directions)
    values = [run.lower(y) for y in outputs]
    slopes = [_lower(t, keep) for t in slopes]
    if is_sequence:
        kind = tuple if isinstance(run.result, tuple) else list
        result: tuple[Any, ...] = (kind(values), kind(slopes))
    else:
        result = (values[0], slopes[0])
    return (*result, run.aux) if has_aux else result


def _reverse_slope(
    run: Evaluation, y: Value | float, directions: list[Tangent]
) -> Tangent:
    """`y`'s slope along `directions` by reverse mode: its gradient dotted with them.

    A zero direction moves nothing, even along an infinite derivative, as
    a zero seed does in a forward sweep.
    """
    gradient = run.gradients(y, ())
    terms = [
        _times(g, t)
        for g, t in zip(gradient, directions, strict=True)
        if not (isinstance(t, float) and t == 0.0)
    ]
    return sum(terms[1:], terms[0]) if terms else 0.0


def _tangent_of(
    y: Value | float, graph: _Graph, tangent: list[Tangent | None]
) -> Tangent:
    """The tangent of output `y`: exactly 0.0 if it depends on no input."""
    t = tangent[graph.position[y]] if isinstance(y, Value) else None
    return 0.0 if t is None else t


def _lower(t: Tangent, keep_values: bool) -> Tangent:
    return t if keep_values or not isinstance(t, Value) else t._data


def jacfwd(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """`jacobian` by forward mode: the same rows, one tangent sweep per input.

    Cheaper than `jacobian` when `f` has more outputs than inputs: one run
    of `f`, then one sweep per argument in `argnums`.

    >>> jacfwd(lambda x: [x * x, 3.0 * x])(2.0)
    [4.0, 3.0]
    """
    indices = check_argnums(argnums, "jacfwd")

    def jacfwd_f(*args: Any, **kwargs: Any) -> Any:
        run = Evaluation(
            "jacfwd", f, indices, has_aux=has_aux, args=args, kwargs=kwargs
        )
        outputs, is_sequence = _outputs(run, "jacfwd")
        graph = _Graph([y for y in outputs if isinstance(y, Value)], run.as_values)
        columns = _forward_columns(run, outputs, graph)
        if columns is None:
            rows_by_reverse = [run.gradients(y, ()) for y in outputs]
            columns = [list(column) for column in zip(*rows_by_reverse, strict=True)]
        rows: list[Any] = [
            tuple(column[k] for column in columns)
            if isinstance(argnums, tuple)
            else columns[0][k]
            for k in range(len(outputs))
        ]
        jacobian: Any = rows if is_sequence else rows[0]
        return (jacobian, run.aux) if has_aux else jacobian

    return jacfwd_f


def _forward_columns(
    run: Evaluation, outputs: list[Value | float], graph: _Graph
) -> list[list[Tangent]] | None:
    """d(outputs)/d(input), one column per input by one sweep each, or None if
    forward mode cannot answer (see the module docstring)."""
    positions = [graph.position.get(x) for x in run.inputs]
    # An input computed from another is held still by a zero seed, since
    # inputs are independent, as in `jacobian`; a leaf needs none.
    still: dict[int, Tangent] = {
        k: 0.0
        for k in positions
        if k is not None and (graph.first[k] >= 0 or graph.second[k] >= 0)
    }
    columns = []
    for k in positions:
        # Arguments passed as the same Value are one input: `grad` agrees.
        column = graph.tangents(outputs, still if k is None else {**still, k: 1.0})
        if column is None:
            return None
        columns.append([run.lower(t) for t in column])
    return columns
