"""Gradient hooks: `Value.register_hook(fn)`, as PyTorch's."""

from __future__ import annotations

import copy
import gc
import math
import pickle
import sys
import threading
from typing import Any

import pytest
from floats import all_bits
from hypothesis import given
from hypothesis import strategies as st
from lifetimes import has_dict, watch

import autograd
from autograd import Value, topological_order
from autograd._hooks import has_hooks
from autograd.testing import Expression, expressions


def test_a_hook_on_a_leaf_can_replace_its_gradient() -> None:
    x = Value(3.0)
    handle = x.register_hook(lambda g: 2 * g)
    (x * x).backward()
    assert x.grad == 12.0
    handle.remove()


def test_a_hook_on_an_intermediate_changes_what_its_operands_get() -> None:
    x = Value(3.0)
    h = x * 2.0
    seen: list[float] = []
    handle = h.register_hook(lambda g: seen.append(g) or 10.0)
    (h * h).backward()
    assert seen == [12.0]  # d(h*h)/dh, once, complete (h is used twice)
    assert h.grad == 10.0 and x.grad == 20.0
    handle.remove()


def test_returning_none_keeps_the_gradient_and_hooks_run_in_order() -> None:
    x = Value(1.5)
    calls: list[str] = []
    handles = [
        x.register_hook(lambda g: calls.append("log") or None),
        x.register_hook(lambda g: g + 1.0),
        x.register_hook(lambda g: calls.append(f"saw {g}") or None),
    ]
    (x * 4.0).backward()
    assert calls == ["log", "saw 5.0"] and x.grad == 5.0
    for handle in handles:
        handle.remove()


def test_a_hook_sees_this_passs_gradient_not_the_accumulated_one() -> None:
    x = Value(2.0)
    seen: list[float] = []
    handle = x.register_hook(seen.append)
    out = x * x
    out.backward()
    out.backward()
    assert seen == [4.0, 4.0] and x.grad == 8.0
    handle.remove()


def test_a_removed_hook_is_not_called_and_removing_twice_is_harmless() -> None:
    x = Value(2.0)
    handle = x.register_hook(lambda g: 0.0)
    handle.remove()
    handle.remove()
    (x * x).backward()
    assert x.grad == 4.0
    assert not has_hooks()


def test_has_hooks_tells_whether_any_hook_is_registered() -> None:
    assert not has_hooks()
    x = Value(1.0)
    handle = x.register_hook(lambda g: g)
    assert has_hooks()
    handle.remove()
    assert not has_hooks()


def test_hooks_go_with_their_value() -> None:
    x = Value(1.0)
    handle = x.register_hook(lambda g: g)
    del x  # freed at once: nothing but the node holds its hooks
    assert not has_hooks()
    assert not handle.registered()


def test_a_hook_that_refers_to_its_value_does_not_keep_it_alive() -> None:
    # The node -> its hooks -> the hook -> the node: a cycle the collector
    # frees, after which backward no longer takes the hooks' slower path.
    def hooked() -> tuple[Any, autograd._hooks.HookHandle]:
        x = Value(1.0)
        return watch(x), x.register_hook(lambda g: g * x.data)

    watched, handle = hooked()
    gc.collect()
    if autograd.CORE == "compiled":
        # Its nodes are not tracked by the collector: a node reachable from
        # its own attributes lives until the hook is removed.
        assert watched() is not None
        handle.remove()
    assert watched() is None
    assert not has_hooks()
    assert not handle.registered()


def test_a_copy_of_a_hooked_value_has_no_hooks_and_the_original_keeps_them() -> None:
    x = Value(2.0)
    x.m = 0.5  # a free attribute, copied
    x.register_hook(lambda g: 10 * g)
    for clone in (copy.deepcopy(x), pickle.loads(pickle.dumps(x)), copy.copy(x)):
        assert clone.m == 0.5
        (clone * clone).backward()
        assert clone.grad == 4.0
    (x * x).backward()
    assert x.grad == 40.0


def test_a_pass_with_hooks_makes_no_dict_on_the_nodes_without_any() -> None:
    x = Value(0.5)
    y = x * 2.0 + 1.0
    y.register_hook(lambda g: g)
    y.backward()  # the hooks' pass looks at every node for hooks
    for v in topological_order(y)[:-1]:
        assert not has_dict(v)
    assert has_dict(y)


def test_hooks_work_with_create_graph() -> None:
    x = Value(2.0)
    seen: list[Any] = []
    handle = x.register_hook(lambda g: seen.append(g) or 2 * g)
    (x**3).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 2 * 3 * 2.0**2
    assert isinstance(seen[0], Value)
    handle.remove()
    grad = x.grad
    x.zero_grad()
    grad.backward()  # d/dx of 2 * 3x**2
    assert x.grad == 2 * 6 * 2.0


def test_hooks_work_with_the_functional_api() -> None:
    x = Value(3.0)
    handle = x.register_hook(lambda g: -g)
    assert autograd.grad(lambda a: a * a)(x).data == -6.0
    handle.remove()


@pytest.mark.parametrize("bad", ["1.0", 1j, [1.0], Value(1.0)])
def test_a_hook_returning_a_non_number_fails_naming_the_hook(bad: object) -> None:
    x = Value(2.0)
    handle = x.register_hook(lambda g: bad)
    with pytest.raises((TypeError, ValueError), match="hook"):
        (x * x).backward()
    handle.remove()


@given(expressions(max_length=20), st.integers(0, 100))
def test_a_hook_returning_none_changes_no_bit(expression: Expression, at: int) -> None:
    def grads(with_hook: bool) -> list[bytes]:
        out = expression(*map(Value, (0.5, -1.0, 2.0)[: expression.n_leaves]))
        assert isinstance(out, Value)
        nodes = topological_order(out)
        handle = nodes[at % len(nodes)].register_hook(lambda g: None)
        if not with_hook:
            handle.remove()
        out.backward()
        handle.remove()
        return all_bits([v.grad for v in nodes])

    assert grads(with_hook=True) == grads(with_hook=False)


def test_a_hook_passing_an_infinite_gradient_on_gives_what_eager_gives() -> None:
    a, b = Value(0.0), Value(0.0)
    a.sqrt().backward()  # d sqrt / dx at 0 is inf
    handle = b.register_hook(lambda g: g)
    b.sqrt().backward()
    handle.remove()
    assert a.grad == b.grad == math.inf


def test_a_hook_may_return_any_float_a_gradient_may_hold() -> None:
    x = Value(2.0)
    handle = x.register_hook(lambda g: math.nan)
    (x * x).backward()
    handle.remove()
    assert math.isnan(x.grad)  # type: ignore[arg-type]


def test_a_hook_removed_by_an_earlier_hook_of_the_pass_does_not_run() -> None:
    a = Value(2.0)
    m = a * 4.0
    later = a.register_hook(lambda g: 100 * g)
    m.register_hook(lambda g: (later.remove(), g)[1])
    (m * 8.0).backward()
    assert a.grad == 32.0 and not later.registered()


def test_hooks_registered_and_removed_while_another_thread_runs_backward() -> None:
    # register_hook and remove used to change the registry a pass was reading.
    xs = [Value(float(i)) for i in range(400)]
    handles = [x.register_hook(lambda g: g) for x in xs[:200]]
    stop = threading.Event()

    def registrar() -> None:
        while not stop.is_set():
            added = [x.register_hook(lambda g: g) for x in xs[200:]]
            for h in added:
                h.remove()

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread = threading.Thread(target=registrar)
    thread.start()
    try:
        for _ in range(200):
            (xs[1] * 2.0).backward()
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(switch)
        for h in handles:
            h.remove()
    assert xs[1].grad == 400.0
