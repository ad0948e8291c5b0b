"""Threads and asyncio tasks (README "Guarantees"): independent graphs built
and differentiated at once give the bits they give alone, and `no_grad` is
per thread and per task.
"""

from __future__ import annotations

import asyncio
import random
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from autograd import Value, is_grad_enabled, no_grad


@pytest.fixture
def rapid_thread_switching() -> Iterator[None]:
    """Make the interpreter switch threads every few bytecodes."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _train(seed: int, steps: int = 30) -> list[float]:
    """A few steps of gradient descent on a tiny random model: every op kind."""
    rng = random.Random(seed)
    w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(5)]
    data = [(rng.uniform(-2.0, 2.0), rng.uniform(-1.0, 1.0)) for _ in range(8)]
    history: list[float] = []
    for _ in range(steps):
        loss: Value | float = 0.0
        for x, target in data:
            h = (w[0] * x + w[1]).tanh() * w[2] + (w[3] * x).sigmoid() - w[4] ** 2
            loss = loss + (h - target) ** 2 + (h * h + 1.0).log().sqrt()
        assert isinstance(loss, Value)
        for p in w:
            p.grad = 0.0
        loss.backward()
        with no_grad():
            for p in w:
                p.data -= 0.005 * float(p.grad)
        history.append(loss.data)
    return history + [p.data for p in w] + [float(p.grad) for p in w]


def _run_in_threads(
    work: Callable[[int], list[float]], seeds: list[int]
) -> list[list[float]]:
    results: dict[int, list[float]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(seeds))

    def run(seed: int) -> None:
        try:
            start.wait()
            results[seed] = work(seed)
        except BaseException as error:  # surfaced below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return [results[seed] for seed in seeds]


def test_threads_training_independent_models_get_the_bits_they_get_alone(
    rapid_thread_switching: None,
) -> None:
    seeds = list(range(6))
    alone = [_train(seed) for seed in seeds]
    together = _run_in_threads(_train, seeds)
    assert together == alone


def test_the_same_program_in_many_threads_gives_identical_bits(
    rapid_thread_switching: None,
) -> None:
    together = _run_in_threads(lambda seed: _train(7), list(range(6)))
    assert all(result == together[0] for result in together)
    assert together[0] == _train(7)


def test_no_grad_in_one_thread_does_not_leak_into_another() -> None:
    entered, recorded = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def quiet_thread() -> None:
        with no_grad():
            entered.set()
            recorded.wait()
            seen["quiet_enabled"] = is_grad_enabled()
            seen["quiet_parents"] = (Value(1.0) * 2.0).parents

    worker = threading.Thread(target=quiet_thread)
    worker.start()
    entered.wait()
    x = Value(1.0)
    y = x * 2.0
    seen["main_enabled"] = is_grad_enabled()
    recorded.set()
    worker.join()
    assert seen["main_enabled"] is True
    assert y.parents == (x,)
    assert seen["quiet_enabled"] is False
    assert seen["quiet_parents"] == ()


def test_one_no_grad_instance_entered_by_two_threads_at_once() -> None:
    # Enter in A, enter in B, leave in A, leave in B: each thread restores its own.
    shared = no_grad()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}
    errors: list[BaseException] = []

    def thread_a() -> None:
        try:
            with shared:
                a_in.set()
                b_in.wait()
            seen["a_after"] = is_grad_enabled()
            a_out.set()
        except BaseException as error:
            errors.append(error)
            a_out.set()

    def thread_b() -> None:
        try:
            a_in.wait()
            with shared:
                b_in.set()
                a_out.wait()
                seen["b_inside"] = is_grad_enabled()
            seen["b_after"] = is_grad_enabled()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert seen == {"a_after": True, "b_inside": False, "b_after": True}


def test_nested_no_grad_with_one_instance_restores_each_level() -> None:
    shared = no_grad()
    with shared:
        with shared:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_asyncio_tasks_keep_their_own_no_grad_across_awaits() -> None:
    async def quiet(step: asyncio.Event, done: asyncio.Event) -> tuple[bool, int]:
        with no_grad():
            step.set()
            await done.wait()
            return is_grad_enabled(), len((Value(1.0) + 1.0).parents)

    async def loud(step: asyncio.Event, done: asyncio.Event) -> tuple[bool, int]:
        await step.wait()
        result = is_grad_enabled(), len((Value(1.0) + 1.0).parents)
        done.set()
        return result

    async def main() -> list[tuple[bool, int]]:
        step, done = asyncio.Event(), asyncio.Event()
        return list(await asyncio.gather(quiet(step, done), loud(step, done)))

    assert asyncio.run(main()) == [(False, 0), (True, 1)]
    assert is_grad_enabled()


def test_asyncio_tasks_differentiate_interleaved_graphs_exactly() -> None:
    async def train_with_yields(seed: int) -> list[float]:
        rng = random.Random(seed)
        xs = [Value(rng.uniform(-1.0, 1.0)) for _ in range(20)]
        total: Value | float = 0.0
        for x in xs:
            total = total + (x * x).tanh()
            await asyncio.sleep(0)  # let the other tasks build theirs
        assert isinstance(total, Value)
        total.backward()
        return [float(x.grad) for x in xs]

    async def main() -> list[list[float]]:
        return list(await asyncio.gather(*(train_with_yields(s) for s in range(5))))

    together = asyncio.run(main())
    alone = [asyncio.run(train_with_yields(s)) for s in range(5)]
    assert together == alone
