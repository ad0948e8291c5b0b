"""One evaluation of a user's function for the derivative APIs: which
arguments are inputs, what came out, and the adjoints of the outputs.

Shared by reverse mode (`autograd.functional`) and forward mode
(`autograd.forward`), which builds on it too.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeAlias

from autograd._create_graph import graph_adjoints
from autograd._modes import is_grad_enabled
from autograd.core import Value
from autograd.graph import topological_order

__all__ = [
    "Argnums",
    "Evaluation",
    "Scalar",
    "as_scalar",
    "check_argnums",
    "enclosing_inputs",
]

Argnums: TypeAlias = "int | tuple[int, ...]"
Scalar: TypeAlias = "Value | float"

# The input leaves of the calls we are inside (grad(grad(f)) nests calls).
# An inner derivative that depends on one of them must stay a Value, or the
# outer call would see a constant: `grad(lambda x: grad(lambda y: x * y)(1.0))`.
enclosing_inputs: ContextVar[frozenset[Value]] = ContextVar(
    "autograd_enclosing_inputs", default=frozenset()
)


def check_argnums(argnums: Argnums, where: str) -> tuple[int, ...]:
    """`argnums` as a tuple of ints, or a TypeError saying what is wrong."""
    indices = argnums if isinstance(argnums, tuple) else (argnums,)
    for i in indices:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(
                f"{where}: argnums must be an int or a tuple of ints, got {argnums!r}"
            )
    return indices


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def as_scalar(x: object, where: str, what: str) -> Value | float:
    """A Value stays; a real number becomes a float; anything else is a TypeError."""
    if isinstance(x, Value):
        return x
    if _is_number(x):
        return float(x)  # type: ignore[arg-type]
    raise TypeError(
        f"{where}: {what} must be a Value or a real number, "
        f"got {type(x).__name__} {x!r:.60}"
    )


class Evaluation:
    """One call of the user's function, with what is needed to differentiate it."""

    def __init__(
        self,
        where: str,
        f: Callable[..., Any],
        argnums: tuple[int, ...],
        *,
        has_aux: bool,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        if not is_grad_enabled():
            raise RuntimeError(f"{where}: cannot differentiate inside no_grad()")
        for i in argnums:
            if not -len(args) <= i < len(args):
                raise TypeError(
                    f"{where}: argnums {i} is out of range for "
                    f"{len(args)} positional argument(s)"
                )
        call_args = list(args)
        for i in argnums:
            x = as_scalar(args[i], where, f"argument {i}")
            call_args[i] = x if isinstance(x, Value) else Value(x)
        self.where = where
        self.inputs = tuple(call_args[i] for i in argnums)
        outer = enclosing_inputs.get()
        # Every input, given as a Value or made here: an inner derivative that
        # hangs on any of them must stay a Value, or this call would see a
        # constant (grad(lambda x: grad(lambda y: x * y)(1.0))(Value(3.0))).
        token = enclosing_inputs.set(outer.union(self.inputs))
        try:
            result = f(*call_args, **kwargs)
        finally:
            enclosing_inputs.reset(token)
        self.aux: Any = None
        if has_aux:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError(
                    f"{where}: with has_aux=True, f must return a pair "
                    f"(output, aux), got {type(result).__name__}"
                )
            result, self.aux = result
        outputs = result if isinstance(result, Sequence) else [result]
        for y in outputs:
            if isinstance(y, float) and y - y != 0.0:
                # Inside grad(grad(f)) an infinite derivative (sqrt at 0) is
                # a float, as no Value holds inf: differentiating it would
                # silently give 0.
                raise FloatingPointError(
                    f"{where}: f returned {y!r}, which has no derivative (an "
                    "infinite derivative, as of sqrt at 0, cannot be "
                    "differentiated again)"
                )
        self.result: Any = result
        # Values out when the caller passed Values, or when the result hangs
        # on the inputs of an enclosing call; otherwise plain floats.
        self.as_values = any(isinstance(a, Value) for a in args) or (
            bool(outer)
            and isinstance(result, Value | Sequence)
            and any(v in outer for v in topological_order(self._output_values()))
        )

    def _output_values(self) -> list[Value]:
        outputs = self.result if isinstance(self.result, Sequence) else [self.result]
        return [v for v in outputs if isinstance(v, Value)]

    def scalar_output(self) -> Value | float:
        """The output, which must be a scalar (what `grad` differentiates)."""
        if isinstance(self.result, Sequence) and not isinstance(self.result, str):
            raise TypeError(
                f"{self.where}: f must return a scalar (a Value or a number), "
                f"got a {type(self.result).__name__} of {len(self.result)}; "
                "use jacobian for several outputs"
            )
        return as_scalar(self.result, self.where, "the output of f")

    def gradients(self, output: Value | float, argnums: Argnums) -> Any:
        """d(output)/d(input) for each input, shaped like `argnums`."""
        if isinstance(output, Value):
            adjoint = graph_adjoints(output, 1.0, self.inputs)
            partials = tuple(self.lower(adjoint.get(x, 0.0)) for x in self.inputs)
        else:  # a constant output: every derivative is 0
            partials = tuple(0.0 for _ in self.inputs)
        return partials if isinstance(argnums, tuple) else partials[0]

    def lower(self, x: Value | float) -> Value | float:
        """`x` as the caller should see it: a float unless Values were asked for."""
        return x if self.as_values or not isinstance(x, Value) else x._data
