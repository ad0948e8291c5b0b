"""`autograd.explain`: backward's steps as data, a table and HTML, equal to backward."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
from floats import bits
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, explain, primitive, topological_order
from autograd._numbers import number
from autograd.explain import HTML_ROWS, Step, local_rule
from autograd.ops import OPS, Op
from autograd.testing import Expression, apply, graphs

# What a printed rule may call: the functions of `autograd.ops.Math`.
RULE_FUNCTIONS = {
    "exp": math.exp,
    "log": math.log,
    "sin": math.sin,
    "cos": math.cos,
    "erf": math.erf,
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
}
# A number as printed; not a squaring's exponent, which is exact.
PRINTED = re.compile(r"(?<![\w.^])\d+(?:\.\d*)?(?:e[+-]?\d+)?")


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
        "local,",
        "by",
        "its",
        "rule",
    ]
    assert len(lines) == 3 + len(e)
    assert lines[3].split()[:4] == ["1", "L", "->", "d"]
    # Then the running sum, as %.6g, and the rule of the local derivative.
    for line, step in zip(lines[3:], e, strict=True):
        assert line.endswith(f"{number(step.running_sum, '.6g')}  {step.rule()}")


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


def evaluate(text: str) -> float:
    """A printed rule's value, read back as Python (``^`` is a power)."""
    return float(eval(text.replace("^", "**"), {"__builtins__": {}}, RULE_FUNCTIONS))


def printed_precision(text: str) -> float:
    """How far `text` can be from its value when each number in it is off by
    half a unit of its last printed digit (to first order, one at a time)."""
    exact = evaluate(text)
    spread = 0.0
    for match in PRINTED.finditer(text):
        x = float(match.group())
        half = 0.5 * 10.0 ** (math.floor(math.log10(x)) - 3) if x else 5e-4
        for moved in (x - half, x + half):
            changed = text[: match.start()] + repr(moved) + text[match.end() :]
            spread += abs(evaluate(changed) - exact)
    return spread


def operands_of(row: Op) -> st.SearchStrategy[tuple[float, ...]]:
    """Operands in the row's sample intervals, off its kinks."""
    return st.tuples(*[st.floats(lo, hi) for lo, hi in row.sample]).filter(
        lambda xs: row.kink_distance(*xs) > 1e-3
    )


@given(
    st.sampled_from(list(OPS.values())).flatmap(
        lambda row: st.tuples(st.just(row), operands_of(row))
    )
)
def test_every_rows_rule_with_numbers_evaluates_to_its_local_derivative(
    case: tuple[Op, tuple[float, ...]],
) -> None:
    row, numbers = case
    node = apply(row, *(Value(x) for x in numbers))
    assert isinstance(node, Value)
    for slot, local in enumerate(node.local_grads):
        rule = local_rule(node, slot, ".4g")
        assert rule.value == number(local, ".4g")
        assert rule.formula and rule.numbers and not rule.note
        got = evaluate(rule.numbers)
        last_digit = 0.5 * 10.0 ** (math.floor(math.log10(abs(local) or 1.0)) - 3)
        assert abs(got - local) <= printed_precision(rule.numbers) + last_digit
        for _, condition in rule.conditions:
            assert eval(condition, {"__builtins__": {}})


def test_tanhs_rule_shows_one_minus_tanh_squared_with_its_numbers() -> None:
    x = Value(0.5, label="x")
    rule = explain(x.tanh())[0].rule(".4g")
    assert str(rule) == "d tanh(x)/dx = 1 - tanh(x)^2 = 1 - 0.4621^2 = 0.7864"


def test_a_rule_that_branched_says_which_branch() -> None:
    x = Value(-0.25, label="x")
    assert (
        str(explain(x.relu())[0].rule()) == "d relu(x)/dx = 0, for x <= 0: -0.25 <= 0"
    )


def test_a_negative_number_is_put_in_parentheses() -> None:
    x = Value(-0.5, label="x")
    assert explain(x.tanh())[0].rule(".4g").numbers == "1 - (-0.4621)^2"


def test_a_users_primitive_is_explained_by_its_own_rule() -> None:
    @primitive(derivative=lambda m, x, out: (1.0 / (1.0 + x * x),))
    def atan(x: float) -> float:
        return math.atan(x)

    x = Value(2.0, label="x")
    assert str(explain(atan(x))[0].rule(".4g")) == (
        "d atan(x)/dx = 1 / (1 + x^2) = 1 / (1 + 2^2) = 0.2"
    )


def test_a_rule_that_cannot_be_traced_shows_its_value_and_its_doc() -> None:
    # A rule may call another primitive; that call cannot be written out.
    @primitive(derivative=lambda m, x, out: (m.cos(x),))
    def sine(x: float) -> float:
        return math.sin(x)

    @primitive(derivative=lambda m, x, out: (sine(x) + 1.0,), doc="x - cos(x).")
    def f(x: float) -> float:
        return x - math.cos(x)

    rule = explain(f(Value(0.0, label="x")))[0].rule()
    assert (rule.formula, rule.numbers) == ("", "")
    assert str(rule) == (
        "d f(x)/dx = 1 (its rule is code not written out here; f: x - cos(x).)"
    )


def test_zeros_print_without_a_sign() -> None:
    x = Value(1.0, label="x")
    line = str(explain(x * -0.0)).splitlines()[-1]
    assert line.split()[4:8] == ["1", "0", "0", "0"]
    assert "-0" not in line


def test_the_notebook_table_shows_each_rule() -> None:
    x = Value(0.5, label="x")
    page = explain(x.tanh())._repr_html_()
    assert "d tanh(x)/dx = 1 - tanh(x)^2 = 1 - 0.462117^2 = 0.786448" in page


def test_explain_html_of_a_label_with_a_lone_surrogate_can_be_encoded() -> None:
    """Jupyter sends the HTML as UTF-8: a lone surrogate made it fail to encode."""
    x = Value(1.0, label="x\ud800<b>")
    html = explain(x * 2.0)._repr_html_()
    html.encode("utf-8")
    assert "x?&lt;b&gt;" in html
