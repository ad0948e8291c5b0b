"""The engine's semantics, one behaviour per test (see README "Semantics")."""

from __future__ import annotations

import asyncio
import copy
import math
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest

import autograd
from autograd import Value, no_grad
from autograd.ops import OpDomainError

# -- construction ---------------------------------------------------------------


@pytest.mark.parametrize("number", [3, 3.0, Fraction(3, 1)])
def test_value_accepts_any_real_number_as_float(number: object) -> None:
    v = Value(number)  # type: ignore[arg-type]
    assert type(v.data) is float
    assert v.data == 3.0
    assert v.grad == 0.0


def test_value_accepts_numpy_floats() -> None:
    import numpy as np

    assert Value(np.float64(1.5)).data == 1.5


@pytest.mark.parametrize(
    ("bad", "word"),
    [
        (True, "bool"),
        ("1.0", "str"),
        (None, "NoneType"),
        (1j, "complex"),
        (Decimal("1.5"), "Decimal"),
    ],
)
def test_value_rejects_non_reals_naming_the_type(bad: object, word: str) -> None:
    with pytest.raises(TypeError, match=rf"Value: expected a real number, got {word}"):
        Value(bad)  # type: ignore[arg-type]


def test_value_of_a_value_is_a_type_error_pointing_at_data() -> None:
    with pytest.raises(TypeError, match=r"use \.data"):
        Value(Value(1.0))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_value_rejects_non_finite_data(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_value_rejects_an_int_too_large_for_a_float() -> None:
    with pytest.raises(OverflowError, match="too large"):
        Value(10**400)


def test_label_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_repr_float_and_format() -> None:
    v = Value(2.5, label="x")
    assert repr(v) == "Value(data=2.5, grad=0.0, label='x')"
    assert repr(Value(1.0)) == "Value(data=1.0, grad=0.0)"
    with no_grad():  # float(v) while recording is an error (it drops gradients)
        assert float(v) == 2.5
    assert f"{v:.2f}" == "2.50"
    assert f"{v}" == repr(v)


def test_a_leaf_has_no_parents_and_no_op() -> None:
    v = Value(1.0)
    assert v.parents == ()
    assert v.operands == ()
    assert v.local_grads == ()
    assert v.op == ""


# -- the README example and micrograd compatibility -----------------------------


def test_readme_example() -> None:
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    y = (x * w + 1).tanh()
    y.backward()
    t = math.tanh(2.0 * -3.0 + 1.0)
    assert y.data == t
    assert x.grad == pytest.approx((1 - t * t) * -3.0, rel=1e-12)
    assert w.grad == pytest.approx((1 - t * t) * 2.0, rel=1e-12)


def test_micrograd_sanity_check_expression() -> None:
    # micrograd's own test: values PyTorch computes for the same program.
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_more_ops_expression() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, rel=1e-12)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-12)
    assert b.grad == pytest.approx(645.5772594752186, rel=1e-12)


# -- operators -------------------------------------------------------------------

BINARY = [
    ("add", lambda a, b: a + b, lambda x, y: x + y),
    ("sub", lambda a, b: a - b, lambda x, y: x - y),
    ("mul", lambda a, b: a * b, lambda x, y: x * y),
    ("div", lambda a, b: a / b, lambda x, y: x / y),
    ("pow", lambda a, b: a**b, lambda x, y: x**y),
]


@pytest.mark.parametrize(("name", "op", "ref"), BINARY)
@pytest.mark.parametrize("other", [3, 3.0, Fraction(3, 1)])
def test_operators_mix_values_and_numbers_on_either_side(
    name: str, op: object, ref: object, other: object
) -> None:
    f, r = op, ref
    x = Value(2.0)
    left = f(x, other)  # type: ignore[operator]
    right = f(other, x)  # type: ignore[operator]
    assert isinstance(left, Value)
    assert isinstance(right, Value)
    assert left.op == name
    assert right.op == name
    assert left.data == r(2.0, float(other))  # type: ignore[arg-type, operator]
    assert right.data == r(float(other), 2.0)  # type: ignore[arg-type, operator]


def test_constants_are_kept_as_floats_not_nodes() -> None:
    x = Value(2.0)
    y = 3 * x
    assert y.parents == (x,)
    assert y.operands == (3.0, x)
    assert type(y.operands[0]) is float


def test_value_exponent_and_number_base() -> None:
    x = Value(3.0)
    y = Value(2.0)
    z = x**y + 2**x
    z.backward()
    assert z.data == 9.0 + 8.0
    assert x.grad == pytest.approx(2 * 3.0 + 8.0 * math.log(2.0), rel=1e-12)
    assert y.grad == pytest.approx(9.0 * math.log(3.0), rel=1e-12)


def test_unary_minus_plus_and_abs() -> None:
    x = Value(-2.0)
    y = -x + abs(x) + (+x)
    y.backward()
    assert y.data == 2.0 + 2.0 - 2.0
    assert x.grad == -1.0 - 1.0 + 1.0


def test_comparisons_look_at_data() -> None:
    a, b = Value(1.0), Value(2.0)
    assert a < b
    assert a <= 1
    assert b > 1.5
    assert b >= 2.0
    assert 3 > b  # noqa: SIM300 - the reflected comparison is what is tested
    assert not (a > b)


def test_max_picks_the_larger_value_and_the_gradient_flows_through_it() -> None:
    a, b = Value(1.0), Value(2.0)
    m = max(a, b)
    assert m is b
    (m * 3).backward()
    assert (a.grad, b.grad) == (0.0, 3.0)


def test_equality_is_identity_and_values_hash() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a  # noqa: PLR0124 - identity equality is what is tested
    assert a != b
    assert len({a, b}) == 2
    assert {a: 1}[a] == 1


def test_comparison_with_a_non_number_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="<"):
        assert Value(1.0) < "a"  # type: ignore[operator]


@pytest.mark.parametrize("bad", [None, "x", True, 1j, Decimal(1)])
@pytest.mark.parametrize(("name", "op", "ref"), BINARY)
def test_operators_reject_non_numbers_naming_the_op(
    name: str, op: object, ref: object, bad: object
) -> None:
    f = op
    with pytest.raises(TypeError, match=rf"^{name}: expected a real number"):
        f(Value(2.0), bad)  # type: ignore[operator]
    with pytest.raises(TypeError, match=rf"^{name}: expected a real number"):
        f(bad, Value(2.0))  # type: ignore[operator]


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_operators_reject_non_finite_constants(bad: float) -> None:
    with pytest.raises(ValueError, match=r"^mul: expected a finite number"):
        Value(2.0) * bad


# -- domain and overflow errors ----------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Value(0.0).log(), r"log: operand must be > 0, got 0\.0"),
        (lambda: Value(-1.0).sqrt(), r"sqrt: operand must be >= 0, got -1\.0"),
        (lambda: Value(-8.0) ** 0.5, r"pow: negative base -8\.0"),
        (lambda: Value(0.0) ** -1, r"pow: 0\.0 \*\* -1\.0 is undefined"),
        (lambda: (-8.0) ** Value(0.5), r"pow: base must be >= 0 when the exponent"),
        (lambda: autograd.log(-1.0), r"log: operand must be > 0, got -1\.0"),
    ],
)
def test_domain_errors_are_value_errors_naming_op_and_operand(
    make: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        make()  # type: ignore[operator]
    assert isinstance(info.value, OpDomainError)


def test_division_by_zero_is_both_zero_division_and_value_error() -> None:
    with pytest.raises(ZeroDivisionError, match=r"div: division of 1\.0 by zero"):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="div"):
        1 / Value(0.0)


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda: Value(1000.0).exp(), "exp"),
        (lambda: Value(1e200) * 1e200, "mul"),
        (lambda: Value(1e308) + 1e308, "add"),
        (lambda: Value(1e300) / 1e-300, "div"),
        (lambda: Value(10.0) ** 400, "pow"),
        (lambda: autograd.exp(1000.0), "exp"),
        (lambda: autograd.leaky_relu(-1e308, 10.0), "leaky_relu"),
    ],
)
def test_overflow_raises_overflow_error_naming_the_op(make: object, op: str) -> None:
    with pytest.raises(OverflowError, match=rf"^{op}: "):
        make()  # type: ignore[operator]


# -- functions --------------------------------------------------------------------

FUNCTIONS = [
    "exp",
    "log",
    "sqrt",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "softplus",
    "gelu",
    "elu",
    "leaky_relu",
    "erf",
]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_exist_as_methods_and_module_functions(name: str) -> None:
    x = 0.7
    method_result = getattr(Value(x), name)()
    function_result = getattr(autograd, name)(Value(x))
    float_result = getattr(autograd, name)(x)
    assert isinstance(method_result, Value)
    assert isinstance(function_result, Value)
    assert type(float_result) is float
    assert method_result.data == function_result.data == float_result
    assert method_result.op == name


def test_learnable_leaky_relu_slope_gets_a_gradient() -> None:
    x, slope = Value(-2.0), Value(0.1)
    y = x.leaky_relu(slope)
    y.backward()
    assert y.data == pytest.approx(-0.2)
    assert (x.grad, slope.grad) == (0.1, -2.0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus"])
@pytest.mark.parametrize("x", [1e6, -1e6, 800.0, -800.0])
def test_saturating_functions_stay_finite_and_correct_far_out(
    name: str, x: float
) -> None:
    v = Value(x)
    y = getattr(v, name)()
    y.backward()
    expected = {
        "sigmoid": (1.0 if x > 0 else 0.0, 0.0),
        "tanh": (1.0 if x > 0 else -1.0, 0.0),
        "softplus": (max(x, 0.0), 1.0 if x > 0 else 0.0),
    }[name]
    assert (y.data, v.grad) == expected


def test_relu_gradient_at_zero_is_zero() -> None:
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_sqrt_at_zero_has_an_infinite_derivative_not_nan() -> None:
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


# -- backward -----------------------------------------------------------------------


def test_fan_out_keeps_both_edges() -> None:
    a = Value(3.0)
    s = a + a
    p = a * a
    assert s.parents == (a, a)
    (s + p).backward()
    assert a.grad == 2.0 + 6.0


def test_diamond_graph_sums_both_paths() -> None:
    x = Value(2.0)
    left = x * 3
    right = x.exp()
    y = left * right
    y.backward()
    assert x.grad == pytest.approx(3 * math.exp(2) + 6 * math.exp(2), rel=1e-12)


def test_gradients_accumulate_into_every_node_including_intermediates() -> None:
    x = Value(2.0)
    h = x * 5
    y = h * h
    y.backward()
    assert y.grad == 1.0
    assert h.grad == 20.0
    assert x.grad == 100.0


def test_backward_twice_gives_exactly_twice_the_gradient_everywhere() -> None:
    x = Value(0.3)
    h = (x * x).tanh()
    y = h * x + h.sin()
    y.backward()
    once = (x.grad, h.grad, y.grad)
    y.backward()
    assert (x.grad, h.grad, y.grad) == tuple(2 * g for g in once)


def test_backward_seed_gradient_scales_everything() -> None:
    x = Value(1.5)
    y = x * x
    y.backward(gradient=4.0)
    assert x.grad == 12.0
    with pytest.raises(ValueError, match="gradient"):
        y.backward(gradient=math.nan)


def test_zero_grad_clears_the_whole_graph() -> None:
    x = Value(1.5)
    h = x * 2
    y = h * h
    y.backward()
    y.zero_grad()
    assert (x.grad, h.grad, y.grad) == (0.0, 0.0, 0.0)


def test_a_deep_chain_backpropagates_without_recursion() -> None:
    x = Value(0.5)
    y = x
    for _ in range(200_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_builtin_sum_of_many_values() -> None:
    xs = [Value(float(i)) for i in range(100_000)]
    total = sum(xs)
    assert isinstance(total, Value)
    total.backward()
    assert total.data == sum(range(100_000))
    assert all(x.grad == 1.0 for x in xs)


_DETERMINISM_SCRIPT = """
import random
from autograd import Value
rng = random.Random(7)
leaves = [Value(rng.uniform(0.5, 1.5)) for _ in range(30)]
nodes = list(leaves)
for _ in range(3000):
    a, b = rng.choice(nodes), rng.choice(nodes[-20:])
    kind = rng.randrange(4)
    if kind == 0:
        nodes.append(a * b)
    elif kind == 1:
        nodes.append(a + b)
    elif kind == 2:
        nodes.append((a - b).tanh())
    else:
        nodes.append((a * 0.5).sigmoid())
total = sum(nodes[-100:])
total.backward()
print(total.data.hex(), [leaf.grad.hex() for leaf in leaves])
"""


def test_same_program_same_bits_across_processes_and_hash_seeds() -> None:
    outputs = {
        subprocess.run(
            [sys.executable, "-c", _DETERMINISM_SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1


# -- no_grad and detach ---------------------------------------------------------------


def test_no_grad_records_no_parents() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    assert y.data == 5.0
    assert y.parents == ()
    assert y.op == ""


def test_no_grad_as_a_decorator() -> None:
    @no_grad()
    def f(v: Value) -> Value:
        return v * 3

    y = f(Value(2.0))
    assert y.data == 6.0
    assert y.parents == ()
    assert f.__name__ == "f"


def test_no_grad_on_a_coroutine_function_is_per_task() -> None:
    @no_grad()
    async def quiet(v: Value) -> Value:
        await asyncio.sleep(0)
        return v * 2

    async def loud(v: Value) -> Value:
        await asyncio.sleep(0)
        return v * 2

    async def both() -> tuple[Value, Value]:
        return await asyncio.gather(quiet(Value(1.0)), loud(Value(1.0)))

    q, r = asyncio.run(both())
    assert q.parents == ()
    assert len(r.parents) == 1


def test_no_grad_in_one_thread_does_not_leak_into_another() -> None:
    entered, checked = threading.Event(), threading.Event()
    seen: list[bool] = []

    def quiet() -> None:
        with no_grad():
            entered.set()
            checked.wait(5)

    def loud() -> None:
        entered.wait(5)
        seen.append(autograd.is_grad_enabled())
        seen.append(len((Value(1.0) * 2).parents) == 1)
        checked.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=loud)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [True, True]


def test_detach_cuts_the_graph() -> None:
    x = Value(2.0)
    y = (x * x).detach()
    z = y * 3
    z.backward()
    assert y.parents == ()
    assert y.data == 4.0
    assert x.grad == 0.0


# -- higher order (the engine's side; the functional API has its own tests) -----------


def test_create_graph_makes_gradients_differentiable() -> None:
    x = Value(3.0)
    y = x**3
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value)
    assert g.data == 27.0
    x.grad = 0.0
    g.backward()
    assert x.grad == 18.0


# -- import hygiene -------------------------------------------------------------


def test_import_autograd_pulls_in_no_third_party_module() -> None:
    code = (
        "import sys, autograd, autograd.engine;"
        "heavy = ('graphviz', 'hypothesis', 'numpy', 'torch');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_generated_ops_tell_the_tracer_what_they_make() -> None:
    from autograd import _modes

    events: list[tuple[str, object]] = []

    class Recorder:
        def made(self, v: Value) -> None:
            events.append(("made", v.op))

        def compared(self, a: Value, symbol: str, b: object, result: bool) -> None:
            events.append(("compared", symbol))

        def read(self, v: Value) -> None:
            events.append(("read", v.op))

        def detached(self, leaf: Value, source: Value) -> None:
            events.append(("detached", source.op))

        def constant(self, v: Value, row: object, operands: tuple[object, ...]) -> None:
            events.append(("constant", getattr(row, "name", None)))

    mode = _modes.mode.set(_modes.mode.get() | _modes.TRACING)
    tracer = _modes.tracer.set(Recorder())
    try:
        x = Value(2.0)
        y = (x * 3.0).tanh()
        with no_grad():
            x.exp()
        _ = y.detach(), y.data, x > 1.0
    finally:
        _modes.tracer.reset(tracer)
        _modes.mode.reset(mode)
    assert events == [
        ("made", "mul"),
        ("made", "tanh"),
        ("constant", "exp"),
        ("detached", "tanh"),
        ("read", "tanh"),
        ("compared", ">"),
    ]


def _float_without_grad(v: Value) -> float:
    with no_grad():  # float(v) is refused while recording, traced or not
        return float(v)


# Every public way to see a Value's number. Inside a compiled function each one
# must be refused: a replay would reuse the number seen while tracing.
_NUMBER_READS: dict[str, Callable[[Value], object]] = {
    "data": lambda v: v.data,
    "item": lambda v: v.item(),
    "float": _float_without_grad,
    "format": lambda v: f"{v:.17g}",
    "format without a spec": lambda v: f"{v}",
    "repr": repr,
    "str": str,
    "local_grads": lambda v: (v * v).local_grads,
    "an operand's number": lambda v: (v * v).operands[0].data,  # type: ignore[union-attr]
    "micrograd _backward": lambda v: (v * v)._backward(),
    "pickle": lambda v: pickle.loads(pickle.dumps(v)),
    "deepcopy": copy.deepcopy,
    "copy": copy.copy,
}


@pytest.mark.parametrize("name", sorted(_NUMBER_READS))
def test_every_number_read_inside_compile_is_refused(name: str) -> None:
    read = _NUMBER_READS[name]

    def f(x: Value) -> Value:
        read(x)
        return x * x

    with pytest.raises(TypeError, match="compile"):
        autograd.compile(f)(Value(2.0))


@pytest.mark.parametrize("name", sorted(_NUMBER_READS))
def test_every_number_read_works_outside_compile(name: str) -> None:
    _NUMBER_READS[name](Value(2.0))


# -- assigning grad -----------------------------------------------------------------


def test_assigning_grad_inside_compile_is_refused() -> None:
    # micrograd's zero-grad loop: a replay would not zero, and would pile up.
    w = Value(2.0)

    def f(x: Value) -> Value:
        w.grad = 0.0
        return w * x

    with pytest.raises(TypeError, match=r"assigned v\.grad"):
        autograd.compile(f)(Value(3.0))


@pytest.mark.parametrize(
    ("given", "stored"),
    [(0, 0.0), (Fraction(1, 4), 0.25), (math.inf, math.inf), (-2.5, -2.5)],
)
def test_grad_takes_a_real_number_as_a_float(given: float, stored: float) -> None:
    x = Value(1.0)
    x.grad = given
    assert type(x.grad) is float and x.grad == stored


def test_grad_takes_nan_and_a_value() -> None:
    x, g = Value(1.0), Value(2.0)
    x.grad = math.nan  # backward gives nan too (an infinite slope times 0)
    assert math.isnan(x.grad)  # type: ignore[arg-type]
    x.grad = g  # a create_graph gradient
    assert x.grad is g


@pytest.mark.parametrize("bad", ["1.0", True, 1j, None])
def test_grad_refuses_what_is_not_a_real_number(bad: object) -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"Value\.grad"):
        x.grad = bad  # type: ignore[assignment]
    assert x.grad == 0.0


@pytest.mark.parametrize("k", [0, 1, -7, 2**53 + 1, 2**1000, -(2**1010)])
def test_an_int_operand_is_the_float_it_converts_to(k: int) -> None:
    # Ints take their own fast path (sum() starts at 0): same node as the float.
    x = Value(1.5)
    pairs = [(x * k, x * float(k)), (k + x, float(k) + x), (x - k, x - float(k))]
    for made, reference in pairs:
        assert made.data == reference.data
        assert made.operands == reference.operands
        assert [type(p) for p in made.operands] == [type(p) for p in reference.operands]
    with pytest.raises(OverflowError, match="mul"):
        x * 2**1030
    with pytest.raises(TypeError, match="mul"):
        x * True
