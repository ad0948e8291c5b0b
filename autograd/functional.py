"""Derivatives as functions, with JAX's names: grad, value_and_grad, jacobian, hessian.

Each takes a function of scalars and returns a new function. Arguments may be
plain numbers or `Value`s. Plain numbers in, floats out; a `Value` argument
gives `Value` results with their own graph, so the derivative of a derivative
is just `grad(grad(f))`:

>>> from autograd import grad
>>> f = lambda x: x**3
>>> grad(f)(2.0), grad(grad(f))(2.0), grad(grad(grad(f)))(2.0)
(12.0, 12.0, 6.0)

Nothing here changes any `grad` attribute: the derivatives are returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd._evaluation import (
    Argnums,
    Evaluation,
    as_scalar,
    check_argnums,
)
from autograd.forward import jacfwd

__all__ = ["grad", "hessian", "jacobian", "value_and_grad"]


def value_and_grad(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning ``(f(*args), grad(f)(*args))``, or ``((out, aux), g)``.

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))
    """
    indices = check_argnums(argnums, "value_and_grad")

    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        run = Evaluation(
            "value_and_grad", f, indices, has_aux=has_aux, args=args, kwargs=kwargs
        )
        out = run.scalar_output()
        value = run.lower(out)
        g = run.gradients(out, argnums)
        return ((value, run.aux), g) if has_aux else (value, g)

    return value_and_grad_f


def grad(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The gradient of scalar `f` with respect to the arguments `argnums`.

    An int `argnums` gives one derivative, a tuple gives a tuple of them; with
    ``has_aux=True`` `f` returns ``(output, aux)`` and so does the gradient.

    >>> import autograd
    >>> grad(autograd.sin)(0.0)
    1.0
    >>> grad(lambda x, y: x * y**2, argnums=(0, 1))(3.0, 2.0)
    (4.0, 12.0)
    """
    value_and_grad_f = value_and_grad(f, argnums, has_aux)

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        value, g = value_and_grad_f(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    grad_f.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return grad_f


def jacobian(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Derivatives of every output of `f`: a list of rows, one per output.

    Each row is shaped like `grad` with the same `argnums`; a scalar output
    gives just that one row.

    >>> jacobian(lambda x, y: [x * y, x + y], argnums=(0, 1))(3.0, 4.0)
    [(4.0, 3.0), (1.0, 1.0)]
    """
    indices = check_argnums(argnums, "jacobian")

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        run = Evaluation(
            "jacobian", f, indices, has_aux=has_aux, args=args, kwargs=kwargs
        )
        if isinstance(run.result, Sequence) and not isinstance(run.result, str):
            outputs = [
                as_scalar(y, "jacobian", f"output {k} of f")
                for k, y in enumerate(run.result)
            ]
            rows: Any = [run.gradients(y, argnums) for y in outputs]
        else:
            rows = run.gradients(run.scalar_output(), argnums)
        return (rows, run.aux) if has_aux else rows

    return jacobian_f


def hessian(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Second derivatives of scalar `f`, ``jacfwd(grad(f))``: rows for tuple argnums.

    Forward over reverse: the gradient's graph is recorded once and swept
    once per input (`benchmarks/hessian.py`: 2-4x faster than
    ``jacobian(grad(f))``, the same numbers to rounding). Where forward mode
    cannot answer (gradient hooks, a tangent that overflows) `jacfwd` takes
    the rows by reverse mode, so this is ``jacobian(grad(f))`` exactly.

    >>> hessian(lambda x, y: x * x * y, argnums=(0, 1))(3.0, 2.0)
    [(4.0, 6.0), (6.0, 0.0)]
    """

    return jacfwd(grad(f, argnums, has_aux), argnums, has_aux)
