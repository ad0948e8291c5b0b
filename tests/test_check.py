"""gradcheck and numeric_grad: finite differences as an independent oracle."""

from __future__ import annotations

import math

import pytest

import autograd
import autograd.check
from autograd import Value, gradcheck
from autograd.check import numeric_grad


def cut_square(x: Value) -> Value:
    """x**2 with one factor cut from the graph by `detach`: d/dx comes out x, not 2x."""
    return x * x.detach()


def detached_square_half(x: Value) -> Value:
    """x**2 / 2 written with a stop-gradient trick: the value and first
    derivative are right, but the derivative has no graph, so the second
    derivative comes out 0 instead of 1."""
    c = x.detach()
    return c * x - c * c / 2


def test_numeric_grad_of_a_product() -> None:
    gx, gy = numeric_grad(lambda x, y: x * y, 3.0, -2.0)
    assert math.isclose(gx, -2.0, rel_tol=1e-9)
    assert math.isclose(gy, 3.0, rel_tol=1e-9)


def test_gradcheck_passes_correct_derivatives() -> None:
    f = lambda x, y: autograd.tanh(x * y) + x**3 / y  # noqa: E731
    assert gradcheck(f, 0.7, 1.3) is True
    assert gradcheck(f, 0.7, 1.3, order=2) is True


def test_gradcheck_accepts_values_as_the_point() -> None:
    assert gradcheck(lambda x: x * x, Value(3.0)) is True


def test_gradcheck_catches_a_wrong_first_derivative() -> None:
    with pytest.raises(AssertionError, match="1 of 1 derivatives differ"):
        gradcheck(cut_square, 1.5)


def test_gradcheck_order_2_catches_a_derivative_without_a_graph() -> None:
    assert gradcheck(detached_square_half, 0.5) is True
    with pytest.raises(AssertionError, match="1 of 2 derivatives differ"):
        gradcheck(detached_square_half, 0.5, order=2)


def test_report_is_an_aligned_table_marking_the_failures() -> None:
    with pytest.raises(AssertionError) as caught:
        gradcheck(lambda x, y: cut_square(x) * y, 1.5, 2.0)
    header, *rows = str(caught.value).splitlines()[1:]
    assert header.split() == ["argument", "analytic", "numeric", "difference"]
    assert [row.split()[0] for row in rows] == ["x", "y"]
    assert rows[0].endswith("<- differs")
    assert not rows[1].endswith("<- differs")
    # Numbers are right-aligned: each column ends where its header ends.
    for name in ("analytic", "numeric", "difference"):
        end = header.index(name) + len(name)
        assert all(
            row[end - 1] != " " and row[end : end + 1] in ("", " ") for row in rows
        )


def test_report_shows_the_numbers_compared() -> None:
    with pytest.raises(AssertionError) as caught:
        gradcheck(cut_square, 1.5)
    row = str(caught.value).splitlines()[-1].split()
    analytic, numeric, difference = map(float, row[1:4])
    assert analytic == 1.5
    assert math.isclose(numeric, 3.0, rel_tol=1e-6)
    assert math.isclose(difference, abs(analytic - numeric), rel_tol=1e-2)


def test_second_order_rows_name_the_pair_of_arguments() -> None:
    with pytest.raises(AssertionError) as caught:
        gradcheck(lambda a, b: detached_square_half(a) * b, 0.5, 2.0, order=2)
    names = [line.split("  ")[0].strip() for line in str(caught.value).splitlines()]
    assert names[2:] == ["a", "b", "a, a", "a, b", "b, a", "b, b"]


def test_tolerances_decide_what_passes() -> None:
    f = lambda x: x**3  # noqa: E731
    assert gradcheck(f, 2.0, eps=1e-3, atol=1e-5, rtol=1e-3) is True
    # A large step h = 2e-3 puts the central difference off by h**2 * f'''/6 = 4e-6.
    with pytest.raises(AssertionError):
        gradcheck(f, 2.0, eps=1e-3, atol=1e-9, rtol=0.0)


def test_order_must_be_1_or_2() -> None:
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        gradcheck(lambda x: x, 1.0, order=3)


def test_gradcheck_needs_a_point() -> None:
    with pytest.raises(TypeError, match="at least one argument"):
        gradcheck(lambda: 1.0)


@pytest.mark.parametrize(
    "f",
    [
        lambda a: a.tanh(),
        lambda a: a.exp().log() * a.sigmoid(),
        lambda a: a.relu() * a.sin() + abs(a),
    ],
    ids=["tanh", "exp-log-sigmoid", "relu-sin-abs"],
)
def test_functions_written_with_value_methods_are_checked(f: object) -> None:
    assert gradcheck(f, 0.7, order=2) is True  # type: ignore[arg-type]
    assert numeric_grad(f, Value(0.7))[0] != 0.0  # type: ignore[arg-type]


def test_a_function_that_differentiates_inside_is_checked_too() -> None:
    slope = autograd.grad(lambda a: a.sin() * a)  # f'(a) = sin a + a cos a
    assert gradcheck(slope, 0.4) is True


def test_numeric_grad_passes_numbers_as_floats_and_values_as_values() -> None:
    kinds: list[type] = []

    def f(a: object, b: object) -> object:
        kinds.extend([type(a), type(b)])
        return a * b  # type: ignore[operator]

    numeric_grad(f, 2.0, Value(3.0))
    assert set(kinds[0::2]) == {float} and set(kinds[1::2]) == {Value}


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("eps", 0.0, ValueError),
        ("eps", -1e-6, ValueError),
        ("eps", math.nan, ValueError),
        ("eps", math.inf, ValueError),
        ("eps", "1e-6", TypeError),
        ("eps", True, TypeError),
        ("atol", -1.0, ValueError),
        ("atol", math.nan, ValueError),
        ("atol", None, TypeError),
        ("rtol", math.inf, ValueError),
        ("rtol", "0.1", TypeError),
    ],
)
def test_bad_tolerances_are_clear_errors_naming_them(
    name: str, value: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match=f"gradcheck: {name} must be a"):
        gradcheck(lambda x: x * x, 1.0, **{name: value})  # type: ignore[arg-type]
    if name == "eps":
        with pytest.raises(error, match="gradcheck: eps must be a"):
            numeric_grad(lambda x: x * x, 1.0, eps=value)  # type: ignore[arg-type]


def test_a_step_too_small_to_move_the_argument_is_an_error_not_a_zero() -> None:
    with pytest.raises(ValueError, match=r"eps=1e-20 gives no usable step"):
        numeric_grad(lambda x: x * x, 1.0, eps=1e-20)


def test_a_finite_difference_step_out_of_the_domain_names_the_step() -> None:
    """sqrt at 1e-7 steps to 1e-7 - 1e-6 < 0: the error said only 'sqrt:
    operand must be >= 0, got -9e-07', a number the user never passed."""
    with pytest.raises(ValueError, match=r"argument 0 = 1e-07 \+- 1e-06"):
        gradcheck(lambda x: x.sqrt(), 1e-7)
    with pytest.raises(ValueError, match="central difference"):
        numeric_grad(lambda x: x.log(), Value(5e-324))


def test_a_point_inside_the_domain_still_checks() -> None:
    assert gradcheck(lambda x: x.sqrt(), 1e-3)
