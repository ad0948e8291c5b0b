"""Forward mode: jvp and jacfwd against finite differences and their reverse twins."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, grad, hessian, jacfwd, jacobian, jvp
from autograd.check import numeric_grad
from autograd.testing import Expression, graphs

Graph = tuple[Expression, tuple[float, ...]]


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=rel)


def f(x: Any, y: Any) -> Any:
    return autograd.sin(x * y) + x**3 / (1.0 + y * y)


def test_jvp_has_jaxs_signature_and_results() -> None:
    assert jvp(lambda x, y: x * y, (3.0, 4.0), (1.0, 0.0)) == (12.0, 4.0)
    assert jvp(lambda x, y: x * y, [3.0, 4.0], [0.0, 1.0]) == (12.0, 3.0)
    assert jvp(lambda x: [x, 2.0 * x], (3.0,), (1.0,)) == ([3.0, 6.0], [1.0, 2.0])
    assert jvp(lambda x: (x, x * x), (3.0,), (1.0,)) == ((3.0, 9.0), (1.0, 6.0))
    out, slope, aux = jvp(lambda x: (x * x, "aux"), (3.0,), (2.0,), has_aux=True)
    assert (out, slope, aux) == (9.0, 12.0, "aux")


def test_a_constant_output_has_tangent_zero() -> None:
    assert jvp(lambda x: 5.0, (3.0,), (1.0,)) == (5.0, 0.0)
    assert jvp(lambda x, y: [x, 1.0], (3.0, 1.0), (1.0, 1.0)) == (
        [3.0, 1.0],
        [1.0, 0.0],
    )


def test_jvp_refuses_bad_arguments() -> None:
    with pytest.raises(TypeError, match="tuples"):
        jvp(autograd.sin, 1.0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="one tangent per primal"):
        jvp(f, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match="tangent 0"):
        jvp(autograd.sin, (1.0,), ("1",))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 0"):
        jvp(autograd.sin, (None,), (1.0,))  # type: ignore[arg-type]
    with autograd.no_grad(), pytest.raises(RuntimeError, match="no_grad"):
        jvp(autograd.sin, (1.0,), (1.0,))


def test_the_same_value_twice_moves_along_both_tangents() -> None:
    x = Value(3.0)
    _, slope = jvp(lambda a, b: a * b, (x, x), (1.0, 2.0))
    assert isinstance(slope, Value) and slope.data == 18.0  # d/dt (3+t)(3+2t)


@given(graphs(), st.data())
def test_jvp_equals_the_gradient_along_the_tangent(
    graph: Graph, data: st.DataObject
) -> None:
    expression, point = graph
    tangents = data.draw(st.tuples(*[st.floats(-2.0, 2.0)] * len(point)))
    value, slope = jvp(expression, point, tangents)
    gradient = grad(expression, argnums=tuple(range(len(point))))(*point)
    assert value == expression(*point)
    expected = sum(g * t for g, t in zip(gradient, tangents, strict=True))
    assert close(slope, expected, 1e-9)


@given(graphs())
def test_jvp_matches_finite_differences(graph: Graph) -> None:
    expression, point = graph
    numeric = numeric_grad(expression, *point)
    for i in range(len(point)):
        tangents = [0.0] * len(point)
        tangents[i] = 1.0
        _, slope = jvp(expression, point, tangents)
        assert math.isclose(slope, numeric[i], rel_tol=1e-5, abs_tol=1e-6)


@given(graphs())
def test_jacfwd_equals_jacobian(graph: Graph) -> None:
    expression, point = graph
    argnums = tuple(range(len(point)))

    def outputs(*xs: Any) -> list[Any]:
        y = expression(*xs)
        return [y, y * y, xs[0]]

    forward = jacfwd(outputs, argnums=argnums)(*point)
    reverse = jacobian(outputs, argnums=argnums)(*point)
    for row_f, row_r in zip(forward, reverse, strict=True):
        for a, b in zip(row_f, row_r, strict=True):
            assert close(a, b)
    assert close(jacfwd(expression)(*point), grad(expression)(*point))


def test_jacfwd_has_jacobians_shapes() -> None:
    for argnums in (0, 1, (0,), (0, 1), (1, 0)):
        for g in (f, lambda x, y: [f(x, y), x * y]):
            forward = jacfwd(g, argnums=argnums)(0.3, 0.7)
            reverse = jacobian(g, argnums=argnums)(0.3, 0.7)
            assert type(forward) is type(reverse)
            assert str(forward).count("(") == str(reverse).count("(")
    assert jacfwd(lambda x: (x * x, "aux"), has_aux=True)(3.0) == (6.0, "aux")


def test_higher_order_in_any_mix_of_modes() -> None:
    x = 0.8
    exact = grad(grad(lambda a: f(a, 0.6)))(x)
    assert close(jvp(grad(lambda a: f(a, 0.6)), (x,), (1.0,))[1], exact)
    assert close(grad(lambda a: jvp(lambda b: f(b, 0.6), (a,), (1.0,))[1])(x), exact)
    assert close(jacfwd(jacfwd(lambda a: f(a, 0.6)))(x), exact)
    assert close(jacfwd(grad(lambda a: f(a, 0.6)))(x), exact)
    third = grad(grad(grad(lambda a: f(a, 0.6))))(x)
    assert close(jacfwd(jacfwd(jacfwd(lambda a: f(a, 0.6))))(x), third)
    assert close(jacfwd(grad(jacfwd(lambda a: f(a, 0.6))))(x), third)
    forward = jacfwd(jacobian(f, argnums=(0, 1)), argnums=(0, 1))(0.3, 0.7)
    for row_f, row_r in zip(forward, hessian(f, argnums=(0, 1))(0.3, 0.7), strict=True):
        for a, b in zip(row_f, row_r, strict=True):
            assert close(a, b)


def test_grad_through_a_tangent_given_as_a_value() -> None:
    # d/dt of the directional derivative t * f'(x) is f'(x).
    slope = grad(lambda t: jvp(lambda a: f(a, 0.6), (0.8,), (t,))[1])(2.0)
    assert close(slope, grad(lambda a: f(a, 0.6))(0.8))


def test_value_primals_give_values_with_a_graph() -> None:
    x = Value(0.8)
    value, slope = jvp(lambda a: a * a * a, (x,), (1.0,))
    assert isinstance(value, Value) and isinstance(slope, Value)
    slope.backward()
    assert close(x.grad, 6.0 * 0.8)  # type: ignore[arg-type]


def test_user_primitives_go_through_forward_mode() -> None:
    @autograd.primitive(derivative=lambda m, x, out: (1.0 / (1.0 + x * x),))
    def arctan(x: float) -> float:
        return math.atan(x)

    assert jvp(arctan, (1.0,), (2.0,)) == (math.atan(1.0), 1.0)
    assert close(jacfwd(jacfwd(arctan))(0.5), grad(grad(arctan))(0.5))


@given(graphs(max_leaves=3))
def test_hessian_forward_over_reverse_equals_reverse_over_reverse(graph: Graph) -> None:
    expression, point = graph
    argnums = tuple(range(len(point)))
    forward = hessian(expression, argnums=argnums)(*point)
    reverse = jacobian(grad(expression, argnums=argnums), argnums=argnums)(*point)
    for row_f, row_r in zip(forward, reverse, strict=True):
        for a, b in zip(row_f, row_r, strict=True):
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def test_detect_anomaly_fails_at_the_node_whose_tangent_is_not_finite() -> None:
    # As `grad` does there: sqrt's slope at 0 is inf, fine outside anomaly mode.
    assert jvp(autograd.sqrt, (0.0,), (1.0,)) == (0.0, math.inf)
    with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="sqrt"):
        jvp(autograd.sqrt, (0.0,), (1.0,))
    with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="sqrt"):
        jacfwd(lambda x: autograd.sqrt(x) * 2.0)(0.0)
    with autograd.detect_anomaly():
        assert jvp(lambda x: x * x, (3.0,), (1.0,)) == (9.0, 6.0)
