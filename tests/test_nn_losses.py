"""nn.losses: hand-computed values, gradients, extreme logits, bad input."""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, compile, exp, log, softplus
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
    """The plain formulas (sum, then over n): the bits the losses give in the
    normal range, where nothing overflows."""
    out = {}
    n = len(xs)
    for name, term in {
        "mse": lambda v, i: (v - 0.5) * (v - 0.5),
        "hinge": lambda v, i: (1.0 - (-1) ** i * v).relu(),
        "bce": lambda v, i: v.softplus() - (i % 2 * 0.75) * v,
    }.items():
        vs = values(*xs)
        terms = [term(v, i) for i, v in enumerate(vs)]
        loss = sum(terms[1:], terms[0]) / n
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
        loss = loss / len(rows)
    loss.backward()
    out["cross_entropy"] = (loss.data, [v.grad for v in vs])
    return out


@given(xs=st.lists(st.floats(-1e6, 1e6).filter(lambda x: abs(x) > 1e-100), min_size=2))
def test_in_the_normal_range_losses_give_the_plain_formulas_bits(
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


def ops_in(root: Value) -> dict[str, int]:
    """How many nodes of each op root's graph has (leaves left out)."""
    from autograd.graph import topological_order

    return dict(Counter(v.op for v in topological_order(root) if v.op))


def test_mse_graph_reads_as_the_mean_of_squared_differences() -> None:
    loss = mse(values(1.0, 2.0, 0.5), [0.0, 1.0, 1.0])
    # Three differences, squared, added up (from 0, as `sum` does), over 3:
    # no scaling node.
    assert ops_in(loss) == {"sub": 3, "mul": 3, "add": 3, "div": 1}


@pytest.mark.parametrize(
    ("loss", "ops"),
    [
        # 1 - y * s, relu'd, added up, over 2
        (
            lambda v: hinge(v, [1, -1]),
            {"mul": 2, "sub": 2, "relu": 2, "add": 2, "div": 1},
        ),
        # softplus(z) - t * z, added up, over 2
        (
            lambda v: binary_cross_entropy(v, [1.0, 0.0]),
            {"softplus": 2, "mul": 2, "sub": 2, "add": 2, "div": 1},
        ),
    ],
    ids=["hinge", "bce"],
)
def test_classification_loss_graphs_read_as_their_formulas(
    loss: Callable[[list[Value]], Value], ops: dict[str, int]
) -> None:
    assert ops_in(loss(values(0.5, -2.0))) == ops


def test_a_single_example_is_not_divided_by_one() -> None:
    assert ops_in(mse(values(3.0), [1.0])) == {"sub": 1, "mul": 1, "add": 1}


@given(xs=st.lists(extreme_logits, min_size=2, max_size=9))
def test_a_generator_of_predictions_gives_the_bits_of_a_list(xs: list[float]) -> None:
    n = len(xs)
    losses: dict[str, Callable[[Iterable[Value]], Value]] = {
        "mse": lambda v: mse(v, [0.5] * n),
        "hinge": lambda v: hinge(v, [(-1) ** i for i in range(n)]),
        "bce": lambda v: binary_cross_entropy(v, [i % 2 * 0.75 for i in range(n)]),
        "cross_entropy": lambda v: cross_entropy(
            (row for row in pairs(list(v))), [k % 2 for k in range(n // 2)]
        ),
    }

    def run(
        loss: Callable[[Iterable[Value]], Value], lazily: bool
    ) -> tuple[object, list[float]]:
        vs = values(*xs)
        try:
            out = loss(iter(vs) if lazily else vs)
        except OverflowError as e:
            return str(e), []
        out.backward()
        return out.data, [v.grad for v in vs]

    for name, loss in losses.items():
        assert run(loss, lazily=True) == run(loss, lazily=False), name


def test_each_term_is_made_right_after_its_prediction() -> None:
    made: list[str] = []

    def predict(x: float) -> Value:
        made.append(f"pred {int(x)}")
        return Value(x)

    targets = [0.0, 1.0, 2.0]

    class Logged(list[float]):
        def __iter__(self) -> Any:
            for i, t in enumerate(super().__iter__()):
                made.append(f"target {i}")
                yield t

    mse((predict(x) for x in [0.0, 1.0, 2.0]), Logged(targets))
    assert made == [f"{what} {i}" for i in range(3) for what in ("pred", "target")]


def test_a_loss_over_a_generator_compiles_to_one_loop() -> None:
    w = Value(0.5, label="w")

    def sources(n: int) -> str:
        xs = [i / n for i in range(n)]
        step = compile(lambda: mse((w * x for x in xs), [1.0] * n))
        step()
        return step.source

    # The code is the same for 100 examples as for 1,000: one loop over a table.
    assert len(sources(100).splitlines()) == len(sources(1000).splitlines()) < 100


@pytest.mark.parametrize(
    ("preds", "targets", "sizes"),
    [
        (lambda: (Value(x) for x in (1.0, 2.0, 3.0)), [0.0, 0.0], "3 != 2"),
        (lambda: (Value(x) for x in (1.0,)), iter([0.0, 0.0, 0.0]), "1 != 3"),
        (lambda: iter([]), iter([]), None),
    ],
)
def test_generators_of_different_lengths_or_empty_are_refused(
    preds: Callable[[], Any], targets: Any, sizes: str | None
) -> None:
    words = "preds must not be empty" if sizes is None else f"differ in length: {sizes}"
    with pytest.raises(ValueError, match=words):
        mse(preds(), targets)


@pytest.mark.parametrize(
    ("preds", "targets"),
    [([math.nan], [0.0]), ([math.inf], [math.inf]), ([1.0, math.nan], [0.0, 1.0])],
)
def test_a_nan_among_plain_numbers_is_a_value_error_not_an_overflow(
    preds: list[float], targets: list[float]
) -> None:
    with pytest.raises(ValueError, match="not finite"):
        mse(preds, targets)


@pytest.mark.parametrize("endless", ["preds", "targets"])
def test_an_endless_iterator_against_a_finite_one_is_refused_not_drained(
    endless: str,
) -> None:
    def count() -> Iterable[Value]:
        k = 0.0
        while True:
            yield Value(k)
            k += 1.0

    forever = count()
    two = [Value(0.0), Value(1.0)]
    preds, targets = (forever, two) if endless == "preds" else (two, forever)
    sizes = "at least 10003 != 2" if endless == "preds" else "2 != at least 10003"
    with pytest.raises(ValueError, match=f"differ in length: {sizes}"):
        mse(preds, targets)


def test_an_overflow_in_the_callers_generator_is_its_own() -> None:
    def preds() -> Any:
        yield Value(1.0)
        yield Value(1e300) * 1e300  # the model overflows, not the loss

    with pytest.raises(OverflowError, match=r"^mul: "):
        mse(preds(), [0.0, 0.0])


@given(
    data=st.lists(
        st.lists(extreme_logits, min_size=4, max_size=4), min_size=2, max_size=4
    )
)
def test_compiled_losses_equal_eager_across_the_overflow_line(
    data: list[list[float]],
) -> None:
    # A trace made where the plain sum overflows takes the scaled path; a
    # replay of it must still give eager's bits where eager takes the plain one.
    vs = values(0.0, 0.0, 0.0, 0.0)
    for name, loss_of in LOSSES_ON_EXTREMES.items():

        def loss(loss_of: Callable[[list[Value]], Value] = loss_of) -> Value:
            return loss_of([v * 1.0 for v in vs])

        step = compile(loss)
        for xs in data:
            for v, x in zip(vs, xs, strict=True):
                v.data, v.grad = x, 0.0
            results = []
            for run in (step, lambda: loss_and_backward(loss)):
                try:
                    results.append(repr([run(), *(v.grad for v in vs)]))
                except OverflowError as e:
                    results.append(str(e))
                for v in vs:
                    v.grad = 0.0
            assert results[0] == results[1], name


def loss_and_backward(loss: Callable[[], Value]) -> float:
    out = loss()
    out.backward()
    return out.data


def test_a_scaled_trace_replays_eagers_bits_where_eager_does_not_scale() -> None:
    # Traced where the sum overflows (each softplus is 1.5e308), so the terms
    # are scaled; replayed where they are subnormal (softplus(-740) ~ 4e-322),
    # which scaling rounds: the replay must still give eager's plain bits.
    a, b = Value(1.5e308), Value(1.5e308)

    def loss() -> Value:
        return binary_cross_entropy([a * 1.0, b * 1.0], [0, 0])

    step = compile(loss)
    assert step() == 1.5e308
    a.data = b.data = -740.0
    plain = softplus(-740.0)
    scaled = (plain * 0.25 + plain * 0.25) / 0.5
    assert scaled != plain  # rounded off in the subnormal range
    assert step() == loss().data == plain


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
