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

>>> from autograd import jvp, jacfwd
>>> jvp(lambda x, y: x * y, (3.0, 4.0), (1.0, 0.0))
(12.0, 4.0)
>>> jacfwd(lambda x, y: [x * y, x + y], argnums=(0, 1))(3.0, 4.0)
[(4.0, 3.0), (1.0, 1.0)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd.engine import VALUE_MATH, Value
from autograd.functional import Argnums, _as_scalar, _check_argnums, _Evaluation
from autograd.graph import topological_order

__all__ = ["jacfwd", "jvp"]

Tangent = Value | float


def _outputs(run: _Evaluation, where: str) -> tuple[list[Value | float], bool]:
    """The outputs of the call as scalars, and whether it returned a sequence."""
    result = run.result
    if isinstance(result, Sequence) and not isinstance(result, str):
        return [
            _as_scalar(y, where, f"output {k} of f") for k, y in enumerate(result)
        ], True
    return [run.scalar_output()], False


def _sweep(
    order: list[Value], seeds: dict[Value, Tangent], on_values: bool
) -> dict[Value, Tangent]:
    """The tangent of every node of `order` that depends on a seeded input.

    Nodes that depend on no input get no entry (a tangent of exactly 0).
    Seeded nodes keep their seed: inputs are independent, as in `grad`, even
    if one was computed from another. ``on_values`` runs the rows' rules on
    Values, so that the tangents can be differentiated again.
    """
    tangent = dict(seeds)
    for v in order:
        row = v._row
        if row is None or v in seeds:
            continue
        operands = (v._p0,) if row.arity == 1 else (v._p0, v._p1)
        if not any(p in tangent for p in operands if isinstance(p, Value)):
            continue
        partials = (
            row.derivative(VALUE_MATH, *operands, v)
            if on_values
            else (v._d0,)
            if row.arity == 1
            else (v._d0, v._d1)
        )
        total: Tangent | None = None
        for p, d in zip(operands, partials, strict=True):
            t = tangent.get(p) if isinstance(p, Value) else None
            if t is None:
                continue
            # A unit partial adds no node when the tangents are Values.
            c = t if (isinstance(d, float) and d == 1.0) else d * t
            total = c if total is None else total + c
        if total is not None:
            tangent[v] = total
    return tangent


def _as_tangent(t: object, k: int) -> Tangent:
    return _as_scalar(t, "jvp", f"tangent {k}")


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
    run = _Evaluation(
        "jvp",
        f,
        tuple(range(len(primals))),
        has_aux=has_aux,
        args=tuple(primals),
        kwargs={},
    )
    outputs, is_sequence = _outputs(run, "jvp")
    seeds: dict[Value, Tangent] = {}
    for x, t in zip(run.inputs, directions, strict=True):
        # The same Value passed twice moves along both directions at once.
        seeds[x] = seeds[x] + t if x in seeds else t
    tangent = _sweep(
        topological_order([y for y in outputs if isinstance(y, Value)]),
        seeds,
        run.as_values,
    )
    # Tangents stay Values when Values were asked for, in primals or tangents.
    keep = run.as_values or any(isinstance(t, Value) for t in directions)
    values = [run.lower(y) for y in outputs]
    slopes = [
        _lower(tangent.get(y, 0.0) if isinstance(y, Value) else 0.0, keep)
        for y in outputs
    ]
    if is_sequence:
        kind = tuple if isinstance(run.result, tuple) else list
        result: tuple[Any, ...] = (kind(values), kind(slopes))
    else:
        result = (values[0], slopes[0])
    return (*result, run.aux) if has_aux else result


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
    indices = _check_argnums(argnums, "jacfwd")

    def jacfwd_f(*args: Any, **kwargs: Any) -> Any:
        run = _Evaluation(
            "jacfwd", f, indices, has_aux=has_aux, args=args, kwargs=kwargs
        )
        outputs, is_sequence = _outputs(run, "jacfwd")
        order = topological_order([y for y in outputs if isinstance(y, Value)])
        columns = []
        for x in run.inputs:
            # Arguments passed as the same Value are one input: `grad` agrees.
            tangent = _sweep(order, {x: 1.0}, run.as_values)
            columns.append(
                [
                    run.lower(tangent.get(y, 0.0)) if isinstance(y, Value) else 0.0
                    for y in outputs
                ]
            )
        rows: list[Any] = [
            tuple(column[k] for column in columns)
            if isinstance(argnums, tuple)
            else columns[0][k]
            for k in range(len(outputs))
        ]
        jacobian: Any = rows if is_sequence else rows[0]
        return (jacobian, run.aux) if has_aux else jacobian

    return jacfwd_f
