"""The NaN policy and `autograd.detect_anomaly()` (README "Guarantees").

Policy: forward values are always finite (an op whose result is not raises,
in every mode). Local derivatives may be infinite at a singular point (sqrt
at 0, as PyTorch) and gradients follow IEEE arithmetic in normal mode;
inside `detect_anomaly()` backward raises `FloatingPointError` at the first
step whose gradient is not finite, naming the op and the line of user code
that created its node.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import threading
from collections.abc import Callable

import pytest

import autograd
import nn
from autograd import Value, detect_anomaly, no_grad


def _line_of(function: Callable[..., object]) -> int:
    """The line of the one-line body of `function`: where its node is created."""
    return function.__code__.co_firstlineno + 1


def make_sqrt(x: Value) -> Value:
    return x.sqrt()


def make_scaled(x: Value, factor: float) -> Value:
    return x * factor


def make_double_use(x: Value) -> Value:
    return x * 1e308 + x * 1e308


def test_sqrt_at_zero_raises_naming_the_op_and_the_users_line() -> None:
    x = Value(0.0)
    with detect_anomaly():
        y = make_sqrt(x) * 2.0
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    message = str(info.value)
    assert "'sqrt'" in message
    assert "non-finite gradient inf" in message
    assert f'test_anomaly.py", line {_line_of(make_sqrt)}, in make_sqrt' in message
    assert "return x.sqrt()" in message


def test_an_infinite_slope_times_a_zero_gradient_nan_is_caught_at_the_op() -> None:
    x = Value(0.0)
    with detect_anomaly():
        y = make_sqrt(x) * 0.0
        with pytest.raises(
            FloatingPointError, match=r"'sqrt'.*non-finite gradient nan"
        ):
            y.backward()


def test_a_product_of_huge_gradients_overflowing_names_the_mul_and_its_line() -> None:
    x = Value(1e-300)
    with detect_anomaly():
        middle = make_scaled(x, 1e200)  # 1e-100: finite
        top = middle * 1e200  # 1e100: finite; d top/d x = 1e400 is not
        with pytest.raises(FloatingPointError) as info:
            top.backward()
    message = str(info.value)
    assert "'mul'" in message
    assert f"line {_line_of(make_scaled)}, in make_scaled" in message


def test_an_overflowing_sum_of_finite_gradients_is_caught() -> None:
    # Each use of x contributes a finite 1e308; their sum is not.
    x = Value(1e-10)
    with detect_anomaly():
        y = make_double_use(x)
        with pytest.raises(
            FloatingPointError, match=r"whose sum with 1e\+308 overflows"
        ):
            y.backward()
    assert x.grad == 0.0


def test_it_raises_at_the_first_bad_step_before_touching_anything_below() -> None:
    a, b = Value(0.0), Value(3.0)
    with detect_anomaly():
        y = (a * b).sqrt() + b
        with pytest.raises(FloatingPointError, match="'sqrt'"):
            y.backward()
    # the error came before the infinite gradient reached the nodes below
    # sqrt; b is below sqrt too (through the mul), so it has not been reached
    assert a.grad == 0.0
    assert b.grad == 0.0


def test_without_anomaly_mode_gradients_follow_ieee_arithmetic() -> None:
    x = Value(0.0)
    y = x.sqrt() * 2.0
    y.backward()
    assert x.grad == math.inf


def test_a_node_made_outside_the_context_is_reported_as_such() -> None:
    x = Value(0.0)
    y = x.sqrt()
    with detect_anomaly(), pytest.raises(FloatingPointError, match="made outside"):
        y.backward()


def test_anomaly_mode_ends_with_its_context_even_after_an_error() -> None:
    x = Value(0.0)
    with pytest.raises(FloatingPointError), detect_anomaly():
        x.sqrt().backward()
    x.grad = 0.0
    x.sqrt().backward()
    assert x.grad == math.inf


def test_forward_overflow_raises_in_every_mode() -> None:
    for mode in (detect_anomaly, autograd.no_grad):
        with mode(), pytest.raises(OverflowError, match="exp"):
            Value(1000.0).exp()
    with pytest.raises(OverflowError, match="exp"):
        Value(1000.0).exp()


def _random_network(seed: int) -> tuple[Value, list[Value]]:
    """A small two-layer net on random inputs, every op of the table that is
    total on its operands used somewhere."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-2.0, 2.0)) for _ in range(4)]
    hidden = []
    for k in range(6):
        s = sum((rng.uniform(-1.0, 1.0) * x for x in xs), Value(rng.uniform(-1, 1)))
        # All six are made and one is kept: the other five are consumers of `s`
        # outside the loss's graph, so backward also recounts consumers here.
        act = (
            s.tanh(),
            s.relu(),
            s.sigmoid(),
            s.gelu(),
            s.softplus(),
            s.elu(),
        )[k % 6]
        hidden.append(act)
    out = sum(hidden, Value(0.0))
    loss = (out - 0.5) ** 2 + out.exp().log() * 0.1 + (out * out + 1.0).sqrt()
    return loss + abs(out).leaky_relu() + out.sin() * out.cos() / 3.0, xs


@pytest.mark.parametrize("seed", range(20))
def test_no_false_alarm_and_same_bits_on_ordinary_graphs(seed: int) -> None:
    plain_loss, plain_xs = _random_network(seed)
    plain_loss.backward()
    with detect_anomaly():
        loss, xs = _random_network(seed)
        loss.backward()
    assert [x.grad for x in xs] == [x.grad for x in plain_xs]


def test_anomaly_mode_in_one_thread_does_not_reach_another() -> None:
    inside = threading.Event()
    outcome: dict[str, object] = {}

    def other_thread() -> None:
        inside.wait()
        x = Value(0.0)
        x.sqrt().backward()  # no anomaly mode here: IEEE inf, no error
        outcome["grad"] = x.grad

    worker = threading.Thread(target=other_thread)
    worker.start()
    with detect_anomaly():
        inside.set()
        worker.join()
        x = Value(0.0)
        with pytest.raises(FloatingPointError):
            x.sqrt().backward()
    assert outcome["grad"] == math.inf


def test_anomaly_mode_entered_in_a_thread_works_there_only() -> None:
    outcome: dict[str, str] = {}

    def checked_thread() -> None:
        with detect_anomaly():
            x = Value(0.0)
            y = make_sqrt(x)
            try:
                y.backward()
            except FloatingPointError as error:
                outcome["error"] = str(error)

    worker = threading.Thread(target=checked_thread)
    worker.start()
    worker.join()
    assert f"line {_line_of(make_sqrt)}" in outcome["error"]
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_asyncio_tasks_inherit_anomaly_mode_from_where_they_were_made() -> None:
    async def backward_of_sqrt_at_zero() -> str:
        await asyncio.sleep(0)
        x = Value(0.0)
        try:
            x.sqrt().backward()
        except FloatingPointError:
            return "raised"
        return "inf" if x.grad == math.inf else "other"

    async def main() -> tuple[str, str]:
        plain = asyncio.create_task(backward_of_sqrt_at_zero())
        with detect_anomaly():
            checked = asyncio.create_task(backward_of_sqrt_at_zero())
        return await plain, await checked

    assert asyncio.run(main()) == ("inf", "raised")


def make_mse(p: Value) -> Value:
    return nn.mse([p], [0.0])


def test_a_node_made_inside_nn_is_reported_at_the_users_call() -> None:
    p = Value(1e154)
    with detect_anomaly():
        loss = make_mse(p)
        with pytest.raises(FloatingPointError) as info:
            loss.backward(gradient=1e300)
    message = str(info.value)
    assert f'test_anomaly.py", line {_line_of(make_mse)}, in make_mse' in message
    assert f"{os.sep}nn{os.sep}" not in message


def test_create_graph_backward_inside_no_grad_is_an_error_not_a_zero_slope() -> None:
    x = Value(2.0)
    y = x * x * x
    with no_grad(), pytest.raises(RuntimeError, match="no_grad"):
        y.backward(create_graph=True)
    assert x.grad == 0.0  # nothing was accumulated
    y.backward(create_graph=True)  # outside no_grad the second derivative works
    slope, x.grad = x.grad, 0.0
    slope.backward()  # type: ignore[union-attr]
    assert x.grad == 12.0


def test_create_graph_backward_in_anomaly_mode_names_the_op_and_line() -> None:
    with detect_anomaly():
        x = Value(0.0)
        y = x.sqrt()  # the line the error names
        with pytest.raises(FloatingPointError, match=r"'sqrt'.*y = x\.sqrt\(\)"):
            y.backward(create_graph=True)
