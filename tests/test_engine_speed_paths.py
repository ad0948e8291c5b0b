"""Nodes with consumers outside the graph get the same gradients as without them.

Softmax outputs a loss never reads, values computed for logging, a KV cache:
`backward` walks only the graph below the root, so such consumers change nothing.
"""

from __future__ import annotations

import pytest

from autograd import Value, no_grad


def grads_of(build: object) -> list[float]:
    """Leaf gradients of x*y-ish graphs built by `build(x, y)`, after one backward."""
    x, y = Value(1.5), Value(-0.5)
    out = build(x, y)  # type: ignore[operator]
    out.backward()
    return [x.grad, y.grad]


def shared(x: Value, y: Value) -> Value:
    h = x * y + x
    return (h * h).tanh() + h


def test_a_node_also_used_outside_the_graph_gets_its_full_gradient() -> None:
    def with_an_outside_use(x: Value, y: Value) -> Value:
        h = x * y + x
        _ = h.exp() * 3  # a consumer of h that is not part of the output's graph
        return (h * h).tanh() + h

    assert grads_of(with_an_outside_use) == grads_of(shared)


def test_a_chain_of_nodes_used_outside_the_graph() -> None:
    def chain(x: Value, y: Value) -> Value:
        h = x
        kept = []
        for _ in range(50):
            h = h * y + x
            kept.append(h + 1)  # every link has an outside consumer
        return h

    x, y = Value(1.5), Value(-0.5)
    chain(x, y).backward()
    x2, y2 = Value(1.5), Value(-0.5)
    h = x2
    for _ in range(50):
        h = h * y2 + x2
    h.backward()
    assert (x.grad, y.grad) == (x2.grad, y2.grad)


def test_uses_under_no_grad_do_not_change_gradients() -> None:
    def used_under_no_grad(x: Value, y: Value) -> Value:
        h = x * y + x
        with no_grad():
            _ = h * h
        return (h * h).tanh() + h

    assert grads_of(used_under_no_grad) == grads_of(shared)


def test_backward_twice_through_an_outside_used_node_is_exactly_twice() -> None:
    x = Value(0.3)
    h = x.sin() * x
    _ = h + 1.0
    out = h * h + h
    out.backward()
    once = (x.grad, h.grad)
    out.backward()
    assert (x.grad, h.grad) == (2 * once[0], 2 * once[1])


@pytest.mark.parametrize("n_graphs", [1, 3])
def test_parameters_shared_by_many_graphs_accumulate_each_pass(n_graphs: int) -> None:
    w = Value(2.0)
    total = 0.0
    for i in range(n_graphs):
        out = (w * float(i + 1)).relu() * w
        out.backward()
        total += 2 * 2.0 * (i + 1)
    assert w.grad == total
