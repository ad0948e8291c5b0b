"""Regression tests for bugs found by attacking micrograd compatibility."""

from __future__ import annotations

import functools

import pytest

from autograd import Value

w = Value(3.0)  # a global a closure may name


def test_a_closure_adding_to_a_value_outside_its_children_is_refused() -> None:
    """It got 1x + 2x of its gradient while being read (w.grad 6.0) and
    nothing in backward; micrograd would add a * out.grad in backward."""
    a, v = Value(2.0), Value(3.0)
    out = Value(a.data * v.data, (a,), "*")

    def closure() -> None:
        a.grad += v.data * out.grad
        v.grad += a.data * out.grad

    with pytest.raises(ValueError, match="not among its _children"):
        out._backward = closure
    assert v.grad == 0.0
    assert a.grad == 0.0


def test_a_closure_adding_to_a_global_value_is_refused() -> None:
    a = Value(2.0)
    out = Value(a.data * w.data, (a,), "*")

    def closure() -> None:
        a.grad += w.data * out.grad
        w.grad += a.data * out.grad

    with pytest.raises(ValueError, match="not among its _children"):
        out._backward = closure
    assert w.grad == 0.0


def test_a_closure_that_ignores_the_sign_of_the_upstream_gradient_is_refused() -> None:
    """abs(out.grad) agrees at 1 and 2 but not at -1: backward would flip its sign."""
    b = Value(2.0)
    out = Value(2.0 * b.data, (b,), "x2")

    def closure() -> None:
        b.grad += 2.0 * abs(out.grad)

    with pytest.raises(ValueError, match="not linear"):
        out._backward = closure


def test_the_lectures_closure_still_reads_off_its_derivatives() -> None:
    a, b = Value(2.0), Value(-3.0)
    out = Value(a.data * b.data, (a, b), "*")

    def closure() -> None:
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = closure
    (out * out).backward()
    assert (a.grad, b.grad) == (2 * -6.0 * -3.0, 2 * -6.0 * 2.0)


class _Holder:
    extra: Value


def test_closures_reaching_another_value_any_way_are_refused_without_a_trace() -> None:
    """Through an attribute, a default argument or functools.partial the old
    check saw no Value, and its three calls left w.grad at 1 + 2 - 1 = 2."""
    a, w = Value(2.0), Value(3.0)
    out = Value(6.0, (a,), "*")
    holder = _Holder()
    holder.extra = w

    def by_attribute() -> None:
        a.grad += 3.0 * out.grad
        holder.extra.grad += out.grad

    def by_default(other: Value = w) -> None:
        a.grad += 3.0 * out.grad
        other.grad += out.grad

    def by_argument(other: Value) -> None:
        a.grad += 3.0 * out.grad
        other.grad += out.grad

    for closure in (by_attribute, by_default, functools.partial(by_argument, w)):
        with pytest.raises(ValueError, match="not among its _children"):
            out._backward = closure
        assert (w.grad, a.grad, out.grad) == (0.0, 0.0, 0.0)


def test_a_closure_swallowing_the_refusal_is_still_refused() -> None:
    a, w = Value(2.0), Value(3.0)
    out = Value(6.0, (a,), "*")

    def closure() -> None:
        a.grad += 3.0 * out.grad
        try:
            w.grad += out.grad
        except Exception:
            return

    with pytest.raises(ValueError, match="not among its _children"):
        out._backward = closure
    assert (w.grad, a.grad) == (0.0, 0.0)
