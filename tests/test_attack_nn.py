"""Regression tests for bugs found by attacking `nn` (see the attacker's report)."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import SGD, cross_entropy


def _true_cross_entropy(row: list[float], label: int) -> float:
    """logsumexp(row) - row[label] in exact-enough decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 700  # z - m exact for any two floats
        m = max(Decimal(z) for z in row)
        total = sum((Decimal(z) - m).exp() for z in row)
        return float((m - Decimal(row[label])) + total.ln())


@given(
    offset=st.sampled_from([0.0, 1e6, -1e6, 1e15, 1e16, 1e300, -1e300]),
    deltas=st.lists(st.floats(-40.0, 40.0), min_size=2, max_size=4),
    data=st.data(),
)
def test_cross_entropy_keeps_the_log_sum_exp_of_large_logits(
    offset: float, deltas: list[float], data: st.DataObject
) -> None:
    """Logits sharing a large offset: the loss is log(sum exp(z - m)) + (m - z_y)
    to 1e-9, never the 0.0 of m + log(2) - m rounded (was 0.0 for [1e300, 1e300])."""
    row = [offset + d for d in deltas]
    label = data.draw(st.integers(0, len(row) - 1))
    loss = cross_entropy([[Value(z) for z in row]], [label]).data
    assert math.isclose(
        loss, _true_cross_entropy(row, label), rel_tol=1e-9, abs_tol=1e-12
    )


def test_cross_entropy_of_two_equal_huge_logits_is_log_two() -> None:
    row = [Value(1e300), Value(1e300)]
    loss = cross_entropy([row], [1])
    loss.backward()
    assert loss.data == math.log(2.0)
    assert [v.grad for v in row] == [0.5, -0.5]


def test_an_optimizer_refuses_a_parameter_made_by_an_op() -> None:
    """A node among the parameters (a module attribute ``self.w2 = self.w * 2``)
    was stepped like a leaf: its data moved while the graph kept its old local
    derivative, and nothing said so (PyTorch: "can't optimize a non-leaf")."""
    w = Value(1.0)
    with pytest.raises(ValueError, match="made by 'mul', not a leaf"):
        SGD([w, w * 2.0], lr=0.1)
