"""autograd.primitive: a user's op goes everywhere a table row goes."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest
from floats import bits
from hypothesis import given

import autograd
from autograd import Primitive, Value, grad, gradcheck, primitive
from autograd.ops import OPS
from autograd.testing import Expression, graphs


@primitive(derivative=lambda m, x, out: (1.0 / (1.0 + x * x),))
def atan(x: float) -> float:
    """Arc tangent."""
    return math.atan(x)


@primitive(
    derivative=lambda m, x, y, out: (x / out, y / out),
    sample=((0.5, 3.0), (0.5, 3.0)),
)
def hypot(x: float, y: float) -> float:
    """sqrt(x**2 + y**2)."""
    return math.hypot(x, y)


@primitive(derivative=lambda m, x, out: (1.0 if x > 0 else -1.0,), kinks=(0.0,))
def absolute(x: float) -> float:
    """|x|, with a kink at 0."""
    return abs(x)


def test_a_primitive_is_one_row_outside_the_table() -> None:
    assert isinstance(atan, Primitive)
    assert atan.row.name == "atan" and atan.row.arity == 1
    assert "atan" not in OPS
    assert atan.__doc__ == "Arc tangent."
    assert atan.row.sample == ((-2.0, 2.0),)


def test_on_floats_it_is_the_function() -> None:
    assert atan(0.5) == math.atan(0.5)
    assert atan(1) == math.atan(1.0)  # any real number, a float out
    assert hypot(3.0, 4.0) == 5.0


def test_on_values_it_records_a_node_with_its_row_and_local_derivative() -> None:
    x = Value(0.5)
    y = atan(x)
    assert isinstance(y, Value)
    assert y.op == "atan" and y._row is atan.row
    assert y.parents == (x,)
    y.backward()
    assert x.grad == 1.0 / 1.25


def test_two_operands_with_constants_on_either_side() -> None:
    x = Value(3.0)
    (hypot(x, 4.0) + hypot(4.0, x)).backward()
    assert x.grad == 2 * 3.0 / 5.0
    assert grad(hypot, argnums=(0, 1))(3.0, 4.0) == (0.6, 0.8)


def test_higher_order_derivatives_run_the_rule_on_values() -> None:
    # atan'(x) = 1/(1+x^2), atan'' = -2x/(1+x^2)^2, atan''' = (6x^2-2)/(1+x^2)^3
    x = 0.7
    q = 1.0 + x * x
    assert math.isclose(grad(atan)(x), 1.0 / q)
    assert math.isclose(grad(grad(atan))(x), -2.0 * x / q**2)
    assert math.isclose(grad(grad(grad(atan)))(x), (6.0 * x * x - 2.0) / q**3)
    v = Value(x)
    atan(v).backward(create_graph=True)
    assert isinstance(v.grad, Value)
    assert math.isclose(v.grad.data, 1.0 / q)


def test_gradcheck_checks_it_to_second_order() -> None:
    assert gradcheck(
        lambda a, b: atan(a * b) + hypot(a + 2.0, b + 2.0), 0.3, 0.9, order=2
    )


def test_gradcheck_catches_a_wrong_rule() -> None:
    @primitive(derivative=lambda m, x, out: (2.0 * m.cos(x),))
    def wrong_sin(x: float) -> float:
        return math.sin(x)

    with pytest.raises(AssertionError, match="differ"):
        gradcheck(wrong_sin, 0.3)


@given(graphs(ops=[atan, hypot, absolute, "mul", "tanh"]))
def test_random_graphs_with_primitives_match_finite_differences(
    graph: tuple[Expression, tuple[float, ...]],
) -> None:
    expression, leaves = graph
    assert gradcheck(expression, *leaves, order=2)


def test_strategies_draw_operands_from_the_primitives_sample() -> None:
    leaves = [Value(-100.0), Value(100.0)]
    expression = Expression(2, (autograd.testing.Instruction(hypot.row, (0, 1)),))
    out = expression(*leaves)
    assert isinstance(out, Value) and out.op == "hypot"
    assert all(0.5 <= p.data <= 3.0 for p in out.parents)
    assert "= hypot(x1, x0)" in str(expression)


def test_compile_replays_a_primitive_bit_for_bit() -> None:
    def f(a: Value, b: Value) -> Value:
        return atan(a * b) + hypot(a, b) * absolute(a - b)

    step = autograd.compile(f)
    for point in [(0.3, 0.8), (1.5, -0.4), (2.0, 0.25)]:
        eager = [Value(x) for x in point]
        out = f(*eager)
        out.backward()
        compiled = [Value(x) for x in point]
        first = step(*compiled)
        again = [Value(x) for x in point]
        value = step(*again)
        assert bits(value) == bits(first) == bits(out.data)
        for e, c in zip(eager, again, strict=True):
            assert bits(c.grad) == bits(e.grad)  # type: ignore[arg-type]
    assert "atan" in step.source


def test_viz_draws_it_under_its_name() -> None:
    from autograd.viz import to_dot  # graphviz is in the dev extra

    x = Value(0.5, label="x")
    source = to_dot(hypot(atan(x), 2.0)).source
    assert "atan" in source and "hypot" in source


def test_explain_and_anomaly_mode_read_its_row() -> None:
    with autograd.detect_anomaly():
        x = Value(0.5)
        atan(x).backward()
    assert x.grad == 0.8
    steps = autograd.explain(hypot(atan(x), 2.0))
    assert [step.local for step in steps][-1] == 0.8
    assert "atan" in str(steps)
    with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="pole"):
        pole(Value(0.0)).backward()


@primitive(derivative=lambda m, x, out: (0.5 / out if out > 0 else math.inf,))
def pole(x: float) -> float:
    """sqrt(|x|): an infinite slope at 0."""
    return math.sqrt(abs(x))


def test_the_float_path_checks_like_the_tables() -> None:
    @primitive(derivative=lambda m, x, out: (out,), sample=((-1.0, 1.0),))
    def big(x: float) -> float:
        return 1e308 * math.exp(x)  # inf past x = log(1.79)

    with pytest.raises(OverflowError, match=r"^big"):
        big(2.0)
    with pytest.raises(OverflowError, match=r"^big"):
        big(Value(2.0))
    with pytest.raises(TypeError, match="atan"):
        atan("1")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="atan"):
        atan(math.nan)
    with pytest.raises(TypeError, match="takes 1 operand"):
        atan(1.0, 2.0)


def test_domain_errors_of_the_forward_propagate() -> None:
    @primitive(derivative=lambda m, x, out: (1.0 / x,), sample=((0.5, 2.0),))
    def log_of(x: float) -> float:
        return math.log(x)

    with pytest.raises(ValueError, match="math domain error"):
        log_of(-1.0)
    with pytest.raises(ValueError, match="math domain error"):
        log_of(Value(-1.0))


def test_a_forward_returning_an_int_gives_a_float_and_complex_is_refused() -> None:
    @primitive(derivative=lambda m, x, out: (0.0,))
    def floor(x: float) -> float:
        return math.floor(x)

    assert type(floor(2.5)) is float and type(floor(Value(2.5)).data) is float

    @primitive(derivative=lambda m, x, out: (1.0,))
    def sometimes_complex(x: float) -> float:
        return x if x < 5.0 else complex(x, 1.0)  # type: ignore[return-value]

    with pytest.raises(TypeError, match=r"^sometimes_complex: .* real number"):
        sometimes_complex(6.0)
    with pytest.raises(TypeError, match=r"^always_complex: .* real number"):

        @primitive(derivative=lambda m, x, out: (1.0,))
        def always_complex(x: float) -> float:
            return complex(x, 1.0)  # type: ignore[return-value]


def _define(derivative: Any, function: Any, **options: Any) -> Primitive:
    return primitive(derivative, **options)(function)


def _one(x: float) -> float:
    return x


def _ln(x: float) -> float:
    return math.log(x)


@pytest.mark.parametrize(
    ("derivative", "function", "options", "error", "match"),
    [
        ("not callable", _one, {}, TypeError, "derivative must be a function"),
        (lambda m, x, out: (1.0,), 3.0, {}, TypeError, "decorate a function"),
        (
            lambda m, x, out: (1.0,),
            math.sin,
            {},
            ValueError,
            "already a row of the op table",
        ),
        (lambda m, x, out: (1.0,), _one, {"name": "mul"}, ValueError, "already a row"),
        (lambda m, x, out: (1.0,), _one, {"name": "a b"}, ValueError, "identifier"),
        (lambda m, x, out: (1.0, 2.0), _one, {}, TypeError, "tuple of 1 local"),
        (lambda m, x, out: 1.0, _one, {}, TypeError, "tuple of 1 local"),
        (lambda m, x, out: ("1",), _one, {}, TypeError, "real number"),
        (lambda m, x, y, out: (1.0,), _one, {}, TypeError, r"\(m, x, out\)"),
        (
            lambda m, x, out: (1.0,),
            lambda x, y, z: x,
            {"name": "f3"},
            TypeError,
            "1 or 2",
        ),
        (
            lambda m, x, out: (1.0,),
            lambda *xs: 0.0,
            {"name": "fv"},
            TypeError,
            "1 or 2",
        ),
        (
            lambda m, x, out: (1.0,),
            _one,
            {"sample": ((1.0, 0.0),)},
            ValueError,
            "sample",
        ),
        (
            lambda m, x, out: (1.0,),
            _one,
            {"sample": ((0, 1), (0, 1))},
            ValueError,
            "sample",
        ),
        (
            lambda m, x, out: (1.0,),
            _ln,
            {},
            ValueError,
            "pass sample",
        ),
        (lambda m, x, out: (1.0 / x,), _one, {}, ValueError, "rule fails"),
        # The rule must work on Values, as create_graph calls it.
        (
            lambda m, x, out: (math.cos(x),),
            math.sin,
            {"name": "s"},
            TypeError,
            "on Values",
        ),
        (
            lambda m, x, out: (0.0 if x == 0 else 1.0,),
            _one,
            {"name": "e"},
            ValueError,
            "not ==",
        ),
    ],
)
def test_bad_definitions_fail_when_defined(
    derivative: Any, function: Any, options: dict[str, Any], error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        _define(derivative, function, **options)


def test_two_primitives_may_share_a_name_and_compile_keeps_them_apart() -> None:
    def make(k: float) -> Primitive:
        return primitive(derivative=lambda m, x, out: (k,), name="scale")(
            lambda x: k * x
        )

    twice, thrice = make(2.0), make(3.0)

    def f(a: Value) -> Value:
        return twice(a) * thrice(a)

    step = autograd.compile(f)
    for x in (1.0, 0.5, -2.0):
        eager = Value(x)
        out = f(eager)
        out.backward()
        first, again = Value(x), Value(x)
        step(first)
        assert bits(step(again)) == bits(out.data) == bits(6.0 * x * x)
        assert bits(again.grad) == bits(eager.grad)  # type: ignore[arg-type]


def _scaled(k: float) -> Primitive:
    @primitive(derivative=lambda m, x, out: (k,))
    def scaled(x: float) -> float:
        return k * x

    return scaled


def test_the_same_function_defined_again_replaces_it() -> None:
    # As when a notebook cell runs again: the same qualified name, a new row.
    twice, thrice = _scaled(2.0), _scaled(3.0)
    assert twice.row is not thrice.row
    assert twice(1.0) == 2.0 and thrice(1.0) == 3.0
    x = Value(1.0)
    (twice(x) + thrice(x)).backward()
    assert x.grad == 5.0


@primitive(derivative=lambda m, x, out: (-2.0 * x * out * out,))
def atan_slope(x: float) -> float:
    """1 / (1 + x**2), the derivative of atan; its own is -2x / (1 + x**2)**2."""
    return 1.0 / (1.0 + x * x)


@primitive(derivative=lambda m, x, out: (atan_slope(x),))
def atan_via_slope(x: float) -> float:
    """atan, whose rule calls another primitive."""
    return math.atan(x)


def test_a_rule_may_call_another_primitive_to_any_order() -> None:
    x = 0.7
    q = 1.0 + x * x
    assert math.isclose(grad(grad(atan_via_slope))(x), -2.0 * x / q**2)
    assert math.isclose(grad(grad(grad(atan_via_slope)))(x), (6.0 * x * x - 2.0) / q**3)


@given(graphs(ops=[atan, hypot, absolute, "mul", "add", "tanh"]))
def test_compile_replays_random_graphs_with_primitives_bit_for_bit(
    graph: tuple[Expression, tuple[float, ...]],
) -> None:
    expression, point = graph
    eager = [Value(x) for x in point]
    out = expression(*eager)
    assert isinstance(out, Value)
    out.backward()
    step = autograd.compile(expression)  # type: ignore[arg-type]
    step(*[Value(x) for x in point])  # traces
    again = [Value(x) for x in point]
    assert bits(step(*again)) == bits(out.data)
    for e, c in zip(eager, again, strict=True):
        assert bits(c.grad) == bits(e.grad)  # type: ignore[arg-type]


# A rule is probed once when defined; these go wrong only away from the probe
# (the sample's middle is 0.0), so every node checks its rule's result.
_RULES_WRONG_AWAY_FROM_THE_PROBE: list[tuple[Any, type, str]] = [
    (lambda m, x, out: (1j if x > 1 else 1.0,), TypeError, "real number"),
    (lambda m, x, out: (1.0, 2.0) if x > 1 else (1.0,), TypeError, "tuple of 1"),
    (lambda m, x, out: (math.nan if x > 1 else 1.0,), ValueError, "nan"),
    (lambda m, x, out: ("1" if x > 1 else 1.0,), TypeError, "real number"),
]


@pytest.mark.parametrize(
    ("derivative", "error", "match"), _RULES_WRONG_AWAY_FROM_THE_PROBE
)
def test_a_rule_result_is_checked_at_every_node(
    derivative: Any, error: type, match: str
) -> None:
    f = _define(derivative, _one, name="wrong_away")
    assert f(Value(0.5)).local_grads == (1.0,)
    with pytest.raises(error, match=rf"wrong_away at \(2\.0,\).*{match}"):
        f(Value(2.0))


def test_a_rule_giving_another_real_type_gives_a_float_gradient() -> None:
    half = _define(lambda m, x, out: (Fraction(1, 2),), lambda x: x * 0.5, name="half")
    x = Value(1.0)
    (half(x) * 0.1).backward()
    assert type(x.grad) is float and x.grad == 0.05


def test_a_rule_may_give_an_infinite_slope_as_the_table_does() -> None:
    x = Value(0.0)
    pole(x).backward()
    assert x.grad == math.inf


def test_a_rule_run_on_values_is_checked_as_on_floats() -> None:
    # create_graph runs the rule on Values; what it returns there must obey
    # the same rules (one real, non-nan derivative per operand).
    @primitive(
        derivative=lambda m, x, out: (
            1.0 if not isinstance(x, Value) or x < 5 else math.nan,
        )
    )
    def odd(x: float) -> float:
        return x

    x = Value(6.0)
    odd(x).backward()
    assert x.grad == 1.0
    with pytest.raises(ValueError, match="nan"):
        odd(x).backward(create_graph=True)
