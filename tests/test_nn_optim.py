"""nn.optim: SGD, momentum, weight decay, Adam, AdamW, schedules, bad input."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import SGD, Adam, AdamW, Optimizer, mse


def quadratic(w: Value) -> Value:
    """(w - 3)**2: convex, minimum at 3."""
    return (w - 3.0) * (w - 3.0)


def step_on(opt: Optimizer, loss: Callable[[], Value]) -> float:
    opt.zero_grad()
    out = loss()
    out.backward()
    opt.step()
    return out.data


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1),
        lambda ps: SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: Adam(ps, lr=0.1),
        lambda ps: AdamW(ps, lr=0.1),
    ],
    ids=["sgd", "momentum", "adam", "adamw"],
)
def test_one_step_lowers_a_convex_loss(
    make: Callable[[list[Value]], Optimizer],
) -> None:
    w = Value(0.0)
    opt = make([w])
    before = step_on(opt, lambda: quadratic(w))
    assert quadratic(w).data < before


def test_sgd_step_is_minus_lr_times_gradient() -> None:
    w = Value(1.0)
    opt = SGD([w], lr=0.1)
    step_on(opt, lambda: quadratic(w))  # gradient 2 * (1 - 3) = -4
    assert w.data == 1.0 + 0.1 * 4


def test_sgd_momentum_accumulates_velocity() -> None:
    w = Value(0.0)
    opt = SGD([w], lr=0.1, momentum=0.5)
    w.grad = 1.0
    opt.step()  # v = 1, w = -0.1
    w.grad = 1.0
    opt.step()  # v = 0.5 * 1 + 1 = 1.5, w = -0.1 - 0.15
    assert w.data == pytest.approx(-0.25)


def test_sgd_weight_decay_adds_decay_times_weight() -> None:
    w = Value(2.0)
    opt = SGD([w], lr=0.1, weight_decay=0.5)
    w.grad = 0.0
    opt.step()
    assert w.data == pytest.approx(2.0 - 0.1 * 0.5 * 2.0)


def test_adam_first_step_is_lr_times_the_gradient_sign() -> None:
    # t = 1: m_hat = g and v_hat = g**2, so the step is lr * g / (|g| + eps).
    a, b = Value(1.0), Value(1.0)
    opt = Adam([a, b], lr=0.01, eps=1e-8)
    a.grad, b.grad = 4.0, -0.5
    opt.step()
    assert a.data == pytest.approx(1.0 - 0.01 * 4.0 / (4.0 + 1e-8), abs=1e-15)
    assert b.data == pytest.approx(1.0 + 0.01 * 0.5 / (0.5 + 1e-8), abs=1e-15)


def test_adam_second_step_matches_hand_computation() -> None:
    w = Value(0.0)
    opt = Adam([w], lr=0.1, betas=(0.9, 0.99), eps=1e-8)
    w.grad = 1.0
    opt.step()
    w.grad = 3.0
    opt.step()
    m = 0.9 * 0.1 + 0.1 * 3.0
    v = 0.99 * 0.01 + 0.01 * 9.0
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.99**2)
    first = -0.1 * 1.0 / (1.0 + 1e-8)
    expected = first - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8)
    assert w.data == pytest.approx(expected, rel=1e-12)


def test_adamw_decays_weights_directly() -> None:
    w = Value(2.0)
    opt = AdamW([w], lr=0.1, weight_decay=0.5)
    w.grad = 0.0
    opt.step()
    assert w.data == pytest.approx(2.0 * (1 - 0.1 * 0.5))


def test_adam_weight_decay_goes_through_the_adaptive_step() -> None:
    w = Value(2.0)
    opt = Adam([w], lr=0.1, weight_decay=0.5)
    w.grad = 0.0
    opt.step()  # the decay term alone is the gradient: a full lr-sized step
    assert w.data == pytest.approx(2.0 - 0.1, rel=1e-6)


def test_a_schedule_is_called_with_the_step_number() -> None:
    seen: list[int] = []

    def schedule(k: int) -> float:
        seen.append(k)
        return 0.1

    w = Value(0.0)
    opt = SGD([w], lr=schedule)
    for _ in range(3):
        w.grad = 1.0
        opt.step()
    assert seen == [0, 1, 2]
    assert opt.steps == 3


def test_micrograds_decaying_schedule_changes_the_step_size() -> None:
    w = Value(0.0)
    opt = SGD([w], lr=lambda k: 1.0 - 0.9 * k / 10)
    w.grad = 1.0
    opt.step()
    w.grad = 1.0
    opt.step()
    assert w.data == pytest.approx(-1.0 - 0.91)


def test_gradients_that_are_values_are_read_as_numbers() -> None:
    x = Value(2.0)
    (x * x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value)
    SGD([x], lr=0.01).step()
    assert x.data == pytest.approx(2.0 - 0.01 * 12.0)


def test_zero_grad_resets_the_parameters() -> None:
    ws = [Value(1.0), Value(2.0)]
    opt = Adam(ws)
    mse(ws, [0.0, 0.0]).backward()
    opt.zero_grad()
    assert [w.grad for w in ws] == [0.0, 0.0]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_gradient_raises_and_changes_nothing(bad: float) -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = 1.0, bad
    with pytest.raises(FloatingPointError, match="'b' has non-finite gradient"):
        opt.step()
    assert (a.data, b.data, opt.steps) == (1.0, 2.0, 0)


def test_a_step_that_would_overflow_raises_and_changes_nothing() -> None:
    a, b = Value(1.0), Value(1e308)
    opt = SGD([a, b], lr=10.0)
    a.grad, b.grad = 1.0, -1e308
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        opt.step()
    assert (a.data, b.data) == (1.0, 1e308)


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda w: SGD(w, lr=-0.1), ValueError, "lr must be >= 0"),
        (lambda w: SGD(w, lr=math.nan), ValueError, "lr must be a finite"),
        (lambda w: SGD(w, lr=math.inf), ValueError, "lr must be a finite"),
        (lambda w: SGD(w, lr=True), TypeError, "lr must be a real number"),
        (lambda w: SGD(w, lr="0.1"), TypeError, "lr"),
        (lambda w: SGD(w, lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda w: SGD(w, lr=0.1, momentum=-0.5), ValueError, "momentum"),
        (lambda w: SGD(w, lr=0.1, weight_decay=-1.0), ValueError, "weight_decay"),
        (lambda w: Adam(w, betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
        (lambda w: Adam(w, betas=0.9), TypeError, "betas"),
        (lambda w: Adam(w, eps=0.0), ValueError, "eps"),
        (lambda w: SGD([], lr=0.1), ValueError, "empty"),
        (lambda w: SGD(w[0], lr=0.1), TypeError, "single Value"),
        (lambda w: SGD([1.0], lr=0.1), TypeError, r"params\[0\] must be a Value"),
        (lambda w: SGD(w + w, lr=0.1), ValueError, "appears twice"),
    ],
)
def test_bad_optimizer_arguments_are_clear_errors(
    make: Callable[[list[Value]], Optimizer], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        make([Value(1.0)])


@pytest.mark.parametrize("bad", [-0.5, math.nan])
def test_a_schedule_giving_a_bad_rate_fails_at_that_step(bad: float) -> None:
    w = Value(1.0)
    opt = SGD([w], lr=lambda k: 0.1 if k == 0 else bad)
    w.grad = 1.0
    opt.step()
    with pytest.raises(ValueError, match=r"lr\(1\)"):
        opt.step()
    assert w.data == pytest.approx(0.9)


def test_gradients_that_are_values_are_read_through_data_not_float(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # float() of a Value that is recording is an error: the optimizer reads .data.
    def no_float(v: Value) -> float:
        raise AssertionError("the optimizer called float() on a Value")

    monkeypatch.setattr(Value, "__float__", no_float)
    w = Value(1.0)
    w.grad = Value(2.0)
    SGD([w], lr=0.5).step()
    assert w.data == 0.0


def test_a_gradient_that_is_not_a_number_is_a_type_error() -> None:
    w = Value(1.0, label="w")
    w._grad = "1.0"  # type: ignore[assignment]  # Value.grad would refuse it
    with pytest.raises(TypeError, match="'w' has a gradient of type str"):
        SGD([w], lr=0.5).step()
    assert w.data == 1.0


def test_one_huge_adam_gradient_raises_instead_of_freezing_the_parameter() -> None:
    # 1e160**2 overflows Adam's second moment to inf; every later step would
    # then divide by inf and leave w where it is, with no error.
    w = Value(1.0, label="w")
    opt = Adam([w], lr=0.1)
    w.grad = 1e160
    with pytest.raises(FloatingPointError, match="second moment of parameter 'w'"):
        opt.step()
    assert (w.data, opt.steps) == (1.0, 0)
    assert opt.state == {"first moment": [0.0], "second moment": [0.0]}
    w.grad = 1.0  # the optimizer is still usable
    opt.step()
    assert w.data == pytest.approx(0.9)


def test_a_momentum_buffer_that_would_overflow_raises_and_changes_nothing() -> None:
    w = Value(0.0, label="w")
    opt = SGD([w], lr=1e-300, momentum=0.9)
    w.grad = 1e308
    opt.step()
    velocity = opt.state["velocity"]
    with pytest.raises(FloatingPointError, match="velocity of parameter 'w'"):
        opt.step()  # 0.9 * 1e308 + 1e308 > max float, though the step is tiny
    assert opt.state["velocity"] is velocity and opt.steps == 1


# The optimizers and settings the all-or-nothing property is checked for.
OPTIMIZERS: dict[str, Callable[[list[Value]], Optimizer]] = {
    "sgd": lambda ps: SGD(ps, lr=0.1),
    "sgd-momentum-decay": lambda ps: SGD(ps, lr=1.0, momentum=0.9, weight_decay=0.01),
    "adam": lambda ps: Adam(ps, lr=0.1),
    "adam-decay": lambda ps: Adam(ps, lr=1.0, weight_decay=0.01),
    "adamw": lambda ps: AdamW(ps, lr=10.0),
}

extreme = st.sampled_from(
    [1e308, -1e308, 1e160, -1e160, 1.5e155, 2.2e-308, 5e-324, -5e-324, 0.0, -0.0]
)
numbers = extreme | st.floats(allow_nan=False, allow_infinity=False)


Exact = tuple[
    list[Decimal], dict[str, list[Decimal]], list[Decimal], dict[str, list[Decimal]]
]


def exact_step(opt: Optimizer, grads: list[float]) -> Exact:
    """The step computed in 60-digit decimals from the optimizer's current floats.

    Returns the new parameters, the new state, and for each parameter and
    each state entry the sum of the magnitudes of the terms that made it (the
    scale of rounding errors: a sum that cancels to almost nothing in exact
    arithmetic may round to 0.0 in floats)."""
    with localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 60, 10**6, -(10**6)
        ps = [Decimal(p.data) for p in opt.params]
        gs = [Decimal(g) for g in grads]
        lr = Decimal(opt.current_lr())
        if isinstance(opt, SGD):
            wdx = [Decimal(opt.weight_decay) * x for x in ps]
            d = [g + w for g, w in zip(gs, wdx, strict=True)]
            terms = [abs(g) + abs(w) for g, w in zip(gs, wdx, strict=True)]
            state: dict[str, list[Decimal]] = {}
            state_scale: dict[str, list[Decimal]] = {}
            if opt.momentum:
                mu = Decimal(opt.momentum)
                old = [mu * Decimal(v) for v in opt.state["velocity"]]
                d = [v + di for v, di in zip(old, d, strict=True)]
                terms = [abs(v) + t for v, t in zip(old, terms, strict=True)]
                state["velocity"], state_scale["velocity"] = d, terms
            new = [x - lr * di for x, di in zip(ps, d, strict=True)]
            scale = [abs(x) + abs(lr) * t for x, t in zip(ps, terms, strict=True)]
            return new, state, scale, state_scale
        assert isinstance(opt, Adam)
        b1, b2 = (Decimal(b) for b in opt.betas)
        wd = Decimal(opt.weight_decay)
        if not isinstance(opt, AdamW):
            gs = [g + wd * x for g, x in zip(gs, ps, strict=True)]
        m = [
            b1 * Decimal(a) + (1 - b1) * g
            for a, g in zip(opt.state["first moment"], gs, strict=True)
        ]
        m_scale = [
            abs(b1 * Decimal(a)) + abs((1 - b1) * g)
            for a, g in zip(opt.state["first moment"], gs, strict=True)
        ]
        v = [
            b2 * Decimal(a) + (1 - b2) * g * g
            for a, g in zip(opt.state["second moment"], gs, strict=True)
        ]
        t = opt.steps + 1
        step = lr / (1 - b1**t)
        root = (1 - b2**t).sqrt()
        shrink = 1 - lr * wd if isinstance(opt, AdamW) else Decimal(1)
        moves = [
            step * a / (b.sqrt() / root + Decimal(opt.eps))
            for a, b in zip(m, v, strict=True)
        ]
        new = [x * shrink - mv for x, mv in zip(ps, moves, strict=True)]
        scale = [abs(x * shrink) + abs(mv) for x, mv in zip(ps, moves, strict=True)]
        # Underflowing moments (|g| near 5e-324) may move a step by step * 1e-308 / eps.
        slack = step * Decimal("1e-300") / Decimal(opt.eps)
        scale = [s + slack * 10**12 for s in scale]
        moments = {"first moment": m, "second moment": v}
        return new, moments, scale, {"first moment": m_scale, "second moment": v}


@pytest.mark.parametrize("name", OPTIMIZERS)
@given(
    start=st.lists(numbers, min_size=3, max_size=3),
    grads=st.lists(st.lists(numbers, min_size=3, max_size=3), min_size=1, max_size=3),
)
def test_a_step_updates_everything_finitely_or_raises_changing_nothing(
    name: str, start: list[float], grads: list[list[float]]
) -> None:
    ps = [Value(x) for x in start]
    opt = OPTIMIZERS[name](ps)
    for gs in grads:
        for p, g in zip(ps, gs, strict=True):
            p.grad = g
        before = (repr([p.data for p in ps]), repr(opt.state), opt.steps)
        exact, exact_state, scale, state_scale = exact_step(opt, gs)
        try:
            opt.step()
        except FloatingPointError:
            assert (repr([p.data for p in ps]), repr(opt.state), opt.steps) == before
            continue
        assert opt.steps == before[2] + 1
        for p, x, s in zip(ps, exact, scale, strict=True):
            assert math.isfinite(p.data)
            assert abs(Decimal(p.data) - x) <= Decimal("1e-12") * s + Decimal("1e-300")
        for key, xs in opt.state.items():
            for x, e, s in zip(xs, exact_state[key], state_scale[key], strict=True):
                assert math.isfinite(x)
                assert abs(Decimal(x) - e) <= Decimal("1e-12") * s + Decimal("1e-300")


def test_an_optimizer_refuses_a_parameter_made_by_an_op() -> None:
    """A node among the parameters (a module attribute ``self.w2 = self.w * 2``)
    was stepped like a leaf: its data moved while the graph kept its old local
    derivative, and nothing said so (PyTorch: "can't optimize a non-leaf")."""
    w = Value(1.0)
    with pytest.raises(ValueError, match="made by 'mul', not a leaf"):
        SGD([w, w * 2.0], lr=0.1)
