"""Big graphs go through backward, and unreachable graphs are freed by
reference counting alone (README "Guarantees").

The million-node tests take a few seconds each and are marked slow (`make fuzz`).
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from lifetimes import watch

import autograd
from autograd import Value, detect_anomaly

MILLION = 10**6


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    """Only reference counting may free anything while the test runs."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.slow
def test_a_million_node_chain_goes_through_backward() -> None:
    x = Value(0.5)
    y = x
    for _ in range(MILLION // 2):
        y = (y * 1.0) + 1.0
    y.backward()
    assert y.data == 0.5 + MILLION // 2
    assert x.grad == 1.0
    y.zero_grad()  # an iterative walk too
    assert x.grad == 0.0 and y.grad == 0.0


@pytest.mark.slow
def test_a_million_leaf_sum_goes_through_backward() -> None:
    leaves = [Value(float(i % 7)) for i in range(MILLION)]
    total = sum(leaves, Value(0.0))
    total.backward()
    assert total.data == float(sum(i % 7 for i in range(MILLION)))
    assert all(leaf.grad == 1.0 for leaf in leaves)


@pytest.mark.slow
def test_a_million_way_fan_out_of_one_value_adds_every_path() -> None:
    # A balanced tree of adds over a million uses of x: wide, not deep.
    x = Value(2.0)
    level = [x * 1.0 for _ in range(MILLION)]
    while len(level) > 1:
        pairs = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    level[0].backward()
    assert level[0].data == 2.0 * MILLION
    assert x.grad == float(MILLION)


def _chain(length: int) -> tuple[Value, list[weakref.ref[object]]]:
    x = Value(0.1)
    y = x
    watched = [watch(x)]
    for i in range(length):
        y = (y * 0.5).tanh() + x
        if i % (length // 10 or 1) == 0:
            watched.append(watch(y))
    watched.append(watch(y))
    return y, watched


def test_an_unreachable_graph_is_freed_without_the_cycle_collector(
    no_cycle_collector: None,
) -> None:
    root, watched = _chain(10_000)
    assert all(ref() is not None for ref in watched)
    del root
    assert [ref() for ref in watched] == [None] * len(watched)


def test_a_graph_is_freed_after_backward_and_zero_grad(
    no_cycle_collector: None,
) -> None:
    root, watched = _chain(10_000)
    root.backward()
    root.backward()
    root.zero_grad()
    del root
    assert [ref() for ref in watched] == [None] * len(watched)


def test_a_graph_made_in_anomaly_mode_is_freed(no_cycle_collector: None) -> None:
    with detect_anomaly():
        root, watched = _chain(1_000)
        root.backward()
        del root
        assert [ref() for ref in watched] == [None] * len(watched)


def test_a_detached_value_does_not_keep_its_graph_alive(
    no_cycle_collector: None,
) -> None:
    root, watched = _chain(1_000)
    kept = root.detach()
    del root
    assert [ref() for ref in watched] == [None] * len(watched)
    assert kept.parents == ()


def test_create_graph_gradients_form_a_cycle_broken_by_zero_grad(
    no_cycle_collector: None,
) -> None:
    # With create_graph=True each grad is a Value whose graph refers back to
    # the nodes (x.grad -> y, y.grad -> x): a reference cycle, as in PyTorch.
    # zero_grad() breaks it; otherwise the cycle collector frees it.
    x, y = Value(2.0), Value(3.0)
    z = x * y
    z.backward(create_graph=True)
    refs = [watch(v) for v in (x, y, z)]
    z.zero_grad()
    del x, y, z
    assert [ref() for ref in refs] == [None, None, None]


def test_create_graph_cycle_is_freed_by_the_cycle_collector(
    no_cycle_collector: None,
) -> None:
    x, y = Value(2.0), Value(3.0)
    z = x * y
    z.backward(create_graph=True)
    refs = [watch(v) for v in (x, y, z)]
    if autograd.CORE == "compiled":
        # The compiled core's nodes are not tracked by the collector: a
        # gradient whose graph leads back to its node lives until reset.
        x.grad = y.grad = 0.0
    del x, y, z
    gc.collect()
    assert [ref() for ref in refs] == [None, None, None]


def test_a_create_graph_gradient_that_is_never_reset_keeps_its_node(
    no_cycle_collector: None,
) -> None:
    x = Value(2.0)
    (x * x).backward(create_graph=True)
    ref = watch(x)
    del x
    gc.collect()
    assert (ref() is None) == (autograd.CORE == "python")


@pytest.mark.slow
def test_a_million_node_graph_is_freed_without_the_cycle_collector(
    no_cycle_collector: None,
) -> None:
    root, watched = _chain(MILLION // 4)  # four nodes per step
    root.backward()
    del root  # deallocating a deep chain must not overflow the C stack either
    assert [ref() for ref in watched] == [None] * len(watched)


class _MakesAGraphWhenFreed:
    """A free attribute whose finalizer makes a chain and drops it."""

    def __init__(self, out: list[weakref.ref[object]]) -> None:
        self.out = out

    def __del__(self) -> None:
        root, watched = _chain(1_000)
        self.out.extend(watched)
        del root


def test_a_graph_freed_while_another_is_being_freed_is_freed_too(
    no_cycle_collector: None,
) -> None:
    root, watched = _chain(10_000)
    inner: list[weakref.ref[object]] = []
    root._p0._p0.finalizer = _MakesAGraphWhenFreed(inner)  # type: ignore[union-attr]
    del root
    assert inner, "the finalizer ran"
    assert [ref() for ref in watched + inner] == [None] * (len(watched) + len(inner))
