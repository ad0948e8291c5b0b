"""The generated (inlined) form of every op row equals the row itself, bit for bit."""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, core
from autograd._codegen import NAMESPACE, forward_source, partials_source
from autograd.ops import FLOAT_MATH, OPS, Op

ROWS = list(OPS.values())
# Everywhere a float can be, not only where the rule is smooth: kinks, zeros,
# domain errors and overflow must behave the same both ways.
ANY_FLOAT = st.one_of(
    st.floats(-10.0, 10.0),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0]),
)


def bits(x: Any) -> Any:
    """Floats compared by their bits (so -0.0 != 0.0); anything else as it is."""
    if isinstance(x, float):
        return struct.pack("<d", x)
    if isinstance(x, tuple):
        return tuple(bits(e) for e in x)
    return x


def outcome(f: Any, *args: Any) -> Any:
    """What calling f gives: its result's bits, or its exception type and message."""
    try:
        return bits(f(*args))
    except (ArithmeticError, ValueError) as e:
        return type(e), str(e)


def generated(op: Op) -> tuple[Any, Any]:
    """The generated forward and derivative of `op`, compiled into functions."""
    names = ["x", "y"][: op.arity]
    partials = partials_source(op, names, "out")
    body = partials if isinstance(partials, str) else f"({', '.join(partials)},)"
    params = ", ".join(names)
    source = (
        f"def forward({params}): return {forward_source(op, names)}\n"
        f"def derivative({params}, out): return {body}\n"
    )
    namespace = dict(NAMESPACE)
    exec(source, namespace)
    return namespace["forward"], namespace["derivative"]


@pytest.mark.parametrize("op", ROWS, ids=[r.name for r in ROWS])
@given(data=st.data())
def test_generated_forward_and_derivative_equal_the_row(op: Op, data: Any) -> None:
    args = [data.draw(ANY_FLOAT) for _ in range(op.arity)]
    forward, derivative = generated(op)
    assert outcome(forward, *args) == outcome(op.forward, *args)
    out = outcome(op.forward, *args)
    if isinstance(out, bytes):
        value = op.forward(*args)
        got = outcome(derivative, *args, value)
        assert got == outcome(op.derivative, FLOAT_MATH, *args, value)


@pytest.mark.parametrize("op", ROWS, ids=[r.name for r in ROWS])
@given(data=st.data())
def test_the_eager_fast_path_makes_the_node_the_row_describes(
    op: Op, data: Any
) -> None:
    args = [data.draw(ANY_FLOAT) for _ in range(op.arity)]
    if op.name == "pow":
        args[0] = abs(args[0])  # a Value exponent needs a base >= 0
    operands = [Value(a) for a in args]
    try:
        finite = math.isfinite(op.forward(*args))
    except (ArithmeticError, ValueError):
        finite = False
    if not finite:
        with pytest.raises((ArithmeticError, ValueError)):
            core.apply(op, tuple(operands))
        return
    node = core.apply(op, tuple(operands))
    value = op.forward(*args)
    assert bits(node.data) == bits(value)
    assert bits(node.local_grads) == bits(op.derivative(FLOAT_MATH, *args, value))
    assert node.parents == tuple(operands)


@pytest.mark.parametrize("op", ROWS, ids=[r.name for r in ROWS])
@given(data=st.data())
def test_the_unchecked_forward_equals_the_row_or_raises_where_it_does(
    op: Op, data: Any
) -> None:
    # What compiled replays run: the same bits, or some error (the replay
    # then runs eagerly, and the row's own error is raised).
    args = [data.draw(ANY_FLOAT) for _ in range(op.arity)]
    names = ["x", "y"][: op.arity]
    namespace = dict(NAMESPACE)
    source = forward_source(op, names, checked=False)
    exec(f"def unchecked({', '.join(names)}): return {source}", namespace)
    expected = outcome(op.forward, *args)
    got = outcome(namespace["unchecked"], *args)
    if isinstance(expected, bytes):
        assert got == expected
    else:
        assert not isinstance(got, bytes)


def test_operator_source_is_inlined_and_named_functions_are_called() -> None:
    assert forward_source(OPS["mul"], ["x", "y"]) == "x * y"
    assert partials_source(OPS["mul"], ["x", "y"], "out") == ("y", "x")
    assert partials_source(OPS["tanh"], ["x"], "out") == ("1.0 - out * out",)
    assert forward_source(OPS["log"], ["x"]) == "_cg_forward_log(x)"
    assert forward_source(OPS["log"], ["x"], checked=False) == "_cg_unchecked_log(x)"
    assert forward_source(OPS["div"], ["x", "y"], checked=False) == "x / y"


def test_a_custom_row_outside_the_table_runs_its_own_functions() -> None:
    import dataclasses

    twice = dataclasses.replace(
        OPS["neg"],
        name="twice",
        forward=lambda x: 2.0 * x,
        derivative=lambda m, x, out: (2.0,),
    )
    x = Value(3.0)
    y = core.apply(twice, (x,)) * x
    y.backward()
    assert (y.data, x.grad) == (18.0, 12.0)
