"""Backward passes in several threads at once, over graphs sharing leaves."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from autograd import Value


@pytest.fixture
def switch_often() -> Iterator[None]:
    """Make CPython switch threads every few bytecodes, so races show."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("switch_often")
def test_threads_training_one_model_add_every_gradient_exactly() -> None:
    # Each thread builds its own graph over the same parameters (hogwild
    # style); every pass must add its whole gradient, none lost or mixed.
    params = [Value(0.25 * i) for i in range(100)]

    def loss() -> Value:
        total = params[0] * 1.0
        for w in params[1:]:
            total = total + w * w
        return total

    loss().backward()
    once = [w.grad for w in params]
    for w in params:
        w.grad = 0.0
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                loss().backward()
        except BaseException as e:  # reported below, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Sums of equal terms in any order are exact here (small integers * 0.25).
    assert [w.grad for w in params] == [800 * g for g in once]


@pytest.mark.usefixtures("switch_often")
def test_reading_a_micrograd_closure_loses_no_concurrent_gradient() -> None:
    # Reading a closure's derivatives zeroes its children's grads for a moment:
    # a backward pass in another thread must not add into that moment.
    p = Value(1.0)
    out = Value(2.0, (p,), "*")

    def closure() -> None:
        p.grad += 2.0 * out.grad

    done = threading.Event()
    errors: list[BaseException] = []

    def train() -> None:
        try:
            for _ in range(3000):
                (p * 1.0).backward()
        except BaseException as e:  # reported below, not lost in the thread
            errors.append(e)
        finally:
            done.set()

    trainer = threading.Thread(target=train)
    trainer.start()
    while not done.is_set():
        out._backward = closure
    trainer.join(timeout=60)
    assert not trainer.is_alive()
    assert errors == []
    assert p.grad == 3000.0
