"""Every row of the op table against finite differences, up to third derivatives.

The tests iterate over `ops.OPS`: a new row is covered by giving its `sample`
intervals and `kinks`, with no new test.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, grad
from autograd.check import numeric_grad
from autograd.ops import FLOAT_MATH, OPS, Op, OpDomainError
from autograd.testing import apply

ROWS = list(OPS.values())
ROW_IDS = [row.name for row in ROWS]
MODULE_FUNCTION_ROWS = [row for row in ROWS if hasattr(autograd, row.name)]

# Points closer than this to a kink are not sampled: a difference quotient
# across a kink measures the jump, not the derivative.
KINK_MARGIN = 1e-3


def points(row: Op) -> st.SearchStrategy[tuple[float, ...]]:
    """Operands inside the row's sample intervals, kept off the row's kinks."""
    return st.tuples(*[st.floats(lo, hi) for lo, hi in row.sample]).filter(
        lambda xs: row.kink_distance(*xs) > KINK_MARGIN
    )


def number(g: Value | float) -> float:
    """A gradient's number, whether a float or a create_graph Value."""
    return g.data if isinstance(g, Value) else g


def close(analytic: float, numeric: float, rtol: float, atol: float) -> bool:
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


def derivative(row: Op, path: tuple[int, ...]) -> Callable[..., Any]:
    """d^n row / d operand[path[0]] ... d operand[path[-1]], by nested `grad`."""
    f: Callable[..., Any] = lambda *xs: apply(row.name, *xs)  # noqa: E731
    for i in path:
        f = grad(f, argnums=i)
    return f


def test_every_row_declares_a_sample_interval_per_operand() -> None:
    for row in ROWS:
        assert len(row.sample) == row.arity, row.name
        assert all(lo < hi for lo, hi in row.sample), row.name
        assert all(row.sample[0][0] <= k <= row.sample[0][1] for k in row.kinks)


@pytest.mark.parametrize("row", MODULE_FUNCTION_ROWS, ids=lambda row: row.name)
@given(data=st.data())
def test_module_function_on_floats_agrees_with_value_path(
    row: Op, data: st.DataObject
) -> None:
    point = data.draw(points(row))
    function = getattr(autograd, row.name)
    on_floats = function(*point)
    assert type(on_floats) is float
    assert on_floats == function(*map(Value, point)).data


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@given(data=st.data())
def test_value_and_first_derivatives_match_central_differences(
    row: Op, data: st.DataObject
) -> None:
    point = data.draw(points(row))
    eager, graph = [Value(x) for x in point], [Value(x) for x in point]
    out = apply(row.name, *eager)
    assert isinstance(out, Value)
    assert out.data == row.forward(*point)
    out.backward()
    numeric = numeric_grad(row.forward, *point)
    for leaf, n in zip(eager, numeric, strict=True):
        assert close(float(leaf.grad), n, rtol=1e-6, atol=1e-7), (leaf.grad, n)
    # One rule, two namespaces: FLOAT_MATH on floats and VALUE_MATH on Values
    # run the same float operations in the same order, so the bits agree.
    apply(row.name, *graph).backward(create_graph=True)  # type: ignore[union-attr]
    assert [v.grad for v in eager] == [number(v.grad) for v in graph]


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@given(data=st.data())
def test_second_and_third_derivatives_match_differences_of_the_lower_one(
    row: Op, data: st.DataObject
) -> None:
    # Differencing the analytic lower derivative, not nested differences of
    # the op, keeps the numeric error at about one difference's worth.
    point = data.draw(points(row))
    lower_paths = itertools.chain.from_iterable(
        itertools.product(range(row.arity), repeat=order) for order in (1, 2)
    )
    for lower in lower_paths:
        numeric = numeric_grad(derivative(row, lower), *point, eps=1e-5)
        for i, n in enumerate(numeric):
            analytic = derivative(row, (*lower, i))(*point)
            assert close(analytic, n, rtol=1e-5, atol=1e-6), (lower, i, analytic, n)


def test_sqrt_derivative_at_zero_is_inf_with_and_without_create_graph() -> None:
    eager, graph = Value(0.0), Value(0.0)
    eager.sqrt().backward()
    graph.sqrt().backward(create_graph=True)
    assert eager.grad == math.inf
    assert graph.grad == math.inf


def test_maximum_gives_the_slope_to_the_larger_operand_and_half_each_at_a_tie() -> None:
    assert grad(autograd.maximum, argnums=(0, 1))(2.0, 3.0) == (0.0, 1.0)
    assert grad(autograd.maximum, argnums=(0, 1))(3.0, 2.0) == (1.0, 0.0)
    assert grad(autograd.maximum, argnums=(0, 1))(1.5, 1.5) == (0.5, 0.5)
    x = Value(1.5)
    autograd.maximum(x, x).backward()  # type: ignore[union-attr]
    assert x.grad == 1.0  # both halves of the tie reach x


def test_maximum_rows_kinks_are_its_ties() -> None:
    row = OPS["maximum"]
    assert row.kink_distance(1.0, 1.0) == 0.0
    assert row.kink_distance(1.0, -2.0) == 3.0


# gelu, its derivative and its second derivative, with 200-bit mpmath 1.3.0
# (x * ncdf(x), ncdf(x) + x * npdf(x), npdf(x) * (2 - x**2)) rounded to floats.
GELU_REFERENCE = [
    (-1.5, -0.1002108019032871, -0.12746919222997952, -0.03237939891647293),
    (-3.0, -0.0040496940948902835, -0.011945647204183927, -0.03102293888356605),
    (-6.0, -5.9195258702261885e-09, -3.5468709453902015e-08, -2.065800168939917e-07),
    (-8.0, -4.976768459417427e-15, -3.979607261086796e-14, -3.1324080717928733e-13),
    (-12.0, -2.1317785344932147e-32, -2.5578956616748956e-31, -3.0478649046415457e-30),
    (-20.0, -5.507248237212468e-88, -1.1014360483133464e-86, -2.1973374481395856e-85),
    (-30.0, -1.472014178144456e-196, -4.416031690708495e-195, -1.3233342291209357e-193),
]


@pytest.mark.parametrize(("x", "value", "slope", "curvature"), GELU_REFERENCE)
def test_gelu_keeps_its_digits_in_the_negative_tail(
    x: float, value: float, slope: float, curvature: float
) -> None:
    # x * (1 + erf(x/sqrt2)) / 2 lost every digit here (gelu(-12) was 100% off).
    # The value's error grows like x**2 ulps: erfc's argument x/sqrt2 is rounded.
    assert autograd.gelu(x) == pytest.approx(value, rel=1e-12, abs=0.0)
    assert grad(autograd.gelu)(x) == pytest.approx(slope, rel=1e-14, abs=0.0)
    second = grad(grad(autograd.gelu))(x)  # the rule on Values (create_graph)
    assert second == pytest.approx(curvature, rel=1e-14, abs=0.0)


def test_gelu_is_continuous_where_its_rule_changes_form() -> None:
    # Phi(x) is gelu(x) / x below -1 and 1 + erf(x/sqrt2) from -1 up.
    below, at = (
        grad(autograd.gelu)(math.nextafter(-1.0, -2.0)),
        grad(autograd.gelu)(-1.0),
    )
    assert below == pytest.approx(at, rel=1e-14)


def _slope_power(x: float, y: float) -> float:
    """What a derivative rule's x ** y means: 0 ** negative and overflow are
    the limit (an infinite slope); a negative base ** a fraction has no value."""
    if x == 0.0 and y < 0.0:
        return math.inf
    if x < 0.0 and not y.is_integer():
        raise OpDomainError("no real value")
    try:
        return x**y
    except OverflowError:
        return -math.inf if x < 0.0 and y % 2.0 == 1.0 else math.inf


@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-400, 400).map(float),
    ),
)
def test_the_power_derivative_rules_use_is_x_to_the_y_or_its_limit(
    x: float, y: float
) -> None:
    try:
        expected = _slope_power(x, y)
    except OpDomainError:
        with pytest.raises(OpDomainError):
            FLOAT_MATH.pow(x, y)
        return
    got = FLOAT_MATH.pow(x, y)
    assert got == expected or (math.isnan(got) and math.isnan(expected))
    assert math.copysign(1.0, got) == math.copysign(1.0, expected)
