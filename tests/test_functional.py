"""grad, value_and_grad, jacobian and hessian: JAX's semantics on scalars."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import autograd.functional
from autograd import Value, grad, hessian, jacobian, no_grad, value_and_grad
from autograd.testing import apply

reals = st.floats(-3.0, 3.0)


def test_grad_of_numbers_is_a_float() -> None:
    g = grad(lambda x: x * x + 3 * x)(2.0)
    assert type(g) is float
    assert g == 7.0


def test_grad_accepts_ints() -> None:
    assert grad(lambda x: x**3)(2) == 12.0


def test_grad_of_a_value_is_a_value_and_changes_no_grad() -> None:
    x = Value(2.0)
    y = x * 1.5
    g = grad(lambda t: t * t)(y)
    assert isinstance(g, Value)
    assert g.data == 6.0
    assert (x.grad, y.grad) == (0.0, 0.0)


def test_grad_of_a_value_can_be_backpropagated() -> None:
    x = Value(2.0)
    grad(lambda t: t**3)(x).backward()  # d/dx 3x**2 = 6x
    assert x.grad == 12.0


@given(reals)
def test_third_derivative_of_sin_is_minus_cos(x: float) -> None:
    d3 = grad(grad(grad(autograd.sin)))(x)
    assert math.isclose(d3, -math.cos(x), rel_tol=1e-12, abs_tol=1e-12)


@given(st.floats(0.1, 3.0))
def test_fourth_derivative_of_log_is_minus_six_over_x_to_the_fourth(x: float) -> None:
    d4 = grad(grad(grad(grad(autograd.log))))(x)
    assert math.isclose(d4, -6.0 / x**4, rel_tol=1e-9)


def test_argnums_tuple_gives_a_tuple_of_partials() -> None:
    f = lambda x, y, z: x * y + z**2  # noqa: E731
    assert grad(f, argnums=(0, 2))(3.0, 4.0, 5.0) == (4.0, 10.0)
    assert grad(f, argnums=(1,))(3.0, 4.0, 5.0) == (3.0,)
    assert grad(f, argnums=2)(3.0, 4.0, 5.0) == 10.0


def test_arguments_outside_argnums_are_passed_unchanged() -> None:
    seen: list[object] = []

    def f(x: Value, label: str, y: float) -> Value:
        seen.append(y)
        return x * y

    assert grad(f)(2.0, "name", 4) == 4.0
    assert seen == [4]


def test_keyword_arguments_are_passed_and_not_differentiated() -> None:
    assert grad(lambda x, *, scale: scale * x)(2.0, scale=3.0) == 3.0


def test_negative_argnums_count_from_the_end() -> None:
    assert grad(lambda x, y: x * y, argnums=-1)(3.0, 4.0) == 3.0


def test_argnums_out_of_range_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"argnums 2 is out of range for 2"):
        grad(lambda x, y: x * y, argnums=(0, 2))(1.0, 2.0)


@pytest.mark.parametrize("argnums", [1.0, "0", (0, None), True])
def test_argnums_must_be_ints(argnums: object) -> None:
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        grad(lambda x: x, argnums=argnums)  # type: ignore[arg-type]


def test_non_number_argument_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="grad: argument 0 must be a Value or a real"):
        grad(lambda x: x)("2.0")


@pytest.mark.parametrize("output", [[1.0, 2.0], (Value(1.0),)])
def test_grad_of_a_sequence_output_points_to_jacobian(output: object) -> None:
    with pytest.raises(TypeError, match=r"must return a scalar.*use jacobian"):
        grad(lambda x: output)(1.0)


@pytest.mark.parametrize("output", [None, "1.0", True, {"a": 1.0}])
def test_grad_of_a_non_number_output_is_a_type_error(output: object) -> None:
    with pytest.raises(TypeError, match="output of f must be a Value or a real"):
        grad(lambda x: output)(1.0)


@pytest.mark.parametrize("constant", [3, 2.5, Value(7.0)])
def test_gradient_of_a_constant_is_zero(constant: object) -> None:
    assert grad(lambda x: constant)(1.0) == 0.0


def test_gradient_with_respect_to_an_unused_argument_is_zero() -> None:
    assert grad(lambda x, y: x * x, argnums=(0, 1))(3.0, 4.0) == (6.0, 0.0)


def test_has_aux_returns_the_auxiliary_data_untouched() -> None:
    aux = {"note": "kept"}
    g, got = grad(lambda x: (x * x, aux), has_aux=True)(3.0)
    assert (g, got) == (6.0, aux)
    assert got is aux


def test_has_aux_needs_a_pair() -> None:
    with pytest.raises(TypeError, match="has_aux=True, f must return a pair"):
        grad(lambda x: x * x, has_aux=True)(3.0)


def test_value_and_grad_returns_both() -> None:
    assert value_and_grad(lambda x: x**2)(3.0) == (9.0, 6.0)
    (value, aux), g = value_and_grad(lambda x: (x**2, "aux"), has_aux=True)(3.0)
    assert (value, aux, g) == (9.0, "aux", 6.0)


def test_nested_grad_sees_closed_over_outer_inputs() -> None:
    # d/dx [d/dy (x * y)] = d/dx x = 1: the inner result must stay a Value.
    assert grad(lambda x: grad(lambda y: x * y)(1.0))(2.0) == 1.0


def test_grad_inside_no_grad_is_an_error() -> None:
    with no_grad(), pytest.raises(RuntimeError, match="inside no_grad"):
        grad(lambda x: x * x)(1.0)


def test_jacobian_gives_one_row_per_output() -> None:
    f = lambda x, y: [x * y, x + y, 5.0]  # noqa: E731
    assert jacobian(f, argnums=(0, 1))(3.0, 4.0) == [(4.0, 3.0), (1.0, 1.0), (0, 0)]
    assert jacobian(f)(3.0, 4.0) == [4.0, 1.0, 0.0]


def test_jacobian_of_a_scalar_output_is_the_gradient() -> None:
    assert jacobian(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0) == (4.0, 3.0)


def test_jacobian_rejects_outputs_that_are_not_scalars() -> None:
    with pytest.raises(TypeError, match="output 1 of f must be a Value or a real"):
        jacobian(lambda x: [x, [x]])(1.0)


@given(
    st.lists(reals, min_size=6, max_size=6),
    st.lists(reals, min_size=3, max_size=3),
    st.lists(reals, min_size=3, max_size=3),
)
def test_hessian_of_a_quadratic_form_is_its_symmetric_matrix(
    upper: list[float], b: list[float], x: list[float]
) -> None:
    # f(x) = 1/2 x^T A x + b^T x with symmetric A has hessian A everywhere.
    a = [[0.0] * 3 for _ in range(3)]
    triangle = [(i, j) for i in range(3) for j in range(i, 3)]
    for (i, j), entry in zip(triangle, upper, strict=True):
        a[i][j] = a[j][i] = entry

    def f(*xs: Value) -> Value | float:
        quadratic = sum(a[i][j] * xs[i] * xs[j] for i in range(3) for j in range(3))
        return 0.5 * quadratic + sum(bi * xi for bi, xi in zip(b, xs, strict=True))

    h = hessian(f, argnums=(0, 1, 2))(*x)
    flat = [entry for row in h for entry in row]
    assert flat == pytest.approx([entry for row in a for entry in row], abs=1e-12)


def test_hessian_with_int_argnums_is_the_second_derivative() -> None:
    assert hessian(lambda x: x**3)(2.0) == 12.0


def test_hessian_passes_aux_through() -> None:
    h, aux = hessian(lambda x: (x**3, "aux"), has_aux=True)(2.0)
    assert (h, aux) == (12.0, "aux")


def test_hessian_of_mixed_terms() -> None:
    h = hessian(lambda x, y: autograd.exp(x * y), argnums=(0, 1))(1.0, 2.0)
    e2 = math.exp(2.0)
    # d2/dx2 = y^2 e^xy, d2/dxdy = (1 + xy) e^xy, d2/dy2 = x^2 e^xy
    assert h[0] == pytest.approx((4 * e2, 3 * e2))
    assert h[1] == pytest.approx((3 * e2, e2))


# -- create_graph and the functional API give eager's floats, at the edges ----
#
# Rule: wherever eager `backward()` gives a gradient, `grad` and
# `backward(create_graph=True)` give the same float (inf and nan included);
# where the forward pass raises, they raise the same type. Second derivatives
# through both higher-order paths agree wherever the first derivatives are
# finite. Swept over every row of the op table at extreme operands.

EXTREMES = [
    0.0, -0.0, 5e-324, -5e-324, 1e-310, 2.2250738585072014e-308, 1e-155,
    0.5, 1.0, -1.0, 2.0, -2.5, 3.0, 40.0, -41.0, 1e155, -1e155, 1e300, -1e300,
]  # fmt: skip
EXTREME_POINTS = [
    pytest.param(row, point, id=f"{row.name}{point}")
    for row in autograd.OPS.values()
    for point in itertools.product(EXTREMES, repeat=row.arity)
]


def _same(a: float, b: float) -> bool:
    """Equal floats, nan equal to nan (0.0 == -0.0: a zero's sign is not a slope)."""
    return a == b or (math.isnan(a) and math.isnan(b))


def _number(g: Value | float) -> float:
    return g.data if isinstance(g, Value) else g


def _row_function(row: autograd.ops.Op) -> Any:
    return lambda *xs: apply(row.name, *xs)


def _eager(row: autograd.ops.Op, point: tuple[float, ...]) -> list[float] | type:
    """Eager `backward()`'s gradients at `point`, or the type of error it raises."""
    leaves = [Value(x) for x in point]
    try:
        out = apply(row.name, *leaves)
    except (ArithmeticError, ValueError) as error:
        return type(error)
    out.backward()  # type: ignore[union-attr]
    return [float(leaf.grad) for leaf in leaves]  # type: ignore[arg-type]


def _check_parity(row: autograd.ops.Op, point: tuple[float, ...]) -> None:
    f = _row_function(row)
    argnums = tuple(range(row.arity))
    eager = _eager(row, point)
    if isinstance(eager, type):
        with pytest.raises(eager):
            grad(f, argnums=argnums)(*point)
        return
    functional = grad(f, argnums=argnums)(*point)
    leaves = [Value(x) for x in point]
    apply(row.name, *leaves).backward(create_graph=True)  # type: ignore[union-attr]
    for i, e in enumerate(eager):
        assert _same(functional[i], e), (i, functional[i], e)
        assert _same(_number(leaves[i].grad), e), (i, leaves[i].grad, e)
    # Second order where the first is finite: grad of grad, and backward()
    # of a create_graph gradient, agree.
    firsts = [leaf.grad for leaf in leaves]
    for i, e in enumerate(eager):
        if not math.isfinite(e):
            continue
        second = grad(grad(f, argnums=i), argnums=argnums)(*point)
        g = firsts[i]
        for leaf in leaves:
            leaf.grad = 0.0
        if isinstance(g, Value):
            g.zero_grad()
            g.backward()
        for j in argnums:
            through_backward = _number(leaves[j].grad) if isinstance(g, Value) else 0.0
            assert _same(second[j], through_backward), (i, j, second[j], g)


@pytest.mark.parametrize(("row", "point"), EXTREME_POINTS)
def test_create_graph_and_grad_give_eagers_floats_at_extreme_operands(
    row: autograd.ops.Op, point: tuple[float, ...]
) -> None:
    _check_parity(row, point)


@pytest.mark.parametrize("row", list(autograd.OPS.values()), ids=lambda r: r.name)
@given(data=st.data())
def test_create_graph_and_grad_give_eagers_floats_anywhere(
    row: autograd.ops.Op, data: st.DataObject
) -> None:
    finite = st.floats(allow_nan=False, allow_infinity=False)
    point = data.draw(st.tuples(*[finite | st.sampled_from(EXTREMES)] * row.arity))
    _check_parity(row, point)


def _raises_floating_point_error(call: Any) -> bool:
    try:
        call()
    except FloatingPointError:
        return True
    return False


@pytest.mark.parametrize(("row", "point"), EXTREME_POINTS)
def test_detect_anomaly_checks_grad_and_create_graph_as_it_checks_backward(
    row: autograd.ops.Op, point: tuple[float, ...]
) -> None:
    if isinstance(_eager(row, point), type):
        return  # the forward pass raises: nothing to differentiate
    f = _row_function(row)
    argnums = tuple(range(row.arity))

    def backward(create_graph: bool) -> None:
        apply(row.name, *map(Value, point)).backward(create_graph=create_graph)  # type: ignore[union-attr]

    with autograd.detect_anomaly():
        eager = _raises_floating_point_error(lambda: backward(False))
        assert _raises_floating_point_error(lambda: backward(True)) == eager
        assert (
            _raises_floating_point_error(lambda: grad(f, argnums=argnums)(*point))
            == eager
        )


def test_grad_in_anomaly_mode_names_the_op_of_an_infinite_slope() -> None:
    assert grad(autograd.sqrt)(0.0) == math.inf  # IEEE arithmetic outside
    with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="'sqrt'"):
        grad(autograd.sqrt)(0.0)


def test_an_infinite_derivative_cannot_be_differentiated_again() -> None:
    # sqrt'(0) is inf, which no Value holds: its derivative would silently be 0.
    with pytest.raises(FloatingPointError, match="no derivative"):
        grad(grad(autograd.sqrt))(0.0)
    with pytest.raises(FloatingPointError, match="no derivative"):
        jacobian(grad(lambda x: x**0.5))(0.0)
    with pytest.raises(FloatingPointError, match="no derivative"):
        hessian(autograd.sqrt)(0.0)  # forward over reverse


def test_higher_order_at_the_edges_of_the_issue() -> None:
    # Rules that worked on floats and failed on Values (issue 12).
    assert grad(autograd.erf)(1e155) == 0.0
    assert grad(autograd.gelu)(1e155) == 1.0
    assert grad(lambda x, y: x**y, argnums=(0, 1))(0.0, 0.0) == (0.0, 0.0)
    assert grad(lambda x: x**0.5)(0.0) == grad(autograd.sqrt)(0.0) == math.inf
    x = Value(5e-324)
    x.log().backward(create_graph=True)
    assert x.grad == math.inf


def test_create_graph_gradients_accumulate_an_infinite_one_as_eager_does() -> None:
    x = Value(0.0)
    (x * Value(3.0)).backward(create_graph=True)  # a Value gradient, 3
    assert isinstance(x.grad, Value)
    x.sqrt().backward(create_graph=True)  # then sqrt'(0) = inf: 3 + inf
    assert x.grad == math.inf


def test_an_inner_derivative_hanging_on_an_outer_value_input_stays_a_value() -> None:
    # The outer input given as a Value, not made by grad: the inner grad
    # must still return a Value, or the outer derivative silently is 0.
    inner = lambda x: grad(lambda y: x * y)(1.0)  # noqa: E731
    assert grad(inner)(3.0) == 1.0
    given_a_value = grad(inner)(Value(3.0))
    assert given_a_value == 1.0 or given_a_value.data == 1.0
