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
from autograd.ops import OPS, Op
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
