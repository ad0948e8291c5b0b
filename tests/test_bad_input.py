"""Bad input, swept over the op table: every public way to apply every op, given
every kind of bad or unusual operand on either side, fails loudly naming the op
and the operand, or gives a finite result (README "Guarantees").

Adding a row to `autograd.ops.OPS` adds it to every sweep here.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import OPS, Value
from autograd.ops import Op

Call = Callable[[object, object], object]

# The Python operator behind each op that has one; both sides are tried.
_OPERATORS: dict[str, Call] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
}


def _midpoint(op: Op, position: int) -> float:
    lo, hi = op.sample[position]
    return (lo + hi) / 2.0


def _entry_points(op: Op) -> list[tuple[str, Call, bool]]:
    """(name, call(a, b), whether `a` may be a non-Value) for every public form of `op`.

    A unary op's call ignores `b`.
    """
    name = op.name
    found: list[tuple[str, Call, bool]] = []
    function = getattr(autograd, name, None)
    if op.arity == 2:
        if name in _OPERATORS:
            found.append((op.symbol, _OPERATORS[name], True))
        if hasattr(Value, name):
            found.append((f"Value.{name}", lambda a, b: getattr(a, name)(b), False))
        if function is not None:
            found.append((f"autograd.{name}", function, True))
    else:
        if hasattr(Value, name):
            found.append((f"Value.{name}", lambda a, b: getattr(a, name)(), False))
        if function is not None:
            found.append((f"autograd.{name}", lambda a, b: function(a), True))
        if name == "neg":
            found.append(("unary -", lambda a, b: operator.neg(a), False))
        if name == "abs":
            found.append(("abs()", lambda a, b: abs(a), False))
    return found


def _bad_operand_calls(op: Op) -> list[tuple[str, Callable[[object], object]]]:
    """Every way to hand `op` a raw operand next to a good Value, on each side."""
    calls: list[tuple[str, Callable[[object], object]]] = []
    for label, call, takes_raw_first in _entry_points(op):
        if op.arity == 1:
            if takes_raw_first:
                calls.append((f"{label}(bad)", lambda bad, call=call: call(bad, None)))
            continue
        right = Value(_midpoint(op, 1))
        left = Value(_midpoint(op, 0))
        calls.append((f"{label}(Value, bad)", lambda bad, c=call, v=left: c(v, bad)))
        if takes_raw_first:
            calls.append(
                (f"{label}(bad, Value)", lambda bad, c=call, v=right: c(bad, v))
            )
    return calls


ALL_OPS = list(OPS.values())
OP_IDS = [op.name for op in ALL_OPS]


def test_every_op_has_a_public_entry_point() -> None:
    for op in ALL_OPS:
        assert _entry_points(op), f"op {op.name!r} has no method, function or operator"


def test_every_op_with_a_raw_operand_form_is_swept() -> None:
    # neg and abs take only a Value, whose data `Value(...)` already checked.
    unswept = {op.name for op in ALL_OPS if not _bad_operand_calls(op)}
    assert unswept <= {"neg", "abs"}


NON_NUMBERS = [
    pytest.param(None, id="None"),
    pytest.param("2.0", id="str"),
    pytest.param(True, id="True"),
    pytest.param(False, id="False"),
    pytest.param(1 + 2j, id="complex"),
    pytest.param(Decimal("1.5"), id="Decimal"),
    pytest.param(np.bool_(True), id="numpy_bool"),
    pytest.param(Value(1.0), id="Value_as_data"),
    pytest.param([1.0], id="list"),
]


@pytest.mark.parametrize("bad", NON_NUMBERS)
@pytest.mark.parametrize("op", ALL_OPS, ids=OP_IDS)
def test_non_numbers_are_type_errors_naming_op_and_operand(op: Op, bad: object) -> None:
    for where, call in _bad_operand_calls(op):
        if isinstance(bad, Value):
            continue  # a Value operand is legitimate; covered by construction below
        with pytest.raises(TypeError) as info:
            call(bad)
        message = str(info.value)
        assert op.name in message, where
        assert type(bad).__name__ in message, where


@pytest.mark.parametrize("bad", NON_NUMBERS)
def test_value_constructor_refuses_non_numbers_naming_the_type(bad: object) -> None:
    with pytest.raises(
        TypeError, match=f"Value: expected a real number, got {type(bad).__name__}"
    ):
        Value(bad)  # type: ignore[arg-type]


NON_FINITE = [
    pytest.param(math.nan, "nan", id="nan"),
    pytest.param(math.inf, "inf", id="inf"),
    pytest.param(-math.inf, "-inf", id="-inf"),
    pytest.param(np.float64("nan"), "nan", id="numpy_nan"),
    pytest.param(np.float32("inf"), "inf", id="numpy_inf"),
]


@pytest.mark.parametrize(("bad", "shown"), NON_FINITE)
@pytest.mark.parametrize("op", ALL_OPS, ids=OP_IDS)
def test_non_finite_numbers_are_value_errors_naming_op_and_operand(
    op: Op, bad: float, shown: str
) -> None:
    for where, call in _bad_operand_calls(op):
        with pytest.raises(ValueError, match="finite") as info:
            call(bad)
        message = str(info.value)
        assert op.name in message, where
        assert shown in message, where


@pytest.mark.parametrize(("bad", "shown"), NON_FINITE)
def test_value_constructor_refuses_non_finite_numbers(bad: float, shown: str) -> None:
    with pytest.raises(
        ValueError, match=f"Value: expected a finite number, got {shown}"
    ):
        Value(bad)


OTHER_REALS = [
    pytest.param(Fraction(3, 4), id="Fraction"),
    pytest.param(3, id="int"),
    pytest.param(np.float64(0.75), id="numpy_float64"),
    pytest.param(np.float32(0.75), id="numpy_float32"),
    pytest.param(np.int64(3), id="numpy_int64"),
]


@pytest.mark.parametrize("number", OTHER_REALS)
@pytest.mark.parametrize("op", ALL_OPS, ids=OP_IDS)
def test_every_real_type_is_accepted_as_its_float(op: Op, number: object) -> None:
    as_float = float(number)  # type: ignore[arg-type]
    for where, call in _bad_operand_calls(op):
        try:
            expected = call(as_float)
        except (ValueError, OverflowError) as refused:
            with pytest.raises(type(refused)):
                call(number)
            continue
        got = call(number)
        assert type(got) is type(expected), where
        got_data = got.data if isinstance(got, Value) else got
        expected_data = expected.data if isinstance(expected, Value) else expected
        assert got_data == expected_data, where
        assert type(got_data) is float, where
        if isinstance(got, Value):
            assert all(
                type(x) is float for x in got.operands if not isinstance(x, Value)
            )


EXTREMES = [
    pytest.param(1e308, id="1e308"),
    pytest.param(-1e308, id="-1e308"),
    pytest.param(5e-324, id="5e-324"),
    pytest.param(-5e-324, id="-5e-324"),
    pytest.param(2.0**-1074 * 3, id="subnormal"),
    pytest.param(0.0, id="zero"),
    pytest.param(-0.0, id="minus_zero"),
]


@pytest.mark.parametrize("extreme", EXTREMES)
@pytest.mark.parametrize("op", ALL_OPS, ids=OP_IDS)
def test_extreme_floats_give_a_finite_result_or_an_error_naming_the_op(
    op: Op, extreme: float
) -> None:
    for where, call in _bad_operand_calls(op):
        try:
            result = call(extreme)
        except (OverflowError, ValueError) as refused:
            assert str(refused).startswith(f"{op.name}:"), (where, str(refused))
            continue
        data = result.data if isinstance(result, Value) else result
        assert isinstance(data, float), where
        assert math.isfinite(data), where


@pytest.mark.parametrize("op", ALL_OPS, ids=OP_IDS)
def test_an_int_too_large_for_a_float_is_an_overflow_error_naming_the_op(
    op: Op,
) -> None:
    for huge in (10**400, -(10**400), 10**5000, Fraction(10**400, 3)):
        for where, call in _bad_operand_calls(op):
            with pytest.raises(OverflowError, match="too large for a float") as info:
                call(huge)
            if isinstance(huge, Fraction) and where == "**(bad, Value)":
                continue  # Fraction.__pow__ calls float(self) before we see it
            assert str(info.value).startswith(f"{op.name}:"), where
            assert len(str(info.value)) < 200, where


def test_a_huge_int_is_described_by_its_size_not_printed() -> None:
    with pytest.raises(OverflowError, match=r"Value: int <about 5000 digits>"):
        Value(10**5000)


def test_a_huge_string_operand_gives_a_short_message() -> None:
    with pytest.raises(TypeError) as info:
        Value(1.0) + "x" * 10**6  # type: ignore[operator]
    assert len(str(info.value)) < 200
    assert "add: expected a real number, got str 'xxx" in str(info.value)


def test_an_operand_whose_repr_fails_still_gets_a_type_error() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    with pytest.raises(TypeError, match="mul: expected a real number, got Hostile"):
        Value(1.0) * Hostile()  # type: ignore[operator]


# -- comparisons: both sides ----------------------------------------------------

_COMPARISONS: list[tuple[str, Call, str]] = [
    ("<", operator.lt, ">"),
    ("<=", operator.le, ">="),
    (">", operator.gt, "<"),
    (">=", operator.ge, "<="),
]


@pytest.mark.parametrize("bad", NON_NUMBERS)
@pytest.mark.parametrize(("symbol", "compare", "reflected"), _COMPARISONS)
def test_comparisons_refuse_non_numbers_on_either_side(
    symbol: str, compare: Call, reflected: str, bad: object
) -> None:
    if isinstance(bad, Value):
        assert compare(Value(2.0), bad) is compare(2.0, 1.0)
        return
    v = Value(1.0)
    with pytest.raises(TypeError, match=f"{symbol}: expected a real number"):
        compare(v, bad)
    with pytest.raises(TypeError):
        compare(bad, v)


@pytest.mark.parametrize(("bad", "shown"), NON_FINITE)
@pytest.mark.parametrize(("symbol", "compare", "reflected"), _COMPARISONS)
def test_comparisons_refuse_non_finite_numbers_on_either_side(
    symbol: str, compare: Call, reflected: str, bad: float, shown: str
) -> None:
    v = Value(1.0)
    with pytest.raises(ValueError, match=f"{symbol}: expected a finite number"):
        compare(v, bad)
    # `nan < v` asks v.__gt__(nan): the message names the reflected comparison.
    with pytest.raises(ValueError, match=f"{reflected}: expected a finite number"):
        compare(bad, v)


@pytest.mark.parametrize("number", OTHER_REALS)
@pytest.mark.parametrize(("symbol", "compare", "reflected"), _COMPARISONS)
def test_comparisons_accept_every_real_type(
    symbol: str, compare: Call, reflected: str, number: object
) -> None:
    v = Value(0.5)
    assert compare(v, number) is compare(0.5, float(number))  # type: ignore[arg-type]


# -- backward and construction arguments -------------------------------------


@pytest.mark.parametrize("bad", [None, "1", True, 1j, Decimal(1)])
def test_backward_refuses_a_non_number_seed(bad: object) -> None:
    y = Value(2.0) * 3.0
    with pytest.raises(TypeError, match="backward: gradient: expected a real number"):
        y.backward(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_backward_refuses_a_non_finite_seed(bad: float) -> None:
    x = Value(2.0)
    y = x * 3.0
    with pytest.raises(ValueError, match="backward: gradient: expected a finite"):
        y.backward(bad)
    assert x.grad == 0.0


@pytest.mark.parametrize("bad", [None, 1, b"x"])
def test_a_label_must_be_a_string(bad: object) -> None:
    with pytest.raises(TypeError, match="Value: label must be a str"):
        Value(1.0, label=bad)  # type: ignore[arg-type]


# -- results and local derivatives from any finite operands ------------------

_finite = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("op", ALL_OPS, ids=OP_IDS)
@given(x=_finite, y=_finite)
def test_any_finite_operands_give_a_finite_value_and_no_nan_derivative(
    op: Op, x: float, y: float
) -> None:
    """Values are finite or the op raises; local derivatives may be +-inf at a
    singular point (sqrt at 0) but are never NaN."""
    label, call, _ = _entry_points(op)[0]
    a, b = Value(x), Value(y)
    try:
        result = call(a, b)
    except (OverflowError, ValueError) as refused:
        assert str(refused).startswith(f"{op.name}:"), str(refused)
        return
    assert isinstance(result, Value)
    assert math.isfinite(result.data)
    for d in result.local_grads:
        assert not math.isnan(d), (label, x, y, result.local_grads)


def test_pow_slope_overflow_is_inf_not_an_error_only_when_recording() -> None:
    # 1e-200 ** -1 is finite; its slope -1e400 is not: the forward result must
    # not depend on whether gradients are recorded.
    x = Value(1e-200)
    y = x**-1.0
    assert y.data == 1e200
    assert y.local_grads[0] == -math.inf
    with autograd.no_grad():
        assert (x**-1.0).data == 1e200


# -- nn: constructors, optimizers, losses ---------------------------------------

BAD_SIZES = [
    pytest.param(0, ValueError, id="zero"),
    pytest.param(-3, ValueError, id="negative"),
    pytest.param(2.0, TypeError, id="float"),
    pytest.param(2.5, TypeError, id="fraction_float"),
    pytest.param(True, TypeError, id="bool"),
    pytest.param("2", TypeError, id="str"),
    pytest.param(None, TypeError, id="None"),
    pytest.param(-(10**5000), ValueError, id="huge_negative"),
]

# Each constructor call with a size, and the name its error must start with.
_CONSTRUCTORS: dict[str, tuple[Callable[[object], object], str]] = {
    "Neuron(nin)": (nn.Neuron, "nin"),
    "Layer(nin, 2)": (lambda n: nn.Layer(n, 2), "nin"),  # type: ignore[arg-type]
    "Layer(2, nout)": (lambda n: nn.Layer(2, n), "nout"),  # type: ignore[arg-type]
    "MLP(nin, [2])": (lambda n: nn.MLP(n, [2]), "nin"),  # type: ignore[arg-type]
    "MLP(2, [n, 1])": (lambda n: nn.MLP(2, [n, 1]), "nouts[0]"),  # type: ignore[list-item]
    "MLP(2, [1, n])": (lambda n: nn.MLP(2, [1, n]), "nouts[1]"),  # type: ignore[list-item]
}


@pytest.mark.parametrize(("size", "error"), BAD_SIZES)
@pytest.mark.parametrize("where", list(_CONSTRUCTORS))
def test_nn_sizes_must_be_positive_ints_and_the_error_names_the_argument(
    where: str, size: object, error: type[Exception]
) -> None:
    make, argument = _CONSTRUCTORS[where]
    with pytest.raises(error) as info:
        make(size)
    message = str(info.value)
    assert message.startswith(argument), message
    assert len(message) < 300


@pytest.mark.parametrize("nouts", [[], (), "16", 16, None, {1: 2}])
def test_mlp_layer_widths_must_be_a_non_empty_list(nouts: object) -> None:
    with pytest.raises((TypeError, ValueError), match="nouts"):
        nn.MLP(2, nouts)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["Relu", "swish", "", "relu ", "linear\x00"])
@pytest.mark.parametrize(
    "make",
    [
        lambda a: nn.Neuron(2, a),
        lambda a: nn.Layer(2, 2, a),
        lambda a: nn.MLP(2, [2, 1], a),
        lambda a: nn.MLP(2, [2, 1], output_activation=a),
    ],
    ids=["Neuron", "Layer", "MLP", "MLP_output"],
)
def test_unknown_activation_names_are_value_errors_listing_the_choices(
    make: Callable[[str], object], name: str
) -> None:
    with pytest.raises(ValueError, match="unknown activation") as info:
        make(name)
    assert all(choice in str(info.value) for choice in nn.ACTIVATIONS)


@pytest.mark.parametrize("activation", [1, None.__class__, ["relu"], Value.relu])
def test_an_activation_that_is_not_a_name_is_a_type_error(activation: object) -> None:
    with pytest.raises(TypeError, match="activation must be a str"):
        nn.MLP(2, [2, 1], activation)  # type: ignore[arg-type]


def test_unknown_init_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown init"):
        nn.MLP(2, [2, 1], init="zeros")


@pytest.mark.parametrize("seed", [1.5, "0", True, object()])
def test_a_seed_must_be_an_int_or_a_random(seed: object) -> None:
    with pytest.raises(TypeError, match="seed"):
        nn.MLP(2, [2, 1], seed=seed)  # type: ignore[arg-type]


def test_calling_a_model_with_the_wrong_number_of_inputs_names_both() -> None:
    model = nn.MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match="expects 3 inputs, got 2"):
        model([1.0, 2.0])


BAD_RATES = [
    pytest.param(-0.1, ValueError, id="negative"),
    pytest.param(math.nan, ValueError, id="nan"),
    pytest.param(math.inf, ValueError, id="inf"),
    pytest.param(-math.inf, ValueError, id="-inf"),
    pytest.param(10**400, ValueError, id="int_too_large"),
    pytest.param("0.1", TypeError, id="str"),
    pytest.param(None, TypeError, id="None"),
    pytest.param(True, TypeError, id="bool"),
    pytest.param(1j, TypeError, id="complex"),
]

_OPTIMIZERS: dict[str, Callable[..., object]] = {
    "SGD": nn.SGD,
    "Adam": nn.Adam,
    "AdamW": nn.AdamW,
}


@pytest.mark.parametrize(("lr", "error"), BAD_RATES)
@pytest.mark.parametrize("name", list(_OPTIMIZERS))
def test_optimizers_refuse_bad_learning_rates_naming_lr(
    name: str, lr: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match="lr") as info:
        _OPTIMIZERS[name]([Value(1.0)], lr=lr)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("lr", [-0.1, math.nan, "0.1"])
def test_a_learning_rate_schedule_returning_a_bad_rate_fails_the_step_unchanged(
    lr: object,
) -> None:
    w = Value(2.0)
    opt = nn.SGD([w], lr=lambda step: lr)  # type: ignore[arg-type,return-value]
    (w * w).backward()
    with pytest.raises((TypeError, ValueError), match="lr"):
        opt.step()
    assert w.data == 2.0


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"momentum": -0.5}, "momentum"),
        ({"momentum": 1.0}, "momentum"),
        ({"momentum": math.nan}, "momentum"),
        ({"weight_decay": -1.0}, "weight_decay"),
        ({"weight_decay": math.inf}, "weight_decay"),
    ],
)
def test_sgd_refuses_bad_hyperparameters_naming_them(
    kwargs: dict[str, float], word: str
) -> None:
    with pytest.raises(ValueError, match=word):
        nn.SGD([Value(1.0)], lr=0.1, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"betas": (1.0, 0.999)}, "betas"),
        ({"betas": (0.9, -0.1)}, "betas"),
        ({"betas": (0.9,)}, "betas"),
        ({"betas": 0.9}, "betas"),
        ({"eps": 0.0}, "eps"),
        ({"eps": -1e-8}, "eps"),
        ({"eps": math.nan}, "eps"),
    ],
)
def test_adam_refuses_bad_hyperparameters_naming_them(
    kwargs: dict[str, object], word: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=word):
        nn.Adam([Value(1.0)], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "params", [[], Value(1.0), [Value(1.0), 2.0], [Value(1.0)] * 2, None]
)
def test_optimizers_refuse_bad_parameter_lists(params: object) -> None:
    with pytest.raises((TypeError, ValueError), match="params"):
        nn.SGD(params, lr=0.1)  # type: ignore[arg-type]


def test_a_step_that_would_make_a_parameter_non_finite_changes_nothing() -> None:
    a, b = Value(1.0), Value(1.0)
    opt = nn.SGD([a, b], lr=1e300)
    a.grad, b.grad = 1.0, 1e300
    with pytest.raises(FloatingPointError, match="non-finite"):
        opt.step()
    assert (a.data, b.data) == (1.0, 1.0)


_LOSSES_2: dict[str, Callable[[object, object], object]] = {
    "mse": nn.mse,
    "hinge": nn.hinge,
    "binary_cross_entropy": nn.binary_cross_entropy,
}


@pytest.mark.parametrize("name", list(_LOSSES_2))
def test_losses_refuse_mismatched_lengths_naming_both(name: str) -> None:
    with pytest.raises(ValueError, match="differ in length: 2 != 3"):
        _LOSSES_2[name]([Value(0.5), Value(0.5)], [1, 1, 1])


@pytest.mark.parametrize("name", list(_LOSSES_2))
@pytest.mark.parametrize("empty", [[], ()])
def test_losses_refuse_empty_inputs(name: str, empty: object) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        _LOSSES_2[name](empty, empty)


@pytest.mark.parametrize("name", list(_LOSSES_2))
@pytest.mark.parametrize("bad", [Value(1.0), "ab", 3, None])
def test_losses_refuse_a_non_sequence(name: str, bad: object) -> None:
    with pytest.raises(TypeError, match="must be a sequence"):
        _LOSSES_2[name](bad, [1.0])


@pytest.mark.parametrize("label", [0, 2, -2, 0.5, math.nan])
def test_hinge_labels_must_be_minus_one_or_one(label: float) -> None:
    with pytest.raises(ValueError, match=r"labels\[1\] must be -1 or \+1"):
        nn.hinge([Value(0.5), Value(0.5)], [1, label])


@pytest.mark.parametrize("label", ["1", None, True, 1j])
def test_labels_that_are_not_numbers_are_type_errors(label: object) -> None:
    with pytest.raises(TypeError, match=r"labels\[0\] must be a number"):
        nn.hinge([Value(0.5)], [label])  # type: ignore[list-item]


@pytest.mark.parametrize("target", [-0.1, 1.5, math.nan, math.inf])
def test_binary_cross_entropy_targets_must_be_in_zero_one(target: float) -> None:
    with pytest.raises(ValueError, match=r"targets\[0\] must be in \[0, 1\]"):
        nn.binary_cross_entropy([Value(0.5)], [target])


@pytest.mark.parametrize(
    ("labels", "error", "word"),
    [
        ([3], ValueError, r"labels\[0\] must be a class index in \[0, 3\)"),
        ([-1], ValueError, r"labels\[0\] must be a class index in \[0, 3\)"),
        ([1.0], TypeError, r"labels\[0\] must be an int class index"),
        ([True], TypeError, r"labels\[0\] must be an int class index"),
        (["0"], TypeError, r"labels\[0\] must be an int class index"),
        ([0, 1], ValueError, "differ in length"),
    ],
)
def test_cross_entropy_labels_must_be_class_indices(
    labels: list[object], error: type[Exception], word: str
) -> None:
    row = [Value(0.1), Value(0.2), Value(0.3)]
    with pytest.raises(error, match=word):
        nn.cross_entropy([row], labels)  # type: ignore[arg-type]


def test_cross_entropy_rows_must_have_the_same_width() -> None:
    with pytest.raises(ValueError, match=r"logit_rows\[1\] has 2 classes"):
        nn.cross_entropy([[Value(0.0)] * 3, [Value(0.0)] * 2], [0, 0])


# -- the float rule: a Value becomes a float only under no_grad ---------------


def _float_arities(f: Callable[..., object]) -> list[int]:
    """How many float arguments `f` takes (math.log takes 1 or 2), by trying."""
    arities = []
    for n in (1, 2, 3):
        try:
            f(*[0.5] * n)
        except TypeError:
            continue
        except (ValueError, OverflowError):
            pass  # a float was taken; 0.5 is outside the domain
        arities.append(n)
    return arities


# math.trunc calls `__trunc__`, which Value lacks (its own TypeError), never float().
NOT_THROUGH_FLOAT = {"trunc"}
# Every function of `math` that takes floats, with each argument position.
MATH_CALLS = [
    pytest.param(name, n, position, id=f"math.{name}/{n}@{position}")
    for name in sorted(dir(math))
    if not name.startswith("_")
    and callable(getattr(math, name))
    and name not in NOT_THROUGH_FLOAT
    for n in _float_arities(getattr(math, name))
    for position in range(n)
]


def _call_with(name: str, n: int, position: int, v: Value) -> object:
    args: list[object] = [0.5] * n
    args[position] = v
    return getattr(math, name)(*args)


def test_the_float_rule_sweeps_the_math_module() -> None:
    names = {p.values[0] for p in MATH_CALLS}
    assert {"exp", "sin", "log", "sqrt", "pow", "atan2", "isclose", "floor"} <= names
    with pytest.raises(TypeError):
        math.trunc(Value(0.5))  # type: ignore[call-overload]


@pytest.mark.parametrize(("name", "n", "position"), MATH_CALLS)
@given(x=st.floats(-3.0, 3.0))
def test_every_math_function_refuses_a_recording_value_naming_the_way_out(
    name: str, n: int, position: int, x: float
) -> None:
    with pytest.raises(TypeError) as info:
        _call_with(name, n, position, Value(x))
    message = str(info.value)
    assert "autograd.exp" in message
    assert ".data" in message
    assert "no_grad" in message


@pytest.mark.parametrize(("name", "n", "position"), MATH_CALLS)
@given(x=st.floats(-3.0, 3.0))
def test_under_no_grad_math_functions_take_a_value_as_its_number(
    name: str, n: int, position: int, x: float
) -> None:
    def outcome(v: object) -> object:
        try:
            args: list[object] = [0.5] * n
            args[position] = v
            return getattr(math, name)(*args)
        except (ValueError, ArithmeticError) as error:
            return type(error)

    with autograd.no_grad():
        on_value = outcome(Value(x))
    on_float = outcome(x)
    assert repr(on_value) == repr(on_float)  # repr: nan equals nan


def test_float_of_a_value_is_refused_anywhere_a_float_is_converted() -> None:
    v = Value(0.5)
    for convert in (float, complex, math.fsum, np.float64):
        with pytest.raises(TypeError, match=r"autograd\.exp"):
            convert([v] if convert is math.fsum else v)  # type: ignore[operator]


def test_the_float_rule_is_what_keeps_math_exp_from_dropping_a_gradient() -> None:
    # 2*math.exp(w)*w used to give half the gradient, grad(math.sin) zero.
    w = Value(0.5)
    with pytest.raises(TypeError, match=r"autograd\.exp"):
        2 * math.exp(w) * w  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"autograd\.exp"):
        autograd.grad(math.sin)(1.0)
    assert autograd.grad(autograd.sin)(1.0) == math.cos(1.0)


def test_a_value_still_formats_and_reads_its_number_while_recording() -> None:
    loss = Value(0.123456) * 2
    assert f"{loss:.3f}" == "0.247"
    assert loss.data == loss.item() == 0.246912
    with autograd.no_grad():
        assert float(loss) == 0.246912
