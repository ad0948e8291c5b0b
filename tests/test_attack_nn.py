"""Regression tests for bugs found by attacking `nn` (see the attacker's report)."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, compile
from nn import MLP, SGD, cross_entropy


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


def test_zero_grad_inside_a_compiled_function_is_refused() -> None:
    """The replay skips f's Python: zero_grad ran on the first call only, so
    later calls piled gradients up (x2, x3 the eager ones) with no error."""
    model = MLP(2, [3, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)

    def with_module_zero_grad(x: Value) -> Value:
        model.zero_grad()
        return model([x, 1.0])  # type: ignore[return-value]

    def with_optimizer_zero_grad(x: Value) -> Value:
        optimizer.zero_grad()
        return model([x, 1.0])  # type: ignore[return-value]

    for f in (with_module_zero_grad, with_optimizer_zero_grad):
        with pytest.raises(TypeError, match="zero_grad"):
            compile(f)(Value(0.5))


def test_zero_grad_outside_a_compiled_function_still_works() -> None:
    model = MLP(2, [3, 1], seed=0)
    step = compile(lambda x: model([x, 1.0]))
    grads = []
    for _ in range(3):
        model.zero_grad()
        step(Value(0.5))
        grads.append(model.parameters()[0].grad)
    assert grads[0] == grads[1] == grads[2] != 0.0
