"""`autograd.compile`: replays equal eager runs bit for bit; guards re-trace."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from floats import all_bits, eager
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import OpDomainError, Value, compile, no_grad
from autograd.testing import Expression, expressions


@given(
    shape=expressions(max_leaves=3, max_length=16),
    points=st.lists(
        st.lists(st.floats(-3.0, 3.0), min_size=4, max_size=4), min_size=2, max_size=3
    ),
)
def test_compiled_equals_eager_bit_for_bit_on_random_graphs(
    shape: Expression, points: list[list[float]]
) -> None:
    # The expression's last leaf is reached from inside (a parameter), the
    # others are arguments; each call has new values for all of them.
    w_eager, w_compiled = Value(0.0), Value(0.0)

    def make(w: Value) -> Callable[..., Value]:
        def f(*xs: Value) -> Value:
            out = shape(*[*xs, w][-shape.n_leaves :])
            return out if isinstance(out, Value) else xs[0] * 0.0 + out

        return f

    step = compile(make(w_compiled))
    for point in points:
        xs_e = [Value(x) for x in point[:3]]
        xs_c = [Value(x) for x in point[:3]]
        w_eager.data = w_compiled.data = point[3]
        try:
            expected = eager(make(w_eager), *xs_e)
        except (ArithmeticError, ValueError) as error:
            with pytest.raises(type(error)):
                step(*xs_c)
            continue
        got = step(*xs_c)
        assert all_bits([got]) == all_bits([expected])
        assert all_bits([x.grad for x in [*xs_c, w_compiled]]) == all_bits(
            [x.grad for x in [*xs_e, w_eager]]
        )
        assert step.traces == 1  # no guards here: later points were replays


def moons_step(
    model: nn.MLP, X: Sequence[Sequence[float | Value]], labels: list[float]
) -> Value:
    """micrograd's demo loss: hinge on the scores plus 1e-4 * L2."""
    scores = [model(x) for x in X]
    return nn.hinge(scores, labels) + 1e-4 * nn.l2(model.parameters())


def test_a_compiled_moons_training_step_equals_eager_bit_for_bit() -> None:
    X, y = nn.make_moons(30, seed=0)
    labels = [2.0 * c - 1.0 for c in y]
    models = [nn.MLP(2, [8, 8, 1], seed=0) for _ in range(2)]
    optimizers = [nn.SGD(m.parameters(), lr=0.1) for m in models]
    step = compile(lambda: moons_step(models[1], X, labels))
    for _ in range(4):
        for opt in optimizers:
            opt.zero_grad()
        expected = eager(moons_step, models[0], X, labels)
        assert all_bits([step()]) == all_bits([expected])
        for opt in optimizers:
            opt.step()
        assert all_bits([p.data for p in models[1].parameters()]) == all_bits(
            [p.data for p in models[0].parameters()]
        )
    assert step.traces == 1


def branchy(x: Value) -> Value:
    """A Python branch on a Value: the graph depends on the data."""
    return x * 2.0 if x > 0 else (x * x).exp()


def test_a_branch_that_goes_the_other_way_traces_again() -> None:
    step = compile(branchy)
    x = Value(1.5)
    assert step(x) == 3.0 and x.grad == 2.0
    x.data, x.grad = -0.5, 0.0
    assert step(x) == math.exp(0.25) and step.traces == 2
    reference = Value(-0.5)
    eager(branchy, reference)
    assert x.grad == reference.grad
    x.data = 2.0
    step(x)
    x.data = -1.0
    step(x)
    assert step.traces == 2  # both patterns are kept


def test_max_of_values_is_a_guard_too() -> None:
    a, b = Value(1.0), Value(2.0)
    step = compile(lambda u, v: max(u, v) * 3.0)
    assert step(a, b) == 6.0 and (a.grad, b.grad) == (0.0, 3.0)
    a.data = 5.0
    assert step(a, b) == 15.0 and (a.grad, b.grad) == (3.0, 3.0)
    assert step.traces == 2


def test_a_comparison_on_a_parameter_is_guarded() -> None:
    w = Value(1.0)
    step = compile(lambda x: x * w if w > 0 else x - w)
    x = Value(3.0)
    assert step(x) == 3.0
    w.data = -1.0
    assert step(x) == 4.0 and step.traces == 2


def test_different_numbers_among_the_arguments_trace_again() -> None:
    x = Value(2.0)
    step = compile(lambda v, k: v * k)
    assert step(x, 3.0) == 6.0
    assert step(x, 4.0) == 8.0 and step.traces == 2
    assert step(x, -0.0) == -0.0 and step.traces == 3


def test_the_same_value_passed_twice_is_a_different_graph() -> None:
    step = compile(lambda u, v: u * v)
    x, y = Value(3.0), Value(4.0)
    step(x, x)
    assert x.grad == 6.0
    step(x, y)
    assert (x.grad, y.grad) == (10.0, 3.0) and step.traces == 2


def test_a_replay_that_would_fail_raises_the_eager_error() -> None:
    step = compile(lambda v: v.log() * 2.0)
    x = Value(1.0)
    step(x)
    x.data = -1.0
    with pytest.raises(OpDomainError, match="log: operand must be > 0"):
        step(x)
    x.data = 1e300
    big = compile(lambda v: v * v)
    with pytest.raises(OverflowError, match="mul"):
        big(Value(1.0)), big(x)


@pytest.mark.parametrize(
    "f",
    [
        lambda v: (v * v).tanh(),
        lambda v: (v * v * 2.0 + 1.0).tanh() * 3.0,
        lambda v: (v * v).relu() + v,
        lambda v: (v * v - v * v).sigmoid(),
        lambda v: (v * v).exp() * 0.0,
    ],
)
def test_an_overflow_behind_any_op_raises_as_eager(f: Callable[[Value], Value]) -> None:
    # The replay checks only values no op like + passes on; an overflow
    # must still send the call to eager, which raises.
    step = compile(f)
    x = Value(0.5)
    step(x)
    step(x)
    x.data = 1e200
    with pytest.raises(OverflowError):
        eager(f, Value(1e200))
    with pytest.raises(OverflowError):
        step(x)


def test_under_no_grad_a_compiled_call_is_an_eager_one() -> None:
    x = Value(2.0)
    step = compile(lambda v: v * v)
    with no_grad():
        assert step(x) == 4.0
    assert x.grad == 0.0 and step.traces == 0


def test_misuse_is_reported_clearly() -> None:
    made_outside = Value(2.0) * 3.0
    with pytest.raises(TypeError, match="made outside it by 'mul'"):
        compile(lambda v: v * made_outside)(Value(1.0))
    with pytest.raises(TypeError, match="must be a leaf Value"):
        compile(lambda v: v * 2.0)(made_outside)
    with pytest.raises(TypeError, match="must return a Value"):
        compile(lambda v: 1.0)(Value(1.0))  # type: ignore[arg-type,return-value]


def test_a_function_returning_its_argument() -> None:
    x = Value(2.0)
    step = compile(lambda v: v)
    step(x)
    assert step(x) == 2.0 and x.grad == 2.0


def test_the_generated_source_is_there_to_read() -> None:
    step = compile(lambda v: (v * 3.0).tanh())
    assert step.source == ""
    step(Value(0.5))
    assert "def replay" in step.source and "* 3.0" in step.source
    assert autograd.compile is compile


def test_the_moons_demo_compiled_ends_where_the_eager_one_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "demos"))
    moons = importlib.import_module("moons")
    eager_run = moons.main(["--steps", "5", "--out", str(tmp_path)])
    compiled_run = moons.main(["--steps", "5", "--compile", "--out", str(tmp_path)])
    assert all_bits([compiled_run.loss]) == all_bits([eager_run.loss])
    assert compiled_run.accuracy == eager_run.accuracy


# -- a model applied to each example: the copies replay as one loop ----------


def batch_loss(
    shape: Expression, params: list[Value], X: Sequence[float | Value]
) -> Value:
    """`shape` of each example and the shared parameters, summed."""
    outs = [shape(*[x, *params][: shape.n_leaves]) for x in X]
    return sum(o * o for o in outs) + params[0] * 0.0  # a Value even if no o is


@given(
    shape=expressions(max_leaves=3, max_length=10),
    X=st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=5),
    points=st.lists(
        st.tuples(st.floats(-2.0, 2.0), st.floats(-2.0, 2.0)), min_size=1, max_size=2
    ),
    order=st.sampled_from(["loops first", "loops last"]),
    examples=st.sampled_from(["numbers", "Values made inside", "Value arguments"]),
)
def test_batches_replay_as_loops_bit_for_bit(
    shape: Expression,
    X: list[float],
    points: list[tuple[float, float]],
    order: str,
    examples: str,
) -> None:
    # Shared parameters also get a contribution from outside the copies,
    # before or after eager backward reaches them: the loops must add it
    # where eager does, or not be used. Examples are numbers (constants that
    # differ between copies) or Values (leaves of one copy each).
    def loss(params: list[Value], *xs: Value) -> Value:
        batch_of: dict[str, Sequence[float | Value]] = {
            "numbers": X,
            "Values made inside": [Value(x) for x in X],
        }
        batch = batch_loss(shape, params, batch_of.get(examples, xs))
        penalty = params[0] * params[1] * 0.5
        return batch + penalty if order == "loops first" else penalty + batch

    eager_params, compiled_params = [Value(0.5), Value(-1.5)], [Value(0.5), Value(-1.5)]
    step = compile(lambda *xs: loss(compiled_params, *xs))
    for a, b in [(0.5, -1.5), *points]:
        for params in (eager_params, compiled_params):
            params[0].data, params[1].data = a, b
            params[0].grad = params[1].grad = 0.0
        eager_xs, compiled_xs = [Value(x) for x in X], [Value(x) for x in X]
        if examples != "Value arguments":
            eager_xs, compiled_xs = [], []
        try:
            expected = eager(loss, eager_params, *eager_xs)
        except (ArithmeticError, ValueError) as error:
            with pytest.raises(type(error)):
                step(*compiled_xs)
            continue
        assert all_bits([step(*compiled_xs)]) == all_bits([expected])
        assert all_bits([p.grad for p in [*compiled_params, *compiled_xs]]) == all_bits(
            [p.grad for p in [*eager_params, *eager_xs]]
        )


def test_the_moons_step_is_one_loop_over_the_examples() -> None:
    X, y = nn.make_moons(40, seed=0)
    labels = [2.0 * c - 1.0 for c in y]
    model = nn.MLP(2, [8, 8, 1], seed=0)
    step = compile(lambda: moons_step(model, X, labels))
    step()
    # One loop forward and one backward, each over the 40 examples: the
    # code holds one copy of the model, not forty.
    assert step.source.count("for ") == 2
    assert step.source.count("\n") < 2 * len(model.parameters()) + 400


def test_examples_given_as_values_loop_too() -> None:
    # micrograd's demo makes a leaf per coordinate inside the loss: each
    # copy of the model reads leaves of its own.
    X, y = nn.make_moons(30, seed=0)
    labels = [2.0 * c - 1.0 for c in y]
    models = [nn.MLP(2, [8, 8, 1], seed=0) for _ in range(2)]
    optimizers = [nn.SGD(m.parameters(), lr=0.1) for m in models]

    def loss(model: nn.MLP) -> Value:
        return moons_step(model, [[Value(a) for a in x] for x in X], labels)

    step = compile(lambda: loss(models[1]))
    for _ in range(3):
        for opt in optimizers:
            opt.zero_grad()
        expected = eager(loss, models[0])
        assert all_bits([step()]) == all_bits([expected])
        assert all_bits([p.grad for p in models[1].parameters()]) == all_bits(
            [p.grad for p in models[0].parameters()]
        )
        for opt in optimizers:
            opt.step()
    assert step.source.count("for ") == 2


@pytest.mark.parametrize("after", [True, False])
def test_a_leaf_given_more_before_or_after_the_loop_sums_in_eager_order(
    after: bool,
) -> None:
    # w gets w * w's share before or after the loop's, as eager adds them.
    def f(w: Value) -> Value:
        copies = [((w * x).tanh() * 2.0 + 1.0).log() for x in [0.1, 0.2, 0.3]]
        return (w * w) + sum(copies) if after else sum(copies) + (w * w)

    w, reference = Value(0.7), Value(0.7)
    step = compile(lambda: f(w))
    step()  # the first call traces: it runs eagerly
    w.grad = 0.0
    got = step()
    eager(f, reference)
    assert all_bits([got, w.grad]) == all_bits([f(Value(0.7)).data, reference.grad])
    assert "for " in step.source


def test_constants_that_differ_between_copies_only_by_sign_of_zero() -> None:
    # The product's sign is the sign of the -0.0 in the middle copy.
    def f(w: Value) -> Value:
        a, b, c = [(w * x + x) * w * w for x in [0.0, -0.0, 0.0]]
        return a * b * c

    w, reference = Value(1.0), Value(1.0)
    step = compile(lambda: f(w))
    step()  # the first call traces: it runs eagerly
    w.grad = 0.0
    got = step()
    expected = eager(f, reference)
    assert "for " in step.source
    assert all_bits([got, w.grad]) == all_bits([expected, reference.grad])
