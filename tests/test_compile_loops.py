"""Loop-carried runs (a running total, a sum of losses, a recurrence) become loops."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from floats import all_bits
from hypothesis import event, given
from hypothesis import strategies as st

import nn
from autograd import Value, compile
from autograd.compile import Compiled
from autograd.testing import Expression, expressions


def running_total(w: Value, X: Sequence[float]) -> Value:
    total: Value | float = 0.0
    for x in X:
        total = total + x * w
    assert isinstance(total, Value)
    return total


def sum_of_losses(model: nn.MLP, X: Sequence[Sequence[float]], y: list[float]) -> Value:
    out = sum((model(x) - t) ** 2 for x, t in zip(X, y, strict=True))  # type: ignore[operator]
    assert isinstance(out, Value)
    return out


def total_over_a_list(
    model: nn.MLP, X: Sequence[Sequence[float]], y: list[float]
) -> Value:
    preds = [model(x) for x in X]  # every output first, then the loss
    out = sum((p - t) ** 2 for p, t in zip(preds, y, strict=True))
    assert isinstance(out, Value)
    return out


def recurrence(y: Value, n: int) -> Value:
    for _ in range(n):
        y = (0.5 * y + 0.1).tanh()
    return y


def patterns() -> dict[str, tuple[Callable[..., Value], list[Value], list[Value]]]:
    """Each pattern: the function, its arguments, and every leaf it reaches."""
    w = Value(0.3)
    X = [0.01 * k - 0.3 for k in range(60)]
    model = nn.MLP(2, [3, 1], seed=0)
    points = [[0.1 * k, 1.0 - 0.05 * k] for k in range(12)]
    targets = [0.5 - 0.1 * k for k in range(12)]
    y0 = Value(0.2)
    return {
        "total = total + x * w": (lambda: running_total(w, X), [], [w]),
        "sum(loss(model(x)) for x in X)": (
            lambda: sum_of_losses(model, points, targets),
            [],
            model.parameters(),
        ),
        "y = tanh(0.5 * y + 0.1)": (lambda a: recurrence(a, 50), [y0], [y0]),
        "preds = [model(x) for x in X]; sum((p - t) ** 2 ...)": (
            lambda: total_over_a_list(model, points, targets),
            [],
            model.parameters(),
        ),
        "preds = [model(x) for x in X]; nn.mse(preds, y)": (
            lambda: nn.mse([model(x) for x in points], targets),
            [],
            model.parameters(),
        ),
    }


@pytest.mark.parametrize("name", list(patterns()))
def test_each_copy_reading_the_previous_one_loops_bit_for_bit(name: str) -> None:
    f, args, leaves = patterns()[name]
    step = compile(f)
    for k in range(3):
        for v in leaves:
            v.data += 0.125 * k  # new numbers each call
            v.grad = 0.0
        got = step(*args)
        compiled_grads = [v.grad for v in leaves]
        for v in leaves:
            v.grad = 0.0
        out = f(*args)
        out.backward()
        assert all_bits([got, *compiled_grads]) == all_bits(
            [out.data, *(v.grad for v in leaves)]
        )
    assert step.source.count("for ") == 2  # one loop forward, one backward
    assert step.traces == 1


def test_a_gradient_after_the_loops_reads_the_carried_value_they_end_with() -> None:
    # Hypothesis found it: b's gradient, 1 / r4, is written after the
    # backward loop, which bound r4's variable to each copy's carried value
    # in turn; the replay read the first copy's (b.grad -0.024, eager -0.357).
    def f(a: Value, b: Value) -> Value:
        r4 = abs(a)
        for k in range(12):
            r4 = (r4 + a) * 0.5 + 0.01 * k
        return a + b / r4

    worlds = [(Value(0.0), Value(0.0)), (Value(0.0), Value(0.0))]
    step = compile(f)
    for _ in range(3):  # the trace, then replays; gradients add up
        for a, b in worlds:
            a.data, b.data = -3.0, -3.0
        out = f(*worlds[0])
        out.backward()
        assert all_bits([step(*worlds[1])]) == all_bits([out.data])
        assert all_bits([v.grad for v in worlds[1]]) == all_bits(
            [v.grad for v in worlds[0]]
        )
    assert step.source.count("for ") == 2  # still loops
    assert step.traces == 1


def test_a_running_total_read_at_every_copy_after_the_loop_replays_as_eager() -> None:
    # The loop keeps only its last copy's total: reading the others after
    # it made compile fail outright (an AssertionError) instead of rolling less.
    def f(w: Value) -> Value:
        total: Value | float = 0.5
        totals = []
        for k in range(40):
            total = total * 0.5 + w * (0.1 * k)
            totals.append(total)
        out = sum(t * 1.0 for t in totals)
        assert isinstance(out, Value)
        return out

    w_e, w_c = Value(0.3), Value(0.3)
    step = compile(f)
    for _ in range(2):
        out = f(w_e)
        out.backward()
        assert all_bits([step(w_c), w_c.grad]) == all_bits([out.data, w_e.grad])


def call_equals_eager(
    f: Callable[..., Value], step: Compiled, worlds: list[tuple[Value, ...]]
) -> None:
    """f eager on worlds[0], `step` on worlds[1]: the same bits or the same error."""
    try:
        out = f(*worlds[0])
        out.backward()
        expected = out.data
    except (ArithmeticError, ValueError) as error:
        with pytest.raises(type(error)):
            step(*worlds[1])
        return
    assert all_bits([step(*worlds[1])]) == all_bits([expected])
    assert all_bits([v.grad for v in worlds[1]]) == all_bits(
        [v.grad for v in worlds[0]]
    )


@given(
    shape=expressions(max_leaves=3, max_length=6),
    X=st.lists(st.floats(-2.0, 2.0), min_size=20, max_size=40),
    start=st.sampled_from(["constant", "argument", "node"]),
    end=st.sampled_from(["output", "read by a leaf's gradient"]),
    points=st.lists(st.floats(-1.5, 1.5), min_size=1, max_size=3),
)
def test_random_loop_carried_blocks_replay_bit_for_bit(
    shape: Expression, X: list[float], start: str, end: str, points: list[float]
) -> None:
    # A random block of ops reads the previous copy's total, a shared leaf
    # and the copy's own number; the total starts from a constant, from an
    # argument, or from a node made before the loop. It is the output, or
    # a leaf's gradient (written after the loops) reads it.
    def f(w: Value, y0: Value, z: Value) -> Value:
        total: Value | float = {"constant": 0.5, "argument": y0, "node": y0 * 2.0}[
            start
        ]
        for x in X:
            step_value = shape(*[total, w, x][: shape.n_leaves])
            total = total * 0.5 + step_value
        if end == "read by a leaf's gradient":
            return z * total + z
        return total if isinstance(total, Value) else w * total

    worlds: list[tuple[Value, ...]] = [
        (Value(0.3), Value(0.2), Value(0.7)) for _ in range(2)
    ]
    step = compile(f)
    for point in points:
        for w, y0, z in worlds:
            w.data, y0.data, z.data = point, 0.5 * point, point - 0.25
        call_equals_eager(f, step, worlds)
        event("looped" if "for " in step.source else "straight-line")


# Which of the outputs a total reads, in which order: the outputs' own order
# (a loop), or one it must not be rolled with as if it were.
READINGS: dict[str, Callable[[int], list[int]]] = {
    "each in order": lambda n: list(range(n)),
    "reversed": lambda n: list(reversed(range(n))),
    "two swapped": lambda n: [1, 0, *range(2, n)],
    "all but the last": lambda n: list(range(n - 1)),
    "one twice": lambda n: [*range(n), n // 2],
    "every other": lambda n: list(range(0, n, 2)),
}


@given(
    reading=st.sampled_from(sorted(READINGS)),
    n=st.integers(12, 24),
    scale=st.sampled_from([0.5, 3.0, 400.0]),
    points=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=3),
)
def test_a_total_over_a_list_of_outputs_replays_bit_for_bit(
    reading: str, n: int, scale: float, points: list[float]
) -> None:
    # A model's outputs made into a list first, then a running total over
    # them: a loop only when the total reads each output in the order made.
    def f(w: Value, b: Value) -> Value:
        preds = [(w * (0.1 * k - 1.0) + b).tanh() * scale + b for k in range(n)]
        total: Value | float = 0.0
        for k in READINGS[reading](n):
            total = total + (preds[k] - 0.05 * k) ** 2
        assert isinstance(total, Value)
        return total / n

    worlds: list[tuple[Value, ...]] = [(Value(0.3), Value(0.2)) for _ in range(2)]
    step = compile(f)
    for point in points:
        for w, b in worlds:
            w.data, b.data = point, 0.5 - point
        call_equals_eager(f, step, worlds)
    if reading == "each in order" and step.traces == 1:
        assert step.source.count("for ") == 2  # one loop forward, one backward
    event(f"{reading}: {'looped' if 'for ' in step.source else 'straight-line'}")
