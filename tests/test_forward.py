"""Forward mode: jvp and jacfwd against finite differences and their reverse twins."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from floats import bits
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, grad, hessian, jacfwd, jacobian, jvp, value_and_grad
from autograd.check import numeric_grad
from autograd.ops import OPS
from autograd.testing import Expression, apply, graphs

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


def test_detect_anomaly_lets_a_tangent_overflow_that_reverse_mode_avoids() -> None:
    # Forward mode hands the call to reverse mode, which anomaly mode checks.
    def f(x: Any) -> Any:
        return autograd.sqrt(x) * 1e150 * 1e-300

    with autograd.detect_anomaly():
        assert jacfwd(f)(5e-324) == grad(f)(5e-324) == jvp(f, (5e-324,), (1.0,))[1]


# -- where forward mode cannot answer, reverse mode does -------------------------


def _hooked_cube(x: Any) -> Any:
    y = x * x
    y.register_hook(lambda g: g * 2)
    return y * x


def test_forward_mode_on_a_hooked_graph_gives_what_reverse_mode_gives() -> None:
    # The hook doubles the adjoint reaching y = x * x: d/dx = 2 * x**2 + 2 * x * x**1.
    assert grad(_hooked_cube)(1.5) == 11.25
    assert jacfwd(_hooked_cube)(1.5) == 11.25
    assert jvp(_hooked_cube, (1.5,), (2.0,)) == (3.375, 22.5)
    second = jacobian(grad(_hooked_cube))(1.5)
    assert second == grad(grad(_hooked_cube))(1.5) == 18.0
    assert hessian(_hooked_cube)(1.5) == second
    assert jvp(grad(_hooked_cube), (1.5,), (1.0,))[1] == second


def test_the_same_value_twice_in_a_hooked_graph_moves_along_both_tangents() -> None:
    # As without hooks: one node, moved along the sum of its tangents.
    x = Value(0.8)
    _, slope = jvp(lambda a, b: _hooked_cube(a) * b, (x, x), (1.0, 2.0))
    assert slope.data == 3.0 * grad(lambda a: _hooked_cube(a) * a)(0.8)


def test_a_hook_on_an_argument_given_as_a_value_is_honoured() -> None:
    x = Value(1.5)
    handle = x.register_hook(lambda g: 3 * g)
    try:
        assert jacfwd(lambda a: a * a)(x).data == grad(lambda a: a * a)(x).data == 9.0
        assert jvp(lambda a: a * a, (x,), (1.0,))[1].data == 9.0
    finally:
        handle.remove()


def test_a_tangent_that_overflows_falls_back_to_reverse_mode() -> None:
    # The input's tangent 2.2e161 times 1e150 overflows; from the output down
    # the same partials give 1e-300 * 1e150 * 2.2e161, finite.
    def f(x: Any) -> Any:
        return autograd.sqrt(x) * 1e150 * 1e-300

    x = 5e-324
    exact = jacobian(f)(x)
    assert math.isfinite(exact)
    assert jacfwd(f)(x) == exact
    assert jvp(f, (x,), (2.0,))[1] == 2.0 * exact
    assert jvp(f, (Value(x),), (2.0,))[1].data == 2.0 * exact  # tangents on Values
    assert jacfwd(lambda a: [f(a), a])(x) == [exact, 1.0]


def test_jacfwd_is_jacobian_bit_for_bit_where_tangents_overflow() -> None:
    # sqrt(x) / sqrt(x) at the smallest subnormal: whatever reverse mode gives.
    def f(x: Any) -> Any:
        return autograd.sqrt(x) / autograd.sqrt(x)

    reverse = jacobian(f)(5e-324)
    assert bits(jacfwd(f)(5e-324)) == bits(reverse)
    assert bits(jvp(f, (5e-324,), (1.0,))[1]) == bits(reverse)


def test_a_zero_direction_moves_nothing_even_along_an_infinite_slope() -> None:
    assert jvp(autograd.sqrt, (0.0,), (0.0,)) == (0.0, 0.0)
    assert jvp(lambda a, b: autograd.sqrt(a) + b, (0.0, 1.0), (0.0, 3.0))[1] == 3.0


HOOKS: dict[str, Callable[[Any], Any] | None] = {
    "none": None,
    "scale": lambda g: g * -1.5,
    "square": lambda g: g * g,  # not linear: no tangent means this
}


def _outcome(call: Callable[[], Any]) -> Any:
    """What a derivative call gives, or the type of error it raises."""
    try:
        return call()
    except (ArithmeticError, ValueError) as e:
        return type(e)


def _same(a: Any, b: Any, rel: float) -> bool:
    """Equal outcomes: the same error, or numbers equal to `rel` (nan equals nan)."""
    if isinstance(a, type) or isinstance(b, type):
        return a is b
    if isinstance(a, tuple | list):
        pairs = zip(a, b, strict=True)
        return len(a) == len(b) and all(_same(x, y, rel) for x, y in pairs)
    a, b = (x.data if isinstance(x, Value) else x for x in (a, b))
    return (math.isnan(a) and math.isnan(b)) or a == b or close(a, b, rel)


@given(graphs(max_leaves=3), st.sampled_from(sorted(HOOKS)), st.booleans())
def test_every_derivative_function_agrees_with_and_without_hooks(
    graph: Graph, hook_name: str, on_input: bool
) -> None:
    expression, point = graph
    hook = HOOKS[hook_name]

    def f(*xs: Any) -> Any:
        y = expression(*xs)
        if hook is not None and isinstance(y, Value):
            (xs[0] if on_input else y).register_hook(hook)
        return y * xs[0] + y

    argnums = tuple(range(len(point)))
    reference = _outcome(lambda: grad(f, argnums)(*point))
    others = {
        "value_and_grad": lambda: value_and_grad(f, argnums)(*point)[1],
        "jacobian": lambda: jacobian(f, argnums)(*point),
        "jacfwd": lambda: jacfwd(f, argnums)(*point),
        "jvp": lambda: tuple(
            jvp(f, point, [float(i == k) for i in argnums])[1] for k in argnums
        ),
        "backward": lambda: _backward_grads(f, point),
    }
    for name, call in others.items():
        assert _same(_outcome(call), reference, 1e-9), name
    second = _outcome(lambda: jacobian(grad(f, argnums), argnums)(*point))
    assert _same(_outcome(lambda: hessian(f, argnums)(*point)), second, 1e-12)


def _backward_grads(f: Callable[..., Any], point: tuple[float, ...]) -> Any:
    leaves = [Value(x) for x in point]
    f(*leaves).backward()
    return tuple(x.grad for x in leaves)


# Rows whose one operand is the running value; the other a constant.
_CHAIN_ROWS = sorted(OPS)


@st.composite
def _extreme_chains(draw: st.DrawFn) -> tuple[list[tuple[str, int, float]], float]:
    """Steps (row, side, constant) of a chain from one input, and an extreme input."""
    extreme = st.sampled_from([5e-324, 1e-310, 1e-200, 1e-150, 1e150, 1e200, 1e300])
    numbers = st.one_of(extreme, st.floats(-4.0, 4.0), extreme.map(lambda x: -x))
    # side 0: f(running, c); 1: f(c, running); 2: f(running, running).
    steps = draw(
        st.lists(
            st.tuples(st.sampled_from(_CHAIN_ROWS), st.integers(0, 2), numbers),
            min_size=1,
            max_size=8,
        )
    )
    return steps, draw(numbers)


def _chain(steps: list[tuple[str, int, float]]) -> Callable[[Any], Any]:
    """The chain as a function; a step whose op fails there (domain, overflow)
    is skipped, on floats and Values alike."""

    def f(x: Any) -> Any:
        v = x
        for name, side, c in steps:
            row = OPS[name]
            operands = (v,) if row.arity == 1 else ((v, c), (c, v), (v, v))[side]
            try:
                v = apply(row, *operands)
            except (ArithmeticError, ValueError):
                continue
        return v

    return f


@given(_extreme_chains())
def test_jacfwd_is_jacobian_at_extreme_floats_wherever_reverse_mode_is_finite(
    chain: tuple[list[tuple[str, int, float]], float],
) -> None:
    steps, x = chain
    f = _chain(steps)
    reverse = _outcome(lambda: jacobian(f)(x))
    forward = _outcome(lambda: jacfwd(f)(x))
    slope = _outcome(lambda: jvp(f, (x,), (1.0,))[1])
    if isinstance(reverse, float) and math.isfinite(reverse):
        # One path, the same partials multiplied in the other order: equal to
        # rounding, or within what an underflow to subnormals loses.
        for answer in (forward, slope):
            assert isinstance(answer, float)
            assert math.isclose(answer, reverse, rel_tol=1e-12, abs_tol=1e-15)


def test_a_tangent_that_underflows_falls_back_to_reverse_mode() -> None:
    # The slope is 1e-200; from the input up the tangent is 1e-400 on the way
    # (0.0), from the output down the adjoint stays normal.
    def f(x: Any) -> Any:
        return x * 1e-200 * 1e-200 * 1e200

    x = 1e300
    assert grad(f)(x) == 1e-200
    assert jacfwd(f)(x) == 1e-200
    assert jvp(f, (x,), (1.0,))[1] == 1e-200
    assert jvp(f, (x,), (Value(1.0),))[1].data == 1e-200  # tangents on Values


_POWERS = st.sampled_from([-200, -160, -100, -50, 0, 50, 100, 200])


@given(st.lists(_POWERS, min_size=1, max_size=8), _POWERS)
def test_forward_mode_through_scalings_is_exact_or_is_reverse_mode(
    powers: list[int], p: int
) -> None:
    # The slope of x * 10**k1 * ... * 10**kn is 10**(k1 + ... + kn): forward
    # mode gives it to rounding, or, where its tangent left the normal floats,
    # falls back to whatever reverse mode gives.
    def f(v: Any) -> Any:
        for k in powers:
            v = v * float(f"1e{k}")
        return v

    x = float(f"1e{p}")
    reverse = _outcome(lambda: grad(f)(x))
    exponent = sum(powers)
    for answer in (
        _outcome(lambda: jacfwd(f)(x)),
        _outcome(lambda: jvp(f, (x,), (1.0,))[1]),
    ):
        if answer != reverse:
            assert -307 <= exponent <= 308  # a normal float
            assert math.isclose(answer, float(f"1e{exponent}"), rel_tol=1e-12)


@given(graphs(max_leaves=3))
def test_inputs_computed_from_one_another_are_independent_in_every_mode(
    graph: Graph,
) -> None:
    # Each input after the first is computed from the first; as inputs they
    # are independent (`jacobian`'s partials), in forward mode too.
    expression, point = graph
    first = Value(point[0])
    xs = [first, *(Value(p) + first * 0.5 for p in point[1:])]
    argnums = tuple(range(len(xs)))
    forward = _outcome(lambda: jacfwd(expression, argnums=argnums)(*xs))
    reverse = _outcome(lambda: jacobian(expression, argnums=argnums)(*xs))
    assert _same(forward, reverse, 1e-9)
    second = _outcome(lambda: hessian(expression, argnums=argnums)(*xs))
    nested = grad(expression, argnums=argnums)
    assert _same(second, _outcome(lambda: jacobian(nested, argnums=argnums)(*xs)), 1e-9)


def test_jacfwd_holds_an_input_computed_from_another_still() -> None:
    u = Value(3.0)
    w = u * 2.0
    assert [t.data for t in jacfwd(lambda a, b: a * b, argnums=(0, 1))(u, w)] == [
        6.0,
        3.0,
    ]
