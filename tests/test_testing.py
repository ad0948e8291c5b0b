"""autograd.testing: random expression graphs, and what our engine does on them."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import autograd
import autograd.testing
from autograd import Value, gradcheck, topological_order
from autograd.check import numeric_grad
from autograd.testing import (
    Expression,
    Instruction,
    apply,
    check_gradients,
    expressions,
    graphs,
)

Graph = tuple[Expression, tuple[float, ...]]
# For `find`ing any example at all: the first one found, unshrunk.
# `find` searches until the first match: give it a budget independent of the profile.
FIRST = settings(phases=[Phase.generate], database=None, max_examples=5000)


def close(analytic: float, numeric: float) -> bool:
    return abs(analytic - numeric) <= 1e-6 + 1e-5 * abs(numeric)


def depth(root: Value) -> int:
    """The number of ops on the longest path from a leaf to `root`."""
    longest: dict[Value, int] = {}
    for v in topological_order(root):
        longest[v] = max((longest[p] + 1 for p in v.parents), default=0)
    return longest[root]


def shares_a_node(root: Value) -> bool:
    """Whether some computed node feeds more than one operand slot."""
    slots = [p for v in topological_order(root) for p in v.parents if p.parents]
    return len(slots) != len({id(p) for p in slots})


def test_importing_autograd_does_not_import_hypothesis() -> None:
    code = "import sys, autograd; print('hypothesis' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@given(graphs())
def test_backward_matches_finite_differences_on_every_leaf(graph: Graph) -> None:
    expression, point = graph
    leaves = [Value(x) for x in point]
    out = expression(*leaves)
    assert isinstance(out, Value)
    out.backward()
    numeric = numeric_grad(expression, *point)
    for leaf, n in zip(leaves, numeric, strict=True):
        assert close(float(leaf.grad), n), (str(expression), leaf.grad, n)


@given(graphs())
def test_create_graph_backward_agrees_with_backward(graph: Graph) -> None:
    expression, point = graph
    eager, graph_leaves = [Value(x) for x in point], [Value(x) for x in point]
    expression(*eager).backward()  # type: ignore[union-attr]
    expression(*graph_leaves).backward(create_graph=True)  # type: ignore[union-attr]
    for a, b in zip(eager, graph_leaves, strict=True):
        g = b.grad.data if isinstance(b.grad, Value) else b.grad
        assert math.isclose(float(a.grad), g, rel_tol=1e-12, abs_tol=1e-12)


@given(graphs(max_length=6))
def test_second_derivatives_of_random_graphs_match_finite_differences(
    graph: Graph,
) -> None:
    expression, point = graph
    assert gradcheck(expression, *point, order=2, atol=1e-6, rtol=1e-5)


def on_values(expression: Expression) -> Value:
    out = expression(*[Value(0.5) for _ in range(expression.n_leaves)])
    assert isinstance(out, Value)
    return out


def test_graphs_have_shared_subexpressions() -> None:
    found = find(expressions(), lambda e: shares_a_node(on_values(e)), settings=FIRST)
    assert shares_a_node(on_values(found))


def test_graphs_have_deep_chains() -> None:
    deep = lambda e: depth(on_values(e)) >= 30  # noqa: E731
    found = find(expressions(max_length=40), deep, settings=FIRST)
    assert depth(on_values(found)) >= 30


@pytest.mark.parametrize("side", [0, 1])
def test_binary_ops_get_a_constant_on_either_side(side: int) -> None:
    def constant_at_side(e: Expression) -> bool:
        return any(isinstance(s.operands[side], float) for s in e.instructions)

    found = find(expressions(ops=["pow"]), constant_at_side, settings=FIRST)
    assert constant_at_side(found)


def test_a_failing_property_shrinks_to_one_instruction() -> None:
    # As if exp were broken: the smallest graph that shows it is exp(x0).
    found = find(expressions(), lambda e: any(s.op == "exp" for s in e.instructions))
    assert found == Expression(1, (Instruction("exp", (0,)),))


@given(expressions(ops=["sin", "mul"]))
def test_expressions_use_only_the_chosen_ops(expression: Expression) -> None:
    assert {step.op for step in expression.instructions} <= {"sin", "mul"}


@given(graphs(ops=["relu", "abs"], margin=0.01))
def test_graphs_keep_kinked_ops_off_their_kinks(graph: Graph) -> None:
    expression, point = graph
    assert expression.kink_distance(*point) > 0.01


@given(graphs())
def test_expressions_give_the_same_number_on_floats_and_values(graph: Graph) -> None:
    expression, point = graph
    out = expression(*map(Value, point))
    assert isinstance(out, Value)
    assert out.data == expression(*point)


def test_expression_prints_as_a_program() -> None:
    expression = Expression(
        2, (Instruction("mul", (0, 1)), Instruction("pow", (0, 2.0)))
    )
    assert str(expression) == "\n".join(
        [
            "Expression of x0, x1:",
            "  v0 = mul(x1, x0)",
            "  v1 = pow(v0, 2.0)",
        ]
    )


def test_expression_squashes_operands_into_the_op_domain() -> None:
    # log's sample interval is (0.1, 10): log of a negative leaf still works.
    value = Expression(1, (Instruction("log", (0,)),))(-100.0)
    assert math.log(0.1) <= value <= math.log(10.0)


def test_expression_checks_its_number_of_leaves() -> None:
    with pytest.raises(TypeError, match="takes 1 leaves, got 2"):
        Expression(1, (Instruction("exp", (0,)),))(1.0, 2.0)


def test_unknown_op_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown op 'tan'"):
        expressions(ops=["sin", "tan"])


def test_apply_checks_the_number_of_operands() -> None:
    with pytest.raises(TypeError, match="mul takes 2 operand"):
        apply("mul", 1.0)


def test_check_gradients_passes_a_correct_function() -> None:
    check_gradients(lambda x, y: autograd.exp(x) * autograd.sin(y), 2, order=2)


def test_check_gradients_takes_an_interval_per_argument() -> None:
    check_gradients(
        lambda x, y: autograd.log(x) * autograd.sqrt(y),
        2,
        domain=[(0.5, 3.0), (0.5, 3.0)],
    )


def test_check_gradients_fails_a_wrong_derivative() -> None:
    @autograd.primitive(derivative=lambda m, x, out: (2.0 * m.cos(x),))
    def sin_with_a_wrong_rule(x: float) -> float:
        return math.sin(x)

    with pytest.raises(AssertionError, match="derivatives differ"):
        check_gradients(lambda x: sin_with_a_wrong_rule(x) + x, 1)


@given(st.floats(-3.0, 3.0))
def test_apply_on_floats_is_the_forward_function(x: float) -> None:
    assert apply("tanh", x) == math.tanh(x)


@autograd.primitive(
    derivative=lambda m, x, y, out: (y * out / x, out * m.log(x)),
    sample=((0.5, 2.0), (-1.5, 1.5)),
)
def power_of_positive(x: float, y: float) -> float:
    """x ** y for x > 0."""
    return math.pow(x, y)


def test_graphs_accept_user_primitives_and_rows_by_name_and_row() -> None:
    ops: list[str | autograd.ops.Op | autograd.Primitive] = [
        power_of_positive,
        autograd.OPS["sin"],
        "exp",
    ]
    found = find(
        graphs(ops=ops), lambda g: "power_of_positive" in str(g[0]), settings=FIRST
    )
    expression, leaves = found
    assert gradcheck(expression, *leaves)
    instructions = find(
        expressions(ops=[power_of_positive]), lambda e: True, settings=FIRST
    )
    assert instructions.instructions[0].row is power_of_positive.row


@given(graphs(ops=[power_of_positive, "tanh", "add"]))
def test_a_primitive_in_random_graphs_stays_inside_its_sample(graph: Graph) -> None:
    expression, point = graph
    out = expression(*[Value(x) for x in point])
    for v in topological_order(out):  # type: ignore[arg-type]
        if v.op == "power_of_positive":
            base = v.operands[0]
            assert 0.5 <= (base.data if isinstance(base, Value) else base) <= 2.0


def test_apply_takes_names_rows_and_primitives() -> None:
    assert apply("mul", 3.0, 4.0) == apply(autograd.OPS["mul"], 3.0, 4.0) == 12.0
    assert apply(power_of_positive, 4.0, 0.5) == 2.0
    with pytest.raises(ValueError, match="unknown op"):
        apply("atan2", 1.0, 2.0)


def test_without_hypothesis_the_import_error_names_the_extra_to_install() -> None:
    hidden = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if not installed\n"
        "import autograd, nn  # these never need it\n"
        "try:\n"
        "    import autograd.testing\n"
        "except ImportError as e:\n"
        "    print(type(e).__name__, e.name, e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", hidden], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == (
        "ModuleNotFoundError hypothesis autograd.testing needs Hypothesis: "
        "pip install 'scalargrad[hypothesis]'"
    )
