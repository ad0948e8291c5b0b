"""nn.losses: hand-computed values, gradients, extreme logits, bad input."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.check import numeric_grad
from nn import binary_cross_entropy, cross_entropy, hinge, l2, mse

logits = st.floats(-8.0, 8.0)


def values(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


def test_mse_is_the_mean_of_squared_differences() -> None:
    assert mse(values(1.0, 3.0, -1.0), [0.0, 1.0, -1.0]).data == pytest.approx(5 / 3)


def test_mse_gradient_is_two_times_the_difference_over_n() -> None:
    preds = values(1.0, 3.0)
    mse(preds, [0.0, 1.0]).backward()
    assert [p.grad for p in preds] == [1.0, 2.0]


def test_hinge_is_micrograds_max_margin_mean() -> None:
    scores = values(2.0, 0.5, -0.25, 3.0)
    loss = hinge(scores, [1, 1, 1, -1])
    assert loss.data == pytest.approx((0 + 0.5 + 1.25 + 4.0) / 4)
    loss.backward()
    assert [s.grad for s in scores] == [0.0, -0.25, -0.25, 0.25]


def test_hinge_labels_must_be_plus_or_minus_one() -> None:
    with pytest.raises(ValueError, match=r"labels\[1\] must be -1 or \+1"):
        hinge(values(1.0, 1.0), [1, 0])
    with pytest.raises(TypeError, match=r"labels\[0\]"):
        hinge(values(1.0), [True])


def test_bce_matches_the_textbook_formula() -> None:
    z, t = 0.7, 0.25
    p = 1 / (1 + math.exp(-z))
    expected = -(t * math.log(p) + (1 - t) * math.log(1 - p))
    assert binary_cross_entropy(values(z), [t]).data == pytest.approx(expected)


@pytest.mark.parametrize("z", [1e4, -1e4, 700.0, -700.0])
@pytest.mark.parametrize("t", [0.0, 1.0])
def test_bce_is_finite_with_the_right_gradient_at_extreme_logits(
    z: float, t: float
) -> None:
    logit = Value(z)
    loss = binary_cross_entropy([logit], [t])
    loss.backward()
    assert math.isfinite(loss.data)
    # Wrong confident answers cost |z|; right ones cost ~0.
    assert loss.data == pytest.approx(max(z, 0.0) - t * z, abs=1e-12)
    # d/dz = sigmoid(z) - t
    assert logit.grad == pytest.approx((1.0 if z > 0 else 0.0) - t, abs=1e-12)


def test_bce_targets_must_be_probabilities() -> None:
    with pytest.raises(ValueError, match=r"targets\[0\] must be in \[0, 1\]"):
        binary_cross_entropy(values(0.0), [2])


def test_cross_entropy_matches_the_softmax_formula() -> None:
    row = [1.0, 2.0, 0.5]
    expected = math.log(sum(math.exp(z) for z in row)) - row[1]
    assert cross_entropy([values(*row)], [1]).data == pytest.approx(expected)


def test_cross_entropy_gradient_is_softmax_minus_one_hot() -> None:
    row = values(1.0, 2.0, 0.5)
    cross_entropy([row], [2]).backward()
    total = sum(math.exp(v.data) for v in row)
    expected = [math.exp(v.data) / total - (i == 2) for i, v in enumerate(row)]
    assert [v.grad for v in row] == pytest.approx(expected)


def test_cross_entropy_is_finite_at_extreme_logits() -> None:
    row = values(1e4, 0.0, -1e4)
    right = cross_entropy([row], [0])
    wrong = cross_entropy([row], [2])
    assert right.data == 0.0
    assert wrong.data == pytest.approx(2e4)
    wrong.backward()
    assert [v.grad for v in row] == pytest.approx([1.0, 0.0, -1.0])


def test_cross_entropy_labels_are_class_indices() -> None:
    rows = [values(0.0, 1.0)]
    with pytest.raises(ValueError, match=r"class index in \[0, 2\), got 2"):
        cross_entropy(rows, [2])
    with pytest.raises(ValueError, match="class index"):
        cross_entropy(rows, [-1])
    with pytest.raises(TypeError, match="int class index"):
        cross_entropy(rows, [1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="int class index"):
        cross_entropy(rows, [True])


def test_cross_entropy_rows_must_have_the_same_number_of_classes() -> None:
    with pytest.raises(ValueError, match=r"logit_rows\[1\] has 3 classes"):
        cross_entropy([values(0.0, 1.0), values(0.0, 1.0, 2.0)], [0, 0])


def test_l2_is_the_sum_of_squares_with_gradient_two_p() -> None:
    ps = values(1.0, -2.0, 3.0)
    loss = l2(ps)
    loss.backward()
    assert loss.data == 14.0
    assert [p.grad for p in ps] == [2.0, -4.0, 6.0]


LOSSES: dict[str, Callable[[list[Value]], Value]] = {
    "mse": lambda v: mse(v, [0.5, -1.0, 2.0]),
    "hinge": lambda v: hinge(v, [1, -1, 1]),
    "bce": lambda v: binary_cross_entropy(v, [1.0, 0.0, 0.3]),
    "cross_entropy": lambda v: cross_entropy([v], [1]),
    "l2": l2,
}


@pytest.mark.parametrize("name", LOSSES)
@given(xs=st.lists(logits, min_size=3, max_size=3))
def test_every_loss_gradient_matches_finite_differences(
    name: str, xs: list[float]
) -> None:
    loss = LOSSES[name]
    # Keep hinge away from its kink, where the derivative jumps.
    if name == "hinge" and any(abs(abs(x) - 1.0) < 1e-3 for x in xs):
        return
    vs = values(*xs)
    loss(vs).backward()
    numeric = numeric_grad(lambda *ys: loss(values(*ys)), *xs)
    for v, n in zip(vs, numeric, strict=True):
        assert v.grad == pytest.approx(n, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: mse(values(1.0), [1.0, 2.0]), ValueError, "differ in length: 1 != 2"),
        (lambda: mse([], []), ValueError, "preds must not be empty"),
        (lambda: mse(Value(1.0), [1.0]), TypeError, "preds must be a sequence"),
        (lambda: hinge(values(1.0, 2.0), [1]), ValueError, "differ in length"),
        (lambda: binary_cross_entropy([], []), ValueError, "logits must not be empty"),
        (lambda: cross_entropy([], []), ValueError, "logit_rows must not be empty"),
        (lambda: cross_entropy([[]], [0]), ValueError, "must not be empty"),
        (lambda: l2([]), ValueError, "params must not be empty"),
        (lambda: l2(Value(1.0)), TypeError, "params must be a sequence"),
    ],
)
def test_bad_loss_input_is_a_clear_error(
    call: Callable[[], Value], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        call()


def test_losses_accept_plain_numbers_and_return_a_value() -> None:
    loss = mse([1.0, 2.0], [0.0, 0.0])
    assert isinstance(loss, Value) and loss.data == 2.5
