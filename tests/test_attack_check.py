"""Regression tests for bugs found by attacking `autograd.check`."""

from __future__ import annotations

import pytest

from autograd import Value, gradcheck
from autograd.check import numeric_grad


def test_a_finite_difference_step_out_of_the_domain_names_the_step() -> None:
    """sqrt at 1e-7 steps to 1e-7 - 1e-6 < 0: the error said only 'sqrt:
    operand must be >= 0, got -9e-07', a number the user never passed."""
    with pytest.raises(ValueError, match=r"argument 0 = 1e-07 \+- 1e-06"):
        gradcheck(lambda x: x.sqrt(), 1e-7)
    with pytest.raises(ValueError, match="central difference"):
        numeric_grad(lambda x: x.log(), Value(5e-324))


def test_a_point_inside_the_domain_still_checks() -> None:
    assert gradcheck(lambda x: x.sqrt(), 1e-3)
