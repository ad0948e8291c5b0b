"""The fast backward equals the textbook one, bit for bit, on random graphs.

`Value.backward` (`core.backward_fast`) and `core.reference_backward` are
written independently: one walks the nodes' slots, the other reads like the
textbook over `topological_order`. Same floats, same order, so same bits.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from floats import bits
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, detect_anomaly, no_grad, topological_order
from autograd.core import backward_order, backward_with_order, reference_backward
from autograd.testing import Expression, expressions

SEEDS = st.one_of(st.just(1.0), st.floats(-1e3, 1e3), st.sampled_from([0.0, -0.0]))


def build(
    expression: Expression, leaves: tuple[float, ...], outside: int
) -> tuple[Value, list[Value]]:
    """The expression's graph, and `outside` live consumers of its nodes outside it."""
    out = expression(*map(Value, leaves))
    assert isinstance(out, Value)
    nodes = topological_order(out)
    kept = [nodes[i % len(nodes)] * 2.0 for i in range(outside)]
    kept += [nodes[i % len(nodes)].exp() for i in range(0, outside, 2)]
    with no_grad():
        kept += [nodes[-1] * 3.0]  # used under no_grad too
    return out, kept


def grads_after(
    run: Callable[[Value, float], None],
    expression: Expression,
    leaves: tuple[float, ...],
    outside: int,
    seeds: list[float],
) -> list[bytes]:
    """Every node's grad, in graph order, after one backward per seed."""
    out, _kept = build(expression, leaves, outside)
    for seed in seeds:
        run(out, seed)
    return [bits(v.grad) for v in topological_order(out)]


def fast(out: Value, seed: float) -> None:
    out.backward(seed)


graph_cases = given(
    expression=expressions(max_length=30),
    leaves=st.lists(st.floats(-3.0, 3.0), min_size=3, max_size=3),
    outside=st.integers(0, 6),
    seeds=st.lists(SEEDS, min_size=1, max_size=3),
)


@graph_cases
def test_fast_backward_equals_the_reference_bit_for_bit(
    expression: Expression, leaves: list[float], outside: int, seeds: list[float]
) -> None:
    leaves3 = tuple(leaves[: expression.n_leaves])
    got = grads_after(fast, expression, leaves3, outside, seeds)
    want = grads_after(reference_backward, expression, leaves3, outside, seeds)
    assert got == want


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
@pytest.mark.parametrize("flip", [False, True])
def test_sums_whose_order_shows_in_the_bits_match_the_reference(
    order: tuple[int, ...], flip: bool
) -> None:
    # 1e16 + 1 + -1e16 is 0.0 or 1.0 depending on the order of the sum.
    def grads(run: Callable[[Value, float], None]) -> list[bytes]:
        x = Value(1.0)
        terms = [x * 1e16, x * 1.0, x * -1e16]
        a, b, c = (terms[i] for i in order)
        out = (b + a) + c if flip else c + (a + b)
        run(out, 1.0)
        return [bits(v.grad) for v in topological_order(out)]

    assert grads(fast) == grads(reference_backward)


@pytest.mark.parametrize("first", [False, True])
def test_both_edges_of_a_node_to_one_operand_are_summed_in_slot_order(
    first: bool,
) -> None:
    # t - t hands t +1 then -1: on top of 2**53, (2**53 + 1) - 1 != (2**53 - 1) + 1.
    def grads(run: Callable[[Value, float], None]) -> list[bytes]:
        t = Value(1.0) * 1.0
        big, same = t * 2.0**53, t - t
        out = big + same if first else same + big
        run(out, 1.0)
        return [bits(v.grad) for v in topological_order(out)]

    assert grads(fast) == grads(reference_backward)


@graph_cases
def test_backward_twice_adds_exactly_twice(
    expression: Expression, leaves: list[float], outside: int, seeds: list[float]
) -> None:
    out, _kept = build(expression, tuple(leaves[: expression.n_leaves]), outside)
    out.backward(seeds[0])
    once = [v.grad for v in topological_order(out)]
    out.backward(seeds[0])
    twice = [v.grad for v in topological_order(out)]
    assert list(map(bits, twice)) == [bits(g + g) for g in once]


@given(expression=expressions(max_length=30), outside=st.integers(0, 6))
def test_backward_order_is_reversed_topological_order(
    expression: Expression, outside: int
) -> None:
    out, _kept = build(expression, (0.5, -1.0, 2.0)[: expression.n_leaves], outside)
    assert backward_order(out) == topological_order(out)[::-1]


@given(
    expression=expressions(max_length=30),
    outside=st.integers(0, 6),
    path=st.sampled_from(["fast", "reference"]),
)
def test_backward_with_order_is_backward_and_backward_order_in_one(
    expression: Expression, outside: int, path: str
) -> None:
    # What compile's first call uses: the same grads and order as the two calls.
    def run(with_order: bool) -> tuple[list[bytes], list[int]]:
        leaves = (0.5, -1.0, 2.0)[: expression.n_leaves]
        out, _kept = build(expression, leaves, outside)
        nodes = topological_order(out)
        if with_order:
            order = backward_with_order(out)
        else:
            order = backward_order(out)
            out.backward()
        return [bits(v.grad) for v in nodes], [nodes.index(v) for v in order]

    if path == "reference":
        with detect_anomaly():
            assert run(True) == run(False)
    else:
        assert run(True) == run(False)


def all_adjoint_slots_are_clear(out: Value) -> bool:
    return all(v._g is None for v in topological_order(out))


def test_every_walk_leaves_the_adjoint_slots_clear() -> None:
    x = Value(0.5)
    out = (x * x).sin() + x
    for walk in (backward_order, Value.backward, Value.zero_grad):
        walk(out)
        assert all_adjoint_slots_are_clear(out)


def test_a_backward_interrupted_midway_leaves_a_clean_graph() -> None:
    x = Value(0.5)
    h = x * 3.0
    out = h.tanh() * h
    h._grad = "not a number"  # type: ignore[assignment]  # `grad += g` raises here
    with pytest.raises(TypeError):
        out.backward()
    assert all_adjoint_slots_are_clear(out)
    h.grad = 0.0
    out.zero_grad()
    out.backward()
    y = Value(0.5)
    reference = (y * 3.0).tanh() * (y * 3.0)
    reference.backward()
    assert x.grad == y.grad


def test_nodes_used_only_outside_the_graph_get_nothing() -> None:
    x = Value(0.5)
    h = x.exp()
    unused = [h * 2.0, h.sin()]  # softmax outputs a loss never reads
    (h * h).backward()
    assert [u.grad for u in unused] == [0.0, 0.0]
    assert x.grad == 2 * h.data * h.data


def test_zero_grad_clears_a_deep_chain_and_its_slots() -> None:
    y = x = Value(0.1)
    for _ in range(10_000):
        y = y * 1.0
    y.backward()
    y.zero_grad()
    assert x.grad == 0.0 and all_adjoint_slots_are_clear(y)


def test_backward_of_a_graph_already_in_a_pass_is_refused() -> None:
    x = Value(2.0)
    out = x * x
    out._g = 0.0  # as while another thread's pass runs through it
    with pytest.raises(RuntimeError, match="already being differentiated"):
        out.backward()
    out._g = None


def _interrupt_in(function: str, after_lines: int) -> Callable[..., Any]:
    """A trace function raising KeyboardInterrupt (Ctrl-C) inside `function`."""
    count = 0

    def local(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        count += event == "line"
        if count == after_lines:
            raise KeyboardInterrupt
        return local

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        return local if frame.f_code.co_name == function else None

    return trace


@pytest.mark.parametrize(
    ("stopped", "function"),
    [
        # The compiled core's walks are C: nothing interrupts them midway.
        *(
            [
                ("backward_order", "_marked_order"),
                ("zero_grad", "_marked_order"),
                ("backward", "_marked_order"),
                ("backward", "backward_fast"),
                ("backward_order", "backward_order"),
            ]
            if autograd.CORE == "python"
            else []
        ),
        ("zero_grad", "zero_grad"),
    ],
)
def test_ctrl_c_anywhere_in_a_pass_leaves_a_clean_graph(
    stopped: str, function: str
) -> None:
    def chain() -> tuple[Value, Value]:
        x = out = Value(0.5)
        for _ in range(30):
            out = (out * 1.5).tanh() + x
        return x, out

    x, out = chain()
    run = {
        "backward_order": lambda: backward_order(out),
        "zero_grad": out.zero_grad,
        "backward": out.backward,
    }[stopped]
    sys.settrace(_interrupt_in(function, 40))
    try:
        with pytest.raises(KeyboardInterrupt):
            run()
    finally:
        sys.settrace(None)
    assert all_adjoint_slots_are_clear(out)
    out.zero_grad()
    out.backward()
    y, reference = chain()
    reference.backward()
    assert x.grad == y.grad
