"""Threads and asyncio tasks (README "Guarantees"): independent graphs built
and differentiated at once give the bits they give alone, and `no_grad` is
per thread and per task.
"""

from __future__ import annotations

import asyncio
import random
import sys
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Generator,
    Iterator,
)

import pytest

from autograd import Value, _grad_mode, _modes, is_grad_enabled, no_grad


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


# -- no_grad and generators ---------------------------------------------------


def test_no_grad_on_a_generator_function_applies_to_its_steps_only() -> None:
    seen_inside: list[bool] = []

    @no_grad()
    def squares(n: int) -> Iterator[Value]:
        for i in range(n):
            seen_inside.append(is_grad_enabled())
            yield Value(float(i)) * 2.0

    outside: list[bool] = []
    items = []
    for item in squares(3):
        outside.append(is_grad_enabled())  # the consumer between steps
        items.append(item)
    assert seen_inside == [False, False, False]
    assert outside == [True, True, True]
    assert all(item.parents == () for item in items)  # made under no_grad
    assert is_grad_enabled()


def test_no_grad_generator_passes_send_throw_close_and_its_return_value() -> None:
    log: list[object] = []

    @no_grad()
    def echo() -> Generator[bool, str, str]:
        try:
            while True:
                try:
                    log.append((yield is_grad_enabled()))
                except KeyError as error:
                    log.append(("thrown", is_grad_enabled(), error.args))
        finally:
            log.append(("closed", is_grad_enabled()))

    steps = echo()
    assert next(steps) is False
    assert steps.send("a") is False
    assert steps.throw(KeyError("k")) is False
    steps.close()
    assert log == ["a", ("thrown", False, ("k",)), ("closed", False)]
    assert is_grad_enabled()

    @no_grad()
    def returns() -> Generator[int, None, str]:
        yield 1
        return "done"

    def delegate() -> Generator[int, None, str]:
        return (yield from returns())

    steps2 = delegate()
    assert next(steps2) == 1
    with pytest.raises(StopIteration) as stop:
        next(steps2)
    assert stop.value.value == "done"


def test_a_no_grad_generator_finished_in_another_thread_strands_no_thread() -> None:
    @no_grad()
    def numbers() -> Iterator[bool]:
        yield is_grad_enabled()
        yield is_grad_enabled()

    steps = numbers()
    assert next(steps) is False
    assert is_grad_enabled()  # this thread records again between steps
    seen: dict[str, object] = {}

    def finish() -> None:
        seen["step"] = next(steps)
        seen["rest"] = list(steps)
        seen["after"] = is_grad_enabled()

    worker = threading.Thread(target=finish)
    worker.start()
    worker.join()
    assert seen == {"step": False, "rest": [], "after": True}
    assert is_grad_enabled()


def test_with_no_grad_exited_in_another_thread_is_a_clear_error() -> None:
    # The pitfall the decorator avoids: `with no_grad(): yield` resumed elsewhere.
    def numbers() -> Iterator[int]:
        with no_grad():
            yield 1
            yield 2

    steps = numbers()
    next(steps)
    errors: list[BaseException] = []
    seen: dict[str, bool] = {}

    def finish() -> None:
        try:
            list(steps)
        except BaseException as error:
            errors.append(error)
        seen["other_thread"] = is_grad_enabled()

    worker = threading.Thread(target=finish)
    worker.start()
    worker.join()
    assert len(errors) == 1
    assert isinstance(errors[0], RuntimeError)
    assert "@no_grad()" in str(errors[0])
    assert seen["other_thread"] is True  # the thread that exited is untouched
    # This thread entered it and cannot be restored from the other (documented):
    assert not is_grad_enabled()
    _leave_stranded_no_grad()
    assert is_grad_enabled()


def _leave_stranded_no_grad() -> None:
    """Restore this thread after a no_grad exited elsewhere (test cleanup only)."""
    for _, token in reversed(_grad_mode.no_grad_tokens.get()):
        _modes.mode.reset(token)
    _grad_mode.no_grad_tokens.set(())


def test_no_grad_exited_by_another_thread_inside_its_own_no_grad_keeps_that_one() -> (
    None
):
    def numbers() -> Iterator[int]:
        with no_grad():
            yield 1

    steps = numbers()
    next(steps)
    seen: dict[str, object] = {}

    def finish() -> None:
        with no_grad():
            with pytest.raises(RuntimeError, match="another thread"):
                list(steps)
            seen["inside_own"] = is_grad_enabled()
        seen["after_own"] = is_grad_enabled()

    worker = threading.Thread(target=finish)
    worker.start()
    worker.join()
    _leave_stranded_no_grad()
    assert seen == {"inside_own": False, "after_own": True}


def test_no_grad_on_an_async_generator_applies_to_its_steps_only() -> None:
    @no_grad()
    async def ticks(n: int) -> AsyncIterator[tuple[bool, int]]:
        for _ in range(n):
            await asyncio.sleep(0)
            yield is_grad_enabled(), len((Value(1.0) * 2.0).parents)

    async def consume() -> tuple[list[tuple[bool, int]], list[bool]]:
        inside, outside = [], []
        async for tick in ticks(3):
            inside.append(tick)
            outside.append(is_grad_enabled())
        return inside, outside

    async def main() -> list[tuple[list[tuple[bool, int]], list[bool]]]:
        return list(await asyncio.gather(consume(), consume()))

    for inside, outside in asyncio.run(main()):
        assert inside == [(False, 0)] * 3
        assert outside == [True] * 3
    assert is_grad_enabled()


def test_no_grad_async_generator_passes_asend_athrow_and_aclose() -> None:
    log: list[object] = []

    @no_grad()
    async def echo() -> AsyncGenerator[bool, str]:
        try:
            while True:
                try:
                    log.append((yield is_grad_enabled()))
                except KeyError:
                    log.append(("thrown", is_grad_enabled()))
        finally:
            log.append(("closed", is_grad_enabled()))

    async def main() -> list[bool]:
        steps = echo()
        got = [await steps.__anext__(), await steps.asend("a")]
        got.append(await steps.athrow(KeyError("k")))
        await steps.aclose()
        got.append(is_grad_enabled())
        return got

    assert asyncio.run(main()) == [False, False, False, True]
    assert log == ["a", ("thrown", False), ("closed", False)]


def test_with_no_grad_in_an_async_generator_finished_in_another_task_is_an_error() -> (
    None
):
    async def numbers() -> AsyncIterator[int]:
        with no_grad():
            yield 1
            yield 2

    async def main() -> tuple[BaseException | None, bool]:
        steps = numbers()
        await steps.__anext__()  # entered in this task

        async def finish() -> BaseException | None:
            try:
                async for _ in steps:
                    pass
            except RuntimeError as error:
                return error
            return None

        error = await asyncio.create_task(finish())
        return error, is_grad_enabled()

    error, main_task_records = asyncio.run(main())
    assert isinstance(error, RuntimeError)
    assert "@no_grad()" in str(error)
    assert main_task_records is False  # stranded in the entering task, documented
    assert is_grad_enabled()  # asyncio.run's task context is gone with it
