"""nn.losses: hand-computed values, gradients, extreme logits, bad input."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, compile, exp, log
from autograd.check import numeric_grad
from nn import binary_cross_entropy, cross_entropy, hinge, l2, mse
from nn._validate import short

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
    numeric = numeric_grad(lambda *ys: loss(list(ys)), *values(*xs))
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


def test_cross_entropy_of_opposite_logits_near_the_float_limit_is_finite() -> None:
    row = values(1e308, -1e308)
    loss = cross_entropy([row], [0])
    loss.backward()
    assert loss.data == 0.0
    assert [v.grad for v in row] == [0.0, 0.0]
    with pytest.raises(OverflowError, match="cross_entropy: the loss does not fit"):
        cross_entropy([values(1e308, -1e308)], [1])  # the true loss is 2e308


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        (lambda: mse(values(1.5e154, 0.0, 0.0, 0.0), [0.0] * 4), (1.5e154 / 2) ** 2),
        (lambda: hinge(values(-1.5e308, -1.5e308), [1, 1]), 1.5e308),
        (lambda: binary_cross_entropy(values(1.5e308, 1.5e308), [0, 0]), 1.5e308),
        (lambda: cross_entropy([values(1.5e308, 0.0)] * 2, [1, 1]), 1.5e308),
    ],
    ids=["mse", "hinge", "bce", "cross_entropy"],
)
def test_a_mean_that_fits_in_a_float_does_not_overflow_on_the_way(
    loss: Callable[[], Value], expected: float
) -> None:
    # Each square, or the sum of the terms, is past the largest float.
    assert loss().data == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("name", "loss"),
    [
        ("mse", lambda: mse(values(1e200), [0.0])),
        ("mse", lambda: mse([1e200, 0.0], [0.0, 0.0])),
        ("cross_entropy", lambda: cross_entropy([[1e308, -1e308]], [1])),
        ("l2", lambda: l2(values(1e200))),
    ],
)
def test_a_loss_too_large_for_a_float_is_an_overflow_error_naming_it(
    name: str, loss: Callable[[], Value]
) -> None:
    with pytest.raises(OverflowError, match=f"^{name}"):
        loss()


@pytest.mark.parametrize("label", [np.int64(1), np.int32(1), np.uint8(1), 1], ids=short)
def test_integer_labels_of_any_integral_type_are_accepted(label: object) -> None:
    assert cross_entropy([values(0.0, 0.0)], [label]).data == pytest.approx(math.log(2))
    assert hinge(values(0.5), [label]).data == 0.5


@pytest.mark.parametrize(
    ("label", "error", "words"),
    [
        (1.0, TypeError, "int class index, got float"),
        (np.float64(1.0), TypeError, "int class index, got float64"),
        (np.bool_(True), TypeError, "int class index"),
        (True, TypeError, "int class index"),
        ("1", TypeError, "int class index"),
        (np.int64(2), ValueError, r"class index in \[0, 2\), got 2"),
        (-1, ValueError, r"class index in \[0, 2\), got -1"),
        (10**5000, ValueError, r"got an int of 16610 bits"),
    ],
    ids=short,
)
def test_cross_entropy_labels_must_be_integral_and_in_range(
    label: object, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        cross_entropy([values(0.0, 1.0)], [label])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("label", "error"),
    [
        (np.int64(0), ValueError),
        (2, ValueError),
        (10**400, ValueError),
        (10**5000, ValueError),
        (True, TypeError),
        (np.bool_(False), TypeError),
        ("1", TypeError),
    ],
    ids=short,
)
def test_hinge_labels_must_be_minus_one_or_one_of_any_numeric_type(
    label: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match=r"labels\[0\]"):
        hinge(values(0.5), [label])  # type: ignore[list-item]


LOSSES_ON_EXTREMES: dict[str, Callable[[list[Value]], Value]] = {
    "mse": lambda v: mse(v, [0.5] * len(v)),
    "hinge": lambda v: hinge(v, [(-1) ** i for i in range(len(v))]),
    "bce": lambda v: binary_cross_entropy(v, [i % 2 * 0.75 for i in range(len(v))]),
    "cross_entropy": lambda v: cross_entropy(
        pairs(v), [k % 2 for k in range(len(v) // 2)]
    ),
}


def pairs(xs: list[Any]) -> list[list[Any]]:
    """Rows of two logits from consecutive items (an odd last one is left out)."""
    return [xs[k : k + 2] for k in range(0, len(xs) - 1, 2)]


def true_loss(name: str, xs: list[float]) -> tuple[Decimal, Decimal, list[Decimal]]:
    """The loss in 60-digit decimals, the size of its terms (a scale for
    rounding errors), and the gradient: the oracle for the float losses."""
    d = [Decimal(x) for x in xs]
    n = Decimal(len(d))
    if name == "mse":
        diffs = [x - Decimal("0.5") for x in d]
        return (
            sum(e * e for e in diffs) / n,
            sum(e * e for e in diffs) / n,
            [2 * e / n for e in diffs],
        )
    if name == "hinge":
        ys = [(-1) ** i for i in range(len(d))]
        margins = [1 - y * x for y, x in zip(ys, d, strict=True)]
        return (
            sum(max(m, Decimal(0)) for m in margins) / n,
            sum(1 + abs(x) for x in d) / n,
            [-y / n if m > 0 else Decimal(0) for y, m in zip(ys, margins, strict=True)],
        )
    if name == "bce":
        ts = [Decimal(i % 2 * 0.75) for i in range(len(d))]

        def softplus(z: Decimal) -> Decimal:
            return max(z, Decimal(0)) + (1 + (-abs(z)).exp()).ln()

        return (
            sum(softplus(z) - t * z for z, t in zip(d, ts, strict=True)) / n,
            sum(softplus(z) + abs(t * z) for z, t in zip(d, ts, strict=True)) / n,
            [
                (1 / (1 + (-z).exp()) - t) / n if z > -1000 else -t / n
                for z, t in zip(d, ts, strict=True)
            ],
        )
    rows = pairs(d)
    loss, scale, grads = Decimal(0), Decimal(0), []
    for i, row in enumerate(rows):
        m, label, r = max(row), i % 2, len(rows)
        total = sum((z - m).exp() for z in row)
        loss += (m + total.ln() - row[label]) / r
        scale += (abs(m) + total.ln() + abs(row[label])) / r
        grads += [((z - m).exp() / total - (k == label)) / r for k, z in enumerate(row)]
    return loss, scale, grads + [Decimal(0)] * (len(d) % 2)


extreme_logits = st.sampled_from(
    [1e308, -1e308, 1.7e308, -1.7e308, 1.5e154, -1.5e154, 1e4, -1e4, 5e-324, 0.0]
) | st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("name", LOSSES_ON_EXTREMES)
@given(xs=st.lists(extreme_logits, min_size=2, max_size=9))
def test_every_loss_is_finite_and_right_where_the_true_loss_fits_a_float(
    name: str, xs: list[float]
) -> None:
    with localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 60, 10**6, -(10**6)
        exact, scale, exact_grads = true_loss(name, xs)
        vs = values(*xs)
        try:
            loss = LOSSES_ON_EXTREMES[name](vs)
        except OverflowError as e:
            assert str(e).startswith(name.replace("bce", "binary_cross_entropy"))
            # Only a loss at or past the largest float may overflow.
            assert exact > Decimal(sys.float_info.max) * (1 - Decimal("1e-12"))
            return
        assert exact < Decimal(sys.float_info.max) * (1 + Decimal("1e-12"))
        assert math.isfinite(loss.data)
        assert abs(Decimal(loss.data) - exact) <= Decimal("1e-12") * scale + Decimal(
            "1e-300"
        )
        loss.backward()
        for v, g in zip(vs, exact_grads, strict=True):
            if abs(g) < Decimal(sys.float_info.max) / 4:
                assert abs(Decimal(v.grad) - g) <= Decimal("1e-12") * (1 + abs(g))


def reference_losses(xs: list[float]) -> dict[str, tuple[float, list[float]]]:
    """The plain formulas (sum, then times 1/n): the bits the losses keep in
    the normal range, where scaling by powers of two is exact."""
    out = {}
    n = len(xs)
    for name, term in {
        "mse": lambda v, i: (v - 0.5) * (v - 0.5),
        "hinge": lambda v, i: (1.0 - (-1) ** i * v).relu(),
        "bce": lambda v, i: v.softplus() - (i % 2 * 0.75) * v,
    }.items():
        vs = values(*xs)
        terms = [term(v, i) for i, v in enumerate(vs)]
        loss = sum(terms[1:], terms[0]) * (1.0 / n)
        loss.backward()
        out[name] = (loss.data, [v.grad for v in vs])
    # Cross-entropy's formula with the row maximum read out as a float; the
    # shift comes off first, (m - z_y) + log(total), so no log is lost to m.
    vs = values(*xs)
    rows = pairs(vs)
    terms = []
    for i, row in enumerate(rows):
        m = max(z.data for z in row)
        total = sum((exp(z - m) for z in row[1:]), exp(row[0] - m))
        terms.append((m - row[i % 2]) + log(total))
    loss = sum(terms[1:], terms[0])
    if len(rows) > 1:
        loss = loss * (1.0 / len(rows))
    loss.backward()
    out["cross_entropy"] = (loss.data, [v.grad for v in vs])
    return out


@given(xs=st.lists(st.floats(-1e6, 1e6).filter(lambda x: abs(x) > 1e-100), min_size=2))
def test_in_the_normal_range_the_losses_give_the_bits_of_the_plain_formulas(
    xs: list[float],
) -> None:
    for name, (value, grads) in reference_losses(xs).items():
        vs = values(*xs)
        loss = LOSSES_ON_EXTREMES[name](vs)
        loss.backward()
        assert (loss.data, [v.grad for v in vs]) == (value, grads), name


def test_losses_read_no_number_out_of_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    # compile replays ops, comparisons and detach(), but not numbers read out of
    # a Value: the losses must be built from the first three only.
    def refuse(*args: object) -> float:
        raise AssertionError("a loss read a number out of a Value")

    inputs = values(0.3, -1.2, 2.5, 1e150)
    monkeypatch.setattr(Value, "__float__", refuse)
    monkeypatch.setattr(Value, "data", property(refuse))
    monkeypatch.setattr(Value, "item", refuse)
    for loss in [*LOSSES_ON_EXTREMES.values(), l2]:
        loss(inputs)


def test_compiled_cross_entropy_equals_eager_as_the_logits_move_anywhere() -> None:
    # Issue 11's case: traced at (0, 1), replayed far away, where a row maximum
    # read out as a float would be stale.
    a, b = Value(0.0), Value(1.0)

    def loss() -> Value:
        x, y = a * 1.0, b * 1.0
        return cross_entropy([[x, y], [y, x]], [1, 1])

    step = compile(loss)
    for x, y in [(0.0, 1.0), (-740.0, -741.0), (-744.0, -745.0), (1e308, -1e308)]:
        a.data, b.data = x, y
        a.grad = b.grad = 0.0
        replayed = step()
        replayed_grads = [a.grad, b.grad]
        a.grad = b.grad = 0.0
        eager = loss()
        eager.backward()
        assert repr([replayed, *replayed_grads]) == repr([eager.data, a.grad, b.grad])
