"""`no_grad`: record no graph, as a context manager or a decorator.

It clears the `RECORDING` bit of the mode (`autograd._modes`) for this thread
or asyncio task; an op then makes a leaf. Generators and async generators
decorated with it run each step without gradients, never their consumer.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from contextvars import ContextVar, Token
from typing import Any, ParamSpec, TypeVar, cast

from autograd._modes import RECORDING, mode

__all__ = ["no_grad"]

# The no_grad blocks open in this context, innermost last: (instance, token).
no_grad_tokens: ContextVar[tuple[tuple[no_grad, Token[int]], ...]] = ContextVar(
    "autograd_no_grad_tokens", default=()
)

P = ParamSpec("P")
R = TypeVar("R")


_EXITED_ELSEWHERE = (
    "no_grad: exited in another thread or asyncio task than the one that "
    "entered it (a generator suspended inside `with no_grad():` and resumed "
    "elsewhere?). This one is left as it was; the one that entered cannot be "
    "reached from here and stays in no_grad. Decorate the generator function "
    "with @no_grad() instead: that applies to each step of the generator only."
)


class no_grad:  # noqa: N801 - named like the torch context manager it mirrors
    """Record no graph inside: values made here are leaves with no parents.

    A context manager and a decorator. The switch lives in a `ContextVar`, so
    it is per thread and per asyncio task: other threads keep recording.

    A generator suspended at a ``yield`` inside ``with no_grad():`` leaves its
    consumer in no_grad too (a generator has no context of its own); decorate
    the generator function with ``@no_grad()``, which applies to each step of
    the generator and never to the consumer. A ``with no_grad():`` exited in
    another thread or task than it was entered raises `RuntimeError`.
    """

    # The tokens to restore live in a ContextVar, not on the instance, so one
    # instance may be entered by several threads or tasks at once.
    def __enter__(self) -> None:
        token = mode.set(mode.get() & ~RECORDING)
        no_grad_tokens.set((*no_grad_tokens.get(), (self, token)))

    def __exit__(self, *exc: object) -> None:
        entered = no_grad_tokens.get()
        if not entered or entered[-1][0] is not self:
            raise RuntimeError(_EXITED_ELSEWHERE)
        try:
            mode.reset(entered[-1][1])
        except ValueError:  # a token of the context this task was copied from
            raise RuntimeError(_EXITED_ELSEWHERE) from None
        no_grad_tokens.set(entered[:-1])

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        """Decorate `func` (plain, ``async def``, generator or async generator)."""
        if inspect.isasyncgenfunction(func):
            return cast(Callable[P, R], _each_async_step_without_grad(func))
        if inspect.isgeneratorfunction(func):
            return cast(Callable[P, R], _each_step_without_grad(func))
        if inspect.iscoroutinefunction(func):
            coro = cast(Callable[P, Awaitable[Any]], func)

            @functools.wraps(func)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                with no_grad():
                    return await coro(*args, **kwargs)

            return cast(Callable[P, R], run_async)

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with no_grad():
                return func(*args, **kwargs)

        return run


def _each_step_without_grad(
    func: Callable[P, Generator[Any, Any, Any]],
) -> Callable[P, Generator[Any, Any, Any]]:
    """A generator function whose generators run each step under no_grad.

    Between steps the consumer runs as it was, recording or not.
    """

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> Generator[Any, Any, Any]:
        steps = func(*args, **kwargs)
        try:
            with no_grad():
                item = next(steps)
            while True:
                try:
                    sent = yield item
                except GeneratorExit:
                    with no_grad():
                        steps.close()
                    raise
                except BaseException as error:  # thrown in: passed on
                    with no_grad():
                        item = steps.throw(error)
                else:
                    with no_grad():
                        item = steps.send(sent)
        except StopIteration as stop:
            return stop.value

    return run


def _each_async_step_without_grad(
    func: Callable[P, AsyncGenerator[Any, Any]],
) -> Callable[P, AsyncGenerator[Any, Any]]:
    """An async generator function whose generators run each step under no_grad."""

    @functools.wraps(func)
    async def run(*args: P.args, **kwargs: P.kwargs) -> AsyncGenerator[Any, Any]:
        steps = func(*args, **kwargs)
        try:
            with no_grad():
                item = await steps.__anext__()
            while True:
                try:
                    sent = yield item
                except GeneratorExit:
                    with no_grad():
                        await steps.aclose()
                    raise
                except BaseException as error:  # thrown in: passed on
                    with no_grad():
                        item = await steps.athrow(error)
                else:
                    with no_grad():
                        item = await steps.asend(sent)
        except StopAsyncIteration:
            return

    return run
