"""`autograd.explain`: backward's steps as data, a table and HTML, equal to backward."""

from __future__ import annotations

import dataclasses
import math

import pytest
from floats import bits
from hypothesis import given

from autograd import Value, explain, topological_order
from autograd.explain import HTML_ROWS, Step
from autograd.testing import Expression, graphs


def neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron with L = d * d, as demos/chain_rule.py builds it."""
    leaves = {
        k: Value(v, label=k)
        for k, v in {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.88}.items()
    }
    n = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    d = n.tanh() - 0.5
    d.label = "d"
    loss = d * d
    loss.label = "L"
    return loss, leaves


def test_explain_changes_no_grad() -> None:
    loss, _ = neuron()
    explain(loss)
    assert all(v.grad == 0.0 for v in topological_order(loss))


def test_every_step_is_upstream_times_local_added_to_a_running_sum() -> None:
    loss, _ = neuron()
    e = explain(loss)
    sums: dict[Value, float] = {}
    for s in e:
        assert s.product == s.upstream * s.local
        assert s.running_sum == sums.get(s.parent, 0.0) + s.product
        assert s.upstream == e.grads[s.node]
        assert s.local == s.node.local_grads[s.slot]
        assert s.node.operands[s.slot] is s.parent
        sums[s.parent] = s.running_sum
    assert len(e) == 12  # 2 per mul and add, 1 for tanh and - 0.5, 2 for d * d


def test_a_node_used_twice_takes_two_steps_whose_sum_is_its_gradient() -> None:
    loss, _ = neuron()
    first, second = explain(loss)[:2]
    assert first.node is loss and second.node is loss
    assert (first.slot, second.slot) == (0, 1)
    assert second.running_sum == 2 * first.product


def test_steps_are_frozen() -> None:
    loss, _ = neuron()
    with pytest.raises(dataclasses.FrozenInstanceError):
        explain(loss)[0].product = 0.0  # type: ignore[misc]


def test_the_table_prints_every_edge_in_backward_order() -> None:
    loss, _ = neuron()
    e = explain(loss)
    lines = str(e).splitlines()
    assert lines[0].startswith("backward from L (data ")
    assert lines[1] == "L.grad = 1 (the seed)"
    assert lines[2].split() == [
        "step",
        "node",
        "->",
        "parent",
        "upstream",
        "local",
        "product",
        "running",
        "sum",
    ]
    assert len(lines) == 3 + len(e)
    assert lines[3].split()[:4] == ["1", "L", "->", "d"]
    # The last column is the running sum, as %.6g.
    for line, step in zip(lines[3:], e, strict=True):
        assert line.split()[-1] == format(step.running_sum, ".6g")


def test_unlabelled_nodes_are_named_by_op_and_forward_position() -> None:
    x = Value(1.0)
    e = explain((x * 2.0).exp())
    assert e.names[x] == "leaf#0"
    assert "exp#2 -> mul#1" in str(e)


def test_html_escapes_labels() -> None:
    x = Value(2.0, label="<script>alert(1)</script>")
    y = x * x
    y.label = "a & b"
    page = explain(y)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &amp; b" in page
    assert page.count("<tr>") == 1 + 2


def test_html_shows_at_most_its_row_limit() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(HTML_ROWS + 10):
        y = y * 1.0
    page = explain(y)._repr_html_()
    assert page.count("<tr>") == 1 + HTML_ROWS
    assert "10 more steps" in page


def test_a_leaf_root_has_no_steps_and_gradient_one() -> None:
    x = Value(3.0, label="x")
    e = explain(x)
    assert len(e) == 0 and e.grads == {x: 1.0}


def test_a_non_value_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match=r"explain: root must be a Value.*float"):
        explain(3.0)  # type: ignore[arg-type]


def test_a_graph_with_a_gradient_hook_is_refused() -> None:
    x = Value(2.0, label="x")
    y = x * 3.0
    handle = x.register_hook(lambda g: 2 * g)
    with pytest.raises(ValueError, match=r"explain: 'x' has a gradient hook"):
        explain(y)
    handle.remove()
    assert explain(y).grads[x] == 3.0


def test_a_chain_of_a_hundred_thousand_nodes() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(100_000):
        y = y * 1.0
    e = explain(y)
    assert len(e) == 100_000
    assert e.grads[x] == 1.0
    assert isinstance(e[-1], Step) and e[-1].parent is x


def test_values_used_outside_the_graph_are_explained_in_backwards_order() -> None:
    # `a` has consumers that are not below the root: backward recounts them.
    a = Value(0.3, label="a")
    b = a.sin()
    unused = [b * 2.0, b.exp(), a * a]
    root = b * 3.0 + b * b + b.tanh()
    e = explain(root)
    root.backward()
    for v in topological_order(root):
        assert bits(e.grads[v]) == bits(float(v.grad))
    assert unused  # kept alive: their uses count


def test_contributions_are_summed_in_backwards_order() -> None:
    # x's three contributions sum to 0, 1 or -1e16 depending on their order.
    x = Value(1.0, label="x")
    root = (x * 1e16 + x * 1.0) + x * -1e16
    e = explain(root)
    root.backward()
    assert bits(e.grads[x]) == bits(x.grad)
    order = [s.node for s in e]
    # A node passes its gradient on only after every node that uses it.
    for k, s in enumerate(e):
        assert s.parent not in order[:k]


@given(graphs())
def test_final_sums_equal_backward_bit_for_bit(
    graph: tuple[Expression, tuple[float, ...]],
) -> None:
    expression, numbers = graph
    leaves = [Value(x) for x in numbers]
    root = expression(*leaves)
    if not isinstance(root, Value):
        return
    e = explain(root)
    last: dict[Value, float] = {}
    for s in e:
        last[s.parent] = s.running_sum
    root.backward()
    for v in topological_order(root):
        g = float(v.grad)
        assert bits(e.grads[v]) == bits(g)
        if v is not root:
            assert bits(last[v]) == bits(g)
    assert math.isfinite(sum(e.grads.values()))
